"""From the product to its proof: the QR code of the copper wire's identifier, decoded by
``zbarimg`` (Debian's zbar-tools) as a phone's camera would, opened in a real browser, lands
through the resolver on the buyer page's verified copper graph.

The copper passport names its product ``https://id.malar-kabel.example/01/07350000000061/10/
MKW-2026-031``; the test registers that identifier (GTIN, lot) with the passport as its ``dpp``
link, as the wire maker would. The passport and its upstream credentials are served by a fake
network from the example bundle (loopback only), judged as of the bundle's verification time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.serve import free_port, serving
from tests.web._live import ARTIFACTS, launched
from tests.web.conftest import COPPER, PASSPORT
from vcservice.dids import StaticResolver
from vcservice.service import Service
from vcservice.settings import Settings
from vcservice.status import MapStatusListFetcher

ZBARIMG = shutil.which("zbarimg")
IDENTIFIER = "/01/07350000000061/10/MKW-2026-031"


class CopperNetwork:
    """The copper chain's credentials at their URLs, as their issuers would serve them."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents

    def fetch(self, url: str) -> Any:
        return self.documents[url]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Service]]:
    """The service over loopback, knowing its own origin (the resolver's root)."""
    bundle = json.loads((COPPER / "bundle.json").read_text())
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url=f"http://127.0.0.1:{port}",
        secret_key=SecretStr("A" * 43),
        trust_anchors=",".join(bundle["trustAnchors"]),
    )
    at = datetime.fromisoformat(bundle["verificationTime"]).astimezone(UTC)
    service = Service.from_settings(settings, clock=lambda: at)
    service.network_links = CopperNetwork(bundle["documents"])
    service.network_resolver = StaticResolver(bundle["didDocuments"])
    service.network_status = MapStatusListFetcher(bundle["documents"])
    try:
        with serving(service, port) as origin:
            yield origin, service
    finally:
        service.close()


def _decoded(png: bytes, folder: Path) -> str:
    """What a scanner reads from the QR code image."""
    path = folder / "qr.png"
    path.write_bytes(png)
    assert ZBARIMG is not None
    done = subprocess.run(
        [ZBARIMG, "--quiet", "--raw", str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(ZBARIMG is None, reason="zbarimg is missing (apt-get install zbar-tools)")
def test_the_copper_wire_qr_code_leads_to_its_verified_graph(
    live: tuple[str, Service], tmp_path: Path
) -> None:
    origin, service = live
    api_key = service.create_tenant("malar-kabel")["api_key"]
    headers = {"Authorization": f"Bearer {api_key}"}
    registered = httpx.post(
        f"{origin}/resolver/identifiers",
        json={"identifier": IDENTIFIER, "href": PASSPORT},
        headers=headers,
    )
    assert registered.status_code == 201, registered.text
    png = httpx.get(registered.json()["qrCode"]["png"])
    assert png.headers["content-type"] == "image/png"

    scanned = _decoded(png.content, tmp_path)
    assert scanned == f"{origin.upper()}{IDENTIFIER}"  # capitals: the denser QR mode

    with launched() as browser:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(scanned)
        verdict = page.locator("[data-testid=verdict]")
        verdict.wait_for()
        assert page.url.startswith(f"{origin}/verify?url=")
        assert verdict.get_attribute("data-state") == "passed"
        note = page.locator("[data-testid=upload-note]").inner_text()
        assert f"{origin}{IDENTIFIER}" in note
        assert PASSPORT in note
        assert page.locator("[data-testid=graph]").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "resolver-copper-phone.png"))
        context.close()
