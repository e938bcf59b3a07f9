"""Reviewing the records gathered for a subject access request, item by item.

The list on the left holds every gathered item with its effective decision
and whether a manager has confirmed it (``suggested`` / ``accepted`` /
``confirmed`` / ``stale``). The selected item's full text is shown read-only;
select any text and press "Redact selection" (R) to redact it for the chosen
exemption. Redactions show white on black, and are listed with their codes
so any can be removed. Disclose (D), Withhold (W) and Accept suggestion save
at once through ``services.sar.save_decision``, so a review can be left and
resumed. Up and Down move through the items.

The extract review (``ui.extract_review``) is built from the same pieces, in
its own words: ``ReviewModel``, ``ReviewTable``, ``ItemPane`` (with
``RedactionTextEdit`` and ``RedactionList``) and ``exemption_box``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from enum import IntEnum
from typing import Any, ClassVar

from PySide6.QtCore import (
    QObject,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import InvalidInput, SendiassError
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision, ItemDecision, Span
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar import DecisionState, ReviewItemView
from sendiass_desktop.services.sar_gather import ReviewItem
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import GuardedTextEdit, button, uk_date, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, ModelIndex, marked_cell
from sendiass_desktop.ui.text_positions import TextPositions
from sendiass_desktop.ui.theme import Tone, heading_font

STATE_TEXT = {
    DecisionState.SUGGESTED: "Suggested",
    DecisionState.ACCEPTED: "Suggestion accepted",
    DecisionState.CONFIRMED: "Confirmed",
    DecisionState.STALE: "Stale: changed since",
}


class ReviewColumn(IntEnum):
    CATEGORY = 0
    TITLE = 1
    DATE = 2
    DECISION = 3
    STATE = 4


def decision_text(d: ItemDecision) -> str:
    if d.decision is Decision.WITHHOLD:
        return f"Withhold ({d.exemption.code if d.exemption else '?'})"
    if d.decision is Decision.REDACT:
        n = len(d.spans)
        return f"Redact ({n} {'part' if n == 1 else 'parts'})"
    return "Disclose"


class ReviewModel(HeaderedTableModel):
    """The gathered items with their decisions, in a SAR's words.

    A review with other words (an extract's) overrides ``HEADERS``,
    ``decision_label``, ``state_label`` and ``reason_label``; the rest is the
    same table.
    """

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Category", "Title", "Date", "Decision", "Review")  # in ReviewColumn order

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._views: list[ReviewItemView] = []

    def decision_label(self, v: ReviewItemView) -> str:
        return decision_text(v.decision)

    def state_label(self, v: ReviewItemView) -> str:
        return STATE_TEXT[v.state]

    def reason_label(self, v: ReviewItemView) -> str:
        """Why the app suggests what it does (the review column's tooltip)."""
        return v.item.suggestion_reason

    def set_views(self, views: list[ReviewItemView]) -> None:
        self.beginResetModel()
        self._views = list(views)
        self.endResetModel()

    def views(self) -> list[ReviewItemView]:
        return list(self._views)

    def view_at(self, row: int) -> ReviewItemView:
        return self._views[row]

    def replace_view(self, row: int, view: ReviewItemView) -> None:
        self._views[row] = view
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(ReviewColumn) - 1))

    def _row_count(self) -> int:
        return len(self._views)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._views):
            return None
        v = self._views[index.row()]
        column = ReviewColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column is ReviewColumn.CATEGORY:
                return v.item.category
            if column is ReviewColumn.TITLE:
                return v.item.title
            if column is ReviewColumn.DATE:
                return uk_date(v.item.on, "—")
            if column is ReviewColumn.DECISION:
                return self.decision_label(v)
            return self.state_label(v)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is ReviewColumn.STATE:
                return self.reason_label(v)
            if column is ReviewColumn.TITLE:
                return v.item.title
        if column is ReviewColumn.STATE and v.state is DecisionState.STALE:
            return marked_cell(role, Tone.WARNING, bold=False)
        return None


def summary_text(views: list[ReviewItemView]) -> str:
    states = Counter(v.state for v in views)
    decisions = Counter(v.decision.decision for v in views)
    return (f"{len(views):,} items — {states[DecisionState.CONFIRMED]:,} confirmed, "
            f"{states[DecisionState.ACCEPTED]:,} suggestions accepted, "
            f"{states[DecisionState.SUGGESTED]:,} not yet reviewed, "
            f"{states[DecisionState.STALE]:,} stale. "
            f"Disclose {decisions[Decision.DISCLOSE]:,}, redact {decisions[Decision.REDACT]:,}, "
            f"withhold {decisions[Decision.WITHHOLD]:,}.")


