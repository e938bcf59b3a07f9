"""The recovery key: how it is made, shown on paper, and typed back in.

The recovery key opens the store's *recovery* key slot. It is printed once, at
set-up, and may be typed back from that sheet years later by someone who has
never seen one before. So the format is chosen for people, not for machines:

* **Crockford base32** (``0-9`` and ``A-Z`` without ``I L O U``). There are no
  look-alike pairs on paper (no O/0, no I/1/L), and because Crockford says so,
  a typed ``O`` is read as ``0`` and ``I``/``L`` as ``1``. ``U`` is left out so
  that a random key cannot spell something rude; a typed ``U`` is an error.
* **A checksum inside the key.** 256 key bits are followed by a 24-bit
  checksum: the first 3 bytes of SHA-256 over ``b"SENDIASS-RECOVERY-v1"`` and
  the key. 32 + 3 = 35 bytes = 280 bits = exactly 56 base32 characters, so no
  padding and no half-used last character. A typo is caught here, before any
  key derivation or slot unwrapping, and the user gets a message about typing
  rather than "wrong key". The prefix (domain separation) makes the checksum
  mean "a SENDIASS recovery key, format v1" and nothing else; a future format
  would use a new prefix.
* **14 groups of 4**, separated by hyphens, so it can be read aloud and typed
  in small chunks and a person can keep their place on the sheet.

How strong the check is: a hash checksum is not an error-correcting code, so
no single typo is *guaranteed* to be caught; each wrong key passes with
probability 2**-24 (about 1 in 17 million). If one ever slipped through, the
AES-GCM unwrapping of the slot would still refuse it, so the cost of a miss is
only a less helpful message.

Saying *which group* is wrong: rather than spending characters on a check
symbol per group (which would break the 56 = 14 x 4 shape), when the checksum
fails we try every single-character change (56 x 31) and every swap of two
neighbouring characters (55) and see which of them would make the checksum
match. That is under 1,800 short SHA-256 calls, a few milliseconds, and only
on the failure path. If exactly one such repair exists, the message names its group. The
repair is only a hint: the repaired key is never returned or used, because a
wrongly-typed key must never be silently accepted. (A two-typo key has about a
1 in 10,000 chance of pointing at a wrong group; the message still tells the
user to check, so no harm follows.)

Messages never contain the key or any part of it, because they can end up in
a dialog, a terminal or a bug report.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from sendiass_desktop.domain.errors import InvalidInput

__all__ = [
    "ALPHABET",
    "CHECKSUM_BYTES",
    "GROUP_COUNT",
    "GROUP_SIZE",
    "KEY_BYTES",
    "KEY_CHARACTERS",
    "RecoveryKeyFormatError",
    "format_recovery_key",
    "generate_recovery_key",
    "parse_recovery_key",
    "recovery_key_groups",
]

#: Crockford's base32 alphabet, in value order.
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

#: Length of the secret key itself (AES-256 strength).
KEY_BYTES: Final = 32
#: Length of the checksum appended before encoding.
CHECKSUM_BYTES: Final = 3
#: Characters in an encoded key: (32 + 3) * 8 bits / 5 bits per character.
KEY_CHARACTERS: Final = (KEY_BYTES + CHECKSUM_BYTES) * 8 // 5
GROUP_SIZE: Final = 4
GROUP_COUNT: Final = KEY_CHARACTERS // GROUP_SIZE

# Changing this prefix changes every checksum: it is part of the format.
_CHECKSUM_PREFIX: Final = b"SENDIASS-RECOVERY-v1"
_BITS_PER_CHAR: Final = 5

# The layout above relies on the numbers dividing exactly; fail at import if a
# future edit breaks that rather than printing a key nobody can type back.
assert (KEY_BYTES + CHECKSUM_BYTES) * 8 == KEY_CHARACTERS * _BITS_PER_CHAR
assert GROUP_COUNT * GROUP_SIZE == KEY_CHARACTERS

# Every accepted input character (upper and lower case, plus Crockford's
# look-alike substitutions) mapped to its 5-bit value. Only these ASCII keys
# exist, so anything non-ASCII is rejected without calling str.upper(), which
# would turn e.g. "ß" into "SS" or a Turkish dotless "ı" into "I".
_DECODE: Final[dict[str, int]] = {
    **{c: v for v, c in enumerate(ALPHABET)},
    **{c.lower(): v for v, c in enumerate(ALPHABET)},
    "O": 0, "o": 0,
    "I": 1, "i": 1, "L": 1, "l": 1,
}  # fmt: skip

# Characters people put between groups, or that arrive when a key is typed
# with line breaks. Unicode dashes and the no-break space are included because
# word processors and some keyboards produce them in place of "-" and " ".
_SEPARATORS: Final = frozenset(" \t\r\n\f\v-\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2212")

_LENGTH_HINT: Final = "Check each group against the recovery sheet."

# Far more than any honest attempt (56 characters plus separators and some
# stray spaces). Past this we say "too long" without walking the whole text,
# so a pasted document cannot make the login dialog hang.
_MAX_INPUT_CHARACTERS: Final = 10 * KEY_CHARACTERS * 2


class RecoveryKeyFormatError(InvalidInput):
    """The text typed as a recovery key is not a well-formed recovery key.

    Raised before any cryptography is attempted; the message says what is
    wrong (length, a character, or the checksum) and never repeats the key.
    """


def generate_recovery_key() -> bytes:
    """Return a new random 256-bit recovery key from the OS's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def format_recovery_key(key: bytes) -> str:
    """Return ``key`` as 14 hyphen-separated groups of 4 Crockford characters.

    The checksum is appended before encoding, so the result is what goes on
    the recovery sheet and what :func:`parse_recovery_key` accepts.
    """
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        # A programming error (the caller must pass a real key), not user
        # input, so not an InvalidInput.
        raise ValueError(f"a recovery key is exactly {KEY_BYTES} bytes")
    characters = _encode(key + _checksum(key))
    return "-".join(
        characters[start : start + GROUP_SIZE] for start in range(0, KEY_CHARACTERS, GROUP_SIZE)
    )


