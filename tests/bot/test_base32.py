"""Base32 letters written out: the standard encoding, in lower case."""

import base64

from hypothesis import given
from hypothesis import strategies as st

from bot.base32 import letters, letters_at_once


@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda n: st.binary(min_size=5 * n, max_size=5 * n)
    )
)
def test_letters_are_the_standard_base32_encoding_in_lower_case(data: bytes) -> None:
    assert letters(data) == base64.b32encode(data).decode("ascii").lower()


@given(
    st.integers(min_value=0, max_value=400).flatmap(
        lambda n: st.binary(min_size=5 * n, max_size=5 * n)
    )
)
def test_letters_at_once_are_the_same_letters(data: bytes) -> None:
    assert letters_at_once(data) == base64.b32encode(data).decode("ascii").lower()
