"""domain.redaction (and the SAR gathering's pure helpers): redaction happens before
rendering, so what these return is all the PDF writer ever sees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import (
    Decision,
    ItemDecision,
    Segment,
    Span,
    apply_redactions,
    merge_spans,
    suggest_spans,
)
from sendiass_desktop.services.sar_gather import (
    protected_ranges,
    segments_in_range,
    third_party_spans,
)

TP = Exemption.THIRD_PARTY
HARM = Exemption.SERIOUS_HARM


def covered(text: str, spans: tuple[Span, ...]) -> list[str]:
    return [text[s.start:s.end] for s in spans]


def rebuild(segments: tuple[Segment, ...], marker: str = "█") -> str:
    return "".join(marker if s.is_redaction else s.text for s in segments)


# --- spans and decisions ---------------------------------------------------------------------


def test_span_must_cover_something() -> None:
    with pytest.raises(InvalidInput):
        Span(3, 3, TP)
    with pytest.raises(InvalidInput):
        Span(-1, 2, TP)


def test_item_decision_rules() -> None:
    ItemDecision("note:1", Decision.DISCLOSE).validate(10)
    with pytest.raises(InvalidInput, match="exemption"):
        ItemDecision("note:1", Decision.WITHHOLD).validate(10)
    with pytest.raises(InvalidInput, match="Select"):
        ItemDecision("note:1", Decision.REDACT).validate(10)
    with pytest.raises(InvalidInput, match="past the end"):
        ItemDecision("note:1", Decision.REDACT, spans=(Span(5, 11, TP),)).validate(10)
    with pytest.raises(InvalidInput, match="in full"):
        ItemDecision("note:1", Decision.DISCLOSE, spans=(Span(0, 1, TP),)).validate(10)


# --- merge ---------------------------------------------------------------------------------------


def test_merge_overlapping_touching_and_separate() -> None:
    merged = merge_spans([Span(10, 12, HARM), Span(0, 5, TP), Span(3, 8, HARM), Span(8, 9, TP),
                          Span(11, 14, HARM)])
    # Different reasons keep their own bars; the same reason joins up.
    assert merged == (Span(0, 5, TP), Span(5, 8, HARM), Span(8, 9, TP), Span(10, 14, HARM))


def test_merge_contained_span() -> None:
    assert merge_spans([Span(0, 10, TP), Span(2, 4, HARM)]) == (Span(0, 10, TP),)


# --- apply ---------------------------------------------------------------------------------------


def test_apply_in_the_middle() -> None:
    segs = apply_redactions("Met Mrs Patel today", [Span(4, 13, TP)])
    assert segs == (Segment("Met "), Segment(redacted=TP), Segment(" today"))


def test_apply_at_both_edges() -> None:
    text = "Patel said no to Jones"
    segs = apply_redactions(text, [Span(0, 5, TP), Span(17, 22, TP)])
    assert segs == (Segment(redacted=TP), Segment(" said no to "), Segment(redacted=TP))


def test_apply_whole_text_and_nothing() -> None:
    assert apply_redactions("secret", [Span(0, 6, TP)]) == (Segment(redacted=TP),)
    assert apply_redactions("open", []) == (Segment("open"),)
    assert apply_redactions("", []) == ()


def test_apply_clips_spans_past_the_end() -> None:
    assert apply_redactions("abc", [Span(1, 99, TP), Span(50, 60, TP)]) == (
        Segment("a"), Segment(redacted=TP))


def test_overlapping_spans_keep_each_reason() -> None:
    segs = apply_redactions("0123456789", [Span(2, 5, TP), Span(4, 7, HARM)])
    assert segs == (Segment("01"), Segment(redacted=TP), Segment(redacted=HARM), Segment("789"))


def test_unicode_text() -> None:
    text = "Zoë met Siobhán Ó Briain 👋 at the café"
    start = text.index("Siobhán")
    end = start + len("Siobhán Ó Briain")
    segs = apply_redactions(text, [Span(start, end, TP)])
    assert rebuild(segs) == "Zoë met █ 👋 at the café"
    assert "Siobhán" not in "".join(s.text for s in segs)


# --- suggest -----------------------------------------------------------------------------------


def test_suggest_ignores_titles_and_roles() -> None:
    text = "Mrs Patel (class teacher) rang. Patel says the class teacher will call Mrs Smith."
    spans = suggest_spans(text, ["Mrs Patel (class teacher)"])
    assert covered(text, spans) == ["Mrs Patel (class teacher)", "Patel"]
    assert all(s.exemption is TP for s in spans)
    assert "class teacher will" in rebuild(apply_redactions(text, spans))


def test_suggest_whole_words_any_case() -> None:
    text = "PATEL and patel, but not Patelson or SuperPatel."
    assert covered(text, suggest_spans(text, ["Patel"])) == ["PATEL", "patel"]


def test_suggest_hyphenated_and_unicode_names() -> None:
    text = "Dr Ana Smith-Jones met Siobhán; later Jones and siobhán spoke."
    spans = suggest_spans(text, ["Dr Ana Smith-Jones", "Siobhán"])
    got = covered(text, spans)
    assert "Dr Ana Smith-Jones" in got or "Ana Smith-Jones" in got
    assert "Jones" in got and "Siobhán" in got and "siobhán" in got


def test_suggest_short_and_blank_names() -> None:
    assert suggest_spans("A B C", ["", " ", "A"]) == ()
    # Parts under three letters are not matched alone (too many false hits).
    assert covered("Al went out; Al Wu too", suggest_spans("Al went out; Al Wu too",
                                                           ["Al Wu"])) == ["Al Wu"]


def test_suggest_spans_use_the_exemption_given() -> None:
    spans = suggest_spans("Mr Khan", ["Mr Khan"], HARM)
    assert spans == (Span(0, 7, HARM),)


# --- the data subjects' own names are never suggested ---------------------------------------------


def test_subject_names_are_never_redacted() -> None:
    text = "Sarah Jones and Tom Jones met Mark Jones. Sarah said Tom is happier."
    spans = third_party_spans(text, ["Mark Jones"], ["Sarah Jones", "Tom Jones"])
    got = covered(text, spans)
    assert got == ["Mark Jones"]


def test_shared_surname_alone_is_still_suggested() -> None:
    # "Mr Jones" could be the father (a third party): the manager decides.
    text = "Mr Jones rang about Tom Jones."
    spans = third_party_spans(text, ["Mark Jones"], ["Sarah Jones", "Tom Jones"])
    assert covered(text, spans) == ["Jones"]


def test_protected_ranges_cover_full_names_and_unshared_parts() -> None:
    text = "Tom Jones; Tom; Jones"
    ranges = protected_ranges(text, ["Tom Jones"], ["Mark Jones"])
    assert sorted(text[a:b] for a, b in ranges) == ["Tom", "Tom", "Tom Jones"]
    assert all(text[a:b] != "Jones" for a, b in ranges)


# --- segments of one field ---------------------------------------------------------------------


def test_segments_in_range_clip_spans() -> None:
    text = "Name: Mark Jones\nBody text about Mark"
    start = text.index("Mark")
    spans = (Span(start, len(text), TP),)  # one selection across the field and the body
    name = segments_in_range(text, spans, 6, 16)
    assert name == (Segment(redacted=TP),)
    body_start = text.index("Body")
    body = segments_in_range(text, spans, body_start, len(text))
    assert body == (Segment(redacted=TP),)
    assert segments_in_range(text, (), body_start, len(text)) == (Segment("Body text about Mark"),)


# --- properties ----------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, tuple[Span, ...]]:
    text = draw(TEXT)
    limit = len(text) + 5
    pairs = draw(st.lists(st.tuples(st.integers(0, limit), st.integers(1, 10)), max_size=6))
    exemption = draw(st.sampled_from(list(Exemption)))
    return text, tuple(Span(a, a + n, exemption) for a, n in pairs)


def _expected_runs(text: str, spans: tuple[Span, ...]) -> list[str | None]:
    hidden = {i for s in spans for i in range(s.start, min(s.end, len(text)))}
    runs: list[str | None] = []
    current = ""
    for i, ch in enumerate(text):
        if i in hidden:
            if current:
                runs.append(current)
                current = ""
            if not runs or runs[-1] is not None:
                runs.append(None)
        else:
            current += ch
    if current:
        runs.append(current)
    return runs


@given(text_and_spans())
def test_apply_never_returns_text_inside_a_span(case: tuple[str, tuple[Span, ...]]) -> None:
    text, spans = case
    segments = apply_redactions(text, spans)
    pos = 0
    for seg in segments:
        if seg.is_redaction:
            assert seg.text == ""
            # skip the covered run
            while pos < len(text) and any(s.start <= pos < s.end for s in spans):
                pos += 1
        else:
            assert seg.text
            for offset in range(len(seg.text)):
                assert not any(s.start <= pos + offset < s.end for s in spans)
            assert text[pos:pos + len(seg.text)] == seg.text
            pos += len(seg.text)
    assert pos == len(text)


@given(text_and_spans())
def test_disclosed_text_and_markers_cover_the_rest_exactly(
        case: tuple[str, tuple[Span, ...]]) -> None:
    text, spans = case
    segments = apply_redactions(text, spans)
    got = [None if s.is_redaction else s.text for s in segments]
    assert got == _expected_runs(text, spans)


@given(text_and_spans(), st.integers(0, 70), st.integers(0, 70))
def test_segments_in_range_match_redacting_the_slice(case: tuple[str, tuple[Span, ...]],
                                                     a: int, b: int) -> None:
    text, spans = case
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    segments = segments_in_range(text, spans, start, end)
    got = [None if s.is_redaction else s.text for s in segments]
    # The same as if the whole text were redacted and then cut to the range.
    hidden = {i for s in spans for i in range(s.start, min(s.end, len(text)))}
    part = text[start:end]
    expected = _expected_runs(part, tuple(Span(i - start, i - start + 1, TP)
                                          for i in sorted(hidden) if start <= i < end))
    assert got == expected


@given(st.lists(st.sampled_from(["Mark Jones", "Mrs Patel (SENCO)", "Siobhán Ó Briain",
                                 "Tom Jones", "Sarah Jones"]), max_size=3),
       st.text(alphabet="abc XYZ.,", max_size=20))
def test_subject_names_never_inside_a_suggested_span(third: list[str], filler: str) -> None:
    subjects = ["Sarah Jones", "Tom Jones"]
    text = f"{filler} Sarah Jones and Tom Jones {filler} " + " ".join(third)
    spans = third_party_spans(text, [t for t in third if t not in subjects], subjects)
    for name in subjects:
        start = text.index(name)
        assert not any(s.start < start + len(name) and s.end > start for s in spans)


def test_touching_spans_with_different_exemptions_keep_both_codes() -> None:
    from sendiass_desktop.domain.exemptions import Exemption
    from sendiass_desktop.domain.redaction import Span, apply_redactions, merge_spans

    spans = [Span(0, 5, Exemption.THIRD_PARTY), Span(3, 10, Exemption.SERIOUS_HARM)]
    assert merge_spans(spans) == (Span(0, 5, Exemption.THIRD_PARTY),
                                  Span(5, 10, Exemption.SERIOUS_HARM))
    codes = [s.redacted for s in apply_redactions("abcdefghijKL", spans) if s.is_redaction]
    assert codes == [Exemption.THIRD_PARTY, Exemption.SERIOUS_HARM]
    # Same exemption: one bar.
    same = [Span(0, 5, Exemption.THIRD_PARTY), Span(5, 8, Exemption.THIRD_PARTY)]
    assert merge_spans(same) == (Span(0, 8, Exemption.THIRD_PARTY),)
