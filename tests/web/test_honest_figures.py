"""The summary says whose trust anchor it is, and takes pass or fail from the report's checks:
mends of the review of issue 17 (the page's own arithmetic judged nothing it should not)."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import REPO
from vcservice.graph import GraphReport, GraphVerifier, bundle_from_json
from vcservice.report import Check, Outcome, Problem
from vcservice.service import Service
from vcservice.web import summary as summary_module
from vcservice.web.inputs import parse_input
from vcservice.web.summary import ANCHOR_WORDS, summary
from vcservice.web.view import anchor_source, page_model

COPPER = REPO / "examples" / "copper"
ANCHOR = "did:web:accreditation.example.se"


def _report(path: Path, drop_anchors: bool = False) -> GraphReport:
    raw = json.loads(path.read_text())
    if drop_anchors:
        raw.pop("trustAnchors", None)
    bundle = bundle_from_json(raw)
    return GraphVerifier().verify(
        bundle.start,
        trust_anchors=bundle.trust_anchors,
        bundle=bundle,
        at=bundle.at,
        options=dict(bundle.options),
    )


def _text(markup: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# --- whose trust anchor ---------------------------------------------------------------------
@pytest.mark.parametrize("source", ["you", "bundle", "default", "link"])
def test_the_certifiers_figure_says_who_chose_the_anchor_and_its_did(source: Any) -> None:
    found = summary(_report(COPPER / "bundle.json"), None, source).certifiers
    (line,) = found.lines
    assert f"Nordic Accreditation Authority ({ANCHOR}), {ANCHOR_WORDS[source]}" in line.text
    assert f"Nordic Accreditation Authority ({ANCHOR})" in found.note
    assert ANCHOR_WORDS[source] in found.note
    if source != "you":
        assert "you chose" not in line.text + found.note
        assert "your trust anchor" not in line.text + found.note


def test_the_default_keeps_todays_words_for_an_anchor_the_buyer_typed() -> None:
    model = page_model(_report(COPPER / "bundle.json"))
    assert model["summary"].anchor_source == "you"
    assert "the trust anchor you chose" in model["summary"].certifiers.note


def test_an_unanchored_certifier_names_whose_anchor_it_fails() -> None:
    report = _report(COPPER / "negative" / "trust.unanchored.json")
    assert "not accredited by a body you trust" in str(summary(report, None, "you").reason)
    linked = summary(report, None, "link")
    assert "chosen by whoever made this link" in str(linked.reason)
    assert "a body you trust" not in str(linked.reason)
    assert all("a body you trust" not in line.text for line in linked.certifiers.lines)


def _request(service: Service, text: str, anchors: str) -> Any:
    settings = service.settings
    return parse_input(
        text,
        "",
        anchors,
        default_anchors=settings.default_trust_anchors,
        max_depth=settings.max_json_depth,
        max_items=settings.max_json_items,
    )


def test_anchor_source_reads_where_the_anchors_came_from(service: Service) -> None:
    bundle = json.loads((COPPER / "bundle.json").read_text())
    text = json.dumps(bundle)
    assert anchor_source(_request(service, text, ANCHOR), ANCHOR, linked=False) == "you"
    assert anchor_source(_request(service, text, ANCHOR), ANCHOR, linked=True) == "link"
    assert anchor_source(_request(service, text, ""), "", linked=False) == "bundle"
    assert anchor_source(_request(service, text, ""), "", linked=True) == "bundle"
    bundle.pop("trustAnchors")
    bare = json.dumps(bundle)
    defaulted = _request(service, bare, "")
    if defaulted.anchors:
        assert anchor_source(defaulted, "", linked=False) == "default"
    else:  # no anchor at all: nobody chose one, and the page says so on its own
        assert anchor_source(defaulted, "", linked=False) == "you"


def test_the_pages_say_whose_anchor_through_the_routes(client: TestClient) -> None:
    """Uploaded with the anchor field blank: the bundle's; typed: the buyer's; opened from a
    result link made with a typed anchor: its maker's."""
    text = (COPPER / "bundle.json").read_text()
    page = client.post("/verify", data={"credential": text}).text
    lead = _text(page.split('data-testid="verdict-text"', 1)[1].split("</p>", 1)[0])
    assert "accredited by the trust anchor named by the bundle you verified" in lead
    assert "a body you trust" not in lead
    typed = client.post("/verify", data={"credential": text, "anchors": ANCHOR}).text
    assert "the trust anchor you chose" in _text(typed)
    (rid,) = set(re.findall(r"/verify/r/([0-9a-f]{64})", typed))
    shared = client.get(f"/verify/r/{rid}").text
    assert "chosen by whoever made this link" in _text(shared)
    assert "the trust anchor you chose" not in _text(shared)


