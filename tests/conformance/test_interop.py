"""The ``interop`` suite against live services: two vcservice processes (did:web / Ed25519 and
did:key / P-256) issue and verify each other's credentials, and planted faults in a third and
fourth verifier turn exactly the cells they should red.

The servers come from ``conftest.py`` (module scope). Runs that include the ``revoked`` case
happen once per module (``planted``): verifiers cache fetched status lists, so a second run
revoking on the same lists could be answered from a copy fetched before its revocation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conformance.config import Config, parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites import _tamper, interop
from tests.conformance.conftest import Instance
from tests.conformance.faulty import serve

pytestmark = pytest.mark.network

TAMPERED = ("tampered-claim", "tampered-issuer", "tampered-signature")
SKIP_SIGNATURE = "faulty-skip-signature"
SKIP_STATUS = "faulty-skip-status"
JWT_ONLY = "vcservice-a-jwt-only"

Triple = tuple[str | None, str | None, str]


def run_suite(config: Config) -> tuple[list[Result], float]:
    started = time.perf_counter()
    with httpx.Client(timeout=config.timeout) as http:
        context = SuiteContext(config, config.implementations, http)
        results = list(interop.run(context))
    return results, time.perf_counter() - started


def cases(fmt: str, *, status: bool) -> list[str]:
    out = ["valid", *TAMPERED]
    if fmt == "vc+jwt":
        out.append("tampered-header")
    if status:
        out.append("revoked")
    return out


def expected_cells(
    issuers: tuple[Instance, ...], verifiers: list[str], *, status: bool
) -> set[Triple]:
    return {
        (issuer.name, verifier, f"interop.{fmt}.{case}")
        for issuer in issuers
        for fmt in issuer.formats
        for verifier in verifiers
        for case in cases(fmt, status=status)
    }


def triples(results: list[Result], outcome: Outcome | None = None) -> set[Triple]:
    return {
        (r.issuer, r.verifier, r.check) for r in results if outcome is None or r.outcome is outcome
    }


def explain(results: list[Result]) -> str:
    return "\n".join(
        f"{r.issuer} -> {r.verifier} {r.check}: {r.outcome.value} {r.detail}" for r in results
    )


@pytest.fixture(scope="module")
def faulty() -> Iterator[dict[str, str]]:
    with serve("skip-signature") as skip_signature, serve("skip-status") as skip_status:
        yield {SKIP_SIGNATURE: skip_signature, SKIP_STATUS: skip_status}


@pytest.fixture(scope="module")
def planted(
    instances: tuple[Instance, Instance], faulty: dict[str, str]
) -> tuple[list[Result], float]:
    """One run: A and B (with status endpoints, so the ``revoked`` case too), the two faulty
    verifiers, and A's verifier again declaring vc+jwt only."""
    a, _ = instances
    entries: list[dict[str, Any]] = [i.entry() for i in instances]
    entries += [
        {"name": name, "verifier": {"endpoint": f"{url}/credentials/verify"}}
        for name, url in faulty.items()
    ]
    entries.append(
        {
            "name": JWT_ONLY,
            "verifier": {"endpoint": f"{a.url}/credentials/verify", "formats": ["vc+jwt"]},
        }
    )
    return run_suite(parse_config({"implementation": entries}, environ={}))


def test_two_instances_every_cell_passes(instances: tuple[Instance, Instance]) -> None:
    """A and B issue every format they declare; each verifies its own and the other's: every
    valid credential is accepted, every tampered one rejected."""
    a, b = instances
    assert a.did == f"did:web:127.0.0.1%3A{a.port}:tenants:alpha"
    assert b.did.startswith("did:key:zDn")  # P-256
    config = parse_config(
        {"implementation": [i.entry(status=False) for i in instances]}, environ={}
    )
    results, _ = run_suite(config)
    names = [a.name, b.name]
    assert triples(results) == expected_cells(instances, names, status=False)
    assert len(results) == len(triples(results))  # one result per cell
    not_passed = [r for r in results if r.outcome is not Outcome.PASSED]
    assert not not_passed, explain(not_passed)
    for result in results:
        assert result.implementation == result.verifier
        assert result.suite == "interop"
        fmt = result.check.split(".")[1]
        assert fmt in result.tags
        assert ("negative" in result.tags) == (not result.check.endswith(".valid"))
        assert result.evidence["credential"]
        assert result.evidence["response"]["status"]


