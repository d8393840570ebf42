"""The bundled UNTP 0.7.0 schemas: byte-exact, pinned, chosen by type, resolved locally."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from vcservice.errors import InputError
from vcservice.report import Outcome
from vcservice.untp import (
    BUNDLED_SCHEMAS,
    MAX_ERRORS,
    SCHEMA_BASE,
    UNTP_CHECK,
    UNTP_TYPES,
    BundledSchema,
    SchemaUnusableError,
    json_pointer,
    schema_failures,
    schema_for_type,
    validate_untp,
)
from vcservice.untp._schemas import _read_pinned

from ..conftest import REPO, UNTP, load_json

RELEASE = UNTP / "untp-0.7.0" / "schema"
BUNDLED = REPO / "vcservice" / "untp" / "schemas"
SAMPLES = UNTP / "untp-0.7.0-prerelease-2026-04-03" / "samples"


@pytest.mark.parametrize("path", sorted(RELEASE.glob("*.json")), ids=lambda p: p.name)
def test_bundled_schema_is_a_byte_exact_copy(path: Path) -> None:
    assert (BUNDLED / path.name).read_bytes() == path.read_bytes()


def test_every_bundled_file_is_pinned() -> None:
    assert sorted(p.name for p in BUNDLED.glob("*.json")) == sorted(
        e.filename for e in BUNDLED_SCHEMAS
    )


def test_a_changed_byte_is_refused() -> None:
    entry = BUNDLED_SCHEMAS[0]
    tampered = BundledSchema(entry.credential_type, entry.filename, entry.url, "0" * 64)
    with pytest.raises(InputError, match="refusing"):
        _read_pinned(tampered)


@pytest.mark.parametrize(
    ("credential_type", "filename"),
    [
        ("DigitalProductPassport", "DigitalProductPassport.json"),
        ("DigitalConformityCredential", "ConformityCredential.json"),
        ("DigitalTraceabilityEvent", "DigitalTraceabilityEvent.json"),
        ("DigitalFacilityRecord", "DigitalFacilityRecord.json"),
        ("DigitalIdentityAnchor", "DigitalIdentityAnchor.json"),
    ],
)
def test_schema_is_chosen_by_type(credential_type: str, filename: str) -> None:
    found = schema_for_type(credential_type)
    assert found is not None
    assert found[0] == f"untp-0.7.0/{filename}"
    assert found[1] == load_json(RELEASE / filename)
    assert credential_type in UNTP_TYPES


@pytest.mark.parametrize("name", ["VerifiableCredential", "ConformityCredential", "Product"])
def test_no_schema_for_other_types(name: str) -> None:
    assert schema_for_type(name) is None


def _dpp() -> dict[str, Any]:
    return copy.deepcopy(load_json(SAMPLES / "dpp" / "DigitalProductPassport_instance.json"))


def test_failures_carry_json_pointers_sorted() -> None:
    dpp = _dpp()
    del dpp["name"]
    dpp["credentialSubject"]["name"] = 7
    report = validate_untp(dpp)
    failed = [c for c in report.checks if c.outcome is Outcome.FAILED]
    assert [(c.id, c.path) for c in failed] == [
        (UNTP_CHECK, ""),
        (UNTP_CHECK, "/credentialSubject/name"),
    ]
    assert failed[0].problem is not None
    assert "'name' is a required property" in failed[0].problem.detail
    assert failed[0].problem.detail.startswith("untp-0.7.0/DigitalProductPassport.json: ")


def test_a_dpp_is_not_checked_against_another_types_schema() -> None:
    dpp = _dpp()
    dpp["type"] = ["DigitalFacilityRecord", "VerifiableCredential"]
    assert not validate_untp(dpp).verified  # a DPP subject is not a Facility


def test_each_declared_untp_type_is_checked() -> None:
    dpp = _dpp()
    dpp["type"] = ["DigitalProductPassport", "DigitalFacilityRecord", "VerifiableCredential"]
    report = validate_untp(dpp)
    assert any(c.outcome is Outcome.PASSED for c in report.checks)
    assert any(
        "DigitalFacilityRecord" in (c.problem.title if c.problem else "") for c in report.errors
    )


def test_non_untp_credential_is_a_warning() -> None:
    report = validate_untp({"type": ["VerifiableCredential", "ExampleCredential"]})
    assert [(c.id, c.outcome) for c in report.checks] == [(UNTP_CHECK, Outcome.WARNING)]


def test_non_object_fails() -> None:
    assert validate_untp([1]).has_failed(UNTP_CHECK)


def test_many_failures_are_capped() -> None:
    dpp = _dpp()
    dpp["credentialSubject"]["characteristics"] = None
    dpp["credentialSubject"]["productCategory"] = [{"code": i} for i in range(MAX_ERRORS + 10)]
    report = validate_untp(dpp)
    assert len(report.errors) == MAX_ERRORS + 1
    last = report.errors[-1].problem
    assert last is not None
    assert "more violations not listed" in last.detail


def test_json_pointer_escapes() -> None:
    assert json_pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"
    assert json_pointer([]) == ""


def test_untp_definitions_resolve_by_published_url() -> None:
    link = {"$ref": SCHEMA_BASE + "dpp/DigitalProductPassport.json#/$defs/Link"}
    assert schema_failures({"linkURL": "https://x", "linkName": "x"}, link) == []
    [failure] = schema_failures({"linkURL": "https://x"}, link)
    assert failure.pointer == ""
    assert "'linkName' is a required property" in failure.message


def test_linkset_schema_resolves_by_its_id() -> None:
    ref = {"$ref": "https://untp.unece.org/schema/idr/linkset-schema"}
    [failure] = schema_failures({}, ref)
    assert "'linkset' is a required property" in failure.message


def test_unknown_refs_are_never_fetched() -> None:
    schema = {"$ref": "https://schemas.example.net/remote.json"}
    with pytest.raises(SchemaUnusableError, match="not bundled"):
        schema_failures({}, schema)


def test_invalid_schema_is_unusable() -> None:
    with pytest.raises(SchemaUnusableError, match="not a valid JSON Schema"):
        schema_failures({}, {"type": 12})
