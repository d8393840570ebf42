"""Every profile: a complete example passes the VC data model (strict JSON-LD), the UNTP 0.7.0
base schema of its type, our extension schema and our pydantic model; negative cases fail with
a JSON pointer to the offending field, and model and schema always give the same verdict."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from pydantic import ValidationError

from tests.conftest import REPO, UNTP, load_json
from vcservice.jsonld import bundled_loader, expand
from vcservice.model import validate_credential
from vcservice.untp import FORMAT_CHECKER
from vcservice.vocab import PROFILES, load_schema, load_vocabulary, validate_profile

DATA = Path(__file__).parent / "data"
UNTP_SCHEMAS = UNTP / "untp-0.7.0" / "schema"
#: example file → profile
EXAMPLES = {
    "accreditation": "accreditation",
    "coc-certificate": "chain-of-custody-certificate",
    "pcf-cathode-cu80": "product-carbon-footprint",
    "recycled-content-cathode-re": "recycled-content",
    "make-cathode": "traceability-event",
    "move-cathode-cu80": "traceability-event",
    "claim-motor": "traceability-event",
    "dpp-cathode-cu80": "product-passport",
    "stocktake-refinery": "traceability-event",
    "dfr-refinery": "facility-record",
}
#: A property IRI minted by a UNTP type-scoped @vocab (…/untp/MakeEvent#foo) is defined only
#: in name: the data-model check accepts it, we do not.
UNTP_FALLBACK = re.compile(r"^https://vocabulary\.uncefact\.org/untp/[A-Za-z]+#")
CM = "https://w3id.org/critical-minerals/vocab#"


def example(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = load_json(DATA / f"{name}.json")
    return doc


def untp_errors(doc: Any, profile: str) -> list[str]:
    schema = load_json(UNTP_SCHEMAS / PROFILES[profile][1])
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(doc)]


def model_accepts(doc: Any, profile: str) -> bool:
    try:
        PROFILES[profile][0].model_validate(doc)
    except ValidationError:
        return False
    return True


def test_every_profile_has_an_example_and_a_valid_schema() -> None:
    assert set(EXAMPLES.values()) == set(PROFILES)
    for name in PROFILES:
        Draft202012Validator.check_schema(load_schema(name))
        assert (REPO / "schemas" / f"{name}.schema.json").is_file()


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_passes_the_data_model_check(name: str) -> None:
    report = validate_credential(example(name), loader=bundled_loader())
    assert report.verified, [c.to_dict() for c in report.errors]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_passes_the_untp_base_schema(name: str) -> None:
    assert untp_errors(example(name), EXAMPLES[name]) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_passes_the_extension_schema_and_model(name: str) -> None:
    assert validate_profile(example(name), EXAMPLES[name]) == []
    assert model_accepts(example(name), EXAMPLES[name])


def _properties(node: Any, out: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _properties(item, out)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type" and isinstance(value, list):
                out.update(value)
            elif not key.startswith("@"):
                out.add(key)
            _properties(value, out)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_term_is_defined_by_a_context_not_by_a_fallback(name: str) -> None:
    found: set[str] = set()
    _properties(expand(example(name), bundled_loader()), found)
    assert not [iri for iri in found if UNTP_FALLBACK.match(iri)]
    vocab = load_vocabulary()
    ours = {vocab.term_iri(t) for t in vocab.terms.values()}
    assert {iri for iri in found if iri.startswith(CM)} <= ours


def test_the_examples_use_every_property_of_the_vocabulary() -> None:
    found: set[str] = set()
    for name in EXAMPLES:
        _properties(expand(example(name), bundled_loader()), found)
    vocab = load_vocabulary()
    assert {vocab.term_iri(p) for p in vocab.properties} <= found


def test_svemin_make_event_balances() -> None:
    """The worked example: 100 t Cu in (45 + 45 + 10), 100 t cathode out, credits conserved."""
    (event,) = example("make-cathode")["credentialSubject"]
    copper_in = sum(
        m["mass"]["value"]
        for i in event["inputProduct"]
        for m in i["product"]["materialProvenance"]
    )
    out = sum(o["quantity"]["value"] for o in event["outputProduct"])
    assert copper_in * event["conversionFactor"][0]["factor"] == out == 100

    def credits(items: list[dict[str, Any]], kind: str) -> float:
        total: float = sum(
            c["creditQuantity"]["value"]
            for i in items
            for c in i["product"].get("certifiedProperty", [])
            if c["propertyKind"] == kind
        )
        return total

    for kind, tonnes in (("carbonFootprint", 45), ("recycledContent", 10)):
        assert credits(event["inputProduct"], kind) == credits(event["outputProduct"], kind)
        assert credits(event["outputProduct"], kind) == tonnes


# -- Negative cases ------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = [int(t) if t.isdigit() else t for t in path.strip("/").split("/")]
        node: Any = doc
        for token in parents:
            node = node[token]
        node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = [int(t) if t.isdigit() else t for t in path.strip("/").split("/")]
        node: Any = doc
        for token in parents:
            node = node[token]
        del node[last]

    return mutate


FOOTPRINT = "/credentialSubject/conformityAssessment/0/carbonFootprint"
RECYCLED = "/credentialSubject/conformityAssessment/0/recycledContent/0"
MAKE = "/credentialSubject/0"
INPUT_CREDIT = f"{MAKE}/inputProduct/1/product/certifiedProperty/0"
HOME = f"{MAKE}/creditRegistry"
RECEIPTS = f"{MAKE}/creditReceipt"

#: (id, example, mutation, the pointer the schema must report)
NEGATIVE: list[tuple[str, str, Mutation, str]] = [
    (
        "wrong-unit-code",
        "make-cathode",
        _set(f"{MAKE}/inputProduct/0/quantity/unit", "KG"),
        f"{MAKE}/inputProduct/0/quantity/unit",
    ),
    (
        "recycled-fraction-1.5",
        "recycled-content-cathode-re",
        _set(f"{RECYCLED}/recycledFraction", 1.5),
        f"{RECYCLED}/recycledFraction",
    ),
    (
        "unknown-coc-model",
        "coc-certificate",
        _set("/credentialSubject/chainOfCustodyModel", "mixedSourcing"),
        "/credentialSubject/chainOfCustodyModel",
    ),
    (
        "missing-declared-unit",
        "pcf-cathode-cu80",
        _delete(f"{FOOTPRINT}/declaredUnitOfMeasurement"),
        f"{FOOTPRINT}/declaredUnitOfMeasurement",
    ),
    (
        "make-event-without-inputs",
        "make-cathode",
        _delete(f"{MAKE}/inputProduct"),
        f"{MAKE}/inputProduct",
    ),
    (
        "make-event-with-empty-inputs",
        "make-cathode",
        _set(f"{MAKE}/inputProduct", []),
        f"{MAKE}/inputProduct",
    ),
    (
        "input-without-digest",
        "make-cathode",
        _delete(f"{INPUT_CREDIT}/attestedBy/0/digestMultibase"),
        f"{INPUT_CREDIT}/attestedBy/0/digestMultibase",
    ),
    (
        "digest-not-base58btc",
        "dpp-cathode-cu80",
        _set("/credentialSubject/performanceClaim/0/evidence/0/digestMultibase", "uEiB0aGVy"),
        "/credentialSubject/performanceClaim/0/evidence/0/digestMultibase",
    ),
    (
        "mass-balance-without-level",
        "coc-certificate",
        _delete("/credentialSubject/massBalanceLevel"),
        "/credentialSubject/massBalanceLevel",
    ),
    (
        "level-without-mass-balance",
        "coc-certificate",
        _set("/credentialSubject/chainOfCustodyModel", "segregated"),
        "/credentialSubject/massBalanceLevel",
    ),
    (
        "unknown-mass-balance-method",
        "recycled-content-cathode-re",
        _set(f"{RECYCLED}/massBalanceMethod", "fifo"),
        f"{RECYCLED}/massBalanceMethod",
    ),
    (
        "primary-data-share-in-percent",
        "pcf-cathode-cu80",
        _set(f"{FOOTPRINT}/primaryDataShare", 82),
        f"{FOOTPRINT}/primaryDataShare",
    ),
    (
        "footprint-as-string",
        "pcf-cathode-cu80",
        _set(f"{FOOTPRINT}/pcfExcludingBiogenicUptake", "8.0"),
        f"{FOOTPRINT}/pcfExcludingBiogenicUptake",
    ),
    (
        "null-instead-of-absent",
        "pcf-cathode-cu80",
        _set(f"{FOOTPRINT}/assuranceLevel", None),
        f"{FOOTPRINT}/assuranceLevel",
    ),
    (
        "move-without-transfer-kind",
        "move-cathode-cu80",
        _delete("/credentialSubject/0/transferKind"),
        "/credentialSubject/0/transferKind",
    ),
    (
        "claim-without-retired-credits",
        "claim-motor",
        _set("/credentialSubject/0/retiredCredit", []),
        "/credentialSubject/0/retiredCredit",
    ),
    (
        "accreditation-for-another-register",
        "accreditation",
        _set("/credentialSubject/registerType", "business"),
        "/credentialSubject/registerType",
    ),
    (
        "accreditation-country-not-iso",
        "accreditation",
        _set("/credentialSubject/accreditedCountry/0", "Sweden"),
        "/credentialSubject/accreditedCountry/0",
    ),
    (
        "without-our-context",
        "coc-certificate",
        _set("/@context", ["https://www.w3.org/ns/credentials/v2"]),
        "/@context",
    ),
    (
        "certificate-without-type",
        "coc-certificate",
        _set("/credentialSubject/type", ["ConformityAttestation"]),
        "/credentialSubject/type",
    ),
    ("registry-without-id", "make-cathode", _delete(f"{HOME}/id"), f"{HOME}/id"),
    (
        "registry-not-an-object",
        "make-cathode",
        _set(HOME, "did:web:credentials.example"),
        HOME,
    ),
    (
        "registry-id-not-a-did",
        "make-cathode",
        _set(f"{HOME}/id", "https://credentials.example"),
        f"{HOME}/id",
    ),
    (
        "registry-without-endpoint",
        "move-cathode-cu80",
        _delete(f"{HOME}/serviceEndpoint"),
        f"{HOME}/serviceEndpoint",
    ),
    (
        "registry-endpoint-not-https",
        "make-cathode",
        _set(f"{HOME}/serviceEndpoint", "http://credentials.example/registry"),
        f"{HOME}/serviceEndpoint",
    ),
    (
        "receipt-not-an-array",
        "make-cathode",
        _set(RECEIPTS, "ukShI36EAR6bTooiViGzJ3BNfzqPZQt9F5ta-0qIum-0"),
        RECEIPTS,
    ),
    (
        "receipt-not-a-string",
        "move-cathode-cu80",
        _set(f"{RECEIPTS}/0", {"receipt": "u91_bsTEiJH4claA8asaASzAjoCiqpUZh0ZI6eMzPsE0"}),
        f"{RECEIPTS}/0",
    ),
    ("receipt-a-number", "claim-motor", _set(f"{RECEIPTS}/0", 42), f"{RECEIPTS}/0"),
    (
        "receipt-not-base64url-multibase",
        "claim-motor",
        _set(f"{RECEIPTS}/0", "zQmYi1QZbXqygQKPs7f4EfDRPT9LaGXieBrroanVtzUVSif"),
        f"{RECEIPTS}/0",
    ),
    ("no-receipts", "make-cathode", _set(RECEIPTS, []), RECEIPTS),
]


@pytest.mark.parametrize(
    ("name", "mutate", "pointer"), [n[1:] for n in NEGATIVE], ids=[n[0] for n in NEGATIVE]
)
def test_negative_case_fails_with_a_pointer_to_the_field(
    name: str, mutate: Mutation, pointer: str
) -> None:
    doc = copy.deepcopy(example(name))
    mutate(doc)
    findings = validate_profile(doc, EXAMPLES[name])
    assert pointer in [f.pointer for f in findings], findings
    assert not model_accepts(doc, EXAMPLES[name])


# -- Agreement between models and schemas --------------------------------------------------------


def _identity_preserved(doc: dict[str, Any]) -> None:
    subject = doc["credentialSubject"]
    subject["chainOfCustodyModel"] = "identityPreserved"
    del subject["massBalanceLevel"], subject["massBalanceMethod"]


#: Changes that keep a document valid: model and schema must both accept them too.
VALID: list[tuple[str, str, Mutation]] = [
    ("extra-untp-property", "coc-certificate", _set("/credentialSubject/description", "x")),
    ("integer-quantity", "make-cathode", _set(f"{MAKE}/inputProduct/0/quantity/value", 200)),
    ("identity-preserved-without-mb", "coc-certificate", lambda d: _identity_preserved(d)),
    ("optional-absent", "pcf-cathode-cu80", _delete(f"{FOOTPRINT}/assuranceLevel")),
    (
        "rolling-average",
        "make-cathode",
        _set(f"{INPUT_CREDIT}/massBalanceMethod", "rollingAverage"),
    ),
    (
        "registry-on-loopback-http",
        "make-cathode",
        _set(f"{HOME}/serviceEndpoint", "http://localhost:8000/registry"),
    ),
    (
        "registry-did-web-with-port",
        "move-cathode-cu80",
        _set(f"{HOME}/id", "did:web:registry.example%3A8443:tenants:smelter"),
    ),
]


@pytest.mark.parametrize(
    ("name", "mutate"),
    [(n[1], n[2]) for n in NEGATIVE] + [(v[1], v[2]) for v in VALID],
    ids=[f"invalid-{n[0]}" for n in NEGATIVE] + [f"valid-{v[0]}" for v in VALID],
)
def test_model_and_schema_agree(name: str, mutate: Mutation) -> None:
    doc = copy.deepcopy(example(name))
    mutate(doc)
    profile = EXAMPLES[name]
    assert model_accepts(doc, profile) == (validate_profile(doc, profile) == [])


@pytest.mark.parametrize("name", EXAMPLES)
def test_model_and_schema_agree_on_every_deletion(name: str) -> None:
    """Delete each member of the example in turn (every node, every depth): the model and the
    schema must accept or reject each variant alike."""
    original = example(name)
    profile = EXAMPLES[name]
    disagreements = []
    for path in _member_paths(original):
        doc = copy.deepcopy(original)
        _delete(path)(doc)
        if model_accepts(doc, profile) != (validate_profile(doc, profile) == []):
            disagreements.append(path)
    assert not disagreements


def _member_paths(node: Any, prefix: str = "") -> list[str]:
    paths: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            paths.append(f"{prefix}/{key}")
            paths.extend(_member_paths(value, f"{prefix}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths.extend(_member_paths(value, f"{prefix}/{index}"))
    return paths


def test_schema_descriptions_come_from_the_vocabulary() -> None:
    vocab = load_vocabulary()
    schema = json.dumps(load_schema("product-carbon-footprint"))
    term = vocab.terms["pcfExcludingBiogenicUptake"]
    assert json.dumps(term.definition)[1:-1] in schema
