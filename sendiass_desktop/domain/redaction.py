"""Review decisions and redaction of text, done before anything is rendered.

Redacted text is replaced by a labelled marker in the data handed to the
PDF writer, so it never reaches the file at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.labels import LabelledEnum


class Decision(LabelledEnum):
    DISCLOSE = ("disclose", "Disclose")
    REDACT = ("redact", "Disclose with redactions")
    WITHHOLD = ("withhold", "Withhold")


@dataclass(frozen=True, order=True)
class Span:
    """Characters ``start`` to ``end`` (exclusive) of an item's text, redacted for a reason."""

    start: int
    end: int
    exemption: Exemption

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise InvalidInput("A redaction must cover at least one character.")


@dataclass(frozen=True)
class ItemDecision:
    item_key: str  # e.g. "note:42"; stable across gathering runs
    decision: Decision
    exemption: Exemption | None = None  # required for WITHHOLD
    spans: tuple[Span, ...] = ()  # required (non-empty) for REDACT
    decided_by: str = ""
    decided_at: datetime | None = None
    suggested: bool = False  # made by the app, not yet confirmed by a manager
    note: str = ""  # internal reasoning, kept in the store, never sent

    def validate(self, text_length: int) -> None:
        if self.decision is Decision.WITHHOLD and self.exemption is None:
            raise InvalidInput("Choose the exemption that allows this item to be withheld.")
        if self.decision is Decision.REDACT:
            if not self.spans:
                raise InvalidInput("Select the text to redact, or choose Disclose.")
            if any(s.end > text_length for s in self.spans):
                raise InvalidInput("A redaction goes past the end of the text; review it again.")
        if self.decision is Decision.DISCLOSE and self.spans:
            raise InvalidInput("An item disclosed in full cannot carry redactions.")


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Non-overlapping spans covering the same characters.

    Overlapping or touching spans with the same exemption become one. Where
    spans with different exemptions meet, each keeps its own code: the later
    one starts where the earlier ends, so every reason still shows on a bar.
    """
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            if span.exemption is last.exemption:
                merged[-1] = Span(last.start, max(last.end, span.end), last.exemption)
            elif span.end > last.end:
                merged.append(Span(last.end, span.end, span.exemption))
        else:
            merged.append(span)
    return tuple(merged)


@dataclass(frozen=True)
class Segment:
    """A run of disclosed text, or a redaction marker that carries no text at all."""

    text: str = ""
    redacted: Exemption | None = None

    @property
    def is_redaction(self) -> bool:
        return self.redacted is not None


def apply_redactions(text: str, spans: Iterable[Span]) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    pos = 0
    for span in merge_spans(spans):
        start, end = max(span.start, 0), min(span.end, len(text))
        if start >= end:
            continue
        if start > pos:
            segments.append(Segment(text=text[pos:start]))
        segments.append(Segment(redacted=span.exemption))
        pos = end
    if pos < len(text):
        segments.append(Segment(text=text[pos:]))
    return tuple(segments)


def suggest_spans(text: str, names: Iterable[str],
                  exemption: Exemption = Exemption.THIRD_PARTY) -> tuple[Span, ...]:
    """Spans for every mention of the given names (whole words, any case).

    Full names are matched, and so is each part of at least three letters
    (a surname mentioned alone is still a mention). Matching is deliberately
    generous: a manager reviews every suggestion.
    """
    patterns: set[str] = set()
    for name in names:
        cleaned = " ".join(name.split())
        if len(cleaned) < 2:
            continue
        patterns.add(cleaned)
        # "Mrs Patel (class teacher)" -> also "Patel"; titles and roles are not names.
        for part in re.split(r"[\s()\-,]+", cleaned):
            if len(part) >= 3 and part.lower() not in _NOT_NAMES:
                patterns.add(part)
    spans: list[Span] = []
    for pattern in sorted(patterns, key=len, reverse=True):
        regex = re.compile(rf"(?<!\w){re.escape(pattern)}(?!\w)", re.IGNORECASE)
        spans.extend(Span(m.start(), m.end(), exemption) for m in regex.finditer(text))
    return merge_spans(spans)


_NOT_NAMES = {
    "mrs", "mr", "miss", "ms", "dr", "the", "and", "class", "teacher", "head", "senco",
    "school", "social", "worker", "family", "friend", "from", "of", "at", "nurse", "doctor",
    "officer", "assistant", "deputy", "headteacher", "grandmother", "grandfather", "aunt",
    "uncle", "neighbour", "mum", "dad", "step", "partner", "health", "visitor", "team",
}