class ReviewTable(QTableView):
    """The list of gathered items: one whole row at a time, the title taking the room."""

    def __init__(self, model: ReviewModel, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.review_model = model
        self.setModel(model)
        self.setAccessibleName(name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setAccessibleName("Item rows")
        header = self.horizontalHeader()
        header.setAccessibleName("Item columns")
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReviewColumn.TITLE, QHeaderView.ResizeMode.Stretch)

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def current_view(self) -> ReviewItemView | None:
        row = self.current_row()
        model = self.review_model
        return model.view_at(row) if 0 <= row < model.rowCount() else None

    def select_key(self, key: str) -> None:
        for row, v in enumerate(self.review_model.views()):
            if v.key == key:
                self.selectRow(row)
                return


def exemption_box(parent: QWidget, name: str, items_name: str,
                  exemptions: Iterable[Exemption], min_chars: int) -> QComboBox:
    """A choice of exemption, shown as "code — label"."""
    box = QComboBox(parent)
    box.setAccessibleName(name)
    box.view().setAccessibleName(items_name)
    for e in exemptions:
        box.addItem(f"{e.code} — {e.label}", e)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(min_chars)
    return box


def chosen_exemption(box: QComboBox) -> Exemption:
    value = box.currentData()
    return value if isinstance(value, Exemption) else Exemption.THIRD_PARTY


class RedactionList(QListWidget):
    """One item's redactions, each "[code] “words”", so any of them can be removed."""

    def __init__(self, name: str, rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setMaximumHeight(self.fontMetrics().height() * rows + 12)

    def show_spans(self, text: str, spans: tuple[Span, ...]) -> None:
        self.clear()
        for span in spans:
            words = text[span.start:span.end].replace("\n", " ")
            if len(words) > 60:
                words = words[:57] + "…"
            entry = QListWidgetItem(f"[{span.exemption.code}] “{words}”")
            entry.setToolTip(span.exemption.label)
            entry.setData(Qt.ItemDataRole.UserRole, span)
            self.addItem(entry)
        if self.count():
            self.setCurrentRow(0)

    def current_span(self) -> Span | None:
        entry = self.currentItem()
        span = entry.data(Qt.ItemDataRole.UserRole) if entry is not None else None
        return span if isinstance(span, Span) else None


class _CodeGutter(QWidget):
    """The right-hand margin of the item text: each redaction's code beside its line."""

    def __init__(self, editor: RedactionTextEdit) -> None:
        super().__init__(editor)
        self._editor = editor

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        used: list[int] = []
        for span in self._editor.spans:
            cursor = QTextCursor(self._editor.document())
            cursor.setPosition(min(self._editor.positions.to_qt(span.start),
                                   self._editor.document().characterCount() - 1))
            y = self._editor.cursorRect(cursor).top()
            if y < 0 or y > self.height() or any(abs(y - u) < metrics.height() for u in used):
                continue
            used.append(y)
            text = span.exemption.code
            width = min(self.width() - 4, metrics.horizontalAdvance(text) + 8)
            rect = QRect(2, y, width, metrics.height() + 2)
            painter.fillRect(rect, QColor("black"))
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class RedactionTextEdit(GuardedTextEdit):
    """Read-only item text; redactions white on black, with their codes in the margin."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Item text", parent, read_only=True)
        self.spans: tuple[Span, ...] = ()
        self.positions = TextPositions.of("")
        self.gutter = _CodeGutter(self)
        self._gutter_width = self.fontMetrics().horizontalAdvance("S2P1-CRIME") + 16
        self.setViewportMargins(0, 0, self._gutter_width, 0)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.gutter.update())

    def setPlainText(self, text: str) -> None:
        self.positions = TextPositions.of(text)
        super().setPlainText(text)

    def set_spans(self, spans: tuple[Span, ...]) -> None:
        self.spans = spans
        self.gutter.update()

    def show_redactions(self, spans: tuple[Span, ...]) -> None:
        """Show ``spans`` of the text white on black, each with its code in the margin."""
        end = max(0, self.document().characterCount() - 1)
        selections = []
        for span in spans:
            selection = QTextEdit.ExtraSelection()
            cursor = self.textCursor()
            cursor.setPosition(min(self.positions.to_qt(span.start), end))
            cursor.setPosition(min(self.positions.to_qt(span.end), end),
                               QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("black"))
            fmt.setForeground(QColor("white"))
            fmt.setToolTip(f"Redacted: {span.exemption.code} — {span.exemption.label}")
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)
        self.set_spans(spans)

    def selected_span(self, item: ReviewItem, exemption: Exemption) -> Span:
        """The selected words of ``item``'s text, to redact (``InvalidInput`` if none)."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            raise InvalidInput("Select the words to redact in the item's text first.")
        positions = self.positions if self.positions.text == item.text else TextPositions.of(
            item.text)
        return sar_service.select_span(item, positions.start_from_qt(cursor.selectionStart()),
                                       positions.end_from_qt(cursor.selectionEnd()), exemption)

    def clear_selection(self) -> None:
        """Drop the text selection, so a new redaction shows black rather than selected."""
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self.gutter.setGeometry(QRect(rect.right() - self._gutter_width - self._scroll_width(),
                                      rect.top(), self._gutter_width, rect.height()))

    def _scroll_width(self) -> int:
        bar = self.verticalScrollBar()
        return bar.width() if bar.isVisible() else 0


class ItemPane(QWidget):
    """The selected item: why the app suggests what it does, its text (redactions white
    on black), the caller's rows of buttons, then its redactions with a Remove button."""

    def __init__(self, parent: QWidget, *, reason_name: str, list_label: str,
                 list_name: str, list_rows: int) -> None:
        super().__init__(parent)
        self.reason = HintLabel("", self)
        self.reason.setAccessibleName(reason_name)
        self.text = RedactionTextEdit(self)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.redactions = RedactionList(list_name, list_rows, self)
        self.remove_button = button("Remo&ve redaction", "Remove the chosen redaction", self)
        self._rows = QVBoxLayout()
        label = QLabel(list_label, self)
        label.setBuddy(self.redactions)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_button)
        remove_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.reason)
        layout.addWidget(self.text, 1)
        layout.addLayout(self._rows)
        layout.addWidget(label)
        layout.addWidget(self.redactions)
        layout.addLayout(remove_row)

    def add_row(self, *widgets: QWidget, grow: QWidget | None = None) -> None:
        """A row of controls under the text; ``grow`` takes the spare width, else the row
        keeps to the left."""
        row = QHBoxLayout()
        for w in widgets:
            row.addWidget(w, 1 if w is grow else 0)
        if grow is None:
            row.addStretch(1)
        self._rows.addLayout(row)


