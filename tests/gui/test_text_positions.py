"""Redactions land on the selected words whatever the text holds (emoji, Windows line breaks).

Checked against a real QTextDocument: Qt counts UTF-16 units and turns "\\r\\n"
into one paragraph break, while redaction spans are indexes into the Python text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor, QTextDocument
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision, ItemDecision, Span
from sendiass_desktop.services.sar_gather import ItemKind, ReviewItem
from sendiass_desktop.ui.sar_review import RedactionTextEdit
from sendiass_desktop.ui.text_positions import TextPositions

_BREAKS = ("\r\n", "\r", "\n", "\u2028", "\u2029")
TEXTS = st.lists(st.sampled_from(["a", "b", " ", "é", "👍", "𝒜", "\r\n", "\r", "\n", "\u2028",
                                  "\t", "Gwen"]), max_size=30).map("".join)


def same_breaks(text: str) -> str:
    """Qt reports any line or paragraph break as U+2029 in a selection."""
    for mark in _BREAKS:
        text = text.replace(mark, "\n")
    return text


def selected(doc: QTextDocument, start: int, end: int) -> str:
    cursor = QTextCursor(doc)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return same_breaks(cursor.selectedText())


def _inside_crlf(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n"


@settings(max_examples=150, deadline=None)
@given(text=TEXTS, data=st.data())
def test_python_ranges_select_the_same_characters_in_qt(text: str, data: st.DataObject) -> None:
    doc = QTextDocument()
    doc.setPlainText(text)
    positions = TextPositions.of(text)
    assert positions.to_qt(len(text)) == doc.characterCount() - 1
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    if _inside_crlf(text, a) or _inside_crlf(text, b):
        return  # half a line break has no place in Qt's text
    assert selected(doc, positions.to_qt(a), positions.to_qt(b)) == same_breaks(text[a:b])


@settings(max_examples=150, deadline=None)
@given(text=TEXTS, data=st.data())
def test_qt_selections_map_to_the_same_python_text(text: str, data: st.DataObject) -> None:
    doc = QTextDocument()
    doc.setPlainText(text)
    positions = TextPositions.of(text)
    # Qt positions a cursor can really take (never inside a surrogate pair).
    steps = doc.characterCount() - 1
    first = data.draw(st.integers(0, steps))
    cursor = QTextCursor(doc)
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, n=first)
    start = cursor.position()
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter,
                        n=data.draw(st.integers(0, steps)))
    end = cursor.position()
    a, b = positions.start_from_qt(start), positions.end_from_qt(end)
    assert same_breaks(text[a:b]) == selected(doc, start, end)


def _note(text: str) -> ReviewItem:
    return ReviewItem(key="note:1", kind=ItemKind.NOTE, category="Case note", title="Meeting",
                      on=None, text=text, fields=(), body_start=0,
                      suggestion=ItemDecision("note:1", Decision.DISCLOSE),
                      suggestion_reason="")


def test_a_name_after_an_emoji_and_a_windows_line_break_is_redacted_exactly(
        qtbot: QtBot) -> None:
    text = "Mum 👍 rang 🙂 about the plan.\r\nHer neighbour Gwendolyn Hart said the bus was late."
    editor = RedactionTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText(text)
    # Select the name as a mouse drag does: by Qt's own positions.
    found = editor.document().find("Gwendolyn Hart")
    assert found.hasSelection()
    editor.setTextCursor(found)
    span = editor.selected_span(_note(text), Exemption.THIRD_PARTY)
    assert text[span.start:span.end] == "Gwendolyn Hart"
    # And a stored span is drawn over those same words.
    editor.show_redactions((Span(span.start, span.end, Exemption.THIRD_PARTY),))
    (bar,) = editor.extraSelections()
    assert bar.cursor.selectedText() == "Gwendolyn Hart"
