from __future__ import annotations

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import users
from sendiass_desktop.services.session import unlock_with_password
from sendiass_desktop.store import audit_log, keyslots
from sendiass_desktop.store.errors import AccountDisabled, WrongCredentials
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture


def actions(session) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.action for e in audit_log.iter_entries(session.conn)]


def test_each_user_unlocks_with_their_own_password(store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    assert admin.user.role is Role.ADMIN and admin.user.display_name == "Alice Admin"
    admin.close()
    officer = unlock_with_password(store.location, OFFICER.upper(), OFFICER_PASSWORD)
    assert officer.user.username == OFFICER and officer.user.role is Role.OFFICER
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, OFFICER, ADMIN_PASSWORD)
    officer.close()


def test_logins_and_logouts_are_audited(store: StoreFixture) -> None:
    s = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    s.close()
    s = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    entries = list(audit_log.iter_entries(s.conn))
    logins = [e for e in entries if e.action == AuditAction.LOGIN.value]
    assert [e.actor for e in logins][-2:] == [OFFICER, ADMIN]
    assert any(e.action == AuditAction.LOGOUT.value and e.actor == OFFICER for e in entries)
    s.close()


def test_officer_cannot_manage_users_and_refusal_is_audited(store: StoreFixture) -> None:
    s = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    with pytest.raises(PermissionDenied, match="Officer"):
        users.add_user(s, "carol", Role.MANAGER)
    with pytest.raises(PermissionDenied):
        users.disable_user(s, ADMIN)
    with pytest.raises(PermissionDenied):
        users.reset_password(s, ADMIN)
    assert actions(s).count(AuditAction.PERMISSION_REFUSED.value) == 3
    s.close()


def test_new_user_gets_temporary_password_that_must_change(store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    user, temporary = users.add_user(admin, "carol", Role.MANAGER, display_name="Carol")
    admin.close()
    assert user.must_change_password
    carol = unlock_with_password(store.location, "carol", temporary)
    assert carol.user.must_change_password
    users.change_own_password(carol, temporary, "new long passphrase 42")
    assert not carol.user.must_change_password
    carol.close()
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, "carol", temporary)
    carol = unlock_with_password(store.location, "carol", "new long passphrase 42")
    assert not carol.user.must_change_password
    carol.close()


def test_change_password_needs_current_password(store: StoreFixture) -> None:
    s = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    with pytest.raises(WrongCredentials):
        users.change_own_password(s, "not my password", "another good password")
    with pytest.raises(InvalidInput):
        users.change_own_password(s, OFFICER_PASSWORD, "short")
    s.close()
    unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD).close()


def test_password_change_rewraps_one_slot_only(store: StoreFixture) -> None:
    before = keyslots.read(store.path)
    s = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    users.change_own_password(s, OFFICER_PASSWORD, "a brand new passphrase")
    s.close()
    after = keyslots.read(store.path)
    assert before.slot_for(ADMIN) == after.slot_for(ADMIN)
    assert before.slot_for(OFFICER) != after.slot_for(OFFICER)
    assert before.recovery == after.recovery


def test_disabled_user_loses_their_slot(store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.disable_user(admin, OFFICER)
    with pytest.raises(InvalidInput, match="own account"):
        users.disable_user(admin, ADMIN)
    admin.close()
    assert keyslots.read(store.path).slot_for(OFFICER) is None
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    _, temporary = users.enable_user(admin, OFFICER)
    admin.close()
    unlock_with_password(store.location, OFFICER, temporary).close()


def test_disabled_row_is_refused_even_if_an_old_slot_survives(store: StoreFixture) -> None:
    old_header = keyslots.read(store.path)
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.disable_user(admin, OFFICER)
    admin.close()
    # Someone puts the old key file back: the store itself still refuses.
    keyslots.write_atomic(keyslots.header_path(store.path), keyslots.dumps(old_header))
    with pytest.raises(AccountDisabled):
        unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)


def test_admin_reset_password(store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    temporary = users.reset_password(admin, OFFICER)
    admin.close()
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    s = unlock_with_password(store.location, OFFICER, temporary)
    assert s.user.must_change_password
    s.close()


def test_inspector_needs_an_end_date(store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    with pytest.raises(InvalidInput, match="end date"):
        users.add_user(admin, "ofsted1", Role.INSPECTOR)
    admin.close()