def test_verify_again_is_labelled_by_did_with_a_warning() -> None:
    report = _report(COPPER / "bundle.json", drop_anchors=True)
    url = "https://credentials.nordlys-computers.example/claim-computers"
    from vcservice.web.render import ENV

    markup = ENV.get_template("result.html").render(**page_model(report, url), share=None)
    note = _text(markup.split('data-testid="no-anchor"', 1)[1].split("</div>", 1)[0])
    assert f"Verify again, trusting {ANCHOR}" in note
    assert "named by the chain itself" in note
    assert "Verify again, trusting Nordic Accreditation Authority" not in note


# --- pass or fail from the report's checks ----------------------------------------------------
def test_an_unattested_recycled_claim_fails_for_its_check_not_for_the_pages_sum() -> None:
    """Copper's claims.unattested: the wire passport claims 100 % recycled, attested by a
    footprint certificate. Only claims.unattested fails; the figure fails for that reason and
    the credits' 0 % is information, not a ✗ of the page's own making."""
    figure = summary(_report(COPPER / "negative" / "claims.unattested.json")).recycled
    assert figure.state == "failed"
    states = {line.text: line.state for line in figure.lines}
    assert states["Claimed 100 %; the recycled-content credits in the chain back 0 %"] == ""
    assert states["The claim is not backed by a matching certificate"] == "failed"
    assert "not backed by its certificate" in figure.note


def test_a_passing_recycled_chain_is_not_failed_by_a_percentage_claim() -> None:
    """A claim written as a percentage (100) beside a fraction (1.0) is the same share; and
    whatever the arithmetic, the state is the roll-up check's."""
    figure = summary(_report(COPPER / "bundle.json")).recycled
    assert figure.state == "passed"
    assert all(line.state != "failed" for line in figure.lines)


def test_the_footprint_shows_the_roll_ups_own_claimed_value() -> None:
    report = _report(COPPER / "bundle.json")
    passport = report.nodes["https://credentials.malar-kabel.example/dpp-wire-cu80"]
    assert passport.document is not None
    claim = passport.document["credentialSubject"]["performanceClaim"][0]
    claim["claimedPerformance"][0]["measure"]["value"] = 7.0  # the passport now says 7
    figure = summary(report).footprint
    assert figure.state == "passed"  # the roll-up compared the credits' 8 with 8
    assert figure.value == "8 kg CO2e per kg"
    assert figure.note.startswith("Claimed 8, computed from the chain 8: they agree.")
    assert "The passport itself states 7 kg CO2e per kg, not the 8 its credits carry" in (
        figure.note
    )


def _with_rollup(report: GraphReport, outcome: Outcome) -> GraphReport:
    """``report`` with every footprint roll-up made ``outcome`` and nothing computed."""
    for entry in report.products:
        if isinstance(entry.get("carbonFootprint"), dict):
            entry["carbonFootprint"]["computed"] = None
            entry["carbonFootprint"]["outcome"] = outcome.value
    checks = report.checks.checks
    for n, check in enumerate(checks):
        if check.id == "rollup.footprint":
            problem = Problem.for_check(check.id, "Not recomputed", "inputs out of reach")
            checks[n] = Check(check.id, outcome, problem, check.path)
    return report


def test_an_indeterminate_roll_up_reads_could_not_be_recomputed() -> None:
    report = _with_rollup(_report(COPPER / "bundle.json"), Outcome.INDETERMINATE)
    figure = summary(report).footprint
    assert figure.state == "indeterminate"
    assert figure.note == "Claimed 8; it could not be recomputed from the chain."
    assert "but the chain gives" not in figure.note


def test_a_roll_up_failing_beyond_the_steps_shown_still_fails_the_figure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Copper's rollup.footprint fails at the cathode, the second step up: with one step shown
    the failure is not among the lines, and the figure must fail all the same."""
    monkeypatch.setattr(summary_module, "_MAX_STEPS", 1)
    figure = summary(_report(COPPER / "negative" / "rollup.footprint.json")).footprint
    assert figure.state == "failed"
    assert "further up the chain does not add up" in figure.note
    assert figure.lines[-1].state == "failed"
    assert "further up the chain do not add up" in figure.lines[-1].text
