"""Users and roles: the administrator's list of accounts, and adding or changing them.

Only offered to roles with ``Permission.MANAGE_USERS``, and every action goes
through ``services.users``, which refuses anyone else anyway. A new or reset
password is shown once, in a field that can be copied; a copied password is
cleared from the clipboard after a minute (``ui.clipboard``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from sendiass_desktop import APP_NAME
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.roles import Permission, Role
from sendiass_desktop.domain.users import User, UserStatus
from sendiass_desktop.services.inspection import end_inspection
from sendiass_desktop.services.session import Session
from sendiass_desktop.services.users import (
    add_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
)
from sendiass_desktop.ui.case_list import DATE_HINT, DateField
from sendiass_desktop.ui.case_list_model import uk_date
from sendiass_desktop.ui.clipboard import CLEAR_AFTER_SECONDS, shared_guard
from sendiass_desktop.ui.export_pieces import register_table
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.inspection_report import InspectionReportDialog, end_access_question
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.table_model import HeaderedTableModel, ModelIndex
from sendiass_desktop.ui.theme import Tone, heading_font, monospace_font
from sendiass_desktop.ui.workers import run_task

USER_ROLE = Qt.ItemDataRole.UserRole + 1
NOT_ALLOWED = "Only administrators can see and change accounts."
FAILED = "That could not be done, and nothing was changed. Try again."


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SendiassError) else FAILED


def uk_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    return f"{local:%d/%m/%Y} at {local:%H:%M}"


def end_of_day(day: date) -> datetime:
    """The last minute of ``day`` in local time (an inspector's access ends then)."""
    return datetime.combine(day, time(23, 59)).astimezone()


class UserColumn(IntEnum):
    USERNAME = 0
    NAME = 1
    ROLE = 2
    STATUS = 3
    ENDS = 4
    ADDED = 5


def status_text(user: User, now: datetime | None = None) -> str:
    if user.status is UserStatus.DISABLED:
        return "Disabled"
    now = now or datetime.now().astimezone()
    if user.expires_at is not None and user.is_expired(now if user.expires_at.tzinfo
                                                        else now.replace(tzinfo=None)):
        return "Access ended"
    if user.must_change_password:
        return "Active — must choose a new password"
    return "Active"


class UsersModel(HeaderedTableModel):
    HEADERS = ("Username", "Name", "Role", "Status", "Access ends", "Added")  # in UserColumn order

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._users: list[User] = []

    def set_users(self, users: list[User]) -> None:
        self.beginResetModel()
        self._users = list(users)
        self.endResetModel()

    def user(self, row: int) -> User:
        return self._users[row]

    def row_of(self, username: str) -> int | None:
        for row, user in enumerate(self._users):
            if user.username == username:
                return row
        return None

    def _row_count(self) -> int:
        return len(self._users)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._users):
            return None
        user = self._users[index.row()]
        if role == USER_ROLE:
            return user
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        column = UserColumn(index.column())
        if column is UserColumn.USERNAME:
            return user.username
        if column is UserColumn.NAME:
            return user.display_name
        if column is UserColumn.ROLE:
            return user.role.label
        if column is UserColumn.STATUS:
            return status_text(user)
        if column is UserColumn.ENDS:
            if user.expires_at is None:
                return "—" if role == Qt.ItemDataRole.DisplayRole else "No end date"
            return uk_datetime(user.expires_at)
        return uk_date(user.created_at.date())


class TemporaryPasswordDialog(QDialog):
    """Shows a new temporary password once, with a Copy button; forgets it on closing."""

    def __init__(self, heading: str, who: str, password: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — temporary password")
        self.setObjectName("temporaryPasswordDialog")
        self.setAccessibleName("Temporary password")
        title = QLabel(heading, self)
        title.setFont(heading_font(self, 1.2))
        title.setWordWrap(True)
        intro = HintLabel(
            f"Give this password to {who} in person or by phone — never by email. It is "
            "shown only this once. They will be asked to choose their own password when they "
            "first sign in.", self)
        self.password = QLineEdit(password, self)
        self.password.setReadOnly(True)
        self.password.setFont(monospace_font(self, 1.3))
        self.password.setAccessibleName("Temporary password")
        self.password.setMinimumWidth(self.password.fontMetrics().horizontalAdvance(
            "W" * (len(password) + 4)))
        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setAccessibleName("Copy the temporary password")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.copy_button)
        self.copied = HintLabel("", self)
        self.copied.setAccessibleName("Clipboard")
        self.copied.hide()
        self.done_button = QPushButton("Done", self)
        self.done_button.setAccessibleName("Done")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.copied)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self.finished.connect(lambda _result: self.password.clear())

    def copy(self) -> None:
        shared_guard().copy_secret(self.password.text())
        self.copied.setText(f"Copied. It will be cleared from the clipboard after "
                            f"{CLEAR_AFTER_SECONDS} seconds, or when the app locks.")
        self.copied.show()
        fit_height(self)

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)
        self.password.setFocus()
        self.password.selectAll()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.password.clear()
        super().closeEvent(event)


