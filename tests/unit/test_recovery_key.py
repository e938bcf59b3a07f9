"""Recovery key format: generation, printing, and forgiving but safe parsing."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.recovery_key import (
    ALPHABET,
    GROUP_COUNT,
    GROUP_SIZE,
    KEY_BYTES,
    KEY_CHARACTERS,
    RecoveryKeyFormatError,
    format_recovery_key,
    generate_recovery_key,
    parse_recovery_key,
    recovery_key_groups,
)

# Fixed keys so the exhaustive typo tests are deterministic. (A 24-bit hash
# checksum misses any one given typo with probability 2**-24; over all 1,736
# substitutions of one key that is about 1 in 10,000, so a random key here
# could very rarely flake. Every single typo of these keys is caught.)
FIXED_KEYS = [hashlib.sha256(f"fixed test key {n}".encode()).digest() for n in range(3)]

FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){13}$")


def _compact(formatted: str) -> str:
    return formatted.replace("-", "")


def _grouped(compact: str) -> str:
    return "-".join(compact[i : i + GROUP_SIZE] for i in range(0, len(compact), GROUP_SIZE))


def _fragments(key: bytes) -> list[str]:
    """Every group of the printed key: none may appear in an error message."""
    return format_recovery_key(key).split("-")


def _assert_no_key_in(message: str, key: bytes) -> None:
    formatted = format_recovery_key(key)
    assert _compact(formatted) not in message.replace("-", "")
    for group in _fragments(key):
        assert group not in message, f"group {group!r} leaked into {message!r}"


# --- shape -------------------------------------------------------------------


def test_constants_describe_a_56_character_key_in_14_groups() -> None:
    assert len(ALPHABET) == 32
    assert set(ALPHABET).isdisjoint("ILOU")
    assert KEY_BYTES == 32
    assert KEY_CHARACTERS == 56
    assert GROUP_COUNT == 14
    assert GROUP_SIZE == 4


def test_generated_keys_are_32_random_bytes() -> None:
    keys = {generate_recovery_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(isinstance(k, bytes) and len(k) == 32 for k in keys)


@pytest.mark.parametrize("key", FIXED_KEYS, ids=["key0", "key1", "key2"])
def test_format_is_14_hyphenated_groups_of_4(key: bytes) -> None:
    formatted = format_recovery_key(key)
    assert len(formatted) == 56 + 13
    assert FORMAT.match(formatted)


def test_known_answers_pin_the_format() -> None:
    # Pins the alphabet, bit order and checksum prefix: if these change, every
    # recovery sheet already printed stops working.
    assert format_recovery_key(bytes(32)) == (
        "0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0009-PNCJ"
    )
    assert format_recovery_key(bytes(range(32))) == (
        "000G-40R4-0M30-E209-185G-R38E-1W81-24GK-2GAH-C5RR-34D1-P70X-3RFG-3EW7"
    )


def test_zero_key_checksum_computed_independently() -> None:
    checksum = hashlib.sha256(b"SENDIASS-RECOVERY-v1" + bytes(32)).digest()[:3]
    number = int.from_bytes(checksum, "big")
    # Character 52 holds the key's last bit (0) and the checksum's top 4 bits;
    # characters 53-56 hold the remaining 20 bits.
    tail = ALPHABET[number >> 20] + "-"
    tail += "".join(ALPHABET[(number >> shift) & 0b11111] for shift in (15, 10, 5, 0))
    assert format_recovery_key(bytes(32)).endswith("-000" + tail)


@pytest.mark.parametrize("bad", [b"", bytes(31), bytes(33), bytearray(32)])
def test_format_rejects_anything_but_32_bytes(bad: bytes) -> None:
    with pytest.raises(ValueError):
        format_recovery_key(bad)


# --- round trip and forgiving input -------------------------------------------


@pytest.mark.parametrize("key", FIXED_KEYS, ids=["key0", "key1", "key2"])
def test_round_trip(key: bytes) -> None:
    assert parse_recovery_key(format_recovery_key(key)) == key


def test_round_trip_of_freshly_generated_keys() -> None:
    for _ in range(100):
        key = generate_recovery_key()
        assert parse_recovery_key(format_recovery_key(key)) == key


def _forgiving_forms(formatted: str) -> list[str]:
    compact = _compact(formatted)
    groups = formatted.split("-")
    return [
        formatted.lower(),
        compact,
        compact.lower(),
        " ".join(groups),
        "  " + formatted + "  \n",
        "\t".join(groups),
        "\n".join(" ".join(groups[i : i + 7]) for i in (0, 7)),  # as on the sheet
        "\r\n".join(groups),
        "-".join(groups).replace("-", " - "),
        "–".join(groups),  # en dash from a word processor
        "\u00a0".join(groups),
        "".join(c.lower() if i % 2 else c for i, c in enumerate(formatted)),  # mixed case
    ]


@pytest.mark.parametrize("key", FIXED_KEYS, ids=["key0", "key1", "key2"])
def test_forgiving_input_forms(key: bytes) -> None:
    formatted = format_recovery_key(key)
    for form in _forgiving_forms(formatted):
        assert parse_recovery_key(form) == key, repr(form)


def test_crockford_lookalikes_are_read_as_digits() -> None:
    # Build a key whose printed form contains 0s and 1s, then type them as
    # letters the way people do.
    key = next(
        k
        for n in range(1000)
        if (k := hashlib.sha256(b"%d" % n).digest()) and {"0", "1"} <= set(format_recovery_key(k))
    )
    formatted = format_recovery_key(key)
    for zero in "Oo":
        for one in "IiLl":
            typed = formatted.replace("0", zero).replace("1", one)
            assert parse_recovery_key(typed) == key


def test_recovery_key_groups_returns_canonical_groups() -> None:
    key = FIXED_KEYS[0]
    formatted = format_recovery_key(key)
    assert recovery_key_groups(formatted.lower().replace("-", " ")) == tuple(formatted.split("-"))


# --- typos are caught -----------------------------------------------------------


def test_every_single_character_substitution_is_caught() -> None:
    # One key only: each rejected typo also runs the group-locating search
    # (a couple of milliseconds), and 1,736 of them is enough.
    key = FIXED_KEYS[0]
    compact = _compact(format_recovery_key(key))
    assert len(compact) == KEY_CHARACTERS
    checked = 0
    for position in range(KEY_CHARACTERS):
        for replacement in ALPHABET:
            if replacement == compact[position]:
                continue
            typo = compact[:position] + replacement + compact[position + 1 :]
            with pytest.raises(RecoveryKeyFormatError) as caught:
                parse_recovery_key(_grouped(typo))
            group = position // GROUP_SIZE + 1
            # A single typo should be located, and never leak the key.
            assert f"group {group} " in str(caught.value), str(caught.value)
            checked += 1
    assert checked == KEY_CHARACTERS * 31


@pytest.mark.parametrize("key", FIXED_KEYS, ids=["key0", "key1", "key2"])
def test_every_adjacent_transposition_is_caught(key: bytes) -> None:
    compact = _compact(format_recovery_key(key))
    swaps = 0
    for position in range(KEY_CHARACTERS - 1):
        a, b = compact[position], compact[position + 1]
        if a == b:
            continue
        typo = compact[:position] + b + a + compact[position + 2 :]
        with pytest.raises(RecoveryKeyFormatError) as caught:
            parse_recovery_key(_grouped(typo))
        first, second = position // GROUP_SIZE + 1, (position + 1) // GROUP_SIZE + 1
        message = str(caught.value)
        if first == second:
            assert f"group {first} " in message, message
        else:
            assert f"groups {first} and {second}" in message, message
        swaps += 1
    assert swaps > 40


def test_two_typos_are_caught_with_the_general_message() -> None:
    key = FIXED_KEYS[0]
    compact = _compact(format_recovery_key(key))
    swap = {c: ALPHABET[(ALPHABET.index(c) + 7) % 32] for c in ALPHABET}
    typo = swap[compact[0]] + compact[1:30] + swap[compact[30]] + compact[31:]
    with pytest.raises(RecoveryKeyFormatError) as caught:
        parse_recovery_key(typo)
    assert str(caught.value) == (
        "This is not a valid recovery key: one or more characters are wrong. "
        "Check each group against the recovery sheet."
    )


def test_a_different_prefix_would_not_validate() -> None:
    # The checksum is bound to the SENDIASS v1 prefix, not to the bare key.
    key = FIXED_KEYS[1]
    payload = key + hashlib.sha256(key).digest()[:3]
    number = int.from_bytes(payload, "big")
    text = "".join(ALPHABET[(number >> (5 * (55 - i))) & 31] for i in range(56))
    with pytest.raises(RecoveryKeyFormatError):
        parse_recovery_key(text)


# --- messages -------------------------------------------------------------------


def test_wrong_length_message() -> None:
    key = FIXED_KEYS[0]
    formatted = format_recovery_key(key)
    with pytest.raises(RecoveryKeyFormatError) as caught:
        parse_recovery_key(formatted[:-1])
    assert str(caught.value) == (
        "The recovery key should have 56 letters and digits; you typed 55. "
        "Check each group against the recovery sheet."
    )
    with pytest.raises(RecoveryKeyFormatError, match="you typed 60"):
        parse_recovery_key(formatted + "-ABCD")
    with pytest.raises(RecoveryKeyFormatError, match="you typed 0"):
        parse_recovery_key(" - \n\t")


def test_invalid_character_message_names_group_and_place() -> None:
    compact = _compact(format_recovery_key(FIXED_KEYS[0]))
    typo = compact[:21] + "U" + compact[22:]  # 22nd character: group 6, place 2
    with pytest.raises(RecoveryKeyFormatError) as caught:
        parse_recovery_key(_grouped(typo))
    message = str(caught.value)
    assert message.startswith("Character 2 of group 6 is the letter U")
    assert "Check group 6 against the recovery sheet." in message

    typo = compact[:5] + "#" + compact[6:]
    with pytest.raises(RecoveryKeyFormatError, match=r"Character 2 of group 2 is “#”"):
        parse_recovery_key(typo)


@pytest.mark.parametrize(
    "odd",
    ["é", "ß", "ı", "０", "\u200b", "\x00", "😀", "\u202e", "Ⅰ"],
)
def test_non_ascii_is_rejected_without_naming_the_character(odd: str) -> None:
    compact = _compact(format_recovery_key(FIXED_KEYS[2]))
    with pytest.raises(RecoveryKeyFormatError) as caught:
        parse_recovery_key(compact[:9] + odd + compact[10:])
    message = str(caught.value)
    assert message.startswith("Character 2 of group 3 is a symbol or letter")
    assert odd not in message


def test_huge_input_is_refused_quickly() -> None:
    for text in ["A" * 10_000, "-" * 10_000 + "A", "é" * 10_000, "0" * 1_000_000]:
        with pytest.raises(RecoveryKeyFormatError, match="56 letters and digits"):
            parse_recovery_key(text)


def test_non_text_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_recovery_key(b"0000" * 14)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", FIXED_KEYS, ids=["key0", "key1", "key2"])
def test_error_messages_never_contain_the_key(key: bytes) -> None:
    formatted = format_recovery_key(key)
    compact = _compact(formatted)
    attempts = [
        formatted[:-1],
        formatted + "Z",
        formatted + "U",
        compact[:10] + "U" + compact[11:],
        compact[:10] + "!" + compact[11:],
        compact[:10] + ("Z" if compact[10] != "Z" else "Y") + compact[11:],
        compact[1] + compact[0] + compact[2:] if compact[0] != compact[1] else compact[::-1],
        compact[::-1],
    ]
    for attempt in attempts:
        with pytest.raises(RecoveryKeyFormatError) as caught:
            parse_recovery_key(attempt)
        _assert_no_key_in(str(caught.value), key)
        assert key.hex() not in str(caught.value)


def test_recovery_key_format_error_is_invalid_input() -> None:
    assert issubclass(RecoveryKeyFormatError, InvalidInput)


# --- properties ---------------------------------------------------------------------


@given(st.binary(min_size=32, max_size=32))
def test_property_any_32_byte_key_round_trips(key: bytes) -> None:
    formatted = format_recovery_key(key)
    assert FORMAT.match(formatted)
    assert parse_recovery_key(formatted) == key
    assert parse_recovery_key(formatted.lower().replace("-", " ")) == key


_keyish = st.text(alphabet=ALPHABET + ALPHABET.lower() + "OoIiLlUu -\n\t", max_size=80)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=200), _keyish))
def test_property_arbitrary_text_raises_only_invalid_input(text: str) -> None:
    try:
        key = parse_recovery_key(text)
    except InvalidInput as error:
        message = str(error)
        assert message and message.endswith(".")
    else:
        # Only a real key (2**-24 chance for random text) may get through,
        # and then it must be the key that the text spells.
        assert len(key) == 32
        assert parse_recovery_key(format_recovery_key(key)) == key
