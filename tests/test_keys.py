"""License keys: format, Luhn mod 32 check character, error detection, uniqueness."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_workbook.core import keys
from msp_workbook.core.keys import (
    ALPHABET,
    check_character,
    generate_key,
    is_program_key,
    is_valid_key,
)

T = TypeVar("T")

# The worked example below, as a whole key.
EXAMPLE_KEY = "MSPWB-KEY23-45678-9ABCE"


def chars(key: str) -> list[str]:
    return list(key.replace("-", ""))


def as_key(characters: Sequence[str]) -> str:
    text = "".join(characters)
    return "-".join(text[i : i + 5] for i in range(0, 20, 5))


def with_check(payload: str) -> str:
    return as_key(payload + check_character(payload))


def code(ch: str) -> int:
    return ALPHABET.index(ch)


def doubled_digit_sum(point: int) -> int:
    """Digit sum in base 32 of 2 x point, as in step 3 of the algorithm."""
    return (2 * point) // 32 + (2 * point) % 32


class ScriptedRandom(random.Random):
    """A random source that returns the characters of a script, in order, from `choice`."""

    def __init__(self, script: str) -> None:
        super().__init__(0)
        self._script: Iterator[str] = iter(script)
        self.calls = 0

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        self.calls += 1
        ch = next(self._script)
        assert ch in seq
        return ch  # type: ignore[return-value]


class RepeatingRandom(random.Random):
    """A broken random source that always draws the same character."""

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[0]


# --- Alphabet and format --------------------------------------------------------------------------


def test_alphabet_is_32_distinct_characters_without_0_1_i_o() -> None:
    assert len(ALPHABET) == 32
    assert len(set(ALPHABET)) == 32
    assert ALPHABET == "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    assert not set("01IO") & set(ALPHABET)


def test_generated_key_has_four_groups_of_five_alphabet_characters() -> None:
    key = generate_key()
    assert re.fullmatch(r"[23456789A-HJ-NP-Z]{5}(-[23456789A-HJ-NP-Z]{5}){3}", key)
    assert key == key.upper()
    assert is_program_key(key)
    assert is_valid_key(key)


def test_generated_key_draws_from_the_system_cryptographic_source_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[random.Random] = []

    class SpySystemRandom(random.SystemRandom):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(keys.secrets, "SystemRandom", SpySystemRandom)
    assert is_valid_key(generate_key())
    assert len(made) == 1


def test_seeded_random_gives_the_same_keys() -> None:
    first = [generate_key(rng=random.Random(7)) for _ in range(3)]
    assert first == [generate_key(rng=random.Random(7))] * 3
    assert generate_key(rng=random.Random(8)) != first[0]


# --- The check character --------------------------------------------------------------------------


def test_check_character_of_the_worked_example_is_e() -> None:
    # Payload MSPWB KEY23 45678 9ABC (19 characters), code points = index in the alphabet
    # 23456789ABCDEFGHJKLMNPQRSTUVWXYZ. Factor 2 on the rightmost payload character (C),
    # then 1, 2, 1, ... going left; a product >= 32 counts as its base-32 digit sum (p - 31).
    #
    #   pos char point factor product digit sum
    #    1   M    19     2      38     1 + 6  =  7
    #    2   S    24     1      24               24
    #    3   P    21     2      42     1 + 10 = 11
    #    4   W    28     1      28               28
    #    5   B     9     2      18               18
    #    6   K    17     1      17               17
    #    7   E    12     2      24               24
    #    8   Y    30     1      30               30
    #    9   2     0     2       0                0
    #   10   3     1     1       1                1
    #   11   4     2     2       4                4
    #   12   5     3     1       3                3
    #   13   6     4     2       8                8
    #   14   7     5     1       5                5
    #   15   8     6     2      12               12
    #   16   9     7     1       7                7
    #   17   A     8     2      16               16
    #   18   B     9     1       9                9
    #   19   C    10     2      20               20
    #
    # Sum = 7+24+11+28+18+17+24+30+0+1+4+3+8+5+12+7+16+9+20 = 244.
    # 244 % 32 = 20 (7 x 32 = 224); check point = (32 - 20) % 32 = 12; ALPHABET[12] = "E".
    assert check_character("MSPWBKEY23456789ABC") == "E"
    assert is_valid_key(EXAMPLE_KEY)
    # The same key checked over all 20 characters: the check character E (12) gets factor 1,
    # and 244 + 12 = 256 = 8 x 32.
    assert (244 + code("E")) % 32 == 0


def test_check_character_of_an_all_zero_payload_is_the_zero_character() -> None:
    assert check_character("2" * 19) == "2"


def test_check_character_rejects_anything_but_19_alphabet_characters() -> None:
    for bad in (
        "",
        "MSPWBKEY23456789AB",  # 18 characters
        "MSPWBKEY23456789ABCD",  # 20 characters
        "MSPWB-KEY23-45678-9A",  # separators
        "mspwbkey23456789abc",  # lower case
        "MSPWBKEY23456789AB0",  # 0 is not in the alphabet
        "MSPWBKEY23456789ABI",  # nor is I
    ):
        with pytest.raises(ValueError):
            check_character(bad)


def test_every_single_character_substitution_is_detected() -> None:
    original = chars(EXAMPLE_KEY)
    tried = 0
    for position in range(20):
        for replacement in ALPHABET:
            if replacement == original[position]:
                continue
            changed = original.copy()
            changed[position] = replacement
            assert not is_valid_key(as_key(changed)), (position, replacement)
            tried += 1
    assert tried == 20 * 31


def undetectable_transpositions() -> set[frozenset[str]]:
    """Pairs whose adjacent swap keeps the Luhn mod 32 sum, computed from the algorithm.

    Swapping neighbours a, b moves the factor 2 from one to the other: the sum changes by
    (D(b) + a) - (D(a) + b), D = doubled digit sum. The swap goes unnoticed exactly when
    D(a) - a = D(b) - b (mod 32). D(x) - x is x for x < 16 and x - 31 = x + 1 (mod 32) from 16 on,
    so the only collision is x = 0 ("2") with x = 31 ("Z"): 0 = 32 (mod 32).
    """
    return {
        frozenset((a, b))
        for a in ALPHABET
        for b in ALPHABET
        if a != b
        and (doubled_digit_sum(code(a)) - code(a) - doubled_digit_sum(code(b)) + code(b)) % 32 == 0
    }


def test_the_only_undetectable_adjacent_transposition_is_2_with_z() -> None:
    assert undetectable_transpositions() == {frozenset("2Z")}


def test_every_adjacent_transposition_of_a_key_is_detected_except_2_with_z() -> None:
    # A key with 2Z and Z2 neighbours (also across a group separator), so the misses show up.
    key = with_check("2ZMSP" + "WBKEZ" + "2Z345" + "6789")
    original = chars(key)
    misses = []
    for position in range(19):
        a, b = original[position], original[position + 1]
        if a == b:
            continue
        swapped = original.copy()
        swapped[position], swapped[position + 1] = b, a
        if is_valid_key(as_key(swapped)):
            misses.append(position)
        else:
            assert frozenset((a, b)) not in undetectable_transpositions()
    assert misses == [0, 9, 10]
    assert all({original[p], original[p + 1]} == {"2", "Z"} for p in misses)


def test_adjacent_transpositions_are_detected_for_every_pair_and_position_except_2_with_z() -> None:
    base = chars(EXAMPLE_KEY)[:19]
    for position in range(19):
        for a in ALPHABET:
            for b in ALPHABET:
                if a == b:
                    continue
                key = valid_key_with(base, position, a, b)
                swapped = chars(key)
                swapped[position], swapped[position + 1] = b, a
                expected = frozenset((a, b)) == frozenset("2Z")
                assert is_valid_key(as_key(swapped)) is expected, (position, a, b)


def valid_key_with(base: list[str], position: int, a: str, b: str) -> str:
    """A valid key with `a` at `position` and `b` right after it (b may be the check character)."""
    payload = base.copy()
    payload[position] = a
    if position + 1 < 19:
        payload[position + 1] = b
        return with_check("".join(payload))
    # b is the check character: vary the first payload character until the check comes out as b.
    for first in ALPHABET:
        payload[0] = first
        if check_character("".join(payload)) == b:
            return with_check("".join(payload))
    raise AssertionError("every check character is reachable from the first payload character")


# --- Validation -----------------------------------------------------------------------------------


def test_valid_key_accepts_surrounding_whitespace_only() -> None:
    assert is_valid_key(f"  {EXAMPLE_KEY}\t\n")
    assert is_program_key(f" {EXAMPLE_KEY} ")
    assert not is_valid_key(EXAMPLE_KEY.replace("-", " - "))
    assert not is_valid_key(EXAMPLE_KEY.replace("-", "", 1))


def test_valid_key_is_strict_about_case_and_format() -> None:
    for bad in (
        EXAMPLE_KEY.lower(),
        EXAMPLE_KEY.replace("-", ""),
        EXAMPLE_KEY.replace("-", "_"),
        EXAMPLE_KEY + "-",
        EXAMPLE_KEY[:-1],
        EXAMPLE_KEY + "2",
        "MSPWB-KEY23-45678-9AB-CE",
        "MSPWB-KEY23-45678-9AB0E",  # 0 is not in the alphabet
        "",
        "   ",
    ):
        assert not is_valid_key(bad), bad
        assert not is_program_key(bad), bad


def test_program_key_ignores_the_check_character() -> None:
    wrong_check = EXAMPLE_KEY[:-1] + "F"
    assert is_program_key(wrong_check)
    assert not is_valid_key(wrong_check)


def test_keys_in_other_formats_are_not_program_keys() -> None:
    for other in ("K1111-AAAAA-BBBBB-CCCC2", "KC-2024-000123", "ABCD-EFGH-JKLM-NPQR"):
        assert not is_program_key(other)
        assert not is_valid_key(other)


def test_non_text_is_not_a_key() -> None:
    assert not is_program_key(12345)  # type: ignore[arg-type]
    assert not is_valid_key(None)  # type: ignore[arg-type]


# --- Uniqueness -----------------------------------------------------------------------------------


def test_generated_key_is_unique_against_existing_keys_ignoring_case_and_whitespace() -> None:
    taken_1 = with_check("MSPWBKEY23456789ABC")
    taken_2 = with_check("2222233333444445555")
    fresh = with_check("ZYXWVUTSRQPNMLKJHGF")
    existing = [f"  {taken_1.lower()} ", f"{taken_2}\n", "K1111-AAAAA-BBBBB-CCCC2"]
    script = "".join("".join(chars(k)[:19]) for k in (taken_1, taken_2, fresh))
    rng = ScriptedRandom(script)
    assert generate_key(existing, rng=rng) == fresh
    assert rng.calls == 3 * 19


def test_generated_key_gives_up_when_the_random_source_repeats_itself() -> None:
    only_key = with_check("2" * 19)
    with pytest.raises(RuntimeError, match="no unique license key"):
        generate_key({only_key}, rng=RepeatingRandom())


def test_many_generated_keys_are_unique() -> None:
    rng = random.Random(2026)
    made: list[str] = []
    for _ in range(500):
        made.append(generate_key(made, rng=rng))
    assert len(set(made)) == 500


# --- Properties -----------------------------------------------------------------------------------


@given(rng=st.randoms(use_true_random=False))
def test_generated_keys_always_validate(rng: random.Random) -> None:
    key = generate_key(rng=rng)
    assert is_program_key(key)
    assert is_valid_key(key)


@given(payload=st.text(alphabet=ALPHABET, min_size=19, max_size=19))
def test_any_payload_with_its_check_character_validates(payload: str) -> None:
    key = with_check(payload)
    assert is_valid_key(key)
    # The all-characters form of the rule: the digit sum over 20 characters is 0 mod 32.
    total = 0
    for position, ch in enumerate(reversed(chars(key))):
        product = code(ch) * (1 if position % 2 == 0 else 2)
        total += product // 32 + product % 32
    assert total % 32 == 0


@given(text=st.text(max_size=30))
def test_a_valid_key_is_always_a_program_key(text: str) -> None:
    if is_valid_key(text):
        assert is_program_key(text)
