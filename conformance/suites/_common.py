"""What the suites share: turning a judgment into a :class:`Result`, local verification with the
vcservice library, reading and tampering with what an issuer returned.

A check is a function returning a :class:`Verdict`; :func:`judge` times it and maps an
:class:`ImplementationError` (the implementation gave no answer the VC API defines) to
``error``. Any other exception is a bug in the harness or the library, and is reported as
``error`` too, with its type: a run never dies half-way through a suite.
"""

from __future__ import annotations

import base64
import json
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from conformance.client import Answer, ImplementationError
from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from vcservice.errors import InputError
from vcservice.ingress import FETCHED_LIMITS, read_json

#: A well-formed did:key that signed nothing here (the did:key spec's own example).
OTHER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
ENVELOPED = ("EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation")


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    detail: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


def passed(detail: str = "", **evidence: Any) -> Verdict:
    return Verdict(Outcome.PASSED, detail, evidence)


def failed(detail: str, **evidence: Any) -> Verdict:
    return Verdict(Outcome.FAILED, detail, evidence)


def skipped(reason: str) -> Verdict:
    return Verdict(Outcome.SKIPPED, reason)


@dataclass(frozen=True)
class Check:
    """A check's identity: ``<suite>.<name>``, a title and tags."""

    id: str
    title: str
    tags: tuple[str, ...] = ()

    @property
    def suite(self) -> str:
        return self.id.split(".", 1)[0]


def judge(check: Check, implementation: str, fn: Callable[[], Verdict]) -> Result:
    """Run ``fn`` and make its verdict a Result (errors included, never raised)."""
    start = time.perf_counter()
    try:
        verdict = fn()
    except ImplementationError as exc:
        verdict = Verdict(Outcome.ERROR, str(exc))
    except Exception as exc:  # noqa: BLE001 - a harness bug must not end the run
        where = traceback.extract_tb(exc.__traceback__)[-1]
        verdict = Verdict(
            Outcome.ERROR,
            f"harness error {type(exc).__name__}: {exc} "
            f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
        )
    return Result(
        check=check.id,
        suite=check.suite,
        outcome=verdict.outcome,
        implementation=implementation,
        title=check.title,
        detail=verdict.detail,
        tags=check.tags,
        evidence=verdict.evidence,
        seconds=round(time.perf_counter() - start, 4),
    )


def skip_all(checks: list[Check], implementation: Implementation, reason: str) -> Iterator[Result]:
    for check in checks:
        yield judge(check, implementation.name, lambda: skipped(reason))


def excerpt(value: Any, limit: int = 600) -> Any:
    """A short form of a request or response body for a result's evidence."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return value if len(text) <= limit else text[:limit] + "…"


def refusal_ids(answer: Answer) -> list[str]:
    """Check ids a verifier's answer names as failed (our report shape, tolerant of others)."""
    body = answer.body
    if not isinstance(body, dict):
        return []
    ids: list[str] = []
    for key in ("errors", "problemDetails"):
        for entry in body.get(key) or []:
            if isinstance(entry, dict):
                ident = entry.get("id") or entry.get("type")
                if isinstance(ident, str):
                    ids.append(ident.rsplit("/", 1)[-1])
    summary = body.get("summary")
    if isinstance(summary, dict):
        ids.extend(i for i in summary.get("failedChecks") or [] if isinstance(i, str))
    return list(dict.fromkeys(ids))


def describe(answer: Answer) -> str:
    ids = refusal_ids(answer)
    verdict = "verified" if answer.verified else "not verified"
    return f"HTTP {answer.status}, {verdict}" + (f" ({', '.join(ids[:8])})" if ids else "")


# --- what an issuer returned ------------------------------------------------------------------
def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws_of(credential: Any) -> str | None:
    """The compact JWS of a vc+jwt (bare, ``data:`` URL or envelope), None otherwise."""
    if isinstance(credential, dict):
        types = credential.get("type")
        names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        if not set(ENVELOPED) & set(names) or not isinstance(credential.get("id"), str):
            return None
        credential = credential["id"]
    if not isinstance(credential, str):
        return None
    text = credential.strip()
    if text[:5].lower() == "data:":
        text = text.partition(",")[2]
    return text if text.count(".") == 2 else None


def _replace_jws(credential: Any, jws: str) -> Any:
    if isinstance(credential, dict):
        media = credential["id"].partition(",")[0]
        return {**credential, "id": f"{media},{jws}"}
    if isinstance(credential, str) and credential.strip()[:5].lower() == "data:":
        return f"{credential.strip().partition(',')[0]},{jws}"
    return jws


def document_of(credential: Any) -> dict[str, Any]:
    """The credential's JSON: the (unverified) JWT payload for a vc+jwt. Raises ValueError."""
    jws = jws_of(credential)
    if jws is None:
        if isinstance(credential, dict):
            return credential
        raise ValueError("the credential is neither a JSON object nor a compact JWS")
    try:
        payload = read_json(_b64decode(jws.split(".")[1]), FETCHED_LIMITS)
    except InputError as exc:
        raise ValueError(f"the JWT payload: {exc.detail}") from None
    if not isinstance(payload, dict):
        raise ValueError("the JWT payload is not a JSON object")
    if isinstance(payload.get("vc"), dict):  # a VC 1.1 JWT
        return dict(payload["vc"])
    return payload


