"""Acceptance: ``vcservice-conformance run`` against two separate instances of our service
passes every suite (the registry's too: each instance is a home, a witness and an issuer of
credits homed there), and writes the JSON, JUnit and HTML reports (the HTML self-contained)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from conformance.cli import app
from conformance.suites import registry
from tests.conformance.conftest import Instance
from tests.conftest import FIXTURES


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def _platforms(instances: tuple[Instance, Instance], path: Path) -> None:
    lines = ["[settings]", f"fixtures = {json.dumps(str(FIXTURES))}", "timeout = 60", ""]
    for instance in instances:
        entry = instance.entry()
        entry["presentation_verifier"] = {"endpoint": f"{instance.url}/presentations/verify"}
        entry["graph_verifier"] = {"endpoint": f"{instance.url}/graphs/verify"}
        entry["registry"] = {"endpoint": instance.url}
        lines.append("[[implementation]]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in entry.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def test_every_suite_passes_against_two_instances(
    instances: tuple[Instance, Instance], tmp_path: Path
) -> None:
    config = tmp_path / "platforms.toml"
    _platforms(instances, config)
    reports = tmp_path / "reports"
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--report", str(reports)])
    assert result.exit_code == 0, result.output[-4000:]
    report = json.loads((reports / "report.json").read_text())
    assert report["ok"] is True
    assert set(report["suites"]) >= {
        "datamodel", "securing", "untp", "status", "graph", "interop", "registry", "files",
    }  # fmt: skip
    counts = report["counts"]
    assert counts["failed"] == counts["error"] == 0
    ran = [r for r in report["results"] if r["suite"] == "registry"]
    assert {r["outcome"] for r in ran} == {"passed"}  # none skipped: both registries, fully
    assert len(ran) == 2 * len(registry.CHECKS)
    assert counts["passed"] > 500
    junit = ET.parse(reports / "junit.xml").getroot()
    assert int(junit.get("failures", "0")) == int(junit.get("errors", "0")) == 0
    html = (reports / "report.html").read_text()
    assert "<table" in html
    assert "src=" not in html
