"""The share section in a real browser (Debian's chromium driven by Playwright), at a laptop's
and a phone's width: the result link, its QR code and both reports, on a verified and on a
broken chain; axe finds nothing serious; the page never scrolls sideways. Screenshots go to
``test-artifacts/web/share-*.png``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.web._axe import assert_no_serious
from tests.web._live import (
    ARTIFACTS,
    VIEWPORTS,
    RequestLog,
    no_sideways_scroll,
    opened,
    paste_and_verify,
    require_browser,
)
from tests.web.conftest import passport_bundle

pytestmark = pytest.mark.network
require_browser()


def _check_share(page: Any, origin: str, width: int) -> str:
    """The share section as a buyer meets it; returns the result link's path."""
    section = page.get_by_test_id("share")
    section.scroll_into_view_if_needed()
    assert section.is_visible()
    qr = page.get_by_test_id("share-qr")
    assert qr.is_visible()
    assert qr.get_attribute("alt") == "QR code of the link to this result"
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    link = page.get_by_test_id("share-link").get_attribute("href") or ""
    assert page.get_by_test_id("share-url").input_value() == link
    path = urlsplit(link).path
    assert path.startswith("/verify/r/")
    for name, kind in (("share-pdf", "application/pdf"), ("share-json", "application/json")):
        href = page.get_by_test_id(name).get_attribute("href")
        response = page.request.get(origin + href)
        assert response.status == 200, href
        assert response.headers["content-type"] == kind
        assert response.headers["content-disposition"].startswith("attachment;")
    no_sideways_scroll(page, width)
    return path


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
@pytest.mark.parametrize(
    ("bundle", "state"), [("bundle.json", "passed"), ("negative/links.digest.json", "failed")]
)
def test_the_share_section_at_both_sizes(
    origin: str,
    browser: Any,
    viewport: tuple[int, int],
    label: str,
    bundle: str,
    state: str,
) -> None:
    width = viewport[0]
    with opened(browser, viewport) as page:
        requests = RequestLog(page)
        name = "verified" if state == "passed" else "broken"

        paste_and_verify(page, origin, passport_bundle(bundle))
        assert page.get_by_test_id("verdict").get_attribute("data-state") == state
        path = _check_share(page, origin, width)
        page.get_by_test_id("share").screenshot(path=str(ARTIFACTS / f"share-{name}-{label}.png"))
        assert_no_serious(page)

        # the report facts, one click away
        facts = page.get_by_test_id("report-facts")
        assert not facts.get_by_test_id("report-checks").is_visible()
        facts.locator("summary").click()
        assert facts.get_by_test_id("report-checks").is_visible()
        assert facts.get_by_test_id("input-sha256").inner_text().strip()
        no_sideways_scroll(page, width)
        assert_no_serious(page)
        facts.get_by_test_id("report-checks").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"share-{name}-facts-{label}.png"), full_page=False)

        # the link re-runs the check: same verdict, same link
        page.goto(origin + path)
        assert page.get_by_test_id("verdict").get_attribute("data-state") == state
        assert urlsplit(page.get_by_test_id("share-link").get_attribute("href") or "").path == path
        no_sideways_scroll(page, width)
        assert_no_serious(page)
    requests.assert_only(origin)


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_an_unknown_result_link_says_so_in_plain_words(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    width = viewport[0]
    with opened(browser, viewport) as page:
        response = page.goto(f"{origin}/verify/r/{'0' * 64}")
        assert response.status == 404
        assert "This result link is not known here" in page.get_by_test_id("error").inner_text()
        no_sideways_scroll(page, width)
        assert_no_serious(page)
        page.screenshot(path=str(ARTIFACTS / f"share-unknown-{label}.png"), full_page=False)


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_a_result_too_large_for_a_pdf_says_so_and_offers_the_json(
    origin: str,
    browser: Any,
    viewport: tuple[int, int],
    label: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vcservice.web import report_pdf

    monkeypatch.setattr(report_pdf, "MAX_CREDENTIALS", 3)
    width = viewport[0]
    with opened(browser, viewport) as page:
        paste_and_verify(page, origin, passport_bundle())
        kept = page.get_by_test_id("share-kept").inner_text()
        assert "keeps what you verified" in kept
        assert "days" in kept
        path = urlsplit(page.get_by_test_id("share-link").get_attribute("href") or "").path
        response = page.goto(f"{origin}{path}/report.pdf")
        assert response.status == 413
        assert "too large for a PDF report" in page.get_by_test_id("refused-reason").inner_text()
        json_link = page.get_by_test_id("refused-json").get_attribute("href")
        assert json_link == f"{path}/report.json"
        no_sideways_scroll(page, width)
        assert_no_serious(page)
        page.screenshot(path=str(ARTIFACTS / f"share-pdf-refused-{label}.png"), full_page=False)
