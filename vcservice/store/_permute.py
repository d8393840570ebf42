"""A keyed pseudo-random permutation of ``0 .. length-1``: which index a status slot gets.

Slots of a status list are handed out in order (a counter), but the index a slot maps to must
not show the order of issuing (herd privacy: whoever fetches a list must not learn which
credential of a batch is being checked, nor how old it is). A keyed Feistel network is a
bijection by construction, so indexes are unique without any lookup or retry, and without the
list's secret key they look random.

The network works on the smallest power-of-two domain ``2**k >= length``, split into a high
half of ``k // 2`` bits and a low half of the rest (an unbalanced Feistel network, as FF1
alternates its halves), with BLAKE2b keyed by the list's key as the round function. A value
that lands at or beyond ``length`` is encrypted again (cycle walking), which keeps the map a
bijection of ``0 .. length-1``; as ``2**k < 2 * length`` that takes fewer than two rounds on
average.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import blake2b

ROUNDS = 8


def _domain_bits(length: int) -> int:
    if length < 2:
        raise ValueError("a permutation needs a length of at least 2")
    return max((length - 1).bit_length(), 2)


def _round(key: bytes, bits: int, step: int, value: int) -> int:
    data = bytes((bits, step)) + value.to_bytes(4, "big")
    return int.from_bytes(blake2b(data, key=key, digest_size=8).digest(), "big")


def _encrypt(key: bytes, bits: int, value: int) -> int:
    high_bits = bits // 2
    low_bits = bits - high_bits
    a, b = value >> low_bits, value & ((1 << low_bits) - 1)  # a: high_bits, b: low_bits
    for step in range(ROUNDS):
        width = high_bits if step % 2 == 0 else low_bits  # the width of ``a``
        a, b = b, (a ^ _round(key, bits, step, b)) & ((1 << width) - 1)
    return (a << low_bits) | b  # after an even number of rounds the widths are back in place


def _decrypt(key: bytes, bits: int, value: int) -> int:
    high_bits = bits // 2
    low_bits = bits - high_bits
    a, b = value >> low_bits, value & ((1 << low_bits) - 1)
    for step in reversed(range(ROUNDS)):
        width = high_bits if step % 2 == 0 else low_bits
        a, b = (b ^ _round(key, bits, step, a)) & ((1 << width) - 1), a
    return (a << low_bits) | b


def permute(key: bytes, slot: int, length: int) -> int:
    """The index of ``slot`` (``0 <= slot < length``) in a list of ``length`` under ``key``."""
    if not 0 <= slot < length:
        raise ValueError(f"slot {slot} is outside 0..{length - 1}")
    return _cycle_walk(_encrypt, key, slot, length)


def unpermute(key: bytes, index: int, length: int) -> int:
    """The slot whose index is ``index``: the inverse of :func:`permute`."""
    if not 0 <= index < length:
        raise ValueError(f"index {index} is outside 0..{length - 1}")
    return _cycle_walk(_decrypt, key, index, length)


def _cycle_walk(
    cipher: Callable[[bytes, int, int], int], key: bytes, value: int, length: int
) -> int:
    """``cipher`` applied until the value falls inside the list (cycle-walking: the cipher
    permutes the power-of-two domain, so the walk from a value inside the list returns to it)."""
    bits = _domain_bits(length)
    value = cipher(key, bits, value)
    while value >= length:
        value = cipher(key, bits, value)
    return value