def test_planted_run_covers_every_cell(
    instances: tuple[Instance, Instance], planted: tuple[list[Result], float]
) -> None:
    results, _ = planted
    verifiers = [i.name for i in instances] + [SKIP_SIGNATURE, SKIP_STATUS, JWT_ONLY]
    assert triples(results) == expected_cells(instances, verifiers, status=True)
    errors = [r for r in results if r.outcome is Outcome.ERROR]
    assert not errors, explain(errors)


def test_honest_verifiers_pass_every_cell_including_revocation(
    instances: tuple[Instance, Instance], planted: tuple[list[Result], float]
) -> None:
    results, _ = planted
    honest = {i.name for i in instances}
    cells = [r for r in results if r.verifier in honest]
    assert {r.check.rsplit(".", 1)[1] for r in cells} >= {"valid", "revoked", *TAMPERED}
    not_passed = [r for r in cells if r.outcome is not Outcome.PASSED]
    assert not not_passed, explain(not_passed)


def test_skip_signature_turns_exactly_the_tampered_cells_red(
    instances: tuple[Instance, Instance], planted: tuple[list[Result], float]
) -> None:
    results, _ = planted
    failed = {t for t in triples(results, Outcome.FAILED) if t[1] == SKIP_SIGNATURE}
    expected = {
        (issuer.name, SKIP_SIGNATURE, f"interop.{fmt}.{case}")
        for issuer in instances
        for fmt in issuer.formats
        for case in (*TAMPERED, *(["tampered-header"] if fmt == "vc+jwt" else []))
    }
    assert failed == expected, explain([r for r in results if r.verifier == SKIP_SIGNATURE])
    # Its valid and revoked cells still pass: only the signature checks were dropped.
    column = [r for r in results if r.verifier == SKIP_SIGNATURE]
    rest = [r for r in column if (r.issuer, r.verifier, r.check) not in expected]
    assert rest
    assert all(r.outcome is Outcome.PASSED for r in rest), explain(rest)
    red = next(r for r in results if r.verifier == SKIP_SIGNATURE and r.outcome is Outcome.FAILED)
    assert red.detail.startswith("accepted the tampered-")
    assert red.evidence["response"]["status"] == 200


def test_skip_status_fails_only_the_revocation_cells(
    instances: tuple[Instance, Instance], planted: tuple[list[Result], float]
) -> None:
    results, _ = planted
    failed = {t for t in triples(results, Outcome.FAILED) if t[1] == SKIP_STATUS}
    expected = {
        (issuer.name, SKIP_STATUS, f"interop.{fmt}.revoked")
        for issuer in instances
        for fmt in issuer.formats
    }
    assert failed == expected, explain([r for r in results if r.verifier == SKIP_STATUS])
    # Every other cell is what an honest verifier (A) says: passed.
    a_name = instances[0].name
    honest = {(r.issuer, r.check): r.outcome for r in results if r.verifier == a_name}
    faulty = {(r.issuer, r.check): r.outcome for r in results if r.verifier == SKIP_STATUS}
    changed = {cell for cell in faulty if faulty[cell] != honest[cell]}
    assert {check for _, check in changed} == {check for _, _, check in expected}


def test_no_failure_outside_the_planted_faults(planted: tuple[list[Result], float]) -> None:
    results, _ = planted
    failed = triples(results, Outcome.FAILED)
    assert {verifier for _, verifier, _ in failed} == {SKIP_SIGNATURE, SKIP_STATUS}


def test_a_verifier_declaring_fewer_formats_is_skipped_for_the_others(
    instances: tuple[Instance, Instance], planted: tuple[list[Result], float]
) -> None:
    results, _ = planted
    cells = [r for r in results if r.verifier == JWT_ONLY]
    skipped = [r for r in cells if r.outcome is Outcome.SKIPPED]
    assert {r.check.split(".")[1] for r in skipped} == {
        f for i in instances for f in i.formats if f != "vc+jwt"
    }
    assert all(r.detail.startswith("format not supported by verifier") for r in skipped)
    jwt = [r for r in cells if r.check.startswith("interop.vc+jwt.")]
    assert jwt
    assert all(r.outcome is Outcome.PASSED for r in jwt), explain(jwt)


