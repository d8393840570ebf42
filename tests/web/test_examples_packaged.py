"""The example chains packaged with the wheel (``vcservice/web/examples/``) and the one-click
verification the landing page offers (``GET /verify/example/{name}``; issue 17, deliverable 1).

The packaged copies must be the example files byte for byte (``make examples`` writes both;
this test is what notices a copy left behind), the wheel must carry them, every one must
verify to the verdict its source gets when uploaded to ``/verify``, and a name that is not an
example must be a plain 404 page.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html.parser import HTMLParser
from importlib import resources

import pytest
from fastapi.testclient import TestClient

from tests.conftest import REPO
from vcservice.web.examples import CATALOGUE, CHAINS, FAILURES, packaged

EXAMPLES = REPO / "examples"
PACKAGE = REPO / "vcservice" / "web" / "examples"
NAMES = sorted(CATALOGUE)


class _Verdict(HTMLParser):
    """The attributes of the page's ``data-testid="verdict"`` element, in whatever order."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self.attrs is None and found.get("data-testid") == "verdict":
            self.attrs = found


def verdict_state(html: str) -> str | None:
    parser = _Verdict()
    parser.feed(html)
    assert parser.attrs is not None, "the page shows no verdict"
    return parser.attrs.get("data-state")


@pytest.mark.parametrize("name", NAMES)
def test_each_packaged_copy_is_its_source_byte_for_byte(name: str) -> None:
    example = CATALOGUE[name]
    source = EXAMPLES / example.source
    copy = PACKAGE / f"{name}.json"
    assert copy.read_bytes() == source.read_bytes(), (
        f"{copy.relative_to(REPO)} differs from {source.relative_to(REPO)}: run `make examples`"
    )
    assert packaged(name) == source.read_text(encoding="utf-8")


def test_the_package_holds_the_catalogue_and_nothing_else() -> None:
    """A copy no longer offered would ship in every wheel unseen."""
    files = {p.name for p in resources.files("vcservice.web.examples").iterdir()}
    shipped = {name for name in files if name.endswith(".json")}
    assert shipped == {f"{name}.json" for name in CATALOGUE}


def test_the_wheel_carries_the_copies() -> None:
    """setuptools' package-data for ``vcservice`` names them (the wheel smoke test serves
    ``/verify/example/copper`` from an installed wheel)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["vcservice"]
    for name in CATALOGUE:
        path = f"web/examples/{name}.json"
        assert any(fnmatch.fnmatch(path, pattern) for pattern in patterns), path


def test_the_catalogue_offers_every_chain_and_some_failures() -> None:
    assert [e.source for e in CHAINS] == [
        "copper/bundle.json",
        "steel/bundle.json",
        "battery/bundle.json",
    ]
    assert FAILURES
    assert all("/negative/" in e.source for e in FAILURES)
    for example in CATALOGUE.values():
        assert example.href == f"/verify/example/{example.name}"
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", example.name), example.name
        # plain words for a newcomer: no check ids (rollup.footprint), no URLs
        for words in (example.title, example.description):
            assert "://" not in words
            assert not re.search(r"[a-z]\.[a-z]", words), words


@pytest.mark.parametrize("name", NAMES)
def test_one_click_gives_the_verdict_an_upload_of_the_source_gets(
    client: TestClient, name: str
) -> None:
    example = CATALOGUE[name]
    response = client.get(example.href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    expected = "failed" if example in FAILURES else "passed"
    assert verdict_state(response.text) == expected
    source = (EXAMPLES / example.source).read_bytes()
    uploaded = client.post("/verify", files={"file": ("bundle.json", source)})
    assert uploaded.status_code == 200
    assert verdict_state(uploaded.text) == expected


@pytest.mark.parametrize("name", ["nickel", "copper.json", "COPPER", "copper-", "%2e%2e"])
def test_an_unknown_example_is_a_plain_404_page(client: TestClient, name: str) -> None:
    response = client.get(f"/verify/example/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no example called" in response.text
    for chain in CHAINS:  # the way on: the examples there are
        assert f'href="{chain.href}"' in response.text
    assert "Traceback" not in response.text


def test_the_landing_page_offers_each_example(client: TestClient) -> None:
    html = client.get("/", headers={"Accept": "text/html"}).text
    assert "Verify an example" in html
    for example in CATALOGUE.values():
        assert f'href="{example.href}"' in html, example.name
        assert example.title in html
    assert "8.0 kg CO2e per kg" in html  # what the copper chain claims, before any click
    assert "See a failure" in html


def test_the_landing_json_lists_the_examples(client: TestClient) -> None:
    body = client.get("/", headers={"Accept": "application/json"}).json()
    assert body["examples"] == {name: f"/verify/example/{name}" for name in CATALOGUE}
    assert client.get(body["examples"]["copper"]).status_code == 200


def test_the_empty_verify_form_offers_the_chains_too(client: TestClient) -> None:
    html = client.get("/verify").text
    for example in CHAINS:
        assert f'href="{example.href}"' in html, example.name