def recovery_key_groups(formatted_key: str) -> tuple[str, ...]:
    """Return the 14 canonical groups of a (possibly loosely typed) key.

    Used by the recovery sheet so that what is printed is always re-derived
    from a key that has passed its checksum.
    """
    canonical = format_recovery_key(parse_recovery_key(formatted_key))
    return tuple(canonical.split("-"))


def parse_recovery_key(text: str) -> bytes:
    """Return the 32-byte key that ``text`` spells, or raise.

    Forgiving about form: case-insensitive; spaces, hyphens, tabs and line
    breaks are ignored; ``O`` reads as ``0`` and ``I``/``L`` as ``1``.
    Strict about content: every character must be a base32 digit, there must
    be exactly 56 of them, and the checksum must match.

    Raises:
        RecoveryKeyFormatError: (an :class:`InvalidInput`) with a message a
            user can act on, naming a group or position but never the key.
    """
    if not isinstance(text, str):
        raise RecoveryKeyFormatError("The recovery key must be typed as text. " + _LENGTH_HINT)
    if len(text) > _MAX_INPUT_CHARACTERS:
        raise RecoveryKeyFormatError(
            f"The recovery key should have {KEY_CHARACTERS} letters and digits; "
            f"what you typed is far longer. {_LENGTH_HINT}"
        )
    values = _decode_characters(text)
    if len(values) != KEY_CHARACTERS:
        raise RecoveryKeyFormatError(
            f"The recovery key should have {KEY_CHARACTERS} letters and digits; "
            f"you typed {len(values)}. {_LENGTH_HINT}"
        )
    payload = _values_to_bytes(values)
    key, checksum = payload[:KEY_BYTES], payload[KEY_BYTES:]
    if not secrets.compare_digest(checksum, _checksum(key)):
        raise RecoveryKeyFormatError(_checksum_message(values))
    return key


# --- internals -------------------------------------------------------------


# Hashing the fixed prefix once and copying the state saves a little on each
# of the ~1,800 trials when locating a typo.
_PREFIXED_SHA256: Final = hashlib.sha256(_CHECKSUM_PREFIX)


def _checksum(key: bytes) -> bytes:
    hasher = _PREFIXED_SHA256.copy()
    hasher.update(key)
    return hasher.digest()[:CHECKSUM_BYTES]


