"""Signing in: password, recovery key, the mistakes people make, first-login change."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import users
from sendiass_desktop.services.session import unlock_with_password
from sendiass_desktop.store.errors import WrongCredentials
from sendiass_desktop.store.lockout import LoginAttempts
from sendiass_desktop.ui.change_password_dialog import ChangePasswordDialog
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.startup import StartupController
from sendiass_desktop.ui.unlock_dialog import UnlockDialog, UnlockOutcome
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.helpers import click, press_space, type_into

pytestmark = pytest.mark.gui


def _dialog(qtbot: QtBot, store: StoreFixture, **kwargs) -> UnlockDialog:
    dialog = UnlockDialog(store.location, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    # The start-up check (store, key file, enrolment) runs first.
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.unlock_button.isEnabled()
    return dialog


def _submit_with_enter(qtbot: QtBot, dialog: UnlockDialog, field: QWidget) -> None:
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_password_unlock_succeeds_with_enter(qtbot: QtBot, store: StoreFixture) -> None:
    dialog = _dialog(qtbot, store)
    type_into(qtbot, dialog.username, OFFICER)
    type_into(qtbot, dialog.password, OFFICER_PASSWORD)
    with qtbot.waitSignal(dialog.unlocked, timeout=15_000) as blocker:
        _submit_with_enter(qtbot, dialog, dialog.password)
    outcome = blocker.args[0]
    assert isinstance(outcome, UnlockOutcome)
    try:
        assert outcome.session.user.username == OFFICER
        assert outcome.session.user.role is Role.OFFICER
        assert not outcome.session.via_recovery_key
    finally:
        outcome.session.close()
    assert dialog.password.text() == ""
    assert not dialog.isVisible()


def test_unlock_button_is_disabled_while_working(qtbot: QtBot, store: StoreFixture) -> None:
    dialog = _dialog(qtbot, store)
    type_into(qtbot, dialog.username, ADMIN)
    type_into(qtbot, dialog.password, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.unlocked, timeout=15_000) as blocker:
        click(qtbot, dialog.unlock_button)
        assert dialog.busy
        assert not dialog.unlock_button.isEnabled()
        assert dialog.busy_row.isVisible()
        assert not dialog.password.isEnabled()
    blocker.args[0].session.close()


def test_wrong_password_is_said_inline_and_field_cleared(qtbot: QtBot, store: StoreFixture) -> None:
    dialog = _dialog(qtbot, store, username=OFFICER)
    assert dialog.username.text() == OFFICER
    type_into(qtbot, dialog.password, "not the password")
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=15_000)
    assert dialog.message.text() == str(WrongCredentials())
    assert dialog.password.text() == ""
    assert dialog.username.text() == OFFICER
    assert dialog.isVisible()
    assert dialog.unlock_button.isEnabled()
    assert dialog.focusWidget() is dialog.password


def test_empty_fields_are_asked_for(qtbot: QtBot, store: StoreFixture) -> None:
    dialog = _dialog(qtbot, store)
    click(qtbot, dialog.unlock_button)
    assert dialog.message.text() == "Type your username."
    type_into(qtbot, dialog.username, OFFICER)
    click(qtbot, dialog.unlock_button)
    assert dialog.message.text() == "Type your password."
    assert not dialog.busy


def test_locked_out_says_how_long_and_disables_unlock(qtbot: QtBot, store: StoreFixture) -> None:
    attempts = LoginAttempts()
    for _ in range(5):
        attempts.record_failure(store.store_id, OFFICER)
    dialog = _dialog(qtbot, store, username=OFFICER)
    type_into(qtbot, dialog.password, OFFICER_PASSWORD)
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=15_000)
    assert dialog.message.text().startswith("Too many wrong passwords for this account. Wait ")
    assert "seconds" in dialog.message.text()
    assert dialog.password.text() == ""
    assert not dialog.unlock_button.isEnabled()


def test_disabled_account_cannot_sign_in(qtbot: QtBot, store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.disable_user(admin, OFFICER)
    admin.close()
    dialog = _dialog(qtbot, store, username=OFFICER)
    type_into(qtbot, dialog.password, OFFICER_PASSWORD)
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=15_000)
    # A disabled account's key slot is removed, so its password opens nothing,
    # and the message does not confirm that the account exists.
    assert dialog.message.text() == str(WrongCredentials())
    assert dialog.isVisible()


def test_recovery_key_unlock(qtbot: QtBot, store: StoreFixture) -> None:
    dialog = _dialog(qtbot, store)
    assert not dialog.recovery_form.isVisible()
    press_space(qtbot, dialog.use_recovery)
    assert dialog.recovery_form.isVisible()
    assert not dialog.password_form.isVisible()
    # People type it loosely: lower case, spaces instead of hyphens.
    type_into(qtbot, dialog.recovery_key, store.recovery_key.lower().replace("-", " "))
    with qtbot.waitSignal(dialog.unlocked, timeout=15_000) as blocker:
        _submit_with_enter(qtbot, dialog, dialog.recovery_key)
    outcome = blocker.args[0]
    try:
        assert outcome.session.via_recovery_key
        assert outcome.session.user.role is Role.ADMIN
        assert outcome.device_secret is not None
    finally:
        outcome.session.close()
    assert dialog.recovery_key.text() == ""


def test_mistyped_recovery_key_names_the_group(qtbot: QtBot, store: StoreFixture) -> None:
    dialog = _dialog(qtbot, store)
    press_space(qtbot, dialog.use_recovery)
    groups = store.recovery_key.split("-")
    first = groups[2][0]
    groups[2] = ("B" if first != "B" else "C") + groups[2][1:]
    type_into(qtbot, dialog.recovery_key, "-".join(groups))
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=15_000)
    assert "not a valid recovery key" in dialog.message.text()
    assert "group 3" in dialog.message.text()
    # The key is kept so the user can correct one group.
    assert dialog.recovery_key.text() != ""


def test_escape_quits_at_sign_in(qtbot: QtBot, store: StoreFixture) -> None:
    dialog = _dialog(qtbot, store)
    type_into(qtbot, dialog.password, "half typed")
    with qtbot.waitSignal(dialog.rejected, timeout=2_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Escape)
    assert dialog.password.text() == ""


def test_first_login_must_change_password(qtbot: QtBot, store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    _user, temporary = users.add_user(admin, "carol", Role.MANAGER, display_name="Carol Jones")
    admin.close()

    controller = StartupController(store.location, location_expected=True)
    controller.start()
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog)
                    and not controller.current.busy, timeout=10_000)
    dialog = controller.current
    assert isinstance(dialog, UnlockDialog)
    type_into(qtbot, dialog.username, "carol")
    type_into(qtbot, dialog.password, temporary)
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: isinstance(controller.current, ChangePasswordDialog),
                    timeout=15_000)
    change = controller.current
    assert isinstance(change, ChangePasswordDialog)
    # The temporary password was just typed, so it is not asked for again.
    assert not change.current.isVisible()

    type_into(qtbot, change.new, "carol's own passphrase")
    type_into(qtbot, change.confirm, "something else entirely")
    click(qtbot, change.ok_button)
    assert "do not match" in change.message.text()

    type_into(qtbot, change.new, "short")
    type_into(qtbot, change.confirm, "short")
    click(qtbot, change.ok_button)
    qtbot.waitUntil(lambda: change.message.text() != "" and change.ok_button.isEnabled(),
                    timeout=15_000)
    assert "at least 10 characters" in change.message.text()

    type_into(qtbot, change.new, "blue kettle on the windowsill")
    type_into(qtbot, change.confirm, "blue kettle on the windowsill")
    click(qtbot, change.ok_button)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=20_000)
    window = controller.window
    assert isinstance(window, MainWindow)
    assert not window.session.user.must_change_password
    window.discard()

    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, "carol", temporary)
    again = unlock_with_password(store.location, "carol", "blue kettle on the windowsill")
    try:
        assert not again.user.must_change_password
    finally:
        again.close()


def test_refusing_the_password_change_signs_out(qtbot: QtBot, store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    _user, temporary = users.add_user(admin, "carol", Role.MANAGER)
    admin.close()
    controller = StartupController(store.location, location_expected=True, username="carol")
    controller.start()
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog)
                    and not controller.current.busy, timeout=10_000)
    dialog = controller.current
    assert isinstance(dialog, UnlockDialog)
    type_into(qtbot, dialog.password, temporary)
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: isinstance(controller.current, ChangePasswordDialog),
                    timeout=15_000)
    change = controller.current
    assert isinstance(change, ChangePasswordDialog)
    session = change._session
    click(qtbot, change.cancel_button)
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog), timeout=5_000)
    assert session.closed
    again = controller.current
    assert isinstance(again, UnlockDialog)
    assert "need to choose a new password" in again.notice.text()
    assert controller.window is None


def test_a_slow_sign_in_says_why(qtbot: QtBot, store: StoreFixture,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The first sign-in after an update migrates the store; the dialog says so."""
    import threading

    from sendiass_desktop.ui import unlock_dialog

    release = threading.Event()
    real_unlock = unlock_dialog.unlock_with_password

    def slow_unlock(*args: object, **kwargs: object) -> object:
        release.wait(20)  # as long as a migration takes
        return real_unlock(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(unlock_dialog, "unlock_with_password", slow_unlock)
    monkeypatch.setattr(unlock_dialog.UnlockDialog, "SLOW_AFTER_MS", 50)
    dialog = _dialog(qtbot, store)
    type_into(qtbot, dialog.username, ADMIN)
    type_into(qtbot, dialog.password, ADMIN_PASSWORD)
    click(qtbot, dialog.unlock_button)
    assert dialog.busy_label.text() == "Checking your password…"
    qtbot.waitUntil(lambda: dialog.busy_label.text() == unlock_dialog.STILL_WORKING,
                    timeout=5_000)
    with qtbot.waitSignal(dialog.unlocked, timeout=15_000) as blocker:
        release.set()
    blocker.args[0].session.close()
