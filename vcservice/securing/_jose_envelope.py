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

The ``data:`` URL itself is read by :func:`vcservice.ingress.parse_data_url` (RFC 2397: any
case, percent-encoded or ``;base64``), the one place that reads them. :func:`outer_problems`
judges the envelope object a verifier is handed (VC-DM 2.0 §4.13, VC-JOSE-COSE §3.1): an
object whose ``@context`` is missing or wrong is not a credential, whatever it carries.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal

from vcservice.errors import InputError
from vcservice.ingress import (
    ENVELOPED_VC,
    ENVELOPED_VP,
    SD_JWT_SHAPE,
    DataUrl,
    is_data_url,
    parse_data_url,
)

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
VC_TYP: Final = "vc+jwt"
VP_TYP: Final = "vp+jwt"
#: VC-JOSE-COSE §3.2 (securing with SD-JWT): the issuer-signed JWT's ``typ`` and the media type.
SD_JWT_TYP: Final = "vc+sd-jwt"
ENVELOPED_TYPES: dict[str, str] = {
    VC_TYP: "EnvelopedVerifiableCredential",
    VP_TYP: "EnvelopedVerifiablePresentation",
    SD_JWT_TYP: "EnvelopedVerifiableCredential",
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

Kind = Literal["vc+jwt", "vp+jwt", "vc+sd-jwt"]


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
    if value == SD_JWT_TYP:
        return SD_JWT_TYP, False
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
            f"cannot envelope media type {media_type!r}; expected application/vc+jwt, "
            "application/vp+jwt or application/vc+sd-jwt"
        )
    typ = canonical_typ(media_type)
    if not isinstance(jws, str) or not _shape(typ).fullmatch(jws):
        raise InputError(f"only a compact JWS (an SD-JWT for vc+sd-jwt) is enveloped as {typ}")
    return {
        "@context": CREDENTIALS_V2,
        "id": f"data:{_APPLICATION}{typ},{jws}",
        "type": ENVELOPED_TYPES[typ],
    }


def parse_envelope(obj: dict[str, Any]) -> tuple[str, str]:
    """(media type, compact JWS) of an Enveloped{VerifiableCredential,VerifiablePresentation}.

    The media type comes back lower-cased with its ``application/`` prefix, legacy spellings
    unchanged, so it can be passed to ``verify_jwt(expected_typ=...)`` as it is. The JWS is
    only checked for shape here; its contents are verify_jwt's business. The rest of the object
    (``@context``) is :func:`outer_problems`' business, so a bare ``{"type", "id"}`` (a data: URL
    given on its own) works too.
    """
    if not isinstance(obj, dict):
        raise InputError("an envelope is a JSON object")
    types = obj.get("type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    declared = [t for t in dict.fromkeys(ENVELOPED_TYPES.values()) if t in names]
    if len(declared) != 1:
        raise InputError(
            "an envelope's type must be exactly one of EnvelopedVerifiableCredential or "
            f"EnvelopedVerifiablePresentation, found {types!r}"
        )
    url = obj.get("id")
    if not is_data_url(url):
        raise InputError("an envelope's id must be a data: URL holding the secured document")
    header = url.partition(",")[0]
    if ";" in header:  # ;base64 too: the JWS is written as it is, one spelling per credential
        raise InputError(f"data: URL parameters are not accepted in an envelope ({header!r})")
    media_type = parse_data_url(url).media_type
    found = kind_of(media_type) if media_type.startswith(_APPLICATION) else None
    if found is None:
        raise InputError(
            f"unknown envelope media type {media_type!r}; expected application/vc+jwt, "
            "application/vp+jwt or application/vc+sd-jwt"
        )
    if ENVELOPED_TYPES[found[0]] != declared[0]:
        raise InputError(f"an {declared[0]} cannot carry {media_type}")
    # The data part as written: a %-escape would be a second spelling of the same token.
    jws = url.partition(",")[2]
    if not _shape(found[0]).fullmatch(jws):
        raise InputError(f"the envelope's data is not a compact {found[0]}")
    return media_type, jws


def _shape(kind: str) -> re.Pattern[str]:
    """The outline of a token of ``kind``: an SD-JWT carries ``~``-separated disclosures."""
    return SD_JWT_SHAPE if kind == SD_JWT_TYP else _COMPACT_SHAPE


#: The media types each envelope type may carry (VC-JOSE-COSE §6.1): this service verifies the
#: JWT and SD-JWT ones (and legacy spellings); COSE and vp+sd-jwt are right, but not verified here.
_CARRIED: dict[str, tuple[str, ...]] = {
    ENVELOPED_VC: (
        "vc+jwt",
        "vc+sd-jwt",
        "vc+cose",
        *(k for k, v in LEGACY_TYPS.items() if v == VC_TYP),
    ),
    ENVELOPED_VP: (
        "vp+jwt",
        "vp+sd-jwt",
        "vp+cose",
        *(k for k, v in LEGACY_TYPS.items() if v == VP_TYP),
    ),
}


def outer_problems(obj: dict[str, Any], declared: str) -> list[tuple[str, str]]:
    """(check id, detail) for each rule the envelope object breaks (VC-DM 2.0 §4.13: an
    ``@context`` whose first entry is the VC 2.0 context, the type exactly ``declared``, an
    ``id`` that is a ``data:`` URL of a media type that type may carry). Empty if it is sound;
    the JWS inside is judged separately."""
    problems: list[tuple[str, str]] = []
    if "@context" not in obj:
        problems.append(("datamodel.context", f"the {declared} has no @context"))
    else:
        value = obj["@context"]
        entries = value if isinstance(value, list) else [value]
        if not entries or entries[0] != CREDENTIALS_V2:
            first = repr(entries[0]) if entries else "empty"
            problems.append(
                (
                    "datamodel.context",
                    f"the first @context entry of the {declared} must be {CREDENTIALS_V2!r}, "
                    f"found {first}",
                )
            )
    if obj.get("type") not in (declared, [declared]):
        problems.append(
            (
                "datamodel.type",
                f"the type of an {declared} is exactly {declared!r}, found {obj.get('type')!r}",
            )
        )
    problem = _id_problem(obj.get("id"), declared)
    if problem is not None:
        problems.append(("datamodel.id", problem))
    return problems


def _id_problem(url: Any, declared: str) -> str | None:
    if not is_data_url(url):
        return f"the id of an {declared} must be a data: URL holding the secured document"
    try:
        parsed: DataUrl = parse_data_url(url)
    except InputError as exc:
        return f"the id of the {declared}: {exc.detail}"
    if canonical_typ(parsed.media_type) not in _CARRIED[
        declared
    ] or not parsed.media_type.startswith(_APPLICATION):
        expected = ", ".join(f"application/{t}" for t in _CARRIED[declared][:3])
        return f"an {declared} carries {expected}, not {parsed.media_type}"
    return None
