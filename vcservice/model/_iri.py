"""What counts as a URL, an absolute IRI and a JSON-LD term in a credential.

VC-DM 2.0 §4.4 requires every ``id`` to be "a single URL"; the W3C suite rejects values such
as ``"https ://not-a-url/..."``, ``"fake-issuer"`` and a bare multibase key, and accepts DIDs,
``urn:uuid:`` and ``data:`` URLs. A full WHATWG parser would accept far more than RFC 3986
(it silently repairs spaces and backslashes), which is the opposite of what a validator wants,
so this is a strict RFC 3986/3987 shape check: a scheme, no whitespace or characters that are
never legal in a URI, well-formed percent escapes, at most one fragment, and a non-empty
authority for the schemes that always have one. Non-ASCII characters are allowed (IRIs).
"""

from __future__ import annotations

import re
from functools import lru_cache

_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_AUTHORITY_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})
_TERM = re.compile(r"[^\s:@][^\s:]*")


def is_url(value: object) -> bool:
    """True for an absolute URL/IRI string (a DID, ``urn:``, ``https:``, ``data:`` ...).

    Identifiers repeat (an issuer's DID, a context's vocabulary) and the regular expressions
    cost a few microseconds, so verdicts on short strings are cached: a pure function of the
    string, and only short ones, so that what the cache holds stays small.
    """
    if not isinstance(value, str):
        return False
    return _is_url_cached(value) if len(value) <= 256 else _is_url(value)


def _is_url(value: str) -> bool:
    if not _ABSOLUTE.fullmatch(value):
        return False
    if _BAD_PERCENT.search(value) or value.count("#") > 1:
        return False
    scheme, rest = value.split(":", 1)
    if scheme.lower() in _AUTHORITY_SCHEMES:
        return rest.startswith("//") and len(rest) > 2 and rest[2] not in "/?#"
    return True


_is_url_cached = lru_cache(maxsize=4096)(_is_url)


def is_term(value: object) -> bool:
    """True for a JSON-LD term as a value of ``type`` (``VerifiableCredential``): no colon, no
    whitespace, not keyword-shaped. Whether a context defines it is JSON-LD's question."""
    return isinstance(value, str) and bool(_TERM.fullmatch(value))
