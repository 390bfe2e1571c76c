"""Access codes: alphabet, length, printing, normalisation and keyed hashing."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from survey_app.services.codes import (
    ALPHABET,
    CODE_LENGTH,
    format_code,
    generate_code,
    hash_code,
    normalise_code,
)


def test_codes_have_at_least_40_bits_and_no_lookalikes():
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 40
    assert not set("01OIL") & set(ALPHABET)
    codes = {generate_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)


def test_printed_form():
    assert format_code("K7QM4XPT9C") == "K7QM-4XPT-9C"


@given(st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH),
       st.sampled_from(["", " ", "-", "–"]), st.booleans())
def test_any_case_with_or_without_dashes_normalises(code, sep, lower):
    printed = format_code(code).replace("-", sep)
    typed = printed.lower() if lower else printed
    assert normalise_code(typed) == code


def test_malformed_codes_are_rejected():
    for typed in ("", "ABC", "K7QM-4XPT-9C-2", "K7QM-4XPT-9O", "K7QM-4XPT-91"):
        assert normalise_code(typed) is None


def test_hash_is_keyed():
    assert hash_code("key-a", "K7QM4XPT9C") != hash_code("key-b", "K7QM4XPT9C")
    assert len(hash_code("key-a", "K7QM4XPT9C")) == 64
