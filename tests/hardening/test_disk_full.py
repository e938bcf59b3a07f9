"""A full disk while saving a note and while writing a backup.

The store lives on a real, small filesystem (tmpfs) filled nearly full, so
SQLite's writes fail with ENOSPC from the kernel. Where mounting is refused
the child-process test below still makes real writes fail, with
RLIMIT_FSIZE (EFBIG).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.services import notes, store_admin, users
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.store import audit_log, keyslots
from sendiass_desktop.store.errors import DiskFull, WrongCredentials
from sendiass_desktop.store.integrity import check
from tests.conftest import ADMIN, ADMIN_PASSWORD, PYTHON, REPO, cli_env
from tests.hardening.conftest import assert_healthy, assert_plain, new_store
from tests.support.casework import add_note, make_family
from tests.support.fault_fs import fill, free_bytes, tmpfs
from tests.support.memory_keyring import MemoryKeyring

BIG = 90_000  # characters: a long note (the limit is 100,000)
NEW_PASSWORD = "a brand new passphrase 42"


def _store_files(location: StoreLocation) -> set[str]:
    return {p.name for p in location.path.parent.iterdir()
            if p.name.startswith(location.path.name)}


@pytest.mark.usefixtures("can_mount")
def test_disk_full_while_saving_a_note(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        location = new_store(disk / "service.sendiass")
        session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
        try:
            family = make_family(session, officer=ADMIN)
            saved = [add_note(session, family.case, f"note {i}") for i in range(5)]
            filler = fill(disk, leave=96 * 1024)
            assert free_bytes(disk) <= 96 * 1024

            # Long notes until the disk says no; every save before that reported success.
            with pytest.raises(DiskFull) as info:
                for i in range(40):
                    saved.append(add_note(session, family.case, f"long {i} " + "x" * BIG))
            assert_plain(info.value)
            assert "full" in str(info.value)

            # While the disk is still full, a second reader sees a consistent store
            # holding exactly what was reported saved.
            reader = unlock_with_password(location, ADMIN, ADMIN_PASSWORD, read_only=True)
            try:
                assert check(reader.conn).ok
                stored = {r[0] for r in reader.conn.execute("SELECT id FROM notes")}
            finally:
                reader.close()
            assert stored == {n.id for n in saved}

            # Room again: the same session carries on, nothing was lost or half-written.
            filler.unlink()
            shown = notes.notes_for_case(session, family.case.id)
            assert {(n.id, n.body) for n in shown} == {(n.id, n.body) for n in saved}
            again = add_note(session, family.case, "after space was freed " + "y" * BIG)
            assert again.id is not None
        finally:
            session.close()
        assert assert_healthy(location) > 0


@pytest.mark.usefixtures("can_mount")
def test_disk_full_while_writing_a_backup_to_a_small_drive(tmp_path: Path) -> None:
    location = new_store(tmp_path / "office" / "service.sendiass")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        family = make_family(session, officer=ADMIN)
        add_note(session, family.case, "kept")
        first = store_admin.backup(session, tmp_path / "big-drive" / "monday.sendiass")
        monday = store_admin.last_backup_at(session)
        assert monday is not None
        before = audit_log.count(session.conn)
        # A memory stick far smaller than the store.
        with tmpfs(tmp_path / "stick", "192k") as stick:
            with pytest.raises(DiskFull) as info:
                store_admin.backup(session, stick / "tuesday.sendiass")
            assert_plain(info.value)
            assert list(stick.iterdir()) == [], "a partial backup was left behind"

        # The store does not claim a backup it does not have, and the log says it failed.
        assert store_admin.last_backup_at(session) == monday
        tail = list(audit_log.iter_entries(session.conn))[before:]
        assert [(e.action, json.loads(e.detail)) for e in tail] == [
            (AuditAction.BACKUP_WRITTEN.value, {"file": "tuesday.sendiass"}),
            (AuditAction.BACKUP_WRITTEN.value, {"file": "tuesday.sendiass", "failed": True}),
        ]
        # The same backup to a drive with room works, and opens.
        good = store_admin.backup(session, tmp_path / "big-drive" / "tuesday.sendiass")
        latest = store_admin.last_backup_at(session)
        assert latest is not None and latest >= monday
    finally:
        session.close()
    assert assert_healthy(location) > 0
    assert assert_healthy(StoreLocation.of(first.path)) > 0
    assert assert_healthy(StoreLocation.of(good.path)) > 0


@pytest.mark.usefixtures("can_mount")
def test_disk_full_while_writing_a_backup_beside_the_store(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "6m") as disk:
        location = new_store(disk / "service.sendiass")
        session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
        try:
            family = make_family(session, officer=ADMIN)
            kept = add_note(session, family.case, "kept")
            files = _store_files(location)
            # Room for the backup's audit entry in the store, not for the copy.
            filler = fill(disk, leave=160 * 1024)
            with pytest.raises(DiskFull) as info:
                store_admin.backup(session, disk / "backup.sendiass")
            assert_plain(info.value)
            assert {p.name for p in disk.iterdir()} == files | {filler.name}
            assert store_admin.last_backup_at(session) is None
            filler.unlink()
            assert [n.id for n in notes.notes_for_case(session, family.case.id)] == [kept.id]
        finally:
            session.close()
        assert assert_healthy(location) > 0


@pytest.mark.usefixtures("can_mount")
def test_disk_full_while_rewriting_the_key_file(tmp_path: Path) -> None:
    """A password change writes a new key file and spare. On a full disk neither is
    touched (their new contents are written aside first), nothing is left over, and
    the store still opens with the old password."""
    with tmpfs(tmp_path / "disk", "4m") as disk:
        location = new_store(disk / "service.sendiass")
        keys = (keyslots.header_path(location.path), keyslots.header_backup_path(location.path))
        session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
        try:
            before = {p.name: p.read_bytes() for p in keys}
            names = {p.name for p in disk.iterdir()}
            filler = fill(disk, leave=0)
            with pytest.raises(DiskFull) as info:
                users.change_own_password(session, ADMIN_PASSWORD, NEW_PASSWORD)
            assert_plain(info.value)
            assert {p.name: p.read_bytes() for p in keys} == before
            assert {p.name for p in disk.iterdir()} == names | {filler.name}  # no temp files
            assert keyslots.read(location.path) == session.header

            # Room again: the old password still opens the store, and the change goes through.
            filler.unlink()
            unlock_with_password(location, ADMIN, ADMIN_PASSWORD).close()
            users.change_own_password(session, ADMIN_PASSWORD, NEW_PASSWORD)
        finally:
            session.close()
        unlock_with_password(location, ADMIN, NEW_PASSWORD).close()
        with pytest.raises(WrongCredentials):
            unlock_with_password(location, ADMIN, ADMIN_PASSWORD)


@pytest.mark.usefixtures("can_mount")
def test_disk_full_when_only_the_backups_key_file_is_left(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy fitted, then the drive filled before its key file was written (another
    program saving to it): a plain message, and no copy left without its key file."""
    location = new_store(tmp_path / "office" / "service.sendiass")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        family = make_family(session, officer=ADMIN)
        add_note(session, family.case, "kept")
        with tmpfs(tmp_path / "stick", "32m") as stick:
            write_key_file = store_admin.write_header_copy

            def copied_then_full(target: Path, header: keyslots.Header) -> None:
                assert target.is_file()  # the copy is in place
                fill(stick, leave=0)
                write_key_file(target, header)

            monkeypatch.setattr(store_admin, "write_header_copy", copied_then_full)
            with pytest.raises(DiskFull) as info:
                store_admin.backup(session, stick / "tuesday.sendiass")
            assert_plain(info.value)
            assert [p.name for p in stick.iterdir()] == ["filler.bin"]
        assert store_admin.last_backup_at(session) is None
    finally:
        session.close()
    assert assert_healthy(location) > 0