class SarReviewWindow(QWidget):
    """A window of its own: the review of one request's gathered records."""

    closed = Signal()

    def __init__(self, session: Session, sar_id: int, ref: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._session = session
        self.sar_id = sar_id
        self.setWindowTitle(f"Review {ref}")
        self.setAccessibleName(f"Review of subject access request {ref}")
        heading = QLabel(f"Review records for {ref}", self)
        heading.setFont(heading_font(self, 1.3))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Review summary")
        self.message = InlineMessage(self, "Review message")

        self.model = ReviewModel(self)
        self.table = ReviewTable(self.model, "Gathered items", self)

        pane = ItemPane(self, reason_name="Why the app suggests this",
                        list_label="Redactions in this item:",
                        list_name="Redactions in this item", list_rows=5)
        self.reason, self.text = pane.reason, pane.text
        self.redactions, self.remove_button = pane.redactions, pane.remove_button
        self.exemption = exemption_box(self, "Exemption", "Exemptions", Exemption, 30)
        exemption_label = QLabel("E&xemption:", self)
        exemption_label.setBuddy(self.exemption)

        self.redact_button = button("&Redact selection", "Redact selection (R)", self,
                                    tip="Redact the selected text for the chosen exemption (R)")
        self.disclose_button = button("&Disclose", "Disclose in full (D)", self)
        self.withhold_button = button("&Withhold", "Withhold for the chosen exemption (W)",
                                      self)
        self.accept_button = button("Accept &suggestion", parent=self)
        self.accept_all_button = button("Accept &all remaining suggestions", parent=self)
        self.close_button = button("Close", parent=self)
        self.redact_button.clicked.connect(self.redact_selection)
        self.remove_button.clicked.connect(self.remove_redaction)
        self.disclose_button.clicked.connect(self.disclose)
        self.withhold_button.clicked.connect(self.withhold)
        self.accept_button.clicked.connect(self.accept_suggestion)
        self.accept_all_button.clicked.connect(self.accept_all)
        self.close_button.clicked.connect(self.close)

        for key, slot in (("D", self.disclose), ("W", self.withhold),
                          ("R", self.redact_selection)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        pane.add_row(exemption_label, self.exemption, grow=self.exemption)
        pane.add_row(self.redact_button, self.disclose_button, self.withhold_button,
                     self.accept_button)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([620, 640])

        hint = HintLabel("Up and Down move through the items. D discloses, W withholds, "
                         "R redacts the selected text. Every decision is saved at once.", self)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.accept_all_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        self.resize(1200, 720)

        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_current())
        self.load()
        if self.model.rowCount():
            self.table.selectRow(0)
        self.table.setFocus()

    # --- loading and showing ---------------------------------------------------------------

    def load(self) -> None:
        """Gather the items (raises ``SendiassError`` if the request cannot be reviewed)."""
        row = self.current_row()
        views = sar_service.review_items(self._session, self.sar_id)
        self.model.set_views(views)
        self.summary.setText(summary_text(views))
        if 0 <= row < len(views):
            self.table.selectRow(row)
        self._show_current()

    def current_row(self) -> int:
        return self.table.current_row()

    def current_view(self) -> ReviewItemView | None:
        return self.table.current_view()

    def select_item(self, key: str) -> None:
        self.table.select_key(key)

    def _show_current(self) -> None:
        v = self.current_view()
        if v is None:
            self.redactions.clear()
            self.text.setPlainText("")
            self.reason.setText("")
            self._update_buttons()
            return
        if self.text.toPlainText() != v.item.text:
            self.text.setPlainText(v.item.text)
        reason = f"{STATE_TEXT[v.state]}: {decision_text(v.decision)}."
        if v.item.suggestion_reason:
            reason += f" App's suggestion: {decision_text(v.item.suggestion)} — " \
                      f"{v.item.suggestion_reason}"
        self.reason.setText(reason)
        # A withheld item is shown blacked out whole, under its exemption's code.
        withheld = v.decision.decision is Decision.WITHHOLD
        self.text.show_redactions(
            (Span(0, len(v.item.text), v.decision.exemption),)
            if withheld and v.decision.exemption and v.item.text else v.decision.spans)
        self.redactions.show_spans(v.item.text, v.decision.spans)
        self._update_buttons()

    def _update_buttons(self) -> None:
        v = self.current_view()
        has = v is not None
        self.disclose_button.setEnabled(has)
        self.withhold_button.setEnabled(has)
        self.accept_button.setEnabled(has and v is not None and not v.decided)
        self.redact_button.setEnabled(has and v is not None and v.item.redactable)
        self.remove_button.setEnabled(self.redactions.count() > 0)
        self.accept_all_button.setEnabled(any(not x.decided for x in self.model.views()))

    # --- decisions ------------------------------------------------------------------------------

    def chosen_exemption(self) -> Exemption:
        return chosen_exemption(self.exemption)

    def set_exemption(self, exemption: Exemption) -> None:
        self.exemption.setCurrentIndex(self.exemption.findData(exemption))

    def _save(self, decision: ItemDecision) -> bool:
        row = self.current_row()
        try:
            saved = sar_service.save_decision(self._session, self.sar_id, decision)
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return False
        self.message.clear()
        self.model.replace_view(row, saved)
        self.summary.setText(summary_text(self.model.views()))
        self.text.clear_selection()
        self._show_current()
        return True

    def redact_selection(self) -> None:
        v = self.current_view()
        if v is None:
            return
        try:
            span = self.text.selected_span(v.item, self.chosen_exemption())
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return
        current = v.decision if v.decision.decision is Decision.REDACT else None
        if v.decision.decision is Decision.WITHHOLD:
            current = None  # redacting a withheld item discloses the rest
        self._save(sar_service.add_span(v.item, current, span))

    def remove_redaction(self) -> None:
        v = self.current_view()
        span = self.redactions.current_span()
        if v is None or span is None:
            return
        self._save(sar_service.remove_span(v.item, v.decision, span))

    def disclose(self) -> None:
        v = self.current_view()
        if v is not None:
            self._save(sar_service.disclose(v.key, v.decision.note))

    def withhold(self) -> None:
        v = self.current_view()
        if v is not None:
            self._save(sar_service.withhold(v.key, self.chosen_exemption(), v.decision.note))

    def accept_suggestion(self) -> None:
        v = self.current_view()
        if v is not None:
            self._save(replace(v.item.suggestion, suggested=False))

    def accept_all(self) -> None:
        try:
            filled = sar_service.accept_suggested(self._session, self.sar_id)
            self.load()
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return
        self.message.show_message(f"The app's suggestion was accepted for {filled:,} "
                                  f"{'item' if filled == 1 else 'items'}.", Tone.SUCCESS)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.text.setPlainText("")
        self.model.set_views([])
        super().closeEvent(event)
        self.closed.emit()
