"""JWT claims of a vc+jwt / vp+jwt payload, checked against the document they sit in.

In VC-JOSE-COSE the payload *is* the credential (or presentation); registered JWT claims may
sit beside its properties. The spec (#jose-header-parameters-jwt-claims, #iss) relates them:

* ``vc`` and ``vp`` MUST NOT be present (they mark the VC 1.1 "JWT-VC" encoding, whose
  payload wraps the credential instead of being it);
* ``iss``, in the claims or the protected header, MUST match ``issuer`` (or ``issuer.id``);
  for a presentation we hold it to ``holder`` the same way;
* ``jti``/``id`` and ``sub``/``credentialSubject.id`` SHOULD NOT conflict: a verifier that
  let them differ would let two readers of the same token disagree about what it names;
* ``iat``/``exp``/``nbf`` are about the *signature*, not the data (``validFrom``/``validUntil``
  are checked by the validity step), so they are not compared with those properties; they are
  checked as RFC 7519 §4.1 says: NumericDates, ``exp`` in the future, ``nbf`` in the past, in
  a consistent order.

Each function returns problems as sentences; the caller turns them into report entries.
"""

from __future__ import annotations

import math
from typing import Any

#: Allowed clock skew between issuer and verifier for exp/nbf/iat, in seconds.
LEEWAY_SECONDS = 60

#: Registered JWT claims (RFC 7519 §4.1, plus ``nonce`` and ``cnf``) that may sit beside the
#: document's own properties. They are claims about the *token*, not terms of the VC data model,
#: so a JSON-LD reading of the document must not see them (they would be undefined terms).
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce", "cnf"})


def document_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential or presentation carried by a payload, without the JWT claims."""
    return {key: value for key, value in payload.items() if key not in JWT_CLAIMS}


def entity_id(value: Any) -> str | None:
    """The id of an ``issuer``/``holder`` value: the string itself or its object's ``id``."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _subject_ids(credential: dict[str, Any]) -> set[str]:
    subjects = credential.get("credentialSubject")
    entries = subjects if isinstance(subjects, list) else [subjects]
    return {e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}


def _numeric_date(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _time_problems(payload: dict[str, Any], now: float) -> list[str]:
    problems: list[str] = []
    times: dict[str, float] = {}
    for name in ("iat", "nbf", "exp"):
        if name in payload:
            number = _numeric_date(payload[name])
            if number is None:
                problems.append(f"{name} must be a NumericDate (seconds since the epoch)")
            else:
                times[name] = number
    if "exp" in times and now >= times["exp"] + LEEWAY_SECONDS:
        problems.append(f"the signature expired (exp {times['exp']:.0f} is before {now:.0f})")
    if "nbf" in times and now + LEEWAY_SECONDS < times["nbf"]:
        problems.append(f"the JWT is not valid yet (nbf {times['nbf']:.0f} is after {now:.0f})")
    if "iat" in times and now + LEEWAY_SECONDS < times["iat"]:
        problems.append(f"the JWT was issued in the future (iat {times['iat']:.0f})")
    for earlier, later in (("nbf", "exp"), ("iat", "exp")):
        if earlier in times and later in times and times[later] <= times[earlier]:
            problems.append(f"{later} must be after {earlier}")
    return problems


def claim_problems(
    payload: dict[str, Any], header: dict[str, Any], *, presentation: bool, now: float
) -> list[str]:
    """Everything wrong with the registered claims of a payload (empty when all is well)."""
    problems = [
        f"the JWT claim {name!r} must not be present: the payload is the "
        f"{'presentation' if presentation else 'credential'} itself, not a wrapper"
        for name in ("vc", "vp")
        if name in payload
    ]
    role = "holder" if presentation else "issuer"
    party = entity_id(payload.get(role))
    for where, claims in (("claim", payload), ("header parameter", header)):
        if "iss" not in claims:
            continue
        iss = claims["iss"]
        if not isinstance(iss, str):
            problems.append(f"the iss {where} must be a string")
        elif party is not None and iss != party:
            problems.append(f"the iss {where} {iss!r} does not match the {role} {party!r}")
    if "jti" in payload:
        jti, doc_id = payload["jti"], payload.get("id")
        if not isinstance(jti, str):
            problems.append("the jti claim must be a string")
        elif isinstance(doc_id, str) and jti != doc_id:
            problems.append(f"the jti claim {jti!r} does not match the id {doc_id!r}")
    if "sub" in payload:
        sub = payload["sub"]
        subjects = set() if presentation else _subject_ids(payload)
        if not isinstance(sub, str):
            problems.append("the sub claim must be a string")
        elif subjects and sub not in subjects:
            problems.append(f"the sub claim {sub!r} matches no credentialSubject id")
    aud = payload.get("aud")
    if "aud" in payload and not (
        isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))
    ):
        problems.append("the aud claim must be a string or an array of strings")
    if "nonce" in payload and not isinstance(payload["nonce"], str):
        problems.append("the nonce claim must be a string")
    problems.extend(_time_problems(payload, now))
    return problems


def challenge_problem(payload: dict[str, Any], challenge: str) -> str | None:
    """Why the ``nonce`` claim does not answer the verifier's challenge, or None if it does."""
    nonce = payload.get("nonce")
    if nonce is None:
        return f"the presentation has no nonce claim; the verifier expected {challenge!r}"
    if nonce != challenge:
        return f"the nonce claim {nonce!r} is not the expected challenge {challenge!r}"
    return None


def domain_problem(payload: dict[str, Any], domain: str) -> str | None:
    """Why the ``aud`` claim does not name the verifier's domain, or None if it does."""
    aud = payload.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if aud is None:
        return f"the presentation has no aud claim; the verifier expected {domain!r}"
    if domain not in audiences:
        return f"the aud claim {aud!r} does not include the expected domain {domain!r}"
    return None
