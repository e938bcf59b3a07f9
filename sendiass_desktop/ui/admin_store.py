"""Store and backups: the administrator's screen for looking after the store.

Backing up, checking the store and verifying the audit log run in the
background (``BackgroundLane``) with a busy indicator and a Cancel button
(a cancelled backup leaves no file behind), and say what they found in
plain words. Only offered to roles with ``Permission.MANAGE_STORE``;
``services.store_admin`` refuses anyone else anyway. ``backup_reminder`` is
also used by the main window, which shows administrators the same reminder.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from sendiass_desktop.domain.audit import ChainBreak
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.session import Session
from sendiass_desktop.services.store_admin import (
    BackupResult,
    backup,
    check_store,
    last_backup_at,
    verify_audit,
)
from sendiass_desktop.store.cancel import OperationCancelled
from sendiass_desktop.ui.enrol_dialog import EnrolDialog
from sendiass_desktop.ui.fields import ElidedLabel, HintLabel
from sendiass_desktop.ui.icons import button
from sendiass_desktop.ui.notices import Banner, InlineMessage
from sendiass_desktop.ui.progress import StopFlag
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane

if TYPE_CHECKING:
    from sendiass_desktop.store.integrity import CheckReport

BACKUP_REMINDER_DAYS = 7
NOT_ALLOWED = "Only administrators can look after the store."
STORE_SUFFIX = ".sendiass"


def _now() -> datetime:
    return datetime.now(UTC)


def describe_backup_time(when: datetime) -> str:
    local = when.astimezone()
    return f"{local:%d/%m/%Y} at {local:%H:%M}"


def backup_reminder(session: Session, now: datetime | None = None) -> str | None:
    """What to tell an administrator about backups, or None when the last one is recent."""
    last = last_backup_at(session)
    if last is None:
        return ("No backup of this store has been made yet. Make one now, and keep it "
                "somewhere safe away from this computer.")
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    age = (now or _now()) - last
    if age <= timedelta(days=BACKUP_REMINDER_DAYS):
        return None
    return (f"The last backup was made on {describe_backup_time(last)}, {age.days} days ago. "
            f"Make a new one: back up at least every {BACKUP_REMINDER_DAYS} days.")


def check_text(ok: bool, problems: list[str], audit_entries: int,
               notes: list[str] | None = None) -> str:
    if ok:
        return " ".join([
            f"The store passed its check. The encryption, the database structure and the "
            f"links between records are all sound, and the audit log's "
            f"{audit_entries:,} entries are intact.", *(notes or [])])
    return ("The store did not pass its check: " + " ".join(problems) + " Do not add "
            "records until this is sorted out: restore the last good backup, or ask for help.")


def audit_text(brk: ChainBreak | None, count: int) -> str:
    if brk is None:
        return (f"The audit log is intact: all {count:,} entries are linked correctly, so none "
                "has been changed or removed.")
    return (f"The audit log has been altered. {brk.describe()}. The entries before that point "
            "are intact. Keep the store as it is and tell your data protection lead.")


def default_backup_path(session: Session) -> Path:
    folder = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M")
    return Path(folder) / f"{session.location.path.stem}-backup-{stamp}{STORE_SUFFIX}"


def _section(title: str, parent: QWidget) -> QLabel:
    label = QLabel(title, parent)
    label.setFont(heading_font(parent, 1.1))
    return label


def _rule(parent: QWidget) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class StoreAdminView(QWidget):
    """Backups, checks and enrolling computers."""

    backupWritten = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setAccessibleName("Store and backups")
        self.lane = BackgroundLane(session, self)
        self._busy_with: str | None = None
        self._stop: StopFlag | None = None
        self.enrol_dialog: EnrolDialog | None = None
        self.last_backup: BackupResult | None = None

        heading = QLabel("Store and backups", self)
        heading.setFont(heading_font(self, 1.3))
        self.not_allowed = HintLabel(NOT_ALLOWED, self)
        self.reminder = Banner(Tone.WARNING, "", self, name="Backup reminder")
        self.reminder.hide()

        self.store_path = ElidedLabel("", self)
        self.store_path.setAccessibleName("Store file")
        self.store_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_backup_label = QLabel(self)
        self.last_backup_label.setAccessibleName("Last backup")
        self.binding_label = QLabel(self)
        self.binding_label.setAccessibleName("Device binding")
        self.binding_label.setWordWrap(True)
        details = QFormLayout()
        details.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        details.addRow("Store file:", self.store_path)
        details.addRow("Last backup:", self.last_backup_label)
        details.addRow("Device binding:", self.binding_label)

        # Backups.
        self.backup_button = QPushButton("&Back up now…", self)
        self.backup_button.setAccessibleName("Back up now")
        backup_hint = HintLabel(
            "Writes an encrypted, checked copy of the store and its key file. Keep backups "
            "away from this computer (an encrypted USB drive in a locked drawer, say). The "
            "passwords that open the store now also open the backup.", self)
        self.backup_message = InlineMessage(self, "Backup result")

        # Checks.
        self.check_button = QPushButton("&Check the store", self)
        self.check_button.setAccessibleName("Check the store")
        self.verify_button = QPushButton("&Verify the audit log", self)
        self.verify_button.setAccessibleName("Verify the audit log")
        check_hint = HintLabel(
            "Checking reads every page of the store and proves nothing has been damaged or "
            "altered. Verifying the audit log proves that no entry has been changed or removed.",
            self)
        self.check_message = InlineMessage(self, "Check result")

        # Computers.
        self.enrol_button = QPushButton("&Enrol this computer…", self)
        self.enrol_button.setAccessibleName("Enrol this computer")
        enrol_hint = HintLabel(
            "A store tied to enrolled computers opens only on them. To let this computer open "
            "it, enrol it with the recovery key from the recovery sheet.", self)
        self.enrol_message = InlineMessage(self, "Enrolment result")

        self.busy_label = QLabel(self)
        self.busy_label.setAccessibleName("Working on")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Working")
        self.cancel_button = button("Cancel", "Cancel the work in progress", self,
                                    tip="Stop now; nothing is changed")
        self.cancel_button.clicked.connect(self.cancel)
        busy = QHBoxLayout()
        busy.addWidget(self.busy_label)
        busy.addWidget(self.busy_bar, 1)
        busy.addWidget(self.cancel_button)
        self.busy_row = QWidget(self)
        self.busy_row.setLayout(busy)
        busy.setContentsMargins(0, 0, 0, 0)
        self.busy_row.hide()

        def row(*buttons: QPushButton) -> QHBoxLayout:
            line = QHBoxLayout()
            for each in buttons:
                each.setAutoDefault(False)
                line.addWidget(each)
            line.addStretch(1)
            return line

        self.content = QWidget(self)
        body = QVBoxLayout(self.content)
        body.setContentsMargins(0, 0, 8, 0)
        body.setSpacing(10)
        body.addWidget(self.reminder)
        body.addLayout(details)
        body.addWidget(self.busy_row)
        body.addWidget(_rule(self))
        body.addWidget(_section("Backups", self))
        body.addWidget(backup_hint)
        body.addLayout(row(self.backup_button))
        body.addWidget(self.backup_message)
        body.addWidget(_rule(self))
        body.addWidget(_section("Checks", self))
        body.addWidget(check_hint)
        body.addLayout(row(self.check_button, self.verify_button))
        body.addWidget(self.check_message)
        body.addWidget(_rule(self))
        body.addWidget(_section("Computers", self))
        body.addWidget(enrol_hint)
        body.addLayout(row(self.enrol_button))
        body.addWidget(self.enrol_message)

        body.addStretch(1)
        # The sections scroll when the window is short (large text, small screens).
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.content)
        self.scroll_area.setAccessibleName("Store and backups")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.not_allowed)
        layout.addWidget(self.scroll_area, 1)

        self.backup_button.clicked.connect(self.choose_and_back_up)
        self.check_button.clicked.connect(self.check)
        self.verify_button.clicked.connect(self.verify)
        self.enrol_button.clicked.connect(self.enrol)
        self.set_session(session)

    # --- the session ---------------------------------------------------------------------

    @property
    def allowed(self) -> bool:
        return self._session.can(Permission.MANAGE_STORE)

    @property
    def busy(self) -> bool:
        return self._busy_with is not None

    def set_session(self, session: Session) -> None:
        self._session = session
        self.lane.set_session(session)
        self._set_busy(None)
        self.refresh()

    def on_lock(self) -> None:
        self.lane.shutdown()
        self._set_busy(None)
        dialog, self.enrol_dialog = self.enrol_dialog, None
        if dialog is not None and isValid(dialog) and dialog.isVisible():
            dialog.reject()

    def refresh(self) -> None:
        allowed = self.allowed
        self.not_allowed.setVisible(not allowed)
        self.scroll_area.setVisible(allowed)
        if not allowed:
            return
        session = self._session
        self.store_path.set_full_text(str(session.location.path))
        try:
            last = last_backup_at(session)
            reminder = backup_reminder(session)
        except SendiassError as exc:
            self.backup_message.show_message(str(exc))
            return
        self.last_backup_label.setText(describe_backup_time(last) if last else "Never")
        self.binding_label.setText(
            "On: only enrolled computers can open this store." if session.header.device_binding
            else "Off: any computer with a copy of the store and a password can open it.")
        self.reminder.label.setText(reminder or "")
        self.reminder.label.setAccessibleName(f"Backup reminder: {reminder}" if reminder else "")
        self.reminder.setVisible(bool(reminder))

    # --- busy ------------------------------------------------------------------------------

    def _set_busy(self, what: str | None, *, measured: bool = False) -> StopFlag | None:
        """Show (or, with None, hide) the busy row; returns the new job's Cancel flag."""
        self._busy_with = what
        self._stop = StopFlag() if what is not None else None
        self.busy_label.setText(what or "")
        self.busy_bar.setRange(0, 100 if measured else 0)
        self.busy_bar.setValue(0)
        self.cancel_button.setEnabled(what is not None)
        self.busy_row.setVisible(what is not None)
        for action in (self.backup_button, self.check_button, self.verify_button,
                       self.enrol_button):
            action.setEnabled(what is None and self.allowed)
        return self._stop

    def cancel(self) -> None:
        """Ask the running backup or check to stop; its failure callback says it stopped."""
        if self._stop is not None:
            self._stop.stop()
            self.cancel_button.setEnabled(False)
            self.busy_label.setText("Stopping…")

    def _on_progress(self, fraction: float) -> None:
        if self._busy_with is not None and self.busy_bar.maximum() == 100:
            self.busy_bar.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    # --- backups ---------------------------------------------------------------------------

    def choose_backup_path(self) -> Path | None:
        """Ask where to write the backup (tests replace this)."""
        default = default_backup_path(self._session)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Back up the store", str(default), f"SENDIASS stores (*{STORE_SUFFIX})")
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix != STORE_SUFFIX:
            path = path.with_name(path.name + STORE_SUFFIX)
        return path

    def choose_and_back_up(self) -> None:
        if self.busy or not self.allowed:
            return
        path = self.choose_backup_path()
        if path is not None:
            self.back_up_to(path)

    def back_up_to(self, path: Path) -> None:
        if self.busy:
            return
        self.backup_message.clear()
        stop = self._set_busy("Backing up the store… This can take a minute for a large store.",
                              measured=True)
        self.lane.submit(lambda session, progress: backup(session, path, should_stop=stop,
                                                          progress=progress),
                         self._backed_up,
                         lambda exc: self._failed(self.backup_message, exc,
                                                  "The backup could not be written."),
                         on_progress=self._on_progress)

    def _backed_up(self, result: BackupResult) -> None:
        self._set_busy(None)
        self.last_backup = result
        self.backup_message.show_message(
            f"Backup written to {result.path}, with its key file {result.header_path.name} "
            f"beside it: keep the two together. The copy was checked and holds "
            f"{result.audit_entries:,} audit entries.", Tone.SUCCESS)
        self.refresh()
        self.backupWritten.emit()

    # --- checks -------------------------------------------------------------------------------

    def check(self) -> None:
        if self.busy or not self.allowed:
            return
        self.check_message.clear()
        stop = self._set_busy(
            "Checking the store… This reads every page, so it can take a while.")

        def done(report: CheckReport) -> None:
            self._set_busy(None)
            self.check_message.show_message(
                check_text(report.ok, report.problems, report.audit_entries, report.notes),
                Tone.SUCCESS if report.ok else Tone.ERROR)

        self.lane.submit(lambda session: check_store(session, stop), done,
                         lambda exc: self._failed(self.check_message, exc,
                                                  "The store could not be checked."))

    def verify(self) -> None:
        if self.busy or not self.allowed:
            return
        self.check_message.clear()
        stop = self._set_busy("Verifying the audit log…")

        def done(result: tuple[ChainBreak | None, int]) -> None:
            self._set_busy(None)
            brk, count = result
            self.check_message.show_message(audit_text(brk, count),
                                            Tone.SUCCESS if brk is None else Tone.ERROR)

        self.lane.submit(lambda session: verify_audit(session, stop), done,
                         lambda exc: self._failed(self.check_message, exc,
                                                  "The audit log could not be verified."))

    def _failed(self, where: InlineMessage, exc: BaseException, fallback: str) -> None:
        self._set_busy(None)
        if isinstance(exc, OperationCancelled):
            where.show_message(str(exc), Tone.INFO)
            return
        where.show_message(f"{exc}" if isinstance(exc, SendiassError) else
                           f"{fallback} Nothing was changed. Try again.")

    # --- enrolling -------------------------------------------------------------------------------

    def enrol(self) -> EnrolDialog | None:
        if self.busy or not self.allowed:
            return None
        self.enrol_message.clear()
        dialog = EnrolDialog(self._session.location, parent=self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.enrolled.connect(self._enrolled)
        self.enrol_dialog = dialog
        dialog.open()
        return dialog

    def _enrolled(self, enrolled: bool) -> None:
        self.enrol_message.show_message(
            "This computer is enrolled: everyone with an account can now sign in here."
            if enrolled else
            "This store is not tied to enrolled computers, so there was nothing to enrol.",
            Tone.SUCCESS)
