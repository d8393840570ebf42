"""Identifiers the resolver answers for: GS1 Digital Link paths and ISO/IEC 18975 structured
paths, parsed, checked and written in one canonical form.

Why one canonical form: a QR code, a credential's ``product.id`` and a registration made in
the console spell the same product in different ways (a GTIN-13 or its 14-digit form, an
upper- or lower-case percent escape, a GS1 key behind another resolver's host). Each is read
here into one :class:`Identifier`, whose :attr:`~Identifier.path` is the key the store keeps,
so that they all find the same links.

Two families of paths are understood:

* **GS1 Digital Link** (GS1 DL URI syntax 1.4): a primary key and its key qualifiers in the
  order the standard fixes, ``/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]``, a location
  ``/414/{gln}[/254/{extension}]`` or a party ``/417/{gln}``. A GTIN is kept as 14 digits and
  every GTIN or GLN must carry a valid check digit: a mistyped key must fail here, not resolve
  to nothing. A GS1 key is global, so such a path is read from any host (a GS1 DL URI of
  ``id.gs1.org`` or of a brand's own domain names the same product).
* **ISO/IEC 18975 structured paths** for other schemes: pairs of a qualifier (an ISO/IEC 15418
  Data Identifier such as ``25S``, or an Application Identifier) and a value. The resolver
  serves them under ``/id/`` (so that they cannot collide with the service's own routes); they
  are read only from this resolver's own addresses, as another host's paths mean whatever that
  host says (UNTP IDR's domain sovereignty).

The module is pure: no I/O, no settings; the resolver root is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from vcservice.errors import InputError

#: The prefix under which ISO/IEC 18975 paths of schemes other than GS1 are served.
ID_PREFIX = "id"
#: The longest canonical path kept (the store's column).
MAX_PATH = 1024
#: The longest value of one qualifier (GS1 lot and serial numbers are at most 20 characters;
#: other schemes get room, within reason).
MAX_VALUE = 80
#: The most qualifier/value pairs in one identifier.
MAX_PAIRS = 6

#: GS1 primary keys: their AI, length of the key, and the qualifiers allowed after them, in
#: the order GS1 Digital Link fixes.
_GS1_KEYS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "01": ((8, 12, 13, 14), ("22", "10", "21")),
    "414": ((13,), ("254",)),
    "417": ((13,), ()),
}
GS1_PRIMARY_KEYS = tuple(_GS1_KEYS)
#: Characters a GS1 qualifier value may hold: the GS1 AI encodable character set 82.
_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")
#: An ISO/IEC 15418 Data Identifier (an optional number and a capital letter) or an AI.
_QUALIFIER = re.compile(r"[0-9]{0,3}[A-Z]|[0-9]{2,4}")
#: What a value of another scheme may hold once decoded: printable ASCII.
_VALUE = re.compile(r"[!-~]+")
#: Kept unescaped in a canonical path: RFC 3986 unreserved characters only, so that the same
#: value has one spelling whatever the registrant escaped.
_SAFE = "-._~"


@dataclass(frozen=True)
class Identifier:
    """One identifier: its family (``gs1`` or ``iso18975``) and its (qualifier, value) pairs,
    values decoded."""

    scheme: str
    pairs: tuple[tuple[str, str], ...]

    @property
    def path(self) -> str:
        """The canonical path, the store's key: ``/01/09506000164908/21/A%2F1`` (GS1) or
        ``/id/25S/UN0770...`` (another scheme)."""
        body = "".join(f"/{key}/{quote(value, safe=_SAFE)}" for key, value in self.pairs)
        return body if self.scheme == "gs1" else f"/{ID_PREFIX}{body}"

    def url(self, root: str) -> str:
        """The identifier as a URL of the resolver at ``root`` (an origin): what a QR code
        carries."""
        return root.rstrip("/") + self.path

    def less_granular(self) -> tuple[Identifier, ...]:
        """The identifiers this one refines, nearest first: a serialised item's product class
        (``/01/X/21/S`` -> ``/01/X``). A linkset about an item also carries its class's links
        (UNTP IDR's resolver workflow)."""
        return tuple(
            Identifier(self.scheme, self.pairs[:n]) for n in range(len(self.pairs) - 1, 0, -1)
        )


def _check_digit_ok(digits: str) -> bool:
    """The GS1 mod-10 check digit of a GTIN or GLN (weights 3 and 1 from the right)."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _gs1(pairs: list[tuple[str, str]]) -> Identifier:
    key, value = pairs[0]
    lengths, qualifiers = _GS1_KEYS[key]
    if not value.isascii() or not value.isdigit() or len(value) not in lengths:
        sizes = " or ".join(str(n) for n in lengths)
        raise InputError(f"a GS1 key {key} is {sizes} digits, not {value!r}")
    if not _check_digit_ok(value):
        raise InputError(f"the GS1 key {key}/{value} has a wrong check digit")
    canonical = value.zfill(14) if key == "01" else value
    allowed = list(qualifiers)
    for qualifier, qualifier_value in pairs[1:]:
        if qualifier not in allowed:
            expected = ", ".join(allowed) or "none"
            raise InputError(
                f"after GS1 key {key}, qualifier {qualifier} is not allowed here "
                f"(next allowed, in order: {expected})"
            )
        allowed = allowed[allowed.index(qualifier) + 1 :]
        if not _CSET82.fullmatch(qualifier_value):
            raise InputError(
                f"a GS1 {qualifier} value is 1 to 20 characters of the GS1 character set, "
                f"not {qualifier_value!r}"
            )
    return Identifier("gs1", ((key, canonical), *pairs[1:]))


def _other(pairs: list[tuple[str, str]]) -> Identifier:
    for qualifier, value in pairs:
        if not _QUALIFIER.fullmatch(qualifier):
            raise InputError(
                f"{qualifier!r} is not an ISO/IEC 15418 data identifier (such as 25S) "
                "or an application identifier"
            )
        if not _VALUE.fullmatch(value) or len(value) > MAX_VALUE:
            raise InputError(
                f"an identifier value is 1 to {MAX_VALUE} printable ASCII characters, not {value!r}"
            )
    return Identifier("iso18975", tuple(pairs))


def parse_path(path: str) -> Identifier:
    """The identifier of a resolver path as received (still percent-encoded): GS1 at the
    root, another scheme under ``/id/``; a GS1 path under ``/id/`` is read as GS1 too.
    InputError says what is wrong with any other path."""
    segments = path.strip("/").split("/")
    if segments[:1] == [ID_PREFIX]:
        segments = segments[1:]
    if not segments or segments == [""] or len(segments) % 2:
        raise InputError(
            "an identifier path is pairs of a qualifier and a value, such as "
            "/01/09506000164908/21/1234 or /id/25S/UN077000001234"
        )
    if len(segments) > 2 * MAX_PAIRS:
        raise InputError(f"an identifier has at most {MAX_PAIRS} qualifier/value pairs")
    pairs = [(segments[i], unquote(segments[i + 1])) for i in range(0, len(segments), 2)]
    if any(not value for _, value in pairs):
        raise InputError("an identifier value is never empty")
    identifier = _gs1(pairs) if pairs[0][0] in _GS1_KEYS else _other(pairs)
    if len(identifier.path) > MAX_PATH:
        raise InputError(f"an identifier is at most {MAX_PATH} characters as a path")
    return identifier


def parse_identifier(text: str, *, root: str) -> Identifier:
    """The identifier named by ``text``: a path, a URL of this resolver (``root``), or a GS1
    Digital Link URI of any host (its primary key found after any path prefix)."""
    text = text.strip()
    if text.startswith("/"):
        return parse_path(text)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("https", "http") or not parts.netloc:
        raise InputError(
            "an identifier is a resolver URL (such as https://id.example/01/09506000164908) "
            f"or its path, not {text[:120]!r}"
        )
    ours = urlsplit(root)
    if (parts.scheme.lower(), parts.netloc.lower()) == (ours.scheme, ours.netloc.lower()):
        return parse_path(parts.path)
    segments = parts.path.strip("/").split("/")
    for start, segment in enumerate(segments):
        if segment in _GS1_KEYS:
            return parse_path("/" + "/".join(segments[start:]))
    raise InputError(
        f"{text[:120]!r} is neither a GS1 Digital Link URI nor an identifier of this resolver "
        f"({root}): another host's paths mean what that host says"
    )
