"""The console's Keys page: identity, keys, rotation through the form (CSRF), deactivation's
confirmation step, and the audit trail's verdict, which an edited database row turns; and the
page in a real browser (axe-core, keyboard, phone width), skipped without chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.serve import serving
from tests.web._a11y import keyboard_failures
from tests.web._axe import assert_no_serious
from tests.web._live import (
    ARTIFACTS,
    VIEWPORTS,
    launched,
    no_sideways_scroll,
    opened,
    require_browser,
)
from tests.web.test_console import example_credential
from tests.webvh import PUBLIC_URL, webvh_settings
from vcservice.api import create_app
from vcservice.keys import KeyType
from vcservice.service import DidMethod, IssueCommand, Service

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = Service.from_settings(webvh_settings(tmp_path))
    yield svc
    svc.close()


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    app = create_app(service=service)
    with TestClient(app, base_url=PUBLIC_URL, raise_server_exceptions=False) as test_client:
        yield test_client


def signed_in(
    service: Service,
    client: TestClient,
    name: str,
    did_method: DidMethod = "web",
    *,
    pre_rotation: bool = False,
) -> str:
    """Create tenant ``name``, sign the client in as it; its console CSRF token."""
    created = service.create_tenant(name, did_method=did_method, pre_rotation=pre_rotation)
    api_key = created["api_key"]
    response = client.post("/console/login", data={"api_key": api_key}, follow_redirects=False)
    assert response.status_code == 303
    match = CSRF.search(client.get("/console/keys").text)
    assert match is not None
    return match[1]


def test_rotate_deactivate_and_audit_trail(service: Service, client: TestClient) -> None:
    csrf = signed_in(service, client, "cb", "webvh", pre_rotation=True)
    page = client.get("/console/keys")
    assert page.status_code == 200
    assert '<a href="/console/keys" aria-current="page">Keys</a>' in page.text
    assert "did:webvh:" in page.text
    assert "Pre-rotation</dt><dd>on" in page.text
    assert "The trail verifies: all 4 events" in page.text
    assert "Deactivate</button>" in page.text

    refused = client.post("/console/keys/rotate", data={"key_type": "p256", "csrf": "0" * 64})
    assert refused.status_code == 403
    rotated = client.post(
        "/console/keys/rotate", data={"key_type": "p384", "csrf": csrf}, follow_redirects=False
    )
    assert rotated.status_code == 303
    page = client.get(rotated.headers["location"])
    assert "A new signing key is in use" in page.text
    rows = re.findall(r'data-testid="key-state">([^<]+)<', page.text)
    assert [r.split()[0] for r in rows] == ["retired", "in"]
    assert "P-384 (ECDSA)" in page.text
    assert "took over; retired: key-1" in page.text

    # Deactivation needs the box ticked; then there is nothing left to rotate.
    unconfirmed = client.post("/console/keys/deactivate", data={"csrf": csrf})
    assert unconfirmed.status_code == 400
    assert "I understand deactivation is permanent" in unconfirmed.text
    done = client.post(
        "/console/keys/deactivate", data={"csrf": csrf, "confirm": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Your DID is deactivated" in page.text
    assert "Rotate</button>" not in page.text
    assert "Deactivate</button>" not in page.text
    assert re.search(r"<td data-label=\"Event\">deactivated</td>", page.text)


def test_an_edited_trail_says_so(service: Service, client: TestClient) -> None:
    signed_in(service, client, "plain")
    assert "The trail verifies: all 1 event is" in client.get("/console/keys").text
    with service.store.engine.begin() as connection:
        connection.execute(text('UPDATE key_events SET detail = \'{"backend":"pkcs11"}\''))
    page = client.get("/console/keys")
    assert "The trail does not verify: event 1 is not what the chain records" in page.text


def test_did_key_tenant_cannot_rotate(service: Service, client: TestClient) -> None:
    csrf = signed_in(service, client, "fixed", "key")
    page = client.get("/console/keys").text
    assert "A did:key is its key: it cannot rotate" in page
    assert "Rotate</button>" not in page
    refused = client.post("/console/keys/rotate", data={"key_type": "ed25519", "csrf": csrf})
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text


@pytest.mark.network
@pytest.mark.parametrize(("viewport", "label"), VIEWPORTS)
def test_keys_page_in_a_browser(service: Service, viewport: tuple[int, int], label: str) -> None:
    """axe, keyboard reach and focus, no sideways scrolling at phone width, for a did:webvh
    tenant that has rotated and signed: the page with every section it can show."""
    require_browser()
    api_key = service.create_tenant("cb", did_method="webvh")["api_key"]
    tenant = service.store.tenant_by_name("cb")
    assert tenant is not None
    service.add_key(tenant, KeyType.P256)
    service.issue(tenant, IssueCommand(example_credential(1), format="vc+jwt"))
    with serving(service) as origin, launched() as browser, opened(browser, viewport) as page:
        page.goto(f"{origin}/console/login")
        page.get_by_label("API key").fill(api_key)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{origin}/console")
        page.get_by_role("link", name="Keys").click()
        page.wait_for_url(f"{origin}/console/keys")
        assert "The trail verifies" in page.get_by_test_id("trail-check").inner_text()
        assert_no_serious(page)
        assert keyboard_failures(page) == []
        no_sideways_scroll(page, viewport[0])
        page.screenshot(path=str(ARTIFACTS / f"console-keys-{label}.png"), full_page=True)
