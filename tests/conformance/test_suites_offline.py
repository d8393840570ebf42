"""Each suite against our real service in-process (``TestClient``, no sockets), and against fakes
that misbehave, so a suite is shown to pass the honest and fail the dishonest.

Inputs are kept small for speed: a handful of W3C inputs and vectors copied into a temporary
fixtures directory, and the copper chain with three negative variants.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from conformance import runner
from conformance import suites as registry
from conformance.config import Config, parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites.files import check_files
from tests.conftest import EDDSA_VECTORS, VCDM_INPUT
from vcservice.api import create_app
from vcservice.errors import ResolutionError
from vcservice.service import NewTenant, Service
from vcservice.settings import Settings

REPO = Path(__file__).resolve().parents[2]
BASE = "http://localhost:8000"
FORMATS = ["vc+jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"]
W3C_INPUTS = [
    "credential-ok.json",
    "credential-issuer-object-ok.json",
    "credential-no-subject-fail.json",
    "credential-validUntil-validFrom-ok.json",
    "credential-validUntil-validFrom-fail.json",
    "credential-no-context-fail-or-inject.json",
    "credential-proof-ok.json",
    "credential-proof-missing-type-fail.json",
    "presentation-no-type-fail.json",
    "presentation-ok.json",
]
NEGATIVES = ["claims.unattested", "trust.unanchored", "massbalance.conservation"]
CHAIN_FILES = ["make-cathode.json", "dpp-cathode-cu80.json", "pcf-cathode-cu80.json"]


class Offline:
    def fetch(self, url: str) -> Any:
        raise ResolutionError(f"could not fetch linked credential {url}: offline test")


@pytest.fixture(scope="module")
def inproc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, NewTenant]]:
    tmp = tmp_path_factory.mktemp("service")
    service = Service.from_settings(
        Settings(
            database_url=f"sqlite:///{tmp / 'db'}", public_url=BASE, secret_key=SecretStr("A" * 43)
        )
    )
    service.network_links = Offline()
    tenant = service.create_tenant("acme")
    with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
        yield client, tenant
    service.close()


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fixtures")
    inputs = root / "w3c/suite-fixtures/vc-data-model-2.0-test-suite/input"
    inputs.mkdir(parents=True)
    for name in W3C_INPUTS:
        shutil.copy(VCDM_INPUT / name, inputs / name)
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        source = next((EDDSA_VECTORS / suite).glob("signed*.json"))
        target = root / "w3c/vectors/vc-di-eddsa/TestVectors" / suite
        target.mkdir(parents=True)
        shutil.copy(source, target / source.name)
    return root


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples")
    chain = root / "copper"
    (chain / "negative").mkdir(parents=True)
    source = REPO / "examples" / "copper"
    for name in ("bundle.json", "index.json", *CHAIN_FILES):
        shutil.copy(source / name, chain / name)
    for name in NEGATIVES:
        shutil.copy(source / "negative" / f"{name}.json", chain / "negative" / f"{name}.json")
    return root


def implementation(tenant: NewTenant, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": "vcservice",
        "issuer": {
            "endpoint": f"{BASE}/credentials/issue",
            "token": tenant["api_key"],
            "did": tenant["did"],
            "formats": FORMATS,
        },
        "verifier": f"{BASE}/credentials/verify",
        "presentation_verifier": f"{BASE}/presentations/verify",
        "status": {"endpoint": f"{BASE}/credentials/status", "token": tenant["api_key"]},
        "graph_verifier": f"{BASE}/graphs/verify",
    }
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


def run_suite(
    name: str,
    config: Config,
    http: httpx.Client,
    *,
    fixtures: Path | None = None,
    examples: Path | None = None,
) -> list[Result]:
    context = SuiteContext(
        config=config,
        implementations=config.implementations,
        http=http,
        fixtures=fixtures,
        examples=examples,
    )
    return list(registry.get(name)(context))


def outcomes(results: list[Result]) -> dict[str, Outcome]:
    return {r.check: r.outcome for r in results}


def not_ok(results: list[Result]) -> list[str]:
    return [
        f"{r.check}: {r.outcome} {r.detail}"
        for r in results
        if r.outcome in (Outcome.FAILED, Outcome.ERROR)
    ]


def config_of(*entries: dict[str, Any]) -> Config:
    return parse_config({"implementation": list(entries)}, environ={})


# --- datamodel ---------------------------------------------------------------------------------
def test_datamodel_our_service_passes(inproc: tuple[TestClient, NewTenant], fixtures: Path) -> None:
    client, tenant = inproc
    results = run_suite("datamodel", config_of(implementation(tenant)), client, fixtures=fixtures)
    assert not not_ok(results)
    got = outcomes(results)
    assert got["datamodel.w3c.credential-ok"] == Outcome.PASSED
    assert got["datamodel.w3c.credential-no-subject-fail"] == Outcome.PASSED
    assert got["datamodel.w3c.credential-proof-ok"] == Outcome.SKIPPED
    assert got["datamodel.w3c.presentation-no-type-fail"] == Outcome.PASSED
    own = [r for r in results if r.check.startswith("datamodel.own.")]
    assert len(own) >= 10
    assert all(r.outcome == Outcome.PASSED for r in own)
    assert all(r.check.startswith("datamodel.") and "datamodel" in r.tags for r in results)


def test_datamodel_without_fixtures_and_for_vc11() -> None:
    config = config_of({"name": "old", "issuer": "http://x/i", "data_model": "1.1"})
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as http:
        results = run_suite("datamodel", config, http)
    assert results[0].check == "datamodel.w3c"
    assert "no fixtures directory configured" in results[0].detail
    assert {r.outcome for r in results} == {Outcome.SKIPPED}
    assert "VC 1.1" in results[1].detail


def test_datamodel_an_issuer_that_signs_anything_fails() -> None:
    def lax(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"verifiableCredential": {"proof": {}}})

    config = config_of({"name": "lax", "issuer": "http://lax.test/credentials/issue"})
    with httpx.Client(transport=httpx.MockTransport(lax)) as http:
        results = run_suite("datamodel", config, http)
    got = outcomes(results)
    assert got["datamodel.own.cathode-no-subject-fail"] == Outcome.FAILED
    assert got["datamodel.own.cathode-ok"] == Outcome.FAILED  # the output does not verify


# --- securing ----------------------------------------------------------------------------------
def test_securing_our_service_passes(inproc: tuple[TestClient, NewTenant], fixtures: Path) -> None:
    client, tenant = inproc
    results = run_suite("securing", config_of(implementation(tenant)), client, fixtures=fixtures)
    assert not not_ok(results)
    got = outcomes(results)
    for fmt in ("vc-jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"):
        for name in ("issue-verify", "local-verify", "tampered-claim", "tampered-signature",
                     "tampered-issuer"):  # fmt: skip
            assert got[f"securing.{fmt}.{name}"] == Outcome.PASSED
    assert got["securing.vector.eddsa-rdfc-2022"] == Outcome.PASSED
    assert got["securing.vector.eddsa-jcs-2022.tampered"] == Outcome.PASSED


def test_securing_a_verifier_that_accepts_anything_fails_the_tampering_checks(
    inproc: tuple[TestClient, NewTenant],
) -> None:
    client, tenant = inproc

    def gullible(request: httpx.Request) -> httpx.Response:
        if request.url.host == "gullible.test":
            return httpx.Response(200, json={"verified": True})
        forwarded = client.request(
            request.method, str(request.url), content=request.content, headers=request.headers
        )
        return httpx.Response(forwarded.status_code, content=forwarded.content)

    entry = implementation(tenant, verifier="http://gullible.test/verify")
    entry["issuer"]["formats"] = ["eddsa-rdfc-2022"]
    with httpx.Client(transport=httpx.MockTransport(gullible)) as http:
        results = run_suite("securing", config_of(entry), http)
    got = outcomes(results)
    assert got["securing.eddsa-rdfc-2022.issue-verify"] == Outcome.PASSED
    assert got["securing.eddsa-rdfc-2022.tampered-signature"] == Outcome.FAILED
    assert got["securing.eddsa-rdfc-2022.tampered-claim"] == Outcome.FAILED
    assert got["securing.vector"] == Outcome.SKIPPED


def test_securing_skips_without_formats() -> None:
    config = config_of({"name": "bare", "verifier": "http://x/v"})
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as http:
        results = run_suite("securing", config, http)
    assert [(r.check, r.outcome) for r in results] == [
        ("securing.formats", Outcome.SKIPPED),
        ("securing.vector", Outcome.SKIPPED),
    ]


# --- status ------------------------------------------------------------------------------------
def test_status_round_trip_with_our_service(inproc: tuple[TestClient, NewTenant]) -> None:
    client, tenant = inproc
    for fmt in ("vc+jwt", "eddsa-rdfc-2022"):
        entry = implementation(tenant)
        entry["issuer"]["formats"] = [fmt]
        results = run_suite("status", config_of(entry), client)
        assert [r.outcome for r in results] == [Outcome.PASSED] * 5, not_ok(results)


def test_status_skipped_without_a_status_endpoint(
    inproc: tuple[TestClient, NewTenant],
) -> None:
    client, tenant = inproc
    results = run_suite("status", config_of(implementation(tenant, status=None)), client)
    assert {r.outcome for r in results} == {Outcome.SKIPPED}
    assert results[0].detail == "no status endpoint"


# --- graph and untp ----------------------------------------------------------------------------
def test_graph_our_service_passes(inproc: tuple[TestClient, NewTenant], examples: Path) -> None:
    client, tenant = inproc
    results = run_suite("graph", config_of(implementation(tenant)), client, examples=examples)
    assert not not_ok(results)
    assert sorted(outcomes(results)) == sorted(
        ["graph.copper.bundle"] + [f"graph.copper.negative.{n}" for n in NEGATIVES]
    )


def test_graph_a_verifier_that_accepts_every_graph_fails_the_negatives(examples: Path) -> None:
    def gullible(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"verified": True, "summary": {"failedChecks": []}})

    config = config_of({"name": "g", "graph_verifier": "http://g.test/graphs/verify"})
    with httpx.Client(transport=httpx.MockTransport(gullible)) as http:
        results = run_suite("graph", config, http, examples=examples)
    got = outcomes(results)
    assert got["graph.copper.bundle"] == Outcome.PASSED
    assert got["graph.copper.negative.trust.unanchored"] == Outcome.FAILED


def test_untp_tiers_with_our_service(inproc: tuple[TestClient, NewTenant], examples: Path) -> None:
    client, tenant = inproc
    results = run_suite("untp", config_of(implementation(tenant)), client, examples=examples)
    assert not not_ok(results)
    got = outcomes(results)
    for stem in (Path(n).stem for n in CHAIN_FILES):
        assert got[f"untp.tier1.copper.{stem}"] == Outcome.PASSED
        assert got[f"untp.tier2.copper.{stem}"] == Outcome.PASSED
    for name in ("claims-attested", "trust-anchored", "mass-balance"):
        assert got[f"untp.tier3.copper.{name}"] == Outcome.PASSED
    for stem in ("dpp-concentrate-own-mine", "dpp-cathode-cu80", "dpp-wire-cu80", "negative"):
        assert got[f"untp.tier3.copper.claims-confirmed.{stem}"] == Outcome.PASSED


def test_untp_tier3_is_local_without_a_graph_verifier(
    inproc: tuple[TestClient, NewTenant], examples: Path
) -> None:
    client, tenant = inproc
    entry = implementation(tenant, graph_verifier=None)
    results = run_suite("untp", config_of(entry), client, examples=examples)
    tier3 = [r for r in results if "tier3" in r.tags and "claims-confirmed" not in r.tags]
    mine = [r for r in tier3 if r.implementation != "local"]
    local = [r for r in tier3 if r.implementation == "local"]
    assert len(mine) == len(local) == 3
    assert all(r.outcome == Outcome.SKIPPED for r in mine)
    assert all(r.outcome == Outcome.PASSED and "local" in r.tags for r in local)


# --- files -------------------------------------------------------------------------------------
def test_files_the_example_chain_is_clean() -> None:
    chain = REPO / "examples" / "copper"
    paths = [chain / entry["file"] for entry in json.loads((chain / "index.json").read_text())[
        "credentials"]]  # fmt: skip
    results = list(check_files(paths))
    assert not not_ok(results)
    got = {(r.check, r.outcome) for r in results}
    assert ("files.signature", Outcome.PASSED) in got
    assert ("files.links", Outcome.PASSED) in got


def test_files_a_broken_hash_link_is_found(tmp_path: Path) -> None:
    chain = REPO / "examples" / "copper"
    shutil.copytree(chain / "dids", tmp_path / "dids")
    for name in CHAIN_FILES:
        shutil.copy(chain / name, tmp_path / name)
    # Change the make event's signature: the DPP's link (digest of the JWS) no longer matches.
    target = tmp_path / "make-cathode.json"
    document = json.loads(target.read_text())
    header, payload, signature = document["id"].partition(",")[2].split(".")
    document["id"] = f"data:application/vc+jwt,{header}.{payload}.{signature[:-4]}AAAA"
    target.write_text(json.dumps(document))
    results = list(check_files(sorted(tmp_path.glob("*.json"))))
    broken = [r for r in results if r.check == "files.links" and r.outcome == Outcome.FAILED]
    assert broken, [(r.check, r.implementation, r.outcome, r.detail) for r in results]
    assert "digest does not match" in broken[0].detail


def test_the_whole_run_through_the_runner(
    inproc: tuple[TestClient, NewTenant], fixtures: Path, examples: Path
) -> None:
    client, tenant = inproc
    config = config_of(implementation(tenant))
    run = runner.execute(
        config,
        suites=["status", "graph", "files"],
        http=client,
        fixtures=fixtures,
        examples=examples,
    )
    assert run.ok, not_ok(run.results)
    assert run.suites == ["status", "graph", "files"]
    assert run.results[-1].check == "files.inputs"
