"""The PDF report: it opens, and ``pdftotext`` finds the verdict, the figures and the input
digests in it (acceptance of issue 17). Needs poppler-utils (``tests/prerequisites.sh``);
skipped without ``pdftotext``, or without the Pango libraries WeasyPrint loads.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from tests.conftest import REPO
from tests.web.conftest import passport_bundle
from vcservice.web import report_pdf

PDFTOTEXT = shutil.which("pdftotext")
ARTIFACTS = REPO / "test-artifacts" / "web"

pytestmark = [
    pytest.mark.skipif(
        PDFTOTEXT is None, reason="pdftotext missing (apt-get install poppler-utils)"
    ),
    pytest.mark.skipif(report_pdf.weasyprint() is None, reason="WeasyPrint cannot load (Pango)"),
]


def _pdf_of(client: TestClient, bundle: str) -> tuple[str, bytes, str]:
    text = json.dumps(passport_bundle(bundle))
    page = client.post("/verify", data={"credential": text})
    ids = re.findall(r"/verify/r/([0-9a-f]{64})/report\.pdf", page.text)
    assert ids, "the result page offers no PDF report"
    response = client.get(f"/verify/r/{ids[0]}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["content-disposition"].endswith('.pdf"')
    return text, response.content, ids[0]


def _text_of(pdf: bytes) -> str:
    assert PDFTOTEXT is not None
    done = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def test_the_pdf_names_the_verdict_the_figures_and_the_input_digests(
    client: TestClient,
) -> None:
    text, pdf, rid = _pdf_of(client, "bundle.json")
    assert pdf.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-copper.pdf").write_bytes(pdf)
    words = _text_of(pdf)
    flat = re.sub(r"\s+", "", words)  # a long digest may wrap across lines
    assert "Verified" in words
    assert "Not verified" not in words
    assert "8 kg CO2e" in words
    assert hashlib.sha256(text.encode()).hexdigest() in flat
    assert "Report details" in words
    assert re.search(r"\d+ checks: \d+ passed", words)  # counted, not listed row by row
    assert "every check is in the JSON report" in " ".join(words.split())
    assert "Where it comes from" not in words  # the graph's cards do not print
    assert rid in flat  # the link that re-runs it
    assert "vcservice 0." in words  # the service and its version
    # nothing of the page that only works on screen
    assert "Download PDF report" not in words
    assert "Copy the link" not in words


def test_the_pdf_of_a_broken_chain_says_not_verified(client: TestClient) -> None:
    _, pdf, _ = _pdf_of(client, "negative/links.digest.json")
    words = _text_of(pdf)
    assert "Not verified" in words
    assert "links.digest" in words  # the failed check, in the table of every check


def test_the_pdf_lists_only_the_checks_that_did_not_pass(client: TestClient) -> None:
    _, pdf, _ = _pdf_of(client, "negative/links.digest.json")
    words = _text_of(pdf)
    assert "checks that did not pass" in words
    assert re.search(r"\d+ checks: \d+ passed, .*failed", words)
    assert "✓ passed" not in words  # no row of a passed check


def test_a_graph_above_the_bound_gets_no_pdf_but_the_json_report(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_pdf, "MAX_CREDENTIALS", 3)
    page = client.post("/verify", data={"credential": json.dumps(passport_bundle())})
    rid = re.findall(r"/verify/r/([0-9a-f]{64})/report\.pdf", page.text)[0]
    response = client.get(f"/verify/r/{rid}/report.pdf")
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "too large for a PDF report" in response.text
    assert f'href="/verify/r/{rid}/report.json"' in response.text
    assert "Download the JSON report" in response.text
