"""Base58btc (the Bitcoin alphabet, multibase ``z``), two digits per step.

The ``base58`` package converts one digit per big-integer division, about 15 µs to encode and
11 µs to decode a 34-byte multihash; a graph verification does both once per credential (the
node's digest, its link's ``digestMultibase``). Working in base 58² = 3,364 with a table of
digit pairs halves the steps and drops the per-digit Python work: about three times faster,
with the same output (tests compare the two on random input, leading zero bytes included).
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE2 = 58 * 58
_PAIRS = [high + low for high in ALPHABET for low in ALPHABET]
_DIGIT = {char: value for value, char in enumerate(ALPHABET)}
_PAIR = {pair: value for value, pair in enumerate(_PAIRS)}


def b58encode(data: bytes) -> str:
    """Base58btc text of ``data``: one ``1`` per leading zero byte, then the number's digits."""
    stripped = data.lstrip(b"\0")
    number = int.from_bytes(stripped, "big")
    pairs: list[str] = []
    while number:
        number, pair = divmod(number, _BASE2)
        pairs.append(_PAIRS[pair])
    pairs.reverse()
    # The most significant pair may start with the zero digit, which is not written.
    return "1" * (len(data) - len(stripped)) + "".join(pairs).lstrip("1")


def b58decode(text: str) -> bytes:
    """The bytes of base58btc ``text``; ValueError for a character outside the alphabet."""
    stripped = text.lstrip("1")
    start = len(stripped) % 2
    try:
        number = _DIGIT[stripped[0]] if start else 0
        for index in range(start, len(stripped), 2):
            number = number * _BASE2 + _PAIR[stripped[index : index + 2]]
    except KeyError:
        raise ValueError("not base58btc: a character outside the alphabet") from None
    zeros = b"\0" * (len(text) - len(stripped))
    return zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
