"""The verification page in a real browser (Debian's chromium driven by Playwright).

The service runs under uvicorn in a thread on a free loopback port. Every request the page
makes is recorded: anything outside the service's origin fails the test. Screenshots are kept
in ``test-artifacts/web/``.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO
from tests.web.conftest import passport_bundle
from vcservice.api import create_app
from vcservice.service import Service

pytestmark = pytest.mark.network
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM = shutil.which("chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if CHROMIUM is None:
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def origin(service: Service) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        create_app(service=service), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM)
        yield instance
        instance.close()


def _submit(page: Any, origin: str, bundle: dict[str, Any]) -> None:
    page.goto(f"{origin}/verify")
    page.get_by_label("Paste a credential or a provenance-graph bundle").fill(json.dumps(bundle))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("[data-testid=verdict]")


@pytest.mark.parametrize(("viewport", "label"), [((1280, 900), "desktop"), ((360, 740), "phone")])
def test_the_copper_passport_and_a_tampered_chain(
    origin: str, browser: Any, viewport: tuple[int, int], label: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

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

    if label == "phone":  # nothing but the graph may scroll sideways
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport[0] + 1, width
    context.close()
    assert requests, "no request recorded"
    outside = [url for url in requests if not url.startswith(origin + "/")]
    assert not outside, f"the page made requests outside the service: {outside}"
