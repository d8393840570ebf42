"""Hash links: the one definition of the digest that chains credentials mine → product.

The rule (``docs/hash-links.md`` states it for other implementers):

    digestMultibase = "z" + base58btc( 0x12 0x20 || SHA-256( bytes served at linkURL ) )

i.e. the multibase base58btc form of a sha2-256 multihash. *Which bytes* is the part that
interoperates or not, so it is fixed per representation instead of left to "the document":

* a ``vc+jwt`` credential is served as its compact JWS, so the digest covers the ASCII bytes of
  ``header.payload.signature`` (an ``EnvelopedVerifiableCredential`` or a ``data:`` URL is
  unwrapped to that JWS first: the envelope is a transport wrapper, the JWS is the credential);
* a ``vc+sd-jwt`` credential likewise covers its SD-JWT as served, ``~``-separated
  disclosures included: a derived one (claims withheld) never matches its base's digest;
* a JSON credential (Data Integrity or unsecured) covers its RFC 8785 (JCS) bytes, so
  whitespace and member order of a particular copy do not matter;
* raw bytes (``digest_bytes``) are hashed as they are, for anything else served at a link.

We *produce* only that form. We *check* any well-formed multihash digest of a hash we trust
(sha2-256/384/512, sha3-256/384/512; base58btc ``z`` or unpadded base64url ``u``), because a
link made by another platform is no less precise for using SHA-384, and UNTP 0.6 links, which
carry ``hashDigest`` (hex) + ``hashMethod`` (``SHA-256``) instead. ``SHA-1`` (allowed by the
UNTP 0.6 schema) is refused: chosen-prefix collisions make it no evidence of tampering.

Everything here is pure: no I/O, no clock; fetching what a link points to is the caller's job.
Malformed digests and unusable documents raise :class:`DigestError` (an ``InputError``) with a
message saying what is wrong; a well-formed digest that does not match is simply ``False``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vcservice._base58 import b58decode, b58encode
from vcservice.errors import CanonicalizationError, DigestError
from vcservice.ingress import SD_JWT_SHAPE
from vcservice.jsonld import jcs
from vcservice.securing.jose import parse_envelope

__all__ = [
    "ENVELOPED_TYPES",
    "SHA2_256",
    "Digest",
    "DigestError",
    "check_digest",
    "check_link",
    "digest_bytes",
    "digest_document",
    "link_digests",
    "parse_digest_multibase",
    "parse_hash_digest",
    "served_bytes",
]

#: The multihash code we produce (multicodec table: sha2-256 = 0x12, 32-byte digests).
SHA2_256 = 0x12
ENVELOPED_TYPES = ("EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation")

# Multihash code → (multicodec name, digest length, hashlib constructor). Only hashes we trust
# for tamper evidence; the table is the multicodec one, so names match other implementations.
_MULTIHASH: dict[int, tuple[str, int, Callable[[bytes], Any]]] = {
    0x12: ("sha2-256", 32, hashlib.sha256),
    0x20: ("sha2-384", 48, hashlib.sha384),
    0x13: ("sha2-512", 64, hashlib.sha512),
    0x16: ("sha3-256", 32, hashlib.sha3_256),
    0x15: ("sha3-384", 48, hashlib.sha3_384),
    0x14: ("sha3-512", 64, hashlib.sha3_512),
}
_BY_NAME = {name: (code, length, fn) for code, (name, length, fn) in _MULTIHASH.items()}
# UNTP 0.6 ``hashMethod`` values → multicodec name. SHA-1 is listed so it gets its own message.
_UNTP06_METHODS = {"SHA-256": "sha2-256", "SHA-384": "sha2-384", "SHA-512": "sha2-512"}
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")
# A compact JWS: three base64url segments (the signature may not be empty for a credential,
# but that is the JOSE verifier's call, not ours: we hash whatever is served).
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_MAX_DIGEST_TEXT = 256


@dataclass(frozen=True)
class Digest:
    """An expected digest: the hash function (multicodec name) and the digest bytes.

    ``source`` says where it was read from (``digestMultibase`` or ``hashDigest``), for messages.
    """

    algorithm: str
    value: bytes
    source: str = "digestMultibase"

    def matches(self, data: bytes) -> bool:
        """Whether ``data`` hashes to this digest (constant-time comparison)."""
        actual = _BY_NAME[self.algorithm][2](data).digest()
        return hmac.compare_digest(actual, self.value)

    @property
    def multibase(self) -> str:
        """The digest as a base58btc multihash, whatever form it was read in."""
        code, length, _ = _BY_NAME[self.algorithm]
        return "z" + b58encode(bytes([code, length]) + self.value)


# --- making -----------------------------------------------------------------------------------
def digest_bytes(data: bytes) -> str:
    """The digestMultibase of exactly ``data``: ``z`` + base58btc(0x12 0x20 + SHA-256(data))."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DigestError(f"digest_bytes takes bytes, not {type(data).__name__}")
    multihash = bytes([SHA2_256, 32]) + hashlib.sha256(data).digest()
    return "z" + b58encode(multihash)


