"""Cancel on long store work: a stopped backup or check leaves nothing behind and says "stopped".

Real SQLCipher stores; the stop check is a counter, so the point at which the
work is stopped is fixed rather than a race.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.services import store_admin
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import audit_log, meta
from sendiass_desktop.store.cancel import OperationCancelled
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.support.casework import add_note, make_family


@pytest.fixture
def admin(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    # Enough rows that every check runs many thousands of SQLite steps.
    family = make_family(session)
    for n in range(150):
        add_note(session, family.case, f"Meeting {n} about the EHC plan draft. " * 20)
    yield session
    session.close()


def stop_after(calls: int) -> Callable[[], bool]:
    """A stop check that says "stop" from its ``calls``-th call on."""
    counter = itertools.count(1)
    return lambda: next(counter) >= calls


def _actions(session: Session) -> list[str]:
    return [str(e.action) for e in audit_log.recent(session.conn, 20)]


def test_a_check_stopped_part_way_is_reported_as_stopped_not_as_damage(admin: Session) -> None:
    before = audit_log.count(admin.conn)
    with pytest.raises(OperationCancelled, match="Nothing was changed"):
        store_admin.check_store(admin, stop_after(3))
    assert audit_log.count(admin.conn) == before  # a stopped check is not recorded as passed
    # The connection is usable again and a full check passes.
    report = store_admin.check_store(admin, lambda: False)
    assert report.ok, report.problems
    assert _actions(admin)[0] == AuditAction.STORE_CHECKED.value


def test_verifying_the_audit_log_can_be_stopped(admin: Session) -> None:
    with pytest.raises(OperationCancelled):
        store_admin.verify_audit(admin, stop_after(1))
    brk, count = store_admin.verify_audit(admin)
    assert brk is None and count > 0


@pytest.mark.parametrize("calls", [1, 2, 4])
def test_a_stopped_backup_leaves_no_file_and_no_last_backup_date(
    admin: Session, tmp_path: Path, calls: int
) -> None:
    target = tmp_path / "out" / "friday.sendiass"
    fractions: list[float] = []
    with pytest.raises(OperationCancelled):
        store_admin.backup(admin, target, should_stop=stop_after(calls),
                           progress=fractions.append)
    assert list((tmp_path / "out").iterdir()) == []  # no copy, no key file, no .partial
    assert meta.get(admin.conn, meta.LAST_BACKUP_AT) is None
    # The same file name can then be used; progress runs from copying to done.
    result = store_admin.backup(admin, target, progress=fractions.append)
    assert result.path.is_file() and result.header_path.is_file()
    assert fractions and all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)
    copy = unlock_with_password(store_admin.StoreLocation.of(target), ADMIN, ADMIN_PASSWORD)
    try:
        assert store_admin.check_store(copy).ok
    finally:
        copy.close()


def test_saves_from_another_connection_during_a_backup_do_not_restart_it(
    admin: Session, store: StoreFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendiass_desktop.services import cases as cases_service
    from sendiass_desktop.store import backup as backup_store

    monkeypatch.setattr(backup_store, "_PAGES_PER_STEP", 8)  # many steps on a small store
    officer = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    family = make_family(officer)
    fractions: list[float] = []

    def save_between_steps(fraction: float) -> None:
        fractions.append(fraction)
        if len(fractions) <= 5:
            add_note(officer, family.case, f"Saved while the backup ran ({len(fractions)}).")

    try:
        before = len(cases_service.open_case_file(admin, family.case.id).notes)
        result = store_admin.backup(admin, tmp_path / "busy.sendiass",
                                    progress=save_between_steps)
    finally:
        officer.close()
    assert len(fractions) > 10
    assert fractions == sorted(fractions)  # a restart would send the fraction back to 0
    copy = unlock_with_password(store_admin.StoreLocation.of(result.path), ADMIN, ADMIN_PASSWORD)
    try:
        # The copy is the store as it was when the backup began.
        assert len(cases_service.open_case_file(copy, family.case.id).notes) == before
        assert store_admin.check_store(copy).ok
    finally:
        copy.close()