class AddUserDialog(QDialog):
    """Username, name, role (and an end date for inspectors); creates the account."""

    created = Signal(object, str)  # the User, and the temporary password

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._busy = False
        self.setWindowTitle(f"{APP_NAME} — add a user")
        self.setObjectName("addUserDialog")
        self.setAccessibleName("Add a user")
        title = QLabel("Add a user", self)
        title.setFont(heading_font(self, 1.2))
        intro = HintLabel(
            "The new user gets a temporary password, shown once when you press Add. They "
            "choose their own the first time they sign in.", self)
        self.username = QLineEdit(self)
        self.username.setAccessibleName("Username")
        self.username.setMaxLength(32)
        self.username.setPlaceholderText("for example jsmith")
        self.display_name = QLineEdit(self)
        self.display_name.setAccessibleName("Full name")
        self.display_name.setMaxLength(100)
        self.role = QComboBox(self)
        self.role.setAccessibleName("Role")
        self.role.view().setAccessibleName("Roles")
        for role in (Role.OFFICER, Role.MANAGER, Role.ADMIN, Role.INSPECTOR):
            self.role.addItem(role.label, role)
        self.ends = DateField("Access ends on", self)
        self.ends_hint = HintLabel(
            "Inspectors have read-only access that ends at the end of this day. Every case "
            f"they open is recorded. {DATE_HINT}", self)
        form = QFormLayout()
        form.addRow("&Username:", self.username)
        form.addRow("&Full name:", self.display_name)
        form.addRow("&Role:", self.role)
        self.ends_label = QLabel("Access &ends on:", self)
        self.ends_label.setBuddy(self.ends)
        form.addRow(self.ends_label, self.ends)
        form.addRow("", self.ends_hint)
        self.message = InlineMessage(self, "Add user message")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Adding the user")
        self.busy_bar.hide()
        self.add_button = QPushButton("&Add user", self)
        self.add_button.setAccessibleName("Add user")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy_bar)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.username.setFocus()

    def fit_to_content(self) -> None:
        fit_height(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    @property
    def busy(self) -> bool:
        return self._busy

    def _role_changed(self, *_args: object) -> None:
        inspector = self.role.currentData() is Role.INSPECTOR
        for widget in (self.ends, self.ends_label, self.ends_hint):
            widget.setVisible(inspector)
        if self.isVisible():
            fit_height(self)

    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def submit(self) -> None:
        if self._busy:
            return
        self.message.clear()
        username = self.username.text().strip()
        if not username:
            self.message.show_message("Type a username for the new account.")
            self.username.setFocus()
            return
        role = self.role.currentData()
        assert isinstance(role, Role)
        expires: datetime | None = None
        if role is Role.INSPECTOR:
            try:
                day = self.ends.value()
            except ValueError:
                self.message.show_message(f"Access ends on: {DATE_HINT}")
                self.ends.setFocus()
                return
            if day is None:
                self.message.show_message("An inspector's access needs an end date.")
                self.ends.setFocus()
                return
            if day < date.today():
                self.message.show_message("The end date must be today or later.")
                self.ends.setFocus()
                return
            expires = end_of_day(day)
        self._set_busy(True)
        session, name = self._session, self.display_name.text()
        run_task(lambda: add_user(session, username, role, display_name=name, expires_at=expires),
                 on_success=self._done, on_failure=self._failed, owner=self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        for widget in (self.username, self.display_name, self.role, self.ends, self.add_button,
                       self.cancel_button):
            widget.setEnabled(not busy)

    def _done(self, result: tuple[User, str]) -> None:
        self._set_busy(False)
        user, password = result
        self.accept()
        self.created.emit(user, password)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.message.show_message(_message(exc))
        self.username.setFocus()


class UsersAdminView(QWidget):
    """The list of accounts, with add, disable, enable and reset password."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._busy = False
        self.setAccessibleName("Users and roles")
        self.dialog: QDialog | None = None  # the last dialog opened (tests look at it)
        self.question: QMessageBox | None = None

        heading = QLabel("Users and roles", self)
        heading.setFont(heading_font(self, 1.3))
        self.intro = HintLabel(
            "Everyone who can open this store. Passwords are never shown here: a new or reset "
            "password is shown once, for you to hand over in person.", self)
        self.message = InlineMessage(self, "Users message")
        self.model = UsersModel(self)
        self.table = register_table(self.model, "Accounts", "Account rows", "Account columns",
                                    UserColumn.NAME, self, fit_columns=False)
        self.table.setObjectName("usersTable")
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 10)
        self.table.horizontalHeader().setHighlightSections(False)

        self.add_button = QPushButton("&Add user…", self)
        self.add_button.setAccessibleName("Add user")
        self.disable_button = QPushButton("&Disable…", self)
        self.disable_button.setAccessibleName("Disable the selected account")
        self.enable_button = QPushButton("&Enable…", self)
        self.enable_button.setAccessibleName("Enable the selected account")
        self.reset_button = QPushButton("&Reset password…", self)
        self.reset_button.setAccessibleName("Reset the selected account's password")
        # For inspector accounts: what they looked at, and ending their access early.
        self.report_button = QPushButton("Access re&port…", self)
        self.report_button.setAccessibleName("Access report for the selected inspector")
        self.end_access_button = QPushButton("End access no&w…", self)
        self.end_access_button.setAccessibleName("End the selected inspector's access now")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Working")
        self.busy_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 20)
        self.busy_bar.hide()
        buttons = QHBoxLayout()
        for button in (self.add_button, self.reset_button, self.disable_button,
                       self.enable_button, self.report_button, self.end_access_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.busy_bar)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

        self.add_button.clicked.connect(self.add_user)
        self.disable_button.clicked.connect(self.disable_selected)
        self.enable_button.clicked.connect(self.enable_selected)
        self.reset_button.clicked.connect(self.reset_selected)
        self.report_button.clicked.connect(self.show_access_report)
        self.end_access_button.clicked.connect(self.end_access_selected)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.set_session(session)

    # --- the session -------------------------------------------------------------------------

    @property
    def allowed(self) -> bool:
        return self._session.can(Permission.MANAGE_USERS)

    def set_session(self, session: Session) -> None:
        self._session = session
        self.refresh()

    def on_lock(self) -> None:
        self.model.set_users([])
        self.message.clear()
        for dialog in (self.dialog, self.question):
            if dialog is not None and isValid(dialog) and dialog.isVisible():
                dialog.reject()
        self.dialog = self.question = None
        self._update_buttons()

    def refresh(self, select: str | None = None) -> None:
        if not self.allowed:
            # Never ask the service (it would refuse, and log the refusal).
            self.model.set_users([])
            self.intro.setText(NOT_ALLOWED)
            self._update_buttons()
            return
        selected = self.selected_user()
        current = select or (selected.username if selected else None)
        try:
            users = list_users(self._session)
        except SendiassError as exc:
            self.message.show_message(str(exc))
            users = []
        self.model.set_users(users)
        self._fit_columns()
        if current is not None:
            self.select(current)
        self._update_buttons()

    def _fit_columns(self) -> None:
        """Each column as wide as its widest entry, with breathing room (names stretch)."""
        metrics = self.table.fontMetrics()
        pad = metrics.averageCharWidth() * 3
        for column in UserColumn:
            if column is UserColumn.NAME:
                continue
            texts = [self.model.HEADERS[column]] + [str(self.model.index(row, column).data() or "")
                                         for row in range(self.model.rowCount())]
            widest = max(metrics.horizontalAdvance(text) for text in texts)
            self.table.setColumnWidth(column, widest + pad)

    # --- selection -----------------------------------------------------------------------------

    def selected_user(self) -> User | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        user = index.data(USER_ROLE)
        return user if isinstance(user, User) else None

    def select(self, username: str) -> None:
        row = self.model.row_of(username)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, UserColumn.USERNAME))
        self._update_buttons()

    def _update_buttons(self) -> None:
        user = self.selected_user()
        allowed = self.allowed and not self._busy
        me = user is not None and user.username == self._session.user.username
        self.add_button.setEnabled(allowed)
        active = user is not None and user.status is UserStatus.ACTIVE
        self.disable_button.setEnabled(allowed and active and not me)
        self.enable_button.setEnabled(allowed and user is not None and not active)
        self.reset_button.setEnabled(allowed and active and not me)
        inspector = user is not None and user.role is Role.INSPECTOR
        self.report_button.setEnabled(allowed and inspector)
        self.end_access_button.setEnabled(allowed and inspector and active)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        self._update_buttons()

    # --- actions ---------------------------------------------------------------------------

    def add_user(self) -> AddUserDialog:
        self.message.clear()
        dialog = AddUserDialog(self._session, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self._added)
        self._track(dialog)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _added(self, user: User, password: str) -> None:
        self.refresh(select=user.username)
        self.message.show_message(f"Account {user.username} ({user.role.label}) added.",
                                  Tone.SUCCESS)
        self.show_password(f"{user.display_name} ({user.username}) can now sign in",
                           user.display_name, password)

    def show_password(self, heading: str, who: str, password: str) -> TemporaryPasswordDialog:
        dialog = TemporaryPasswordDialog(heading, who, password, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._track(dialog)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _ask(self, text: str, yes: str, then: Any) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, APP_NAME, text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("usersQuestion")
        box.setAccessibleName("Confirm")
        go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        go.setAccessibleName(yes)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        box.setDefaultButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: then() if button is go else None)
        box.destroyed.connect(lambda _=None, b=box: self._forget(b))
        self.question = box
        box.open()
        return box

    def disable_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self._ask(f"Disable the account {user.username} ({user.display_name})? They will not "
                  "be able to sign in on any computer until an administrator enables it again. "
                  "Their records and cases stay as they are.",
                  "Disable account", lambda: self.disable(user.username))

    def enable_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self._ask(f"Enable the account {user.username} ({user.display_name})? They get a new "
                  "temporary password, shown once, to change when they sign in.",
                  "Enable account", lambda: self.enable(user.username))

    def reset_selected(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self._ask(f"Reset the password of {user.username} ({user.display_name})? Their old "
                  "password stops working at once. You will see a temporary password to give "
                  "them.", "Reset password", lambda: self.reset(user.username))

    def show_access_report(self) -> InspectionReportDialog | None:
        user = self.selected_user()
        if user is None or user.role is not Role.INSPECTOR:
            return None
        dialog = InspectionReportDialog(self._session, user, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._track(dialog)
        self.dialog = dialog
        dialog.open()
        return dialog

    def end_access_selected(self) -> None:
        user = self.selected_user()
        if user is None or user.role is not Role.INSPECTOR:
            return
        self._ask(end_access_question(user), "End access",
                  lambda: self._run(lambda session: end_inspection(session, user.username),
                                    lambda _user: self._finished(
                                        user.username,
                                        f"The access of {user.username} has ended.")))

    def disable(self, username: str) -> None:
        self._run(lambda session: disable_user(session, username),
                  lambda _user: self._finished(username, f"Account {username} disabled."))

    def enable(self, username: str) -> None:
        def done(result: tuple[User, str]) -> None:
            user, password = result
            self._finished(username, f"Account {username} enabled.")
            self.show_password(f"{user.display_name} ({username}) is enabled again",
                               user.display_name, password)

        self._run(lambda session: enable_user(session, username), done)

    def reset(self, username: str) -> None:
        def done(password: str) -> None:
            row = self.model.row_of(username)
            user = self.model.user(row) if row is not None else None
            name = user.display_name if user else username
            self._finished(username, f"The password of {username} was reset.")
            self.show_password(f"New temporary password for {name} ({username})", name,
                               password)

        self._run(lambda session: reset_password(session, username), done)

    def _run(self, fn: Any, on_success: Any) -> None:
        """Account changes rewrite the key file: run on the session itself, off the UI thread."""
        if self._busy:
            return
        self.message.clear()
        self._set_busy(True)
        session = self._session

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.message.show_message(_message(exc))

        def succeeded(result: Any) -> None:
            self._set_busy(False)
            on_success(result)

        run_task(lambda: fn(session), on_success=succeeded, on_failure=failed, owner=self)

    def _finished(self, username: str, text: str) -> None:
        self.refresh(select=username)
        self.message.show_message(text, Tone.SUCCESS)

    @property
    def busy(self) -> bool:
        return self._busy

    def _forget(self, window: object) -> None:
        if self.dialog is window:
            self.dialog = None
        if self.question is window:
            self.question = None

    def _track(self, window: QWidget) -> None:
        window.destroyed.connect(lambda _=None, w=window: self._forget(w))
        track = getattr(self.window(), "track_window", None)
        if callable(track):
            track(window)
