"""Every input fixture of the W3C VC-DM 2.0 test suite, one test each, named by its path.

``-ok`` fixtures must validate; ``-fail`` fixtures must fail for exactly the reason in
:data:`FAIL_REASONS`, so a fixture rejected for the wrong reason fails its test. Fixtures
with other suffixes are not bound by that rule; what we do with them, and why, is in
:data:`OTHER_OUTCOMES`.

The suite never sends a fixture as is. Its ``createRequestBody`` (tests/mock.data.js) adds the
issuer under test to every credential it issues, keeping an explicit ``null``, and
``testTemporality`` (tests/assertions.js) replaces the ``FUTURE DATE``/``PAST DATE``
placeholders with now ± 1 year. :func:`as_the_suite_sends_it` does the same, so these tests
validate what a conforming implementation actually receives.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vcservice.jsonld import bundled_loader
from vcservice.model import validate_credential, validate_presentation
from vcservice.report import Outcome, VerificationReport

from ..conftest import VCDM_INPUT, load_json

#: The issuer id the suite's local issuer uses (tests/data-generator.js ``localIssuer``).
SUITE_ISSUER = "did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj"
#: The suite uses the wall clock; only the order of the two dates matters, so a fixed instant
#: keeps the tests reproducible (and avoids the 29 February edge of "now ± 1 year").
REFERENCE = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

FAIL_REASONS: dict[str, frozenset[str]] = {
    name: frozenset(ids)
    for name, ids in {
        "credential-context-combo3-fail.json": {"datamodel.context"},
        "credential-context-combo4-fail.json": {"datamodel.context"},
        "credential-evidence-missing-type-fail.json": {"datamodel.typed-object"},
        "credential-id-multi-fail.json": {"datamodel.id"},
        "credential-id-nonidentifier-fail.json": {"datamodel.id"},
        "credential-id-not-url-fail.json": {"datamodel.id"},
        "credential-id-subject-multi-fail.json": {"datamodel.id"},
        "credential-issuer-no-url-fail.json": {"datamodel.issuer"},
        "credential-issuer-null-fail.json": {"datamodel.issuer"},
        "credential-issuer-object-id-no-url-fail.json": {"datamodel.issuer"},
        "credential-issuer-object-id-null-fail.json": {"datamodel.issuer"},
        "credential-missing-required-type-fail.json": {"datamodel.type"},
        # Two real defects: no issuer (the point of the fixture, so nothing is injected) and
        # an empty credentialSubject (a leftover from when the suite still injected one).
        "credential-no-issuer-fail.json": {"datamodel.issuer", "datamodel.credential-subject"},
        "credential-no-subject-fail.json": {"datamodel.credential-subject"},
        "credential-no-type-fail.json": {"datamodel.type"},
        # Also names the ed25519-2020 context, bundled since the legacy suites are read.
        "credential-proof-missing-type-fail.json": {"datamodel.typed-object"},
        "credential-redef-type-fail.json": {"datamodel.json-ld"},
        "credential-redef-type2-fail.json": {"datamodel.json-ld"},
        "credential-refresh-no-type-fail.json": {"datamodel.typed-object"},
        "credential-schema-no-id-fail.json": {"datamodel.typed-object"},
        "credential-schema-no-type-fail.json": {"datamodel.typed-object"},
        "credential-schema-non-url-id-fail.json": {"datamodel.typed-object"},
        "credential-status-missing-type-fail.json": {"datamodel.typed-object"},
        "credential-status-multiple-id-fail.json": {"datamodel.typed-object"},
        "credential-status-nonurl-id-fail.json": {"datamodel.typed-object"},
        "credential-status-type-nonurl-fail.json": {"datamodel.typed-object"},
        "credential-subject-multiple-empty-fail.json": {"datamodel.credential-subject"},
        "credential-subject-no-claims-fail.json": {"datamodel.credential-subject"},
        "credential-termsofuse-missing-type-fail.json": {"datamodel.typed-object"},
        "credential-termsofuse-no-type-fail.json": {"datamodel.typed-object"},
        "credential-type-mapped-nonurl-fail.json": {"datamodel.type"},
        "credential-type-unmapped-fail.json": {"datamodel.type"},
        "credential-validUntil-validFrom-fail.json": {"datamodel.valid-until"},
        "credential-validfrom-invalid-fail.json": {"datamodel.valid-from"},
        "credential-validuntil-invalid-fail.json": {"datamodel.valid-until"},
        "names-and-descriptions/credential-description-extra-prop-en-fail.json": {
            "datamodel.language"
        },
        "names-and-descriptions/credential-name-extra-prop-en-fail.json": {"datamodel.language"},
        "names-and-descriptions/issuer-description-extra-prop-en-fail.json": {"datamodel.language"},
        "names-and-descriptions/issuer-name-extra-prop-en-fail.json": {"datamodel.language"},
        "presentation-context-order-fail.json": {"datamodel.context"},
        "presentation-enveloped-vc-missing-type-fail.json": {"datamodel.verifiable-credential"},
        "presentation-holder-fail.json": {"datamodel.holder"},
        "presentation-holder-name-fail.json": {"datamodel.holder"},
        "presentation-holder-object-fail.json": {"datamodel.holder"},
        "presentation-missing-base-context-fail.json": {"datamodel.context"},
        "presentation-missing-required-type-fail.json": {"datamodel.type"},
        "presentation-no-type-fail.json": {"datamodel.type"},
        "presentation-vc-as-string-fail.json": {"datamodel.verifiable-credential"},
        # The embedded credential's own type check, reported at "verifiableCredential[0]".
        "presentation-vc-missing-required-type-fail.json": {"datamodel.type"},
    }.items()
}

#: Fixtures outside the -ok/-fail rule. An empty set means "accepted".
OTHER_OUTCOMES: dict[str, frozenset[str]] = {
    # "-fail-or-inject": the suite lets an issuer either reject or add the base context. We
    # never rewrite what we are asked to sign, so we reject.
    "credential-missing-base-context-fail-or-inject.json": frozenset({"datamodel.context"}),
    "credential-no-context-fail-or-inject.json": frozenset({"datamodel.context"}),
    "presentation-no-context-fail-or-inject.json": frozenset({"datamodel.context"}),
    # Holder/issuer binding of self-asserted credentials is not a data-model rule (the suite
    # dropped these tests in 2025); like presentation-self-asserted-vc-ok.json, all three are
    # well-formed presentations. Whether a holder may present a credential is verifier policy.
    "presentation-self-asserted-vc-holder-mismatch.json": frozenset(),
    "presentation-self-asserted-vc-issuer-mismatch.json": frozenset(),
    "presentation-self-asserted-vc-no-holder.json": frozenset(),
}

FIXTURES = sorted(VCDM_INPUT.rglob("*.json"))


def fixture_name(path: Path) -> str:
    return path.relative_to(VCDM_INPUT).as_posix()


def suite_timestamp(skew_years: int) -> str:
    """The suite's ``createTimeStamp``: shifted by whole years, seconds precision, ``Z``."""
    shifted = REFERENCE.replace(year=REFERENCE.year + skew_years)
    return shifted.strftime("%Y-%m-%dT%H:%M:%SZ")


