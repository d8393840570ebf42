"""The conformance reports: JSON, JUnit XML and the self-contained HTML page."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.model import Outcome, Result, Run
from conformance.report import write_reports
from conformance.report._common import cell_status, matrix_summary, redact, safe_text
from conformance.report.html import render_html
from conformance.report.json_report import render_json
from conformance.report.junit import render_junit

EVIL = 'gamma"><script>alert(1)</script>'
SCRIPT = "<script>alert('pwned')</script>"
CONTROLS = "bell\x07 nul\x00 esc\x1b[31m vt\x0b ff\x0c del\x7f lone\ud800 nonchar\ufffe"
SECRET = "s3cret-bearer-token-value"
REMOTE_IMG = '<img src="https://evil.example/x.png">'


def _impl(name: str, port: int, *, issuer: bool = True, verifier: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "dataModel": "2.0"}
    if issuer:
        out["issuer"] = {
            "endpoint": f"http://127.0.0.1:{port}/credentials/issue",
            "formats": ["vc+jwt", "eddsa-rdfc-2022"],
            "did": "did:web:example.com",
        }
    if verifier:
        out["verifier"] = {"endpoint": f"http://127.0.0.1:{port}/credentials/verify"}
    return out


def _cell(issuer: str, verifier: str, check: str, outcome: Outcome, detail: str = "") -> Result:
    title = f"{issuer} issues, {verifier} verifies"
    return Result(check=check, suite="interop", outcome=outcome, implementation=verifier,
                  title=title, detail=detail, tags=("interop", "vc+jwt"), issuer=issuer,
                  verifier=verifier, seconds=0.2)  # fmt: skip


def make_run() -> Run:
    alpha, beta = "alpha", "beta"
    implementations = [_impl(alpha, 8001), _impl(beta, 8002), _impl(EVIL, 8003)]
    implementations[1]["token"] = SECRET  # a summary must never carry one; redacted if it does
    results = [
        Result("securing.vc-jwt.round-trip", "securing", Outcome.PASSED, alpha,
               title="Issue then verify", tags=("vc+jwt",), seconds=0.12,
               evidence={"credential": {"id": "urn:uuid:1"}}),
        Result("securing.vc-jwt.tampered-signature", "securing", Outcome.FAILED, alpha,
               title="A tampered signature is rejected", detail=f"accepted it {SCRIPT}",
               tags=("vc+jwt", "negative", "<b>tag</b>"), seconds=0.3,
               evidence={"request": {"headers": {"Authorization": f"Bearer {SECRET}"}},
                         "response": {"status": 200, "body": REMOTE_IMG}}),
        Result("securing.di.eddsa-rdfc-2022", "securing", Outcome.SKIPPED, beta,
               title="Data Integrity eddsa-rdfc-2022", detail="beta does not declare it"),
        Result("securing.vc-jwt.round-trip", "securing", Outcome.ERROR, beta,
               title="Issue then verify", detail=f"HTTP 500: {CONTROLS} ]]> &amp;", seconds=1.5),
        Result(f"securing.{SCRIPT}", "securing", Outcome.PASSED, EVIL,
               title=f'<a href="https://evil.example/">{SCRIPT}</a>', tags=(SCRIPT,)),
        Result("status.bitstring.revoked", "status", Outcome.PASSED, alpha,
               tags=("status",)),
        # Interop: alpha→beta is red, beta→EVIL an error, EVIL→alpha not applicable,
        # EVIL→EVIL has no result at all.
        _cell(alpha, alpha, "interop.vc-jwt", Outcome.PASSED),
        _cell(alpha, beta, "interop.vc-jwt", Outcome.FAILED, "beta rejected alpha's credential"),
        _cell(alpha, beta, "interop.eddsa-rdfc-2022", Outcome.PASSED),
        _cell(alpha, EVIL, "interop.vc-jwt", Outcome.PASSED),
        _cell(beta, alpha, "interop.vc-jwt", Outcome.PASSED),
        _cell(beta, beta, "interop.vc-jwt", Outcome.PASSED),
        _cell(beta, EVIL, "interop.vc-jwt", Outcome.ERROR, f"connection refused {SCRIPT}"),
        _cell(EVIL, alpha, "interop.vc-jwt", Outcome.SKIPPED, "no common format"),
        _cell(EVIL, beta, "interop.vc-jwt", Outcome.PASSED),
    ]  # fmt: skip
    return Run(
        started="2025-01-02T03:04:05+00:00",
        finished="2025-01-02T03:04:17+00:00",
        implementations=implementations,
        suites=["securing", "status", "interop"],
        results=results,
        versions={"python": "3.11.7", "vcservice": "0.1.0", "evil": SCRIPT},
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("reports") / "nested" / "out"
    paths = write_reports(make_run(), directory)
    return {path.name: path for path in paths}


def test_write_reports_writes_three_files(reports: dict[str, Path]) -> None:
    assert sorted(reports) == ["junit.xml", "report.html", "report.json"]
    for path in reports.values():
        assert path.is_file()
        path.read_bytes().decode("utf-8")  # valid UTF-8, even with a lone surrogate in a run


# --- shared helpers --------------------------------------------------------------------------


def test_cell_status() -> None:
    passed = _cell("a", "b", "x", Outcome.PASSED)
    failed = _cell("a", "b", "x", Outcome.FAILED)
    error = _cell("a", "b", "x", Outcome.ERROR)
    skipped = _cell("a", "b", "x", Outcome.SKIPPED)
    assert cell_status([passed, skipped]) == "passed"
    assert cell_status([passed, error, failed]) == "failed"
    assert cell_status([passed, error]) == "error"
    assert cell_status([skipped]) == "not-applicable"
    assert cell_status([]) == "not-applicable"


def test_safe_text_makes_controls_visible() -> None:
    assert safe_text("a\tb\nc\rd") == "a\tb\nc\rd"
    assert safe_text("x\x00y\x1bz\x7f") == "x\\x00y\\x1bz\\x7f"
    assert safe_text("\ud800\ufffe") == "\\ud800\\ufffe"
    assert safe_text("é → ✓ 😀") == "é → ✓ 😀"


def test_redact() -> None:
    value = {
        "headers": {"Authorization": "Bearer abc", "Accept": "application/json"},
        "token": "xyz",
        "raw": "POST /x HTTP/1.1\nAuthorization: Bearer abc\nHost: h",
        "list": ["Bearer abc.def", "a bearer of good news"],
        "empty": {"token": None},
    }
    assert redact(value) == {
        "headers": {"Authorization": "[redacted]", "Accept": "application/json"},
        "token": "[redacted]",
        "raw": "POST /x HTTP/1.1\nAuthorization: [redacted]\nHost: h",
        "list": ["Bearer [redacted]", "a bearer of good news"],
        "empty": {"token": None},
    }


# --- JSON ------------------------------------------------------------------------------------


def test_json_round_trip(reports: dict[str, Path]) -> None:
    run = make_run()
    text = reports["report.json"].read_text(encoding="utf-8")
    assert text.startswith('{\n  "started"')  # pretty-printed
    assert SECRET not in text
    loaded = json.loads(text)
    matrix = loaded.pop("matrix")
    expected = run.to_dict()
    expected["implementations"][1]["token"] = "[redacted]"
    failed = expected["results"][1]
    failed["evidence"]["request"]["headers"]["Authorization"] = "[redacted]"
    assert loaded == expected  # hostile strings (controls, a lone surrogate) included
    assert loaded["results"][3]["detail"] == run.results[3].detail
    assert loaded["counts"] == {"passed": 9, "failed": 2, "skipped": 2, "error": 2}
    assert loaded["ok"] is False
    assert matrix == matrix_summary(run)


def test_json_matrix_section() -> None:
    matrix = json.loads(render_json(make_run()))["matrix"]
    assert sorted(matrix) == sorted(["alpha", "beta", EVIL])
    assert matrix["alpha"]["beta"] == {
        "passed": 1, "failed": 1, "skipped": 0, "error": 0,
        "status": "failed", "cells": ["interop.vc-jwt"], "errors": [],
    }  # fmt: skip
    assert matrix["beta"][EVIL]["status"] == "error"
    assert matrix["beta"][EVIL]["errors"] == ["interop.vc-jwt"]
    assert matrix[EVIL]["alpha"]["status"] == "not-applicable"
    assert matrix["alpha"]["alpha"]["status"] == "passed"
    assert EVIL not in matrix[EVIL]  # no result, no entry


def test_json_without_interop_has_empty_matrix() -> None:
    run = Run(started="t", results=[Result("a.b", "a", Outcome.PASSED, "x")])
    assert json.loads(render_json(run))["matrix"] == {}


# --- JUnit XML -------------------------------------------------------------------------------


def test_junit_parses_and_counts_match(reports: dict[str, Path]) -> None:
    run = make_run()
    raw = reports["junit.xml"].read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(raw)  # expat enforces XML 1.0's character rules
    assert root.tag == "testsuites"
    totals = run.counts()
    assert root.get("tests") == str(len(run.results))
    assert root.get("failures") == str(totals["failed"])
    assert root.get("errors") == str(totals["error"])
    assert root.get("skipped") == str(totals["skipped"])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["securing", "status", "interop"]
    for suite in suites:
        expected = [r for r in run.results if r.suite == suite.get("name")]
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases)) == str(len(expected))
        assert int(suite.get("failures", "")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors", "")) == len(suite.findall("testcase/error"))
        assert int(suite.get("skipped", "")) == len(suite.findall("testcase/skipped"))
        assert [c.get("name") for c in cases] == [r.check for r in expected]


def test_junit_testcases() -> None:
    root = ET.fromstring(render_junit(make_run()))
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    failed = cases[("securing.alpha", "securing.vc-jwt.tampered-signature")]
    failure = failed.find("failure")
    assert failure is not None
    assert failure.text == f"accepted it {SCRIPT}"  # text, not markup
    assert failed.get("time") == "0.300"
    out = failed.findtext("system-out") or ""
    assert "negative" in out
    assert "[redacted]" in out
    assert SECRET not in out
    cell = cases[("interop.alpha→beta", "interop.vc-jwt")]
    assert cell.find("failure") is not None
    assert cases[(f"interop.beta→{EVIL}", "interop.vc-jwt")].find("error") is not None
    skipped = cases[("securing.beta", "securing.di.eddsa-rdfc-2022")].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "beta does not declare it"
    passed = cases[("status.alpha", "status.bitstring.revoked")]
    assert [child.tag for child in passed] == ["system-out"]  # its tags; no failure element


def test_junit_survives_control_characters() -> None:
    text = render_junit(make_run())
    assert not any(c in text for c in "\x00\x07\x0b\x0c\x1b\x7f\ud800\ufffe")
    root = ET.fromstring(text.encode("utf-8"))
    error = next(e for e in root.iter("error") if "HTTP 500" in (e.text or "") and e.get("message"))
    assert error.text == "HTTP 500: " + safe_text(CONTROLS) + " ]]> &amp;"
    assert error.get("message") == error.text  # one line: the message is the whole detail


def test_junit_hostile_attribute_newlines_and_quotes() -> None:
    run = Run(started="t", results=[
        Result('a."b"\n<c>', "a", Outcome.FAILED, "impl\x01'&", detail="line1\nline2\x02"),
    ])  # fmt: skip
    root = ET.fromstring(render_junit(run))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == 'a."b"\n<c>'
    assert case.get("classname") == "a.impl\\x01'&"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "line1"
    assert failure.text == "line1\nline2\\x02"


# --- HTML ------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class Page(HTMLParser):
    """Records every element (tag, attributes, classes, text) and checks nesting."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.style = ""
        self.feed(text)
        self.close()
        assert not self.stack, [e["tag"] for e in self.stack]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        element: dict[str, Any] = {"tag": tag, "attrs": attributes, "text": "",
                                   "parents": list(self.stack),
                                   "classes": (attributes.get("class") or "").split()}  # fmt: skip
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1]["tag"] == tag, f"</{tag}> closes <{self.stack[-1]['tag']}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element["text"] += data
        if self.stack and self.stack[-1]["tag"] == "style":
            self.style += data

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, Any]]:
        return [
            e for e in self.elements if e["tag"] == tag and (cls is None or cls in e["classes"])
        ]

    def inside(self, element: dict[str, Any], tag: str) -> list[dict[str, Any]]:
        return [
            e for e in self.elements if e["tag"] == tag and any(p is element for p in e["parents"])
        ]


