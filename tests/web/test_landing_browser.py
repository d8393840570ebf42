"""The landing page and the API docs in a real browser (Debian's chromium driven by Playwright).

``/``: every link is there and leads to a page that answers 200, and the page passes the
accessibility checks (axe-core, and :mod:`tests.web._a11y`'s own) at desktop and phone width.
One click on an example chain gives its verdict page, and a failing variant its failure; an
unknown example is a readable 404 page. ``/docs`` and ``/redoc``: Swagger UI and ReDoc
render the API from assets this service serves, and nothing else: every request the page makes
(a ReDoc search worker is a ``blob:`` of this origin) goes to the service, the
Content-Security-Policy reports no violation, and the console no error; Swagger UI's "Try it
out" reaches the service too. Screenshots go to ``test-artifacts/web/``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web._a11y import assert_accessible
from tests.web._axe import assert_no_serious
from tests.web._live import ARTIFACTS, VIEWPORTS, RequestLog, no_sideways_scroll, require_browser
from vcservice.api import create_app
from vcservice.api.routers.landing import LINKS
from vcservice.service import Service
from vcservice.web.examples import CHAINS, FAILURES

pytestmark = pytest.mark.network
require_browser()

#: Runs before any page script: keeps every CSP violation the page would otherwise only log.
_RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
"""


class Watch:
    """What a page did besides rendering: requests, CSP violations and console errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests = RequestLog(page)
        self.errors: list[str] = []
        page.add_init_script(_RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: Any) -> None:
        where = message.location.get("url", "")
        # The browser asks for /favicon.ico by itself on pages that name no icon (the JSON
        # ones); the service has none, and that 404 is no error of the page.
        if message.type == "error" and not where.endswith("/favicon.ico"):
            self.errors.append(f"{message.text} ({where})")

    def assert_clean(self, origin: str) -> None:
        own = (origin + "/", f"blob:{origin}/")
        outside = [url for url in self.requests.urls if not url.startswith(own)]
        assert self.requests.urls, "no request recorded"
        assert not outside, f"the page made requests outside the service: {outside}"
        assert self.page.evaluate("window.__violations") == []
        assert self.errors == []


def _landed(response: Any) -> bool:
    """The response a followed link ends on: a page load, after any redirect (``/console``
    sends a visitor who is not signed in to its sign-in page)."""
    request = response.request
    redirect = 300 <= response.status < 400
    return bool(request.is_navigation_request()) and not redirect


def _operations(service: Service) -> int:
    paths = create_app(service=service).openapi()["paths"]
    return sum(len(item) for item in paths.values())


def test_swagger_ui_renders_from_the_service_alone(
    origin: str, browser: Any, service: Service
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto(f"{origin}/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == _operations(service)
    assert "vcservice" in page.locator(".info .title").inner_text()
    page.screenshot(path=str(ARTIFACTS / "docs-swagger-desktop.png"), full_page=False)
    # "Try it out" sends the request from the page: connect-src 'self' must allow it
    health = page.locator(".opblock", has=page.locator("[data-path='/healthz']"))
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    status = health.locator(".live-responses-table tr.response .response-col_status")
    status.wait_for()
    assert status.inner_text().strip() == "200"
    page.screenshot(path=str(ARTIFACTS / "docs-swagger-try-it-out.png"), full_page=False)
    watch.assert_clean(origin)
    page.close()


def test_redoc_renders_from_the_service_alone(origin: str, browser: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto(f"{origin}/redoc")
    page.get_by_role("heading", name="Issue a credential as the authenticated tenant").wait_for()
    assert page.locator("h1").first.inner_text().startswith("vcservice")
    page.screenshot(path=str(ARTIFACTS / "docs-redoc-desktop.png"), full_page=False)
    watch.assert_clean(origin)
    page.close()


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_the_landing_page_links_everywhere(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    watch = Watch(page)
    response = page.goto(f"{origin}/")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "vcservice"
    assert_accessible(page, keyboard=label == "desktop")
    page.screenshot(path=str(ARTIFACTS / f"landing-{label}.png"), full_page=True)
    for link in LINKS:
        anchor = page.locator(f"a[data-link={link.key}]")
        assert anchor.get_attribute("href") == link.href
        assert anchor.inner_text() == link.title
        with page.expect_response(_landed) as followed:
            anchor.click()
        assert followed.value.status == 200, link.href
        page.wait_for_load_state()
        page.go_back()
        page.wait_for_url(f"{origin}/")
    watch.assert_clean(origin)
    page.close()


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_one_click_from_the_landing_page_verifies_the_copper_example(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    watch = Watch(page)
    page.goto(f"{origin}/")
    examples = page.get_by_test_id("examples")
    assert examples.get_by_role("heading", name="Verify an example").is_visible()
    for chain in CHAINS:
        assert examples.locator(f"[data-example-link={chain.name}]").is_visible()
    copper = page.get_by_role("link", name="Verify the copper example")
    box = copper.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= viewport[1], "the copper example is below the first screen"
    no_sideways_scroll(page, viewport[0])
    assert_no_serious(page)
    page.screenshot(path=str(ARTIFACTS / f"landing-examples-{label}.png"), full_page=False)

    copper.click()
    page.wait_for_url(f"{origin}/verify/example/copper")
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-state") == "passed"
    assert verdict.is_visible()
    page.screenshot(path=str(ARTIFACTS / f"example-copper-{label}.png"), full_page=False)
    watch.assert_clean(origin)
    page.close()


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_a_failing_example_shows_its_failure(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(f"{origin}/")
    failure = FAILURES[0]
    page.get_by_role("link", name=failure.title).click()
    page.wait_for_url(f"{origin}{failure.href}")
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-state") == "failed"
    page.screenshot(path=str(ARTIFACTS / f"example-{failure.name}-{label}.png"), full_page=False)
    page.close()


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_an_unknown_example_is_a_readable_404(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    response = page.goto(f"{origin}/verify/example/nickel")
    assert response.status == 404
    assert "There is no example called" in page.get_by_test_id("error").inner_text()
    assert_accessible(page, keyboard=False)
    page.screenshot(path=str(ARTIFACTS / f"example-unknown-{label}.png"), full_page=False)
    page.close()
