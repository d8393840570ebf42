"""Several files chosen at once in the verification page's file picker, in a real browser
(Debian's chromium driven by Playwright) at phone width; the screenshot goes to
``test-artifacts/web/multi-upload-phone.png``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.web._a11y import assert_accessible
from tests.web._live import ARTIFACTS, no_sideways_scroll, opened, require_browser
from tests.web.conftest import COPPER
from tests.web.test_multi_upload import _chain_paths, _time_only

pytestmark = pytest.mark.network
require_browser()


def test_several_files_chosen_in_a_phone_browser(
    chromium: Any, origin: str, tmp_path: Path
) -> None:
    """At 360 px: the chain's files and one stray chosen in the picker give the verified
    copper verdict, with a note naming the stray; the form and the result stay accessible
    and never scroll sideways."""
    name, data = _time_only()
    (tmp_path / name).write_bytes(data)
    battery = json.loads((COPPER.parent / "battery" / "bundle.json").read_text())
    stray = tmp_path / "stray.json"
    stray.write_text(json.dumps(next(iter(battery["documents"].values()))))
    chosen = [*map(str, _chain_paths()), str(tmp_path / name), str(stray)]
    with opened(chromium, (360, 740)) as page:
        page.goto(f"{origin}/verify")
        assert page.get_attribute("#file", "multiple") is not None
        assert_accessible(page)
        page.screenshot(path=str(ARTIFACTS / "multi-upload-form-phone.png"), full_page=True)
        page.set_input_files("#file", chosen)
        page.get_by_role("button", name="Verify").click()
        page.wait_for_selector("[data-testid=verdict]")
        assert page.get_attribute("[data-testid=verdict]", "data-verified") == "true"
        assert "“stray.json”" in page.locator("[data-testid=upload-note]").inner_text()
        page.screenshot(path=str(ARTIFACTS / "multi-upload-phone.png"), full_page=True)
        no_sideways_scroll(page, 360)
        assert_accessible(page, keyboard=False)