def test_a_vc11_issuer_gets_a_vc11_credential_through_the_matrix(
    instances: tuple[Instance, Instance],
) -> None:
    """An issuer declared ``data_model = "1.1"`` is sent the VC 1.1 credential (A secures VC 1.1
    with Data Integrity); both verifiers accept it and reject its broken copies."""
    a, b = instances
    issuer = {**a.entry(status=False), "name": "vcservice-a-vc11", "data_model": "1.1"}
    issuer["issuer"] = {**issuer["issuer"], "formats": ["eddsa-rdfc-2022"]}
    config = parse_config({"implementation": [issuer, b.entry(status=False)]}, environ={})
    results, _ = run_suite(config)
    mine = [r for r in results if r.issuer == "vcservice-a-vc11"]
    assert {(r.verifier, r.check) for r in mine} == {
        (verifier, f"interop.eddsa-rdfc-2022.{case}")
        for verifier in ("vcservice-a-vc11", b.name)
        for case in ("valid", *TAMPERED)
    }
    not_passed = [r for r in mine if r.outcome is not Outcome.PASSED]
    assert not not_passed, explain(not_passed)
    assert "2018/credentials/v1" in mine[0].evidence["credential"]


def test_an_issuer_refusing_a_format_gives_error_cells_not_verdicts(
    instances: tuple[Instance, Instance],
) -> None:
    """B's P-256 key cannot sign eddsa-rdfc-2022: the cells are errors, never pass or fail."""
    a, b = instances
    issuer = {**b.entry(), "name": "vcservice-b-eddsa"}
    issuer["issuer"] = {**issuer["issuer"], "formats": ["eddsa-rdfc-2022"]}
    issuer.pop("verifier")
    config = parse_config({"implementation": [issuer, a.entry(status=False)]}, environ={})
    results, _ = run_suite(config)
    mine = [r for r in results if r.issuer == "vcservice-b-eddsa"]
    assert {r.check for r in mine} == {
        f"interop.eddsa-rdfc-2022.{case}" for case in ("valid", *TAMPERED, "revoked")
    }
    assert {r.outcome for r in mine} == {Outcome.ERROR}
    assert all("could not issue eddsa-rdfc-2022" in r.detail for r in mine)


def test_tampering_changes_only_what_it_says() -> None:
    """The local tamperings, on a hand-made vc+jwt and Data Integrity credential."""
    header = _tamper.b64url_encode(json.dumps({"alg": "EdDSA", "kid": "did:x#1"}).encode())
    payload = _tamper.b64url_encode(
        json.dumps({"issuer": "did:x", "credentialSubject": {"id": "did:s"}}).encode()
    )
    jws = f"{header}.{payload}.{_tamper.b64url_encode(bytes(64))}"
    envelope = {"type": "EnvelopedVerifiableCredential", "id": f"{_tamper.DATA_PREFIX}{jws}"}
    for shape in (jws, envelope, f"{_tamper.DATA_PREFIX}{jws}"):
        assert _tamper.detect_format(shape) == "vc+jwt"
        assert type(_tamper.tampered_claim(shape)) is type(shape)
        assert _tamper.jwt_parts(_tamper.tampered_claim(shape))[1]["credentialSubject"] == {
            "id": "did:s-altered"
        }
        assert _tamper.jwt_parts(_tamper.tampered_issuer(shape, "did:y"))[1]["issuer"] == "did:y"
        assert "x-conformance-tampered" in _tamper.jwt_parts(_tamper.tampered_header(shape))[0]
        broken = _tamper.compact_jws(_tamper.tampered_signature(shape))
        assert broken is not None
        assert broken.split(".")[:2] == jws.split(".")[:2]
        assert broken.split(".")[2] != jws.split(".")[2]
    signature = bytes(range(64))
    document = {
        "issuer": {"id": "did:x"},
        "credentialSubject": {"id": "did:s"},
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                  "proofValue": "z" + _tamper.b58_encode(signature)},
    }  # fmt: skip
    assert _tamper.detect_format(document) == "eddsa-rdfc-2022"
    flipped = _tamper.tampered_signature(document)
    assert _tamper.b58_decode(flipped["proof"]["proofValue"][1:]) == _tamper.flip(signature)
    assert _tamper.flip(signature) != signature
    assert flipped["credentialSubject"] == document["credentialSubject"]
    assert _tamper.tampered_issuer(document, "did:y")["issuer"] == {"id": "did:y"}
    assert document["issuer"] == {"id": "did:x"}  # the original is never changed
    assert _tamper.b58_decode(_tamper.b58_encode(b"\0\0ab")) == b"\0\0ab"
