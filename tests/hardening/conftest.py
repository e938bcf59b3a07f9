"""Shared helpers for the hardening tests: real stores, plain-message checks, health checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services import store_admin
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.support.fault_fs import mount_problem


def new_store(path: Path, *, device_binding: bool = False) -> StoreLocation:
    """A fresh store with one administrator (alice).

    Without device binding unless asked, so child processes can open it
    without sharing a credential store; the faults under test are below that.
    """
    location = StoreLocation.of(path)
    create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                 device_binding=device_binding)
    return location


def assert_plain(exc: BaseException) -> None:
    """A user-facing error: a SendiassError with a one-line message and no traceback."""
    assert isinstance(exc, SendiassError), f"{type(exc).__name__}: {exc}"
    message = str(exc)
    assert message.strip(), "the error has no message"
    assert "\n" not in message and "Traceback" not in message
    assert ADMIN_PASSWORD not in message


def assert_healthy(location: StoreLocation) -> int:
    """The store opens, passes ``check`` (encryption, structure, audit chain); returns entries."""
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        report = store_admin.check_store(session)
        assert report.ok, report.problems
        return report.audit_entries
    finally:
        session.close()


@pytest.fixture
def can_mount() -> None:
    problem = mount_problem()
    if problem:
        pytest.skip(problem)
