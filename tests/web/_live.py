"""Shared fixtures for real-browser tests: the service under uvicorn on a free loopback port,
Debian's chromium driven by Playwright (never a downloaded browser), and a record of every
request a page makes, so that a test can fail on any that leaves the service.

Import the fixtures into a test module (``from tests.web._live import browser, origin``);
they need the ``service`` fixture of ``tests/web/conftest.py``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
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


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = require_browser()
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM)
        yield instance
        instance.close()


class RequestLog:
    """Every URL a page requested; :meth:`assert_only` fails on any outside ``origin``."""

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def assert_only(self, origin: str) -> None:
        assert self.urls, "no request recorded"
        outside = [url for url in self.urls if not url.startswith(origin + "/")]
        assert not outside, f"the page made requests outside the service: {outside}"
