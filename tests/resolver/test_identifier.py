"""Identifiers: one canonical path per identifier, whatever the spelling; a mistyped key fails."""

from __future__ import annotations

import pytest

from vcservice.errors import InputError
from vcservice.resolver import Identifier, parse_identifier, parse_path

ROOT = "https://resolver.example"


@pytest.mark.parametrize(
    "text",
    [
        "/01/9506000164908/21/A1",  # GTIN-13
        "/01/09506000164908/21/A1",  # its 14-digit form
        "https://id.gs1.org/01/09506000164908/21/A1",  # another resolver: a GS1 key is global
        "https://brand.example/products/01/09506000164908/21/A1",  # behind a path prefix
        "https://resolver.example/id/01/09506000164908/21/A1",  # GS1 under this /id/
        "HTTPS://RESOLVER.EXAMPLE/01/09506000164908/21/A1",  # what a QR code carries
    ],
)
def test_spellings_of_one_gtin_are_one_identifier(text: str) -> None:
    identifier = parse_identifier(text, root=ROOT)
    assert identifier.path == "/01/09506000164908/21/A1"
    assert identifier.url(ROOT) == ROOT + "/01/09506000164908/21/A1"


def test_escapes_are_canonical_and_a_slash_stays_inside_its_value() -> None:
    identifier = parse_path("/01/09506000164908/10/ab%2fc/21/x%41")
    assert identifier.pairs == (("01", "09506000164908"), ("10", "ab/c"), ("21", "xA"))
    assert identifier.path == "/01/09506000164908/10/ab%2Fc/21/xA"
    assert parse_path(identifier.path) == identifier


def test_a_serialised_item_refines_its_lot_and_its_product() -> None:
    item = parse_path("/01/09506000164908/10/L1/21/S1")
    assert [i.path for i in item.less_granular()] == [
        "/01/09506000164908/10/L1",
        "/01/09506000164908",
    ]


def test_other_schemes_live_under_id() -> None:
    identifier = parse_identifier(f"{ROOT}/id/25S/UN0770/S/1234", root=ROOT)
    assert identifier == Identifier("iso18975", (("25S", "UN0770"), ("S", "1234")))
    assert identifier.path == "/id/25S/UN0770/S/1234"
    assert parse_path("/414/9506000164908").path == "/414/9506000164908"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("/01/09506000164907", "check digit"),
        ("/01/09506000164", "8 or 12 or 13 or 14 digits"),
        ("/01/09506000164908/21/S/10/L", "not allowed here"),  # serial before lot
        ("/01/09506000164908/21/" + "x" * 21, "1 to 20"),
        ("/417/9506000164908/21/S", "not allowed"),
        ("/01", "pairs"),
        ("/id/lower/x", "data identifier"),
        ("/id/25S/" + "x" * 81, "printable"),
        ("/01//21/x", "never empty"),
        ("https://other.example/25S/UN0770", "another host"),
        ("urn:gtr:example.com:ABC", "resolver URL"),
        ("/id" + "/S/1" * 7, "at most 6"),
    ],
)
def test_malformed_identifiers_say_why(text: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        parse_identifier(text, root=ROOT)
