"""A store that cannot be written: a read-only share, an immutable file.

As root, ``chmod`` does not stop writes, so the faults are ones the kernel
enforces even for root: a read-only bind mount of the store's folder (a
share mounted read-only) and ``chattr +i`` (writes through files that are
already open fail with EPERM too). Running the writer as another user was
not possible here: the interpreter lives under /root, which only root can
enter.

Design: every sign-in is written to the audit log (rule 10), so a store
that cannot be written cannot be signed in to for normal work; the user is
told plainly that it is read-only, never that it is missing or damaged.
A read-only session (what ``check`` uses) opens wherever SQLite can read
the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.services import notes, users
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.store import audit_log
from sendiass_desktop.store.errors import StoreReadOnly
from sendiass_desktop.store.integrity import check
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.hardening.conftest import assert_healthy, assert_plain, new_store
from tests.support.casework import add_note, make_family
from tests.support.fault_fs import bind_mount, chattr_problem, immutable
from tests.support.store_files import fingerprint


@pytest.fixture
def can_chattr() -> None:
    problem = chattr_problem()
    if problem:
        pytest.skip(problem)


@pytest.mark.usefixtures("can_mount")
def test_store_on_a_read_only_share(tmp_path: Path) -> None:
    location = new_store(tmp_path / "server" / "service.sendiass")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    family = make_family(session, officer=ADMIN)
    add_note(session, family.case, "saved while the share was writable")
    session.close()
    before = fingerprint(location.path.parent)

    with bind_mount(location.path.parent, tmp_path / "share", read_only=True) as share:
        seen = StoreLocation.of(share / location.path.name)
        for read_only in (False, True):
            with pytest.raises(StoreReadOnly) as info:
                unlock_with_password(seen, ADMIN, ADMIN_PASSWORD, read_only=read_only)
            assert_plain(info.value)
            assert "no store" not in str(info.value).lower()

    assert fingerprint(location.path.parent) == before
    assert assert_healthy(location) > 0


@pytest.mark.usefixtures("can_chattr")
def test_store_file_made_immutable_before_sign_in(tmp_path: Path) -> None:
    location = new_store(tmp_path / "service.sendiass")
    before = fingerprint(location.path.parent)
    with immutable(location.path):
        # Signing in must write the login entry: refused, plainly.
        with pytest.raises(StoreReadOnly) as info:
            unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
        assert_plain(info.value)
        # Reading is still possible: a read-only session opens and checks it.
        reader = unlock_with_password(location, ADMIN, ADMIN_PASSWORD, read_only=True)
        try:
            assert [u.username for u in users.list_users(reader)] == [ADMIN]
            assert check(reader.conn).ok
        finally:
            reader.close()
    assert fingerprint(location.path.parent) == before
    assert assert_healthy(location) > 0


@pytest.mark.usefixtures("can_chattr")
def test_store_becomes_read_only_while_open(tmp_path: Path) -> None:
    location = new_store(tmp_path / "service.sendiass")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        family = make_family(session, officer=ADMIN)
        kept = [add_note(session, family.case, f"kept {i}") for i in range(3)]
        wal = location.path.with_name(location.path.name + "-wal")
        assert wal.stat().st_size > 0
        entries = audit_log.count(session.conn)
        with immutable(location.path, wal):
            with pytest.raises(StoreReadOnly) as info:
                add_note(session, family.case, "typed while the store was read-only")
            assert_plain(info.value)
            assert "restore" not in str(info.value).lower()
            with pytest.raises(StoreReadOnly):
                session.audit(AuditAction.RECORD_READ, "test", "read-only")
        # Writable again: the same session saves; nothing before was lost.
        again = add_note(session, family.case, "typed again")
        shown = notes.notes_for_case(session, family.case.id)
        assert [n.id for n in shown] == [n.id for n in [*kept, again]]
        assert audit_log.count(session.conn) == entries + 2  # the new note and this read
    finally:
        session.close()
    assert assert_healthy(location) > 0
