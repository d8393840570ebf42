"""``conformance-credential.json``: the run's results as a signed UNTP 0.7.0 conformity credential.

``vcservice-conformance run ... --report DIR --sign-with KEYFILE`` writes it beside
``report.json``, ``junit.xml`` and ``report.html``: a W3C VC 2.0 ``DigitalConformityCredential``
(UNTP 0.7.0 DCC, valid against its bundled schema with formats asserted) issued by the harness
operator's key and secured as **vc+jwt** (an ``EnvelopedVerifiableCredential``, what
``vcservice issue --format vc+jwt`` prints), so ``vcservice verify`` verifies it. vc+jwt because
the UNTP VC profile makes the JOSE enveloping proof the one every conformant implementation MUST
implement (so every UNTP verifier reads it), and because it signs with every key type
``vcservice keys generate`` makes (Ed25519, P-256, P-384; ``eddsa-rdfc-2022`` takes Ed25519 only).

The credential subject is a ``ConformityAttestation`` (``attestationType`` ``testing``) under the
scheme :data:`SCHEME_ID`, profile = the harness version:

* ``auditableEvidence``: a link to ``report.json`` with the ``digestMultibase`` of its exact bytes
  (:func:`vcservice.links.digest_bytes`), so the credential binds the whole report: a report
  changed by one byte no longer matches (:func:`report_matches`);
* ``profileScore``: ``conformant`` when the run is ok (nothing failed, nothing in error),
  else ``not-conformant``, with the counts;
* ``conformityAssessment``: first the whole run (one criterion per suite; the counts; every
  implementation as an ``assessedProduct``), then one per implementation (or interop
  ``issuer→verifier`` cell) and suite: its checks as ``assessmentCriteria`` (id
  ``SCHEME_ID/checks/<check id>``), the passed / failed / skipped / error counts as
  ``assessedPerformance``, the ids that failed or could not run in ``description``, and
  ``conformance``: true when something passed and nothing failed or was in error, false when
  something failed or was in error, absent when every check was skipped (nothing was assessed).

Everything is read from ``report.json`` itself (parsed from the bytes that are hashed), so the
summary and the digest describe the same document. Strings are made safe as in the other
reports (no control characters, no lone surrogates); the report is already redacted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from conformance.report._common import safe_text
from vcservice.errors import ConformanceCredentialError

CREDENTIAL_NAME = "conformance-credential.json"
#: vc+jwt: the securing every UNTP implementation must implement; every key type can sign it.
CREDENTIAL_FORMAT = "vc+jwt"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
UNTP_CONTEXT = "https://vocabulary.uncefact.org/untp/0.7.0/context/"
#: The project's identifier namespace (as for its problem types, ``https://vcservice.dev/problems/``).
VENDOR_ID = "https://vcservice.dev"
VENDOR_NAME = "vcservice contributors"
SCHEME_ID = f"{VENDOR_ID}/conformance"
SCHEME_NAME = "vcservice conformance harness (W3C VC 2.0, VC API, UNTP 0.7.0, provenance graphs)"
HARNESS = "vcservice-conformance"
#: The UNTP conformity topic these tests are about (vocabulary.uncefact.org/conformity-topics).
TOPIC = {
    "type": ["ConformityTopic"],
    "id": "https://vocabulary.uncefact.org/conformity-topics/standards-adherence",
    "name": "Standards Adherence",
}
#: UN/ECE Recommendation 20 "one": a count of checks.
COUNT_UNIT = "C62"
OUTCOMES = ("passed", "failed", "skipped", "error")
METRIC_NAMES = {
    "passed": "checks passed",
    "failed": "checks failed",
    "skipped": "checks skipped (not applicable)",
    "error": "checks that could not run (error)",
}
DEFAULT_OPERATOR = "Conformance harness operator"


#: What callers catch (the CLI): the class lives in the one exceptions module.
CredentialError = ConformanceCredentialError


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: Any) -> str:
    return safe_text(value if isinstance(value, str) else str(value))


def _counts(results: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    out = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        outcome = result.get("outcome")
        if outcome in out:
            out[outcome] += 1
    return out


def _tally(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)


def _performance(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "metric": {
                "type": ["PerformanceMetric"],
                "id": f"{SCHEME_ID}/metrics/{outcome}",
                "name": METRIC_NAMES[outcome],
            },
            "measure": {"value": counts[outcome], "unit": COUNT_UNIT},
        }
        for outcome in OUTCOMES
    ]


def _conformance(counts: Mapping[str, int]) -> bool | None:
    if counts["failed"] or counts["error"]:
        return False
    return True if counts["passed"] else None


def _subject(result: Mapping[str, Any]) -> str:
    issuer, verifier = result.get("issuer"), result.get("verifier")
    if isinstance(issuer, str) and isinstance(verifier, str):
        return f"{issuer}→{verifier}"
    return str(result.get("implementation", "-"))


def _names(result: Mapping[str, Any]) -> list[str]:
    """The implementations a result is about: the issuer and the verifier of an interop cell."""
    issuer, verifier = result.get("issuer"), result.get("verifier")
    if isinstance(issuer, str) and isinstance(verifier, str):
        return list(dict.fromkeys((issuer, verifier)))
    return [str(result.get("implementation", "-"))]


def _date(value: Any, fallback: datetime) -> str:
    try:
        return datetime.fromisoformat(str(value)).date().isoformat()
    except ValueError:
        return fallback.date().isoformat()


class _Ids:
    """URIs for the run's parts: uuid5 under the subject's uuid, so they are unique per
    credential and never depend on what characters a name or check id holds."""

    def __init__(self, base: uuid.UUID) -> None:
        self._base = base

    def __call__(self, *parts: str) -> str:
        return f"urn:uuid:{uuid.uuid5(self._base, chr(0).join(parts))}"


def _product(name: str, endpoints: Mapping[str, str], ids: _Ids) -> dict[str, Any]:
    return {
        "product": {
            "type": ["Product"],
            "id": endpoints.get(name) or ids("implementation", name),
            "name": _text(name),
        },
        "idVerifiedByCAB": False,
    }


def _endpoints(report: Mapping[str, Any]) -> dict[str, str]:
    """Implementation name → its first configured endpoint URL (what identifies it)."""
    out: dict[str, str] = {}
    for summary in report.get("implementations") or []:
        if not isinstance(summary, dict) or not isinstance(summary.get("name"), str):
            continue
        for value in summary.values():
            url = value.get("endpoint") if isinstance(value, dict) else None
            if isinstance(url, str) and urlsplit(url).scheme in ("http", "https"):
                out.setdefault(_text(summary["name"]), _text(url))
                break
    return out


def conformance_credential(
    report_bytes: bytes,
    *,
    issuer: str,
    operator: str = DEFAULT_OPERATOR,
    report_url: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned credential for the ``report.json`` whose exact bytes are ``report_bytes``,
    issued by ``issuer`` (a DID) named ``operator``; ``report_url`` is where the report is
    published (an absolute URL). CredentialError if the bytes are not a report."""
    from vcservice.links import digest_bytes

    try:
        report = json.loads(report_bytes)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CredentialError(f"report.json is not JSON: {exc}") from None
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        raise CredentialError("report.json holds no 'results' list")
    results = [r for r in report["results"] if isinstance(r, dict)]
    when = (now or _now()).astimezone(UTC).replace(microsecond=0)
    subject_uuid = uuid.uuid4()
    ids = _Ids(subject_uuid)
    endpoints = _endpoints(report)
    versions = report.get("versions")
    version = _text(
        versions.get("vcservice", "unknown") if isinstance(versions, dict) else "unknown"
    )
    started, finished = _text(report.get("started", "")), _text(report.get("finished", ""))
    assessed_on = _date(report.get("finished") or report.get("started"), when)

    suites = [_text(s) for s in report.get("suites") or [] if isinstance(s, str)]
    for result in results:
        suite = _text(result.get("suite", "-"))
        if suite not in suites:
            suites.append(suite)
    implementations = [
        _text(s["name"])
        for s in report.get("implementations") or []
        if isinstance(s, dict) and isinstance(s.get("name"), str)
    ]
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for result in results:
        for name in _names(result):
            if name not in implementations:
                implementations.append(_text(name))
        groups.setdefault((_text(_subject(result)), _text(result.get("suite", "-"))), []).append(
            result
        )

    total = _counts(results)
    ok = not (total["failed"] or total["error"])
    summary = (
        f"{HARNESS} {version} ran the suites {', '.join(suites) or '(none)'} over "
        f"{', '.join(implementations) or '(no implementation)'} from {started} to {finished}: "
        f"{_tally(total)}. The full report (report.json) is bound by "
        "auditableEvidence.digestMultibase."
    )
    overall: dict[str, Any] = {
        "type": ["ConformityAssessment"],
        "id": ids("run"),
        "name": "The whole run",
        "description": summary,
        "assessmentCriteria": [
            {
                "type": ["Criterion"],
                "id": f"{SCHEME_ID}/suites/{quote(s, safe='')}",
                "name": f"the {s} suite",
            }
            for s in suites
        ],
        "assessmentDate": assessed_on,
        "assessedPerformance": _performance(total),
        "assessedProduct": [_product(n, endpoints, ids) for n in implementations],
        "conformityTopic": [TOPIC],
    }
    if (verdict := _conformance(total)) is not None:
        overall["conformance"] = verdict
    assessments = [overall]
    for (who, suite), members in groups.items():
        tally = _counts(members)
        criteria: dict[str, str] = {}
        for member in members:
            check = _text(member.get("check", "-"))
            criteria.setdefault(check, _text(member.get("title") or check))
        failed = [_text(r.get("check", "-")) for r in members if r.get("outcome") == "failed"]
        errors = [_text(r.get("check", "-")) for r in members if r.get("outcome") == "error"]
        description = f"{suite} suite, {who}: {_tally(tally)}."
        if failed:
            description += f" Failed: {', '.join(dict.fromkeys(failed))}."
        if errors:
            description += f" Could not run: {', '.join(dict.fromkeys(errors))}."
        assessment: dict[str, Any] = {
            "type": ["ConformityAssessment"],
            "id": ids("assessment", who, suite),
            "name": f"{suite}: {who}",
            "description": description,
            "assessmentCriteria": [
                {
                    "type": ["Criterion"],
                    "id": f"{SCHEME_ID}/checks/{quote(check, safe='')}",
                    "name": name,
                }
                for check, name in criteria.items()
            ],
            "assessmentDate": assessed_on,
            "assessedPerformance": _performance(tally),
            "assessedProduct": [_product(_text(n), endpoints, ids) for n in _names(members[0])],
            "conformityTopic": [TOPIC],
        }
        if (verdict := _conformance(tally)) is not None:
            assessment["conformance"] = verdict
        assessments.append(assessment)

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@context": [VC_CONTEXT, UNTP_CONTEXT],
        "type": ["DigitalConformityCredential", "VerifiableCredential"],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "issuer": {"type": ["CredentialIssuer"], "id": issuer, "name": _text(operator)},
        "validFrom": stamp,
        "name": f"{HARNESS} {version} conformance results ({finished or stamp})",
        "issuingSoftware": {
            "id": SCHEME_ID,
            "name": HARNESS,
            "version": version,
            "vendor": {"id": VENDOR_ID, "name": VENDOR_NAME},
        },
        "credentialSubject": {
            "type": ["ConformityAttestation"],
            "id": f"urn:uuid:{subject_uuid}",
            "name": f"Conformance test results: {', '.join(implementations) or '(none)'}",
            "description": summary,
            # The harness cannot know how its operator relates to what it tested.
            "assessorLevel": "unspecified",
            "assessmentLevel": "no-endorsement",
            "attestationType": "testing",
            "issuedToParty": {
                "type": ["Party"],
                "id": issuer,
                "name": _text(operator),
                "description": "The operator of the conformance run (each implementation "
                "tested is an assessedProduct of the assessments).",
            },
            "referenceScheme": {"type": ["ConformityScheme"], "id": SCHEME_ID, "name": SCHEME_NAME},
            "referenceProfile": {
                "type": ["ConformityProfile"],
                "id": f"{SCHEME_ID}/{quote(version, safe='')}",
                "name": f"{HARNESS} {version}",
            },
            "profileScore": {
                "code": "conformant" if ok else "not-conformant",
                "definition": _tally(total),
            },
            "auditableEvidence": {
                "linkURL": report_url,
                "linkName": "Conformance report (report.json)",
                "digestMultibase": digest_bytes(report_bytes),
                "mediaType": "application/json",
            },
            "conformityAssessment": assessments,
        },
    }


