"""Choosing what goes into an extract, item by item: one screen, one set of words.

Both extracts use it: the disclosure extract (``ui.disclosure_dialog``, to an
agency with the family's consent) and the extract for a legal request
(``ui.legal_requests_view``). A subject access request keeps its own review
and its own words (``ui.sar_review``: disclose, withhold, redact); this one
reuses that review's table, redaction text and redaction list.

For each item the officer chooses: **Include in full** (I), **Leave out** (L),
or **Redact** the selected words (R) for a chosen reason; "Use the app's
suggestion" undoes a choice. Every choice is checked with
``services.disclosure.check_extract_decision``: what this user may not send
(a young person's confidences, a deleted record, or, for an officer, a
restricted or safeguarding record) is not offered, and the reason is shown.
Choices stay in memory (an extract draft is not stored) until the extract is
built from ``decisions()``; items not chosen take the app's suggestion.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision, ItemDecision
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services import disclosure, sar_gather
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.disclosure import ExtractDraft, ExtractResult
from sendiass_desktop.services.sar import DecisionState, ReviewItemView
from sendiass_desktop.services.sar_gather import ReviewItem
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import button, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.read_only import show_edit_controls
from sendiass_desktop.ui.sar_review import (
    ItemPane,
    ReviewModel,
    ReviewTable,
    chosen_exemption,
    exemption_box,
)
from sendiass_desktop.ui.sizing import expand_horizontally

# --- the words -----------------------------------------------------------------------------

INCLUDED = "Included in full"
LEFT_OUT = "Left out"
KEYS_HINT = (
    "Up and Down move through the items. I includes an item in full, L leaves it out, "
    "R redacts the selected words. Items you do not choose follow the app's suggestion. "
    "What a young person said in confidence is never sent; only a manager can send a "
    "restricted or safeguarding record.")


# The app's reasons for its suggestions, said for an extract rather than a SAR (an item is
# sent or left out, not disclosed or withheld); a reason not listed is shown as it is.
EXTRACT_REASONS = {
    # The refusal shown after it says it is never sent.
    sar_gather.REASON_YP: (
        "Told to the service in confidence by the young person (confidentiality rule 3)."),
    sar_gather.REASON_YP_CASE: (
        "From the young person's own case (they use the service themselves): not sent to "
        "anyone without the young person's agreement (rule 3)."),
    sar_gather.REASON_RESTRICTED: (
        "Restricted note: left out unless a manager decides it can be sent (it usually holds "
        "information about other people)."),
    sar_gather.REASON_SAFEGUARDING: (
        "Safeguarding record: left out unless a manager decides sending it would not put "
        "anyone at risk."),
    sar_gather.REASON_DELETED_DOCUMENT: (
        "Deleted document: check it belongs to this family before including it."),
    sar_gather.REASON_DOC_WITH_NOTE: "Attached to a note that is left out unless you choose.",
    sar_gather.REASON_DOCUMENT: (
        "Check the document for information about other people: a document cannot be partly "
        "redacted, only included in full or left out."),
    sar_gather.REASON_DISCLOSE: "Nothing found that needs leaving out or redacting.",
}


def extract_reason(item: ReviewItem) -> str:
    """Why the app suggests what it does for this item, in an extract's words."""
    return EXTRACT_REASONS.get(item.suggestion_reason, item.suggestion_reason)


def _parts(n: int) -> str:
    return f"{n:,} {'part' if n == 1 else 'parts'}"


def extract_decision_text(d: ItemDecision) -> str:
    """What happens to an item in the extract: "Included in full", "Left out"…"""
    if d.decision is Decision.WITHHOLD:
        return LEFT_OUT
    if d.decision is Decision.REDACT:
        return f"Included, {_parts(len(d.spans))} redacted"
    return INCLUDED


def counts_text(included: int, redacted: int, left_out: int) -> str:
    """"4 included in full, 1 with parts redacted, 2 left out" (summaries and results)."""
    return (f"{included:,} included in full, {redacted:,} with parts redacted, "
            f"{left_out:,} left out")


def extract_summary(views: list[ReviewItemView]) -> str:
    count = {d: sum(1 for v in views if v.decision.decision is d) for d in Decision}
    chosen = sum(1 for v in views if v.state is DecisionState.CONFIRMED)
    items = "item" if len(views) == 1 else "items"
    counts = counts_text(count[Decision.DISCLOSE], count[Decision.REDACT],
                         count[Decision.WITHHOLD])
    return (f"{len(views):,} {items}: {counts}. You chose {chosen:,}; the rest follow the "
            "app's suggestion.")


def result_text(result: ExtractResult) -> str:
    """What a built extract holds, in the same words as the review."""
    return counts_text(result.disclosed, result.redacted, result.left_out) + "."


