"""``junit.xml``: the run as JUnit XML, for CI systems.

One ``<testsuite>`` per suite, one ``<testcase>`` per result: ``classname`` is
``<suite>.<implementation>`` (or ``<suite>.<issuer>→<verifier>`` for an interop cell), ``name``
the check id, ``time`` its seconds. A failed check has ``<failure>``, one that could not run
``<error>``, a skipped one ``<skipped>``, each carrying the detail; title, tags and evidence go
to ``<system-out>``. Every string is made XML 1.0-safe (control characters become visible
escapes) and secrets are redacted.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.model import Outcome, Result, Run
from conformance.report._common import counts, redact, safe_text, subject, suite_order

_MESSAGE_LIMIT = 200
_LINES = re.compile(r"\r\n|\r|\n")


def _message(result: Result) -> str:
    # Lines end at CR / LF only: str.splitlines() also splits at VT, FF and others.
    first = _LINES.split(result.detail.strip())[0] or result.title or result.outcome.value
    return first if len(first) <= _MESSAGE_LIMIT else first[: _MESSAGE_LIMIT - 1] + "…"


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: safe_text(redact(v)) for k, v in attrs.items()})
    if text:
        element.text = safe_text(redact(text))
    return element


def _system_out(result: Result) -> str:
    lines = []
    if result.title:
        lines.append(f"title: {result.title}")
    if result.tags:
        lines.append(f"tags: {', '.join(result.tags)}")
    if result.evidence:
        evidence = json.dumps(redact(result.evidence), indent=2, ensure_ascii=False, default=str)
        lines.append(f"evidence: {evidence}")
    return "\n".join(lines)


def _testcase(parent: ET.Element, result: Result) -> None:
    case = _element(parent, "testcase", classname=f"{result.suite}.{subject(result)}",
                    name=result.check, time=f"{result.seconds:.3f}")  # fmt: skip
    if result.outcome is Outcome.FAILED:
        _element(case, "failure", result.detail, message=_message(result), type="failed")
    elif result.outcome is Outcome.ERROR:
        _element(case, "error", result.detail, message=_message(result), type="error")
    elif result.outcome is Outcome.SKIPPED:
        _element(case, "skipped", result.detail or None, message=_message(result))
    out = _system_out(result)
    if out:
        _element(case, "system-out", out)


def _totals(element: ET.Element, results: list[Result]) -> None:
    tally = counts(results)
    element.set("tests", str(len(results)))
    element.set("failures", str(tally[Outcome.FAILED]))
    element.set("errors", str(tally[Outcome.ERROR]))
    element.set("skipped", str(tally[Outcome.SKIPPED]))
    element.set("time", f"{sum(r.seconds for r in results):.3f}")


def build_junit(run: Run) -> ET.Element:
    root = ET.Element("testsuites", {"name": "conformance"})
    _totals(root, run.results)
    for index, suite in enumerate(suite_order(run)):
        results = [r for r in run.results if r.suite == suite]
        element = _element(root, "testsuite", name=suite, id=str(index))
        _totals(element, results)
        if run.started:
            element.set("timestamp", safe_text(run.started))
        if run.versions:
            properties = _element(element, "properties")
            for name, version in run.versions.items():
                _element(properties, "property", name=f"version.{name}", value=version)
        for result in results:
            _testcase(element, result)
    return root


def render_junit(run: Run) -> str:
    root = build_junit(run)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_junit(run: Run, path: Path) -> Path:
    path.write_text(render_junit(run), encoding="utf-8")
    return path
