"""Cursor positions in a Qt text document versus indexes into the Python text it shows.

Redactions are stored as indexes into an item's text (Python ``str``: one index
per code point). A ``QTextDocument`` filled with ``setPlainText`` counts in
UTF-16 units, so a character outside the Basic Multilingual Plane (an emoji,
some CJK) takes two positions, and it turns a Windows line break ``\\r\\n``
into one paragraph break, one position. Using Qt's positions as indexes would
move a redaction off the selected words — the bar drawn in the app would not be
the bar in the PDF — so every position crossing between the two goes through
here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field


def _width(text: str, i: int) -> int:
    """Qt positions taken by ``text[i]``."""
    ch = text[i]
    if ch == "\r" and text[i + 1:i + 2] == "\n":
        return 0  # the pair is one paragraph break, counted at its "\n"
    return 2 if ord(ch) > 0xFFFF else 1


@dataclass(frozen=True)
class TextPositions:
    """The mapping for one text; build it with :meth:`of`."""

    text: str
    # Qt position of each Python index 0..len(text); empty when the two agree.
    _qt: tuple[int, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, text: str) -> TextPositions:
        if "\r\n" not in text and (text.isascii() or all(ord(c) <= 0xFFFF for c in text)):
            return cls(text)
        positions = [0]
        for i in range(len(text)):
            positions.append(positions[-1] + _width(text, i))
        return cls(text, tuple(positions))

    def to_qt(self, index: int) -> int:
        """The Qt position of Python ``index`` (0..len(text))."""
        index = min(max(index, 0), len(self.text))
        return self._qt[index] if self._qt else index

    def start_from_qt(self, position: int) -> int:
        """The Python index where a selection starting at Qt ``position`` starts
        (rounded down, so a whole character is always included)."""
        if not self._qt:
            return min(max(position, 0), len(self.text))
        return max(bisect_right(self._qt, position) - 1, 0)

    def end_from_qt(self, position: int) -> int:
        """The Python index where a selection ending at Qt ``position`` ends
        (rounded up, so a whole character is always included)."""
        if not self._qt:
            return min(max(position, 0), len(self.text))
        return min(bisect_left(self._qt, position), len(self.text))
