"""Linksets: RFC 9264 contexts with UNTP link types, valid against UNTP's linkset schema."""

from __future__ import annotations

import json
from typing import get_args

import jsonschema  # type: ignore[import-untyped]

from tests.conftest import REPO
from vcservice.api.routers.resolver import LinkTypeName
from vcservice.resolver import (
    LINK_TYPES,
    Link,
    default_link,
    linkset,
    parse_path,
    read_linkset,
    resolver_description,
)

ROOT = "https://resolver.example"
SCHEMA = REPO / "tests" / "fixtures" / "untp" / "untp-0.7.0" / "schema" / "LinksetSchema.json"
ITEM = parse_path("/01/09506000164908/21/S1")
PRODUCT = parse_path("/01/09506000164908")


def _page(url: str) -> str:
    return f"{ROOT}/verify?url={url}"


def test_item_and_product_contexts_newest_first_with_versions_and_the_page() -> None:
    links = {
        ITEM: [
            Link("dpp", "https://c.example/dpp-2", "Passport", "application/vc"),
            Link("dpp", "https://c.example/dpp-1", "Passport", "application/vc"),
        ],
        PRODUCT: [Link("dcc", "https://cert.example/dcc", "Certificate", "application/vc+jwt")],
    }
    document = linkset(ITEM, links, root=ROOT, page=_page)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    item, product = document["linkset"]
    assert item["anchor"] == ROOT + ITEM.path
    assert [t["href"] for t in item["dpp"]] == [
        "https://c.example/dpp-2",
        "https://c.example/dpp-1",
    ]
    assert "rel" not in item["dpp"][0]
    assert item["dpp"][1]["rel"] == ["predecessor-version"]
    assert item["pip"] == [
        {
            "href": _page(ROOT + ITEM.path),
            "title": "Verify this product's passport and its evidence",
            "type": "text/html",
        }
    ]
    assert product["anchor"] == ROOT + PRODUCT.path
    assert "pip" not in product  # no passport there: nothing for the buyer page to verify
    assert default_link(document) == "https://c.example/dpp-2"
    assert default_link(document, "dcc") == "https://cert.example/dcc"
    assert default_link(document, "dfr") is None


def test_an_item_without_links_of_its_own_answers_with_its_products() -> None:
    links = {PRODUCT: [Link("dpp", "https://c.example/dpp", "Passport", "application/vc")]}
    document = linkset(ITEM, links, root=ROOT)
    assert [c["anchor"] for c in document["linkset"]] == [ROOT + PRODUCT.path]
    assert default_link(document) == "https://c.example/dpp"


def test_the_description_lists_keys_and_link_types() -> None:
    description = resolver_description(ROOT, "test")
    assert description["resolverRoot"] == ROOT
    assert description["supportedPrimaryKeys"] == ["01", "414", "417", "id"]
    assert [t["linkType"] for t in description["supportedLinkType"]] == list(LINK_TYPES)
    assert get_args(LinkTypeName) == tuple(LINK_TYPES)  # the API's enum is the same list


def test_a_linkset_read_from_elsewhere_keeps_what_is_known_here_or_is_refused() -> None:
    target = {"href": "https://c.example/dpp", "title": "Passport"}
    read = read_linkset(
        {
            "linkset": [
                {
                    "anchor": "https://a.example/01/1",
                    "https://ref.gs1.org/voc/dpp": [target],
                    "dpp": [target],
                    "x-other": 3,
                }
            ]
        }
    )
    assert read == {"linkset": [{"anchor": "https://a.example/01/1", "dpp": [target, target]}]}
    assert read_linkset({"linkset": [{"dpp": [{"title": "no href"}]}]}) is None
    assert read_linkset({"linkset": [{"dpp": {"href": "not in a list"}}]}) is None
    assert read_linkset({"links": []}) is None
    assert read_linkset([]) is None
