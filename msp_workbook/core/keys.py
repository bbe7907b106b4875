"""License keys the program creates for the reseller's customers.

Format
------
``XXXXX-XXXXX-XXXXX-XXXXX``: four groups of five characters, separated by ``-``, every character
from the 32-character alphabet ``23456789ABCDEFGHJKLMNPQRSTUVWXYZ`` (digits 2-9 and the capital
letters without I and O, so nothing reads as 0, 1, I or O). Keys are upper-case. The first 19
characters (the payload) are drawn with a cryptographic random source; the 20th is a check
character over the payload. A new key is unique among the keys that already exist, compared
case-insensitively and ignoring surrounding whitespace.

Check character: Luhn mod N with N = 32
---------------------------------------
1. The code point of a character is its index in the alphabet: ``2`` = 0, ``3`` = 1, ... ``9`` = 7,
   ``A`` = 8, ... ``H`` = 15, ``J`` = 16, ``K`` = 17, ``L`` = 18, ``M`` = 19, ``N`` = 20,
   ``P`` = 21, ... ``Z`` = 31.
2. Walk the 19 payload characters from right to left. The factor is 2 for the rightmost payload
   character, 1 for the next one, 2 for the one after that, and so on, alternating.
3. For each character, multiply its code point by its factor and add the digits of the product
   written in base 32 (``product // 32 + product % 32``; a product is at most 62, so this is
   ``product`` below 32 and ``product - 31`` from 32 on). Sum these over the payload.
4. The check code point is ``(32 - sum % 32) % 32``; the check character is the alphabet character
   with that code point.

Equivalently, a complete 20-character key is valid when the same digit sum taken over all 20
characters, now with factor 1 on the check character (rightmost) and 2 on the character left of it,
alternating, is a multiple of 32.

What it catches: every single-character substitution, and every transposition of two adjacent
characters except ``2`` and ``Z`` (code points 0 and 31, whose doubled digit sums 0 and 31 keep the
total unchanged), like decimal Luhn misses 09 <-> 90. A worked example is in `tests/test_keys.py`.

Keys in other formats (GFI's own keys typed by hand) are valid input elsewhere in the program;
`is_program_key` and `is_valid_key` only say whether a key is in this program's format.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Collection

__all__ = ["ALPHABET", "check_character", "generate_key", "is_program_key", "is_valid_key"]

ALPHABET: str = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

GROUPS = 4
GROUP_LENGTH = 5
KEY_CHARACTERS = GROUPS * GROUP_LENGTH  # 20
PAYLOAD_LENGTH = KEY_CHARACTERS - 1  # 19
SEPARATOR = "-"

# Drawing a key that already exists is as likely as guessing a random 95-bit number; a source that
# repeats itself this often is broken, and the caller gets an error instead of an endless loop.
MAX_TRIES = 1000

_N = len(ALPHABET)
_CODE_POINT = {ch: i for i, ch in enumerate(ALPHABET)}
_GROUP = f"[{ALPHABET}]{{{GROUP_LENGTH}}}"
_KEY_PATTERN = re.compile(f"{_GROUP}(?:{SEPARATOR}{_GROUP}){{{GROUPS - 1}}}")


def check_character(payload19: str) -> str:
    """The check character of a 19-character payload (no separators), by Luhn mod 32.

    Raises ValueError when the payload is not 19 characters of the alphabet.
    """
    if len(payload19) != PAYLOAD_LENGTH or any(ch not in _CODE_POINT for ch in payload19):
        raise ValueError(
            f"a key payload is {PAYLOAD_LENGTH} characters from {ALPHABET}, got {payload19!r}"
        )
    total = 0
    for position, ch in enumerate(reversed(payload19)):
        product = _CODE_POINT[ch] * (2 if position % 2 == 0 else 1)
        total += product // _N + product % _N
    return ALPHABET[(_N - total % _N) % _N]


def is_program_key(key: str) -> bool:
    """Whether `key` has this program's format (4 groups of 5 alphabet characters).

    The check character is not verified. Surrounding whitespace is ignored; otherwise strict:
    upper-case only, exactly one ``-`` between groups, nothing else.
    """
    return isinstance(key, str) and _KEY_PATTERN.fullmatch(key.strip()) is not None


def is_valid_key(key: str) -> bool:
    """Whether `key` is a key in this program's format with a correct check character.

    Surrounding whitespace is ignored; otherwise as strict as `is_program_key`.
    """
    if not is_program_key(key):
        return False
    characters = key.strip().replace(SEPARATOR, "")
    return check_character(characters[:PAYLOAD_LENGTH]) == characters[PAYLOAD_LENGTH]


def generate_key(existing: Collection[str] = (), rng: random.Random | None = None) -> str:
    """A new key, unique among `existing` (compared case-insensitively, whitespace stripped).

    `rng` None (the default, and what the program uses) draws from the operating system's
    cryptographic source (`secrets.SystemRandom`). Pass a seeded `random.Random` only for
    reproducible demo data and tests. Only `rng.choice` is used, once per payload character.
    Raises RuntimeError when no unique key comes up in `MAX_TRIES` draws.
    """
    source = rng if rng is not None else secrets.SystemRandom()
    taken = {k.strip().upper() for k in existing}
    for _ in range(MAX_TRIES):
        payload = "".join(source.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
        key = _format(payload + check_character(payload))
        if key not in taken:
            return key
    raise RuntimeError(
        f"no unique license key in {MAX_TRIES} draws; the random source repeats itself"
    )


def _format(characters: str) -> str:
    """20 key characters as ``XXXXX-XXXXX-XXXXX-XXXXX``."""
    return SEPARATOR.join(
        characters[i : i + GROUP_LENGTH] for i in range(0, KEY_CHARACTERS, GROUP_LENGTH)
    )
