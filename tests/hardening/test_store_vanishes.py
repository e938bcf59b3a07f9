"""The store deleted, moved or replaced while open; its folder or drive going away.

On Linux (and macOS) a file SQLite has open keeps working after it is
renamed or deleted: without a check, saves would "succeed" into a file that
nobody will open again, and be lost when the app closes. The design:

* ``store.connection`` remembers the file it opened (device and inode) and
  ``transaction`` checks, just before every COMMIT, that the store's path
  still names that file (one ``stat``). If not, nothing is committed and the
  user is told ``StoreMoved``: "moved or deleted while it was open".
* Putting the store back (renaming the folder back, reconnecting the share)
  makes the same session save again; nothing typed needs to be lost.
* A store deleted while open is not gone yet: the open session still reads
  it, and a copy taken from it (``store.backup.copy_store``) holds every
  saved record. (A "rescue copy" action could offer this to the user.)
* A failing disk or share (EIO) says the store could not be written, not
  that it is damaged, because "restore a backup" would discard good work.

Windows refuses to rename or delete a file SQLite has open, and network
filesystems may renumber inodes under an open file, so there only the
path's presence is checked before COMMIT (and the identity once a write has
failed).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services import notes
from sendiass_desktop.services.session import Session, StoreLocation, unlock_with_password
from sendiass_desktop.store.backup import copy_store, write_header_copy
from sendiass_desktop.store.errors import (
    KeyFileUnreadable,
    StoreMissing,
    StoreMoved,
    StoreUnavailable,
)
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.hardening.conftest import assert_healthy, assert_plain, new_store
from tests.support.casework import Family, add_note, make_family
from tests.support.fault_fs import bind_mount, ext4_image, loop_problem, mount_ext4, shut_down
from tests.support.fault_fs import unmount as fs_unmount

pytestmark = pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows refuses to move or delete an open file, so these faults cannot happen there")


def _open_with_notes(location: StoreLocation, count: int = 3) -> tuple[Session, Family, list[int]]:
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    family = make_family(session, officer=ADMIN)
    ids = [add_note(session, family.case, f"saved {i}").id for i in range(count)]
    return session, family, ids  # type: ignore[return-value]


def _note_ids(session: Session, family: Family) -> list[int]:
    assert family.case.id is not None
    return [n.id for n in notes.notes_for_case(session, family.case.id)]  # type: ignore[misc]


def _refused_as_moved(session: Session, family: Family) -> None:
    with pytest.raises(StoreMoved) as info:
        add_note(session, family.case, "typed after the store went away")
    assert_plain(info.value)
    assert "moved or deleted" in str(info.value)


def test_store_deleted_while_open(tmp_path: Path) -> None:
    location = new_store(tmp_path / "service.sendiass")
    session, family, saved = _open_with_notes(location)
    try:
        location.path.unlink()  # e.g. deleted in a file manager
        _refused_as_moved(session, family)
        # A second sign-in finds no store, and says so.
        with pytest.raises(StoreMissing):
            unlock_with_password(location, ADMIN, ADMIN_PASSWORD)

        # Nothing saved is lost while the app stays open: a copy from the open
        # session holds every note that was reported saved.
        rescue = tmp_path / "rescue" / "service.sendiass"
        rescue.parent.mkdir()
        assert copy_store(session.conn, rescue, session.data_key).ok
        write_header_copy(rescue, session.header)
    finally:
        session.conn.close()
        session.closed = True
    reopened = unlock_with_password(StoreLocation.of(rescue), ADMIN, ADMIN_PASSWORD)
    try:
        assert _note_ids(reopened, family) == saved
    finally:
        reopened.close()
    assert assert_healthy(StoreLocation.of(rescue)) > 0


def test_store_replaced_while_open(tmp_path: Path) -> None:
    location = new_store(tmp_path / "service.sendiass")
    session, family, saved = _open_with_notes(location)
    moved = location.path.with_name("moved-away.sendiass")
    try:
        # Moved away, and a copy (same bytes, another file) put in its place.
        os.rename(location.path, moved)
        shutil.copyfile(moved, location.path)
        _refused_as_moved(session, family)
        # The original put back: the same session saves again.
        os.replace(moved, location.path)
        saved.append(add_note(session, family.case, "saved once it was back").id)
        assert _note_ids(session, family) == saved
    finally:
        session.close()
    assert assert_healthy(location) > 0


def test_folder_renamed_while_open(tmp_path: Path) -> None:
    """A mapped folder going away looks the same as its parent being renamed."""
    share = tmp_path / "share"
    location = new_store(share / "service.sendiass")
    session, family, saved = _open_with_notes(location)
    try:
        share.rename(tmp_path / "share-renamed")
        _refused_as_moved(session, family)
        (tmp_path / "share-renamed").rename(share)
        saved.append(add_note(session, family.case, "saved once the folder was back").id)
        assert _note_ids(session, family) == saved
    finally:
        session.close()
    assert assert_healthy(location) > 0


@pytest.mark.usefixtures("can_mount")
def test_share_disconnected_while_open(tmp_path: Path) -> None:
    server = tmp_path / "server"
    server.mkdir()
    mount_point = tmp_path / "S-drive"
    with bind_mount(server, mount_point):
        location = new_store(mount_point / "service.sendiass")
        session, family, saved = _open_with_notes(location)
    try:
        # The bind mount is gone (lazily: open files still work, the path does not).
        assert not location.path.exists()
        _refused_as_moved(session, family)
        with bind_mount(server, mount_point):  # reconnected
            saved.append(add_note(session, family.case, "saved after reconnecting").id)
            assert _note_ids(session, family) == saved
            session.close()
            assert assert_healthy(location) > 0
    finally:
        session.close()


def test_drive_fails_while_open(tmp_path: Path) -> None:
    """A real I/O failure (EIO) under an open session: the ext4 shutdown ioctl."""
    problem = loop_problem()
    if problem:
        pytest.skip(problem)
    image, mount_point = tmp_path / "drive.img", tmp_path / "drive"
    with ext4_image(image, mount_point):
        location = new_store(mount_point / "service.sendiass")
        session, family, saved = _open_with_notes(location, count=5)
        shut_down(mount_point)
        try:
            with pytest.raises(SendiassError) as info:
                add_note(session, family.case, "typed as the drive failed")
            assert isinstance(info.value, StoreUnavailable), repr(info.value)
            assert_plain(info.value)
            assert "restore" not in str(info.value).lower()
            # Signing in again fails too: the key file cannot be read, which is the
            # drive's fault, not damage, so nobody is sent to restore a backup.
            with pytest.raises(SendiassError) as again:
                unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
            assert isinstance(again.value, KeyFileUnreadable), repr(again.value)
            assert_plain(again.value)
            assert "restore" not in str(again.value).lower()
        finally:
            session.conn.close()
            session.closed = True
    # The drive comes back: every note reported saved is there.
    mount_ext4(image, mount_point)
    try:
        session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
        try:
            assert _note_ids(session, family) == saved
        finally:
            session.close()
        assert assert_healthy(location) > 0
    finally:
        fs_unmount(mount_point)


def test_on_a_network_share_a_moved_store_is_still_caught(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SMB/NFS inode numbers may change under an open file, so only the path's
    presence is checked before each COMMIT; the store uses a rollback journal
    there, and SQLite itself refuses to write to a moved file
    (SQLITE_READONLY_DBMOVED), which must read "moved", not "read-only"."""
    monkeypatch.setenv("SENDIASS_FORCE_NETWORK_STORE", "1")
    location = new_store(tmp_path / "share" / "service.sendiass")
    session, family, saved = _open_with_notes(location)
    moved = location.path.with_name("moved-away.sendiass")
    try:
        assert session.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert not session.conn.identity_is_stable
        os.rename(location.path, moved)
        _refused_as_moved(session, family)  # gone: caught before COMMIT
        shutil.copyfile(moved, location.path)
        _refused_as_moved(session, family)  # replaced: SQLite refuses, we explain
        os.replace(moved, location.path)
        saved.append(add_note(session, family.case, "saved once it was back").id)
        assert _note_ids(session, family) == saved
    finally:
        session.close()
    assert assert_healthy(location) > 0
