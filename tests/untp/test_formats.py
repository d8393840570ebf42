"""The one format checker (``vcservice.untp.FORMAT_CHECKER``): it has a real checker for every
format the bundled schemas use (a missing optional package cannot silently turn one off), every
schema validation of the package asserts formats with it, and what that means for the UNTP 0.7.0
samples: none of them violates a format (their schema verdicts are the same with and without
formats asserted)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from tests.conftest import UNTP, load_json
from vcservice.schema_validation import validate_extensions
from vcservice.untp import (
    FORMAT_CHECKER,
    REQUIRED_FORMATS,
    bundled_schemas,
    json_pointer,
    schema_failures,
    schema_for_type,
    untp_registry,
    validate_untp,
)
from vcservice.untp import _formats as formats_module
from vcservice.vocab import PROFILES, load_schema, validate_profile

SAMPLES = UNTP / "untp-0.7.0-prerelease-2026-04-03" / "samples"
BCGOV = UNTP / "untp-0.7.0" / "samples-bcgov-copied-from-untp.unece.org"
CATHODE_MOVE = "DigitalTraceabilityEvent_cathode_move_instance.json"
UNTP_SAMPLES = sorted(
    p
    for p in [*SAMPLES.rglob("*.json"), *BCGOV.rglob("*.json")]
    if "@context" in load_json(p) and "VerifiableCredential" in load_json(p).get("type", [])
)
VOCAB_DATA = Path(__file__).parents[1] / "vocab" / "data"

#: Keywords whose value maps *names* (of properties, definitions) to schemas: a property called
#: "format" is not the format keyword.
_NAME_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}


def _formats_in(node: Any, *, names: bool = False) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _formats_in(item)
    elif isinstance(node, dict):
        if not names and isinstance(node.get("format"), str):
            yield node["format"]
        for key, value in node.items():
            if names:
                yield from _formats_in(value)
            elif key in _NAME_MAPS:
                yield from _formats_in(value, names=True)
            elif key not in ("const", "enum", "examples", "example", "default"):
                yield from _formats_in(value)


def bundled_formats_in() -> set[str]:
    found = {f for schema in bundled_schemas().values() for f in _formats_in(schema)}
    return found | {f for name in PROFILES for f in _formats_in(load_schema(name))}


def test_every_format_the_bundled_schemas_use_has_a_checker() -> None:
    used = bundled_formats_in()
    assert used == set(REQUIRED_FORMATS)  # the list names exactly what the schemas use
    assert {"uri", "date-time", "date"} <= used
    assert set(REQUIRED_FORMATS) <= set(FORMAT_CHECKER.checkers)


#: format → (a conforming value, values that do not conform)
FORMAT_SAMPLES: dict[str, tuple[str, list[str]]] = {
    "uri": ("urn:carrier:norrscrap.example:SHP-1", ["SHP-1", "https://exa mple.org/", ""]),
    "date-time": ("2026-01-09T10:00:00Z", ["2026-01-09 10:00", "2026-01-09T10:00:00", "2026"]),
    "date": ("2026-01-09", ["2026-02-30", "2026-1-9", "09/01/2026"]),
    "byte": ("Y29wcGVybWFyay1sb2dv", ["not base64!", "Y29wcGVy=", "Y29w\nY2Vy"]),
}


@pytest.mark.parametrize("name", REQUIRED_FORMATS)
def test_each_checker_asserts_its_format(name: str) -> None:
    """A checker that exists but accepts anything would be as silent as a missing one."""
    good, bad = FORMAT_SAMPLES[name]
    assert FORMAT_CHECKER.conforms(good, name)
    for value in bad:
        assert not FORMAT_CHECKER.conforms(value, name), value


def test_without_a_format_package_the_checker_refuses_to_be_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What ``jsonschema`` does when rfc3986-validator is not importable: no ``uri`` checker."""

    checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    del checkers["uri"]
    stub = SimpleNamespace(FORMAT_CHECKER=SimpleNamespace(checkers=checkers))
    monkeypatch.setattr(formats_module, "Draft202012Validator", stub)
    with pytest.raises(ImportError, match=r"no JSON Schema format checker for uri"):
        formats_module._build()


def test_jsonschemas_own_checker_is_left_alone() -> None:
    assert "byte" not in Draft202012Validator.FORMAT_CHECKER.checkers
    assert FORMAT_CHECKER is not Draft202012Validator.FORMAT_CHECKER


# -- every validation path asserts formats --------------------------------------------------------


def test_schema_failures_asserts_formats_in() -> None:
    schema = {
        "type": "object",
        "properties": {"when": {"format": "date-time"}, "where": {"format": "uri"}},
    }
    failures = schema_failures({"when": "yesterday", "where": "SHP-1"}, schema)
    assert [(f.pointer, f.message) for f in failures] == [
        ("/when", "'yesterday' is not a 'date-time'"),
        ("/where", "'SHP-1' is not a 'uri'"),
    ]


def test_the_untp_schema_check_asserts_formats_in() -> None:
    document = copy.deepcopy(load_json(SAMPLES / "dte" / CATHODE_MOVE))
    assert not validate_untp(document).errors
    document["credentialSubject"][0]["consignmentId"] = "SHP-1"
    (error,) = validate_untp(document).errors
    assert (error.id, error.path) == ("schema.untp", "/credentialSubject/0")
    assert error.problem is not None
    assert "'SHP-1' is not a 'uri' at /credentialSubject/0/consignmentId" in error.problem.detail


def test_profile_and_extension_schema_checks_assert_formats_in() -> None:
    document = load_json(VOCAB_DATA / "pcf-cathode-cu80.json")
    assert validate_profile(document, "product-carbon-footprint") == []
    document["credentialSubject"]["issuedToParty"]["id"] = "Boreal Copper AB"
    pointer = "/credentialSubject/issuedToParty/id"
    findings = validate_profile(document, "product-carbon-footprint")
    assert [(f.pointer, f.message) for f in findings] == [
        (pointer, "'Boreal Copper AB' is not a 'uri'")
    ]
    report = validate_extensions(document)
    assert [(c.id, c.path) for c in report.errors] == [("schema.extension", pointer)]
    model = PROFILES["product-carbon-footprint"][0]
    with pytest.raises(ValueError, match="is not a 'uri'"):
        model.model_validate(document)  # the model agrees with its schema


# -- the UNTP samples ------------------------------------------------------------------------------


def _violations(document: Any, credential_type: str, *, formats: bool) -> set[tuple[str, str]]:
    found = schema_for_type(credential_type)
    assert found is not None
    checker = FORMAT_CHECKER if formats else None
    validator = Draft202012Validator(found[1], registry=untp_registry(), format_checker=checker)
    return {(json_pointer(e.absolute_path), e.message) for e in validator.iter_errors(document)}


def test_the_untp_samples_are_found() -> None:
    assert len(UNTP_SAMPLES) == 23  # 17 pre-release samples + 6 bcgov copies


@pytest.mark.parametrize("path", UNTP_SAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_no_untp_sample_violates_a_format(path: Path) -> None:
    """Expected, explicitly: asserting formats changes no UNTP 0.7.0 sample's verdict (the
    bcgov DIA copies fail without formats too, for their missing idScheme)."""
    document = load_json(path)
    types = [t for t in document["type"] if schema_for_type(t) is not None]
    assert types
    for credential_type in types:
        with_formats = _violations(document, credential_type, formats=True)
        assert with_formats == _violations(document, credential_type, formats=False)
