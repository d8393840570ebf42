"""The one reader of untrusted input: strict JSON, ``data:`` URLs, compact JWS, envelopes.

Every surface (API bodies, CLI files and stdin, the verification page, graph bundles and
linked credentials, status lists, DID documents, JWS headers and payloads, checkpoints, key
files, the conformance harness) reads through here, so one document gets one reading
everywhere. Python's ``json`` is lenient where other platforms are not, and each leniency is
a way to make two verifiers disagree about one credential; so this reader refuses, each with
its own :class:`~vcservice.errors.InputError` subclass and problem type, and a detail that
names where (a JSON pointer, or line and column):

* **Duplicate member names** at any depth (``json-duplicate-member``): Python keeps the last
  copy, other parsers the first, so a signed credential could show one ``credentialSubject``
  and verify another.
* **NaN, Infinity, -Infinity** (``json-not-finite``): not JSON (RFC 8259 §6).
* **Numbers an IEEE 754 double cannot hold** (``json-number-range``): ``1e999`` overflows to
  infinity, and an integer that does not survive the round trip through a double (beyond
  2^53 and not exactly representable, or longer than Python's digit limit) reads differently
  in JavaScript. Underflow (``1e-999`` reads as 0) is precision, like ``0.1``, and accepted.
* **Text that is not Unicode** (``json-not-unicode``): bytes that are not UTF-8 (the JSON
  module would guess UTF-16 or UTF-32), a lone surrogate, raw or escaped (RFC 8259 §8.2), and
  a leading byte order mark. RFC 8259 §8.1 lets a parser ignore a BOM, but it also forbids
  sending one, and JavaScript's ``JSON.parse`` refuses it: refusing keeps our verdict the one
  a browser would reach.
* **Limits** (:class:`Limits`): total bytes (``json-too-large``), nesting depth
  (``json-too-deep``) and items in one array or object (``json-too-many-items``). The depth is
  measured on the raw text before ``json.loads`` runs, without recursion, because
  ``json.loads`` itself recurses: 100,000 nested brackets are a clean refusal, not a
  RecursionError.
* **Syntax** (``json-syntax``): anything else ``json.loads`` refuses, with line and column.

Recognition lives here too: :func:`parse_data_url` (RFC 2397: scheme and media type are
case-insensitive, percent-encoded and base64 forms), :func:`is_compact_jws` (shape only; the
JOSE layer decodes strictly) and :func:`enveloped_type`; :func:`read_credential_input` and
:func:`credential_input` sort a credential input into a :data:`CredentialInput`.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Final, TypeAlias, TypeGuard
from urllib.parse import unquote_to_bytes

from vcservice.errors import (
    DataUrlMalformedError,
    InputError,
    JsonDuplicateMemberError,
    JsonNotFiniteError,
    JsonNotUnicodeError,
    JsonNumberRangeError,
    JsonSyntaxError,
    JsonTooDeepError,
    JsonTooLargeError,
    JsonTooManyItemsError,
    UnreadableInputError,
)

#: A parsed JSON value. ``Any`` rather than the recursive union: every caller narrows with
#: ``isinstance`` anyway, and the union would force casts at each of them for no safety gained.
JSON: TypeAlias = Any


@dataclass(frozen=True)
class Limits:
    """How much one JSON text may hold; the defaults are the service's (``VCSERVICE_MAX_*``).

    ``max_bytes=None`` is for bytes whose size the caller has already bounded (a fetcher that
    enforces its own cap while streaming), so one document has one byte limit, not two.
    """

    max_bytes: int | None = 1 << 20
    max_depth: int = 64
    max_items: int = 10_000


DEFAULT_LIMITS: Final = Limits()
#: For a body from a bounded fetcher (its size capped while streaming): depth and items only.
FETCHED_LIMITS: Final = Limits(max_bytes=None)
#: For a file named on the command line or in a chain directory: it may hold a whole graph
#: bundle, so more bytes than one request; nesting and items as everywhere.
FILE_LIMITS: Final = Limits(max_bytes=64 << 20)

# --- strict JSON -------------------------------------------------------------------------------

#: A JSON string, escapes included, or an unterminated one running to the end of the text (whose
#: brackets are string content too). It matches from every quote, so a text of unterminated
#: strings costs linear time, not quadratic.
_STRING = r'"[^"\\]*(?:\\.?[^"\\]*)*(?:"|\Z)'
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_TOKEN = re.compile(_STRING + r"|[\[{\]}]", re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Decimal digits beyond which an integer certainly exceeds the largest double (~1.8e308).
_MAX_INT_DIGITS = 309


class _Marked:
    """A value the parser hooks could not accept; the walk reports it with its pointer."""

    __slots__ = ("error", "text")

    def __init__(self, error: type[InputError], text: str) -> None:
        self.error, self.text = error, text


class _Duplicated(dict[str, Any]):
    """An object that named ``name`` twice (built so parsing can go on to find where)."""

    def __init__(self, pairs: list[tuple[str, Any]], name: str) -> None:
        super().__init__(pairs)
        self.name = name


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            return _Duplicated(pairs, name)
        seen.add(name)
    return obj  # pragma: no cover (a shorter dict means a repeated name)


def _constant(name: str) -> _Marked:
    return _Marked(JsonNotFiniteError, name)


def _float(text: str) -> float | _Marked:
    value = float(text)
    return value if math.isfinite(value) else _Marked(JsonNumberRangeError, text)


def _int(text: str) -> int | _Marked:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return _Marked(JsonNumberRangeError, text)
    value = int(text)
    try:
        exact = int(float(value)) == value
    except OverflowError:
        exact = False
    return value if exact else _Marked(JsonNumberRangeError, text)


class _Hooks:
    """The parser hooks of one read, noting whether any made a value the walk must report
    (a :class:`_Duplicated` object, a :class:`_Marked` number or constant)."""

    __slots__ = ("flagged",)

    def __init__(self) -> None:
        self.flagged = False

    def on_object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        self.flagged = True
        return _object(pairs)

    def on_constant(self, name: str) -> _Marked:
        self.flagged = True
        return _constant(name)

    def on_float(self, text: str) -> float | _Marked:
        value = _float(text)
        if value.__class__ is _Marked:
            self.flagged = True
        return value

    def on_int(self, text: str) -> int | _Marked:
        value = _int(text)
        if value.__class__ is _Marked:
            self.flagged = True
        return value


#: A ``\u`` escape of a surrogate (its backslash may itself be escaped: then only a false alarm).
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _needs_walk(data: bytes | str, text: str, hooks: _Hooks, max_items: int) -> bool:
    """Whether :func:`_check_values` could find anything in what ``text`` parsed to.

    It cannot when no hook flagged a value, no container can exceed ``max_items`` (n items
    need n - 1 commas), and no string can hold a surrogate: UTF-8 bytes never decode to one,
    so only text handed over as ``str`` or a ``\\u`` escape could. On a small credential the
    walk is most of the reading's cost; any doubt runs it, and it alone words the refusal.
    """
    if hooks.flagged or text.count(",") >= max_items:
        return True
    if "\\u" in text and _ESCAPED_SURROGATE.search(text):
        return True
    return isinstance(data, str) and _SURROGATE.search(text) is not None


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if data[exc.start : exc.start + 2] >= b"\xed\xa0" and data[exc.start] == 0xED:
                raise JsonNotUnicodeError(  # ED A0..BF xx: CESU-style, a surrogate's bytes
                    f"not UTF-8 text: the bytes at offset {exc.start} encode a surrogate (U+D800 "
                    "to U+DFFF), which is not a Unicode character (RFC 8259 §8.2)"
                ) from None
            raise JsonNotUnicodeError(
                f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot "
                "start or continue a UTF-8 character (JSON text is UTF-8, RFC 8259 §8.1)"
            ) from None
    if text.startswith("\ufeff"):
        raise JsonNotUnicodeError(
            "the text starts with a byte order mark (U+FEFF); JSON text is UTF-8 without one "
            "(RFC 8259 §8.1)"
        )
    return text


def _position(text: str, index: int) -> str:
    line_start = text.rfind("\n", 0, index) + 1
    return f"line {text.count(chr(10), 0, index) + 1}, column {index - line_start + 1}"


def _check_depth(text: str, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth`` by counting brackets outside strings, without
    recursion (json.loads stops at an unterminated string, so what follows one is not counted).
    """
    if text.count("[") + text.count("{") <= max_depth:
        return  # fewer opening brackets than the limit, strings included: cannot nest deeper
    brackets = _NOT_BRACKET.sub("", _STRINGS.sub("", text))
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= max_depth:
        return
    depth = 0  # refused: find where, once, for the message
    for match in _TOKEN.finditer(text):
        depth += _STEP.get(match.group(), 0)
        if depth > max_depth:
            raise JsonTooDeepError(
                f"JSON nests deeper than {max_depth} levels (at {_position(text, match.start())})"
            )
    raise JsonTooDeepError(f"JSON nests deeper than {max_depth} levels")  # pragma: no cover


