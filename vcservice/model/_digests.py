"""Well-formedness of ``digestSRI`` and ``digestMultibase`` values (not their correctness).

Whether a digest *matches* the resource needs the resource, so that is the link checker's job
(``link.digest``); here we only refuse values no verifier could ever use, so a malformed
digest fails at issuance instead of surfacing later as an unexplained mismatch.

* ``digestSRI`` (VC-DM 2.0 §5.3, SRI §3.5): one or more whitespace-separated
  ``sha256|sha384|sha512-<base64>`` expressions, optionally followed by ``?options``. CSP's
  ``base64-value`` grammar allows the URL-safe alphabet too; either alphabet is accepted but
  not a mix, and the decoded length must be the algorithm's digest length.
* ``digestMultibase`` (VC Data Integrity §2.6): each value a multibase-encoded *multihash*,
  base58btc (``z``) or unpadded base64url (``u``), whose hash code we know and whose declared
  and actual lengths agree. A bare digest without the multihash header is refused: without
  the header a verifier cannot tell which hash function to use.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from vcservice.links import DigestError, parse_digest_multibase
from vcservice.model._json import show

_SRI_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}
_SRI = re.compile(r"(sha256|sha384|sha512)-([A-Za-z0-9+/_\-]+={0,2})(?:\?[\x21-\x7e]*)?")
_STANDARD = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_URLSAFE = re.compile(r"[A-Za-z0-9_\-]+={0,2}")


def sri_problem(value: Any) -> str | None:
    """Why ``value`` is not a usable ``digestSRI``; None if it is."""
    if not isinstance(value, str):
        return f"digestSRI must be a string, found {show(value)}"
    expressions = value.split()
    if not expressions:
        return "digestSRI is empty"
    for expression in expressions:
        match = _SRI.fullmatch(expression)
        if match is None:
            return f"digestSRI {show(expression)} is not <sha256|sha384|sha512>-<base64>"
        algorithm, encoded = match.group(1), match.group(2)
        digest = _decode_base64(encoded)
        if digest is None:
            return f"digestSRI {show(expression)} is not valid base64"
        if len(digest) != _SRI_LENGTHS[algorithm]:
            return (
                f"digestSRI {show(expression)} decodes to {len(digest)} bytes; "
                f"{algorithm} digests are {_SRI_LENGTHS[algorithm]}"
            )
    return None


def multibase_problem(value: Any) -> str | None:
    """Why ``value`` is not a usable ``digestMultibase`` (a string or list of them)."""
    values = value if isinstance(value, list) else [value]
    if not values:
        return "digestMultibase must not be an empty array"
    for item in values:
        problem = _multibase_item_problem(item)
        if problem is not None:
            return problem
    return None


def _multibase_item_problem(item: Any) -> str | None:
    """One rule for digestMultibase everywhere: :func:`vcservice.links.parse_digest_multibase`."""
    try:
        parse_digest_multibase(item)
    except DigestError as exc:
        return exc.detail
    return None


def _decode_base64(encoded: str) -> bytes | None:
    """Decodes standard or URL-safe base64 (not a mix), padding optional."""
    if _STANDARD.fullmatch(encoded):
        alphabet = encoded
    elif _URLSAFE.fullmatch(encoded):
        alphabet = encoded.replace("-", "+").replace("_", "/")
    else:
        return None
    bare = alphabet.rstrip("=")
    if len(bare) % 4 == 1:
        return None
    try:
        return base64.b64decode(bare + "=" * (-len(bare) % 4), validate=True)
    except binascii.Error:
        return None
