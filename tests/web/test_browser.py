"""The verification page in a real browser (Debian's chromium driven by Playwright).

The service runs under uvicorn in a thread on a free loopback port. Every request the page
makes is recorded: anything outside the service's origin fails the test. Screenshots are kept
in ``test-artifacts/web/``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web._a11y import assert_accessible
from tests.web._live import ARTIFACTS, VIEWPORTS, RequestLog, browser, origin, require_browser
from tests.web.conftest import PASSPORT, passport_bundle

pytestmark = pytest.mark.network
require_browser()
__all__ = ["browser", "origin"]  # fixtures, used by name


def _submit(page: Any, origin: str, bundle: dict[str, Any]) -> None:
    page.goto(f"{origin}/verify")
    page.get_by_label("Paste a credential or a provenance-graph bundle").fill(json.dumps(bundle))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("[data-testid=verdict]")


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_the_copper_passport_and_a_tampered_chain(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    requests = RequestLog(page)

    page.goto(f"{origin}/verify")
    assert_accessible(page)
    _submit(page, origin, passport_bundle())
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-verified") == "true"
    assert "Verified" in verdict.inner_text()
    chain = page.get_by_test_id("trust-chain").inner_text()
    assert "Nordic Metals Certification AB → accredited by Nordic Accreditation Authority" in chain
    assert "(trust anchor)" in chain
    claims = page.get_by_test_id("claim").all_inner_texts()
    assert any("Carbon footprint: 8 kg CO2e per kg" in c for c in claims), claims
    assert any("45 t of the copper delivered" in c for c in claims), claims
    credentials = page.get_by_test_id("node-details").count()
    assert credentials == 16
    assert page.locator("svg [data-testid=graph-node]").count() == credentials
    assert page.locator("svg [data-digest=failed]").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"copper-verified-{label}.png"), full_page=True)
    assert_accessible(page, keyboard=label == "desktop")
    # a node of the picture leads to its details and raw credential
    page.locator("svg [data-testid=graph-node] a").first.click()
    assert page.url.endswith("#node-0")
    page.locator("#node-0 summary").click()
    assert "DigitalProductPassport" in page.locator("#node-0 pre").first.inner_text()

    _submit(page, origin, passport_bundle("negative/links.digest.json"))
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-verified") == "false"
    assert "Not verified" in verdict.inner_text()
    broken = page.locator("svg [data-testid=graph-edge][data-digest=failed]")
    assert broken.count() >= 1
    assert "broken link" in (broken.first.text_content() or "")
    assert page.locator("svg [data-testid=graph-node][data-outcome=failed]").count() >= 1
    page.screenshot(path=str(ARTIFACTS / f"copper-tampered-{label}.png"), full_page=True)

    assert_accessible(page, keyboard=False)  # only the graph may scroll sideways, inside its box
    context.close()
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