def schema_failures(credential: Mapping[str, Any]) -> list[str]:
    """Where ``credential`` breaks the bundled UNTP 0.7.0 DCC schema, formats asserted by the
    package's one format checker: ``pointer: message`` lines, empty when it is valid."""
    from vcservice.untp import schema_failures as failures
    from vcservice.untp import schema_for_type

    found = schema_for_type("DigitalConformityCredential")
    if found is None:  # pragma: no cover - the DCC schema is bundled
        raise CredentialError("the UNTP DigitalConformityCredential schema is not bundled")
    return [f"{f.pointer or '/'}: {f.message}" for f in failures(credential, found[1])]


def report_matches(credential: Mapping[str, Any], report_bytes: bytes) -> bool:
    """Whether ``report_bytes`` are, byte for byte, the report the (decoded) credential binds."""
    from vcservice.errors import DigestError
    from vcservice.links import parse_digest_multibase

    subject = credential.get("credentialSubject")
    evidence = subject.get("auditableEvidence") if isinstance(subject, dict) else None
    value = evidence.get("digestMultibase") if isinstance(evidence, dict) else None
    if not isinstance(value, str):
        return False
    try:
        return parse_digest_multibase(value).matches(report_bytes)
    except DigestError:
        return False


def report_url_of(path: Path, report_url: str | None) -> str:
    """The URL the credential links the report by: ``report_url`` if given, else the
    report's ``file:`` URL."""
    return report_url if report_url else path.resolve().as_uri()


