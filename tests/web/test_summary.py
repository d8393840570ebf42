"""The verdict page's summary band: right figures and plain words for every example chain and
every negative variant, rendered through ``POST /verify`` as a buyer's upload is."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import REPO
from tests.web.conftest import verified_page
from vcservice.graph import GraphVerifier, bundle_from_json
from vcservice.web.summary import summary
from vcservice.web.view import page_model

EXAMPLES = REPO / "examples"
BUNDLES = sorted(EXAMPLES.glob("*/bundle.json"))
NEGATIVES = sorted(EXAMPLES.glob("*/negative/*.json"))
FIGURES = ("footprint", "recycled", "certifiers", "credits", "origins")
#: What the first reason of each negative variant must say, by the check its name starts with.
WORDS = {
    "claims.unattested": "not backed by a matching certificate",
    "graph.cycle": "loops back on itself",
    "graph.node-limit": "not checked to the end",
    "links.digest": "was changed after",
    "links.unreachable": "could not be fetched",
    "massbalance.conservation": "more certified material than its inputs carried",
    "massbalance.not-holder": "does not hold",
    "massbalance.overallocated": "spent twice",
    "massbalance.rolling-average": "rolling average",
    "massbalance.unregistered": "not confirmed by the credits' registry",
    "rollup.footprint": "carbon-footprint roll-up does not add up",
    "rollup.recycled": "content roll-up does not add up",
    "status.revocation": "has been revoked",
    "trust.expired": "accreditation of",
    "trust.scope": "not accredited for what it certified",
    "trust.unanchored": "is not accredited by the trust anchor named by the bundle",
}
#: A check id as it would leak onto the page (``rollup.footprint``, ``links.digest``…).
CHECK_ID = re.compile(r"\b(?:" + "|".join(sorted({k.split(".")[0] for k in WORDS})) + r")\.[a-z]")


def _id(path: Path) -> str:
    return str(path.relative_to(EXAMPLES)).removesuffix(".json")


def _upload(client: TestClient, path: Path) -> str:
    files = {"file": (path.name, path.read_bytes(), "application/json")}
    response = client.post("/verify", files=files)
    assert response.status_code == 200, response.text[:500]
    return str(response.text)


def _part(page: str, testid: str) -> str:
    """The text of the element carrying ``data-testid`` (up to the end of its block)."""
    start = page.index(f'data-testid="{testid}"')
    end = page.find("</div>", start) if testid.startswith("figure-") else page.find("</p>", start)
    return _text(page[start:end])


def _text(markup: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _band(page: str) -> str:
    """The summary band as read on the first screen (the verdict section)."""
    start = page.index(">", page.index('data-testid="verdict"')) + 1
    return page[start : page.index("</section>", start)]


def _unanchored_report(path: Path) -> Any:
    """The graph of the bundle at ``path`` verified with no trust anchor at all."""
    raw = json.loads(path.read_text())
    raw.pop("trustAnchors", None)
    bundle = bundle_from_json(raw)
    return GraphVerifier().verify(
        bundle.start, trust_anchors=(), bundle=bundle, at=bundle.at, options=dict(bundle.options)
    )


@pytest.mark.parametrize("path", BUNDLES, ids=_id)
def test_every_example_shows_its_figures_verified(client: TestClient, path: Path) -> None:
    page = _upload(client, path)
    assert 'data-verified="true"' in page
    band = _band(page)
    for name in FIGURES:
        assert f'data-testid="figure-{name}"' in band
    assert 'data-testid="reason"' not in band
    text = _text(band)
    assert "they agree" in _part(page, "figure-footprint")
    # the bundle named the anchor, not the buyer: said so, with its DID beside its name
    certifiers = _part(page, "figure-certifiers")
    assert "named by the bundle you verified — make sure you trust it" in certifiers
    assert "(did:web:accreditation.example." in certifiers
    assert "your trust anchor" not in certifiers
    assert "none over-allocated" in _part(page, "figure-credits")
    text = text.replace(certifiers.split(">", 1)[1].strip(), "")
    for jargon in ("urn:uuid", "https://", "did:web", "TNE", "KGM", "H87", "C62", "System exit"):
        assert jargon not in text, jargon
    assert not CHECK_ID.search(text), CHECK_ID.search(text)


def test_copper_footprint_claimed_equals_computed_with_the_formula(client: TestClient) -> None:
    page = _upload(client, EXAMPLES / "copper" / "bundle.json")
    footprint = _part(page, "figure-footprint")
    assert "8 kg CO2e per kg" in footprint
    assert "Claimed 8, computed from the chain 8: they agree." in footprint
    assert "mass-weighted input footprint 1.9 + process emissions 6.1 = 8 kg CO2e per kg" in (
        footprint
    )
    assert "0 %" in _part(page, "figure-recycled")
    assert "Copper cathode grade A, Cu RE MIX: claimed 100 % recycled" in _part(
        page, "figure-recycled"
    )
    certifiers = _part(page, "figure-certifiers")
    assert "Nordic Metals Certification AB → accredited by Nordic Accreditation Authority" in (
        certifiers
    )
    assert "45 t drawn of 45 t available" in _part(page, "figure-credits")
    origins = _part(page, "figure-origins")
    assert "Sweden" in origins
    assert "Mälar Kabel wire mill, Västerås" in origins
    products = _text(_band(page))
    assert "Copper wire 8 mm, Cu 8.0 MIX · batch MKW-2026-031 · 45 t" in products
    assert "90 000 pieces" in products  # H87 by name, thousands grouped
    # the claim event leads to the wire passport's claims: no more "makes no performance claim"
    assert "Carbon footprint: 8 kg CO2e per kg" in page
    assert "makes no performance claim" not in page


def test_battery_footprint_per_kwh_and_recycled_per_element(client: TestClient) -> None:
    page = _upload(client, EXAMPLES / "battery" / "bundle.json")
    footprint = _part(page, "figure-footprint")
    assert footprint.split("Claimed")[0].strip().endswith("8.81 kg CO2e per kWh")
    assert "Claimed 8.81, computed from the chain 8.81: they agree." in footprint
    assert "1 600 units × 78 kWh = 124 800 kWh" in footprint
    recycled = _part(page, "figure-recycled")
    assert "cobalt 20 %, lithium 10 %, nickel 10 %" in recycled
    assert "2.4 t of recycled credits for the 12 t of cobalt in it = 20 %" in recycled
    assert "50 t drawn of 50 t available (+3 more)" in _part(page, "figure-credits")
    assert "Finland" in _part(page, "figure-origins")


@pytest.mark.parametrize("path", NEGATIVES, ids=_id)
def test_every_negative_variant_names_its_failure_in_words(client: TestClient, path: Path) -> None:
    page = _upload(client, path)
    assert 'data-verified="false"' in page
    band = _band(page)
    reason = _part(band, "reason")
    check = next(k for k in WORDS if path.stem.startswith(k))
    assert WORDS[check] in reason, reason
    assert check in page.split('data-testid="verdict"', 1)[1].split(">", 1)[0]  # data-* keep ids
    text = _text(band)
    assert not CHECK_ID.search(text), CHECK_ID.search(text)
    assert "https://" not in text
    assert "Technical details" in page
    technical = page[page.index('data-testid="technical"') :]
    assert check.split(".")[0] in technical


def test_a_failed_roll_up_says_claimed_and_computed(client: TestClient) -> None:
    page = _upload(client, EXAMPLES / "copper" / "negative" / "rollup.recycled.json")
    assert (
        "The recycled-content roll-up does not add up for Copper cathode grade A, Cu RE MIX: "
        "claimed 90 %, computed 100 %." in _part(page, "reason")
    )
    footprint = _upload(client, EXAMPLES / "copper" / "negative" / "rollup.footprint.json")
    figure = _part(footprint, "figure-footprint")
    assert 'data-state="failed"' in footprint.split('data-testid="figure-footprint"', 1)[1][:40]
    assert "1.9 + process emissions 4.1 = 6 kg CO2e per kg; claimed 8" in figure


def test_no_trust_anchor_reads_could_not_check_and_names_the_bodies(client: TestClient) -> None:
    """A bundle naming no anchor, and none given: verified anyway; the certifiers could not be
    checked, which is "could not check", never "not verified"."""
    bundle = json.loads((EXAMPLES / "copper" / "bundle.json").read_text())
    bundle.pop("trustAnchors", None)
    page = verified_page(client, bundle)
    assert 'data-state="indeterminate"' in page
    assert 'data-indeterminate-checks="trust.unanchored"' in page
    assert 'data-failed-checks=""' in page
    note = _text(page[page.index('data-testid="no-anchor"') :].split("</div>", 1)[0])
    assert "You chose no accreditation body to trust" in note
    assert "Nordic Accreditation Authority" in note
    assert "give the DID of the body you trust" in note
    assert "No accreditation body was chosen as trusted" in _part(page, "reason")


def test_no_trust_anchor_keeps_other_failures(client: TestClient) -> None:
    bundle = json.loads((EXAMPLES / "copper" / "negative" / "links.digest.json").read_text())
    bundle.pop("trustAnchors", None)
    page = verified_page(client, bundle)
    assert 'data-state="failed"' in page
    assert "links.digest" in page.split('data-failed-checks="', 1)[1].split('"', 1)[0]


def test_no_trust_anchor_with_an_address_links_to_verifying_again() -> None:
    report = _unanchored_report(EXAMPLES / "copper" / "bundle.json")
    url = "https://credentials.nordlys-computers.example/claim-computers"
    found = summary(report, url).no_anchor
    assert found is not None
    assert found.bodies == (("Nordic Accreditation Authority", "did:web:accreditation.example.se"),)
    (label, href), *_ = found.links
    assert label == "did:web:accreditation.example.se"  # by DID: the chain named the body
    assert href.startswith("/verify?url=https%3A%2F%2Fcredentials.nordlys-computers.example")
    assert "anchors=did%3Aweb%3Aaccreditation.example.se" in href
    assert page_model(report, url)["state"] == "indeterminate"


def test_a_single_passport_without_anchors_is_verified_anyway(client: TestClient) -> None:
    """The buyer uploads one passport and leaves "Trust anchors (optional)" empty: a verdict,
    not a refusal. Offline, its issuer's key and its links are out of reach: could not check."""
    page = _upload(client, EXAMPLES / "copper" / "dpp-wire-cu80.json")
    assert 'data-state="indeterminate"' in page
    assert 'data-testid="error"' not in page
    reason = _part(page, "reason")
    assert "could not be checked" in reason or "could not be fetched" in reason
    assert "8 kg CO2e per kg" in _part(page, "figure-footprint")
