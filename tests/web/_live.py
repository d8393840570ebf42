"""Shared fixtures for real-browser tests: the service under uvicorn on a free loopback port,
Debian's chromium driven by Playwright (never a downloaded browser), and a record of every
request a page makes, so that a test can fail on any that leaves the service.

Import the fixtures into a test module (``from tests.web._live import browser, origin``);
they need the ``service`` fixture of ``tests/web/conftest.py`` (``chromium`` does not: one
browser for a module that renders templates without a service). The helpers below are what
every browser test does to a page: open it at a viewport, paste a bundle, check it does not
scroll sideways.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import REPO
from tests.serve import serving
from vcservice.service import Service

ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM = shutil.which("chromium")
#: Viewports every page is tried at: a laptop, and a small phone (360 CSS pixels wide).
VIEWPORTS = [
    pytest.param((1280, 900), "desktop", id="desktop"),
    pytest.param((360, 740), "phone", id="phone"),
]


def require_browser() -> Any:
    """``playwright.sync_api``, or skip the calling module when it or chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if CHROMIUM is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium)",
            allow_module_level=True,
        )
    return sync_api


@pytest.fixture
def origin(service: Service) -> Iterator[str]:
    with serving(service) as url:
        yield url


@contextmanager
def launched() -> Iterator[Any]:
    """Debian's chromium under Playwright, closed on the way out."""
    sync_api = require_browser()
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM)
        yield instance
        instance.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    with launched() as instance:
        yield instance


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for the whole module: dozens of page states, one launch."""
    with launched() as instance:
        yield instance


@contextmanager
def opened(browser: Any, viewport: tuple[int, int]) -> Iterator[Any]:
    """A fresh page (its own context: no cookies shared) at ``viewport`` (width, height);
    the artifacts folder exists for its screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        yield context.new_page()
    finally:
        context.close()


def no_sideways_scroll(page: Any, width: int) -> None:
    """Nothing on the page is wider than ``width`` CSS pixels (the phone's 360)."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll} px wide at {width} px"


def paste_and_verify(page: Any, origin: str, bundle: dict[str, Any]) -> None:
    """Paste ``bundle`` into the verification form and wait for the verdict."""
    page.goto(f"{origin}/verify")
    page.get_by_label("Paste a credential or a provenance-graph bundle").fill(json.dumps(bundle))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("[data-testid=verdict]")


class RequestLog:
    """Every URL a page requested; :meth:`assert_only` fails on any outside ``origin``."""

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def assert_only(self, origin: str) -> None:
        assert self.urls, "no request recorded"
        outside = [url for url in self.urls if not url.startswith(origin + "/")]
        assert not outside, f"the page made requests outside the service: {outside}"


#: The alphabetic words under ``scope`` (ids and code aside) that the browser laid out over two
#: lines or more: a word broken inside ("Publishe/d"), which only a word too long for the line
#: may be.
_BROKEN_WORDS = """(selector) => {
  const broken = [];
  const scope = document.querySelector(selector);
  if (!scope) return broken;
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(".id, pre, code, .visually-hidden, thead")) continue;
    if (parent.getClientRects().length === 0) continue;
    for (const match of node.data.matchAll(/\\p{L}{2,}/gu)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def broken_words(page: Any, scope: str = "body") -> list[str]:
    """The words under the element ``scope`` (a CSS selector) broken across lines."""
    found: list[str] = page.evaluate(_BROKEN_WORDS, scope)
    return found