def map_document(credential: Any, change: Callable[[dict[str, Any]], None]) -> Any:
    """A copy of ``credential`` whose JSON (or JWT payload, re-encoded, old signature kept) was
    changed in place by ``change``."""
    jws = jws_of(credential)
    if jws is None:
        copy = json.loads(json.dumps(credential))
        change(copy)
        return copy
    header, payload, signature = jws.split(".")
    data = read_json(_b64decode(payload), FETCHED_LIMITS)
    change(data["vc"] if isinstance(data.get("vc"), dict) else data)
    encoded = _b64encode(json.dumps(data, separators=(",", ":")).encode())
    return _replace_jws(credential, f"{header}.{encoded}.{signature}")


def _flip(text: str, alphabet: str) -> str:
    """``text`` with one character near the middle replaced by another of ``alphabet``."""
    index = len(text) // 2
    replacement = alphabet[(alphabet.index(text[index]) + 1) % len(alphabet)]
    return text[:index] + replacement + text[index + 1 :]


_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def tamper_claim(credential: Any) -> Any:
    """The first subject's ``id`` changed (no new terms, so only the signature can object)."""

    def change(document: dict[str, Any]) -> None:
        subject = document.get("credentialSubject")
        first = subject[0] if isinstance(subject, list) and subject else subject
        if isinstance(first, dict):
            first["id"] = "urn:uuid:00000000-0000-4000-8000-00000000bad1"
        else:
            document["credentialSubject"] = {"id": "urn:uuid:00000000-0000-4000-8000-00000000bad1"}

    return map_document(credential, change)


def tamper_issuer(credential: Any) -> Any:
    """The issuer replaced by a DID that signed nothing."""

    def change(document: dict[str, Any]) -> None:
        if isinstance(document.get("issuer"), dict):
            document["issuer"]["id"] = OTHER_DID
        else:
            document["issuer"] = OTHER_DID

    return map_document(credential, change)


def tamper_signature(credential: Any) -> Any:
    """One character of the signature changed (JWS signature or every ``proofValue``)."""
    jws = jws_of(credential)
    if jws is not None:
        header, payload, signature = jws.split(".")
        return _replace_jws(credential, f"{header}.{payload}.{_flip(signature, _B64URL)}")

    def change(document: dict[str, Any]) -> None:
        proofs = document.get("proof")
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            if isinstance(proof, dict) and isinstance(proof.get("proofValue"), str):
                value = proof["proofValue"]
                alphabet = _B58 if value.startswith("z") else _B64URL
                proof["proofValue"] = value[0] + _flip(value[1:], alphabet)
            elif isinstance(proof, dict) and isinstance(proof.get("jws"), str):
                head, _, signature = proof["jws"].split(".")
                proof["jws"] = f"{head}..{_flip(signature, _B64URL)}"

    return map_document(credential, change)


TAMPERINGS: dict[str, Callable[[Any], Any]] = {
    "tampered-claim": tamper_claim,
    "tampered-signature": tamper_signature,
    "tampered-issuer": tamper_issuer,
}


# --- local judgments with the vcservice library ----------------------------------------------
def local_verifier(context: SuiteContext) -> Any:
    """vcservice's verifier, wired as every surface wires it (:mod:`vcservice.verifiers`): DIDs
    and status lists through the run's HTTP client (loopback allowed, since implementations
    under test often run on this machine); JSON-LD contexts from the bundle and the run's
    registry (``[settings] contexts``), never fetched."""
    from vcservice import verifiers

    wiring = verifiers.online(
        context.http, allow_http_loopback=True, loader=context.contexts.loader()
    )
    return wiring.verifier()


def report_errors(report: Any, *, ignore: tuple[str, ...] = ("status.",)) -> list[str]:
    """``id: detail`` of each error in a vcservice report, except ids starting with ``ignore``."""
    out = []
    for check in report.errors:
        if check.id.startswith(ignore):
            continue
        detail = check.problem.detail if check.problem is not None else ""
        out.append(f"{check.id}: {detail}"[:300])
    return out


def issuer_format(implementation: Implementation) -> str | None:
    """The format to issue in when any will do: the first declared, else the default."""
    issuer = implementation.issuer
    return issuer.formats[0] if issuer is not None and issuer.formats else None


def with_issuer(credential: dict[str, Any], implementation: Implementation) -> dict[str, Any]:
    """An input whose ``issuer`` names the implementation's DID (when it declares one), or has
    no issuer at all (the issuer fills it in): an issuer signs only as itself."""
    out = dict(credential)
    if "issuer" not in out:
        return out
    did = implementation.issuer.did if implementation.issuer else None
    if did is None:
        del out["issuer"]
    elif isinstance(out["issuer"], dict):
        out["issuer"] = {**out["issuer"], "id": did}
    else:
        out["issuer"] = did
    return out
