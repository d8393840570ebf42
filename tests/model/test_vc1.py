"""VC Data Model 1.1 rules (accepted for Data Integrity documents), reusing the 2.0 ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from vcservice.jsonld import bundled_loader
from vcservice.model import (
    parse_datetime,
    validate_credential,
    validate_vc1_credential,
    validate_vc1_presentation,
)
from vcservice.report import Outcome

from .helpers import credential, failures

V1 = "https://www.w3.org/2018/credentials/v1"
#: Inline terms (the bundled examples/v1 context imports ODRL, which is not bundled).
TERMS = {
    "@context": {
        "AlumniCredential": "https://www.example.org/AlumniCredential",
        "alumniOf": "https://www.example.org/alumniOf",
    }
}
LOADER = bundled_loader()


def vc1(**extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [V1, TERMS],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2020-01-01T19:23:24Z",
        "credentialSubject": {"id": "did:example:subject", "alumniOf": "The School of Examples"},
    }
    document.update(extra)
    return {k: v for k, v in document.items() if v is not None}


def vp1(*credentials: Any, **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": [V1], "type": ["VerifiablePresentation"]}
    if credentials:
        document["verifiableCredential"] = list(credentials)
    document.update(extra)
    return document


def check(document: Any) -> dict[str, list[str]]:
    return failures(validate_vc1_credential(document, loader=LOADER))


def test_a_vc_1_1_credential_passes_with_its_own_date_checks() -> None:
    report = validate_vc1_credential(vc1(expirationDate="2030-01-01T00:00:00Z"), loader=LOADER)
    assert report.verified, report.to_dict()
    passed = {c.id for c in report.checks if c.outcome is Outcome.PASSED}
    assert {
        "datamodel.context",
        "datamodel.issuer",
        "datamodel.issuance-date",
        "datamodel.expiration-date",
        "datamodel.undefined-terms",
    } <= passed
    assert "datamodel.valid-from" not in passed


def test_issuer_object_and_minimal_credential() -> None:
    minimal = {
        "@context": [V1],
        "type": "VerifiableCredential",
        "issuer": {"id": "https://issuer.example/"},
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "credentialSubject": {"id": "did:example:alice"},
    }
    assert check(minimal) == {}


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"issuanceDate": None}, "datamodel.issuance-date"),
        ({"issuanceDate": "2020-01-01"}, "datamodel.issuance-date"),
        ({"issuanceDate": 1577836800}, "datamodel.issuance-date"),
        ({"expirationDate": "next year"}, "datamodel.expiration-date"),
        ({"expirationDate": "2019-12-31T23:59:59Z"}, "datamodel.expiration-date"),
        ({"issuer": None}, "datamodel.issuer"),
        ({"issuer": "not a url"}, "datamodel.issuer"),
        ({"credentialSubject": None}, "datamodel.credential-subject"),
        ({"type": ["AlumniCredential"]}, "datamodel.type"),
        ({"id": "not a url"}, "datamodel.id"),
        ({"credentialStatus": {"id": "https://status.example/1"}}, "datamodel.typed-object"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2", V1]}, "datamodel.context"),
        ({"@context": [V1, "https://contexts.example.org/unknown/v1"]}, "datamodel.context"),
    ],
)
def test_each_rule_reports_under_its_own_id(change: dict[str, Any], failed: str) -> None:
    assert list(check(vc1(**change))) == [failed]


@pytest.mark.parametrize("term", ["name", "relatedResource", "unknownClaim"])
def test_terms_the_1_1_context_does_not_define_are_refused(term: str) -> None:
    failed = check(vc1(**{term: "x"}))
    assert list(failed) == ["datamodel.undefined-terms"]
    assert term in failed["datamodel.undefined-terms"][0]


def test_valid_from_and_until_which_the_1_1_context_defines_are_checked_as_in_2_0() -> None:
    assert check(vc1(validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z")) == {}
    assert list(check(vc1(validFrom="2020-01-01T00:00:00"))) == ["datamodel.valid-from"]
    assert list(check(vc1(validUntil="soon"))) == ["datamodel.valid-until"]


def test_the_vc_2_0_rules_still_refuse_vc_1_1() -> None:
    assert list(failures(validate_credential(vc1(), loader=LOADER))) == ["datamodel.context"]


def test_a_vc_2_0_credential_is_not_a_vc_1_1_one() -> None:
    assert "datamodel.context" in check(credential())


def test_vc_1_1_presentation() -> None:
    assert validate_vc1_presentation(vp1(vc1()), loader=LOADER).verified
    assert validate_vc1_presentation(vp1(), loader=LOADER).verified
    broken = failures(validate_vc1_presentation(vp1(vc1(issuanceDate=None)), loader=LOADER))
    assert list(broken) == ["datamodel.issuance-date"]
    assert broken["datamodel.issuance-date"][0].startswith("verifiableCredential[0]: ")
    mixed = failures(validate_vc1_presentation(vp1(vc1(), credential()), loader=LOADER))
    assert list(mixed) == ["datamodel.verifiable-credential"]
    assert mixed["datamodel.verifiable-credential"][0].startswith("verifiableCredential[1]: ")
    assert "datamodel.holder" in failures(
        validate_vc1_presentation(vp1(holder="not a url"), loader=LOADER)
    )


def test_unusable_documents_are_reported_not_raised() -> None:
    assert list(check([V1])) == ["datamodel.document"]
    assert not validate_vc1_presentation("x", loader=LOADER).verified


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-01-01T00:00:00Z", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01T00:00:00", datetime(2020, 1, 1, tzinfo=UTC)),
        (
            "2020-01-01T02:00:00.5+02:00",
            datetime(2020, 1, 1, 2, 0, 0, 500000, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2020-01-01", None),
        ("2020-02-30T00:00:00Z", None),
        (None, None),
    ],
)
def test_parse_datetime_has_an_optional_zone_read_as_utc(
    value: Any, expected: datetime | None
) -> None:
    assert parse_datetime(value) == expected
