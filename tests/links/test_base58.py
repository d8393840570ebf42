"""The two-digits-per-step base58btc of :mod:`vcservice._base58` against the ``base58``
package (the implementation it replaces for link digests): same text, same bytes back."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcservice._base58 import b58decode, b58encode

#: Leading zero bytes become leading "1"s; both halves of a digit pair must survive.
_BYTES = st.binary(max_size=80) | st.builds(
    lambda zeros, rest: b"\0" * zeros + rest, st.integers(0, 4), st.binary(max_size=40)
)


@given(_BYTES)
def test_encoding_matches_the_base58_package(data: bytes) -> None:
    assert b58encode(data) == base58.b58encode(data).decode("ascii")


@given(_BYTES)
def test_decoding_reverses_encoding(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


@pytest.mark.parametrize("text", ["1", "11", "2", "z", "1z", "zz", "111zzz", "3mJr7AoUXx2Wqd"])
def test_decoding_matches_the_base58_package(text: str) -> None:
    assert b58decode(text) == base58.b58decode(text)


@pytest.mark.parametrize("text", ["0", "O", "I", "l", "ab+", "zz ", "é"])
def test_a_character_outside_the_alphabet_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="outside the alphabet"):
        b58decode(text)
