"""Start-up failure screens: each real failure leads to its screen and its way out."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store import keyslots
from sendiass_desktop.store.errors import (
    AccountDisabled,
    AccountExpired,
    DiskFull,
    HeaderDamaged,
    HeaderTampered,
    KeyFileUnreadable,
    LockedOut,
    MachineNotEnrolled,
    NoCredentialStore,
    SqlcipherMissing,
    StoreBusy,
    StoreDamaged,
    StoreMissing,
    StoreReadOnly,
    StoreTooNew,
    WrongCredentials,
    WrongRecoveryKey,
)
from sendiass_desktop.ui.enrol_dialog import EnrolDialog
from sendiass_desktop.ui.setup_wizard import SetupWizard
from sendiass_desktop.ui.startup import StartupController
from sendiass_desktop.ui.startup_errors import (
    Action,
    StartupErrorDialog,
    is_startup_failure,
    screen_for,
)
from sendiass_desktop.ui.unlock_dialog import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD, StoreFixture
from tests.gui.helpers import click, type_into
from tests.support.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.gui


def _start(qtbot: QtBot, location, **kwargs) -> StartupController:
    controller = StartupController(location, location_expected=True, **kwargs)
    controller.start()
    return controller


def _wait_for_screen(qtbot: QtBot, controller: StartupController) -> StartupErrorDialog:
    qtbot.waitUntil(lambda: isinstance(controller.current, StartupErrorDialog), timeout=15_000)
    screen = controller.current
    assert isinstance(screen, StartupErrorDialog)
    assert screen.isVisible()
    return screen


def _wait_for_unlock(qtbot: QtBot, controller: StartupController) -> UnlockDialog:
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog)
                    and not controller.current.busy, timeout=15_000)
    dialog = controller.current
    assert isinstance(dialog, UnlockDialog)
    return dialog


def _sign_in(qtbot: QtBot, controller: StartupController) -> StartupErrorDialog:
    dialog = _wait_for_unlock(qtbot, controller)
    type_into(qtbot, dialog.username, ADMIN)
    type_into(qtbot, dialog.password, ADMIN_PASSWORD)
    click(qtbot, dialog.unlock_button)
    return _wait_for_screen(qtbot, controller)


# --- the mapping --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "key", "actions"),
    [
        (NoCredentialStore("Install GNOME Keyring."), "no-credential-store",
         (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT)),
        (MachineNotEnrolled(), "machine-not-enrolled",
         (Action.ENROL, Action.CHOOSE_STORE, Action.QUIT)),
        (StoreDamaged(), "store-damaged", (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT)),
        (HeaderDamaged("x"), "header-damaged", (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT)),
        (HeaderTampered(), "header-tampered", (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT)),
        (KeyFileUnreadable(), "key-file-unreadable",
         (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT)),
        (StoreTooNew(9, 1), "store-too-new", (Action.CHOOSE_STORE, Action.QUIT)),
        (StoreBusy(), "store-busy", (Action.RETRY, Action.QUIT)),
        (SqlcipherMissing(), "sqlcipher-missing", (Action.QUIT,)),
        (StoreMissing(), "store-missing",
         (Action.RETRY, Action.CHOOSE_STORE, Action.SET_UP, Action.QUIT)),
        (StoreReadOnly(), "store-not-writable", (Action.RETRY, Action.QUIT)),
        (DiskFull(), "store-not-writable", (Action.RETRY, Action.QUIT)),
        (RuntimeError("boom"), "unexpected", (Action.RETRY, Action.CHOOSE_STORE, Action.QUIT)),
    ],
)
def test_each_failure_has_its_screen(
    qtbot: QtBot, tmp_path: Path, exc: BaseException, key: str, actions: tuple[Action, ...]
) -> None:
    screen = screen_for(exc)
    assert screen.key == key
    assert screen.actions == actions
    assert screen.title and screen.explanation and screen.next_steps
    assert is_startup_failure(exc)

    dialog = StartupErrorDialog(screen, tmp_path / "service.sendiass")
    qtbot.addWidget(dialog)
    dialog.show()
    assert set(dialog.buttons) == set(actions)
    assert all(b.isVisible() and b.accessibleName() for b in dialog.buttons.values())
    with qtbot.waitSignal(dialog.chosen, timeout=1_000) as blocker:
        click(qtbot, dialog.buttons[actions[0]])
    assert blocker.args == [actions[0]]


def test_screens_never_show_technical_detail_for_unknown_errors() -> None:
    screen = screen_for(RuntimeError("secret path /home/x and a traceback"))
    assert "secret path" not in screen.detail
    assert screen.detail == "(RuntimeError)"


@pytest.mark.parametrize("exc", [WrongCredentials(), WrongRecoveryKey(), LockedOut(5),
                                 AccountDisabled(), AccountExpired(), InvalidInput("x")])
def test_mistakes_a_person_can_fix_stay_inline(exc: Exception) -> None:
    assert not is_startup_failure(exc)


# --- real failures, through the controller ------------------------------------------------


def test_unenrolled_machine_screen_then_enrol_with_recovery_key(
    qtbot: QtBot, store: StoreFixture, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.secrets.clear()  # this computer forgot the device secret
    controller = _start(qtbot, store.location)
    screen = _wait_for_screen(qtbot, controller)
    assert screen.failure.key == "machine-not-enrolled"
    assert "not enrolled" in screen.failure.title

    click(qtbot, screen.buttons[Action.ENROL])
    qtbot.waitUntil(lambda: isinstance(controller.current, EnrolDialog), timeout=5_000)
    enrol = controller.current
    assert isinstance(enrol, EnrolDialog)
    type_into(qtbot, enrol.recovery_key, "0000-1111")
    click(qtbot, enrol.enrol_button)
    qtbot.waitUntil(lambda: enrol.message.text() != "", timeout=10_000)
    assert "56 letters and digits" in enrol.message.text()
    assert memory_keyring.secrets == {}

    type_into(qtbot, enrol.recovery_key, store.recovery_key)
    click(qtbot, enrol.enrol_button)
    dialog = _wait_for_unlock(qtbot, controller)
    assert "now enrolled" in dialog.notice.text()
    assert memory_keyring.secrets  # the device secret is back in the credential store
    type_into(qtbot, dialog.username, ADMIN)
    type_into(qtbot, dialog.password, ADMIN_PASSWORD)
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=15_000)
    assert controller.window is not None
    controller.window.discard()


def test_no_credential_store_screen(qtbot: QtBot, store: StoreFixture) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        controller = _start(qtbot, store.location)
        screen = _wait_for_screen(qtbot, controller)
        assert screen.failure.key == "no-credential-store"
    finally:
        keyring.set_keyring(previous)
    # With the credential store back, Try again reaches the sign-in.
    click(qtbot, screen.buttons[Action.RETRY])
    _wait_for_unlock(qtbot, controller)


def test_corrupt_key_file_shows_damaged_screen(qtbot: QtBot, store: StoreFixture) -> None:
    header = keyslots.header_path(store.path)
    header.write_bytes(b"this is not a key file")
    keyslots.header_backup_path(store.path).unlink(missing_ok=True)
    controller = _start(qtbot, store.location)
    screen = _wait_for_screen(qtbot, controller)
    assert screen.failure.key == "header-damaged"
    assert "restore" in " ".join(screen.failure.next_steps).lower()
    with qtbot.waitSignal(controller.finished, timeout=2_000) as blocker:
        click(qtbot, screen.buttons[Action.QUIT])
    assert blocker.args == [1]


def test_unreadable_key_file_is_not_called_damaged(
    qtbot: QtBot, store: StoreFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drive error reading the key file (and its spare): say so, and do not send
    anyone to restore a backup. Try again works once the drive reads again."""
    real = Path.read_bytes
    failing = True

    def read_bytes(self: Path) -> bytes:
        if failing and self.name.startswith(store.path.name + ".keys"):
            raise OSError(errno.EIO, "Input/output error")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    controller = _start(qtbot, store.location)
    screen = _wait_for_screen(qtbot, controller)
    assert screen.failure.key == "key-file-unreadable"
    assert screen.failure.detail == KeyFileUnreadable.DEVICE
    steps = " ".join(screen.failure.next_steps)
    assert "connected" in steps and "Do not restore a backup" in steps
    failing = False
    click(qtbot, screen.buttons[Action.RETRY])
    _wait_for_unlock(qtbot, controller)


