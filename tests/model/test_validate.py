"""Behaviour of the two validators beyond the W3C fixtures: hostile input, contexts we do not
bundle, strict JSON-LD, presentations, VC 1.1, the report's shape and the cost contract."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vcservice.model
from vcservice.errors import ContextNotAllowedError
from vcservice.jsonld import StaticDocumentLoader, bundled_loader, expand, fast_dataset
from vcservice.model import CHECK_IDS, is_vc1, validate_credential, validate_presentation
from vcservice.model import _expansion as expansion_module
from vcservice.report import Outcome, VerificationReport

from ..conftest import UNTP, load_json
from .helpers import V2, credential, failures, presentation

Validator = Callable[..., VerificationReport]
VALIDATORS = [validate_credential, validate_presentation]
V1 = "https://www.w3.org/2018/credentials/v1"
ENVELOPED = "EnvelopedVerifiableCredential"
DPP = (
    UNTP
    / "untp-0.7.0-prerelease-2026-04-03"
    / "samples"
    / "dpp"
    / "DigitalProductPassport_instance.json"
)


def check(document: Any) -> dict[str, list[str]]:
    return failures(validate_credential(document, loader=bundled_loader()))


def nested_lists(depth: int) -> list[Any]:
    root: list[Any] = []
    current = root
    for _ in range(depth):
        child: list[Any] = []
        current.append(child)
        current = child
    return root


def nested_claims(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"id": "did:example:leaf"}
    for _ in range(depth):
        node = {"https://example.org/vocab#part": node}
    return node


def self_containing() -> dict[str, Any]:
    node: dict[str, Any] = {"@context": [V2]}
    node["credentialSubject"] = node
    return node


# --- hostile and malformed input ------------------------------------------------------------


@pytest.mark.parametrize("validate", VALIDATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "document",
    [None, 0, 1.5, True, "", "{}", [], [[[]]], [credential()], nested_lists(100_000)],
    ids=lambda d: type(d).__name__,
)
def test_non_objects_are_reported_not_raised(validate: Validator, document: Any) -> None:
    report = validate(document, loader=bundled_loader())
    assert not report.verified
    assert set(failures(report)) == {"datamodel.document"}


@pytest.mark.parametrize("validate", VALIDATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "document",
    [
        {"credentialSubject": nested_lists(100_000)},
        credential(credentialSubject=nested_claims(100_000)),
        self_containing(),
    ],
    ids=["deep-lists", "deep-objects", "cycle"],
)
def test_too_deep_documents_are_refused_up_front(validate: Validator, document: Any) -> None:
    report = validate(document, loader=bundled_loader())
    assert set(failures(report)) == {"datamodel.document"}
    assert "64 levels" in failures(report)["datamodel.document"][0]


def test_depth_just_under_the_limit_is_expanded_without_trouble() -> None:
    assert check(credential(credentialSubject=nested_claims(60))) == {}


def test_everything_wrong_at_once_is_reported_per_rule() -> None:
    document = {
        "@context": [V2, 7],
        "type": {"a": 1},
        "id": ["https://example.org/1"],
        "issuer": [],
        "credentialSubject": [[]],
        "validFrom": 3,
        "validUntil": {},
        "name": {"@direction": []},
        "credentialStatus": "https://example.org/status",
        "relatedResource": "x",
        "proof": [1],
    }
    assert set(check(document)) == {
        "datamodel.context",
        "datamodel.type",
        "datamodel.id",
        "datamodel.issuer",
        "datamodel.credential-subject",
        "datamodel.valid-from",
        "datamodel.valid-until",
        "datamodel.typed-object",
        "datamodel.related-resource",
        "datamodel.language",
    }


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "@context",
        "type",
        "id",
        "issuer",
        "holder",
        "credentialSubject",
        "verifiableCredential",
        "validFrom",
        "validUntil",
        "name",
        "description",
        "credentialStatus",
        "credentialSchema",
        "evidence",
        "refreshService",
        "termsOfUse",
        "proof",
        "relatedResource",
        "@vocab",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=FIELDS, value=JSON, kind=st.sampled_from(["credential", "presentation"]))
def test_any_json_in_any_field_yields_a_report(field: str, value: Any, kind: str) -> None:
    if kind == "credential":
        report = validate_credential(credential(**{field: value}), loader=bundled_loader())
    else:
        embedded = credential(**{field: value})
        report = validate_presentation(presentation(embedded), loader=bundled_loader())
    assert isinstance(report, VerificationReport)
    assert not [c for c in report.checks if c.outcome is Outcome.INDETERMINATE]


@pytest.mark.parametrize(
    ("extra", "check_id"),
    [
        ({"issuer": "https:issuer.example"}, "datamodel.issuer"),
        ({"issuer": "https://"}, "datamodel.issuer"),
        ({"id": "urn:uuid:1%zz"}, "datamodel.id"),
        ({"id": "https://example.org/a#b#c"}, "datamodel.id"),
        ({"type": ["VerifiableCredential", "Copper Cathode"]}, "datamodel.type"),
        ({"type": ["VerifiableCredential", "@Copper"]}, "datamodel.type"),
        ({"name": {"@value": "Kupfer", "@language": 5}}, "datamodel.language"),
        ({"name": {"@value": "Kupfer", "@direction": "up"}}, "datamodel.language"),
        ({"description": []}, "datamodel.language"),
        ({"description": [7]}, "datamodel.language"),
        ({"evidence": []}, "datamodel.typed-object"),
        (
            {"termsOfUse": {"type": "https://example.org/Policy", "id": "nope"}},
            "datamodel.typed-object",
        ),
        ({"credentialSubject": []}, "datamodel.credential-subject"),
        ({"credentialSubject": ["did:example:s"]}, "datamodel.credential-subject"),
    ],
)
def test_single_rule_violations(extra: dict[str, Any], check_id: str) -> None:
    assert set(check(credential(**extra))) == {check_id}


def test_a_vc_1_1_presentation_is_reported_as_legacy() -> None:
    report = validate_presentation(
        {"@context": [V1], "type": "VerifiablePresentation"}, loader=bundled_loader()
    )
    failed = failures(report)
    assert list(failed) == ["datamodel.context"]
    assert "VC 1.1 presentation" in failed["datamodel.context"][0]


# --- contexts ---------------------------------------------------------------------------------


def test_unbundled_context_url_is_named_with_the_loader_message() -> None:
    url = "https://contexts.example.org/minerals/v1"
    failed = check(credential(**{"@context": [V2, url]}))
    assert set(failed) == {"datamodel.context"}
    assert failed["datamodel.context"] == [f"@context[1]: {ContextNotAllowedError(url).detail}"]


def test_unbundled_scoped_context_found_during_expansion_is_named_too() -> None:
    url = "https://contexts.example.org/scoped/v1"
    inline = {"Assay": {"@id": "https://example.org/vocab#Assay", "@context": url}}
    failed = check(
        credential(**{"@context": [V2, inline], "type": ["VerifiableCredential", "Assay"]})
    )
    assert failed == {"datamodel.context": [ContextNotAllowedError(url).detail]}


def test_an_extra_loader_context_is_honoured() -> None:
    url = "https://contexts.example.org/minerals/v1"
    loader: StaticDocumentLoader = bundled_loader().with_document(
        url, {"@context": {"grade": "https://example.org/vocab#grade"}}
    )
    document = credential(
        **{"@context": [V2, url]},
        credentialSubject={"id": "did:example:ore", "grade": "2.1 %"},
    )
    assert validate_credential(document, loader=loader).verified
    assert check(document) == {
        "datamodel.context": [f"@context[1]: {ContextNotAllowedError(url).detail}"]
    }


def test_a_lone_base_context_string_is_an_ordered_set_of_one() -> None:
    assert check(credential(**{"@context": V2})) == {}


@pytest.mark.parametrize(
    "contexts",
    [[], [None], ["https://www.w3.org/ns/credentials/examples/v2", V2], [{"@vocab": "x"}, V2]],
)
def test_base_context_must_come_first(contexts: list[Any]) -> None:
    assert set(check(credential(**{"@context": contexts}))) == {"datamodel.context"}


def test_vc_1_1_documents_are_recognised_and_reported_as_legacy() -> None:
    legacy = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    assert is_vc1(legacy)
    assert is_vc1({"@context": V1})
    assert not is_vc1(credential())
    assert not is_vc1([V1])
    assert not is_vc1({"@context": []})
    failed = check(legacy)
    assert list(failed) == ["datamodel.context"]
    assert "VC 1.1" in failed["datamodel.context"][0]
    vp_failed = failures(validate_presentation(presentation(legacy), loader=bundled_loader()))
    assert list(vp_failed) == ["datamodel.context"]
    assert vp_failed["datamodel.context"][0].startswith("verifiableCredential[0]: this is a VC 1.1")


# --- strict JSON-LD -----------------------------------------------------------------------------


def test_dropped_term_is_named() -> None:
    document = credential(credentialSubject={"id": "did:example:s", "favouriteColour": "blue"})
    failed = check(document)
    assert set(failed) == {"datamodel.undefined-terms"}
    assert "'favouriteColour'" in failed["datamodel.undefined-terms"][0]


def test_term_dropped_after_vocab_null_is_named() -> None:
    document = credential(
        **{"@context": [V2, {"@vocab": "https://example.org/vocab#"}, {"@vocab": None}]},
        credentialSubject={"id": "did:example:s", "purity": "99.9"},
    )
    assert "'purity'" in check(document)["datamodel.undefined-terms"][0]


@pytest.mark.parametrize(
    "namespace",
    [
        "https://www.w3.org/ns/credentials/issuer-dependent#",
        "https://www.w3.org/ns/credentials/undefined-term#",
    ],
)
def test_issuer_dependent_and_undefined_term_iris_count_as_undefined(namespace: str) -> None:
    document = credential(
        **{"@context": [V2, {"@vocab": namespace}]},
        credentialSubject={"id": "did:example:s", "purity": "99.9"},
    )
    failed = check(document)
    assert set(failed) == {"datamodel.undefined-terms"}
    assert f"{namespace}purity" in failed["datamodel.undefined-terms"][0]


def test_an_issuer_vocabulary_is_a_definition() -> None:
    document = credential(
        **{"@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"]},
        credentialSubject={"id": "did:example:s", "purity": "99.9"},
    )
    assert check(document) == {}


def test_undefined_type_is_a_type_failure() -> None:
    failed = check(credential(type=["VerifiableCredential", "CopperCathodeCredential"]))
    assert set(failed) == {"datamodel.type"}
    assert "'CopperCathodeCredential'" in failed["datamodel.type"][0]


def test_relative_identifier_inside_claims_is_caught() -> None:
    subject = {"id": "did:example:s", "https://example.org/vocab#lot": {"id": "lots/42"}}
    failed = check(credential(credentialSubject=subject))
    assert failed == {"datamodel.id": ["identifiers that are not URLs: 'lots/42'"]}


@pytest.mark.parametrize(
    ("inline", "name"),
    [
        ({"@foo": "https://example.org/vocab#foo"}, "@foo"),
        ({"grade": "@grade"}, "@grade"),
        ({"grade": {"@reverse": "@graded"}}, "@graded"),
        ({"Lot": {"@id": "https://example.org/Lot", "@context": {"@mass": "x"}}}, "@mass"),
    ],
)
def test_keyword_shaped_terms_fail_the_same_way_whatever_the_warning_filters(
    inline: dict[str, Any], name: str
) -> None:
    """pyld only *warns* about these (tests turn warnings into errors, production does not);
    finding them before expansion gives one outcome in both."""
    failed = check(credential(**{"@context": [V2, inline]}))
    assert set(failed) == {"datamodel.json-ld"}
    assert repr(name) in failed["datamodel.json-ld"][0]


def test_keys_pyld_cannot_name_are_still_reported() -> None:
    document = credential(
        **{"@context": [V2, {"grade": None}]},
        credentialSubject={"id": "did:example:s", "grade": "A", "@handle": "x"},
    )
    failed = check(document)
    assert set(failed) == {"datamodel.undefined-terms"}
    assert "keyword-shaped or that @context maps to null" in failed["datamodel.undefined-terms"][0]


def test_proof_terms_are_left_to_the_securing_layer_but_proof_needs_a_type() -> None:
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "madeUp": 1}
    assert check(credential(proof=proof)) == {}
    failed = check(credential(proof={"cryptosuite": "eddsa-rdfc-2022"}))
    assert failed == {"datamodel.typed-object": ["proof: type is required"]}


# --- presentations ------------------------------------------------------------------------------


def test_embedded_credential_problems_say_which_credential() -> None:
    broken = credential(issuer="not a url")
    failed = failures(
        validate_presentation(presentation(credential(), broken), loader=bundled_loader())
    )
    assert failed == {
        "datamodel.issuer": ["verifiableCredential[1]: issuer must be a URL, found 'not a url'"]
    }


def test_embedded_credential_terms_are_checked_in_the_same_expansion() -> None:
    odd = credential(credentialSubject={"id": "did:example:s", "favouriteColour": "blue"})
    failed = failures(validate_presentation(presentation(odd), loader=bundled_loader()))
    assert set(failed) == {"datamodel.undefined-terms"}


@pytest.mark.parametrize(
    ("envelope", "check_id"),
    [
        ({"@context": [], "id": "data:application/vc+jwt,eyJ"}, "datamodel.verifiable-credential"),
        (
            {"@context": ["https://www.w3.org/ns/credentials/examples/v2"], "id": "data:x,eyJ"},
            "datamodel.verifiable-credential",
        ),
        ({"@context": V2, "id": "eyJhbGciOiJFUzI1NiJ9.e30.sig"}, "datamodel.verifiable-credential"),
        ({"@context": V2, "id": "data:application/vc+jwt,"}, "datamodel.verifiable-credential"),
        ({"@context": [V2, "https://example.org/ctx"], "id": "data:x,e"}, "datamodel.context"),
        (
            {"@context": V2, "id": "data:x,e", "type": [ENVELOPED, 5]},
            "datamodel.verifiable-credential",
        ),
    ],
)
def test_enveloped_credential_shape(envelope: dict[str, Any], check_id: str) -> None:
    entry = {"type": ENVELOPED, **envelope}
    failed = failures(validate_presentation(presentation(entry), loader=bundled_loader()))
    assert set(failed) == {check_id}


def test_a_single_embedded_credential_object_is_accepted() -> None:
    document = presentation(verifiableCredential=credential())
    assert validate_presentation(document, loader=bundled_loader()).verified


@pytest.mark.parametrize("entries", [[], [42], [None], ["https://example.org/vc/1"]])
def test_verifiable_credential_entries_must_be_objects(entries: list[Any]) -> None:
    document = presentation(verifiableCredential=entries)
    failed = failures(validate_presentation(document, loader=bundled_loader()))
    assert set(failed) == {"datamodel.verifiable-credential"}


def test_a_credential_is_not_a_presentation_and_vice_versa() -> None:
    assert set(failures(validate_presentation(credential(), loader=bundled_loader()))) == {
        "datamodel.type"
    }
    assert "datamodel.type" in check(presentation())


# --- report shape, API and cost -----------------------------------------------------------


def test_each_check_id_is_passed_or_failed_never_both() -> None:
    report = validate_credential(load_json(DPP), loader=bundled_loader())
    assert report.verified
    ids = [c.id for c in report.checks]
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(CHECK_IDS)
    assert {"datamodel.json-ld", "datamodel.undefined-terms"} <= set(ids)
    assert all(c.id.startswith("datamodel.") for c in report.checks)


def test_failed_checks_carry_problem_details() -> None:
    report = validate_credential(credential(issuer=None), loader=bundled_loader())
    (failed,) = report.errors
    assert failed.problem is not None
    assert failed.problem.type == "https://vcservice.dev/problems/datamodel.issuer"
    assert failed.problem.title == "Invalid issuer"


class _CountingExpand:
    """Counts JSON-LD passes: pyld expansions and fast walks (which make one unnecessary)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        self.calls += 1
        return expand(*args, **kwargs)

    def walk(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return fast_dataset(*args, **kwargs)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> _CountingExpand:
    counter = _CountingExpand()
    monkeypatch.setattr(expansion_module, "expand", counter)
    monkeypatch.setattr(expansion_module, "fast_dataset", counter.walk)
    return counter


def test_a_presentation_is_expanded_exactly_once(counted: _CountingExpand) -> None:
    dpp = load_json(DPP)
    document = presentation(dpp, copy.deepcopy(dpp), credential())
    assert validate_presentation(document, loader=bundled_loader()).verified
    assert counted.calls == 1


def test_an_invalid_document_is_never_expanded(counted: _CountingExpand) -> None:
    assert not validate_credential(credential(issuer=None), loader=bundled_loader()).verified
    assert counted.calls == 0


def test_the_caller_document_is_not_modified() -> None:
    dpp = load_json(DPP)
    document = presentation(dpp, proof={"type": "DataIntegrityProof"})
    before = copy.deepcopy(document)
    validate_presentation(document, loader=bundled_loader())
    assert document == before


def test_public_api() -> None:
    assert vcservice.model.__all__ == [
        "CHECK_IDS",
        "LEGACY_VC1",
        "is_vc1",
        "jose_refusal",
        "legacy_warning",
        "parse_datetime",
        "parse_datetime_stamp",
        "validate_credential",
        "validate_presentation",
        "validate_vc1_credential",
        "validate_vc1_presentation",
    ]
    assert CHECK_IDS == (
        "datamodel.document",
        "datamodel.context",
        "datamodel.type",
        "datamodel.id",
        "datamodel.issuer",
        "datamodel.credential-subject",
        "datamodel.valid-from",
        "datamodel.valid-until",
        "datamodel.typed-object",
        "datamodel.related-resource",
        "datamodel.language",
        "datamodel.undefined-terms",
        "datamodel.json-ld",
        "datamodel.holder",
        "datamodel.verifiable-credential",
        "datamodel.issuance-date",
        "datamodel.expiration-date",
        "datamodel.legacy-vc1",
    )
