"""Issuing in a real browser (Debian's chromium driven by Playwright), at laptop and phone size.

A certification body that has its accreditation in the console chooses "Chain-of-custody
certificate", finds the form filled in from the example with what must be filled in on the
first screen, picks its accreditation as the endorsement evidence (no digest typed), reads the
preview (the link by name, the digest the service computed) and signs. Every page passes axe
(no serious or critical violation), does not scroll sideways at 360 px and breaks no word
mid-word. Screenshots go to ``test-artifacts/web/issue-*.png``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web._axe import assert_no_serious
from tests.web._live import (
    ARTIFACTS,
    VIEWPORTS,
    RequestLog,
    no_sideways_scroll,
    opened,
    require_browser,
)
from tests.web.conftest import COPPER
from vcservice.links import digest_document
from vcservice.schema_validation import unwrap_credential
from vcservice.service import IssueCommand, Service
from vcservice.web.issue_start import unsigned

pytestmark = pytest.mark.network
require_browser()

PROFILE = "chain-of-custody-certificate"
EVIDENCE = "/credentialSubject/authorisation/0/endorsementEvidence"
ACCREDITATION = "Accreditation of Nordic Metals Certification AB"


def _check_page(page: Any, name: str, label: str) -> None:
    """axe, no sideways scrolling, words kept whole; a screenshot of the whole page."""
    assert_no_serious(page)
    no_sideways_scroll(page, page.viewport_size["width"])
    wrap = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.issue'));"
        " return [s.overflowWrap, s.wordBreak]; })()"
    )
    assert wrap == ["break-word", "normal"], wrap  # a word breaks only when it cannot fit
    page.screenshot(path=str(ARTIFACTS / f"issue-{name}-{label}.png"), full_page=True)


def _first_screen(page: Any) -> list[dict[str, Any]]:
    """The form controls visible without scrolling: id and whether they are required."""
    script = """(height) => Array.from(document.querySelectorAll(
        'form[action^="/console/issue/"] input:not([type=hidden]), '
        + 'form[action^="/console/issue/"] select, form[action^="/console/issue/"] textarea'))
      .filter(e => { const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= height; })
      .map(e => ({id: e.id, required: e.getAttribute('aria-required') === 'true',
                  value: e.value}))"""
    found: list[dict[str, Any]] = page.evaluate(script, page.viewport_size["height"])
    return found


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_choose_fill_pick_preview_and_sign(
    origin: str, browser: Any, service: Service, viewport: tuple[int, int], label: str
) -> None:
    api_key = service.create_tenant("nordic-metals")["api_key"]
    tenant = service.store.tenant_by_name("nordic-metals")
    assert tenant is not None
    accreditation, _ = unwrap_credential(json.loads((COPPER / "accreditation.json").read_text()))
    upstream = service.issue(tenant, IssueCommand(unsigned(accreditation), format="vc+jwt"))

    with opened(browser, viewport) as page:
        requests = RequestLog(page)
        page.goto(origin + "/console/login")
        page.get_by_label("API key").fill(api_key)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()

        # Choose the kind of credential: plain words, the technical name in small print.
        page.goto(origin + "/console/issue")
        assert (
            page.get_by_text("Certify that a company runs a chain-of-custody system").count() == 1
        )
        _check_page(page, "choose", label)
        with page.expect_navigation():
            page.get_by_role("link", name="Chain-of-custody certificate", exact=True).click()

        # An empty form, previewed: every problem listed at the top and next to its field.
        with page.expect_navigation():
            page.get_by_role("link", name="an empty form").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Preview the credential").click()
        assert page.get_by_test_id("error-summary").count() == 1
        assert page.locator('[aria-invalid="true"]').count() > 5
        assert service.store.credentials(tenant.id) == [upstream_record(service, tenant.id)]
        _check_page(page, "form-errors", label)
        page.goto(origin + f"/console/issue/{PROFILE}")

        # The form starts from the example, dated today; the first screen is what must be filled.
        assert page.url.endswith(f"/console/issue/{PROFILE}")
        name = page.locator('[id="f-name"]')
        assert name.input_value().startswith("Chain-of-custody certificate NMC-COC-2026-0042")
        first = _first_screen(page)
        assert first, "no form control on the first screen"
        assert all(c["required"] for c in first), first
        assert page.locator('input[name$="digestMultibase"]').count() == 0
        _check_page(page, "form", label)

        # Pick the accreditation as the endorsement evidence (by its name, not by an address).
        picker = page.get_by_label("Endorsement evidence (required)")
        picker.select_option(label=next(o for o in _options(picker) if o.startswith(ACCREDITATION)))
        with page.expect_navigation():
            page.get_by_role("button", name="Preview the credential").click()

        # The preview: what will be stated, the link by name and digest; nothing signed yet.
        assert page.get_by_text("Preview: nothing is signed yet").count() == 1
        assert (
            page.get_by_role("heading", level=1)
            .inner_text()
            .startswith("Chain-of-custody certificate NMC-COC-2026-0042")
        )
        assert page.locator(".issue-links").get_by_text(ACCREDITATION).count() == 1
        expected = digest_document(upstream.secured)
        assert page.get_by_test_id("digest").text_content() == expected
        assert len(service.store.credentials(tenant.id)) == 1
        _check_page(page, "preview", label)
        page.get_by_text("Address and digest").click()
        page.get_by_text("The credential as JSON (before signing)").click()
        _check_page(page, "preview-open", label)

        # Back to edit keeps what was chosen; then preview again and sign.
        with page.expect_navigation():
            page.get_by_role("button", name="Back to edit").first.click()
        picked = page.get_by_label("Endorsement evidence (required)")
        assert picked.evaluate("e => e.options[e.selectedIndex].text").startswith(ACCREDITATION)
        with page.expect_navigation():
            page.get_by_role("button", name="Preview the credential").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Sign and issue").first.click()
        assert page.get_by_text("The credential was issued.").count() == 1
        records = [r for r in service.store.credentials(tenant.id) if r.id != upstream.id]
        assert len(records) == 1
        document, _ = unwrap_credential(records[0].document)
        link = document["credentialSubject"]["authorisation"][0]["endorsementEvidence"]
        assert link["digestMultibase"] == expected
        requests.assert_only(origin)


def upstream_record(service: Service, tenant_id: str) -> Any:
    (record,) = service.store.credentials(tenant_id)
    return record


def _options(select: Any) -> list[str]:
    texts: list[str] = select.evaluate("e => Array.from(e.options).map(o => o.text)")
    return texts
