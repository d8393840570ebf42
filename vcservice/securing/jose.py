"""VC-JOSE-COSE, JOSE part: ``vc+jwt`` / ``vp+jwt`` compact JWS and their envelopes.

The payload of a vc+jwt is the VC 2.0 credential itself (not a ``vc`` claim); the protected
header names the algorithm, the key (``kid``, a DID URL) and the type. Verification reports
these checks, in this order (ids are stable, the pipeline and the harness use them):

``jose.parse``                 compact JWS, canonical base64url, header and payload JSON objects
``jose.header``                alg ∈ {EdDSA, ES256, ES384} and matching the key; kid a DID URL;
                               typ as expected; no b64:false, no crit we do not understand
``jose.legacy-typ`` (warning)  typ from an earlier draft (``vc+ld+json+jwt``, ``vc-ld+jwt``)
``proof.verification-method``  kid dereferences to a method authorized for the purpose;
                               *failed* if it does not, *indeterminate* if the DID could not be
                               resolved, so an outage is never reported as a forgery
``proof.signature``            the signature verifies with that key
``jose.claims``                vc/vp absent; iss, jti, sub agree with the document; iat/nbf/exp
``proof.challenge``            ``nonce`` equals the verifier's challenge (when one is given)
``proof.domain``               ``aud`` includes the verifier's domain (when one is given)

Not checked here, on purpose: the VC data model (``model``), validFrom/validUntil (the validity
step), and whether the issuer or holder controls the key (``proof.issuer-binding`` in the
pipeline, which treats Data Integrity and JOSE alike).

Design choices:

* **Parse once, strictly, ourselves** (``_jose_compact``), then verify the signature with
  ``cryptography`` on the resolved key, over the received ``header.payload`` text.
  jwcrypto's ``JWS.deserialize`` would parse the token a second time and first tries it as
  JSON, paying for an exception on every compact token (~55 µs, half an Ed25519 verify),
  ``JWSCore`` re-encodes the payload to rebuild the signing input, and even its bare JWA
  objects want a JWK and fetch the key back out of it on every call (~25 µs a token). What
  ``JWS`` checks besides (allowed algorithms, crit, b64) is checked explicitly in
  ``jose.header`` before any key is touched.
* **Sign through the Signer.** The signer is where key custody lives (a file key today, a KMS
  tomorrow) and it already returns JWS-ready raw signatures (Ed25519, or r||s per RFC 7518
  §3.4), so the JWS is two base64url segments and a signature; the tests check signing and
  verifying against jwcrypto's high-level JWS API, an independent implementation.
* **Nothing raises on a bad token.** verify_jwt reports; it raises only for a misuse by the
  caller (an unknown ``expected_typ``, a naive ``now``). The decoded payload is returned even
  when the signature fails, so data-model problems can be reported, but it is *unverified*.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vcservice import checks
from vcservice.dids import DIDResolver, VerificationMethod, resolve_verification_method
from vcservice.errors import InputError, ResolutionError, SigningError, VerificationMethodError
from vcservice.keys import KeyType, PublicKey, Signer, b64url_encode
from vcservice.report import VerificationReport
from vcservice.securing._jose_claims import (
    JWT_CLAIMS,
    challenge_problem,
    claim_problems,
    document_of,
    domain_problem,
    entity_id,
)
from vcservice.securing._jose_compact import (
    MAX_JWS_SIZE,
    b64url_decode_strict,
    decode_header,
    decode_payload,
    json_bytes,
    split_compact,
)
from vcservice.securing._jose_envelope import (
    VC_TYP,
    VP_TYP,
    Kind,
    envelope,
    kind_of,
    outer_problems,
    parse_envelope,
)
from vcservice.securing.dataintegrity import instant

__all__ = [
    "JWT_CLAIMS",
    "MAX_JWS_SIZE",
    "JoseResult",
    "decode_unverified",
    "document_of",
    "envelope",
    "issue_vc_jwt",
    "issue_vp_jwt",
    "outer_problems",
    "parse_envelope",
    "sign_jwt",
    "verify_jwt",
]


def decode_unverified(jws: str) -> dict[str, Any]:
    """The document a compact JWS carries (JWT claims removed), **without** checking anything
    but its shape: for validators that judge content, never for trust. Raises InputError."""
    _, payload, _ = split_compact(jws)
    return document_of(decode_payload(payload))


_ALGS: dict[str, KeyType] = {t.jws_alg: t for t in KeyType}
_SIGNATURE_SIZES = {"EdDSA": 64, "ES256": 64, "ES384": 96}
# Critical header parameters (RFC 7515 §4.1.11) we implement; b64 is accepted only as true.
_UNDERSTOOD_CRIT = frozenset({"b64"})
# DID URL (DID Core §3.2): did:<method>:<method-specific-id> then optional path/query/fragment.
_DID_URL = re.compile(r"did:[a-z0-9]+:(?:[A-Za-z0-9._%-]*:)*[A-Za-z0-9._%-]+(?:[/?#]\S*)?")


@dataclass(frozen=True)
class JoseResult:
    """What verify_jwt found.

    ``payload`` is the decoded credential or presentation whenever it could be decoded, even
    if the signature failed: use it to report data-model problems, never as verified data
    unless ``report.verified``. ``verification_method`` is set only when it verified the
    signature.
    """

    report: VerificationReport
    payload: dict[str, Any] | None
    header: dict[str, Any] | None
    verification_method: VerificationMethod | None

    @property
    def verified(self) -> bool:
        return self.report.verified


# --- signing ---------------------------------------------------------------------------------
def sign_jwt(
    payload: dict[str, Any], signer: Signer, *, typ: str = VC_TYP, cty: str | None = None
) -> str:
    """Compact JWS of ``payload`` with header ``{alg, kid, typ[, cty]}``, signed by ``signer``.

    The JSON is compact UTF-8 (no ASCII escaping): the bytes are what is signed, so any
    spelling is valid, and the short one keeps envelopes small.
    """
    if not isinstance(payload, dict):
        raise InputError("a JWS payload here is a JSON object (a credential or presentation)")
    kid = signer.verification_method
    if not isinstance(kid, str) or not _DID_URL.fullmatch(kid):
        raise SigningError(f"the signer's verification method {kid!r} is not a DID URL")
    header = {"alg": signer.key.key_type.jws_alg, "kid": kid, "typ": typ}
    if cty is not None:
        header["cty"] = cty
    signing_input = (
        b64url_encode(json_bytes(header, "protected header"))
        + "."
        + b64url_encode(json_bytes(payload, "payload"))
    )
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def _refuse_wrapper_claims(document: Any, noun: str) -> None:
    if not isinstance(document, dict):
        raise InputError(f"a {noun} must be a JSON object")
    for name in ("vc", "vp"):
        if name in document:
            raise InputError(
                f"a vc+jwt/vp+jwt {noun} must not carry a {name!r} member (VC-JOSE-COSE, "
                "JWT Format and Requirements): the payload is the document itself"
            )


def _bind(document: dict[str, Any], role: str, signer: Signer) -> None:
    """Refuse to sign as someone the document says it is not (verifiers would reject it)."""
    if role in document and entity_id(document[role]) != signer.controller:
        raise SigningError(
            f"the {role} {entity_id(document[role])!r} is not the signing key's controller "
            f"{signer.controller!r}"
        )


def issue_vc_jwt(
    credential: dict[str, Any], signer: Signer, *, issued_at: datetime | None = None
) -> str:
    """Secure a credential as ``application/vc+jwt``; the payload is the credential unchanged,
    except for ``iat`` when ``issued_at`` is given.

    No other JWT claims are added: iss/exp would only repeat (and risk contradicting) issuer
    and validFrom/validUntil, and the UNTP samples carry none. ``iat`` says something the
    credential does not: when it was signed. An issuer whose DID keeps a history of its keys
    (did:webvh) passes it, so that a verifier can check the signature against the key in force
    then, after the key has rotated out (a certificate's ``validFrom`` may well be earlier).
    """
    _refuse_wrapper_claims(credential, "credential")
    _bind(credential, "issuer", signer)
    payload = credential
    if issued_at is not None:
        payload = {**credential, "iat": int(issued_at.timestamp())}
    return sign_jwt(payload, signer, typ=VC_TYP)


def issue_vp_jwt(
    presentation: dict[str, Any],
    signer: Signer,
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> str:
    """Secure a presentation as ``application/vp+jwt``.

    The verifier's challenge goes in the ``nonce`` claim and its domain in ``aud``, the JWT
    spellings of what Data Integrity puts in ``proof.challenge`` / ``proof.domain``; together
    they stop a captured presentation being replayed to another verifier or session.
    """
    _refuse_wrapper_claims(presentation, "presentation")
    _bind(presentation, "holder", signer)
    claims = {
        name: value for name, value in (("nonce", challenge), ("aud", domain)) if value is not None
    }
    for name, value in claims.items():
        if name in presentation and presentation[name] != value:
            raise InputError(
                f"the presentation already has {name}={presentation[name]!r}, which conflicts "
                f"with {value!r}"
            )
    payload = {**presentation, **claims} if claims else presentation
    return sign_jwt(payload, signer, typ=VP_TYP)


# --- verifying -------------------------------------------------------------------------------
def _header_problems(header: dict[str, Any], kind: Kind) -> tuple[list[str], bool]:
    """(problems with the protected header alone, whether typ used a legacy spelling)."""
    problems: list[str] = []
    alg = header.get("alg")
    if alg == "none":
        problems.append('alg "none" (an unsecured JWT) is never accepted')
    elif isinstance(alg, str) and alg.upper().startswith("HS"):
        problems.append(f"alg {alg} is symmetric (HMAC); only public-key signatures are accepted")
    elif not isinstance(alg, str) or alg not in _ALGS:
        problems.append(f"alg {alg!r} is not one of {', '.join(_ALGS)}")

    kid = header.get("kid")
    if kid is None:
        problems.append("kid is missing; it must name the verification method as a DID URL")
    elif not isinstance(kid, str) or not _DID_URL.fullmatch(kid):
        problems.append(f"kid {kid!r} is not a DID URL")

    legacy = False
    typ = header.get("typ")
    found = kind_of(typ) if isinstance(typ, str) else None
    if found is None or found[0] != kind:
        problems.append(f"typ {typ!r} is not {kind}")
    else:
        legacy = found[1]

    if "cty" in header and not isinstance(header["cty"], str):
        problems.append("cty must be a string")
    if "b64" in header and header["b64"] is not True:
        problems.append("unencoded payloads (b64 other than true, RFC 7797) are not accepted")
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
            problems.append("crit must be a non-empty array of header parameter names")
        else:
            unknown = [c for c in crit if c not in _UNDERSTOOD_CRIT]
            if unknown:
                problems.append(f"critical header parameters not understood: {unknown}")
            missing = [c for c in crit if c not in header]
            if missing:
                problems.append(f"critical header parameters listed but absent: {missing}")
    return problems, legacy


def _signature_problem(
    alg: str, key: PublicKey, signing_input: bytes, signature: bytes
) -> str | None:
    """Why the signature does not verify (None when it does).

    The signing input is the received ``header.payload`` text itself, never a re-encoding.
    The length check comes first: RFC 7518 §3.4 fixes 64 bytes for ES256 and 96 for ES384,
    RFC 8037 fixes 64 for Ed25519, so r||s padded to 33+33 bytes is not a second spelling of
    one ES256 signature. Then :meth:`PublicKey.verify` (``cryptography`` on the resolved key
    object, r||s turned into DER for ECDSA): the same check jwcrypto's JWA objects make, without
    their JWK round trip, which cost about half an Ed25519 verify per token.
    """
    expected = _SIGNATURE_SIZES[alg]
    if len(signature) != expected:
        return f"the signature is {len(signature)} bytes; an {alg} signature is {expected}"
    if not key.verify(signature, signing_input):
        return f"the {alg} signature does not verify with the key"
    return None


def _timestamp(now: datetime | None) -> float:
    if now is None:
        return time.time()
    if now.tzinfo is None:
        raise InputError("now must be a timezone-aware datetime")
    return now.timestamp()


def _check_claims(
    report: VerificationReport,
    payload: dict[str, Any],
    header: dict[str, Any],
    *,
    kind: Kind,
    now: float,
    challenge: str | None,
    domain: str | None,
) -> None:
    problems = claim_problems(payload, header, presentation=kind == VP_TYP, now=now)
    if problems:
        report.failed(checks.JOSE_CLAIMS, "JWT claims do not fit the document", "; ".join(problems))
    else:
        report.passed(checks.JOSE_CLAIMS)
    for check_id, expected, problem_of in (
        (checks.PROOF_CHALLENGE, challenge, challenge_problem),
        (checks.PROOF_DOMAIN, domain, domain_problem),
    ):
        if expected is None:
            continue
        problem = problem_of(payload, expected)
        if problem is None:
            report.passed(check_id)
        else:
            report.failed(check_id, f"Wrong {check_id.split('.')[1]}", problem)


def _signed_at(payload: dict[str, Any]) -> datetime | None:
    """When the token says it was signed: ``iat``, else ``nbf``, else the credential's
    ``validFrom``. A key rotated out of the issuer's DID since is looked up as of then."""
    for claim in ("iat", "nbf"):
        value = payload.get(claim)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value, UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return instant(payload.get("validFrom"))


def verify_jwt(
    jws: str,
    *,
    resolver: DIDResolver,
    expected_typ: str = VC_TYP,
    purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    max_size: int = MAX_JWS_SIZE,
) -> JoseResult:
    """Verify a compact vc+jwt (or vp+jwt with ``expected_typ="vp+jwt"``) and report why.

    ``expected_typ`` may also be a media type as parse_envelope returns it. Presentations are
    usually verified with ``purpose="authentication"``. ``now`` (aware) is the time for
    exp/nbf/iat; it defaults to the system clock. Tokens longer than ``max_size`` characters
    fail ``jose.parse`` before any decoding.
    """
    expected = kind_of(expected_typ) if isinstance(expected_typ, str) else None
    if expected is None:
        raise InputError(f"expected_typ must be vc+jwt or vp+jwt, not {expected_typ!r}")
    kind = expected[0]
    moment = _timestamp(now)
    report = VerificationReport()

    header: dict[str, Any] | None = None
    try:
        header_segment, payload_segment, signature_segment = split_compact(jws, max_size)
        header = decode_header(header_segment)
        payload = decode_payload(payload_segment)
        signature = b64url_decode_strict(signature_segment, "signature")
    except InputError as exc:
        report.failed(checks.JOSE_PARSE, "Not a usable compact JWS", exc.detail)
        return JoseResult(report, None, header, None)
    report.passed(checks.JOSE_PARSE)

    problems, legacy = _header_problems(header, kind)
    if legacy:
        report.warn(
            checks.JOSE_LEGACY_TYP,
            "Legacy typ",
            f"typ {header['typ']!r} is from a draft of VC-JOSE-COSE; the current value is {kind}",
        )
    if problems:
        report.failed(checks.JOSE_HEADER, "Unacceptable JOSE header", "; ".join(problems))
        return JoseResult(report, payload, header, None)
    alg, kid = str(header["alg"]), str(header["kid"])

    verified_by: VerificationMethod | None = None
    try:
        method = resolve_verification_method(resolver, kid, purpose, at=_signed_at(payload))
    except ResolutionError as exc:
        report.passed(checks.JOSE_HEADER)
        report.indeterminate(
            checks.PROOF_VERIFICATION_METHOD,
            "Could not resolve the verification method",
            exc.detail,
        )
    except VerificationMethodError as exc:
        report.passed(checks.JOSE_HEADER)
        report.failed(checks.PROOF_VERIFICATION_METHOD, exc.title, exc.detail)
    else:
        key_alg = method.public_key.key_type.jws_alg
        if key_alg != alg:
            report.failed(
                checks.JOSE_HEADER,
                "Algorithm does not match the key",
                f"alg is {alg} but {kid} is a {method.public_key.key_type.crv} key ({key_alg})",
            )
            report.passed(checks.PROOF_VERIFICATION_METHOD)
        else:
            report.passed(checks.JOSE_HEADER)
            report.passed(checks.PROOF_VERIFICATION_METHOD)
            signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
            problem = _signature_problem(alg, method.public_key, signing_input, signature)
            if problem is None:
                report.passed(checks.PROOF_SIGNATURE)
                verified_by = method
                if method.note is not None:
                    title = checks.title(checks.PROOF_KEY_HISTORY)
                    report.warn(checks.PROOF_KEY_HISTORY, title, method.note)
            else:
                report.failed(checks.PROOF_SIGNATURE, "Invalid signature", f"{problem} {kid}")
    _check_claims(
        report, payload, header, kind=kind, now=moment, challenge=challenge, domain=domain
    )
    return JoseResult(report, payload, header, verified_by)
