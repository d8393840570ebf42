"""VC-JOSE-COSE with SD-JWT: ``application/vc+sd-jwt`` credentials whose chosen claims the
holder may withhold (VC-JOSE-COSE §3.2, RFC 9901 "Selective Disclosure for JWTs").

An SD-JWT is the issuer-signed JWT (``typ: vc+sd-jwt``; in its payload each selectively
disclosable claim is replaced by the SHA-256 digest of a *disclosure*, ``[salt, name, value]``)
followed by the disclosures, each ended by ``~``. A holder derives a presentation by dropping
disclosures; the signature still covers the digests, so the claims left are as the issuer
signed them and the dropped ones are unreadable. This module issues, derives and verifies them.

Design choices:

* **The library builds, our Signer signs.** The OpenWallet Foundation's ``sd-jwt`` (the
  reference implementation, Apache-2.0) makes the disclosures, salts and ``_sd`` digests and
  selects a holder's subset; its issuer would sign by handing jwcrypto a private JWK, which our
  key custody never exports. :class:`_Issuer` therefore overrides its one signing step with
  :func:`~vcservice.securing.jose.sign_jwt`, the Signer path every vc+jwt takes.
* **Verification is ours.** The signature is checked by
  :func:`~vcservice.securing.jose.verify_jwt` (strict parsing, DID resolution, ``jose.*``
  checks), and the disclosures by :func:`_disclose`, which applies RFC 9901 §7.1 in full where
  the library's verifier does not: every disclosure must be referenced by exactly one digest,
  names may not be ``_sd``/``...`` or repeat a visible claim, and base64url must be canonical.
* **No key binding.** A key-binding JWT proves a holder's key to a verifier's nonce; credentials
  here carry no ``cnf``, so a token ending in one is refused rather than half-checked.
* **Never disclosable:** ``@context``, ``type``, ``issuer`` and ``id`` at the top level: a
  verifier needs them to read the credential at all, and a hidden issuer defeats the binding.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer

from vcservice import checks
from vcservice.dids import DIDResolver, VerificationMethod
from vcservice.errors import InputError
from vcservice.ingress import SD_JWT_SHAPE, read_json
from vcservice.keys import Signer, b64url_encode
from vcservice.report import VerificationReport
from vcservice.securing._jose_compact import MAX_JWS_SIZE, _json_object, b64url_decode_strict
from vcservice.securing._jose_envelope import SD_JWT_TYP, envelope
from vcservice.securing.jose import (
    _bind,
    _refuse_wrapper_claims,
    document_of,
    parse_envelope,
    sign_jwt,
    verify_jwt,
)

__all__ = [
    "MEDIA_TYPE",
    "SD_JWT_TYP",
    "SdJwtResult",
    "default_disclosable",
    "derive_enveloped",
    "derive_vc_sd_jwt",
    "envelope_sd_jwt",
    "issue_vc_sd_jwt",
    "undisclosed_count",
    "verify_vc_sd_jwt",
]

MEDIA_TYPE = "application/vc+sd-jwt"
#: Never withheld: verifiers need them, and without the status entry and the validity dates a
#: holder could present a revoked or expired credential as current.
_NEVER_DISCLOSABLE = frozenset(
    {"@context", "type", "issuer", "id", "credentialStatus", "validFrom", "validUntil"}
)
_SD, _SD_ALG, _ARRAY_ITEM = "_sd", "_sd_alg", "..."


# --- JSON pointers ------------------------------------------------------------------------------
def _pointer(text: object) -> tuple[str, ...]:
    """The reference tokens of an RFC 6901 JSON pointer naming a claim; InputError otherwise."""
    if not isinstance(text, str) or not text.startswith("/") or text == "/":
        raise InputError(
            f"{text!r} is not a JSON pointer to a claim (e.g. /credentialSubject/name)"
        )
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in text[1:].split("/"))


def _parent(document: Any, parts: tuple[str, ...], text: str) -> dict[str, Any]:
    """The object holding the member ``parts`` names; InputError if there is none."""
    value = document
    for part in parts[:-1]:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise InputError(f"no claim at {text}")
    if not isinstance(value, dict) or parts[-1] not in value:
        raise InputError(f"no claim at {text}: a disclosable claim is a member of an object")
    return value


def default_disclosable(credential: dict[str, Any]) -> list[str]:
    """Every member of every ``credentialSubject`` but its ``id`` and ``type``: what a party
    might withhold, while the subject stays identifiable for links and status."""
    subjects = credential.get("credentialSubject")
    listed = isinstance(subjects, list)
    entries = subjects if isinstance(subjects, list) else [subjects]
    pointers = []
    for index, subject in enumerate(entries):
        if isinstance(subject, dict):
            base = f"/credentialSubject/{index}" if listed else "/credentialSubject"
            escaped = (k.replace("~", "~0").replace("/", "~1") for k in subject)
            pointers += [f"{base}/{k}" for k in escaped if k not in ("id", "type")]
    return pointers


# --- issuing ------------------------------------------------------------------------------------
class _Issuer(SDJWTIssuer):  # type: ignore[misc]  # the library ships no type information
    """The library's issuer with its signing step replaced by our Signer (see the docstring)."""

    def __init__(self, claims: dict[str, Any], signer: Signer) -> None:
        self._signer = signer
        super().__init__(claims, issuer_key=None, serialization_format="compact")

    def _create_signed_jws(self) -> None:
        self.serialized_sd_jwt = sign_jwt(self.sd_jwt_payload, self._signer, typ=SD_JWT_TYP)


