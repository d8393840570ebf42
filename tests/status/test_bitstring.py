"""encodedList encoding and decoding, and the spec's bit order."""

from __future__ import annotations

import base64
import gzip
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcservice.errors import InputError
from vcservice.status import MIN_LIST_LENGTH, decode_list, encode_list, get_status, set_status
from vcservice.status._bitstring import ListTooLargeError

from ..conftest import W3C, load_json

EXAMPLES = W3C / "bitstring-status-list" / "examples"


def _multibase(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


# --- encoding -------------------------------------------------------------------------------
def test_minimum_length_is_16_kib_of_bits() -> None:
    assert MIN_LIST_LENGTH == 131072 == 16 * 1024 * 8


@pytest.mark.parametrize(
    "bits", [bytes(16384), b"\xff" * 16384, bytes(range(256)) * 64, b"", b"\x80"]
)
def test_round_trip(bits: bytes) -> None:
    encoded = encode_list(bits)
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert "+" not in encoded
    assert "/" not in encoded
    assert decode_list(encoded) == bits


@given(st.binary(max_size=4096))
def test_round_trip_any_bytes(bits: bytes) -> None:
    assert decode_list(encode_list(bits)) == bits


def test_encoding_is_gzip_then_unpadded_base64url() -> None:
    encoded = encode_list(b"\x80" + bytes(16383))
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:2] == b"\x1f\x8b"  # a GZIP member (RFC 1952), not zlib or raw deflate
    assert gzip.decompress(raw) == b"\x80" + bytes(16383)


def test_encoding_is_deterministic() -> None:
    """No timestamp in the GZIP header, so an unchanged list re-signs to the same ETag."""
    bits = bytes(range(256)) * 64
    assert encode_list(bits) == encode_list(bytearray(bits))
    raw = base64.urlsafe_b64decode(encode_list(bits)[1:] + "==")
    assert raw[4:8] == b"\x00\x00\x00\x00"  # MTIME


def test_empty_list_encodes_like_the_spec_example() -> None:
    """The spec's example list is 16 KiB of zeros; ours differs only in the header's XFL byte."""
    ours = encode_list(bytes(16384))
    theirs = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
    assert len(ours) == len(theirs)
    assert decode_list(ours) == decode_list(theirs)


