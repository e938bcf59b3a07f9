"""Users and roles, and Store and backups: for administrators only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.users import UserStatus
from sendiass_desktop.services import users as users_service
from sendiass_desktop.services.session import Session, StoreLocation, unlock_with_password
from sendiass_desktop.store import audit_log
from sendiass_desktop.store.errors import WrongCredentials
from sendiass_desktop.ui.admin_store import StoreAdminView, backup_reminder
from sendiass_desktop.ui.admin_users import (
    AddUserDialog,
    TemporaryPasswordDialog,
    UsersAdminView,
)
from sendiass_desktop.ui.clipboard import shared_guard
from sendiass_desktop.ui.enrol_dialog import EnrolDialog
from sendiass_desktop.ui.main_window import MainWindow
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.gui.fixtures_casework import settle, show_window
from tests.gui.helpers import click, type_into

pytestmark = pytest.mark.gui


@pytest.fixture
def admin(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    yield session
    session.close()


def _users_view(qtbot: QtBot, session: Session) -> tuple[MainWindow, UsersAdminView]:
    window = show_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "users"
    view = window.view("users")
    assert isinstance(view, UsersAdminView)
    return window, view


def _password_dialog(qtbot: QtBot, view: UsersAdminView) -> TemporaryPasswordDialog:
    qtbot.waitUntil(lambda: isinstance(view.dialog, TemporaryPasswordDialog)
                    and view.dialog.isVisible(), timeout=20_000)
    dialog = view.dialog
    assert isinstance(dialog, TemporaryPasswordDialog)
    return dialog


def _confirm(qtbot: QtBot, view: UsersAdminView, label: str) -> None:
    qtbot.waitUntil(lambda: view.question is not None and view.question.isVisible(),
                    timeout=5_000)
    box = view.question
    assert isinstance(box, QMessageBox)
    button = next(b for b in box.buttons() if b.text() == label)
    click(qtbot, button)


def _status(view: UsersAdminView, username: str) -> UserStatus:
    row = view.model.row_of(username)
    assert row is not None
    return view.model.user(row).status


def test_admin_screens_are_absent_for_an_officer(qtbot: QtBot, store: StoreFixture) -> None:
    session = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    window = show_window(qtbot, session)
    keys = window.view_keys()
    for key in ("users", "store"):
        row = keys.index(key)
        assert window.nav.isRowHidden(row)
        assert not window.view_allowed(key)
    assert not window.nav.isRowHidden(keys.index("cases"))
    # Neither the shortcut nor a direct call shows them.
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    window.show_view("store")
    assert window.current_view_key() == "cases"
    # No backup reminder for officers, and the hidden views never asked the services
    # (which would have refused, and logged the refusal).
    assert not window.backup_banner.isVisible()
    refused = [e for e in audit_log.recent(session.conn, 500)
               if e.action is AuditAction.PERMISSION_REFUSED]
    assert refused == []
    users_view = window.view("users")
    assert isinstance(users_view, UsersAdminView)
    assert users_view.model.rowCount() == 0 and not users_view.add_button.isEnabled()
    window.discard()


def test_users_list_shows_roles_and_status(qtbot: QtBot, admin: Session) -> None:
    _window, view = _users_view(qtbot, admin)
    names = [view.model.user(r).username for r in range(view.model.rowCount())]
    assert names == [ADMIN, OFFICER]
    row = [view.model.index(1, c).data() for c in range(view.model.columnCount())]
    assert row[:4] == [OFFICER, OFFICER, "Officer", "Active — must choose a new password"]
    assert row[4] == "—"
    assert row[5] == date.today().strftime("%d/%m/%Y")
    # You cannot disable yourself.
    view.select(ADMIN)
    assert not view.disable_button.isEnabled()
    view.select(OFFICER)
    assert view.disable_button.isEnabled() and not view.enable_button.isEnabled()


def test_add_a_user_who_can_then_sign_in(qtbot: QtBot, admin: Session,
                                          store: StoreFixture) -> None:
    _window, view = _users_view(qtbot, admin)
    dialog = view.add_user()
    assert isinstance(dialog, AddUserDialog)
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog.username, "carol")
    type_into(qtbot, dialog.display_name, "Carol Chen")
    dialog.role.setCurrentIndex(dialog.role.findText("Manager"))
    assert not dialog.ends.isVisible()
    click(qtbot, dialog.add_button)
    shown = _password_dialog(qtbot, view)
    password = shown.password.text()
    assert len(password) >= 16
    assert any("Give this password to Carol Chen" in label.text()
               for label in shown.findChildren(QLabel))
    assert _status(view, "carol") is UserStatus.ACTIVE
    assert view.selected_user() is not None and view.selected_user().username == "carol"

    # Copy puts it on the clipboard, guarded (cleared after a minute or on lock).
    click(qtbot, shown.copy_button)
    assert QApplication.clipboard().text(QClipboard.Mode.Clipboard) == password
    assert shared_guard().holds_secret and shown.copied.isVisible()
    click(qtbot, shown.done_button)
    assert shown.password.text() == ""  # forgotten when closed
    shared_guard().clear_now()
    assert QApplication.clipboard().text(QClipboard.Mode.Clipboard) == ""

    carol = unlock_with_password(store.location, "carol", password)
    assert carol.user.role is Role.MANAGER and carol.user.must_change_password
    carol.close()


def test_an_inspector_needs_an_end_date(qtbot: QtBot, admin: Session) -> None:
    _window, view = _users_view(qtbot, admin)
    dialog = view.add_user()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog.username, "ofsted1")
    dialog.role.setCurrentIndex(dialog.role.findText(Role.INSPECTOR.label))
    assert dialog.ends.isVisible()
    click(qtbot, dialog.add_button)
    assert "end date" in dialog.message.text()
    type_into(qtbot, dialog.ends, "1/1/2001")
    click(qtbot, dialog.add_button)
    assert "today or later" in dialog.message.text()
    end = date.today() + timedelta(days=3)
    type_into(qtbot, dialog.ends, end.strftime("%d/%m/%Y"))
    click(qtbot, dialog.add_button)
    shown = _password_dialog(qtbot, view)
    shown.accept()
    row = view.model.row_of("ofsted1")
    assert row is not None
    user = view.model.user(row)
    assert user.role is Role.INSPECTOR and user.expires_at is not None
    assert user.expires_at.astimezone().date() == end
    assert view.model.index(row, 4).data().startswith(end.strftime("%d/%m/%Y"))


def test_add_user_explains_a_bad_username(qtbot: QtBot, admin: Session) -> None:
    _window, view = _users_view(qtbot, admin)
    dialog = view.add_user()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog.username, "9 lives")
    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: dialog.message.text() != "" and not dialog.busy, timeout=10_000)
    assert "username" in dialog.message.text()
    assert dialog.isVisible()
    dialog.reject()


def test_disable_enable_and_reset_password(qtbot: QtBot, admin: Session,
                                           store: StoreFixture) -> None:
    _window, view = _users_view(qtbot, admin)
    view.select(OFFICER)
    click(qtbot, view.disable_button)
    _confirm(qtbot, view, "Disable account")
    qtbot.waitUntil(lambda: not view.busy, timeout=10_000)
    assert _status(view, OFFICER) is UserStatus.DISABLED
    assert "disabled" in view.message.text()
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    assert view.enable_button.isEnabled() and not view.reset_button.isEnabled()

    click(qtbot, view.enable_button)
    _confirm(qtbot, view, "Enable account")
    shown = _password_dialog(qtbot, view)
    enabled_password = shown.password.text()
    shown.accept()
    assert _status(view, OFFICER) is UserStatus.ACTIVE
    unlock_with_password(store.location, OFFICER, enabled_password).close()

    view.select(OFFICER)
    click(qtbot, view.reset_button)
    _confirm(qtbot, view, "Reset password")
    shown = _password_dialog(qtbot, view)
    new_password = shown.password.text()
    shown.accept()
    assert new_password != enabled_password
    unlock_with_password(store.location, OFFICER, new_password).close()
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, OFFICER, enabled_password)

    # Cancelling a question changes nothing.
    view.select(OFFICER)
    click(qtbot, view.disable_button)
    _confirm(qtbot, view, "Cancel")
    settle(qtbot)
    assert _status(view, OFFICER) is UserStatus.ACTIVE
    assert users_service.list_users(admin)[1].status is UserStatus.ACTIVE


def _store_view(qtbot: QtBot, session: Session) -> tuple[MainWindow, StoreAdminView]:
    window = show_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_key() == "store"
    view = window.view("store")
    assert isinstance(view, StoreAdminView)
    return window, view


def test_backup_writes_a_file_the_services_can_open(
    qtbot: QtBot, admin: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, view = _store_view(qtbot, admin)
    # Never backed up: the reminder is shown (on this view, and elsewhere in the window).
    assert view.last_backup_label.text() == "Never"
    assert view.reminder.isVisible()
    assert not window.backup_banner.isVisible()  # this view says it already
    window.show_view("cases")
    assert window.backup_banner.isVisible()
    assert "No backup" in window.backup_banner.label.text()
    window.show_view("store")

    target = tmp_path / "backups" / "monday.sendiass"
    monkeypatch.setattr(view, "choose_backup_path", lambda: target)
    shown: list[int] = []
    show_progress = view._on_progress
    monkeypatch.setattr(view, "_on_progress",
                        lambda f: (show_progress(f), shown.append(view.busy_bar.value())))
    click(qtbot, view.backup_button)
    assert view.busy and view.busy_row.isVisible() and not view.backup_button.isEnabled()
    qtbot.waitUntil(lambda: not view.busy, timeout=60_000)
    assert "Backup written to" in view.backup_message.text()
    assert shown and shown[-1] >= 50  # the bar followed the copy
    assert target.is_file()
    assert view.last_backup_label.text() != "Never"
    assert not view.reminder.isVisible()
    window.show_view("cases")
    assert not window.backup_banner.isVisible()

    copy = unlock_with_password(StoreLocation.of(target), ADMIN, ADMIN_PASSWORD)
    assert [u.username for u in users_service.list_users(copy)] == [ADMIN, OFFICER]
    copy.close()

    # A week later the reminder comes back.
    later = datetime.now(UTC) + timedelta(days=8)
    text = backup_reminder(admin, now=later)
    assert text is not None and "8 days ago" in text

    # Writing over an existing backup is refused, in words.
    view.back_up_to(target)
    qtbot.waitUntil(lambda: not view.busy, timeout=30_000)
    assert "already exists" in view.backup_message.text()


def test_check_and_verify_say_ok(qtbot: QtBot, admin: Session) -> None:
    _window, view = _store_view(qtbot, admin)
    click(qtbot, view.check_button)
    qtbot.waitUntil(lambda: not view.busy, timeout=60_000)
    assert view.check_message.text().startswith("The store passed its check.")
    click(qtbot, view.verify_button)
    qtbot.waitUntil(lambda: not view.busy, timeout=60_000)
    assert view.check_message.text().startswith("The audit log is intact: all ")


def test_enrol_opens_the_enrol_dialog(qtbot: QtBot, admin: Session) -> None:
    _window, view = _store_view(qtbot, admin)
    click(qtbot, view.enrol_button)
    dialog = view.enrol_dialog
    assert isinstance(dialog, EnrolDialog)
    qtbot.waitExposed(dialog)
    assert dialog.isVisible()
    click(qtbot, dialog.cancel_button)
    assert not dialog.isVisible()


def test_the_temporary_password_clears_from_the_clipboard_on_lock(
    qtbot: QtBot, admin: Session
) -> None:
    window, view = _users_view(qtbot, admin)
    shown = view.show_password("Test", "Bob", "abcd-efgh-jkmn-pqrs")
    click(qtbot, shown.copy_button)
    assert QApplication.clipboard().text() == "abcd-efgh-jkmn-pqrs"
    window.lock()
    assert QApplication.clipboard().text() != "abcd-efgh-jkmn-pqrs"
    assert not shown.isVisible()
    window.discard()


def test_an_inspector_reads_but_cannot_add_or_change(
    qtbot: QtBot, admin: Session, store: StoreFixture
) -> None:
    ends = datetime.now(UTC) + timedelta(days=2)
    users_service.add_user(admin, "ofsted2", Role.INSPECTOR, password="inspection week pass",
                           expires_at=ends)
    session = unlock_with_password(store.location, "ofsted2", "inspection week pass")
    window = show_window(qtbot, session)
    assert window.current_view_key() == "cases"
    assert not window.new_case_action.isVisible()
    assert not window.view_allowed("users") and not window.view_allowed("store")
    work = window.view("my_work")
    window.show_view("my_work")
    from sendiass_desktop.ui.my_work import MyWorkView

    assert isinstance(work, MyWorkView)
    assert not work.done_button.isVisible() and not work.owner.isVisible()
    window.discard()


def test_cancel_stops_a_backup_and_leaves_no_file(
    qtbot: QtBot, admin: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from sendiass_desktop.services import store_admin
    from sendiass_desktop.ui import admin_store

    started = threading.Event()

    def backup_after_cancel(session: Session, target: Path, **kwargs: object) -> object:
        # The real backup, started only once Cancel has been pressed, so the
        # test does not race a small store's backup to the finish.
        started.set()
        should_stop = kwargs["should_stop"]
        assert callable(should_stop)
        deadline = threading.Event()
        for _ in range(200):
            if should_stop():
                break
            deadline.wait(0.05)
        return store_admin.backup(session, target, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(admin_store, "backup", backup_after_cancel)
    _window, view = _store_view(qtbot, admin)
    target = tmp_path / "backups" / "cancelled.sendiass"
    view.back_up_to(target)
    assert view.cancel_button.isVisible() and view.cancel_button.isEnabled()
    assert view.busy_bar.maximum() == 100  # a backup shows how far it has got
    qtbot.waitUntil(started.is_set, timeout=20_000)
    click(qtbot, view.cancel_button)
    assert view.busy_label.text() == "Stopping…"
    qtbot.waitUntil(lambda: not view.busy, timeout=60_000)
    assert "Stopped before it finished" in view.backup_message.text()
    assert not view.busy_row.isVisible()
    assert not target.exists() and list(target.parent.iterdir()) == []
    assert view.last_backup_label.text() == "Never"
    assert view.backup_button.isEnabled()