def _pointer(path: tuple[Any, ...] | None) -> str:
    """The JSON pointer (RFC 6901) of a linked path ``(parent, key)``."""
    keys: list[str] = []
    while path is not None:
        path, key = path
        keys.append(str(key).replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(reversed(keys)) if keys else "/ (the top level)"


def _check_values(value: Any, max_items: int) -> None:
    """Walk the parsed value iteratively: marked numbers and constants, duplicate members,
    lone surrogates in strings or member names, and the item limit, each with its pointer."""
    stack: list[tuple[Any, tuple[Any, ...] | None]] = [(value, None)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise JsonNotUnicodeError(
                    f"the string at {_pointer(path)} holds an unpaired surrogate (U+D800 to "
                    "U+DFFF); JSON text must be Unicode (RFC 8259 §8.2)"
                )
        elif isinstance(node, dict):
            if isinstance(node, _Duplicated):
                raise JsonDuplicateMemberError(
                    f"duplicate member name {node.name!r} in the object at {_pointer(path)}: "
                    "parsers differ on which copy they keep, so the document is ambiguous"
                )
            if len(node) > max_items:
                raise JsonTooManyItemsError(
                    f"the object at {_pointer(path)} has more than {max_items} members"
                )
            for name, child in node.items():
                if _SURROGATE.search(name):
                    raise JsonNotUnicodeError(
                        f"a member name in the object at {_pointer(path)} holds an unpaired "
                        "surrogate (U+D800 to U+DFFF); JSON text must be Unicode (RFC 8259 §8.2)"
                    )
                stack.append((child, (path, name)))
        elif isinstance(node, list):
            if len(node) > max_items:
                raise JsonTooManyItemsError(
                    f"the array at {_pointer(path)} has more than {max_items} items"
                )
            stack.extend((child, (path, index)) for index, child in enumerate(node))
        elif isinstance(node, _Marked):
            if node.error is JsonNotFiniteError:
                raise JsonNotFiniteError(
                    f"not valid JSON: {node.text} at {_pointer(path)} is not a JSON number "
                    "(JSON has no NaN or Infinity)"
                )
            shown = (
                node.text
                if len(node.text) <= 40
                else f"{node.text[:20]}… ({len(node.text)} digits)"
            )
            raise JsonNumberRangeError(
                f"the number {shown} at {_pointer(path)} cannot be held by an IEEE 754 double "
                "(it overflows, or as an integer it would not read back exactly)"
            )


def _check_size(data: bytes | str, limits: Limits) -> None:
    if limits.max_bytes is None:
        return
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise JsonTooLargeError(f"larger than the limit of {limits.max_bytes} bytes")


def read_json(data: bytes | str, limits: Limits = DEFAULT_LIMITS) -> JSON:
    """Parse one strict RFC 8259 JSON text (UTF-8 bytes, or text already decoded).

    Raises one of the ``Json*Error`` subclasses of InputError, never anything else.
    """
    _check_size(data, limits)
    text = _decode(data)
    if not text.strip(" \t\r\n"):
        raise JsonSyntaxError("not valid JSON: the input is empty")
    _check_depth(text, limits.max_depth)
    hooks = _Hooks()
    try:
        value = json.loads(
            text, object_pairs_hook=hooks.on_object, parse_constant=hooks.on_constant,
            parse_float=hooks.on_float, parse_int=hooks.on_int,
        )  # fmt: skip
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:  # only if a caller allows more depth than the interpreter does
        raise JsonTooDeepError("JSON nests too deeply for this reader") from None
    if _needs_walk(data, text, hooks, limits.max_items):
        _check_values(value, limits.max_items)
    return value


def read_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a file that should hold one input, refused before reading if it is a
    directory, missing or over ``limits.max_bytes``."""
    file = Path(path)
    cap = limits.max_bytes
    try:
        if file.is_dir():
            raise UnreadableInputError("cannot read: it is a directory, not a file")
        size = file.stat().st_size
        if cap is not None and size > cap:
            raise JsonTooLargeError(f"the file has {size} bytes, more than the limit of {cap}")
        with file.open("rb") as handle:
            data = handle.read() if cap is None else handle.read(cap + 1)  # it may have grown
    except OSError as exc:
        raise UnreadableInputError(f"cannot read: {exc.strerror or exc}") from None
    _check_size(data, limits)
    return data


# --- data: URLs, compact JWS, envelopes --------------------------------------------------------

ENVELOPED_VC: Final = "EnvelopedVerifiableCredential"
ENVELOPED_VP: Final = "EnvelopedVerifiablePresentation"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
#: An SD-JWT (RFC 9901 §4): the issuer-signed JWT, each disclosure followed by ``~``, then an
#: optional key-binding JWT. Outline only; :mod:`vcservice.securing.sdjwt` decodes strictly.
SD_JWT_SHAPE = re.compile(
    r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~(?:[A-Za-z0-9_-]+~)*"
    r"(?:[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?"
)
#: RFC 2045 token characters (a media type's type, subtype and parameter names).
_MIME_NAME = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"{_MIME_NAME}/{_MIME_NAME}")
_PARAMETER = re.compile(rf"{_MIME_NAME}=[^;,]*")


@dataclass(frozen=True)
class DataUrl:
    """A parsed RFC 2397 ``data:`` URL: the media type lower-cased (``text/plain`` when the URL
    names none), its parameters, whether it was base64, and the decoded data."""

    media_type: str
    parameters: tuple[str, ...]
    base64: bool
    data: bytes

    def text(self) -> str:
        """The data as ASCII text (what a compact JWS is), or DataUrlMalformedError."""
        try:
            return self.data.decode("ascii")
        except UnicodeDecodeError:
            raise DataUrlMalformedError(
                f"the data of this {self.media_type} data: URL is not ASCII text"
            ) from None


def is_data_url(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a string in the ``data:`` scheme (any case, RFC 3986 §3.1)."""
    return isinstance(value, str) and value[:5].lower() == "data:"


def parse_data_url(url: str) -> DataUrl:
    """Parse ``data:[<mediatype>][;base64],<data>`` (RFC 2397), or DataUrlMalformedError."""
    if not is_data_url(url):
        raise DataUrlMalformedError("not a data: URL")
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise DataUrlMalformedError("a data: URL has a ',' before its data (RFC 2397)")
    parts = header.split(";")
    media_type = parts[0].strip().lower() or "text/plain"
    if not _MEDIA_TYPE.fullmatch(media_type):
        raise DataUrlMalformedError(f"unknown media type {parts[0]!r}: not type/subtype (RFC 2397)")
    encoded = len(parts) > 1 and parts[-1].lower() == "base64"
    parameters = tuple(p.lower() for p in parts[1 : len(parts) - encoded])
    for parameter in parameters:
        if not _PARAMETER.fullmatch(parameter):
            raise DataUrlMalformedError(f"{parameter!r} is not a media type parameter")
    if "%" in payload and re.search(r"%(?![0-9A-Fa-f]{2})", payload):
        raise DataUrlMalformedError("the data holds a '%' that is not a %-escape (RFC 3986)")
    raw = unquote_to_bytes(payload)
    if encoded:
        try:
            raw = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise DataUrlMalformedError("the data of a ;base64 data: URL is not base64") from None
    return DataUrl(media_type, parameters, encoded, raw)


def is_compact_jws(text: object) -> TypeGuard[str]:
    """Whether ``text`` has the outline of a compact JWS (three base64url segments), or of an
    SD-JWT (one, then its disclosures, each ending in ``~``): both are served bare."""
    return isinstance(text, str) and bool(
        _COMPACT_JWS.fullmatch(text) or SD_JWT_SHAPE.fullmatch(text)
    )


def enveloped_type(value: object) -> str | None:
    """``EnvelopedVerifiableCredential`` or ``…Presentation`` if the object's type names one
    (the first found), else None; whether the envelope is *valid* is the verifier's question."""
    if not isinstance(value, dict):
        return None
    types = value.get("type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return next((t for t in (ENVELOPED_VC, ENVELOPED_VP) if t in names), None)


@dataclass(frozen=True)
class JsonDocument:
    """A JSON document: a credential, presentation, bundle, or anything else in JSON."""

    value: JSON


@dataclass(frozen=True)
class CompactJws:
    """A bare compact JWS (a vc+jwt or vp+jwt as served), or a bare SD-JWT (vc+sd-jwt)."""

    token: str

    @property
    def value(self) -> str:
        return self.token


@dataclass(frozen=True)
class Enveloped:
    """A secured document in a ``data:`` URL, given bare or as the ``id`` of an
    Enveloped{VerifiableCredential,VerifiablePresentation} object: ``value`` is what was
    given (the object, or the URL's text, unchanged so every reader sees the same spelling),
    ``media_type`` and ``payload`` what the URL carries (the payload decoded, as text)."""

    value: JSON
    media_type: str
    payload: str


CredentialInput: TypeAlias = JsonDocument | CompactJws | Enveloped


def credential_input(value: JSON) -> CredentialInput:
    """Sort an already-parsed credential input. An envelope object whose id is not a usable
    data: URL stays a :class:`JsonDocument`: the verifier reports what is wrong with it."""
    if isinstance(value, str):
        text = value.strip()
        if is_data_url(text):
            url = parse_data_url(text)
            return Enveloped(text, url.media_type, url.text())
        if is_compact_jws(text):
            return CompactJws(text)
        raise InputError("neither JSON nor a compact JWS or data: URL")
    if enveloped_type(value) is not None and is_data_url(value.get("id")):
        try:
            url = parse_data_url(value["id"])
            return Enveloped(value, url.media_type, url.text())
        except DataUrlMalformedError:
            return JsonDocument(value)
    return JsonDocument(value)


def read_credential_input(data: bytes | str, limits: Limits = DEFAULT_LIMITS) -> CredentialInput:
    """A credential input as a file, a request or a paste holds it: JSON, or the text of a
    compact JWS or data: URL. InputError (one of its subclasses) if it is none of these."""
    _check_size(data, limits)
    text = _decode(data).strip(" \t\r\n")
    if not text:
        raise JsonSyntaxError("the input is empty")
    if text[0] in "{[":
        return credential_input(read_json(text, limits))
    if is_data_url(text) or is_compact_jws(text):
        return credential_input(text)
    raise JsonSyntaxError(
        "neither JSON nor a compact JWS or data: URL (not valid JSON: it does not start with "
        "'{' or '[')"
    )