class ExtractReviewModel(ReviewModel):
    """The SAR review's table, in an extract's words."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "Category", "Title", "Date", "In the extract", "Chosen by")  # in ReviewColumn order

    def decision_label(self, v: ReviewItemView) -> str:
        return extract_decision_text(v.decision)

    def state_label(self, v: ReviewItemView) -> str:
        return "You" if v.state is DecisionState.CONFIRMED else "The app"

    def reason_label(self, v: ReviewItemView) -> str:
        return extract_reason(v.item)


# --- the panel -------------------------------------------------------------------------------


class ExtractReviewPanel(QWidget):
    """A draft's items: include in full, leave out, or redact words. Kept in memory."""

    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Items in the extract")
        self._session = session
        self.draft: ExtractDraft | None = None
        self._chosen: dict[str, ItemDecision] = {}

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Extract summary")
        expand_horizontally(self.summary)
        self.message = InlineMessage(self, "Review message")
        self.model = ExtractReviewModel(self)
        self.table = ReviewTable(self.model, "Items gathered from the case", self)

        pane = ItemPane(self, reason_name="What happens to this item, and why",
                        list_label="Redacted parts of this item:",
                        list_name="Redacted parts of this item", list_rows=4)
        self.reason, self.text = pane.reason, pane.text
        self.redactions, self.remove_button = pane.redactions, pane.remove_button
        # "Not personal data" is a reason to leave a whole item out, not to redact words.
        self.exemption = exemption_box(
            self, "Reason for redacting", "Reasons for redacting",
            (e for e in Exemption if e is not Exemption.NOT_PERSONAL_DATA), 24)
        self.exemption_label = QLabel("Reason for redac&ting:", self)
        self.exemption_label.setBuddy(self.exemption)

        self.include_button = button("&Include in full", "Include in full (I)", self,
                                     tip="Include the whole item in the extract (I)")
        self.leave_out_button = button("&Leave out", "Leave out (L)", self,
                                       tip="Leave the item out of the extract (L)")
        self.redact_button = button("&Redact selection", "Redact the selected words (R)", self,
                                    tip="Redact the selected words for the chosen reason (R)")
        self.suggestion_button = button("Use the app's &suggestion", parent=self,
                                        tip="Undo your choice for this item")
        self.include_button.clicked.connect(self.include)
        self.leave_out_button.clicked.connect(self.leave_out)
        self.redact_button.clicked.connect(self.redact_selection)
        self.remove_button.clicked.connect(self.remove_redaction)
        self.suggestion_button.clicked.connect(self.use_suggestion)
        # Anywhere in the window while the panel shows (a hidden page's shortcuts never fire).
        self._shortcuts: list[QShortcut] = []
        for key, slot in (("I", self.include), ("L", self.leave_out),
                          ("R", self.redact_selection)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)

        pane.add_row(self.include_button, self.leave_out_button, self.suggestion_button)
        pane.add_row(self.exemption_label, self.exemption, self.redact_button,
                     grow=self.exemption)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 6)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([660, 420])
        self.hint = HintLabel(KEYS_HINT, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.hint)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show())
        self._apply_role()

    def balance(self) -> None:
        """Give the list of items a little more room than the text (call once shown)."""
        total = sum(self.splitter.sizes())
        if total > 0:
            self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])

    # --- the session ---------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    def set_session(self, session: Session) -> None:
        """After unlocking: the choices are kept; the new session checks them from now on."""
        self._session = session
        self._apply_role()
        self._show()

    @property
    def writable(self) -> bool:
        return self._session.can(Permission.WRITE_CASES)

    def _apply_role(self) -> None:
        # Read-only roles (inspectors) never reach an extract, and every service checks
        # again; should one see this panel, it offers nothing to choose.
        writable = self.writable
        show_edit_controls(writable, (self.include_button, self.leave_out_button,
                                      self.suggestion_button, self.redact_button,
                                      self.remove_button, self.exemption,
                                      self.exemption_label))
        for shortcut in self._shortcuts:
            shortcut.setEnabled(writable)
        self.hint.setVisible(writable)

    # --- the draft ----------------------------------------------------------------------------

    def set_draft(self, draft: ExtractDraft | None) -> None:
        self.draft = draft
        self._chosen = {}
        self.message.clear()
        self._reload()
        if self.model.rowCount():
            self.table.selectRow(0)

    def decisions(self) -> dict[str, ItemDecision]:
        """The officer's own choices (items not here take the app's suggestion)."""
        return dict(self._chosen)

    def views(self) -> list[ReviewItemView]:
        return self.model.views()

    def sends_anything(self) -> bool:
        """At least one item goes into the extract (the build refuses an empty one)."""
        return any(v.decision.decision is not Decision.WITHHOLD for v in self.views())

    def _view(self, item: ReviewItem) -> ReviewItemView:
        chosen = self._chosen.get(item.key)
        if chosen is None:
            return ReviewItemView(item, item.suggestion, DecisionState.SUGGESTED)
        return ReviewItemView(item, chosen, DecisionState.CONFIRMED, chosen)

    def _reload(self) -> None:
        items = self.draft.items if self.draft is not None else ()
        self.model.set_views([self._view(it) for it in items])
        self.summary.setText(extract_summary(self.model.views()) if items else "")
        self._show()

    def current_row(self) -> int:
        return self.table.current_row()

    def current_view(self) -> ReviewItemView | None:
        return self.table.current_view()

    def select_item(self, key: str) -> None:
        self.table.select_key(key)

    def _refusal(self, item: ReviewItem) -> str:
        """Why this user may not send the item (empty if they may)."""
        try:
            disclosure.check_extract_decision(self._session, item, sar_service.disclose(item.key))
        except SendiassError as exc:
            return str(exc)
        return ""

    def _show(self) -> None:
        v = self.current_view()
        if v is None:
            self.redactions.clear()
            self.text.setPlainText("")
            self.text.show_redactions(())
            self.reason.setText("")
            self._update_buttons(None, "")
            return
        if self.text.toPlainText() != v.item.text:
            self.text.setPlainText(v.item.text)
        refusal = self._refusal(v.item)
        why = extract_reason(v.item)
        if v.state is DecisionState.CONFIRMED:
            reason = f"{extract_decision_text(v.decision)} (your choice)."
            if why:
                suggested = extract_decision_text(v.item.suggestion).lower()
                reason += f" The app suggests: {suggested} — {why}"
        else:
            reason = f"{extract_decision_text(v.decision)} (the app's suggestion)" + (
                f": {why}" if why else ".")
        if refusal:
            reason += f" {refusal}"
        self.reason.setText(reason)
        # Only redacted words are blacked out: an item left out is simply not sent.
        spans = v.decision.spans if v.decision.decision is Decision.REDACT else ()
        self.text.show_redactions(spans)
        self.redactions.show_spans(v.item.text, spans)
        self._update_buttons(v, refusal)

    def _update_buttons(self, v: ReviewItemView | None, refusal: str) -> None:
        may_send = v is not None and not refusal
        redactable = may_send and v is not None and v.item.redactable
        self.include_button.setEnabled(may_send)
        self.redact_button.setEnabled(redactable)
        self.exemption.setEnabled(redactable)
        self.leave_out_button.setEnabled(v is not None)
        self.suggestion_button.setEnabled(v is not None and v.state is DecisionState.CONFIRMED)
        self.remove_button.setEnabled(self.redactions.count() > 0)

    # --- choices --------------------------------------------------------------------------------

    def chosen_exemption(self) -> Exemption:
        return chosen_exemption(self.exemption)

    def set_exemption(self, exemption: Exemption) -> None:
        self.exemption.setCurrentIndex(self.exemption.findData(exemption))

    def _choose(self, decision: ItemDecision | None) -> bool:
        """Record the choice for the current item (None: back to the app's suggestion)."""
        v = self.current_view()
        if v is None or not self.writable:
            return False
        try:
            if decision is not None:
                decision = disclosure.check_extract_decision(self._session, v.item, decision)
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return False
        self.message.clear()
        if decision is None:
            self._chosen.pop(v.key, None)
        else:
            self._chosen[v.key] = decision
        self.model.replace_view(self.current_row(), self._view(v.item))
        self.summary.setText(extract_summary(self.model.views()))
        self.text.clear_selection()
        self._show()
        self.changed.emit()
        return True

    def include(self) -> None:
        v = self.current_view()
        if v is not None and self.include_button.isEnabled():
            self._choose(sar_service.disclose(v.key))

    def leave_out(self) -> None:
        v = self.current_view()
        if v is not None:
            self._choose(disclosure.leave_out(v.key))

    def use_suggestion(self) -> None:
        self._choose(None)

    def redact_selection(self) -> None:
        v = self.current_view()
        if v is None or not self.redact_button.isEnabled():
            return
        try:
            span = self.text.selected_span(v.item, self.chosen_exemption())
        except SendiassError as exc:
            self.message.show_message(user_message(exc))
            return
        current = v.decision if v.decision.decision is Decision.REDACT else None
        self._choose(sar_service.add_span(v.item, current, span))

    def remove_redaction(self) -> None:
        v = self.current_view()
        span = self.redactions.current_span()
        if v is not None and span is not None:
            self._choose(sar_service.remove_span(v.item, v.decision, span))

    def clear(self) -> None:
        """Forget the draft and the choices (closing, or locking, the screen)."""
        self.set_draft(None)