def test_file_size_limit_in_a_child_process(tmp_path: Path) -> None:
    """Works without root: the child's writes past RLIMIT_FSIZE fail with EFBIG."""
    if sys.platform == "win32":
        pytest.skip("RLIMIT_FSIZE is POSIX only")
    location = new_store(tmp_path / "service.sendiass")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    family = make_family(session, officer=ADMIN)
    first = add_note(session, family.case, "saved earlier")
    session.close()

    env = cli_env(tmp_path)
    env["SENDIASS_KDF_CALIBRATION"] = "minimum"
    proc = subprocess.run(
        [PYTHON, "-m", "tests.support.fault_fsize_child", str(location.path), ADMIN,
         str(family.case.id)],
        input=ADMIN_PASSWORD + "\n", capture_output=True, text=True, env=env, cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    assert outcome["error"] is not None, "the write past the limit did not fail"
    assert outcome["sendiass"], f"raw {outcome['error']}: {outcome['message']}"
    # EFBIG is not "damaged": the message must not send anyone to restore a backup.
    assert "restore" not in outcome["message"].lower(), outcome["message"]
    assert "not saved" in outcome["message"], outcome["message"]

    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        bodies = {n.id: n.body for n in notes.notes_for_case(session, family.case.id)}
    finally:
        session.close()
    assert bodies == {first.id: "saved earlier",
                      outcome["saved_before"]: "saved before the limit",
                      outcome["saved_after"]: "saved after the limit was lifted"}
    assert assert_healthy(location) > 0


@pytest.fixture(autouse=True)
def _keyring(memory_keyring: MemoryKeyring) -> None:
    """Every test here gets the in-memory credential store (stores are unbound anyway)."""
