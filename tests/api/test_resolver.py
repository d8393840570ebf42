"""The identity resolver over HTTP: registration on issue and by itself, content negotiation,
the linkset, QR codes, and what is refused."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import jsonschema  # type: ignore[import-untyped]
from fastapi.testclient import TestClient

from tests.api.conftest import PUBLIC_URL, auth, credential
from tests.conftest import REPO
from vcservice.service import Service

SCHEMA = REPO / "tests" / "fixtures" / "untp" / "untp-0.7.0" / "schema" / "LinksetSchema.json"
GTIN = "09506000164908"
ITEM = f"/01/{GTIN}/21/S1"
LINKSET = {"Accept": "application/linkset+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _issue(client: TestClient, key: str, **options: Any) -> dict[str, Any]:
    response = client.post(
        "/credentials/issue",
        json={"credential": credential(), "options": options},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _url(cid: str) -> str:
    return f"{PUBLIC_URL}/tenants/acme/credentials/{quote(cid, safe='')}"


def test_issue_registers_the_product_and_the_resolver_answers_each_client(
    client: TestClient, service: Service
) -> None:
    key = service.create_tenant("acme")["api_key"]
    first = _issue(
        client,
        key,
        format="eddsa-rdfc-2022",
        publish=True,
        registerIdentifiers=[
            f"https://id.gs1.org/01/{GTIN[1:]}/21/S1"  # a GTIN-13 elsewhere: the same product
        ],
    )
    _issue(client, key, format="vc+jwt", publish=True, registerIdentifiers=[ITEM])
    first_id = first["verifiableCredential"]["id"]
    registered = client.post(
        "/resolver/identifiers",
        json={"identifier": f"/01/{GTIN}", "linkType": "dcc", "href": "https://cert.example/c"},
        headers=auth(key),
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["identifier"] == f"{PUBLIC_URL}/01/{GTIN}"

    linkset = client.get(ITEM, headers=LINKSET)
    assert linkset.status_code == 200
    assert linkset.headers["content-type"] == "application/linkset+json"
    document = linkset.json()
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    item, product = document["linkset"]
    assert item["anchor"] == PUBLIC_URL + ITEM
    newest, older = item["dpp"]
    assert newest["type"] == "application/vc"  # a vc+jwt is served in its JSON envelope
    assert newest["href"] != _url(first_id)
    assert older == {
        "href": _url(first_id),
        "title": "Digital Product Passport",
        "type": "application/vc",
        "rel": ["predecessor-version"],
    }
    assert item["pip"][0]["href"] == f"{PUBLIC_URL}/verify?url={quote(PUBLIC_URL + ITEM, safe='')}"
    assert product == {
        "anchor": f"{PUBLIC_URL}/01/{GTIN}",
        "dcc": [
            {
                "href": "https://cert.example/c",
                "title": "Digital Conformity Credential",
                "type": "application/vc",
            }
        ],
    }
    assert client.get(ITEM, params={"linkType": "linkset"}).json() == document

    to_passport = client.get(ITEM, follow_redirects=False)  # no Accept: the default link
    assert to_passport.status_code == 307
    assert to_passport.headers["location"] == newest["href"]
    assert 'rel="linkset"' in to_passport.headers["link"]
    served = client.get(newest["href"].removeprefix(PUBLIC_URL))
    assert served.status_code == 200
    assert served.json()["type"] == "EnvelopedVerifiableCredential"
    dcc = client.get(ITEM, params={"linkType": "dcc"}, follow_redirects=False)
    assert (dcc.status_code, dcc.headers["location"]) == (307, "https://cert.example/c")
    page = client.get(ITEM, headers=BROWSER, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == item["pip"][0]["href"]

    listed = client.get("/resolver/identifiers", headers=auth(key)).json()
    assert [entry["identifier"] for entry in listed] == [
        f"{PUBLIC_URL}/01/{GTIN}",
        PUBLIC_URL + ITEM,
    ]
    newest_id, older_id = (link["credentialId"] for link in listed[1]["links"])
    assert older_id == first_id
    assert newest_id not in (None, first_id)  # the vc+jwt issued second
    svg = client.get(listed[1]["qrCode"]["svg"].removeprefix(PUBLIC_URL))
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg")
    png = client.get("/resolver/qr.png", params={"identifier": PUBLIC_URL + ITEM})
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")

    described = client.get("/.well-known/resolver").json()
    assert described["resolverRoot"] == PUBLIC_URL


def test_refusals(client: TestClient, service: Service) -> None:
    key = service.create_tenant("acme")["api_key"]
    other = service.create_tenant("other")["api_key"]
    private_id = _issue(client, key, format="eddsa-rdfc-2022")["verifiableCredential"]["id"]
    assert client.get(f"/01/{GTIN}").status_code == 404  # nobody registered it
    bad = client.get("/01/09506000164907")
    assert bad.status_code == 400
    assert "check digit" in bad.json()["detail"]
    assert client.get("/resolver/qr.svg", params={"identifier": f"/01/{GTIN}"}).status_code == 404

    refused = client.post(
        "/credentials/issue",
        json={"credential": credential(), "options": {"registerIdentifiers": [ITEM]}},
        headers=auth(key),
    )
    assert refused.status_code == 400
    assert "publish" in refused.json()["detail"]
    malformed = client.post(
        "/credentials/issue",
        json={
            "credential": credential(),
            "options": {"publish": True, "registerIdentifiers": ["/01/123"]},
        },
        headers=auth(key),
    )
    assert malformed.status_code == 400
    assert "digits" in malformed.json()["detail"]
    tenant = service.tenant_by_api_key(key)
    assert tenant is not None
    assert [r.id for r in service.credentials(tenant, limit=10, offset=0)] == [private_id]

    link = {"identifier": ITEM, "href": "https://a.example/dpp"}
    assert client.post("/resolver/identifiers", json=link, headers=auth(key)).status_code == 201
    taken = client.post("/resolver/identifiers", json=link, headers=auth(other))
    assert taken.status_code == 409
    assert client.get(ITEM, params={"linkType": "dfr"}).status_code == 404
    not_public = client.post(
        "/resolver/identifiers",
        json={"identifier": ITEM, "credentialId": private_id},
        headers=auth(key),
    )
    assert not_public.status_code == 400
    assert "published" in not_public.json()["detail"]
    both = client.post(
        "/resolver/identifiers",
        json={"identifier": ITEM, "href": "https://a.example", "credentialId": "x"},
        headers=auth(key),
    )
    assert both.status_code == 400
    plain = client.post(
        "/resolver/identifiers",
        json={"identifier": ITEM, "href": "http://a.example/dpp"},
        headers=auth(key),
    )
    assert plain.status_code == 400
    assert client.get("/resolver/identifiers").status_code == 401


def test_another_tenant_cannot_claim_a_lot_of_a_product_that_is_not_its_own(
    client: TestClient, service: Service
) -> None:
    owner = service.create_tenant("brand")["api_key"]
    other = service.create_tenant("other")["api_key"]
    body = {"identifier": f"/01/{GTIN}", "linkType": "dcc", "href": "https://cert.example/c"}
    assert client.post("/resolver/identifiers", json=body, headers=auth(owner)).status_code == 201
    lot = {**body, "identifier": f"/01/{GTIN}/10/LOT1", "href": "https://evil.example/dpp"}
    refused = client.post("/resolver/identifiers", json=lot, headers=auth(other))
    assert refused.status_code == 409, refused.text
    assert "another tenant" in refused.json()["detail"]
    # The other tenant may register its lot first, but the brand's GTIN links never mix in.
    other_gtin = "09506000164915"
    mine = {**body, "identifier": f"/01/{other_gtin}/10/LOT9", "href": "https://b.example/dpp"}
    assert client.post("/resolver/identifiers", json=mine, headers=auth(other)).status_code == 201
    theirs = {**body, "identifier": f"/01/{other_gtin}", "href": "https://a.example/dcc"}
    assert client.post("/resolver/identifiers", json=theirs, headers=auth(owner)).status_code == 201
    linkset = client.get(f"/01/{other_gtin}/10/LOT9", headers=LINKSET).json()
    assert "a.example" not in json.dumps(linkset)
