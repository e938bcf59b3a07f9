"""The search box's text -> a safe FTS5 MATCH expression.

Consistency with the index's tokenizer is checked against SQLite's real
``unicode61 remove_diacritics 2`` tokenizer (an in-memory FTS5 table, no
store), character by character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import pytest
import sqlcipher3
from hypothesis import given, settings
from hypothesis import strategies as st

from sendiass_desktop.domain.search_query import (
    MAX_TOKEN_LENGTH,
    MAX_TOKENS,
    NOTHING_TO_SEARCH,
    SearchQuery,
    build_query,
    fold,
    fold_char,
    tokenize,
)

TOKENIZER = "unicode61 remove_diacritics 2"  # as in store/migrations.py

# A match expression is quoted terms, ANDed; each term's text is tokens
# separated by single spaces, the last term (or a truncated one) a prefix.
TERM = r'"[^"\s]+(?: [^"\s]+)*"\*?'
EXPRESSION = re.compile(rf"{TERM}(?: AND {TERM})*")


def match_of(text: str) -> str | None:
    return build_query(text).match


# --- tokens, quoting, prefix --------------------------------------------------------


def test_words_are_quoted_anded_and_the_last_is_a_prefix() -> None:
    query = build_query("Sarah Jones")
    assert query == SearchQuery(("sarah", "jones"), '"sarah" AND "jones"*')
    assert match_of("excl") == '"excl"*'
    assert match_of("  tribunal\tappeal\n") == '"tribunal" AND "appeal"*'


def test_a_lone_single_character_is_not_a_prefix() -> None:
    # "s"* would rank nearly every record for nothing useful; inside a phrase
    # (a reference being typed) the other words narrow it, so it stays.
    assert match_of("s") == '"s"'
    assert match_of("jones s") == '"jones" AND "s"'
    assert match_of("st") == '"st"*'
    assert match_of("SEN-2026-0") == '"sen 2026 0"*'


def test_case_is_folded() -> None:
    assert build_query("TRIBUNAL Appeal").tokens == ("tribunal", "appeal")


def test_nothing_usable_gives_the_message() -> None:
    for text in ("", "   ", "\x00\x01", '"', "*", "^", "()", ":", "--", "'", "🙂🙂👍", "\u0308",
                 "…", "!@#$%^&*()_+=[]{}|\\;:'\",.<>/?`~"):
        query = build_query(text)
        assert query.match is None and query.is_empty, repr(text)
        assert query.tokens == ()
        assert query.message == NOTHING_TO_SEARCH


# --- operators and syntax are neutralised ---------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("transport OR paperwork", '"transport" AND "or" AND "paperwork"*'),
    ("a AND be", '"a" AND "and" AND "be"*'),
    ("tribunal NOT transport", '"tribunal" AND "not" AND "transport"*'),
    ("NEAR(tribunal transport, 3)", '"near" AND "tribunal" AND "transport" AND "3"'),
    ('"exact phrase"', '"exact" AND "phrase"*'),
    ("excl*", '"excl"*'),
    ("^start", '"start"*'),
    ("title:jones", '"title" AND "jones"*'),
    ("{title body}: jones", '"title" AND "body" AND "jones"*'),
    ("(a OR b) AND cd", '"a" AND "or" AND "b" AND "and" AND "cd"*'),
    ('say ""hello""', '"say" AND "hello"*'),
    ("+plus -minus", '"plus" AND "minus"*'),
])
def test_query_syntax_becomes_plain_words(text: str, expected: str) -> None:
    assert match_of(text) == expected


def test_emoji_and_symbols_are_dropped() -> None:
    assert match_of("happy🙂 day ✓ £50") == '"happy" AND "day" AND "50"*'


# --- references and joined words ------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("SEN-2026-0142", '"sen 2026 0142"*'),
    ("sen-2026-0142", '"sen 2026 0142"*'),
    ("2026-0142", '"2026 0142"*'),
    ("SEN-2026-01", '"sen 2026 01"*'),
    ("SEN-2026-", '"sen 2026"*'),
    ("SEN–2026–0142", '"sen 2026 0142"*'),  # en dashes, as a word processor makes them
    ("SEN-2026-0142 Jones", '"sen 2026 0142" AND "jones"*'),
    ("O'Brien", '"o brien"*'),
    ("O’Brien family", '"o brien" AND "family"*'),
    ("14/03/2026", '"14 03 2026"*'),
    ("sarah@example.org", '"sarah example org"*'),
    ("-leading and trailing-", '"leading" AND "and" AND "trailing"*'),
    ("a - bc", '"a" AND "bc"*'),
])
def test_joined_words_become_a_phrase(text: str, expected: str) -> None:
    assert match_of(text) == expected


# --- diacritics -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "token"), [
    ("Zoë", "zoe"),
    ("Zoe\u0308", "zoe"),  # decomposed: e + combining diaeresis
    ("ZOË", "zoe"),
    ("café", "cafe"),
    ("Ødegård", "ødegard"),  # ø is a letter of its own to the tokenizer; å loses its ring
    ("Straße", "straße"),  # one character folds to one: ß stays
    ("İpek", "ipek"),
    ("Łukasz", "łukasz"),
    ("Nguyễn", "nguyen"),
    ("Ἀθῆναι", "ἀθῆναι"),  # the tokenizer keeps Greek accents, so we do too
    ("Ё", "ё"),
    ("ΣΟΦΊΑ", "σοφία"),
    ("한국", "한국"),  # Hangul is not decomposed
])
def test_diacritics_and_case_fold_like_the_tokenizer(text: str, token: str) -> None:
    assert build_query(text).tokens == (token,)


def test_marks_stay_inside_the_word() -> None:
    # FTS5 splits at Indic vowel signs itself, inside the quotes, as it did
    # when indexing; they must not split the word into separate AND terms.
    assert build_query("हिन्दी").tokens == ("हिन्दी",)
    assert build_query("\u0301a").tokens == ("a",)  # a stray mark before a word is dropped


# --- caps -----------------------------------------------------------------------------


def test_at_most_twelve_tokens() -> None:
    words = [f"word{i}" for i in range(30)]
    query = build_query(" ".join(words))
    assert query.tokens == tuple(words[:MAX_TOKENS])
    assert query.capped
    assert query.match is not None and query.match.endswith(f'"word{MAX_TOKENS - 1}"*')
    assert not build_query(" ".join(words[:MAX_TOKENS])).capped


def test_the_cap_counts_tokens_inside_phrases() -> None:
    query = build_query("one two three four five six seven eight nine ten SEN-2026-0142")
    assert query.match is not None and query.match.endswith('"ten" AND "sen 2026"*')
    assert query.capped and len(query.tokens) == MAX_TOKENS


def test_long_tokens_are_cut_and_searched_as_prefixes() -> None:
    query = build_query("x" * 500 + " tribunal")
    assert query.tokens == ("x" * MAX_TOKEN_LENGTH, "tribunal")
    assert query.match == f'"{"x" * MAX_TOKEN_LENGTH}"* AND "tribunal"*'
    assert build_query("a" * 100 + "-bc").match == f'"{"a" * MAX_TOKEN_LENGTH}"* AND "bc"*'


def test_ten_thousand_character_paste() -> None:
    paste = " ".join(f"word{i}," for i in range(2000))[:10_000]
    query = build_query(paste)
    assert len(query.tokens) == MAX_TOKENS and query.capped
    assert query.tokens[0] == "word0"
    repetitive = build_query("Lorem ipsum dolor sit amet. " * 400)
    assert repetitive.tokens == ("lorem", "ipsum", "dolor", "sit", "amet")
    huge = build_query("🙂" * 2_000_000 + " jones")
    assert huge.match is None and huge.capped  # text past the limit is not read


def test_repeated_terms_are_searched_once() -> None:
    assert match_of("jones smith jones smith") == '"jones" AND "smith"*'
    assert match_of("SEN-2026-0142 " * 5) == '"sen 2026 0142"*'
    assert not build_query("word " * 100).capped  # one distinct word


# --- never raises, always safe --------------------------------------------------------


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlcipher3.Connection]:
    conn = sqlcipher3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5 (title, body, tokenize = '{TOKENIZER}')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
    conn.execute("INSERT INTO t (title, body) VALUES ('SEN-2026-0142', 'Zoë attended')")
    yield conn
    conn.close()


def fts_tokens(conn: sqlcipher3.Connection, text: str) -> list[str]:
    conn.execute("DELETE FROM t WHERE rowid = 999")
    conn.execute("INSERT INTO t (rowid, title, body) VALUES (999, '', ?)", (text,))
    return [r[0] for r in conn.execute(
        "SELECT term FROM v WHERE doc = 999 ORDER BY offset")]


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(
    st.text(),
    st.text(min_size=2_000, max_size=10_000),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet=st.sampled_from(list('"*^():-\'’ {}+ANDORNOTNEAR\x00\t\n🙂éë-SEN2026')),
            max_size=100),
))
def test_any_text_gives_a_message_or_quoted_tokens_fts5_accepts(
        fts: sqlcipher3.Connection, text: str) -> None:
    query = build_query(text)
    if query.match is None:
        assert query.message == NOTHING_TO_SEARCH and query.tokens == ()
        return
    assert query.message is None
    assert EXPRESSION.fullmatch(query.match), query.match
    assert 0 < len(query.tokens) <= MAX_TOKENS
    assert all(0 < len(t) <= MAX_TOKEN_LENGTH for t in query.tokens)
    # FTS5 parses it: no syntax error is possible.
    fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (query.match,)).fetchone()


def test_lone_surrogates_are_dropped_not_sent() -> None:
    assert match_of("ab\ud800cd") == '"ab" AND "cd"*'


# --- the same tokens as the real tokenizer --------------------------------------------


def test_folding_finds_what_the_tokenizer_indexed(fts: sqlcipher3.Connection) -> None:
    """Every character up to U+1FFFF, each between two letters, through FTS5.

    * A character we treat as part of a word is never one FTS5 splits on,
      unless it is a combining mark (kept inside the word on purpose).
    * In Latin, Greek and Cyrillic our folding equals FTS5's exactly.
    * Everywhere, FTS5 folds our folding to what it indexed.
    """
    conn = sqlcipher3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE p USING fts5 (x, tokenize = '{TOKENIZER}')")
    conn.execute("CREATE VIRTUAL TABLE pv USING fts5vocab (p, 'instance')")
    points = [cp for cp in range(0x20000) if not 0xD800 <= cp <= 0xDFFF]
    conn.executemany("INSERT INTO p (rowid, x) VALUES (?, ?)",
                     [(cp, f"q{chr(cp)}z") for cp in points])
    indexed: dict[int, list[str]] = {}
    for term, doc in conn.execute("SELECT term, doc FROM pv ORDER BY doc, offset"):
        indexed.setdefault(doc, []).append(term)
    # What FTS5 makes of one character: None when it separates words.
    fts_fold = {cp: (terms[0][1:-1] if len(terms) == 1 else None)
                for cp, terms in indexed.items()}

    def fts_of(text: str) -> str:
        return "".join(fts_fold.get(ord(ch)) or "" for ch in text)

    mismatched = []
    for cp in points:
        ch = chr(cp)
        ours = tokenize(f"q{ch}z")
        theirs = fts_fold[cp]
        if ours == ["q", "z"]:
            continue  # we separate here; FTS5 may keep it (emoji, symbols): dropped on purpose
        assert len(ours) == 1, hex(cp)
        if theirs is None:
            assert unicodedata.category(ch)[0] == "M", hex(cp)
            continue
        exact_here = cp < 0x0528 or 0x1E00 <= cp <= 0x1FFF
        if (exact_here and fold_char(ch) != theirs) or fts_of(fold_char(ch)) != theirs:
            mismatched.append(hex(cp))
    assert mismatched == []
    conn.close()


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(
    codec="utf-8", max_codepoint=0x52F,
    categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Zs", "Pd", "Po", "Ps", "Pe", "Sm")),
    max_size=60))
def test_tokens_equal_the_tokenizers_for_latin_greek_cyrillic(
        fts: sqlcipher3.Connection, text: str) -> None:
    assert tokenize(text) == fts_tokens(fts, text)


def test_zoe_finds_zoe_with_or_without_diaeresis(fts: sqlcipher3.Connection) -> None:
    for text in ("Zoe", "zoë", "ZOË", "Zoe\u0308"):
        match = match_of(text)
        assert fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()[0] == 1
    assert fold("Zoë") == "zoe"


def test_reference_phrase_matches_the_indexed_reference(fts: sqlcipher3.Connection) -> None:
    for text in ("SEN-2026-0142", "2026-0142", "sen-2026-01", "SEN 2026 0142"):
        match = match_of(text)
        assert fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()[0] == 1
    assert fts.execute("SELECT count(*) FROM t WHERE t MATCH ?",
                       (match_of("SEN-2026-0143"),)).fetchone()[0] == 0
