"""The signed example chains in examples/: valid, verifiable offline, hash-linked, tamper-evident,
documented in the vocabulary page, and reproducible byte for byte by examples/build.py; and the
graph bundles built from them (``bundle.json`` and one ``negative/<check id>.json`` per defect):
well formed, every credential valid and verifying on its own, every digest matching except
where the defect is a digest."""

from __future__ import annotations

import base64
import copy
import json
import runpy
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from vcservice import checks
from vcservice.cli import app
from vcservice.dids import StaticResolver, verify_log
from vcservice.graph import load_bundle
from vcservice.jsonld import bundled_loader, expand
from vcservice.links import check_link
from vcservice.report import VerificationReport
from vcservice.schema_validation import validate_document
from vcservice.status import MapStatusListFetcher
from vcservice.verify import Verifier

EXAMPLES = REPO / "examples"
CHAINS = sorted(p.parent for p in EXAMPLES.glob("*/index.json"))
AT = datetime(2026, 6, 1, tzinfo=UTC)
NAMESPACE = "https://w3id.org/critical-minerals/"
STATUS_LIST = "BitstringStatusListCredential"
#: The negative variants every chain has (copper has them all; see examples/build.py VARIANTS).
REQUIRED_VARIANTS = {"trust.scope", "massbalance.conservation", "links.digest", "claims.unattested"}
ALL_VARIANTS = {
    "links.digest",
    "status.revocation",
    "trust.scope",
    "trust.expired",
    "trust.unanchored",
    "claims.unattested",
    "rollup.footprint",
    "rollup.recycled",
    "massbalance.conservation",
    "massbalance.overallocated",
    "graph.cycle",
    "graph.node-limit",
    "links.unreachable",
    "massbalance.not-holder",
    "massbalance.unregistered.no-receipt",
    "massbalance.unregistered.forged-receipt",
    "massbalance.unregistered.wrong-amount",
    "massbalance.unregistered.wrong-holder",
    "massbalance.unregistered.second-spend",
    "massbalance.unregistered.equivocation",
}
#: Variants of the battery chain only (its rolling-average site, make-cam).
BATTERY_ONLY = {"massbalance.rolling-average", "rollup.footprint.per-kwh"}
#: Variants whose defect is a link whose digest does not match what is served at its URL.
DIGEST_DEFECTS = {"links.digest", "graph.cycle"}


def _entries() -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for chain in CHAINS:
        for entry in json.loads((chain / "index.json").read_text())["credentials"]:
            out.append((chain, entry))
    return out


ENTRIES = _entries()
IDS = [f"{c.name}/{e['file']}" for c, e in ENTRIES]


def _load(chain: Path, entry: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((chain / entry["file"]).read_text(encoding="utf-8"))
    return document


def _jws(secured: dict[str, Any]) -> str:
    return str(secured["id"]).partition(",")[2]


def _payload(secured: dict[str, Any]) -> dict[str, Any]:
    if secured.get("type") == "EnvelopedVerifiableCredential":
        part = _jws(secured).split(".")[1]
        payload: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        )
        return payload
    return secured


@cache
def _logs(chain: Path) -> dict[str, str]:
    """The chain's did:webvh logs (``dids/*.jsonl``) by DID."""
    return {did: log for did, (log, _) in load_bundle(chain).did_logs.items()}


def _verifier(chain: Path) -> Verifier:
    docs = [json.loads(p.read_text()) for p in sorted((chain / "dids").glob("*.json"))]
    logs = {did: (log, None) for did, log in _logs(chain).items()}
    return Verifier(
        resolver=StaticResolver({d["id"]: d for d in docs}, logs=logs),
        clock=lambda: AT,
        status=MapStatusListFetcher(_targets(chain)),
    )


def _subject_types(document: dict[str, Any]) -> list[str]:
    subject = document["credentialSubject"]
    return [t for s in (subject if isinstance(subject, list) else [subject]) for t in s["type"]]


def _validation_errors(report: VerificationReport) -> list[str]:
    return [f"{c.id} {c.path}: {c.problem}" for c in report.errors]