def served_bytes(value: Any) -> bytes:
    """The bytes a link's digest covers for ``value`` (see the module docstring).

    ``value`` is a compact JWS string (or a ``data:application/vc+jwt,…`` URL), an
    ``EnvelopedVerifiableCredential`` object (→ its JWS), or another JSON object (→ JCS).
    Raw ``bytes`` are returned unchanged, so callers holding what was fetched need no branch.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return _jws_text(value).encode("ascii")
    if isinstance(value, Mapping):
        types = value.get("type")
        names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        if any(name in ENVELOPED_TYPES for name in names):
            return _jws_text(parse_envelope(dict(value))[1]).encode("ascii")
        try:
            return jcs(value)
        except CanonicalizationError as exc:
            raise DigestError(exc.detail) from None
    raise DigestError(
        "a hash link covers a JSON object (credential), a compact JWS or raw bytes, "
        f"not {type(value).__name__}"
    )


def digest_document(value: Any) -> str:
    """The digestMultibase a link to ``value`` carries: JWS bytes for a vc+jwt (bare or
    enveloped), JCS bytes for a JSON credential, the bytes themselves for ``bytes``."""
    return digest_bytes(served_bytes(value))


def _jws_text(text: str) -> str:
    jws = text
    if text[:5].lower() == "data:":
        presentation = text[5:].partition(",")[0].lower().endswith("vp+jwt")
        jws = parse_envelope({"type": ENVELOPED_TYPES[presentation], "id": text})[1]
    if not _COMPACT_JWS.fullmatch(jws) and not SD_JWT_SHAPE.fullmatch(jws):
        raise DigestError(
            "a string is hashed only as a compact JWS (three base64url segments, no whitespace) "
            "or a data: URL holding one"
        )
    return jws


# --- reading ----------------------------------------------------------------------------------
def parse_digest_multibase(value: Any) -> Digest:
    """Parse a ``digestMultibase`` value into a :class:`Digest`, or raise DigestError saying
    what is wrong (encoding, unknown hash, wrong length)."""
    if not isinstance(value, str):
        raise DigestError(f"digestMultibase must be a string, found {type(value).__name__}")
    if len(value) > _MAX_DIGEST_TEXT:
        raise DigestError(f"digestMultibase is {len(value)} characters; no supported hash is")
    prefix, payload = value[:1], value[1:]
    if prefix == "z" and _BASE58.fullmatch(payload):
        data = b58decode(payload)
    elif prefix == "u" and _BASE64URL.fullmatch(payload) and len(payload) % 4 != 1:
        try:
            data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        except binascii.Error:  # pragma: no cover - the regex admits only decodable input
            raise DigestError(f"digestMultibase {value!r} is not base64url") from None
    else:
        raise DigestError(
            f"digestMultibase {_short(value)} is not base58btc ('z' + base58) or unpadded "
            "base64url ('u' + base64url); links made here use 'z'"
        )
    if len(data) < 2:
        raise DigestError(f"digestMultibase {_short(value)} is too short to be a multihash")
    code, length, digest = data[0], data[1], data[2:]
    known = _MULTIHASH.get(code)
    if known is None and len(data) in (32, 48, 64):
        raise DigestError(
            f"digestMultibase {_short(value)} decodes to a bare {len(data)}-byte digest without "
            "the multihash header naming the hash (0x12 0x20 for sha2-256), so it cannot be "
            "checked"
        )
    if known is None:
        names = ", ".join(name for name, _, _ in _MULTIHASH.values())
        raise DigestError(
            f"digestMultibase {_short(value)} is a multihash with code 0x{code:02x}, not one "
            f"of the accepted hashes ({names})"
        )
    name, expected, _ = known
    if length != expected or len(digest) != expected:
        raise DigestError(
            f"digestMultibase {_short(value)}: a {name} multihash carries {expected} bytes; "
            f"this one declares {length} and carries {len(digest)}"
        )
    return Digest(name, digest, "digestMultibase")


def parse_hash_digest(hash_digest: Any, hash_method: Any) -> Digest:
    """Read a UNTP 0.6 ``hashDigest`` (hex) + ``hashMethod`` (``SHA-256``) pair."""
    if not isinstance(hash_method, str):
        raise DigestError("a UNTP 0.6 link with hashDigest needs hashMethod (e.g. 'SHA-256')")
    if hash_method.upper().replace("_", "-") in ("SHA-1", "SHA1"):
        raise DigestError(
            "hashMethod SHA-1 is refused: SHA-1 collisions are practical, so a SHA-1 digest "
            "is no evidence that the linked document is unchanged"
        )
    name = _UNTP06_METHODS.get(hash_method.upper())
    if name is None:
        raise DigestError(f"hashMethod {hash_method!r} is not one of {', '.join(_UNTP06_METHODS)}")
    if not isinstance(hash_digest, str) or not _HEX.fullmatch(hash_digest):
        raise DigestError(f"hashDigest must be a hexadecimal string, found {_short(hash_digest)}")
    expected = _BY_NAME[name][1]
    if len(hash_digest) != 2 * expected:
        raise DigestError(
            f"hashDigest has {len(hash_digest)} hex digits; a {hash_method} digest has "
            f"{2 * expected}"
        )
    return Digest(name, bytes.fromhex(hash_digest), "hashDigest")


def link_digests(link: Mapping[str, Any]) -> list[Digest]:
    """Every digest a link carries: ``digestMultibase`` (UNTP 0.7, VC 2.0 related resources;
    a string or a list of them) and the UNTP 0.6 ``hashDigest`` + ``hashMethod`` pair.

    An empty list means the link carries no digest. A malformed digest raises DigestError
    rather than being skipped: a verifier must not quietly downgrade a hash link to a plain one.
    """
    if not isinstance(link, Mapping):
        raise DigestError(f"a link is a JSON object, not {type(link).__name__}")
    digests: list[Digest] = []
    if "digestMultibase" in link:
        values = link["digestMultibase"]
        items = values if isinstance(values, list) else [values]
        if not items:
            raise DigestError("digestMultibase must not be an empty array")
        digests.extend(parse_digest_multibase(item) for item in items)
    if "hashDigest" in link or "hashMethod" in link:
        digests.append(parse_hash_digest(link.get("hashDigest"), link.get("hashMethod")))
    return digests


# --- checking ---------------------------------------------------------------------------------
def check_digest(value: Any, digest: str | Digest) -> bool:
    """Whether ``value`` (a document as in :func:`served_bytes`, or the exact bytes fetched)
    matches ``digest`` (a digestMultibase string or a parsed :class:`Digest`).

    Raises DigestError for a malformed digest or an unusable value; returns False only for a
    well-formed digest of a different document.
    """
    expected = digest if isinstance(digest, Digest) else parse_digest_multibase(digest)
    return expected.matches(served_bytes(value))


def check_link(value: Any, link: Mapping[str, Any]) -> bool:
    """Whether ``value`` matches every digest ``link`` carries. A link without any digest
    raises DigestError: it is not a hash link, and "unchecked" must not read as "matches"."""
    digests = link_digests(link)
    if not digests:
        raise DigestError("the link carries no digestMultibase (nor UNTP 0.6 hashDigest)")
    data = served_bytes(value)
    return all(d.matches(data) for d in digests)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