def write_credential(
    directory: Path,
    signer: Any,
    *,
    operator: str = DEFAULT_OPERATOR,
    report_url: str | None = None,
    clock: Callable[[], datetime] = _now,
) -> Path:
    """Sign the credential for ``directory/report.json`` with ``signer`` (a
    :class:`vcservice.keys.Signer`) and write it to ``directory/conformance-credential.json``;
    its path. CredentialError when it cannot be made; OSError when a file cannot be read or
    written."""
    from vcservice.errors import VCServiceError
    from vcservice.issuing import CredentialRejectedError, issue_credential
    from vcservice.jsonld import bundled_loader

    report_path = directory / "report.json"
    report_bytes = report_path.read_bytes()
    credential = conformance_credential(
        report_bytes,
        issuer=signer.controller,
        operator=operator,
        report_url=report_url_of(report_path, report_url),
        now=clock(),
    )
    problems = schema_failures(credential)
    if problems:
        raise CredentialError("not a valid UNTP DCC: " + "; ".join(problems[:5]))
    try:
        secured = issue_credential(
            credential, signer, CREDENTIAL_FORMAT, loader=bundled_loader(), clock=clock
        )
    except CredentialRejectedError as exc:
        ids = ", ".join(f"{c.id}: {c.problem.detail if c.problem else ''}"
                        for c in exc.report.errors[:5])  # fmt: skip
        hint = ""
        if "larger than the limit" in ids:
            assessments = credential["credentialSubject"]["conformityAssessment"]
            criteria = sum(len(a["assessmentCriteria"]) for a in assessments[1:])
            hint = f" ({criteria} criteria: sign a smaller run, with --suite or --implementation)"
        raise CredentialError(f"the credential was refused: {ids}{hint}") from None
    except VCServiceError as exc:
        raise CredentialError(exc.detail) from None
    path = directory / CREDENTIAL_NAME
    path.write_text(json.dumps(secured, indent=2) + "\n", encoding="utf-8")
    return path