# --- the W3C examples -------------------------------------------------------------------------
def _example_lists() -> list[tuple[str, str]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.json")):
        subject = load_json(path).get("credentialSubject", {})
        if "encodedList" in subject:
            found.append((path.name, subject["encodedList"]))
    return found


def test_examples_directory_has_lists() -> None:
    assert len(_example_lists()) >= 2


@pytest.mark.parametrize(("name", "encoded"), _example_lists(), ids=lambda v: str(v)[:40])
def test_w3c_example_lists_decode(name: str, encoded: str) -> None:
    bits = decode_list(encoded)
    assert len(bits) * 8 == MIN_LIST_LENGTH
    assert not any(bits)  # the examples revoke nothing
    assert get_status(bits, 94567) == 0  # the index the spec's revocable credential uses


# --- bit order ------------------------------------------------------------------------------
def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    bits = bytearray(4)
    set_status(bits, 0, 1)
    assert bits == b"\x80\x00\x00\x00"
    set_status(bits, 7, 1)
    assert bits == b"\x81\x00\x00\x00"
    set_status(bits, 8, 1)
    assert bits == b"\x81\x80\x00\x00"
    set_status(bits, 31, 1)
    assert bits == b"\x81\x80\x00\x01"
    assert [get_status(bits, i) for i in (0, 1, 7, 8, 9, 30, 31)] == [1, 0, 1, 1, 0, 0, 1]


def test_decoded_bit_order_matches_the_spec() -> None:
    """A list whose first byte is 0x80 has entry 0 set and entry 1 clear, after decoding."""
    bits = decode_list(_multibase(_gzip(b"\x80\x01" + bytes(16382))))
    assert get_status(bits, 0) == 1
    assert get_status(bits, 1) == 0
    assert get_status(bits, 15) == 1


def test_multi_bit_entries_start_at_index_times_size() -> None:
    bits = bytearray(2)
    set_status(bits, 0, 0b10, size=2)  # bits 0-1
    set_status(bits, 3, 0b11, size=2)  # bits 6-7
    set_status(bits, 1, 0b101, size=3)  # bits 3-5
    assert bits == b"\x97\x00"  # bits 0-7: 10 0 101 11 -> 1001 0111
    assert get_status(bits, 0, size=2) == 0b10
    assert get_status(bits, 1, size=3) == 0b101
    assert get_status(bits, 3, size=2) == 0b11


def test_entries_may_straddle_bytes() -> None:
    bits = bytearray(3)
    set_status(bits, 1, 0x3FF, size=10)  # bits 10..19
    assert bits == bytes([0x00, 0x3F, 0xF0])
    assert get_status(bits, 1, size=10) == 0x3FF
    set_status(bits, 1, 0x201, size=10)
    assert get_status(bits, 1, size=10) == 0x201
    assert get_status(bits, 0, size=10) == 0


@given(
    st.integers(min_value=1, max_value=16),
    st.data(),
)
def test_set_then_get_leaves_neighbours_alone(size: int, data: st.DataObject) -> None:
    bits = bytearray(data.draw(st.binary(min_size=8, max_size=64)))
    count = len(bits) * 8 // size
    index = data.draw(st.integers(min_value=0, max_value=count - 1))
    value = data.draw(st.integers(min_value=0, max_value=(1 << size) - 1))
    before = [get_status(bits, i, size) for i in range(count)]
    set_status(bits, index, value, size)
    after = [get_status(bits, i, size) for i in range(count)]
    assert after[index] == value
    assert after[:index] == before[:index]
    assert after[index + 1 :] == before[index + 1 :]


@pytest.mark.parametrize(("index", "size"), [(16, 1), (8, 2), (-1, 1), (0, 17), (True, 1)], ids=str)
def test_out_of_range_index_is_an_index_error(index: int, size: int) -> None:
    with pytest.raises(IndexError):
        get_status(b"\x00\x00", index, size)
    with pytest.raises(IndexError):
        set_status(bytearray(2), index, 0, size)


@pytest.mark.parametrize(("value", "size"), [(2, 1), (-1, 1), (4, 2), (True, 1)], ids=str)
def test_value_must_fit_the_entry(value: int, size: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        set_status(bytearray(2), 0, value, size)


@pytest.mark.parametrize("size", [0, -1, True])
def test_size_must_be_positive(size: int) -> None:
    with pytest.raises(ValueError, match="size"):
        get_status(b"\x00", 0, size)


# --- refusals ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bomb",
    [
        pytest.param(lambda: _gzip(bytes(64 << 20)), id="64MiB-one-member"),
        # 1 GiB of zeros as 1,024 members of 1 MiB: about 1 MB of GZIP, built in milliseconds.
        pytest.param(lambda: _gzip(bytes(1 << 20)) * 1024, id="1GiB-many-members"),
    ],
)
def test_decompression_bomb_is_refused_fast(bomb: Callable[[], bytes]) -> None:
    encoded = _multibase(bomb())
    started = time.perf_counter()
    with pytest.raises(ListTooLargeError, match="more than 16777216 bits"):
        decode_list(encoded)
    assert time.perf_counter() - started < 0.5  # inflates the 2 MiB cap, not the bomb


def test_bomb_refusal_is_an_input_error_and_respects_max_bits() -> None:
    encoded = encode_list(bytes(4096))
    assert len(decode_list(encoded, max_bits=4096 * 8)) == 4096
    with pytest.raises(InputError, match="more than 32760 bits"):
        decode_list(encoded, max_bits=4095 * 8)


def test_overlong_text_is_refused_before_decoding() -> None:
    with pytest.raises(ListTooLargeError, match="characters long"):
        decode_list("u" + "A" * 10_000, max_bits=8 * 1024)


def test_concatenated_gzip_members_are_one_list() -> None:
    """RFC 1952 allows several members; gzip(1) and zlib-based readers concatenate them."""
    encoded = _multibase(_gzip(b"\x80" * 10) + _gzip(b"\x01" * 10))
    assert decode_list(encoded) == b"\x80" * 10 + b"\x01" * 10


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        pytest.param("", "prefix", id="empty"),
        pytest.param("zH4sI", "prefix 'z'", id="base58btc-prefix"),
        pytest.param(
            "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
            "prefix",
            id="no-prefix",
        ),
        pytest.param("u", "no GZIP data", id="prefix-only"),
        pytest.param("uH4sI+AAA", "base64url", id="standard-alphabet"),
        pytest.param("uH4sIAA==", "base64url", id="padded"),
        pytest.param("uH4sIAA", "truncated", id="truncated-header"),
        pytest.param("uAAAAAA", "GZIP", id="not-gzip"),
        pytest.param("uH", "base64url", id="impossible-length"),
        pytest.param(
            "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsA",
            "truncated",
            id="truncated-body",
        ),
    ],
)
def test_malformed_encodings_are_input_errors(encoded: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_list(encoded)


def test_zlib_stream_is_not_gzip() -> None:
    with pytest.raises(InputError, match="GZIP"):
        decode_list(_multibase(zlib.compress(bytes(16384))))


def test_trailing_garbage_is_refused() -> None:
    with pytest.raises(InputError, match="GZIP"):
        decode_list(_multibase(_gzip(bytes(16384)) + b"junk"))


def test_corrupt_crc_is_refused() -> None:
    data = bytearray(_gzip(bytes(16384)))
    data[-8] ^= 0xFF  # CRC32 in the trailer
    with pytest.raises(InputError, match="GZIP"):
        decode_list(_multibase(bytes(data)))


@pytest.mark.parametrize("value", [None, 42, b"uH4sI"])
def test_non_string_is_an_input_error(value: object) -> None:
    with pytest.raises(InputError, match="must be a string"):
        decode_list(value)  # type: ignore[arg-type]


def test_fixtures_exist() -> None:
    assert Path(EXAMPLES).is_dir()
