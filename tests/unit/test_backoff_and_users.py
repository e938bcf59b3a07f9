from __future__ import annotations

import pytest

from sendiass_desktop.domain.backoff import delay_after_failures, seconds_remaining
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.roles import Permission, Role, role_allows
from sendiass_desktop.domain.users import check_new_password, normalise_username


def test_backoff_is_free_then_doubles_then_caps() -> None:
    assert [delay_after_failures(n) for n in range(3)] == [0.0, 0.0, 0.0]
    assert delay_after_failures(3) == 2.0
    assert delay_after_failures(4) == 4.0
    assert delay_after_failures(5) == 8.0
    assert delay_after_failures(100) == 300.0
    assert delay_after_failures(10**9) == 300.0


def test_seconds_remaining_counts_down() -> None:
    assert seconds_remaining(4, last_failure_at=100.0, now=101.0) == 3.0
    assert seconds_remaining(4, last_failure_at=100.0, now=200.0) == 0.0


def test_usernames_are_normalised_and_checked() -> None:
    assert normalise_username("  Alice.Smith ") == "alice.smith"
    for bad in ["", "a", "1abc", "has space", "x" * 40, "emoji😀"]:
        with pytest.raises(InvalidInput):
            normalise_username(bad)


def test_password_rules_have_plain_messages() -> None:
    check_new_password("correct horse battery", "alice")
    with pytest.raises(InvalidInput, match="at least 10"):
        check_new_password("short", "alice")
    with pytest.raises(InvalidInput, match="username"):
        check_new_password("alice-is-great-2026", "alice")
    with pytest.raises(InvalidInput, match="repetitive"):
        check_new_password("aaaaaaaaaaaa", "bob")
    with pytest.raises(InvalidInput, match="space"):
        check_new_password(" leading space pw", "bob")


def test_role_permissions() -> None:
    assert role_allows(Role.OFFICER, Permission.WRITE_CASES)
    assert not role_allows(Role.OFFICER, Permission.MANAGE_SARS)
    assert not role_allows(Role.OFFICER, Permission.MANAGE_USERS)
    assert role_allows(Role.MANAGER, Permission.MANAGE_SARS)
    assert not role_allows(Role.MANAGER, Permission.MANAGE_USERS)
    assert role_allows(Role.ADMIN, Permission.MANAGE_USERS)
    assert role_allows(Role.INSPECTOR, Permission.READ_CASES)
    assert not role_allows(Role.INSPECTOR, Permission.WRITE_CASES)
    with pytest.raises(InvalidInput):
        Role.parse("superuser")