@pytest.fixture(scope="module")
def page_text(reports: dict[str, Path]) -> str:
    return reports["report.html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(page_text: str) -> Page:
    return Page(page_text)


def test_html_is_a_page(page_text: str, page: Page) -> None:
    assert page_text.startswith("<!DOCTYPE html>")
    assert page.find("html")[0]["attrs"]["lang"] == "en"
    metas = {e["attrs"].get("name") or e["attrs"].get("http-equiv"): e for e in page.find("meta")}
    assert metas["viewport"]["attrs"]["content"] == "width=device-width, initial-scale=1"
    assert "default-src 'none'" in metas["Content-Security-Policy"]["attrs"]["content"]
    assert "@media (max-width" in page.style  # responsive


def test_html_has_no_remote_references(page_text: str, page: Page) -> None:
    forbidden = {"script", "link", "img", "iframe", "object", "embed", "base", "video",
                 "audio", "source", "picture", "svg", "form", "input"}  # fmt: skip
    assert not [e["tag"] for e in page.elements if e["tag"] in forbidden]
    for element in page.elements:
        attrs = element["attrs"]
        for name in ("src", "srcset", "action", "formaction", "poster", "data", "style"):
            assert name not in attrs, (element["tag"], name)
        assert not [a for a in attrs if a.startswith("on")]  # no event handlers
        if "href" in attrs:
            assert (attrs["href"] or "").startswith("#"), attrs["href"]
    assert "url(" not in page.style
    assert "@import" not in page.style
    assert "http" not in page.style
    # "http" appears only as text (endpoints, escaped hostile data), never inside a tag.
    for element in page.elements:
        assert not any("http" in (v or "") for v in element["attrs"].values()), element
    assert "http://127.0.0.1:8001/credentials/issue" in page_text  # shown as text


def test_html_anchors_resolve(page: Page) -> None:
    ids = {e["attrs"]["id"] for e in page.elements if "id" in e["attrs"]}
    hrefs = {e["attrs"]["href"] for e in page.find("a")}
    assert hrefs
    assert {h[1:] for h in hrefs} <= ids


def _matrix(page: Page) -> dict[tuple[str, str], dict[str, Any]]:
    tables = page.find("table", "matrix")
    assert len(tables) == 1
    table = tables[0]
    head = [th for th in page.inside(table, "th") if th["attrs"].get("scope") == "col"]
    verifiers = [th["text"] for th in head[1:]]
    cells = {}
    for tr in page.inside(table, "tr")[1:]:
        row_head = [th for th in page.inside(tr, "th") if th["attrs"].get("scope") == "row"]
        assert len(row_head) == 1
        tds = page.inside(tr, "td")
        assert len(tds) == len(verifiers)
        for verifier, td in zip(verifiers, tds, strict=True):
            cells[(row_head[0]["text"], verifier)] = td
    return cells


def test_html_matrix(page: Page) -> None:
    table = page.find("table", "matrix")[0]
    caption = page.inside(table, "caption")
    assert caption
    assert "Issuer" in caption[0]["text"]
    cells = _matrix(page)
    names = ["alpha", "beta", EVIL]
    assert sorted(cells) == sorted((i, v) for i in names for v in names)  # EVIL name: as text

    def check(issuer: str, verifier: str, status: str, words: str, tally: str | None) -> None:
        td = cells[(issuer, verifier)]
        assert f"status-{status}" in td["classes"]
        assert words in td["text"]  # outcome in words, not colour alone
        links = page.inside(td, "a")
        if tally is None:
            assert not links
        else:
            assert tally in td["text"]
            assert len(links) == 1
            assert links[0]["attrs"]["href"].startswith("#cell-")

    check("alpha", "alpha", "passed", "All passed", "1 passed")
    check("alpha", "beta", "failed", "Some failed", "1 passed, 1 failed")
    check("beta", EVIL, "error", "Error", "1 error")
    check(EVIL, "alpha", "not-applicable", "Not applicable", "1 skipped")
    check(EVIL, EVIL, "not-applicable", "Not applicable", None)


def test_html_cell_details(page: Page) -> None:
    td = _matrix(page)[("alpha", "beta")]
    target = page.inside(td, "a")[0]["attrs"]["href"][1:]
    section = next(e for e in page.elements if e["attrs"].get("id") == target)
    assert "alpha → beta" in section["text"]
    items = [li for li in page.inside(section, "li") if "checks" not in li["classes"]]
    outcomes = sorted(c for li in items for c in li["classes"] if c.startswith("outcome-"))
    assert outcomes == ["outcome-failed", "outcome-passed"]
    assert "beta rejected alpha's credential" in section["text"]


def test_html_summary(page: Page, page_text: str) -> None:
    main = page.find("main")[0]["text"]
    assert "✗ NOT OK" in main
    assert "Duration" in main
    assert "12.0 s" in main
    assert "python 3.11.7" in main
    for name in ("alpha", "beta", EVIL):
        assert name in main
    assert "http://127.0.0.1:8002/credentials/verify" in main
    assert "eddsa-rdfc-2022" in main
    assert SECRET not in page_text  # a token in a summary or in evidence is never shown
    assert "[redacted]" in main


def test_html_checks(page: Page) -> None:
    checks = page.find("section", None)
    securing = next(s for s in checks if s["attrs"].get("id") == "suite-0")
    text = securing["text"]
    for words in ("Passed", "Failed", "Skipped", "Error"):
        assert words in text
    assert "securing.vc-jwt.tampered-signature" in text
    assert "A tampered signature is rejected" in text
    assert f"accepted it {SCRIPT}" in text  # the detail, as text
    assert "negative" in text
    assert "<b>tag</b>" in text
    assert "beta does not declare it" in text
    evidence = [d["text"] for d in page.inside(securing, "details") if d["text"][:8] == "Evidence"]
    assert len(evidence) == 2
    shown = json.dumps(REMOTE_IMG)  # the evidence is JSON, shown as text
    assert any(shown in text and "[redacted]" in text for text in evidence)
    interop = next(s for s in checks if s["attrs"].get("id") == "suite-2")
    assert "see the" in interop["text"]


def test_html_escapes_hostile_strings(page: Page, page_text: str) -> None:
    assert "<script" not in page_text
    assert SCRIPT not in page_text
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text
    assert '<img src="https' not in page_text
    assert not page.find("script")
    assert not page.find("b")
    assert not any(c in page_text for c in "\x00\x07\x0b\x0c\x1b\x7f\ud800\ufffe")
    assert safe_text(CONTROLS) in Page(page_text).find("main")[0]["text"]


def test_html_without_interop() -> None:
    run = Run(started="", results=[Result("a.b", "a", Outcome.PASSED, "x")])
    page = Page(render_html(run))
    assert not page.find("table", "matrix")
    assert "No interop results in this run." in page.find("main")[0]["text"]
    assert "✓ OK" in page.find("main")[0]["text"]


def test_html_in_a_browser_offline(reports: dict[str, Path]) -> None:
    """Acceptance: the page opens with no network and shows the matrix (needs Playwright)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        # Debian's chromium (installed by `make test`); Playwright never downloads browsers here.
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        if executable is None:
            pytest.skip("no chromium on PATH (make test installs Debian's)")
        try:
            browser = playwright.chromium.launch(executable_path=executable)
        except Exception as exc:
            pytest.skip(f"Chromium is not available: {exc}")
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(reports["report.html"].resolve().as_uri())
            table = page.locator("table.matrix")
            assert table.is_visible()
            assert table.locator("td.status-failed").count() == 1
            page.set_viewport_size({"width": 360, "height": 740})
            assert table.is_visible()
        finally:
            browser.close()
    assert all(url.startswith("file:") for url in requests), requests