def inject_issuer(credential: dict[str, Any]) -> None:
    """The suite's ``createRequestBody``: fill in a missing issuer (or issuer.id), but leave
    an explicit ``null`` alone so the null-issuer fixtures still test what they mean to."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        if not ("id" in issuer and issuer["id"] is None):
            issuer["id"] = issuer.get("id") or SUITE_ISSUER
    elif not ("issuer" in credential and credential["issuer"] is None):
        credential["issuer"] = credential.get("issuer") or SUITE_ISSUER


def as_the_suite_sends_it(name: str, document: dict[str, Any]) -> dict[str, Any]:
    prepared = copy.deepcopy(document)
    placeholders = {"FUTURE DATE": suite_timestamp(1), "PAST DATE": suite_timestamp(-1)}
    for prop in ("validFrom", "validUntil"):
        if prepared.get(prop) in placeholders:
            prepared[prop] = placeholders[prepared[prop]]
    is_credential = not Path(name).name.startswith("presentation-")
    if is_credential and name != "credential-no-issuer-fail.json":
        inject_issuer(prepared)
    return prepared


def validate_fixture(name: str) -> VerificationReport:
    document = as_the_suite_sends_it(name, load_json(VCDM_INPUT / name))
    if Path(name).name.startswith("presentation-"):
        return validate_presentation(document, loader=bundled_loader())
    return validate_credential(document, loader=bundled_loader())


def failed_ids(report: VerificationReport) -> frozenset[str]:
    return frozenset(c.id for c in report.checks if c.outcome is Outcome.FAILED)


def test_fixture_directory_is_complete() -> None:
    assert len(FIXTURES) == 120
    fail_fixtures = {fixture_name(p) for p in FIXTURES if p.name.endswith("-fail.json")}
    assert fail_fixtures == set(FAIL_REASONS)
    others = {fixture_name(p) for p in FIXTURES if not p.name.endswith(("-ok.json", "-fail.json"))}
    assert others == set(OTHER_OUTCOMES)


@pytest.mark.parametrize("path", FIXTURES, ids=fixture_name)
def test_fixture(path: Path) -> None:
    name = fixture_name(path)
    report = validate_fixture(name)
    assert not [c for c in report.checks if c.outcome is Outcome.INDETERMINATE]
    if name.endswith("-ok.json"):
        assert report.verified, report.to_dict()["errors"]
    elif name.endswith("-fail.json"):
        assert not report.verified
        assert failed_ids(report) == FAIL_REASONS[name], report.to_dict()["errors"]
    else:
        expected = OTHER_OUTCOMES[name]
        assert report.verified is (not expected)
        assert failed_ids(report) == expected


def test_ok_fixtures_without_the_injected_issuer_fail_only_for_the_issuer() -> None:
    """The suite's issuer supplies ``issuer``; without it a credential is incomplete."""
    report = validate_credential(
        load_json(VCDM_INPUT / "credential-ok.json"), loader=bundled_loader()
    )
    assert failed_ids(report) == {"datamodel.issuer"}


def test_placeholders_are_replaced_like_the_suite_does() -> None:
    document = as_the_suite_sends_it(
        "credential-validUntil-validFrom-ok.json",
        load_json(VCDM_INPUT / "credential-validUntil-validFrom-ok.json"),
    )
    assert document["validFrom"] == "2025-01-01T12:00:00Z"
    assert document["validUntil"] == "2027-01-01T12:00:00Z"
    assert document["issuer"] == SUITE_ISSUER


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("credential-context-combo3-fail.json", "'https ://not-a-url/contexts/example/v1'"),
        ("credential-proof-missing-type-fail.json", "proof: type is required"),
        ("credential-type-mapped-nonurl-fail.json", "'ExampleTestCredential'"),
        ("credential-type-unmapped-fail.json", "'ExampleTestCredential'"),
        ("credential-redef-type-fail.json", "protected term"),
        ("presentation-vc-missing-required-type-fail.json", "verifiableCredential[0]: "),
        ("names-and-descriptions/issuer-name-extra-prop-en-fail.json", "issuer.name"),
    ],
)
def test_failure_details_name_the_culprit(name: str, fragment: str) -> None:
    details = [c.problem.detail for c in validate_fixture(name).errors if c.problem]
    assert any(fragment in detail for detail in details), details
