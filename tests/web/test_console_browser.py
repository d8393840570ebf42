"""The issuer console's credential list in a real browser (Debian's chromium via Playwright).

A certifier signs in (a wrong key first), sees its credentials by name, product, kind, date and
status, searches them, turns to page 2, opens one (its name as the heading, the id in small
print) and revokes it. Every state is checked with axe-core (no serious or critical violation)
at desktop and phone width; at 360 px nothing scrolls sideways, each credential is a card, and
no word is broken inside (ids aside); any request outside the service fails the test.
Screenshots go to ``test-artifacts/web/console-*.png``. The issue forms are tested in
``test_issue_browser.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web._a11y import keyboard_failures
from tests.web._axe import assert_no_serious
from tests.web._live import (
    ARTIFACTS,
    VIEWPORTS,
    RequestLog,
    broken_words,
    no_sideways_scroll,
    opened,
    require_browser,
)
from tests.web.test_console import COPPER_CHAIN, example_credential, untp_example
from vcservice.service import IssueCommand, Service
from vcservice.web.console import PAGE_SIZE

pytestmark = pytest.mark.network
require_browser()

FILLERS = PAGE_SIZE - len(COPPER_CHAIN) + 3  # three on page 2
TOTAL = len(COPPER_CHAIN) + FILLERS
WIRE = "Sale of 45 t Cu 8.0 MIX wire (lot MKW-2026-031) with its credits to Nordlys Computers"
PASSPORT = "Digital product passport — copper wire Cu 8.0 MIX, lot MKW-2026-031"

SEARCH = "Search your credentials"


def _issue_everything(service: Service) -> str:
    """A tenant with the copper chain and enough older credentials for a second page."""
    api_key: str = service.create_tenant("nordic-metals")["api_key"]
    tenant = service.store.tenant_by_name("nordic-metals")
    assert tenant is not None
    for n in range(FILLERS):
        document = {**example_credential(n), "name": f"Copper scrap lot SCR-{n:03d}"}
        service.issue(tenant, IssueCommand(document, status_purposes=("revocation",)))
    for name in COPPER_CHAIN:
        command = IssueCommand(untp_example(name), status_purposes=("revocation", "suspension"))
        service.issue(tenant, command)
    return api_key


def _check(page: Any, name: str, label: str, width: int) -> None:
    """axe, keyboard reach and visible focus, no sideways scrolling, no word broken inside;
    then a screenshot."""
    assert_no_serious(page)
    assert keyboard_failures(page) == []
    no_sideways_scroll(page, width)
    assert broken_words(page) == []
    page.screenshot(path=str(ARTIFACTS / f"console-{name}-{label}.png"), full_page=True)


def _submit(page: Any, label: str, text: str) -> None:
    """Type ``text`` into the field labelled ``label`` and press Enter, as a keyboard user
    submits a form; returns when the next page has loaded."""
    page.get_by_label(label).fill(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _names(page: Any) -> list[str]:
    names: list[str] = page.get_by_test_id("credential-link").all_inner_texts()
    return names


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_list_search_page_two_detail_and_revoke(
    origin: str, browser: Any, service: Service, viewport: tuple[int, int], label: str
) -> None:
    api_key = _issue_everything(service)
    width = viewport[0]
    with opened(browser, viewport) as page:
        requests = RequestLog(page)

        # sign in (a wrong key first)
        page.goto(f"{origin}/console")
        assert page.url == f"{origin}/console/login"
        _check(page, "login", label, width)
        _submit(page, "API key", "vcs_wrong")
        assert "That API key is not valid" in page.get_by_test_id("error").inner_text()
        _check(page, "login-error", label, width)
        page.get_by_label("API key").fill(api_key)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{origin}/console")

        # the list: names, products, kinds, dates, status; newest first
        assert page.get_by_test_id("credential-row").count() == PAGE_SIZE
        assert _names(page)[0] == "Accreditation of Nordic Metals Certification AB"
        listed = page.get_by_test_id("credentials").inner_text()
        for words in (
            "Product passport",
            "Traceability event – move",
            "Certificate – carbon footprint",
            "Copper wire 8 mm, Cu 8.0 MIX",
            "active",
        ):
            assert words in listed, words
        assert "urn:uuid" not in page.locator("main").inner_text()
        assert f"1–{PAGE_SIZE} of {TOTAL}" in page.get_by_test_id("range").inner_text()
        first_row = page.get_by_test_id("credential-row").first.bounding_box()
        if label == "phone":  # a card: as wide as the page, its fields stacked
            assert first_row["width"] <= width
            assert first_row["height"] > 100
        else:
            assert first_row["height"] < 100
        _check(page, "list", label, width)

        # page 2
        with page.expect_navigation():
            page.get_by_role("link", name="Older →").click()
        assert page.url == f"{origin}/console?page=2"
        assert _names(page) == [f"Copper scrap lot SCR-{n:03d}" for n in (2, 1, 0)]
        assert f"{PAGE_SIZE + 1}–{TOTAL} of {TOTAL}" in page.get_by_test_id("range").inner_text()
        _check(page, "page-2", label, width)

        # search, from the form
        page.get_by_label(SEARCH).fill("wire  nordlys")
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        assert _names(page) == [WIRE]
        assert "1 credential matches “wire nordlys”" in page.get_by_test_id("range").inner_text()
        assert page.get_by_label(SEARCH).input_value() == "wire nordlys"
        _check(page, "search", label, width)
        _submit(page, SEARCH, "nickel")
        assert "No credential matches “nickel”" in page.get_by_test_id("empty").inner_text()
        _check(page, "search-none", label, width)
        _submit(page, SEARCH, "passport")
        assert _names(page) == [PASSPORT]

        # the detail page: the name as heading, the id in small print; revoke
        with page.expect_navigation():
            page.get_by_role("link", name=PASSPORT).click()
        assert page.get_by_role("heading", level=1).inner_text() == PASSPORT
        assert page.get_by_test_id("kind").inner_text() == "Product passport"
        assert page.get_by_test_id("credential-id").inner_text().startswith("urn:uuid:")
        assert page.get_by_test_id("products").inner_text() == "Copper wire 8 mm, Cu 8.0 MIX"
        assert page.get_by_test_id("state").inner_text() == "active"
        _check(page, "detail", label, width)
        page.get_by_text("Technical details").click()
        assert "DigitalProductPassport" in page.get_by_test_id("technical").inner_text()
        _check(page, "detail-technical", label, width)
        page.get_by_label("I understand revocation is permanent").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Revoke").click()
        assert "The credential is revoked" in page.get_by_test_id("notice").inner_text()
        assert page.get_by_test_id("state").inner_text() == "revoked"
        _check(page, "revoked", label, width)

        page.get_by_role("link", name="Credentials", exact=True).click()
        page.wait_for_url(f"{origin}/console")
        row = page.get_by_test_id("credential-row").filter(has_text=PASSPORT)
        assert row.get_by_test_id("state").inner_text() == "revoked"

        # refusals are pages too: an overlong search, an unknown credential
        response = page.goto(f"{origin}/console?q={'x' * 201}")
        assert response.status == 400
        assert "Shorten it and try again." in page.get_by_test_id("error").inner_text()
        _check(page, "search-too-long", label, width)
        response = page.goto(f"{origin}/console/credential?id=urn%3Auuid%3Anothing")
        assert response.status == 404
        _check(page, "not-found", label, width)

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{origin}/console/login?done=signed-out")
    requests.assert_only(origin)
