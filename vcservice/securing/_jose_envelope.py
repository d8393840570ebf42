"""Media types, ``typ`` values and the Enveloped{Credential,Presentation} wrapper.

VC 2.0 carries a JOSE-secured credential inside JSON-LD as a ``data:`` URL (VC-DATA-MODEL-2.0
#enveloped-verifiable-credentials, VC-JOSE-COSE #securing-with-jose)::

    {"@context": "https://www.w3.org/ns/credentials/v2",
     "id": "data:application/vc+jwt,<compact JWS>",
     "type": "EnvelopedVerifiableCredential"}

The media type in the URL and the ``typ`` header say the same thing twice; both are checked so
a presentation cannot be passed off as a credential or the reverse. Older drafts of the spec
named the types ``vc+ld+json+jwt`` and ``vc-ld+jwt``; tokens from those drafts are still in
circulation (project-vckit used ``vc-ld+jwt``), so they are recognised, mapped to their current
names and reported with a warning rather than refused.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal

from vcservice.errors import InputError

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
VC_TYP: Final = "vc+jwt"
VP_TYP: Final = "vp+jwt"
ENVELOPED_TYPES: dict[str, str] = {
    VC_TYP: "EnvelopedVerifiableCredential",
    VP_TYP: "EnvelopedVerifiablePresentation",
}
#: Earlier spellings of the two ``typ`` values, mapped to the current ones.
LEGACY_TYPS: dict[str, str] = {
    "vc+ld+json+jwt": VC_TYP,
    "vp+ld+json+jwt": VP_TYP,
    "vc-ld+jwt": VC_TYP,
    "vp-ld+jwt": VP_TYP,
}
_APPLICATION = "application/"
# Outline only (3 non-empty base64url segments); verify_jwt decodes strictly later.
_COMPACT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")

Kind = Literal["vc+jwt", "vp+jwt"]


def canonical_typ(value: str) -> str:
    """``typ``/media type in the comparable form: lower case, without ``application/``.

    RFC 7515 §4.1.9 says media type names compare case-insensitively and that a ``typ``
    without a slash means the same as with the ``application/`` prefix.
    """
    value = value.lower()
    return value[len(_APPLICATION) :] if value.startswith(_APPLICATION) else value


def kind_of(typ: str) -> tuple[Kind, bool] | None:
    """(``vc+jwt`` or ``vp+jwt``, whether a legacy spelling was used), or None if neither."""
    value = canonical_typ(typ)
    if value == VC_TYP:
        return VC_TYP, False
    if value == VP_TYP:
        return VP_TYP, False
    legacy = LEGACY_TYPS.get(value)
    if legacy == VC_TYP:
        return VC_TYP, True
    if legacy == VP_TYP:
        return VP_TYP, True
    return None


def envelope(jws: str, media_type: str = "application/vc+jwt") -> dict[str, Any]:
    """Wrap a compact JWS as an EnvelopedVerifiableCredential (or -Presentation).

    Only the current media types are produced; legacy spellings are for reading old tokens.
    """
    if not isinstance(media_type, str) or canonical_typ(media_type) not in ENVELOPED_TYPES:
        raise InputError(
            f"cannot envelope media type {media_type!r}; expected application/vc+jwt or "
            "application/vp+jwt"
        )
    if not isinstance(jws, str) or not _COMPACT_SHAPE.fullmatch(jws):
        raise InputError("only a compact JWS (three base64url segments) can be enveloped")
    typ = canonical_typ(media_type)
    return {
        "@context": CREDENTIALS_V2,
        "id": f"data:{_APPLICATION}{typ},{jws}",
        "type": ENVELOPED_TYPES[typ],
    }


def parse_envelope(obj: dict[str, Any]) -> tuple[str, str]:
    """(media type, compact JWS) of an Enveloped{VerifiableCredential,VerifiablePresentation}.

    The media type comes back lower-cased with its ``application/`` prefix, legacy spellings
    unchanged, so it can be passed to ``verify_jwt(expected_typ=...)`` as it is. The JWS is
    only checked for shape here; its contents are verify_jwt's business. ``@context`` is the
    data-model step's business and is not checked, so a bare ``{"type", "id"}`` works too.
    """
    if not isinstance(obj, dict):
        raise InputError("an envelope is a JSON object")
    types = obj.get("type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    declared = [t for t in ENVELOPED_TYPES.values() if t in names]
    if len(declared) != 1:
        raise InputError(
            "an envelope's type must be exactly one of EnvelopedVerifiableCredential or "
            f"EnvelopedVerifiablePresentation, found {types!r}"
        )
    url = obj.get("id")
    if not isinstance(url, str) or url[:5].lower() != "data:":
        raise InputError("an envelope's id must be a data: URL holding the secured document")
    media_type, comma, jws = url[5:].partition(",")
    if not comma:
        raise InputError("the envelope's data: URL has no ',' before its data")
    media_type = media_type.lower()
    if ";" in media_type:
        raise InputError(f"data: URL parameters are not accepted here ({media_type!r})")
    found = kind_of(media_type) if media_type.startswith(_APPLICATION) else None
    if found is None:
        raise InputError(
            f"unknown envelope media type {media_type!r}; expected application/vc+jwt or "
            "application/vp+jwt"
        )
    if ENVELOPED_TYPES[found[0]] != declared[0]:
        raise InputError(f"an {declared[0]} cannot carry {media_type}")
    if not _COMPACT_SHAPE.fullmatch(jws):
        raise InputError("the envelope's data is not a compact JWS (three base64url segments)")
    return media_type, jws
