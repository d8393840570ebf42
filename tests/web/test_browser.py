"""The verification page in a real browser (Debian's chromium driven by Playwright).

The service runs under uvicorn in a thread on a free loopback port. Every request the page
makes is recorded: anything outside the service's origin fails the test. Each page state is
checked with axe-core (no serious or critical violation), for sideways scrolling, and at the
desktop size for keyboard reach. Screenshots are kept in ``test-artifacts/web/``.

What a buyer must see on the first screen (1280×900) after uploading the copper bundle: the
verdict, the footprint claimed against computed, the recycled share and the accreditation
chain of the certifiers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import REPO
from tests.web._a11y import assert_accessible
from tests.web._live import (
    ARTIFACTS,
    VIEWPORTS,
    RequestLog,
    no_sideways_scroll,
    opened,
    paste_and_verify,
    require_browser,
)
from tests.web.conftest import PASSPORT

pytestmark = pytest.mark.network
require_browser()

COPPER = REPO / "examples" / "copper"
FIRST_SCREEN = 900


def _upload(page: Any, origin: str, name: str) -> None:
    page.goto(f"{origin}/verify")
    page.set_input_files("#file", str(COPPER / name))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("[data-testid=verdict]")


def _bottom(page: Any, testid: str) -> float:
    box = page.get_by_test_id(testid).bounding_box()
    assert box is not None, testid
    return float(box["y"] + box["height"])


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_the_copper_summary_band_and_a_tampered_chain(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    width, height = viewport
    with opened(browser, viewport) as page:
        requests = RequestLog(page)

        page.goto(f"{origin}/verify")
        assert_accessible(page)
        _upload(page, origin, "bundle.json")
        verdict = page.get_by_test_id("verdict")
        assert verdict.get_attribute("data-verified") == "true"
        assert "Verified" in verdict.inner_text()
        footprint = page.get_by_test_id("figure-footprint").inner_text()
        assert "8 kg CO2e per kg" in footprint
        assert "Claimed 8, computed from the chain 8: they agree." in footprint
        assert "1.9 + process emissions 6.1 = 8 kg CO2e per kg" in footprint
        recycled = page.get_by_test_id("figure-recycled").inner_text()
        assert "0 %" in recycled
        assert "Cu RE MIX: claimed 100 % recycled" in recycled
        certifiers = page.get_by_test_id("figure-certifiers").inner_text()
        assert "Nordic Metals Certification AB → accredited by Nordic Accreditation Authority" in (
            certifiers
        )
        assert "45 t drawn of 45 t available" in page.get_by_test_id("figure-credits").inner_text()
        assert "Sweden" in page.get_by_test_id("figure-origins").inner_text()
        # the anchor's DID stands beside its name in the certifiers' figure (names are read
        # from unverified credentials), and nowhere else on the first screen
        assert "(did:web:accreditation.example.se)" in certifiers
        for jargon in ("urn:uuid", "did:web", "TNE", "H87", "rollup.", "trust."):
            assert jargon not in verdict.inner_text().replace(certifiers, ""), jargon
        if label == "desktop":  # the answer and its numbers on the first screen
            for testid in ("figure-footprint", "figure-recycled", "figure-certifiers"):
                assert _bottom(page, testid) <= FIRST_SCREEN, testid
        no_sideways_scroll(page, width)
        page.screenshot(path=str(ARTIFACTS / f"copper-summary-{label}.png"))
        page.screenshot(path=str(ARTIFACTS / f"copper-verified-{label}.png"), full_page=True)
        assert_accessible(page, keyboard=label == "desktop")
        # the check ids are one click away, not on the first screen
        assert page.get_by_test_id("technical").count() == 0  # nothing failed: nothing to list

        _upload(page, origin, "negative/links.digest.json")
        verdict = page.get_by_test_id("verdict")
        assert verdict.get_attribute("data-verified") == "false"
        assert "links.digest" in (verdict.get_attribute("data-failed-checks") or "")
        assert "Not verified" in verdict.inner_text()
        reason = page.get_by_test_id("reason")
        assert "was changed after" in reason.inner_text()
        assert "Verified recycled content — copper scrap lot SCR-2026-044" in reason.inner_text()
        assert "links.digest" not in verdict.inner_text()
        assert _bottom(page, "reason") <= height  # why, on the first screen at either size
        technical = page.get_by_test_id("technical")
        assert not technical.locator("table").is_visible()
        technical.locator("summary").click()
        assert "links.digest" in technical.inner_text()
        no_sideways_scroll(page, width)
        page.screenshot(path=str(ARTIFACTS / f"copper-tampered-{label}.png"), full_page=True)
        assert_accessible(page, keyboard=False)
    requests.assert_only(origin)


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_no_trust_anchor_reads_could_not_check(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    """A bundle that names no anchor, and none typed: verified anyway, "could not check" for
    the certifiers, naming the accreditation body the buyer could trust."""
    width, height = viewport
    page = browser.new_page(viewport={"width": width, "height": height})
    requests = RequestLog(page)
    bundle = json.loads((COPPER / "bundle.json").read_text())
    bundle.pop("trustAnchors")
    paste_and_verify(page, origin, bundle)
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-state") == "indeterminate"
    assert "Could not check" in verdict.inner_text()
    note = page.get_by_test_id("no-anchor").inner_text()
    assert "Nordic Accreditation Authority" in note
    assert "8 kg CO2e per kg" in page.get_by_test_id("figure-footprint").inner_text()
    no_sideways_scroll(page, width)
    page.screenshot(path=str(ARTIFACTS / f"copper-no-anchor-{label}.png"), full_page=True)
    assert_accessible(page, keyboard=False)
    page.close()
    requests.assert_only(origin)


def test_the_battery_pack_reads_per_kwh_and_per_element(origin: str, browser: Any) -> None:
    """The battery claim: its footprint in the declared unit (per kWh) with the arithmetic,
    and the recycled share of each element, on the first screen."""
    page = browser.new_page(viewport={"width": 1280, "height": FIRST_SCREEN})
    requests = RequestLog(page)
    page.goto(f"{origin}/verify")
    page.set_input_files("#file", str(REPO / "examples" / "battery" / "bundle.json"))
    page.get_by_role("button", name="Verify").click()
    footprint = " ".join(page.get_by_test_id("figure-footprint").inner_text().split())
    assert "8.81 kg CO2e per kWh" in footprint
    assert "1 600 units × 78 kWh = 124 800 kWh" in footprint
    recycled = page.get_by_test_id("figure-recycled").inner_text()
    assert "cobalt 20 %, lithium 10 %, nickel 10 %" in recycled
    for testid in ("figure-footprint", "figure-recycled", "figure-certifiers"):
        assert _bottom(page, testid) <= FIRST_SCREEN, testid
    page.screenshot(path=str(ARTIFACTS / "battery-summary-desktop.png"))
    assert_accessible(page, keyboard=False)
    page.close()
    requests.assert_only(origin)


def test_a_qr_link_out_of_reach_reads_could_not_check(origin: str, browser: Any) -> None:
    """What a buyer sees after scanning a QR code whose server is down: a third verdict, as
    readable and reachable as the other two."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    requests = RequestLog(page)
    page.goto(f"{origin}/verify?url={PASSPORT}&anchors=did:web:accreditation.example.se")
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-state") == "indeterminate"
    assert "Could not check" in verdict.inner_text()
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "qr-unreachable-phone.png"), full_page=True)
    page.close()
    requests.assert_only(origin)
