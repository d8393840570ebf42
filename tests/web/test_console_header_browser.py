"""The console header ("Signed in as …", the navigation, "Sign out") on a phone: it wraps
between words, never inside one, whatever the length of the tenant's name; and it never
makes the page scroll sideways. Real browser (Debian's chromium via Playwright).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web._axe import assert_no_serious
from tests.web._live import (
    ARTIFACTS,
    VIEWPORTS,
    broken_words,
    no_sideways_scroll,
    opened,
    require_browser,
)
from vcservice.service import Service

pytestmark = pytest.mark.network
require_browser()

#: Tenant names: a usual one, and one long word that still fits a phone's line on its own.
NAMES = ["nordic-metals", "nordicmetalscertificationbody"]


@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
@pytest.mark.parametrize("name", NAMES)
def test_the_signed_in_bar_breaks_between_words_only(
    origin: str, browser: Any, service: Service, name: str, viewport: tuple[int, int], label: str
) -> None:
    api_key = service.create_tenant(name)["api_key"]
    with opened(browser, viewport) as page:
        page.goto(f"{origin}/console/login")
        page.get_by_label("API key").fill(api_key)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        header = page.locator("header")
        assert f"Signed in as {name}" in header.inner_text()
        style = header.evaluate(
            "(h) => { const s = getComputedStyle(h.querySelector('.who'));"
            " return [s.overflowWrap, s.wordBreak]; }"
        )
        assert style == ["break-word", "normal"], style
        assert broken_words(page, "header") == []
        no_sideways_scroll(page, viewport[0])
        assert_no_serious(page)
        page.screenshot(path=str(ARTIFACTS / f"console-header-{len(name)}-{label}.png"))
