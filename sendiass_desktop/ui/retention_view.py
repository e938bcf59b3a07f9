"""Retention and disposal (rule 8): the review queue, legal holds, disposal.

Managers see the schedule in force, then the closed cases past their
keep-until date (``services.retention.review_queue``), optionally including
cases on a legal hold. They can place or release a legal hold (with a
reason), or dispose of the selected cases: the dialog shows
``disposal_checklist`` for each case — what will be deleted and any paper
records to shred by hand — and the Dispose button stays disabled until the
case reference is typed (or, for several cases, a box is ticked). Every
service call runs off the UI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from html import escape
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QObject,
    Qt,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.retention import RetentionSchedule
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.retention import (
    DisposalChecklist,
    DisposalOutcome,
    ReviewItem,
    disposal_checklist,
    dispose,
    get_schedule,
    release_legal_hold,
    review_queue,
    set_legal_hold,
)
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import FormDialog, button, uk_date, user_message
from sendiass_desktop.ui.notices import Banner, InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, ModelIndex
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


class RetentionColumn(IntEnum):
    REF = 0
    CLOSED = 1
    KEEP_UNTIL = 2
    PAPER = 3
    BLOCKERS = 4
    STATUS = 5


def status_text(item: ReviewItem) -> str:
    if item.legal_hold:
        return "On legal hold"
    if item.blockers:
        return "Blocked"
    return "Due for disposal" if item.due else "Not due"


class RetentionModel(HeaderedTableModel):
    HEADERS = ("Reference", "Closed", "Keep until", "Paper records", "Stopping disposal",
               "Status")  # in RetentionColumn order

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ReviewItem] = []

    def set_items(self, items: Sequence[ReviewItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> ReviewItem:
        return self._items[row]

    @property
    def items(self) -> list[ReviewItem]:
        return list(self._items)

    def refs(self) -> list[str]:
        return [i.ref for i in self._items]

    def _row_count(self) -> int:
        return len(self._items)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = RetentionColumn(index.column())
        if role == ITEM_ROLE:
            return item
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is RetentionColumn.BLOCKERS and item.blockers:
                return "\n".join(item.blockers)
            if column is RetentionColumn.PAPER and item.paper_records:
                return item.paper_instruction
        return None

    @staticmethod
    def _text(item: ReviewItem, column: RetentionColumn) -> str:
        if column is RetentionColumn.REF:
            return item.ref
        if column is RetentionColumn.CLOSED:
            return uk_date(item.closed_on)
        if column is RetentionColumn.KEEP_UNTIL:
            return uk_date(item.keep_until)
        if column is RetentionColumn.PAPER:
            return item.paper_instruction or "None recorded"
        if column is RetentionColumn.BLOCKERS:
            return " ".join(item.blockers) if item.blockers else "Nothing"
        return status_text(item)


# --- dialogs ----------------------------------------------------------------------------


class ReasonDialog(FormDialog):
    """Asks for the reason for placing (required) or releasing (optional) a legal hold."""

    def __init__(self, refs: Sequence[str], placing: bool, parent: QWidget | None = None
                 ) -> None:
        what = ", ".join(refs)
        super().__init__(
            "Place a legal hold" if placing else "Release the legal hold",
            (f"{what} will not be disposed of while the hold is on. Say what it is for, for "
             "example the claim, complaint or request; the reason goes into a restricted note "
             "on the case.") if placing else
            (f"{what} will be disposed of when due once the hold is released. You can say why "
             "(optional); it goes into a restricted note on the case."),
            "Place &hold" if placing else "Release &hold", parent)
        self.refs = list(refs)
        self.placing = placing
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason for the legal hold" if placing
                                      else "Reason for releasing the hold")
        self.reason.setMaxLength(1000)
        self.form.addRow("&Reason:", self.reason)
        self.reason.setFocus()

    def submit(self) -> None:
        if self.placing and not self.reason.text().strip():
            self.message.show_message("Give the reason for the legal hold (for example, the "
                                      "claim or request it is for).")
            self.reason.setFocus()
            return
        self.accept()

    def reason_text(self) -> str:
        return self.reason.text().strip()


def checklist_html(checklists: Sequence[DisposalChecklist]) -> str:
    parts = []
    for c in checklists:
        lines = [
            f"Closed {uk_date(c.closed_on, 'not closed')}; kept until "
            f"{uk_date(c.keep_until, 'not set')}. {c.reason}",
            f"Will delete: {c.notes:,} notes, {c.documents:,} documents, "
            f"{c.people_to_delete:,} people recorded on no other case"
            + (f" ({c.people_kept:,} kept: on other cases or needed elsewhere)."
               if c.people_kept else "."),
        ]
        lines.append(c.paper_instruction or "No paper records are recorded for this case.")
        lines.extend(f"Cannot be disposed of: {b}" for b in c.blockers)
        if not c.due:
            lines.append("Not due for disposal today.")
        rows = "".join(f"<li>{escape(line)}</li>" for line in lines)
        parts.append(f"<p style='margin-bottom:2px'><b>{escape(c.ref)}</b></p><ul "
                     f"style='margin-top:0px; margin-left:-20px'>{rows}</ul>")
    return "".join(parts)


class DisposeDialog(FormDialog):
    """What disposal will delete, and a deliberate confirmation."""

    def __init__(self, checklists: Sequence[DisposalChecklist], parent: QWidget | None = None
                 ) -> None:
        self.checklists = list(checklists)
        single = len(self.checklists) == 1
        count = len(self.checklists)
        super().__init__(
            "Dispose of case files",
            ("This permanently deletes the case file below and everything on it. It cannot be "
             "undone, and it is recorded in the disposal log." if single else
             f"This permanently deletes these {count} case files and everything on them. It "
             "cannot be undone, and it is recorded in the disposal log."),
            "&Dispose" if single else f"&Dispose of {count} cases", parent, width_chars=90)
        self.details = QTextBrowser(self)
        self.details.setAccessibleName("What will be deleted")
        self.details.setOpenLinks(False)
        self.details.setHtml(checklist_html(self.checklists))
        self.details.setMinimumHeight(self.fontMetrics().lineSpacing() * 9)
        self.extra.addWidget(self.details)
        papers = [c for c in self.checklists if c.paper_records.strip()]
        self.paper_note = Banner(
            Tone.WARNING, "After disposal, shred the paper records by hand: "
            + "; ".join(f"{c.ref}: {' '.join(c.paper_records.split())}" for c in papers),
            self, name="Paper records")
        self.paper_note.setVisible(bool(papers))
        self.extra.addWidget(self.paper_note)
        self.confirm_edit: QLineEdit | None = None
        self.confirm_box: QCheckBox | None = None
        confirm = QFormLayout()
        confirm.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        if single:
            self.confirm_edit = QLineEdit(self)
            self.confirm_edit.setAccessibleName("Type the case reference to confirm")
            self.confirm_edit.setMaxLength(40)
            confirm.addRow(f"&Type {self.checklists[0].ref} to confirm:", self.confirm_edit)
            self.confirm_edit.textChanged.connect(self._update)
        else:
            self.confirm_box = QCheckBox(
                f"I have checked these {count} cases and they should be &destroyed", self)
            self.confirm_box.setAccessibleName("Confirm disposal of the listed cases")
            confirm.addRow(self.confirm_box)
            self.confirm_box.toggled.connect(self._update)
        self.extra.addLayout(confirm)
        self.ok_button.setDefault(False)
        self.ok_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        blocked = [c.ref for c in self.checklists if not c.can_dispose]
        if blocked:
            self.message.show_message(
                f"{', '.join(blocked)} cannot be disposed of today (see above). Nothing will "
                "be deleted.")
        self._update()

    @property
    def refs(self) -> list[str]:
        return [c.ref for c in self.checklists]

    def confirmed(self) -> bool:
        if not all(c.can_dispose for c in self.checklists):
            return False
        if self.confirm_edit is not None:
            typed = self.confirm_edit.text().strip().upper()
            return typed == self.checklists[0].ref.strip().upper()
        return self.confirm_box is not None and self.confirm_box.isChecked()

    def _update(self, *_args: object) -> None:
        self.ok_button.setEnabled(self.confirmed())

    def submit(self) -> None:
        if self.confirmed():
            self.accept()


# --- the view ---------------------------------------------------------------------------


class RetentionView(QWidget):
    """The review queue and what a manager can do with it."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setAccessibleName("Retention and disposal")
        self.lane = BackgroundLane(session, self)
        self._generation = 0
        self._loaded_once = False
        self.hold_dialog: ReasonDialog | None = None
        self.dispose_dialog: DisposeDialog | None = None
        self.last_outcome: DisposalOutcome | None = None

        heading = QLabel("Retention and disposal", self)
        heading.setFont(heading_font(self, 1.3))
        self.schedule_label = HintLabel("", self)
        self.schedule_label.setAccessibleName("Retention schedule")
        self.include_held = QCheckBox("Include cases on &legal hold", self)
        self.include_held.setAccessibleName("Include cases on legal hold")
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.message = InlineMessage(self, "Retention message")
        self.done_bar = Banner(Tone.SUCCESS, "", self, name="Disposal done")
        self.done_bar.hide()

        self.model = RetentionModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Cases due for review")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setAccessibleName("Rows")
        for corner in self.table.findChildren(QAbstractButton):
            corner.setAccessibleName("Select all")
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 10)
        header = self.table.horizontalHeader()
        header.setAccessibleName("Columns")
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        metrics = self.fontMetrics()
        self.table.setColumnWidth(RetentionColumn.REF,
                                  metrics.horizontalAdvance("SEN-2026-00000") + 30)
        for column in (RetentionColumn.CLOSED, RetentionColumn.KEEP_UNTIL):
            self.table.setColumnWidth(column, metrics.horizontalAdvance("00/00/00000") + 30)
        self.table.setColumnWidth(RetentionColumn.BLOCKERS,
                                  metrics.horizontalAdvance("Stopping disposal") + 60)
        self.table.setColumnWidth(RetentionColumn.STATUS,
                                  metrics.horizontalAdvance("Due for disposal") + 30)
        header.setSectionResizeMode(RetentionColumn.PAPER, QHeaderView.ResizeMode.Stretch)

        self.hold_button = button("Set legal &hold…", "Set a legal hold", self)
        self.release_button = button("&Release hold…", "Release the legal hold", self)
        self.dispose_button = button("&Dispose…", "Dispose of the selected cases", self)
        hint = HintLabel("Select one or more cases (Shift or Ctrl for several). Disposal asks "
                         "you to confirm and shows what will be deleted first.", self)
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.hold_button)
        buttons.addWidget(self.release_button)
        buttons.addWidget(self.dispose_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.schedule_label)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.include_held)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.done_bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        for first, second in ((self.include_held, self.table), (self.table, self.hold_button),
                              (self.hold_button, self.release_button),
                              (self.release_button, self.dispose_button)):
            QWidget.setTabOrder(first, second)

        self.include_held.toggled.connect(lambda _on: self.refresh())
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self._update_buttons())
        self.hold_button.clicked.connect(self.place_hold)
        self.release_button.clicked.connect(self.release_hold)
        self.dispose_button.clicked.connect(self.dispose_selected)
        self._update_buttons()

    # --- the session ----------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    @property
    def loading(self) -> bool:
        return self.lane.busy

    def _allowed(self) -> bool:
        return self._session.can(Permission.REVIEW_RETENTION)

    def set_session(self, session: Session) -> None:
        self._session = session
        self.lane.set_session(session)
        if self.isVisible():
            self.refresh()

    def on_lock(self) -> None:
        self._generation += 1
        self.lane.shutdown()
        self.model.set_items([])
        self.summary.setText("")
        self.message.clear()
        self.done_bar.hide()
        for dialog in (self.hold_dialog, self.dispose_dialog):
            if dialog is not None:
                dialog.reject()
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self.refresh()

    # --- loading --------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._allowed():
            return
        self._loaded_once = True
        self._generation += 1
        generation = self._generation
        include_held = self.include_held.isChecked()
        if not self.model.rowCount():
            self.summary.setText("Loading…")

        def load(session: Session) -> tuple[RetentionSchedule, list[ReviewItem]]:
            return get_schedule(session), review_queue(session, include_held=include_held)

        self.lane.submit(load, lambda result: self._loaded(generation, result),
                         lambda exc: self._failed(generation, exc), key="retention-queue")

    def _loaded(self, generation: int,
                result: tuple[RetentionSchedule, list[ReviewItem]]) -> None:
        if generation != self._generation:
            return
        schedule, items = result
        self.schedule_label.setText(f"Schedule: {schedule.describe()}")
        selected = set(self.selected_refs())
        self.model.set_items(items)
        self._select_rows([row for row, item in enumerate(items) if item.ref in selected])
        due = sum(1 for i in items if i.can_dispose)
        held = sum(1 for i in items if i.legal_hold)
        if not items:
            text = "No closed case is past its keep-until date."
        else:
            text = (f"{len(items):,} {'case is' if len(items) == 1 else 'cases are'} past "
                    f"the keep-until date; {due:,} can be disposed of today.")
            if held:
                text += f" {held:,} on legal hold."
        self.summary.setText(text)
        self._update_buttons()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.summary.setText("")
        self.message.show_message(user_message(
            exc, "The review queue could not be loaded. Press F5 to try again."))

    # --- selection ------------------------------------------------------------------

    def selected_items(self) -> list[ReviewItem]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.item(r) for r in rows if 0 <= r < self.model.rowCount()]

    def selected_refs(self) -> list[str]:
        return [i.ref for i in self.selected_items()]

    def _select_rows(self, rows: Sequence[int]) -> None:
        """Select exactly ``rows`` (whatever modifier keys happen to be down)."""
        selection = QItemSelection()
        for row in rows:
            selection.select(self.model.index(row, 0),
                             self.model.index(row, self.model.columnCount() - 1))
        flags = QItemSelectionModel.SelectionFlag
        chooser = self.table.selectionModel()
        chooser.select(selection, flags.ClearAndSelect | flags.Rows)
        if rows:
            chooser.setCurrentIndex(self.model.index(rows[0], 0), flags.NoUpdate)
        self._update_buttons()

    def select_ref(self, ref: str) -> bool:
        rows = [row for row, item in enumerate(self.model.items) if item.ref == ref]
        if rows:
            self._select_rows(rows[:1])
        return bool(rows)

    def _update_buttons(self) -> None:
        items = self.selected_items()
        self.hold_button.setEnabled(bool(items) and all(not i.legal_hold for i in items))
        self.release_button.setEnabled(bool(items) and all(i.legal_hold for i in items))
        self.dispose_button.setEnabled(bool(items) and all(i.can_dispose for i in items))

    # --- actions --------------------------------------------------------------------

    def _run(self, work: Any, done: Any) -> None:
        self.message.clear()
        for b in (self.hold_button, self.release_button, self.dispose_button):
            b.setEnabled(False)
        self.lane.submit(work, done, self._action_failed)

    def _action_failed(self, exc: BaseException) -> None:
        self.message.show_message(user_message(exc))
        self._update_buttons()
        self.refresh()

    def place_hold(self) -> None:
        self._ask_reason(True)

    def release_hold(self) -> None:
        self._ask_reason(False)

    def _ask_reason(self, placing: bool) -> None:
        refs = self.selected_refs()
        if not refs:
            return
        dialog = ReasonDialog(refs, placing, self)
        self.hold_dialog = dialog

        def accepted() -> None:
            reason = dialog.reason_text()
            change = set_legal_hold if placing else release_legal_hold

            def work(session: Session) -> list[str]:
                for ref in refs:
                    change(session, ref, reason)
                return refs

            self._run(work, lambda done: self._held(done, placing))

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: setattr(self, "hold_dialog", None))
        dialog.open()

    def _held(self, refs: list[str], placing: bool) -> None:
        what = ", ".join(refs)
        self.done_bar.set_tone(Tone.SUCCESS)
        self.done_bar.label.setText(f"Legal hold placed on {what}." if placing
                                    else f"Legal hold released on {what}.")
        self.done_bar.show()
        self.refresh()

    def dispose_selected(self) -> None:
        refs = self.selected_refs()
        if not refs:
            return

        def work(session: Session) -> list[DisposalChecklist]:
            return [disposal_checklist(session, ref) for ref in refs]

        self._run(work, self._show_dispose_dialog)

    def _show_dispose_dialog(self, checklists: list[DisposalChecklist]) -> None:
        self._update_buttons()
        dialog = DisposeDialog(checklists, self)
        self.dispose_dialog = dialog

        def accepted() -> None:
            refs = dialog.refs

            def work(session: Session) -> DisposalOutcome:
                return dispose(session, refs)

            self._run(work, self._disposed)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: setattr(self, "dispose_dialog", None))
        dialog.open()

    def _disposed(self, outcome: DisposalOutcome) -> None:
        self.last_outcome = outcome
        refs = ", ".join(d.ref for d in outcome.disposed)
        text = f"Disposed of {refs}."
        if outcome.paper_checklist:
            text += " Now shred the paper records by hand: " + "; ".join(
                outcome.paper_checklist)
            self.done_bar.set_tone(Tone.WARNING)
        else:
            self.done_bar.set_tone(Tone.SUCCESS)
        self.done_bar.label.setText(text)
        self.done_bar.label.setAccessibleName(f"Disposal done: {text}")
        self.done_bar.show()
        self.refresh()