def _encode(payload: bytes) -> str:
    # 280 bits is a multiple of 5, so a big-endian integer split into 5-bit
    # chunks is the whole encoding: no padding rules to get wrong.
    number = int.from_bytes(payload, "big")
    count = len(payload) * 8 // _BITS_PER_CHAR
    return "".join(
        ALPHABET[(number >> (_BITS_PER_CHAR * (count - 1 - i))) & 0b11111] for i in range(count)
    )


def _values_to_bytes(values: list[int]) -> bytes:
    number = 0
    for value in values:
        number = (number << _BITS_PER_CHAR) | value
    return number.to_bytes(len(values) * _BITS_PER_CHAR // 8, "big")


def _decode_characters(text: str) -> list[int]:
    """Map ``text`` to 5-bit values, skipping separators.

    Stops at the first character that cannot be part of a key and says where
    it is, counted the way the sheet counts (group and place in the group),
    because that is where the user will look.
    """
    values: list[int] = []
    for character in text:
        if character in _SEPARATORS:
            continue
        value = _DECODE.get(character)
        if value is None:
            raise RecoveryKeyFormatError(_bad_character_message(character, len(values)))
        values.append(value)
    return values


def _bad_character_message(character: str, index: int) -> str:
    # Naming the offending character is safe (it cannot be part of a key) and
    # helps, but only when it is a plain printable ASCII character: anything
    # else could be invisible or garble a terminal.
    if character in "Uu":
        what = "the letter U, which is never used in recovery keys (is it a V?)"
    elif character.isascii() and character.isprintable():
        what = f"“{character}”, which is not used in recovery keys"
    else:
        what = "a symbol or letter that is not used in recovery keys"
    if index >= KEY_CHARACTERS:
        return (
            f"There is more typed after group {GROUP_COUNT}, including {what}. "
            f"The recovery key has {GROUP_COUNT} groups of {GROUP_SIZE}. {_LENGTH_HINT}"
        )
    group, place = divmod(index, GROUP_SIZE)
    return (
        f"Character {place + 1} of group {group + 1} is {what}. "
        "Recovery keys use the digits 0–9 and the letters A–Z except I, L, O and U. "
        f"Check group {group + 1} against the recovery sheet."
    )


def _payload_matches(number: int) -> bool:
    payload = number.to_bytes(KEY_BYTES + CHECKSUM_BYTES, "big")
    return payload[KEY_BYTES:] == _checksum(payload[:KEY_BYTES])


def _checksum_message(values: list[int]) -> str:
    """Explain a checksum failure, naming the group(s) if the typo is obvious."""
    # Work on the 280-bit integer: changing character i is an XOR at a fixed
    # shift, which keeps the ~1,800 trials to a couple of milliseconds.
    number = int.from_bytes(_values_to_bytes(values), "big")
    shifts = [_BITS_PER_CHAR * (KEY_CHARACTERS - 1 - i) for i in range(KEY_CHARACTERS)]
    repairs: set[tuple[int, ...]] = set()
    for index, original in enumerate(values):
        for candidate in range(len(ALPHABET)):
            if candidate != original and _payload_matches(
                number ^ ((original ^ candidate) << shifts[index])
            ):
                repairs.add((index // GROUP_SIZE,))
    for index in range(KEY_CHARACTERS - 1):
        a, b = values[index], values[index + 1]
        if a == b:
            continue
        # Swapping two neighbours XORs each position with a ^ b.
        delta = ((a ^ b) << shifts[index]) | ((a ^ b) << shifts[index + 1])
        if _payload_matches(number ^ delta):
            repairs.add(tuple(sorted({index // GROUP_SIZE, (index + 1) // GROUP_SIZE})))

    if len(repairs) == 1:
        groups = next(iter(repairs))
        if len(groups) == 1:
            where = f"group {groups[0] + 1}"
            return (
                f"This is not a valid recovery key: a character in {where} looks wrong. "
                f"Check {where} against the recovery sheet."
            )
        where = f"groups {groups[0] + 1} and {groups[1] + 1}"
        return (
            "This is not a valid recovery key: two characters where "
            f"{where} meet look swapped. Check {where} against the recovery sheet."
        )
    return (
        "This is not a valid recovery key: one or more characters are wrong. "
        "Check each group against the recovery sheet."
    )
