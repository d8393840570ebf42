"""One vocabulary for every page: numbers, shares, quantities, footprints and names read the same
on the summary band, the graph cards, the claims list and the report (:mod:`vcservice.web.words`).
"""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.credential_terms import KIND_WORDS, kind_of
from vcservice.web import words
from vcservice.web.words import (
    claimed_percent,
    country,
    element,
    footprint,
    mass,
    num,
    outcome_words,
    percent,
    quantity,
    unit_name,
)

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (8.0, "8"),
        (8.8141, "8.81"),
        (8.814103, "8.81"),
        (1.9, "1.9"),
        (0.06, "0.06"),
        (0.0612345, "0.0612"),
        (124800, f"124{NNBSP}800"),
        (1100000, f"1{NNBSP}100{NNBSP}000"),
        (999.6, f"1{NNBSP}000"),
        (99.96, "100"),
        (-5.55, "-5.55"),
        (0.0, "0"),
        (1e-7, "0.0000001"),
        (float("nan"), "—"),
        (float("inf"), "—"),
    ],
)
def test_numbers_have_three_significant_figures_and_no_exponent(value: float, text: str) -> None:
    assert num(value) == text


def test_shares_read_as_percentages() -> None:
    assert percent(0.2) == "20 %"
    assert percent(1.0) == "100 %"
    assert claimed_percent(0.2) == "20 %"
    assert claimed_percent(12.5) == "12.5 %"  # already a percent
    assert claimed_percent(1 / 3) == "33.3 %"


@pytest.mark.parametrize(
    ("code", "name"),
    [("TNE", "t"), ("KGM", "kg"), ("H87", "pieces"), ("KWH", "kWh"), ("GRM", "g"),
     ("LTR", "l"), ("MTQ", "m³"), ("MTR", "m"), ("KWT", "kW"), (" TNE ", "t"), ("XYZ", "XYZ")],
)  # fmt: skip
def test_units_by_name(code: str, name: str) -> None:
    assert unit_name(code) == name


@pytest.mark.parametrize(
    ("measure", "text"),
    [
        ({"value": 90000, "unit": "H87"}, f"90{NNBSP}000 pieces"),
        ({"value": 45, "unit": "TNE"}, "45 t"),
        ({"value": 12.5, "unit": "KGM"}, "12.5 kg"),
        ({"value": 124800, "unit": "KWH"}, f"124{NNBSP}800 kWh"),
        ({"value": 3, "unit": "GRM"}, "3 g"),
        ({"value": 7}, "7"),
        ({"value": 7, "unit": ""}, "7"),
        ({"value": "many", "unit": "TNE"}, None),
        ({"value": float("nan"), "unit": "TNE"}, None),
        ("45 t", None),
        (None, None),
    ],
)
def test_a_quantity_reads_with_its_unit_by_name(measure: Any, text: str | None) -> None:
    assert quantity(measure) == text


def test_masses_are_in_tonnes_from_a_tonne_up() -> None:
    assert mass(2400) == "2.4 t"
    assert mass(999) == "999 kg"
    assert mass(50_000_000) == f"50{NNBSP}000 t"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (8.0, "KGM", "8 kg CO2e per kg"),
        (8.0, None, "8 kg CO2e per kg"),
        (8.0, "", "8 kg CO2e per kg"),
        (8.8141, "KWH", "8.81 kg CO2e per kWh"),
        (8.8141, "kwh", "8.81 kg CO2e per kWh"),
        (8000, "TNE", f"8{NNBSP}000 kg CO2e per t"),
        (8.0, "H87", None),  # a footprint per piece is not one the pages compare
        (None, "KGM", None),
    ],
)
def test_footprints_name_their_functional_unit(value: Any, unit: Any, text: str | None) -> None:
    assert footprint(value, unit) == text


def test_elements_and_countries_by_name() -> None:
    assert element("Co") == "cobalt"
    assert element("Xx") == "Xx"
    assert country("CD") == "DR Congo"
    assert country("cl") == "Chile"
    assert country({"countryCode": "SE"}) == "Sweden"
    assert country({"countryCode": "SE", "countryName": "Konungariket Sverige"}) == (
        "Konungariket Sverige"
    )
    assert country("XX") == "XX"
    assert country(None) is None
    assert country({}) is None


def test_outcomes_in_words_with_their_sign() -> None:
    assert outcome_words("passed") == "✓ passed"
    assert outcome_words("indeterminate") == "? could not check"
    assert outcome_words("warning") == "! warning"
    assert outcome_words("skipped") == "skipped"
    assert words.CREDENTIAL_WORDS["passed"] == "verified"


@pytest.mark.parametrize(
    ("types", "subject", "kind"),
    [
        (["DigitalProductPassport"], "Product", "Product passport"),
        (["DigitalTraceabilityEvent"], "MoveEvent", "Traceability event – move"),
        (["DigitalConformityCredential"], "Other", "Certificate"),
        (["DigitalFacilityRecord"], "Facility", "Facility record"),
        (["DigitalIdentityAnchor"], "RegisteredIdentity", "Accreditation"),
        (["DigitalIdentityAnchor"], "Accreditation", "Accreditation"),
        (["ExampleCopperCathodeCredential"], "X", "Example copper cathode credential"),
        ([], "X", "Credential"),
    ],
)
def test_one_table_of_credential_kinds(types: list[str], subject: str, kind: str) -> None:
    document = {"type": ["VerifiableCredential", *types], "credentialSubject": {"type": subject}}
    assert kind_of(document) == kind
    assert words.kind_of is kind_of  # the pages and the console's search say the same


def test_kinds_are_listed_material_first() -> None:
    assert list(KIND_WORDS)[:2] == ["DigitalTraceabilityEvent", "DigitalProductPassport"]
