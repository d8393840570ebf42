"""``GET /`` (HTML or JSON by ``Accept``), and ``/docs`` and ``/redoc`` served with no CDN.

The browser side (every request a rendered page makes stays on the service) is in
``tests/web/test_landing_browser.py``; here the pages and assets are checked over the ASGI
transport: what they reference, media types, caching and the Content-Security-Policy.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from vcservice import __version__
from vcservice.api.routers.docs import ASSETS
from vcservice.api.routers.landing import LINKS, wants_json


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: nothing here touches the database, so PostgreSQL would add only time."""
    return f"sqlite:///{tmp_path / 'vcservice.db'}"


def _csp(response: httpx.Response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    directives = (part.strip().split(" ", 1) for part in header.split(";"))
    return {name: value for name, value in directives}


LANDING_LINKS = {
    "verify": "/verify",
    "console": "/console",
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "vocabulary": "/vocab/",
    "health": "/healthz",
}


@pytest.mark.parametrize(
    "accept", [None, "*/*", "text/html", "text/html,application/xhtml+xml,*/*;q=0.8"]
)
def test_the_landing_page_is_html_for_browsers_and_curl(
    client: TestClient, accept: str | None
) -> None:
    response = client.get("/", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "Accept"
    assert _csp(response)["default-src"] == "'none'"
    html = response.text
    assert "Verifiable Credentials" in html
    for href in LANDING_LINKS.values():
        assert f'href="{href}"' in html
    assert not re.search(r"(src|href)=\"https?://", html)  # no external assets


@pytest.mark.parametrize(
    "accept", ["application/json", "application/json, text/html;q=0.5", "application/*"]
)
def test_the_landing_page_is_json_when_asked_for(client: TestClient, accept: str) -> None:
    response = client.get("/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept"
    body = response.json()
    assert body["name"] == "vcservice"
    assert body["version"] == __version__
    assert body["links"] == LANDING_LINKS
    assert {link.key: link.href for link in LINKS} == LANDING_LINKS


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        ("", False),
        ("application/json;q=0.9, text/html", False),
        ("text/html;q=0, application/json;q=0.1", True),
        ("application/json;q=0", False),
        ("APPLICATION/JSON", True),
        ("application/json;q=oops, text/html;q=0.1", False),  # a garbled q: not acceptable
        ("image/png", False),
    ],
)
def test_accept_negotiation(accept: str, json: bool) -> None:
    assert wants_json(accept) is json


def test_every_landing_link_resolves(client: TestClient) -> None:
    for href in LANDING_LINKS.values():
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_reference_only_local_assets(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    references = re.findall(r"(?:src|href|spec-url|data-openapi-url)=\"([^\"]+)\"", html)
    assert references
    for reference in references:
        assert reference.startswith(("/docs/assets/", "/openapi.json")), reference
        assert client.get(reference).status_code == 200, reference
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # no inline script: the CSP allows none


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_csp_allows_only_this_origin(client: TestClient, path: str) -> None:
    csp = _csp(client.get(path))
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["style-src"].split()[0] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    for value in csp.values():
        assert "http" not in value, csp
        assert "*" not in value, csp


def test_fastapi_s_cdn_pages_are_gone(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        assert "cdn.jsdelivr.net" not in client.get(path).text
    assert client.get("/docs/oauth2-redirect").status_code == 404


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("swagger-init.js", "text/javascript"),
        ("redoc.standalone.js", "text/javascript"),
        ("favicon.png", "image/png"),
    ],
)
def test_assets_are_served_with_their_media_type(
    client: TestClient, name: str, media_type: str
) -> None:
    response = client.get(f"/docs/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "max-age" in response.headers["cache-control"]
    assert len(response.content) > 100
    etag = response.headers["etag"]
    again = client.get(f"/docs/assets/{name}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert not again.content


def test_every_asset_is_tested() -> None:
    assert set(ASSETS) == {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-init.js",
        "redoc.standalone.js",
        "favicon.png",
    }


def test_redoc_is_served_without_its_cdn_logo(client: TestClient) -> None:
    assert b"cdn.redoc.ly" not in client.get("/docs/assets/redoc.standalone.js").content


@pytest.mark.parametrize("name", ["nope.js", "..%2Fcore.py", "favicon.ico"])
def test_other_asset_names_are_a_404_problem(client: TestClient, name: str) -> None:
    response = client.get(f"/docs/assets/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
