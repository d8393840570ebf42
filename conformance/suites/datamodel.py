"""``datamodel``: valid and invalid VC 2.0 inputs to issuers and verifiers.

Inputs are the W3C VC-DM 2.0 test-suite inputs (``<fixtures>/w3c/suite-fixtures/
vc-data-model-2.0-test-suite/input/``, when configured) and ours (``conformance/fixtures/
datamodel/``). The file name says what is expected: ``*-ok.json`` valid, ``*-fail.json``
invalid, ``*-fail-or-inject.json`` invalid unless the issuer injects what is missing.

Where each input goes:

* an unsigned credential → the issuer: ``-ok`` must be issued, and what comes back must verify
  with vcservice's verifier (signature, issuer binding, data model; not the validity period:
  far-future and expired inputs are valid data); ``-fail`` must be refused
  (HTTP 4xx); ``-fail-or-inject`` either refused or issued as a valid credential. An input's
  ``issuer`` is replaced with the implementation's declared DID (or removed, so the issuer fills
  it in), except in inputs about the issuer that are expected to fail;
* a signed credential → the verifier: ``-fail`` must be refused. A ``-ok`` one is skipped: the
  suite's proofs are placeholders no verifier can check;
* a presentation → the presentation verifier: ``-fail`` must be refused; ``-ok`` is skipped (the
  inputs are unsigned, and a verifier may rightly refuse an unsigned presentation).

Check ids: ``datamodel.w3c.<file stem>`` and ``datamodel.own.<file stem>``. Implementations
with ``data_model = "1.1"`` are skipped (these are VC 2.0 checks).

Then, per implementation, ``datamodel.contexts-resolvable``: every JSON-LD context named by the
credentials it issued here resolves offline, from vcservice's bundled contexts or the run's
registry (``[settings] contexts``); fails naming each context that does not (and the input
whose credential named it). Nothing is fetched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Result
from conformance.suites._common import (
    Check,
    Verdict,
    describe,
    excerpt,
    failed,
    issuer_format,
    judge,
    local_verifier,
    passed,
    report_errors,
    skipped,
    with_issuer,
)
from conformance.suites._contexts import contexts_verdict

#: The W3C suite's placeholders, replaced as its own harness does (a year either side of now).
PLACEHOLDERS = {"PAST DATE": -365, "FUTURE DATE": 365}
W3C_INPUTS = Path("w3c/suite-fixtures/vc-data-model-2.0-test-suite/input")
CONTEXTS = Check(
    "datamodel.contexts-resolvable",
    "Issued credentials name only contexts resolvable offline",
    ("datamodel", "contexts"),
)
OWN_INPUTS = Path(__file__).resolve().parent.parent / "fixtures" / "datamodel"


def expectation(stem: str) -> str | None:
    """``ok``, ``fail``, ``fail-or-inject``, or None when the name says nothing."""
    for suffix in ("fail-or-inject", "ok", "fail"):
        if stem.endswith("-" + suffix):
            return suffix
    return None


def inputs(context: SuiteContext) -> tuple[list[tuple[str, Path]], str | None]:
    """(source, path) of every input, and why the W3C ones are missing (None if present)."""
    found = [("own", p) for p in sorted(OWN_INPUTS.glob("*.json"))]
    if context.fixtures is None:
        return found, "no fixtures directory configured (settings.fixtures)"
    directory = context.fixtures / W3C_INPUTS
    if not directory.is_dir():
        return found, f"W3C VC-DM 2.0 inputs not found at {directory}"
    return [("w3c", p) for p in sorted(directory.glob("*.json"))] + found, None


def fill_placeholders(value: Any, now: datetime | None = None) -> Any:
    """``"PAST DATE"`` / ``"FUTURE DATE"`` replaced by dates a year before / after ``now``."""
    now = now or datetime.now(UTC)
    if isinstance(value, str) and value in PLACEHOLDERS:
        when = now.replace(microsecond=0) + timedelta(days=PLACEHOLDERS[value])
        return when.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: fill_placeholders(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_placeholders(v, now) for v in value]
    return value


def _role(document: Any) -> str:
    types = document.get("type") if isinstance(document, dict) else None
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if "VerifiablePresentation" in names:
        return "presentation-verifier"
    if isinstance(document, dict) and "proof" in document:
        return "verifier"
    return "issuer"


def run(context: SuiteContext) -> Iterator[Result]:
    issued: dict[str, list[tuple[str, Any]]] = {i.name: [] for i in context.implementations}
    yield from _inputs(context, issued)
    for implementation in context.implementations:
        work = partial(_contexts, context, implementation, issued[implementation.name])
        yield judge(CONTEXTS, implementation.name, work)


def _contexts(
    context: SuiteContext, implementation: Implementation, issued: list[tuple[str, Any]]
) -> Verdict:
    if implementation.issuer is None:
        return skipped("no issuer endpoint")
    return contexts_verdict(context.contexts, issued, "the implementation issued nothing here")


def _inputs(context: SuiteContext, issued: dict[str, list[tuple[str, Any]]]) -> Iterator[Result]:
    files, missing = inputs(context)
    if missing is not None:
        check = Check("datamodel.w3c", "W3C VC-DM 2.0 test-suite inputs", ("datamodel", "w3c"))
        for implementation in context.implementations:
            yield judge(check, implementation.name, partial(skipped, missing))
    for source, path in files:
        try:
            document = fill_placeholders(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            check = Check(f"datamodel.{source}.{path.stem}", path.name, ("datamodel", source))
            for implementation in context.implementations:
                yield judge(check, implementation.name, partial(skipped, f"unreadable: {exc}"))
            continue
        expected = expectation(path.stem)
        role = _role(document)
        tags = ["datamodel", source, role]
        if expected in ("fail", "fail-or-inject"):
            tags.append("negative")
        check = Check(f"datamodel.{source}.{path.stem}", _title(path.stem, role), tuple(tags))
        for implementation in context.implementations:
            work = partial(_judge, context, implementation, document, role, expected, path.stem,
                           issued[implementation.name])  # fmt: skip
            yield judge(check, implementation.name, work)


def _title(stem: str, role: str) -> str:
    to = {"issuer": "issuer", "verifier": "verifier", "presentation-verifier": "VP verifier"}
    return f"{stem.replace('-', ' ')} → {to[role]}"


def _judge(
    context: SuiteContext,
    implementation: Implementation,
    document: dict[str, Any],
    role: str,
    expected: str | None,
    stem: str,
    issued: list[tuple[str, Any]],
) -> Verdict:
    if implementation.data_model != "2.0":
        return skipped("the implementation speaks VC 1.1 only; these are VC 2.0 inputs")
    if expected is None:
        return skipped("the input's name states no expected outcome (-ok / -fail)")
    client = context.client(implementation)
    if role == "presentation-verifier":
        if implementation.presentation_verifier is None:
            return skipped("no presentation_verifier endpoint")
        if expected == "ok":
            return skipped("an unsigned presentation may rightly be refused; nothing to judge")
        answer = client.verify_presentation(document)
        if answer.verified:
            return failed(f"an invalid presentation was accepted: {describe(answer)}")
        return passed(f"refused: {describe(answer)}")
    if role == "verifier":
        if implementation.verifier is None:
            return skipped("no verifier endpoint")
        if expected == "ok":
            return skipped("the input's proof is a placeholder that no verifier can check")
        answer = client.verify(document)
        if answer.verified:
            return failed(f"an invalid credential was accepted: {describe(answer)}")
        return passed(
            f"refused: {describe(answer)} (its proof is a placeholder too, so a refusal for "
            "the signature alone also passes)"
        )
    if implementation.issuer is None:
        return skipped("no issuer endpoint")
    about_issuer = "issuer" in stem and expected != "ok"
    credential = document if about_issuer else with_issuer(document, implementation)
    answer = client.issue(credential, fmt=issuer_format(implementation))
    evidence = {"input": excerpt(credential), "status": answer.status}
    if not 200 <= answer.status < 300:
        if expected == "ok":
            return failed(
                f"a valid credential was refused: HTTP {answer.status} {excerpt(answer.body, 300)}",
                **evidence,
            )
        return passed(f"refused with HTTP {answer.status}", **evidence)
    body = answer.body if isinstance(answer.body, dict) else {}
    output = body.get("verifiableCredential")
    if output is not None:
        issued.append((stem, output))
    if expected == "fail":
        return failed(
            f"an invalid credential was issued (HTTP {answer.status})",
            **evidence,
            output=excerpt(output),
        )
    report = local_verifier(context).verify_credential(output)
    errors = report_errors(report, ignore=("status.", "validity."))
    if errors:
        return failed(
            "issued, but what came back does not verify locally: " + "; ".join(errors[:5]),
            **evidence,
            output=excerpt(output),
        )
    how = "issued" if expected == "ok" else "issued with what was missing injected"
    return passed(f"{how}; the output verifies locally (validity period aside)")