def issue_vc_sd_jwt(
    credential: dict[str, Any],
    signer: Signer,
    *,
    disclosable: Sequence[str] | None = None,
    issued_at: datetime | None = None,
) -> str:
    """Secure ``credential`` as an SD-JWT with every disclosure (a holder derives subsets).

    ``disclosable`` lists JSON pointers to the claims a holder may withhold (object members, at
    any depth; a claim inside another disclosable one is disclosable on its own too); None
    means :func:`default_disclosable`. ``issued_at`` becomes ``iat``, as for vc+jwt.
    """
    _refuse_wrapper_claims(credential, "credential")
    _bind(credential, "issuer", signer)
    if _contains_sd_names(credential):
        raise InputError(f"a credential cannot use the names {_SD!r} or {_SD_ALG!r} (RFC 9901)")
    claims: dict[str, Any] = dict(credential)
    if issued_at is not None:
        claims["iat"] = int(issued_at.timestamp())
    chosen = default_disclosable(credential) if disclosable is None else list(disclosable)
    marked = _marked(claims, chosen)
    issuer = _Issuer(marked, signer)
    return str(issuer.sd_jwt_issuance)


def _contains_sd_names(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in (_SD, _SD_ALG) or _contains_sd_names(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_sd_names(v) for v in value)
    return False


def _marked(claims: dict[str, Any], pointers: Iterable[str]) -> dict[str, Any]:
    """A copy of ``claims`` with each pointed-at member's name wrapped in the library's SDObj.

    Deepest pointers first, so a path is never walked through a name already wrapped.
    """
    marked = copy.deepcopy(claims)
    parsed = {_pointer(p): p for p in pointers}
    for parts in sorted(parsed, key=len, reverse=True):
        text = parsed[parts]
        if parts[0] in _NEVER_DISCLOSABLE:
            raise InputError(f"{text} cannot be selectively disclosable: verifiers need it")
        parent = _parent(marked, parts, text)
        parent[SDObj(parts[-1])] = parent.pop(parts[-1])
    return marked


# --- deriving (the holder) ----------------------------------------------------------------------
def derive_vc_sd_jwt(sd_jwt: str, reveal: Sequence[str]) -> str:
    """The SD-JWT with only the disclosures needed to reveal the claims at ``reveal`` (JSON
    pointers into the disclosed credential; a claim inside a disclosable one brings its parent).

    Claims that were never disclosable stay visible. InputError for a pointer naming no claim
    of the full credential, or a token that is not an SD-JWT with its disclosures.
    """
    full = _processed(_split(sd_jwt))
    selection: dict[str, Any] = {}
    for text in reveal:
        parts = _pointer(text)
        _parent(full, parts, text)
        _select(selection, parts)
    holder = SDJWTHolder(sd_jwt, serialization_format="compact")
    holder.create_presentation(selection)
    return str(holder.sd_jwt_presentation)


def derive_enveloped(credential: dict[str, Any], reveal: Sequence[str]) -> dict[str, Any]:
    """``POST /credentials/derive`` for vc+sd-jwt: the EnvelopedVerifiableCredential of an
    SD-JWT in, that of its derivation revealing ``reveal`` (the VC API's selectivePointers)
    out. InputError for any other envelope."""
    media_type, token = parse_envelope(credential)
    if media_type != MEDIA_TYPE:
        raise InputError(f"only an {MEDIA_TYPE} credential is derived here, not {media_type}")
    return envelope_sd_jwt(derive_vc_sd_jwt(token, reveal))


def _select(selection: Any, parts: tuple[str, ...]) -> None:
    """Add one pointer to the library's nested ``claims_to_disclose`` (True at the leaf)."""
    node = selection
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if isinstance(node, list):
            position = int(part)
            node.extend([None] * (position + 1 - len(node)))
            if last:
                node[position] = True
            else:
                node[position] = _child(node[position], parts[index + 1])
            node = node[position]
        else:
            if last:
                node[part] = True
            else:
                node[part] = _child(node.get(part), parts[index + 1])
            node = node[part]


def _child(existing: Any, next_part: str) -> Any:
    if isinstance(existing, dict | list):
        return existing
    return [] if next_part.isdigit() else {}


# --- verifying ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SdJwtResult:
    """What verify_vc_sd_jwt found: the report, the credential with its disclosed claims (JWT
    claims removed; *unverified* unless ``report.verified``), and the key that signed."""

    report: VerificationReport
    document: dict[str, Any] | None
    verification_method: VerificationMethod | None


@dataclass(frozen=True)
class _Parts:
    jwt: str
    disclosures: tuple[str, ...]
    key_binding: str
    payload: dict[str, Any]


def _split(token: object, max_size: int = MAX_JWS_SIZE) -> _Parts:
    if not isinstance(token, str) or len(token) > max_size or not SD_JWT_SHAPE.fullmatch(token):
        raise InputError(
            "not an SD-JWT: an issuer-signed JWT, then each disclosure followed by '~' "
            f"(at most {max_size} characters)"
        )
    jwt, *disclosures, key_binding = token.split("~")
    payload = _json_object(b64url_decode_strict(jwt.split(".")[1], "payload"), "payload")
    return _Parts(jwt, tuple(disclosures), key_binding, payload)


def decode_unverified_sd_jwt(token: str) -> dict[str, Any]:
    """The credential an SD-JWT discloses (its claims put back, JWT claims removed), checking
    nothing but its shape: for reading links and types, never for trust (decode_unverified's
    counterpart). Raises InputError."""
    return document_of(_processed(_split(token)))


def undisclosed_count(token: str) -> int:
    """How many digests of an SD-JWT no disclosure of it opens (withheld claims, or decoys),
    plus one for a key-binding JWT; 0 for the issuance with everything disclosed. Unverified:
    for telling a holder's derived presentation from the issued credential, never for trust."""
    parts = _split(token)
    opened = {_digest(d) for d in parts.disclosures}
    digests = list(_digests(parts.payload))
    for disclosure in parts.disclosures:
        digests += _digests(_decode_disclosure(disclosure)[-1])
    return len(set(digests) - opened) + (1 if parts.key_binding else 0)


def _digests(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get(_ARRAY_ITEM), str):
            yield value[_ARRAY_ITEM]
            return
        found = value.get(_SD)
        if isinstance(found, list):
            yield from (d for d in found if isinstance(d, str))
        for key, item in value.items():
            if key != _SD:
                yield from _digests(item)
    elif isinstance(value, list):
        for item in value:
            yield from _digests(item)


def _digest(disclosure: str) -> str:
    return b64url_encode(hashlib.sha256(disclosure.encode("ascii")).digest())


def _decode_disclosure(disclosure: str) -> list[Any]:
    raw = b64url_decode_strict(disclosure, "disclosure")
    try:
        value = read_json(raw)
    except InputError as exc:
        raise InputError(f"a disclosure is not UTF-8 JSON: {exc.detail}") from None
    if not (
        isinstance(value, list)
        and len(value) in (2, 3)
        and isinstance(value[0], str)
        and (len(value) == 2 or isinstance(value[1], str))
    ):
        raise InputError("a disclosure is a JSON array [salt, name, value] or [salt, value]")
    if len(value) == 3 and value[1] in (_SD, _SD_ALG, _ARRAY_ITEM):
        raise InputError(f"a disclosure may not name the claim {value[1]!r}")
    return value


def _processed(parts: _Parts) -> dict[str, Any]:
    """The payload with every disclosure put back in place (RFC 9901 §7.1 steps 3-5)."""
    algorithm = parts.payload.get(_SD_ALG, "sha-256")
    if algorithm != "sha-256":
        raise InputError(f"_sd_alg {algorithm!r} is not supported (sha-256 is)")
    by_digest: dict[str, list[Any]] = {}
    for disclosure in parts.disclosures:
        digest = _digest(disclosure)
        if digest in by_digest:
            raise InputError("the same disclosure is given twice")
        by_digest[digest] = _decode_disclosure(disclosure)
    used: set[str] = set()
    document = _restore(parts.payload, by_digest, used)
    if used != set(by_digest):
        raise InputError(f"{len(set(by_digest) - used)} disclosure(s) match no digest")
    assert isinstance(document, dict)
    document.pop(_SD_ALG, None)
    return document


def _use(digest: str, used: set[str]) -> None:
    if digest in used:
        raise InputError("a digest appears more than once in the SD-JWT")
    used.add(digest)


def _restore(value: Any, by_digest: dict[str, list[Any]], used: set[str]) -> Any:
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict) and len(item) == 1 and _ARRAY_ITEM in item:
                digest = item[_ARRAY_ITEM]
                if not isinstance(digest, str):
                    raise InputError("an array element's '...' must be a digest string")
                if digest in by_digest:
                    _use(digest, used)
                    disclosed = by_digest[digest]
                    if len(disclosed) != 2:
                        raise InputError("an array element's disclosure has a claim name")
                    out.append(_restore(disclosed[1], by_digest, used))
                continue
            out.append(_restore(item, by_digest, used))
        return out
    if not isinstance(value, dict):
        return value
    restored = {k: _restore(v, by_digest, used) for k, v in value.items() if k != _SD}
    digests = value.get(_SD, [])
    if not isinstance(digests, list) or not all(isinstance(d, str) for d in digests):
        raise InputError("_sd must be an array of digests")
    for digest in digests:
        if digest not in by_digest:
            continue  # withheld, or a decoy
        _use(digest, used)
        disclosed = by_digest[digest]
        if len(disclosed) != 3:
            raise InputError("an object member's disclosure has no claim name")
        if disclosed[1] in restored:
            raise InputError(f"the disclosed claim {disclosed[1]!r} is already in the object")
        restored[disclosed[1]] = _restore(disclosed[2], by_digest, used)
    return restored