def test_changed_key_file_shows_tampered_screen(qtbot: QtBot, store: StoreFixture) -> None:
    header = keyslots.header_path(store.path)
    data = json.loads(header.read_text())
    data["created_at"] = "2001-01-01T00:00:00+00:00"
    header.write_text(json.dumps(data))
    controller = _start(qtbot, store.location)
    screen = _sign_in(qtbot, controller)
    assert screen.failure.key == "header-tampered"


def test_corrupt_store_file_shows_damaged_screen(qtbot: QtBot, store: StoreFixture) -> None:
    with store.path.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00" * 4000)
    controller = _start(qtbot, store.location)
    screen = _sign_in(qtbot, controller)
    assert screen.failure.key == "store-damaged"


def test_store_file_gone_but_key_file_left(qtbot: QtBot, store: StoreFixture) -> None:
    store.path.unlink()
    controller = _start(qtbot, store.location)
    screen = _wait_for_screen(qtbot, controller)
    assert screen.failure.key == "store-missing"


def test_store_used_last_time_is_missing(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    from sendiass_desktop.services.session import StoreLocation

    controller = _start(qtbot, StoreLocation.of(tmp_path / "network" / "gone.sendiass"))
    screen = _wait_for_screen(qtbot, controller)
    assert screen.failure.key == "store-missing"
    # Only on purpose does a missing store lead to setting up a new one.
    click(qtbot, screen.buttons[Action.SET_UP])
    qtbot.waitUntil(lambda: isinstance(controller.current, SetupWizard), timeout=5_000)


def test_store_too_new_screen_via_controller(qtbot: QtBot, store: StoreFixture) -> None:
    controller = StartupController(store.location, location_expected=True)
    controller.show_failure(StoreTooNew(99, 1))
    screen = _wait_for_screen(qtbot, controller)
    assert screen.failure.key == "store-too-new"
    assert Action.RETRY not in screen.buttons


def test_busy_store_screen_retry_reaches_sign_in(qtbot: QtBot, store: StoreFixture) -> None:
    controller = StartupController(store.location, location_expected=True)
    controller.show_failure(StoreBusy())
    screen = _wait_for_screen(qtbot, controller)
    assert "locked by another computer" in screen.failure.title
    click(qtbot, screen.buttons[Action.RETRY])
    _wait_for_unlock(qtbot, controller)


def test_choose_another_store(
    qtbot: QtBot, store: StoreFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendiass_desktop.services.session import StoreLocation

    other = StoreLocation.of(tmp_path / "other" / "other.sendiass")
    create_store(other, admin_username="olu", admin_password="another long password")
    store.path.unlink()
    controller = _start(qtbot, store.location)
    screen = _wait_for_screen(qtbot, controller)

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(other.header), "")))
    click(qtbot, screen.buttons[Action.CHOOSE_STORE])
    dialog = _wait_for_unlock(qtbot, controller)
    assert dialog.location == other
    assert controller.location == other


def test_escape_on_a_failure_screen_quits(qtbot: QtBot, store: StoreFixture) -> None:
    from PySide6.QtCore import Qt

    controller = StartupController(store.location, location_expected=True)
    controller.show_failure(SqlcipherMissing())
    screen = _wait_for_screen(qtbot, controller)
    with qtbot.waitSignal(controller.finished, timeout=2_000):
        qtbot.keyClick(screen, Qt.Key.Key_Escape)
