"""did:jwk: a DID that *is* a public JWK, resolved locally with no I/O.

Spec: https://github.com/quartzjer/did-jwk/blob/main/spec.md. The method-specific identifier is
the base64url of the JWK's UTF-8 JSON; the document has one verification method, ``#0``.

Choices made here, and why:

* **Method type.** The spec's template says ``JsonWebKey2020`` with the jws-2020 context. The
  newer Controlled Identifiers ``JsonWebKey`` type (context ``https://w3id.org/security/jwk/v1``)
  is the default, as in Digital Bazaar's did-method-jwk 2.x: jwk/v1 is the current W3C
  context (jws-2020 is bundled too, but only to read legacy JsonWebSignature2020 proofs).
  ``JsonWebKey2020`` is available for byte-for-byte agreement with the spec's examples.
* **Relationships follow the spec literally**: ``use: "sig"`` drops ``keyAgreement``, ``use:
  "enc"`` keeps *only* ``keyAgreement``, no ``use`` lists all five. (So an Ed25519 JWK without
  ``use`` is listed under ``keyAgreement`` too; the spec asks issuers to set ``use``, and we do
  not second-guess the DID.) Any other ``use`` value is refused rather than guessed at.
* **Keys we cannot verify with still resolve** (X25519, secp256k1, RSA): a did:jwk is a valid
  DID whatever its curve. Their members are checked for shape only; dereferencing such a method
  for a proof later fails in :func:`~vcservice.dids.public_key_of`. Ed25519, P-256 and P-384 keys
  are fully validated (point on curve) here, so a corrupt key fails at resolution.
* **Private keys are refused**: any private member (``d``, RSA's CRT members, ``oct``'s ``k``)
  makes the DID invalid, as the spec requires.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from vcservice.dids._didkey import DID_V1
from vcservice.errors import InputError, KeyFormatError, ResolutionError
from vcservice.ingress import read_json
from vcservice.keys import PublicKey, b64url_decode, b64url_encode

JWK_V1 = "https://w3id.org/security/jwk/v1"
JWS_2020_V1 = "https://w3id.org/security/suites/jws-2020/v1"

JwkMethodType = Literal["JsonWebKey", "JsonWebKey2020"]
_CONTEXT_FOR: dict[str, str] = {"JsonWebKey": JWK_V1, "JsonWebKey2020": JWS_2020_V1}

_PREFIX = "did:jwk:"
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
# An RSA-4096 JWK is about 1.4 KB once encoded; anything far larger is not a key we want to
# parse (JSON nesting, huge x5c chains), and a DID is attacker-supplied input.
_MAX_DID_LENGTH = 8192
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_SUPPORTED_CURVES = frozenset({"Ed25519", "P-256", "P-384"})
_REQUIRED_MEMBERS = {"EC": ("crv", "x", "y"), "OKP": ("crv", "x"), "RSA": ("n", "e")}
_SIGNING = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


def did_jwk_for(public: PublicKey) -> str:
    """The did:jwk of ``public``, serialized with sorted keys and no whitespace.

    Sorted compact JSON of these ASCII-only members is exactly JCS, so the same key always gives
    the same DID (the spec allows any serialization but recommends a canonical one); for the
    spec's P-256 example this reproduces the published DID byte for byte. No ``use`` member is
    added, again to match what other implementations produce for the same key.
    """
    text = json.dumps(public.to_jwk(), sort_keys=True, separators=(",", ":"))
    return _PREFIX + b64url_encode(text.encode("utf-8"))


def did_jwk_document(did: str, *, method_type: JwkMethodType = "JsonWebKey") -> dict[str, Any]:
    """The DID document of a did:jwk, or ResolutionError if the DID is malformed.

    ``publicKeyJwk`` is the JWK exactly as encoded in the DID, extra members included (the spec
    makes them visible there and nowhere else).
    """
    jwk = _decode(did)
    method_id = did + "#0"
    document: dict[str, Any] = {
        "@context": [DID_V1, _CONTEXT_FOR[method_type]],
        "id": did,
        "verificationMethod": [
            {"id": method_id, "type": method_type, "controller": did, "publicKeyJwk": jwk}
        ],
    }
    use = jwk.get("use")
    if use != "enc":
        for relationship in _SIGNING:
            document[relationship] = [method_id]
    if use != "sig":
        document["keyAgreement"] = [method_id]
    return document


class DidJwkResolver:
    """Resolves did:jwk DIDs locally; safe to share between threads (it holds no state)."""

    def __init__(self, *, method_type: JwkMethodType = "JsonWebKey") -> None:
        if method_type not in _CONTEXT_FOR:
            raise ValueError(f"method_type must be one of {sorted(_CONTEXT_FOR)}")
        self._method_type: JwkMethodType = method_type

    def resolve(self, did: str) -> dict[str, Any]:
        return did_jwk_document(did, method_type=self._method_type)


def _decode(did: str) -> dict[str, Any]:
    """The JWK inside ``did``, checked per the spec's Read steps 1-4."""
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise ResolutionError(f"{did!r} is not a did:jwk")
    if len(did) > _MAX_DID_LENGTH:
        raise ResolutionError(f"did:jwk is {len(did)} characters; at most {_MAX_DID_LENGTH}")
    value = did[len(_PREFIX) :]
    if not _B64URL.fullmatch(value):
        raise ResolutionError(
            f"invalid did:jwk {_short(did)}: the identifier must be unpadded base64url "
            "(a DID URL's fragment, query or path must be removed before resolving)"
        )
    try:
        raw = b64url_decode(value)
    except KeyFormatError as exc:
        raise ResolutionError(f"invalid did:jwk {_short(did)}: {exc.detail}") from exc
    if b64url_encode(raw) != value:
        # Non-zero padding bits: a second spelling of the same bytes, so a second DID.
        raise ResolutionError(f"invalid did:jwk {_short(did)}: non-canonical base64url")
    try:
        jwk = read_json(raw)
    except InputError as exc:
        detail = f"not UTF-8 JSON ({exc.detail})"
        raise ResolutionError(f"invalid did:jwk {_short(did)}: {detail}") from exc
    if not isinstance(jwk, dict):
        raise ResolutionError(f"invalid did:jwk {_short(did)}: the JWK must be a JSON object")
    try:
        _check_jwk(jwk)
    except KeyFormatError as exc:
        raise ResolutionError(f"invalid did:jwk {_short(did)}: {exc.detail}") from exc
    return jwk


def _check_jwk(jwk: dict[str, Any]) -> None:
    """Refuse private or symmetric keys, malformed members and an unknown ``use``."""
    private = sorted(_PRIVATE_MEMBERS & jwk.keys())
    if private:
        raise KeyFormatError(
            f"the JWK carries private key material ({', '.join(private)}); a did:jwk must only "
            "ever contain a public key"
        )
    kty = jwk.get("kty")
    if kty not in _REQUIRED_MEMBERS:
        raise KeyFormatError(f"unsupported JWK kty {kty!r}; expected EC, OKP or RSA")
    for member in _REQUIRED_MEMBERS[kty]:
        if not isinstance(jwk.get(member), str) or not jwk[member]:
            raise KeyFormatError(f"the {kty} JWK has no {member!r} string")
        if member != "crv":
            b64url_decode(jwk[member])
    use = jwk.get("use")
    if use is not None and use not in ("sig", "enc"):
        raise KeyFormatError(f"JWK use {use!r} is neither 'sig' nor 'enc'")
    if jwk.get("crv") in _SUPPORTED_CURVES:
        PublicKey.from_jwk(jwk)


def _short(did: str) -> str:
    return did if len(did) <= 80 else did[:77] + "..."
