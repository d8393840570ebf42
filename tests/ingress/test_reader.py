"""vcservice.ingress, the one reader of untrusted input: every refusal has its own class and
problem type and names where; valid edge cases are read as RFC 8259 says (issue 13)."""

from __future__ import annotations

import time

import pytest

from vcservice import errors
from vcservice.ingress import (
    CompactJws,
    Enveloped,
    JsonDocument,
    Limits,
    credential_input,
    is_data_url,
    parse_data_url,
    read_credential_input,
    read_file,
    read_json,
)


@pytest.mark.parametrize(
    ("data", "error", "where"),
    [
        # Why "Duplicate JSON members": refused at any depth, naming the object.
        (b'{"a": 1, "a": 2}', errors.JsonDuplicateMemberError, "'a' in the object at /"),
        (b'{"x": [{"b": {"c": 1, "c": 2}}]}', errors.JsonDuplicateMemberError, "/x/0/b"),
        # Why "Issuing signs what verifying refuses" (NaN/Infinity/1e999 half).
        (b'{"a": NaN}', errors.JsonNotFiniteError, "NaN at /a"),
        (b"[Infinity]", errors.JsonNotFiniteError, "Infinity at /0"),
        (b'{"a": -Infinity}', errors.JsonNotFiniteError, "-Infinity at /a"),
        (b'{"a": 1e999}', errors.JsonNumberRangeError, "1e999 at /a"),
        (b'{"a": -1e999}', errors.JsonNumberRangeError, "-1e999 at /a"),
        (b'{"a": 9007199254740993}', errors.JsonNumberRangeError, "at /a"),
        (b'{"a": 1' + b"0" * 5000 + b"}", errors.JsonNumberRangeError, "5001 digits) at /a"),
        (b'{"a": "\\ud800"}', errors.JsonNotUnicodeError, "string at /a"),
        (b'{"\\udc00": 1}', errors.JsonNotUnicodeError, "member name"),
        (b'{"a": "\xed\xa0\x80"}', errors.JsonNotUnicodeError, "surrogate"),
        (b'{"a": "\xff"}', errors.JsonNotUnicodeError, "offset 7"),
        (b'\xef\xbb\xbf{"a": 1}', errors.JsonNotUnicodeError, "byte order mark"),
        ("\ufeff{}", errors.JsonNotUnicodeError, "byte order mark"),
        ('{"a": 1}'.encode("utf-16"), errors.JsonNotUnicodeError, "not UTF-8"),
        (b'{"a" 1}', errors.JsonSyntaxError, "line 1, column 6"),
        (b"", errors.JsonSyntaxError, "empty"),
        (b" \n", errors.JsonSyntaxError, "empty"),
        (b"[" * 65 + b"]" * 65, errors.JsonTooDeepError, "column 65"),
        (b'{"a": [' + b",".join([b"1"] * 10_001) + b"]}", errors.JsonTooManyItemsError, "/a"),
        (b'{"s": "' + b"x" * (1 << 20) + b'"}', errors.JsonTooLargeError, "1048576"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_each_refusal_has_its_class_and_says_where(
    data: bytes | str, error: type[errors.InputError], where: str
) -> None:
    with pytest.raises(error) as caught:
        read_json(data)
    assert where in caught.value.detail
    assert caught.value.problem_type.endswith("/" + error.slug)


def test_every_refusal_has_its_own_problem_type() -> None:
    classes = [
        errors.JsonSyntaxError,
        errors.JsonNotUnicodeError,
        errors.JsonDuplicateMemberError,
        errors.JsonNotFiniteError,
        errors.JsonNumberRangeError,
        errors.JsonTooDeepError,
        errors.JsonTooLargeError,
        errors.JsonTooManyItemsError,
        errors.DataUrlMalformedError,
        errors.UnreadableInputError,
    ]
    assert all(issubclass(c, errors.InputError) for c in classes)
    assert len({c.slug for c in classes}) == len(classes)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_nesting_is_refused_without_recursion(depth: int) -> None:
    """Why "CLI: deeply nested input": a RecursionError never escapes, however deep."""
    for text in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        with pytest.raises(errors.JsonTooDeepError):
            read_json(text, Limits(max_bytes=None))
    unterminated = b"[" * depth
    with pytest.raises(errors.JsonTooDeepError):
        read_json(unterminated, Limits(max_bytes=None))


def test_brackets_inside_strings_do_not_count() -> None:
    assert read_json(b'{"a": "[[[[[[[[\\"{{{{"}', Limits(max_depth=2)) == {"a": '[[[[[[[["{{{{'}
    with pytest.raises(errors.JsonSyntaxError):  # an unterminated string's brackets neither
        read_json(b'["' + b"[" * 200, Limits(max_depth=4))


def test_hostile_strings_cost_linear_time() -> None:
    started = time.process_time()
    for text in (b'"\\"' * 300_000, b'["' + b'\\"' * 300_000, b'"' * 600_000):
        with pytest.raises(errors.InputError):
            read_json(text, Limits(max_bytes=None))
    assert time.process_time() - started < 2.0


def _nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{}", {}),
        (b"1.7976931348623157e308", 1.7976931348623157e308),
        (b"-1.7976931348623157e308", -1.7976931348623157e308),
        (b"1e-999", 0.0),
        (b"9007199254740992", 9007199254740992),
        (b"100000000000000000000", 100000000000000000000),
        (b'"\\ud83d\\ude00"', "\U0001f600"),
        ('"\U0001f600"'.encode(), "\U0001f600"),
        (b' \t\r\n{"a": [1, -0, 0.5, true, null]} ', {"a": [1, 0, 0.5, True, None]}),
        (b"[" * 64 + b"]" * 64, _nested(64)),
    ],
)
def test_valid_edge_cases_are_read(data: bytes, expected: object) -> None:
    assert read_json(data) == expected


def test_text_and_bytes_read_alike() -> None:
    assert read_json('{"a": "é"}') == read_json('{"a": "é"}'.encode()) == {"a": "é"}


def test_read_file(tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    with pytest.raises(errors.UnreadableInputError, match="directory"):
        read_file(base)
    with pytest.raises(errors.UnreadableInputError, match="cannot read"):
        read_file(base / "absent.json")
    big = base / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(errors.JsonTooLargeError):
        read_file(big, Limits(max_bytes=1024))
    assert read_file(big, Limits(max_bytes=None)) == b" " * 2048


# --- data: URLs, compact JWS, envelopes --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "media_type", "data"),
    [
        ("data:application/vc+jwt,a.b.c", "application/vc+jwt", b"a.b.c"),
        # Why "DATA: (upper case)": scheme and media type are case-insensitive (RFC 2397).
        ("DATA:Application/VC+JWT,a.b.c", "application/vc+jwt", b"a.b.c"),
        ("data:application/vc+jwt;base64,YS5iLmM=", "application/vc+jwt", b"a.b.c"),
        ("data:,a%2Eb%20c", "text/plain", b"a.b c"),
        ("data:text/plain;charset=utf-8,x", "text/plain", b"x"),
    ],
)
def test_data_urls(url: str, media_type: str, data: bytes) -> None:
    parsed = parse_data_url(url)
    assert (parsed.media_type, parsed.data) == (media_type, data)
    assert is_data_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "data:application/vc+jwt",
        "data:vc+jwt,a.b.c",
        "data:application/vc+jwt;base64,%%%",
        "data:application/vc+jwt,a%zzb",
        "https://example.org/x",
    ],
)
def test_malformed_data_urls(url: str) -> None:
    with pytest.raises(errors.DataUrlMalformedError):
        parse_data_url(url)


def test_credential_inputs_are_sorted_in_one_place() -> None:
    assert read_credential_input(b' {"a": 1}\n') == JsonDocument({"a": 1})
    assert read_credential_input(b"aa.bb.cc\n") == CompactJws("aa.bb.cc")
    bare = read_credential_input(b"DATA:application/vc+jwt,aa.bb.cc")
    assert bare == Enveloped("DATA:application/vc+jwt,aa.bb.cc", "application/vc+jwt", "aa.bb.cc")
    outer = {"type": "EnvelopedVerifiableCredential", "id": "Data:application/vc+jwt,aa.bb.cc"}
    assert credential_input(outer) == Enveloped(outer, "application/vc+jwt", "aa.bb.cc")
    malformed = {"type": "EnvelopedVerifiableCredential", "id": "data:nothing"}
    assert credential_input(malformed) == JsonDocument(malformed)  # the verifier says why
    with pytest.raises(errors.JsonSyntaxError, match="neither JSON nor a compact JWS"):
        read_credential_input(b"hello")
    with pytest.raises(errors.JsonDuplicateMemberError):
        read_credential_input(b'{"a": 1, "a": 2}')
