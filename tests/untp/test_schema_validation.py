"""validate_document (data model + UNTP base + extension schemas) and the extension hook."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest

from vcservice import vocab
from vcservice.errors import InputError
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.report import Outcome
from vcservice.schema_validation import (
    EXTENSION_CHECK,
    extension_schemas_for,
    no_extension_schemas,
    unwrap_credential,
    validate_document,
    validate_extensions,
)
from vcservice.securing.jose import envelope, issue_vc_jwt
from vcservice.untp import SCHEMA_BASE, UNTP_CHECK

from ..conftest import UNTP, load_json

SAMPLES = UNTP / "untp-0.7.0-prerelease-2026-04-03" / "samples"

# A profile in the shape the vocabulary engineer's schemas will take: it reuses a UNTP $def.
PROFILE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.org/schemas/cathode-dpp.json",
    "type": "object",
    "required": ["credentialSubject"],
    "properties": {
        "credentialSubject": {
            "type": "object",
            "required": ["recycledContent"],
            "properties": {"recycledContent": {"type": "number", "minimum": 0, "maximum": 1}},
        },
        "relatedLink": {
            "type": "array",
            "items": {"$ref": SCHEMA_BASE + "dpp/DigitalProductPassport.json#/$defs/Link"},
        },
    },
}


def _dpp() -> dict[str, Any]:
    return copy.deepcopy(load_json(SAMPLES / "dpp" / "DigitalProductPassport_instance.json"))


def _profile(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [("cathode-dpp", PROFILE)]


def _checks(report: Any, check_id: str) -> list[tuple[Outcome, str | None]]:
    return [(c.outcome, c.path) for c in report.checks if c.id == check_id]


def test_sample_dpp_is_valid_without_extensions() -> None:
    report = validate_document(_dpp(), loader=bundled_loader(), extensions=no_extension_schemas)
    assert report.verified, report.to_dict()["errors"]
    assert _checks(report, UNTP_CHECK) == [(Outcome.PASSED, None)]
    assert _checks(report, EXTENSION_CHECK) == []
    assert any(c.id.startswith("datamodel.") for c in report.checks)


def test_extension_schema_applies_with_pointers() -> None:
    dpp = _dpp()
    dpp["relatedLink"] = [{"linkURL": "https://x"}]
    report = validate_document(dpp, loader=bundled_loader(), extensions=_profile)
    assert _checks(report, EXTENSION_CHECK) == [
        (Outcome.FAILED, "/credentialSubject"),
        (Outcome.FAILED, "/relatedLink/0"),
    ]
    problem = next(c.problem for c in report.errors if c.id == EXTENSION_CHECK)
    assert problem is not None
    assert problem.detail.startswith("cathode-dpp: ")
    assert "Not valid under extension schema cathode-dpp" in problem.title


def test_extension_schema_passes() -> None:
    dpp = _dpp()
    dpp["credentialSubject"]["recycledContent"] = 0.25
    report = validate_extensions(dpp, _profile)
    assert _checks(report, EXTENSION_CHECK) == [(Outcome.PASSED, None)]


def test_extension_schemas_may_reference_each_other_by_id() -> None:
    wrapper = {"$ref": PROFILE["$id"]}
    report = validate_extensions(_dpp(), lambda d: [("wrapper", wrapper), ("profile", PROFILE)])
    assert _checks(report, EXTENSION_CHECK) == [
        (Outcome.FAILED, "/credentialSubject"),
        (Outcome.FAILED, "/credentialSubject"),
    ]


@pytest.mark.parametrize(
    "schema",
    [{"type": "no-such-type"}, {"$ref": "https://schemas.example.net/x.json"}],
    ids=["invalid", "remote-ref"],
)
def test_unusable_extension_schema_is_indeterminate(schema: dict[str, Any]) -> None:
    report = validate_extensions(_dpp(), lambda d: [("broken", schema)])
    assert _checks(report, EXTENSION_CHECK) == [(Outcome.INDETERMINATE, None)]
    assert not report.verified


def test_default_hook_applies_no_profile_to_a_plain_untp_credential() -> None:
    # The vocabulary is imported directly (no "if the module exists" lookup): a plain UNTP
    # credential claims none of our profiles, so no extension schema applies to it.
    assert extension_schemas_for(_dpp()) == []


def test_default_hook_is_the_vocabularys_provider() -> None:
    claims = {**_dpp(), "@context": [*_dpp()["@context"], vocab.CONTEXT_URL]}
    assert extension_schemas_for(claims) == list(vocab.extension_schemas_for(claims))


def test_default_hook_delegates_to_the_vocabulary_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vocab, "extension_schemas_for", _profile)
    assert extension_schemas_for(_dpp()) == [("cathode-dpp", PROFILE)]
    report = validate_document(_dpp(), loader=bundled_loader())
    assert _checks(report, EXTENSION_CHECK) == [(Outcome.FAILED, "/credentialSubject")]


# --- vc+jwt: validated on its payload ------------------------------------------------------------
@pytest.fixture(scope="module")
def signed_dpp() -> tuple[dict[str, Any], str]:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    dpp = _dpp()
    dpp["issuer"]["id"] = signer.controller
    return dpp, issue_vc_jwt(dpp, signer)


@pytest.mark.parametrize("form", ["jws", "data-url", "envelope"])
def test_vc_jwt_is_validated_on_its_payload(
    signed_dpp: tuple[dict[str, Any], str], form: str
) -> None:
    dpp, jws = signed_dpp
    value: Any = {"jws": jws, "data-url": envelope(jws)["id"], "envelope": envelope(jws)}[form]
    report = validate_document(value, loader=bundled_loader(), extensions=no_extension_schemas)
    assert report.verified, report.to_dict()["errors"]
    assert report.document == dpp
    assert _checks(report, UNTP_CHECK) == [(Outcome.PASSED, None)]


def test_an_invalid_payload_is_reported(signed_dpp: tuple[dict[str, Any], str]) -> None:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    dpp = copy.deepcopy(signed_dpp[0])
    dpp["issuer"]["id"] = signer.controller
    del dpp["credentialSubject"]["name"]
    report = validate_document(issue_vc_jwt(dpp, signer), loader=bundled_loader())
    assert (Outcome.FAILED, "/credentialSubject") in _checks(report, UNTP_CHECK)


def test_a_vc1_document_in_a_jws_fails_the_context_check() -> None:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    vc1 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": signer.controller,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1"},
    }
    report = validate_document(issue_vc_jwt(vc1, signer), loader=bundled_loader())
    assert report.has_failed("datamodel.context")
    assert any(c.id == "datamodel.legacy-vc1" for c in report.warnings)


def test_a_vc1_document_gets_the_vc1_rules() -> None:
    vc1 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1"},
    }
    report = validate_document(vc1, loader=bundled_loader(), extensions=no_extension_schemas)
    assert report.verified, report.to_dict()["errors"]
    assert {c.id for c in report.warnings} == {"datamodel.legacy-vc1", UNTP_CHECK}


@pytest.mark.parametrize("value", ["not-a-jws", "a.b.c", [1], 5, "data:text/plain,abc"])
def test_unusable_input_raises(value: Any) -> None:
    with pytest.raises(InputError):
        unwrap_credential(value)
