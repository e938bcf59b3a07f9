"""Reviewing the records gathered for a subject access request, item by item.

The list on the left holds every gathered item with its effective decision
and whether a manager has confirmed it (``suggested`` / ``accepted`` /
``confirmed`` / ``stale``). The selected item's full text is shown read-only;
select any text and press "Redact selection" (R) to redact it for the chosen
exemption. Redactions show white on black, and are listed with their codes
so any can be removed. Disclose (D), Withhold (W) and Accept suggestion save
at once through ``services.sar.save_decision``, so a review can be left and
resumed. Up and Down move through the items.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
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

from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision, ItemDecision, Span
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar import DecisionState, ReviewItemView
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import GuardedTextEdit, button, uk_date, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.theme import Tone, heading_font, is_dark, tone_colours

ModelIndex = QModelIndex | QPersistentModelIndex

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


HEADERS = {
    ReviewColumn.CATEGORY: "Category",
    ReviewColumn.TITLE: "Title",
    ReviewColumn.DATE: "Date",
    ReviewColumn.DECISION: "Decision",
    ReviewColumn.STATE: "Review",
}


def decision_text(d: ItemDecision) -> str:
    if d.decision is Decision.WITHHOLD:
        return f"Withhold ({d.exemption.code if d.exemption else '?'})"
    if d.decision is Decision.REDACT:
        n = len(d.spans)
        return f"Redact ({n} {'part' if n == 1 else 'parts'})"
    return "Disclose"


class ReviewModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._views: list[ReviewItemView] = []

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

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._views)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ReviewColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(ReviewColumn)):
            return HEADERS[ReviewColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

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
                return decision_text(v.decision)
            return STATE_TEXT[v.state]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is ReviewColumn.STATE:
                return v.item.suggestion_reason
            if column is ReviewColumn.TITLE:
                return v.item.title
        if column is ReviewColumn.STATE and v.state is DecisionState.STALE:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(tone_colours(Tone.WARNING, is_dark()).foreground))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(tone_colours(Tone.WARNING, is_dark()).background))
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
            cursor.setPosition(min(span.start, self._editor.document().characterCount() - 1))
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
        self.gutter = _CodeGutter(self)
        self._gutter_width = self.fontMetrics().horizontalAdvance("S2P1-CRIME") + 16
        self.setViewportMargins(0, 0, self._gutter_width, 0)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.gutter.update())

    def set_spans(self, spans: tuple[Span, ...]) -> None:
        self.spans = spans
        self.gutter.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self.gutter.setGeometry(QRect(rect.right() - self._gutter_width - self._scroll_width(),
                                      rect.top(), self._gutter_width, rect.height()))

    def _scroll_width(self) -> int:
        bar = self.verticalScrollBar()
        return bar.width() if bar.isVisible() else 0


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
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Gathered items")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setAccessibleName("Item rows")
        header = self.table.horizontalHeader()
        header.setAccessibleName("Item columns")
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReviewColumn.TITLE, QHeaderView.ResizeMode.Stretch)

        self.reason = HintLabel("", self)
        self.reason.setAccessibleName("Why the app suggests this")
        self.text = RedactionTextEdit(self)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.exemption = QComboBox(self)
        self.exemption.setAccessibleName("Exemption")
        self.exemption.view().setAccessibleName("Exemptions")
        for e in Exemption:
            self.exemption.addItem(f"{e.code} — {e.label}", e)
        self.exemption.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.exemption.setMinimumContentsLength(30)
        exemption_label = QLabel("E&xemption:", self)
        exemption_label.setBuddy(self.exemption)
        self.redactions = QListWidget(self)
        self.redactions.setAccessibleName("Redactions in this item")
        self.redactions.setMaximumHeight(self.fontMetrics().height() * 5 + 12)

        self.redact_button = button("&Redact selection", "Redact selection (R)", self,
                                    tip="Redact the selected text for the chosen exemption (R)")
        self.remove_button = button("Remo&ve redaction", parent=self)
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

        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 0, 0, 0)
        rl.addWidget(self.reason)
        rl.addWidget(self.text, 1)
        ex_row = QHBoxLayout()
        ex_row.addWidget(exemption_label)
        ex_row.addWidget(self.exemption, 1)
        rl.addLayout(ex_row)
        act_row = QHBoxLayout()
        for b in (self.redact_button, self.disclose_button, self.withhold_button,
                  self.accept_button):
            act_row.addWidget(b)
        act_row.addStretch(1)
        rl.addLayout(act_row)
        red_label = QLabel("Redactions in this item:", self)
        red_label.setBuddy(self.redactions)
        rl.addWidget(red_label)
        rl.addWidget(self.redactions)
        rm_row = QHBoxLayout()
        rm_row.addWidget(self.remove_button)
        rm_row.addStretch(1)
        rl.addLayout(rm_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
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
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_view(self) -> ReviewItemView | None:
        row = self.current_row()
        return self.model.view_at(row) if 0 <= row < self.model.rowCount() else None

    def select_item(self, key: str) -> None:
        for row, v in enumerate(self.model.views()):
            if v.key == key:
                self.table.selectRow(row)
                return

    def _show_current(self) -> None:
        v = self.current_view()
        self.redactions.clear()
        if v is None:
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
        self._highlight(v)
        for span in v.decision.spans:
            words = v.item.text[span.start:span.end].replace("\n", " ")
            if len(words) > 60:
                words = words[:57] + "…"
            item = QListWidgetItem(f"[{span.exemption.code}] “{words}”")
            item.setToolTip(span.exemption.label)
            item.setData(Qt.ItemDataRole.UserRole, span)
            self.redactions.addItem(item)
        if self.redactions.count():
            self.redactions.setCurrentRow(0)
        self._update_buttons()

    def _highlight(self, v: ReviewItemView) -> None:
        selections = []
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("black"))
        fmt.setForeground(QColor("white"))
        withheld = v.decision.decision is Decision.WITHHOLD
        spans = ([Span(0, len(v.item.text), v.decision.exemption)]
                 if withheld and v.decision.exemption and v.item.text else v.decision.spans)
        for span in spans:
            sel = QTextEdit.ExtraSelection()
            cursor = self.text.textCursor()
            cursor.setPosition(min(span.start, len(v.item.text)))
            cursor.setPosition(min(span.end, len(v.item.text)), cursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            span_fmt = QTextCharFormat(fmt)
            span_fmt.setToolTip(f"Redacted: {span.exemption.code} — {span.exemption.label}")
            sel.format = span_fmt
            selections.append(sel)
        self.text.setExtraSelections(selections)
        self.text.set_spans(tuple(spans))

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
        value = self.exemption.currentData()
        return value if isinstance(value, Exemption) else Exemption.THIRD_PARTY

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
        # Drop the text selection so the new redaction shows black, not selected.
        cursor = self.text.textCursor()
        cursor.clearSelection()
        self.text.setTextCursor(cursor)
        self._show_current()
        return True

    def redact_selection(self) -> None:
        v = self.current_view()
        if v is None:
            return
        cursor = self.text.textCursor()
        if not cursor.hasSelection():
            self.message.show_message("Select the words to redact in the item's text first.")
            return
        try:
            span = sar_service.select_span(v.item, cursor.selectionStart(),
                                           cursor.selectionEnd(), self.chosen_exemption())
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return
        current = v.decision if v.decision.decision is Decision.REDACT else None
        if v.decision.decision is Decision.WITHHOLD:
            current = None  # redacting a withheld item discloses the rest
        self._save(sar_service.add_span(v.item, current, span))

    def remove_redaction(self) -> None:
        v = self.current_view()
        item = self.redactions.currentItem()
        if v is None or item is None:
            return
        span: Span = item.data(Qt.ItemDataRole.UserRole)
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
