"""Turning whatever someone types into a safe full-text query.

The search box takes any text: names, case references, half a word, a pasted
letter, quotes, emoji. FTS5's own query language gives meaning to some of
that (``"``, ``*``, ``^``, ``:``, ``( )``, AND/OR/NOT/NEAR), and a malformed
query is an error, so user text never reaches FTS5 as syntax. Instead it is
cut into tokens here, each token is wrapped in double quotes (a quoted string
is always plain text to FTS5) and the terms are ANDed.

Tokens are cut the way the index's tokenizer (``unicode61 remove_diacritics
2``, see ``store/migrations.py``) cuts text, so what is typed lines up with
what was indexed:

* letters, numbers and private-use characters make up words; everything else
  separates them (ASCII: only ``0-9 A-Z a-z`` are word characters);
* case is folded and Latin diacritics are removed (``Zoë`` -> ``zoe``).

Where Python's Unicode tables and SQLite's differ (SQLite's are older),
two rules keep the result right anyway:

* Combining marks stay inside a word here. If FTS5 treats one as a
  separator (it does for Indic vowel signs, for example), it splits the
  quoted string at that point, exactly as it split the indexed text, so the
  quoted string becomes a phrase of adjacent tokens that still matches.
* Case folding and diacritic removal are applied here only in the Latin,
  Greek and Cyrillic blocks, where both tables agree character for
  character (``tests/unit/test_search_query.py`` checks every one against
  the real tokenizer). Anything else is passed through as typed and FTS5
  folds it itself when it reads the quoted string.

Emoji and symbols are dropped: they are not words anyone searches by.

Words joined by hyphens, apostrophes, full stops, slashes and the like
(``SEN-2026-0142``, ``O'Brien``, ``14/03/2026``) become one phrase, because
the tokenizer indexes them as adjacent tokens: a phrase query finds exactly
that sequence, which is what a typed case reference means. The last term is
a prefix match (unless it is a single character on its own), so results
appear while a word is still being typed.

Pure: no SQL, no I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

MAX_TOKENS = 12
MAX_TOKEN_LENGTH = 64
MIN_PREFIX_LENGTH = 2
# Beyond this, pasted text is not read at all: twelve tokens are found long
# before it in any real text, and a multi-megabyte paste must stay instant.
MAX_TEXT_LENGTH = 20_000

NOTHING_TO_SEARCH = "Type at least one letter or number to search."

# The combining marks that unicode61 with remove_diacritics 2 folds away
# (it keeps every other mark). Measured against SQLite 3.53's tokenizer.
_DROPPED_MARKS = frozenset(
    chr(cp) for cp in (
        0x300, 0x301, 0x302, 0x303, 0x304, 0x306, 0x307, 0x308, 0x309, 0x30A, 0x30B, 0x30C,
        0x30F, 0x311, 0x31B, 0x323, 0x324, 0x325, 0x326, 0x327, 0x328, 0x32D, 0x32E, 0x330,
        0x331,
    )
)

# Letters in Python's tables that SQLite's tokenizer treats as separators
# (they were reclassified in later Unicode versions).
_SEPARATOR_LETTERS = frozenset(
    chr(cp) for cp in (*range(0x19B0, 0x19C1), 0x19C8, 0x19C9, 0x1CF2, 0x1CF3)
)

# Latin letters whose diacritics SQLite does not remove, although they
# decompose like the ones it does.
_KEEP_DIACRITICS = frozenset("Ǡǡ")

# Characters that join words into one phrase: hyphens and dashes,
# apostrophes, and the punctuation inside references, dates and email
# addresses. Not ':', so "body:word" (FTS5's column syntax) is two words.
_JOINERS = frozenset("'‘’./@_")


class _Kind(Enum):
    WORD = 1
    MARK = 2
    JOINER = 3
    OTHER = 4


def _classify(ch: str) -> _Kind:
    if ch < "\x80":
        if ch.isalnum():
            return _Kind.WORD
        return _Kind.JOINER if ch in _JOINERS or ch == "-" else _Kind.OTHER
    category = unicodedata.category(ch)
    if category[0] in "LN" or category == "Co":
        return _Kind.OTHER if ch in _SEPARATOR_LETTERS else _Kind.WORD
    if category[0] == "M":
        return _Kind.MARK
    if category in ("Pd", "Pc") or ch in _JOINERS:
        return _Kind.JOINER
    return _Kind.OTHER  # spaces, controls, symbols, emoji, other punctuation, surrogates


def _folds_here(cp: int) -> bool:
    """Blocks where Python's case and diacritic folding equals SQLite's."""
    return (cp < 0x0528 and cp != 0x037F) or 0x1E00 <= cp <= 0x1FFF


def fold_char(ch: str) -> str:
    """One character as the index stores it (or as typed, for FTS5 to fold)."""
    if ch in _DROPPED_MARKS:
        return ""
    if not _folds_here(ord(ch)):
        return ch
    folded = ch.casefold()
    if len(folded) != 1:  # e.g. ß -> ss: SQLite folds one character to one
        folded = ch.lower()
        if len(folded) != 1:
            folded = ch
    if ch not in _KEEP_DIACRITICS and not folded.isascii():
        parts = unicodedata.normalize("NFD", folded)
        base = parts[0]
        if (len(parts) > 1 and base.isascii() and base.isalpha()
                and all(mark in _DROPPED_MARKS for mark in parts[1:])):
            return base.lower()
    return folded


def fold(word: str) -> str:
    return "".join(fold_char(ch) for ch in word)


@dataclass(frozen=True)
class _Term:
    tokens: tuple[str, ...]
    prefix: bool

    def render(self) -> str:
        # Tokens never contain '"' (it is a separator), but doubling it is
        # how FTS5 escapes one, so the quoting holds whatever a token holds.
        body = " ".join(t.replace('"', '""') for t in self.tokens)
        return f'"{body}"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class SearchQuery:
    """The FTS5 MATCH expression for some typed text, or why there is none."""

    tokens: tuple[str, ...]
    match: str | None
    message: str | None = None
    # Some of the text was left out (more than MAX_TOKENS words, or a very long paste).
    capped: bool = False

    @property
    def is_empty(self) -> bool:
        return self.match is None


def _groups(text: str) -> Iterator[list[str]]:
    """Raw words, grouped where only joiners stand between them (lazily, so
    reading stops once enough words are found)."""
    group: list[str] = []
    word: list[str] = []
    joined = False  # a joiner followed the last word of the open group
    for ch in text:
        kind = _classify(ch)
        if kind is _Kind.WORD or (kind is _Kind.MARK and word):
            if not word and not joined and group:
                yield group
                group = []
            word.append(ch)
            joined = False
        elif kind is _Kind.JOINER and (word or joined):
            if word:
                group.append("".join(word))
                word = []
            joined = True
        else:  # a separator, or a mark or joiner with no word before it
            if word:
                group.append("".join(word))
                word = []
            joined = False
    if word:
        group.append("".join(word))
    if group:
        yield group


def tokenize(text: str) -> list[str]:
    """Every token in ``text``, folded, in order (no limits applied)."""
    return [token for group in _groups(text) for token in map(fold, group) if token]


def _terms(groups: Iterator[list[str]]) -> Iterator[_Term]:
    for group in groups:
        tokens: list[str] = []
        for token in map(fold, group):
            if not token:
                continue
            if len(token) > MAX_TOKEN_LENGTH:
                # A prefix of a long word still finds it; the phrase ends here
                # because only a phrase's last token can be a prefix.
                tokens.append(token[:MAX_TOKEN_LENGTH])
                yield _Term(tuple(tokens), prefix=True)
                tokens = []
            else:
                tokens.append(token)
        if tokens:
            yield _Term(tuple(tokens), prefix=False)


def build_query(text: str) -> SearchQuery:
    """A safe MATCH expression for ``text``; never raises."""
    capped = len(text) > MAX_TEXT_LENGTH
    terms: list[_Term] = []
    room = MAX_TOKENS
    for term in _terms(_groups(text[:MAX_TEXT_LENGTH])):
        if term in terms:
            continue  # a repeated word narrows nothing
        if len(term.tokens) > room:
            capped = True
            if room:
                terms.append(_Term(term.tokens[:room], prefix=False))
            break
        terms.append(term)
        room -= len(term.tokens)
    if not terms:
        return SearchQuery((), None, NOTHING_TO_SEARCH, capped)
    # Search as you type: the last word may be unfinished. Not a lone single
    # character, though: "s"* would rank nearly every record in the store for
    # no useful result (inside a phrase the other words narrow it).
    last = terms[-1]
    if len(last.tokens) > 1 or len(last.tokens[0]) >= MIN_PREFIX_LENGTH:
        terms[-1] = _Term(last.tokens, prefix=True)
    match = " AND ".join(term.render() for term in terms)
    return SearchQuery(tuple(t for term in terms for t in term.tokens), match, None, capped)
