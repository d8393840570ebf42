"""Bit access in a Bitstring Status List: index 0 is the most significant bit of byte 0."""

from __future__ import annotations


def get_bit(bits: bytes, index: int) -> bool:
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def with_bit(bits: bytes, index: int, value: bool) -> bytes:
    """A copy of ``bits`` with bit ``index`` set to ``value``."""
    out = bytearray(bits)
    mask = 0x80 >> (index & 7)
    if value:
        out[index >> 3] |= mask
    else:
        out[index >> 3] &= ~mask & 0xFF
    return bytes(out)