def _links(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "linkURL" in value and "digestMultibase" in value:
            yield value
        for item in value.values():
            yield from _links(item)
    elif isinstance(value, list):
        for item in value:
            yield from _links(item)


def _targets(chain: Path) -> dict[str, dict[str, Any]]:
    index = json.loads((chain / "index.json").read_text())["credentials"]
    return {e["linkURL"]: _load(chain, e) for e in index}


def test_the_chains_exist() -> None:
    assert [c.name for c in CHAINS] == ["battery", "copper", "steel"]
    assert len(ENTRIES) >= 36
    for chain in CHAINS:
        anchors = json.loads((chain / "trust-anchors.json").read_text())["trustAnchors"]
        index = json.loads((chain / "index.json").read_text())["credentials"]
        accreditation = next(e for e in index if e["type"] == "DigitalIdentityAnchor")
        assert [a["did"] for a in anchors] == [accreditation["issuer"]]
        formats = {e["format"] for e in index}
        assert formats == {"vc+jwt", "eddsa-rdfc-2022"}
        assert len({e["linkURL"] for e in index}) == len(index)
        assert len([e for e in index if e["type"] == STATUS_LIST]) == 1


def test_every_certificate_has_a_revocation_entry_in_a_served_list() -> None:
    for chain in CHAINS:
        targets = _targets(chain)
        certificates = 0
        for secured in targets.values():
            document = _payload(secured)
            if "ChainOfCustodyCertificate" not in _subject_types(document):
                continue
            certificates += 1
            entry = document["credentialStatus"]
            assert entry["statusPurpose"] == "revocation"
            listed = _payload(targets[entry["statusListCredential"]])
            assert STATUS_LIST in listed["type"]
            assert listed["issuer"] == document["issuer"]["id"]
        # the battery chain's mine certifies the chain of custody of its sulphates too
        assert certificates == (3 if chain.name == "battery" else 2)


def test_the_footprints_add_up() -> None:
    """Per make event: mass-weighted input credit footprint + the gate-to-gate attestations it
    links = each output credit's footprint; every credit's value is its attestation's."""
    expected = {"make-cathode": 8.0, "make-wire": 8.0, "make-coil": 0.7, "make-chassis": 0.7}
    for chain in CHAINS:
        targets = _targets(chain)
        values: dict[str, float] = {}
        boundaries: dict[str, str] = {}
        for url, secured in targets.items():
            subject = _payload(secured)["credentialSubject"]
            if "ProductCarbonFootprintAttestation" in _subject_types(_payload(secured)):
                footprint = subject["conformityAssessment"][0]["carbonFootprint"]
                values[url] = footprint["pcfExcludingBiogenicUptake"]
                boundaries[url] = footprint["systemBoundary"]
        for url, secured in targets.items():
            stem = url.rsplit("/", 1)[1]
            document = _payload(secured)
            if stem not in expected:
                continue
            (event,) = document["credentialSubject"]
            inputs = [
                (c["creditQuantity"]["value"], c["pcfExcludingBiogenicUptake"])
                for i in event["inputProduct"]
                for c in i["product"].get("certifiedProperty", [])
                if c["propertyKind"] == "carbonFootprint"
            ]
            average = sum(t * v for t, v in inputs) / sum(t for t, _ in inputs)
            process = sum(
                values[link["linkURL"]]
                for link in event.get("relatedDocument", [])
                if boundaries.get(link["linkURL"]) == "gateToGate"
            )
            outputs = [
                c
                for o in event["outputProduct"]
                for c in o["product"].get("certifiedProperty", [])
                if c["propertyKind"] == "carbonFootprint"
            ]
            assert outputs
            for out in outputs:
                assert out["pcfExcludingBiogenicUptake"] == pytest.approx(average + process)
                assert out["pcfExcludingBiogenicUptake"] == expected[stem]
                for link in out["attestedBy"]:
                    assert values[link["linkURL"]] == out["pcfExcludingBiogenicUptake"]


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_links_carry_the_cli_digest_of_their_target(chain: Path, entry: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["digest", str(chain / entry["file"])])
    assert result.exit_code == 0, result.output
    digests = {
        link["digestMultibase"]
        for other in _targets(chain).values()
        for link in _links(_payload(other))
        if link["linkURL"] == entry["linkURL"]
    }
    assert digests <= {result.output.strip()}


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_example_validates(chain: Path, entry: dict[str, Any]) -> None:
    report = validate_document(_load(chain, entry), loader=bundled_loader())
    assert not _validation_errors(report)


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_example_verifies_offline(chain: Path, entry: dict[str, Any]) -> None:
    report = _verifier(chain).verify_credential(_load(chain, entry), at=AT)
    assert report.verified, [c.problem for c in report.errors]
    if "credentialStatus" in _payload(_load(chain, entry)):
        assert "status.revocation" in {c.id for c in report.checks if c.outcome.value == "passed"}


def test_the_steel_certifier_rotated_its_did_webvh_key_between_two_attestations() -> None:
    """Issue 18: the steel chain's certifier is a did:webvh whose log has two versions, key-1
    then key-2 only; what key-1 signed before the rotation still verifies, with a note, and
    what key-2 signed after it verifies without one."""
    chain = EXAMPLES / "steel"
    [(did, log)] = _logs(chain).items()
    assert did.startswith("did:webvh:")
    assert did.endswith(":certification.steelcert.example")
    history = verify_log(did, log)
    methods = [[m["id"] for m in v.document["verificationMethod"]] for v in history.versions]
    assert methods == [[f"{did}#key-1"], [f"{did}#key-2"]]
    rotated = history.versions[1].version_time
    signed_by = (("pcf-pellets", "key-1", True), ("pcf-coil-lowcarbon", "key-2", False))
    for stem, key, noted in signed_by:
        signed = json.loads((chain / f"{stem}.json").read_text())
        assert signed["issuer"]["id"] == did
        assert signed["proof"]["verificationMethod"] == f"{did}#{key}"
        assert (datetime.fromisoformat(signed["proof"]["created"]) < rotated) is noted
        report = _verifier(chain).verify_credential(signed, at=AT)
        assert report.verified, [c.problem for c in report.errors]
        assert (checks.PROOF_KEY_HISTORY in {c.id for c in report.warnings}) is noted


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_every_link_digest_matches_its_target(chain: Path, entry: dict[str, Any]) -> None:
    targets = _targets(chain)
    for link in _links(_payload(_load(chain, entry))):
        if link["linkURL"] in targets:
            assert check_link(targets[link["linkURL"]], link), link["linkURL"]


def test_every_digest_link_points_at_an_example() -> None:
    for chain in CHAINS:
        targets = _targets(chain)
        count = 0
        for secured in targets.values():
            for link in _links(_payload(secured)):
                assert link["linkURL"] in targets, link["linkURL"]
                count += 1
        assert count >= len(targets)


def _tamper_value(value: Any) -> bool:
    """Change the first claim value (a string or number under credentialSubject)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("type", "id", "@context"):
                continue
            if isinstance(item, str):
                value[key] = item + " (altered)"
                return True
            if isinstance(item, int | float) and not isinstance(item, bool):
                value[key] = item + 1
                return True
            if _tamper_value(item):
                return True
    elif isinstance(value, list):
        return any(_tamper_value(item) for item in value)
    return False


def _with_altered_claim(secured: dict[str, Any]) -> dict[str, Any]:
    """The credential with one claim value changed and the original proof/signature kept."""
    payload = copy.deepcopy(_payload(secured))
    assert _tamper_value(payload["credentialSubject"])
    if secured.get("type") != "EnvelopedVerifiableCredential":
        return payload
    header, _, signature = _jws(secured).split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return dict(secured, id=f"data:application/vc+jwt,{header}.{body}.{signature}")


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_changing_a_claim_breaks_the_signature(chain: Path, entry: dict[str, Any]) -> None:
    tampered = _with_altered_claim(_load(chain, entry))
    assert not _verifier(chain).verify_credential(tampered, at=AT).verified


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_changing_a_linked_credential_breaks_the_link(chain: Path, entry: dict[str, Any]) -> None:
    target = _load(chain, entry)
    url = entry["linkURL"]
    pointing = [
        link
        for other in _targets(chain).values()
        for link in _links(_payload(other))
        if link["linkURL"] == url
    ]
    altered = _with_altered_claim(target)
    for link in pointing:
        assert check_link(target, link)
        assert not check_link(altered, link)


def _iris(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(key)
            _iris(item, out)
    elif isinstance(value, list):
        for item in value:
            _iris(item, out)
    elif isinstance(value, str):
        out.add(value)


@pytest.mark.parametrize(("chain", "entry"), ENTRIES, ids=IDS)
def test_every_extension_term_is_on_the_vocabulary_page(chain: Path, entry: dict[str, Any]) -> None:
    if entry["type"] == STATUS_LIST:
        pytest.skip("a status list credential is plain VC 2.0, with none of our terms")
    page = (REPO / "vocab" / "index.html").read_text(encoding="utf-8")
    found: set[str] = set()
    _iris(expand(_payload(_load(chain, entry)), bundled_loader()), found)
    ours = {i for i in found if i.startswith(NAMESPACE)}
    assert ours, "the example uses none of our terms"
    for iri in ours:
        local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        assert f'id="{local}"' in page, iri


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    build = runpy.run_path(str(EXAMPLES / "build.py"), run_name="examples_build")
    assert build["main"](["build.py", str(tmp_path)]) == 0
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(EXAMPLES) for c in CHAINS for p in c.rglob("*") if p.is_file())
    assert made == committed
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (EXAMPLES / rel).read_bytes(), rel


# --- graph bundles ------------------------------------------------------------------------------
BUNDLES = sorted(
    [c / "bundle.json" for c in CHAINS]
    + [p for c in CHAINS for p in (c / "negative").glob("*.json")]
)
BUNDLE_IDS = [str(p.relative_to(EXAMPLES)) for p in BUNDLES]


def _bundle(path: Path) -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return bundle


def _variant(path: Path) -> str | None:
    """The check a bundle's defect trips: the file name, up to a ``.<case>`` of that check
    (``massbalance.unregistered.no-receipt`` is a case of ``massbalance.unregistered``)."""
    return None if path.name == "bundle.json" else ".".join(path.stem.split(".")[:2])


def _options(path: Path) -> dict[str, Any]:
    if path.stem == "graph.node-limit":
        return {"maxNodes": 5}
    if path.stem == "massbalance.unregistered.equivocation":
        witness = next(d for d in _bundle(path)["didDocuments"] if d.startswith("did:web:witness."))
        return {"requiredWitnesses": 1, "trustedWitnesses": [witness]}
    return {}


def test_every_chain_has_its_negative_variants() -> None:
    for chain in CHAINS:
        made = {p.stem for p in (chain / "negative").glob("*.json")}
        assert REQUIRED_VARIANTS <= made <= ALL_VARIANTS | BATTERY_ONLY
    assert {p.stem for p in (EXAMPLES / "copper" / "negative").glob("*.json")} == ALL_VARIANTS
    assert {p.stem for p in (EXAMPLES / "battery" / "negative").glob("*.json")} >= BATTERY_ONLY


@pytest.mark.parametrize("chain", CHAINS, ids=[c.name for c in CHAINS])
def test_the_chain_bundle_is_the_chain(chain: Path) -> None:
    bundle = _bundle(chain / "bundle.json")
    assert "expectedCheck" not in bundle
    assert bundle["documents"] == _targets(chain)
    dids = [json.loads(p.read_text()) for p in (chain / "dids").glob("*.json")]
    assert bundle["didDocuments"] == {d["id"]: d for d in dids}
    assert bundle.get("didLogs", {}) == _logs(chain)
    anchors = json.loads((chain / "trust-anchors.json").read_text())["trustAnchors"]
    assert bundle["trustAnchors"] == [a["did"] for a in anchors]
    root = _payload(bundle["documents"][bundle["root"]])
    assert "ClaimEvent" in root["credentialSubject"][0]["type"]


@pytest.mark.parametrize("path", BUNDLES, ids=BUNDLE_IDS)
def test_bundle_shape(path: Path) -> None:
    bundle = _bundle(path)
    assert bundle["type"] == "ProvenanceGraphBundle"
    assert isinstance(bundle["description"], str)
    assert len(bundle["description"]) > 40
    assert bundle.get("expectedCheck") == _variant(path)
    assert bundle["root"] in bundle["documents"]
    assert bundle["verificationTime"] == "2026-06-01T00:00:00Z"
    assert bundle["trustAnchors"]
    assert all(a.startswith("did:") for a in bundle["trustAnchors"])
    assert isinstance(bundle["options"], dict)
    assert bundle["options"] == _options(path)
    assert all(url.startswith("https://") for url in bundle["documents"])
    assert all(doc["id"] == did for did, doc in bundle["didDocuments"].items())
    known = bundle["didDocuments"].keys() | bundle.get("didLogs", {}).keys()
    for served in bundle["documents"].values():
        issuer = _payload(served)["issuer"]
        assert (issuer["id"] if isinstance(issuer, dict) else issuer) in known


#: Outcomes by everything they depend on: most documents recur unchanged in every variant.
_OUTCOMES: dict[str, tuple[list[str], set[str], list[Any]]] = {}


def _outcome(served: Any, bundle: dict[str, Any]) -> tuple[list[str], set[str], list[Any]]:
    """(validation errors, failed verification ids, their problems) of one bundle document."""
    payload = _payload(served) if isinstance(served, dict) else served
    issuer = payload.get("issuer") if isinstance(payload, dict) else None
    did = issuer["id"] if isinstance(issuer, dict) else issuer
    lists = sorted(
        json.dumps(bundle["documents"].get(entry.get("statusListCredential")), sort_keys=True)
        for entry in _as_list(
            payload.get("credentialStatus") if isinstance(payload, dict) else None
        )
        if isinstance(entry, dict)
    )
    log = bundle.get("didLogs", {}).get(did)
    key = json.dumps([served, bundle["didDocuments"].get(did), log, lists], sort_keys=True)
    if key not in _OUTCOMES:
        logs = {str(did): (log, None)} if log is not None else {}
        verifier = Verifier(
            resolver=StaticResolver(bundle["didDocuments"], logs=logs),
            clock=lambda: AT,
            status=MapStatusListFetcher(bundle["documents"]),
        )
        errors = _validation_errors(validate_document(served, loader=bundled_loader()))
        report = verifier.verify_credential(served, at=AT)
        _OUTCOMES[key] = (errors, {c.id for c in report.errors}, [c.problem for c in report.errors])
    return _OUTCOMES[key]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


@pytest.mark.parametrize("path", BUNDLES, ids=BUNDLE_IDS)
def test_bundle_documents_validate_and_verify(path: Path) -> None:
    bundle = _bundle(path)
    revoked = []
    for url, served in bundle["documents"].items():
        errors, failed, problems = _outcome(served, bundle)
        assert not errors, url
        if failed == {"status.revocation"} and path.stem == "status.revocation":
            revoked.append(url)
            continue
        assert not failed, (url, problems)
    assert len(revoked) == (1 if path.stem == "status.revocation" else 0)


@pytest.mark.parametrize("path", BUNDLES, ids=BUNDLE_IDS)
def test_bundle_link_digests(path: Path) -> None:
    """Every hash link between the bundle's documents matches, except the defect of the
    links.digest and graph.cycle variants (which must be there); only links.unreachable
    links outside the bundle."""
    bundle = _bundle(path)
    documents = bundle["documents"]
    matched, broken, outside = 0, 0, 0
    for served in documents.values():
        for link in _links(_payload(served)):
            if link["linkURL"] not in documents:
                outside += 1
            elif check_link(documents[link["linkURL"]], link):
                matched += 1
            else:
                broken += 1
    assert matched >= len(documents)
    assert (broken > 0) == (path.stem in DIGEST_DEFECTS)
    assert (outside > 0) == (path.stem == "links.unreachable")
