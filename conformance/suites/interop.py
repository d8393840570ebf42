"""``interop``: the issuer × verifier matrix.

For every implementation with an issuer and every format it declares, the suite issues one
minimal credential (VC 2.0; VC 1.1 for an issuer whose ``data_model`` is ``"1.1"``), then
derives broken copies locally, without any key (:mod:`conformance.suites._tamper`):

* ``tampered-claim``: the subject's id changed after signing;
* ``tampered-issuer``: the issuer replaced by another issuer's DID (impersonation);
* ``tampered-signature``: one bit of the signature bytes changed;
* ``tampered-header`` (vc+jwt only): a member added to the protected header.

An issuer that also declares a ``status`` endpoint gets a ``revoked`` case: a credential issued
with ``options.credentialStatus`` (our VC API extension: a revocation entry) and revoked
through the status endpoint before any verifier sees it. Verifiers may cache status lists (ours
for up to five minutes), so a second run against the same platforms within that time can see a
revocation cell fail that a fresh verifier would pass; the cell's detail says so.

Every credential goes to every implementation's verifier. A cell (issuer × verifier × format ×
case) passes when the verifier accepts the valid credential and rejects the broken one; a
rejection by a verifier that also rejects the valid credential proves nothing and fails. A
verifier whose declared ``formats`` exclude the format is skipped for it; a verifier that
declares none is expected to read everything.

Check ids: ``interop.<format>.valid``, ``interop.<format>.tampered-claim``, … Results carry
``issuer``, ``verifier`` and ``implementation`` (the verifier).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from conformance.client import Answer, ImplementationError
from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites import _tamper

SUITE = "interop"
VALID = "valid"
REVOKED = "revoked"
EXCERPT = 600

#: The credential each VC 2.0 issuer signs: only terms the VC 2.0 context defines.
CREDENTIAL_V2: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "name": "Conformance interop credential",
    "description": "A minimal credential for the issuer x verifier matrix",
    "validFrom": "2024-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:subject"},
}

#: The credential a VC 1.1 issuer signs.
CREDENTIAL_V1: dict[str, Any] = {
    "@context": ["https://www.w3.org/2018/credentials/v1"],
    "type": ["VerifiableCredential"],
    "issuanceDate": "2024-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:subject"},
}

#: Fallback impostor when no other issuer's DID is known.
IMPOSTOR = "did:example:impostor"


@dataclass
class _Issued:
    """What one issuer produced for one format (or why it could not)."""

    issuer: Implementation
    fmt: str
    valid: Any = None
    error: str | None = None
    issuer_did: str | None = None
    #: case -> (credential, what was changed), or (None, why it could not be made)
    cases: dict[str, tuple[Any, str]] = field(default_factory=dict)


def _excerpt(value: Any, limit: int = EXCERPT) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _template(issuer: Implementation) -> dict[str, Any]:
    base = CREDENTIAL_V1 if issuer.data_model == "1.1" else CREDENTIAL_V2
    return copy.deepcopy(base)


def _issuer_did(credential: Any) -> str | None:
    document = _tamper.credential_document(credential)
    if document is None:
        return None
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _issue_all(context: SuiteContext) -> list[_Issued]:
    """Every issuer × declared format: the valid credential (and a revoked one with a status
    endpoint). Errors are kept, to be reported per cell."""
    out: list[_Issued] = []
    for implementation in context.implementations:
        endpoint = implementation.issuer
        if endpoint is None:
            continue
        client = context.client(implementation)
        formats: list[str | None] = list(endpoint.formats) or [None]
        for fmt in formats:
            issued = _Issued(implementation, fmt or "default")
            try:
                issued.valid = client.issued(_template(implementation), fmt=fmt)
            except ImplementationError as exc:
                issued.error = str(exc)
                out.append(issued)
                continue
            if fmt is None:  # the issuer's default: name the cell by what it produced
                issued.fmt = _tamper.detect_format(issued.valid) or "default"
            issued.issuer_did = _issuer_did(issued.valid) or endpoint.did
            if implementation.status is not None:
                issued.cases[REVOKED] = _revoked(context, implementation, fmt)
            out.append(issued)
    return out


def _revoked(context: SuiteContext, issuer: Implementation, fmt: str | None) -> tuple[Any, str]:
    """A credential issued with a revocation entry, then revoked; (None, why) if that failed."""
    client = context.client(issuer)
    try:
        credential = client.issued(
            _template(issuer), fmt=fmt, credentialStatus={"statusPurpose": "revocation"}
        )
    except ImplementationError as exc:
        return None, f"could not issue a credential with a status entry: {exc}"
    document = _tamper.credential_document(credential)
    credential_id = document.get("id") if document else None
    if not isinstance(credential_id, str):
        return None, "the credential issued with a status entry has no id to revoke it by"
    if not document or "credentialStatus" not in document:
        return None, "the issuer ignored options.credentialStatus (no credentialStatus)"
    try:
        answer = client.update_status(credential_id, "revocation", True)
    except ImplementationError as exc:
        return None, f"could not revoke {credential_id}: {exc}"
    if not 200 <= answer.status < 300:
        return None, (
            f"the status endpoint refused to revoke {credential_id} "
            f"(HTTP {answer.status}): {_excerpt(answer.body, 300)}"
        )
    return credential, f"revoked through {issuer.name}'s status endpoint"


def _derive(issued: _Issued, impostor: str) -> None:
    """The locally tampered copies of ``issued.valid``."""
    makers: list[tuple[str, Callable[[Any], Any], str]] = [
        ("tampered-claim", _tamper.tampered_claim, "credentialSubject changed after signing"),
        (
            "tampered-issuer",
            lambda c: _tamper.tampered_issuer(c, impostor),
            f"issuer replaced by {impostor} after signing",
        ),
        ("tampered-signature", _tamper.tampered_signature, "one bit of the signature flipped"),
    ]
    if issued.fmt == "vc+jwt":
        makers.append(
            ("tampered-header", _tamper.tampered_header, "a protected-header member added")
        )
    derived: dict[str, tuple[Any, str]] = {}
    for case, make, what in makers:
        try:
            derived[case] = (make(issued.valid), what)
        except _tamper.TamperError as exc:
            derived[case] = (None, f"could not derive: {exc}")
    issued.cases = derived | issued.cases  # tampered cases first, then revoked


def _evidence(credential: Any) -> dict[str, Any]:
    """The credential as sent (an excerpt), and what a reader needs to see the change: a
    vc+jwt's decoded header and payload, a Data Integrity credential's proof."""
    out: dict[str, Any] = {"credential": _excerpt(credential)}
    if _tamper.compact_jws(credential) is not None:
        try:
            header, payload = _tamper.jwt_parts(credential)
        except _tamper.TamperError:
            return out
        out["jwtHeader"] = _excerpt(header, 300)
        out["jwtPayload"] = _excerpt(payload)
    elif isinstance(credential, dict) and "proof" in credential:
        out["proof"] = _excerpt(credential["proof"], 400)
    return out


def _response(answer: Answer) -> dict[str, Any]:
    body = answer.body
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):  # the check ids and problems say why, compactly
            body = {"verified": body.get("verified"), "errors": errors}
    return {"status": answer.status, "body": _excerpt(body if body is not None else "")}


def _reasons(answer: Answer) -> str:
    body = answer.body
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        ids = [e.get("id") or e.get("title") for e in body["errors"] if isinstance(e, dict)]
        named = [str(i) for i in ids if i]
        if named:
            return ", ".join(named[:6])
    return _excerpt(body, 200) if body is not None else "(empty body)"


@dataclass(frozen=True)
class _Verdict:
    outcome: Outcome  # PASSED = accepted, FAILED = rejected, ERROR = could not ask
    detail: str
    response: dict[str, Any]
    seconds: float


def _ask(context: SuiteContext, verifier: Implementation, credential: Any) -> _Verdict:
    started = time.perf_counter()
    try:
        answer = context.client(verifier).verify(credential)
    except ImplementationError as exc:
        return _Verdict(Outcome.ERROR, str(exc), {}, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if answer.verified:
        return _Verdict(Outcome.PASSED, "accepted", _response(answer), seconds)
    return _Verdict(
        Outcome.FAILED,
        f"rejected (HTTP {answer.status}: {_reasons(answer)})",
        _response(answer),
        seconds,
    )


def _cells(context: SuiteContext, issued: _Issued, verifier: Implementation) -> Iterator[Result]:
    fmt = issued.fmt
    name = issued.issuer.name

    def result(case: str, outcome: Outcome, detail: str, **extra: Any) -> Result:
        negative = case != VALID
        tags = (fmt, "negative") if negative else (fmt,)
        if case == REVOKED:
            tags = (*tags, "status")
        return Result(
            check=f"{SUITE}.{fmt}.{case}",
            suite=SUITE,
            outcome=outcome,
            implementation=verifier.name,
            title=f"{verifier.name} {'rejects' if negative else 'accepts'} a {fmt} credential "
            f"from {name} ({case})",
            detail=detail,
            tags=tags,
            issuer=name,
            verifier=verifier.name,
            **extra,
        )

    cases = [VALID, *issued.cases]
    if issued.error is not None:
        cases = [VALID, "tampered-claim", "tampered-issuer", "tampered-signature"]
        if fmt == "vc+jwt":
            cases.append("tampered-header")
        if issued.issuer.status is not None:
            cases.append(REVOKED)
    assert verifier.verifier is not None
    declared = verifier.verifier.formats
    if declared and fmt not in declared:
        for case in cases:
            yield result(
                case,
                Outcome.SKIPPED,
                f"format not supported by verifier ({verifier.name} declares "
                f"{', '.join(declared)})",
            )
        return
    if issued.error is not None:
        for case in cases:
            yield result(case, Outcome.ERROR, f"{name} could not issue {fmt}: {issued.error}")
        return

    baseline = _ask(context, verifier, issued.valid)
    yield result(
        VALID,
        baseline.outcome,
        baseline.detail
        if baseline.outcome is not Outcome.FAILED
        else f"the valid credential was {baseline.detail}",
        evidence={**_evidence(issued.valid), "response": baseline.response},
        seconds=baseline.seconds,
    )
    for case, (credential, what) in issued.cases.items():
        if credential is None:
            yield result(case, Outcome.ERROR, what)
            continue
        verdict = _ask(context, verifier, credential)
        evidence = {**_evidence(credential), "tampering": what, "response": verdict.response}
        if verdict.outcome is Outcome.ERROR:
            outcome, detail = Outcome.ERROR, verdict.detail
        elif verdict.outcome is Outcome.PASSED:
            outcome = Outcome.FAILED
            detail = f"accepted the {case} credential ({what})"
            if case == REVOKED:
                detail += (
                    " (if this verifier caches status lists, an earlier fetch of the list "
                    "may predate the revocation)"
                )
        elif baseline.outcome is Outcome.PASSED:
            outcome, detail = Outcome.PASSED, verdict.detail
        elif baseline.outcome is Outcome.ERROR:
            outcome = Outcome.ERROR
            detail = f"{verdict.detail}, but the valid credential could not be verified"
        else:
            outcome = Outcome.FAILED
            detail = (
                f"{verdict.detail}, but the verifier rejects the valid credential too, so the "
                "rejection does not show it detected the change"
            )
        yield result(case, outcome, detail, evidence=evidence, seconds=verdict.seconds)


def run(context: SuiteContext) -> Iterator[Result]:
    issued_all = _issue_all(context)
    dids = [i.issuer_did for i in issued_all if i.issuer_did]
    for issued in issued_all:
        if issued.error is None:
            others = [d for d in dids if d != issued.issuer_did]
            _derive(issued, others[0] if others else IMPOSTOR)
    verifiers = [i for i in context.implementations if i.verifier is not None]
    for issued in issued_all:
        for verifier in verifiers:
            yield from _cells(context, issued, verifier)
