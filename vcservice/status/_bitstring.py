"""The bitstring itself: GZIP + multibase base64url encoding, and reading and writing entries.

Spec: W3C Bitstring Status List v1.0, §2.2 (``encodedList``) and §3.3-3.4 (generation and
expansion). Index 0 is the left-most bit of the first byte (the most significant bit), and an
entry of ``size`` bits starts at bit ``index * size`` and is read most significant bit first.

``encodedList`` comes from a remote list credential, and a few hundred bytes of GZIP can expand
to gigabytes, so expansion streams through ``zlib`` with a cap on the output and stops as soon
as the cap is crossed; the cost of refusing a bomb is bounded by the cap, not the bomb.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from vcservice.errors import InputError
from vcservice.errors import ListTooLargeError as ListTooLargeError

#: The minimum number of entries in a list (§3.2, "minimumNumberOfEntries"): 16 KiB of 1-bit
#: entries, so one credential's index hides among at least this many (herd privacy).
MIN_LIST_LENGTH = 131072
#: The largest bitstring :func:`decode_list` expands by default: 16 minimum-size lists, 2 MiB.
DEFAULT_MAX_BITS = 16 * MIN_LIST_LENGTH * 8

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_GZIP = 16 + zlib.MAX_WBITS  # wbits for a gzip header and trailer (RFC 1952), nothing else
_CHUNK = 64 * 1024


def encode_list(bits: bytes | bytearray) -> str:
    """``encodedList`` for ``bits``: GZIP, then multibase base64url without padding (``u``).

    Deterministic (no file name, modification time 0), so re-encoding an unchanged list gives
    the same string and the signed list credential the same ETag. Any length is encoded; the
    16 KiB minimum is enforced where a list credential is built.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, _GZIP)
    data = compressor.compress(bytes(bits)) + compressor.flush()
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_list(encoded: str, *, max_bits: int = DEFAULT_MAX_BITS) -> bytes:
    """The bitstring in an ``encodedList``; InputError if it is malformed or too large.

    Refuses anything but a ``u`` multibase prefix, unpadded base64url and GZIP data (one or
    more complete members, nothing after them). More than ``max_bits`` bits once expanded
    raises :class:`ListTooLargeError` (an InputError) after inflating at most ``max_bits``.
    """
    if not isinstance(encoded, str):
        raise InputError(f"encodedList must be a string, not {type(encoded).__name__}")
    if max_bits < 8:
        raise ValueError("max_bits must allow at least one byte")
    max_bytes = max_bits // 8
    if not encoded.startswith("u"):
        raise InputError(
            f"encodedList must be multibase base64url (prefix 'u'), found prefix {encoded[:1]!r}"
        )
    text = encoded[1:]
    # GZIP adds ~0.03 % to incompressible data; anything far longer cannot fit under the cap.
    if len(text) > (max_bytes + max_bytes // 100 + 1024) * 4 // 3:
        raise ListTooLargeError(
            f"encodedList is {len(encoded)} characters long, more than a list of at most "
            f"{max_bits} bits can need"
        )
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise InputError("encodedList is not unpadded base64url after its 'u' prefix")
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"encodedList is not valid base64url ({exc})") from exc
    return _gunzip(compressed, max_bytes)


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Inflate every GZIP member of ``data``, producing at most ``max_bytes`` before refusing."""
    if not data:
        raise InputError("encodedList holds no GZIP data")
    out = bytearray()
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(_GZIP)
            pending = rest
            while pending and not inflater.eof:
                # max_length bounds each step, so a bomb costs at most max_bytes + 1 of output.
                out += inflater.decompress(pending, max_bytes - len(out) + 1)
                if len(out) > max_bytes:
                    raise ListTooLargeError(
                        f"encodedList expands to more than {max_bytes * 8} bits, the most this "
                        "verifier accepts"
                    )
                pending = inflater.unconsumed_tail
            if not inflater.eof:
                raise InputError("encodedList's GZIP data is truncated")
            rest = inflater.unused_data
    except zlib.error as exc:
        raise InputError(f"encodedList is not valid GZIP data ({exc})") from exc
    return bytes(out)


def _span(length: int, index: int, size: int) -> tuple[int, int]:
    """(first bit, end bit) of entry ``index``; ValueError/IndexError for bad arguments."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive integer, not {size!r}")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise IndexError(f"index must be a non-negative integer, not {index!r}")
    start = index * size
    end = start + size
    if end > length * 8:
        raise IndexError(
            f"entry {index} of {size} bit(s) ends at bit {end}, past the {length * 8}-bit list"
        )
    return start, end


def get_status(bits: bytes | bytearray, index: int, size: int = 1) -> int:
    """The ``size``-bit value of entry ``index`` (bits ``index*size`` to ``index*size+size-1``,
    most significant first). IndexError past the end of ``bits``; ValueError for ``size < 1``."""
    start, end = _span(len(bits), index, size)
    first, last = start // 8, (end - 1) // 8
    chunk = int.from_bytes(bits[first : last + 1], "big")
    return (chunk >> ((last + 1) * 8 - end)) & ((1 << size) - 1)


def set_status(bits: bytearray, index: int, value: int, size: int = 1) -> None:
    """Write ``value`` into entry ``index`` in place; the inverse of :func:`get_status`.

    ValueError unless ``0 <= value < 2**size``; IndexError past the end of ``bits``.
    """
    start, end = _span(len(bits), index, size)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << size:
        raise ValueError(f"value {value!r} does not fit in {size} bit(s)")
    first, last = start // 8, (end - 1) // 8
    shift = (last + 1) * 8 - end
    mask = ((1 << size) - 1) << shift
    chunk = int.from_bytes(bits[first : last + 1], "big")
    chunk = (chunk & ~mask) | (value << shift)
    bits[first : last + 1] = chunk.to_bytes(last - first + 1, "big")