def verify_vc_sd_jwt(
    token: str,
    *,
    resolver: DIDResolver,
    now: datetime | None = None,
    max_size: int = MAX_JWS_SIZE,
) -> SdJwtResult:
    """Verify an SD-JWT credential: the issuer-signed JWT as :func:`verify_jwt` does (typ
    ``vc+sd-jwt``), then its disclosures (``jose.disclosures``). Reports; never raises for a
    bad token. The document holds only the disclosed claims."""
    report = VerificationReport()
    try:
        parts = _split(token, max_size)
    except InputError as exc:
        report.failed(checks.JOSE_PARSE, "Not a usable SD-JWT", exc.detail)
        return SdJwtResult(report, None, None)
    result = verify_jwt(parts.jwt, resolver=resolver, expected_typ=SD_JWT_TYP, now=now)
    report.extend(result.report)
    if result.payload is None:
        return SdJwtResult(report, None, None)
    try:
        if parts.key_binding:
            raise InputError("a key-binding JWT is not accepted: these credentials bind no key")
        document = document_of(_processed(parts))
    except InputError as exc:
        report.failed(checks.JOSE_DISCLOSURES, "Unusable disclosures", exc.detail)
        return SdJwtResult(report, None, None)
    report.passed(checks.JOSE_DISCLOSURES)
    return SdJwtResult(report, document, result.verification_method)


def envelope_sd_jwt(sd_jwt: str) -> dict[str, Any]:
    """An SD-JWT as an EnvelopedVerifiableCredential (``data:application/vc+sd-jwt,…``)."""
    return envelope(sd_jwt, MEDIA_TYPE)
