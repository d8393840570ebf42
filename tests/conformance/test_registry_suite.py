"""The ``registry`` suite against our service in-process (``TestClient``), and against a fake
registry that cuts corners, so the suite is shown to pass the honest and fail the dishonest.

The live run against two separate instances is ``test_acceptance``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from conformance.config import Config, parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites import registry
from vcservice.api import create_app
from vcservice.errors import CheckpointError
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import GENESIS, Checkpoint, read_checkpoint, sign_checkpoint
from vcservice.ledger.merkle import EMPTY_ROOT
from vcservice.registry import sign_cosignature
from vcservice.service import NewTenant, Service
from vcservice.settings import Settings

BASE = "http://localhost:8000"
PROBLEMS = "https://vcservice.dev/problems/"
CREDIT_CHECKS = {
    "registry.credit.open",
    "registry.register.valid",
    "registry.register.lookup",
    "registry.register.idempotent",
    "registry.register.already-posted",
    "registry.register.insufficient-credit",
    "registry.register.not-holder",
    "registry.receipt.in-log",
}


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, NewTenant]]:
    tmp: Path = tmp_path_factory.mktemp("registry")
    service = Service.from_settings(
        Settings(
            database_url=f"sqlite:///{tmp / 'db'}", public_url=BASE, secret_key=SecretStr("A" * 43)
        )
    )
    tenant = service.create_tenant("smelter")
    with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
        yield client, tenant
    service.close()


def config_of(tenant: NewTenant | None, base: str = BASE) -> Config:
    entry: dict[str, Any] = {"name": "vcservice", "registry": base}
    if tenant is not None:
        entry["issuer"] = {
            "endpoint": f"{base}/credentials/issue",
            "token": tenant["api_key"],
            "did": tenant["did"],
            "formats": ["vc+jwt"],
        }
    return parse_config({"implementation": [entry]}, environ={})


def run_suite(config: Config, http: httpx.Client) -> list[Result]:
    return list(registry.run(SuiteContext(config, config.implementations, http)))


def outcomes(results: list[Result]) -> dict[str, Outcome]:
    return {r.check: r.outcome for r in results}


def explain(results: list[Result]) -> list[str]:
    return [f"{r.check}: {r.outcome} {r.detail}" for r in results if r.outcome != Outcome.PASSED]


def test_our_registry_passes_every_check(ours: tuple[TestClient, NewTenant]) -> None:
    client, tenant = ours
    results = run_suite(config_of(tenant), client)
    assert [r.check for r in results] == [c.id for c in registry.CHECKS]
    assert all(r.outcome == Outcome.PASSED for r in results), explain(results)
    assert all("registry" in r.tags and r.suite == "registry" for r in results)


def test_without_an_issuer_the_credit_checks_are_skipped(
    ours: tuple[TestClient, NewTenant],
) -> None:
    client, _ = ours
    results = run_suite(config_of(None), client)
    got = outcomes(results)
    assert {c for c, o in got.items() if o == Outcome.SKIPPED} == CREDIT_CHECKS
    assert all(o == Outcome.PASSED for c, o in got.items() if c not in CREDIT_CHECKS), explain(
        results
    )
    reasons = {r.detail for r in results if r.check == "registry.credit.open"}
    assert reasons == {"no issuer endpoint to open a credit homed at the registry with"}


def test_without_a_registry_endpoint_everything_is_skipped() -> None:
    config = parse_config(
        {"implementation": [{"name": "bare", "verifier": "http://x/v"}]}, environ={}
    )
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as http:
        results = run_suite(config, http)
    assert len(results) == len(registry.CHECKS)
    assert {(r.outcome, r.detail) for r in results} == {(Outcome.SKIPPED, "no registry endpoint")}


def test_an_unreachable_registry_is_an_error_not_a_verdict() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as http:
        results = run_suite(config_of(None, "http://down.test"), http)
    got = outcomes(results)
    assert got["registry.configuration"] == Outcome.ERROR
    assert got["registry.did-document"] == Outcome.SKIPPED
    assert Outcome.FAILED not in got.values()


class CornerCutter:
    """A registry that answers every registration "not homed here" without reading it, and
    cosigns every checkpoint it can parse without checking the log's signature or history."""

    def __init__(self) -> None:
        self.signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
        self.did = self.signer.controller
        self.seen: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path == "/.well-known/transparency-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": self.did,
                    "registrationEndpoint": "http://cut.test/registry/entries",
                    "witnessEndpoint": "http://cut.test/registry/witness",
                    "verifiableDataStructure": "RFC9162_SHA256",
                    "statementContentType": "application/vnd.vcservice.credit-debit+json",
                    "witnessEndpoints": [],
                },
            )
        if path == "/ledger/checkpoint":
            empty = Checkpoint(self.did, 0, GENESIS, EMPTY_ROOT.hex(), "2026-01-15T00:00:00Z")
            payload = {**empty.payload(), "jws": sign_checkpoint(empty, self.signer)}
            return httpx.Response(200, json=payload)
        if path == "/registry/entries" and method == "POST":
            return _problem(409, "registry.not-home")
        if path.startswith("/registry/entries/"):
            return _problem(404, "not-found")
        if path == "/registry/witness" and method == "POST":
            try:
                signed = read_checkpoint(json.loads(request.content)["checkpoint"])
            except CheckpointError:
                return _problem(400, "ledger.checkpoint")
            cosignature = sign_cosignature(signed.checkpoint, self.signer, datetime.now(UTC))
            return httpx.Response(200, json={"cosignature": cosignature})
        if path == "/registry/witness":
            return httpx.Response(200, json={"witness": self.did, "logs": [], "equivocations": []})
        return _problem(404, "not-found")


def _problem(status: int, slug: str) -> httpx.Response:
    body = {"type": PROBLEMS + slug, "title": slug, "status": status}
    return httpx.Response(status, json=body, headers={"Content-Type": "application/problem+json"})


def test_a_registry_that_cuts_corners_fails_the_checks_it_cuts() -> None:
    with httpx.Client(transport=httpx.MockTransport(CornerCutter())) as http:
        results = run_suite(config_of(None, "http://cut.test"), http)
    got = outcomes(results)
    honest = ["configuration", "did-document", "checkpoint", "statement.not-home",
              "witness.malformed", "witness.cosign", "witness.extend", "consistency"]  # fmt: skip
    cut = ["statement.malformed", "statement.bad-signature", "statement.not-drawer",
           "statement.other-registry", "statement.unresolvable-drawer", "statement.content-type",
           "statement.too-large", "witness.bad-signature", "witness.unresolvable-log",
           "witness.stale", "witness.fork", "witness.split", "witness.state"]  # fmt: skip
    for name in honest:
        assert got[f"registry.{name}"] == Outcome.PASSED, explain(results)
    for name in cut:
        assert got[f"registry.{name}"] == Outcome.FAILED, name
    assert {got[c] for c in CREDIT_CHECKS} == {Outcome.SKIPPED}
    stale = next(r for r in results if r.check == "registry.witness.stale")
    assert "HTTP 200, expected 409 registry.witness-stale" in stale.detail
