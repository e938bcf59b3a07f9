"""The main window shell: banners, status, views, Lock, sign-out and closing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.session import Session, StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store.errors import WrongCredentials
from sendiass_desktop.ui.clipboard import ClipboardGuard, shared_guard
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.startup import StartupController
from sendiass_desktop.ui.unlock_dialog import UnlockDialog
from sendiass_desktop.ui.views import HomeView, ViewSpec
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.helpers import click, type_into

pytestmark = pytest.mark.gui


def _window(qtbot: QtBot, session: Session, **kwargs) -> MainWindow:
    window = MainWindow(session, **kwargs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # Keyboard shortcuts only reach the active window, as on a real desktop.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    return window


def _unlock_again(qtbot: QtBot, window: MainWindow, password: str) -> None:
    qtbot.waitUntil(lambda: window.unlock_dialog is not None
                    and window.unlock_dialog.isVisible()
                    and not window.unlock_dialog.busy, timeout=10_000)
    dialog = window.unlock_dialog
    assert dialog is not None
    type_into(qtbot, dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_shell_shows_who_is_signed_in_and_no_personal_data_in_title(
    qtbot: QtBot, store: StoreFixture
) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    window = _window(qtbot, session)
    assert window.windowTitle() == "SENDIASS Desktop"
    assert "Alice" not in window.windowTitle()
    assert window.who_label.text() == "Signed in as Alice Admin (Administrator)"
    assert window.demo_banner is None
    assert not window.binding_banner.isVisible()  # this store is device-bound
    assert window.view_keys() == ["cases", "my_work", "users", "store", "sars", "statistics",
                                 "retention", "legal"]
    assert window.current_view_key() == "cases"
    assert window.view("cases").isVisible()
    window.discard()


def test_store_without_device_binding_shows_a_calm_warning(qtbot: QtBot, tmp_path: Path) -> None:
    location = StoreLocation.of(tmp_path / "unbound.sendiass")
    create_store(location, admin_username="jo", admin_password="a long enough password",
                 device_binding=False)
    session = unlock_with_password(location, "jo", "a long enough password")
    window = _window(qtbot, session)
    assert window.binding_banner.isVisible()
    assert "no device binding" in window.binding_banner.label.text()
    window.discard()


def test_lock_hides_content_and_unlock_restores_it(qtbot: QtBot, store: StoreFixture) -> None:
    session = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    window = _window(qtbot, session)
    home = window.view("cases")
    assert home.isVisible()

    with qtbot.waitSignal(window.lockedChanged, timeout=2_000) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [True]
    assert window.locked
    assert not window.workspace.isVisible()
    assert not home.isVisible()
    assert window.locked_page.isVisible()
    assert window.who_label.text() == "Locked"
    assert not window.lock_action.isEnabled()

    dialog = window.unlock_dialog
    assert isinstance(dialog, UnlockDialog)
    assert dialog.username.text() == OFFICER and dialog.username.isReadOnly()

    # A wrong password keeps it locked.
    _unlock_again(qtbot, window, "wrong password here")
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=15_000)
    assert dialog.message.text() == str(WrongCredentials())
    assert window.locked and not home.isVisible()

    with qtbot.waitSignal(window.sessionChanged, timeout=15_000) as changed:
        _unlock_again(qtbot, window, OFFICER_PASSWORD)
    new_session = changed.args[0]
    assert new_session is window.session and new_session is not session
    assert session.closed and not new_session.closed
    assert not window.locked
    assert home.isVisible()
    assert window.lock_action.isEnabled()
    assert window.who_label.text().startswith("Signed in as")
    window.discard()
    assert new_session.closed


def test_cancelling_unlock_stays_locked_and_can_sign_out(qtbot: QtBot, store: StoreFixture) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    window = _window(qtbot, session)
    window.lock()
    qtbot.waitUntil(lambda: window.unlock_dialog is not None
                    and not window.unlock_dialog.busy, timeout=10_000)
    assert window.unlock_dialog is not None
    click(qtbot, window.unlock_dialog.cancel_button)
    assert window.locked and window.locked_page.isVisible()
    with qtbot.waitSignal(window.signedOut, timeout=2_000):
        click(qtbot, window.locked_page.sign_out_button)
    assert session.closed


def test_idle_time_locks_the_window(qtbot: QtBot, store: StoreFixture) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    window = _window(qtbot, session, idle_seconds=0.3)
    qtbot.waitUntil(lambda: window.locked, timeout=5_000)
    assert not window.workspace.isVisible()
    window.discard()


def test_lock_hides_tracked_windows_and_clears_copied_secrets(
    qtbot: QtBot, store: StoreFixture
) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    window = _window(qtbot, session)
    case_window = QLabel("a case window")
    qtbot.addWidget(case_window)
    case_window.show()
    window.track_window(case_window)
    shared_guard().copy_secret("copied case detail")
    assert QApplication.clipboard().text() == "copied case detail"

    window.lock()
    assert not case_window.isVisible()
    assert QApplication.clipboard().text() != "copied case detail"
    with qtbot.waitSignal(window.sessionChanged, timeout=15_000):
        _unlock_again(qtbot, window, ADMIN_PASSWORD)
    assert case_window.isVisible()
    window.sign_out()
    assert not case_window.isVisible()


def test_closing_the_window_closes_the_session(qtbot: QtBot, store: StoreFixture) -> None:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    window = _window(qtbot, session)
    with qtbot.waitSignal(window.closed, timeout=2_000):
        window.close()
    assert session.closed


class _RecordingView(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.sessions = [session]
        self.locks = 0

    def set_session(self, session: Session) -> None:
        self.sessions.append(session)

    def on_lock(self) -> None:
        self.locks += 1


def test_registered_views_get_the_new_session_after_unlock(
    qtbot: QtBot, store: StoreFixture
) -> None:
    session = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    views = [ViewSpec("home", "Home", HomeView, "Ctrl+1"),
             ViewSpec("cases", "Cases", _RecordingView, "Ctrl+2"),
             ViewSpec("users", "Accounts", _RecordingView, requires=Permission.MANAGE_USERS)]
    window = _window(qtbot, session, views=views)
    assert window.view_keys() == ["home", "cases", "users"]
    assert window.nav.isVisible()
    # An officer cannot manage accounts, so that section is not offered.
    assert window.nav.isRowHidden(2) and not window.nav.isRowHidden(1)

    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "cases"
    cases = window.view("cases")
    assert isinstance(cases, _RecordingView)

    window.lock()
    assert cases.locks == 1
    with qtbot.waitSignal(window.sessionChanged, timeout=15_000):
        _unlock_again(qtbot, window, OFFICER_PASSWORD)
    assert cases.sessions[-1] is window.session
    assert window.current_view_key() == "cases"
    with pytest.raises(ValueError, match="already registered"):
        window.add_view(ViewSpec("cases", "Cases", _RecordingView))
    window.discard()


def test_sign_out_returns_to_sign_in(qtbot: QtBot, store: StoreFixture) -> None:
    controller = StartupController(store.location, location_expected=True, username=ADMIN)
    controller.start()
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog)
                    and not controller.current.busy, timeout=10_000)
    dialog = controller.current
    assert isinstance(dialog, UnlockDialog)
    type_into(qtbot, dialog.password, ADMIN_PASSWORD)
    click(qtbot, dialog.unlock_button)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=15_000)
    window = controller.window
    assert window is not None
    session = window.session
    window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog), timeout=5_000)
    assert session.closed
    assert controller.window is None
    assert controller.current is not None and "signed out" in controller.current.notice.text()


def test_clipboard_guard_clears_after_the_timeout(qtbot: QtBot) -> None:
    guard = ClipboardGuard(clear_after_seconds=0.2)
    guard.copy_secret("ABCD-EFGH")
    clipboard = QApplication.clipboard()
    assert clipboard.text(QClipboard.Mode.Clipboard) == "ABCD-EFGH"
    qtbot.waitUntil(lambda: clipboard.text(QClipboard.Mode.Clipboard) == "", timeout=5_000)
    assert not guard.holds_secret


def test_clipboard_guard_leaves_other_text_alone(qtbot: QtBot) -> None:
    guard = ClipboardGuard()
    guard.copy_secret("ABCD-EFGH")
    QApplication.clipboard().setText("something the user copied later")
    guard.clear_now()
    assert QApplication.clipboard().text() == "something the user copied later"
