"""What an inspector looked at (rule 6): every access, from the audit log.

Opened from Users and roles ("Access report…" on an inspector's account).
The table lists, oldest first, when the inspector did what and which record
(``services.inspection.inspection_report``: case and person references,
never names); "Export CSV…" saves the same rows for a spreadsheet
(``export_inspection_report``). Reading the report and exporting it are both
audited by the service. The audit log is read off the UI thread: on a large
log it takes a moment.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.domain.users import User
from sendiass_desktop.services.inspection import (
    AccessEntry,
    export_inspection_report,
    inspection_report,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.export_pieces import register_table
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import button, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane

ModelIndex = QModelIndex | QPersistentModelIndex


def what_text(entry: AccessEntry) -> str:
    """"Case file SEN-2026-0142", "Case note: note 12 on SEN-2026-0142", or "—"."""
    if entry.record_type and entry.reference:
        joiner = ": " if " " in entry.reference else " "
        return f"{entry.record_type}{joiner}{entry.reference}"
    return entry.record_type or entry.reference or "—"


class AccessReportModel(HeaderedTableModel):
    HEADERS: ClassVar[tuple[str, ...]] = ("When", "Action", "What was opened", "Detail")
    WHEN, ACTION, WHAT, DETAIL = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[AccessEntry] = []

    def set_entries(self, entries: list[AccessEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[AccessEntry]:
        return list(self._entries)

    def _row_count(self) -> int:
        return len(self._entries)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                        Qt.ItemDataRole.ToolTipRole):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if column == self.WHEN:
            return f"{entry.at:%d/%m/%Y %H:%M:%S}"
        if column == self.ACTION:
            return entry.action
        if column == self.WHAT:
            return what_text(entry)
        return entry.detail or ("—" if role == Qt.ItemDataRole.DisplayRole else "None")


class InspectionReportDialog(QDialog):
    """The access report of one inspector account, with Export CSV…."""

    def __init__(self, session: Session, inspector: User, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.inspector = inspector
        self.username = inspector.username
        who = inspector.display_name or inspector.username
        self.setWindowTitle(f"{APP_NAME} — access report for {who}")
        self.setAccessibleName(f"Access report for {who}")
        self.setObjectName("inspectionReportDialog")
        self.lane = BackgroundLane(session, self)
        self.saved_to: Path | None = None

        heading = QLabel(f"What {who} ({inspector.username}) looked at", self)
        heading.setFont(heading_font(self, 1.2))
        heading.setWordWrap(True)
        intro = HintLabel(
            "Everything this inspector did, oldest first: each case, note, document and "
            "search they opened, and when they signed in and out. Records are shown by "
            "reference, never by name. Looking at this report is itself recorded.", self)
        self.summary = QLabel("Reading the audit log…", self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Reading the audit log")
        self.busy_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 20)
        self.message = InlineMessage(self, "Access report message")
        self.model = AccessReportModel(self)
        self.table = register_table(self.model, "What the inspector opened", "Access rows",
                                    "Access columns", AccessReportModel.WHAT, self)
        self.table.setObjectName("accessReportTable")

        self.export_button = button("&Export CSV…", "Export the report as CSV", self,
                                    tip="Save the rows for a spreadsheet")
        self.export_button.clicked.connect(self.export)
        self.export_hint = HintLabel("The CSV file holds times, the username, record types "
                                     "and references; no names.", self)
        self.close_button = button("Close", parent=self)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.busy_bar)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.export_hint, 1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 150, metrics.lineSpacing() * 36)
        self.finished.connect(lambda _r: self._forget())
        self.load()

    # --- the session --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.lane.busy

    def set_session(self, session: Session) -> None:
        self.lane.set_session(session)
        self.load()

    def on_lock(self) -> None:
        self.model.set_entries([])
        self.summary.setText("")

    # --- reading ------------------------------------------------------------------------

    def load(self) -> None:
        username = self.username
        self.busy_bar.show()
        self.export_button.setEnabled(False)
        self.lane.submit(lambda session: inspection_report(session, username), self._loaded,
                         self._failed, key="report")

    def _loaded(self, entries: list[AccessEntry]) -> None:
        self.busy_bar.hide()
        self.model.set_entries(entries)
        if entries:
            first, last = entries[0].at, entries[-1].at
            span = (f"on {first:%d/%m/%Y}" if first.date() == last.date()
                    else f"from {first:%d/%m/%Y} to {last:%d/%m/%Y}")
            opened = sum(1 for e in entries if e.action == "Viewed")
            self.summary.setText(
                f"{len(entries):,} {'entry' if len(entries) == 1 else 'entries'} {span}; "
                f"{opened:,} {'record' if opened == 1 else 'records'} viewed.")
            self.table.selectRow(0)
        else:
            self.summary.setText("This inspector has not done anything yet.")
        self.export_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self.busy_bar.hide()
        self.summary.setText("")
        self.message.show_message(user_message(exc))
        self.export_button.setEnabled(not self.busy)

    # --- exporting ----------------------------------------------------------------------

    def default_path(self) -> Path:
        return Path.home() / f"inspector-{self.username}-{date.today():%Y-%m-%d}.csv"

    def export(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save the access report as", str(self.default_path()), "CSV files (*.csv)")
        if chosen:
            self.export_to(Path(chosen if chosen.lower().endswith(".csv") else chosen + ".csv"))

    def export_to(self, path: Path) -> None:
        username = self.username
        self.message.clear()
        self.export_button.setEnabled(False)
        self.busy_bar.show()
        self.lane.submit(lambda session: export_inspection_report(session, username, path),
                         self._exported, self._export_failed)

    def _exported(self, path: Path) -> None:
        self.saved_to = path
        self.busy_bar.hide()
        self.export_button.setEnabled(True)
        self.message.show_message(f"Saved {path.name} in {path.parent}.", Tone.SUCCESS)

    def _export_failed(self, exc: BaseException) -> None:
        self.busy_bar.hide()
        self.export_button.setEnabled(True)
        self.message.show_message(user_message(exc))

    # --- closing ------------------------------------------------------------------------

    def _forget(self) -> None:
        self.model.set_entries([])
        self.lane.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.model.set_entries([])
        super().closeEvent(event)


def end_access_question(user: User) -> str:
    """The confirmation asked before ending an inspector's access early."""
    who = user.display_name or user.username
    return (f"End the access of {who} ({user.username}) now? They will not be able to sign "
            "in again, and if they are signed in at this moment, nothing more opens for them. "
            "What they looked at stays in the access report.")
