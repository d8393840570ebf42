"""The runner and CLI: configuration errors, exit codes, progress output, crash containment.

Everything runs against a fake VC API on ``httpx.MockTransport`` (no sockets).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from conformance import runner
from conformance import suites as registry
from conformance.cli import app
from conformance.config import ConfigError, load_config, parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome, Result, Run

REPO = Path(__file__).resolve().parents[2]
BASE = "http://fake.test"


class FakeApi:
    """A tiny VC API: issues (unsigned) credentials with status entries, keeps status bits,
    verifies by status alone. ``honest=False`` makes the verifier accept everything."""

    def __init__(self, *, honest: bool = True) -> None:
        self.honest = honest
        self.bits: dict[tuple[str, str], bool] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        path = request.url.path
        if path == "/credentials/issue":
            credential = dict(body["credential"])
            credential.setdefault("id", "urn:uuid:00000000-0000-4000-8000-000000000001")
            entries = body["options"].get("credentialStatus") or []
            credential["credentialStatus"] = [
                {"type": "BitstringStatusListEntry", "statusPurpose": e["statusPurpose"]}
                for e in entries
            ]
            return httpx.Response(201, json={"verifiableCredential": credential})
        if path == "/credentials/status":
            for entry in body["credentialStatus"]:
                self.bits[(body["credentialId"], entry["statusPurpose"])] = entry["status"]
            return httpx.Response(200, json=body)
        if path == "/credentials/verify":
            vc = body["verifiableCredential"]
            bad = [p for (cid, p), on in self.bits.items() if on and cid == vc.get("id")]
            if bad and self.honest:
                errors = [{"id": f"status.{p}"} for p in bad]
                return httpx.Response(422, json={"verified": False, "errors": errors})
            return httpx.Response(200, json={"verified": True, "errors": []})
        return httpx.Response(404, json={"title": "not found"})


def fake_config(**extra: Any) -> dict[str, Any]:
    return {
        "implementation": [
            {
                "name": "fake",
                "issuer": {"endpoint": f"{BASE}/credentials/issue", "token": "t"},
                "verifier": f"{BASE}/credentials/verify",
                "status": {"endpoint": f"{BASE}/credentials/status", "token": "t"},
                **extra,
            }
        ]
    }


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "platforms.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- configuration -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "lists no [[implementation]]"),
        ({"implementation": [{}]}, "needs a 'name'"),
        ({"implementation": [{"name": "a", "issuer": {}}]}, "needs 'endpoint'"),
        ({"implementation": [{"name": "a", "verifier": "ftp://x"}]}, "not an http(s) URL"),
        (
            {"implementation": [{"name": "a", "issuer": {"endpoint": "http://x",
                                                          "formats": ["rsa"]}}]},
            "unknown formats",
        ),
        (
            {"implementation": [{"name": "a", "issuer": {"endpoint": "http://x",
                                                          "token_env": "NOPE"}}]},
            "'NOPE' (token_env) is not set",
        ),
        ({"implementation": [{"name": "a"}, {"name": "a"}]}, "must be unique"),
        ({"implementation": [{"name": "a", "data_model": "3"}]}, "data_model"),
        ({"implementation": [{"name": "a"}], "settings": {"timeout": 0}}, "timeout"),
    ],
)  # fmt: skip
def test_unusable_configurations_say_why(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config(data, environ={})


def test_token_env_and_fixtures_are_resolved(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        '[settings]\nfixtures = "fx"\n[[implementation]]\nname = "a"\n'
        'issuer = { endpoint = "http://x/i", token_env = "TOK", formats = ["vc+jwt"] }\n',
    )
    config = load_config(path, environ={"TOK": "secret"})
    issuer = config.implementations[0].issuer
    assert issuer is not None
    assert issuer.headers() == {"Authorization": "Bearer secret"}
    assert config.fixtures == tmp_path / "fx"
    assert "secret" not in json.dumps(config.implementations[0].summary())


def test_unreadable_and_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write_config(tmp_path, "[[implementation]\n"))


def test_the_example_configuration_parses() -> None:
    config = load_config(
        REPO / "conformance" / "platforms.example.toml",
        environ={"VCSERVICE_TOKEN": "a", "OTHER_TOKEN": "b"},
    )
    assert [i.name for i in config.implementations] == ["vcservice", "other-platform"]


# --- runs and exit codes -----------------------------------------------------------------------
def _execute(api: FakeApi, suites: list[str], **kwargs: Any) -> Run:
    config = parse_config(fake_config(), environ={})
    with httpx.Client(transport=httpx.MockTransport(api)) as http:
        return runner.execute(config, suites=suites, http=http, examples=None, **kwargs)


def test_an_honest_implementation_passes_the_status_suite() -> None:
    run = _execute(FakeApi(), ["status"])
    assert [r.outcome for r in run.results] == [Outcome.PASSED] * 5
    assert runner.exit_code(run) == runner.EXIT_OK
    assert run.suites == ["status"]
    assert run.finished


def test_a_verifier_that_ignores_status_fails_the_run() -> None:
    run = _execute(FakeApi(honest=False), ["status"])
    outcomes = {r.check: r.outcome for r in run.results}
    assert outcomes["status.revoke"] == Outcome.FAILED
    assert outcomes["status.suspend"] == Outcome.FAILED
    assert runner.exit_code(run) == runner.EXIT_FAILED


def test_an_unreachable_implementation_is_an_error_not_a_verdict() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    config = parse_config(fake_config(), environ={})
    with httpx.Client(transport=httpx.MockTransport(refuse)) as http:
        run = runner.execute(config, suites=["status"], http=http, examples=None)
    assert run.results[0].outcome == Outcome.ERROR
    assert "ConnectError" in run.results[0].detail
    assert runner.exit_code(run) == runner.EXIT_FAILED


def test_unknown_suite_and_implementation_are_config_errors(tmp_path: Path) -> None:
    config = parse_config(fake_config(), environ={})
    with pytest.raises(ConfigError, match="unknown suite"):
        runner.execute(config, suites=["nope"])
    with pytest.raises(ConfigError, match="no implementation named ghost"):
        runner.execute(config, implementations=["ghost"])
    path = write_config(tmp_path, '[[implementation]]\nname = "a"\n')
    console = Console(file=io.StringIO())
    assert runner.run_from_config(path, suites=["nope"], console=console) == runner.EXIT_CONFIG
    code = runner.run_from_config(path, implementations=["ghost"], console=console)
    assert code == runner.EXIT_CONFIG


def test_a_crashing_suite_is_an_error_result_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crashing(context: SuiteContext) -> Iterator[Result]:
        yield Result("boom.first", "boom", Outcome.PASSED, "fake")
        raise RuntimeError("kaput")

    real_get = registry.get
    monkeypatch.setattr(registry, "available", lambda: ["boom", "status"])
    monkeypatch.setattr(registry, "get", lambda n: crashing if n == "boom" else real_get(n))
    run = _execute(FakeApi(), ["boom", "status"])
    assert [(r.check, r.outcome) for r in run.results[:2]] == [
        ("boom.first", Outcome.PASSED),
        ("boom.crashed", Outcome.ERROR),
    ]
    assert "RuntimeError: kaput" in run.results[1].detail
    assert len(run.results) == 7  # status still ran


def test_the_implementation_filter() -> None:
    data = fake_config()
    data["implementation"].append({**data["implementation"][0], "name": "other"})
    config = parse_config(data, environ={})
    with httpx.Client(transport=httpx.MockTransport(FakeApi())) as http:
        run = runner.execute(
            config, suites=["status"], implementations=["other"], http=http, examples=None
        )
    assert {r.implementation for r in run.results} == {"other"}
    assert [i["name"] for i in run.implementations] == ["other"]


# --- progress ----------------------------------------------------------------------------------
def test_plain_progress_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = runner.make_progress(Console(file=out))
    assert isinstance(progress, runner.PlainProgress)
    run = _execute(FakeApi(honest=False), ["status"], progress=progress)
    lines = out.getvalue().splitlines()
    assert lines[0] == "== suite status"
    assert "PASS status.issue-with-entry [fake]" in lines
    assert any(line.startswith("FAIL status.revoke [fake] revoked: HTTP 200") for line in lines)
    assert lines[-1] == "== 3 passed, 2 failed, 0 skipped, 0 error"
    assert run.counts()["failed"] == 2


def test_live_progress_on_a_terminal_shows_counts_and_failures() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    progress = runner.make_progress(console)
    assert isinstance(progress, runner.LiveProgress)
    _execute(FakeApi(honest=False), ["status"], progress=progress)
    text = out.getvalue()
    assert "FAIL status.revoke [fake]" in text
    assert "3 passed, 2 failed, 0 skipped, 0 error" in text


def test_finish_writes_and_names_the_three_reports(tmp_path: Path) -> None:
    # conformance.report is imported directly: a broken report module fails the import, it
    # no longer silently writes nothing.
    out = io.StringIO()
    console = Console(file=out, width=200)
    assert runner.finish(Run(started="now"), tmp_path / "r", console) == runner.EXIT_OK
    names = ("report.json", "junit.xml", "report.html")
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == sorted(names)
    assert [line for line in out.getvalue().splitlines() if line.startswith("report: ")] == [
        f"report: {tmp_path / 'r' / name}" for name in names
    ]


# --- CLI ---------------------------------------------------------------------------------------
def test_cli_files_passes_on_the_example_chain() -> None:
    chain = REPO / "examples" / "copper"
    paths = [str(chain / n) for n in ("make-cathode.json", "dpp-cathode-cu80.json")]
    result = CliRunner().invoke(app, ["files", *paths])
    assert result.exit_code == 0, result.output
    assert "PASS files.signature" in result.output
    assert "PASS files.links" in result.output  # the DPP links to the make event


def test_cli_files_fails_on_a_tampered_file(tmp_path: Path) -> None:
    document = json.loads((REPO / "examples/copper/make-cathode.json").read_text())
    header, payload, signature = document["id"].partition(",")[2].split(".")
    document["id"] = f"data:application/vc+jwt,{header}.{payload}.{signature[::-1]}"
    path = tmp_path / "make-cathode.json"
    path.write_text(json.dumps(document))
    (tmp_path / "dids").mkdir()
    for did in (REPO / "examples/copper/dids").glob("*.json"):
        (tmp_path / "dids" / did.name).write_text(did.read_text())
    result = CliRunner().invoke(app, ["files", str(path)])
    assert result.exit_code == 1, result.output
    assert "FAIL files.signature" in result.output


def test_cli_exit_codes_for_bad_input(tmp_path: Path) -> None:
    cli = CliRunner()
    assert cli.invoke(app, ["run", "--config", str(tmp_path / "none.toml")]).exit_code == 2
    assert cli.invoke(app, ["files", str(tmp_path / "none.json")]).exit_code == 2
    listed = cli.invoke(app, ["suites"])
    assert {"datamodel", "securing", "untp", "status", "graph", "files"} <= set(
        listed.output.split()
    )
