"""The ``resolver``, ``disclosure`` and ``confidential`` suites against two live vcservice
processes (``conftest.instances``): A (did:web, Ed25519) and B (did:key, P-256).

One run of the three suites per module; the tests read its results. A platform declaring none
of the endpoints is skipped, never failed.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from conformance.client import Answer
from conformance.config import parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites import confidential, disclosure, resolver
from tests.conformance.conftest import Instance

pytestmark = pytest.mark.network
BARE = "bare-verifier"


def _entry(instance: Instance, formats: list[str]) -> dict[str, Any]:
    table = instance.entry(status=False)
    table["issuer"]["formats"] = formats
    table["verifier"]["formats"] = [*table["verifier"]["formats"], "ecdsa-sd-2023", "vc+sd-jwt"]
    table["graph_verifier"] = {"endpoint": f"{instance.url}/graphs/verify"}
    table["resolver"] = {"endpoint": instance.url}
    table["derive"] = {"endpoint": f"{instance.url}/credentials/derive"}
    return table


def explain(results: list[Result]) -> str:
    return "\n".join(
        f"{r.implementation} {r.issuer}->{r.verifier} {r.check}: {r.outcome.value} {r.detail}"
        for r in results
    )


@pytest.fixture(scope="module")
def results(instances: tuple[Instance, Instance]) -> list[Result]:
    """A issues vc+jwt and vc+sd-jwt, B ecdsa-sd-2023 (and its default, vc+jwt); a third
    implementation is only A's verifier, declaring no resolver, derive or graph endpoint."""
    a, b = instances
    entries = [
        _entry(a, ["vc+jwt", "vc+sd-jwt"]),
        _entry(b, ["ecdsa-sd-2023"]),
        {"name": BARE, "verifier": {"endpoint": f"{a.url}/credentials/verify"}},
    ]
    config = parse_config({"implementation": entries}, environ={})
    with httpx.Client(timeout=config.timeout) as http:
        context = SuiteContext(config, config.implementations, http)
        return [r for suite in (resolver, disclosure, confidential) for r in suite.run(context)]


def test_every_check_passes_on_both_instances(
    instances: tuple[Instance, Instance], results: list[Result]
) -> None:
    names = {i.name for i in instances}
    mine = [r for r in results if r.implementation in names]
    assert {r.outcome for r in mine} == {Outcome.PASSED}, explain(mine)
    checks = {r.check for r in mine}
    assert {c.id for c in resolver.CHECKS} <= checks
    assert {c.id for c in confidential.CHECKS} <= checks
    for fmt in ("ecdsa-sd-2023", "vc+sd-jwt"):
        assert {f"disclosure.{fmt}.{case}" for case in ("derive", "valid", "tampered")} <= checks
    # Derived credentials cross platforms: B's ecdsa-sd-2023 and A's SD-JWT verified by both.
    cells = {(r.issuer, r.verifier, r.check) for r in mine if r.issuer}
    a, b = instances
    assert (b.name, a.name, "disclosure.ecdsa-sd-2023.tampered") in cells
    assert (a.name, b.name, "disclosure.vc+sd-jwt.valid") in cells


def test_a_platform_without_the_endpoints_is_skipped(results: list[Result]) -> None:
    bare = [r for r in results if r.implementation == BARE and r.issuer is None]
    assert bare
    assert {r.outcome for r in bare} == {Outcome.SKIPPED}, explain(bare)
    # ...while as a verifier it still judges the others' derived credentials.
    cells = [r for r in results if r.verifier == BARE]
    assert cells
    assert {r.outcome for r in cells} == {Outcome.PASSED}, explain(cells)


def test_a_resolver_that_does_not_redirect_browsers_fails_the_html_check() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/resolver":
            return httpx.Response(200, json={"name": "x"})
        anchor = str(request.url)
        linkset = {"linkset": [{"anchor": anchor, "dpp": [{"href": "https://x.invalid/c"}]}]}
        if request.url.host == "x.invalid":
            return httpx.Response(200, json={"credentialSubject": {}})
        return httpx.Response(200, json=linkset, headers={"content-type": "application/json"})

    config = parse_config(
        {
            "implementation": [
                {
                    "name": "static",
                    "resolver": {"endpoint": "https://r.invalid", "identifiers": ["/01/1"]},
                }
            ]
        },
        environ={},
    )
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        found = list(resolver.run(SuiteContext(config, config.implementations, http)))
    outcomes = {r.check: r.outcome for r in found}
    assert outcomes == {
        "resolver.description": Outcome.PASSED,
        "resolver.linkset": Outcome.PASSED,
        "resolver.targets": Outcome.PASSED,
        "resolver.html": Outcome.FAILED,
    }, explain(found)


def test_disclosure_tampering_changes_only_the_disclosed_value() -> None:
    jwt = "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.c2ln"
    disclosure_text = '["salt","name","disclosed-1"]'

    encoded = base64.urlsafe_b64encode(disclosure_text.encode()).rstrip(b"=").decode()
    envelope = {
        "type": "EnvelopedVerifiableCredential",
        "id": f"{disclosure.SD_JWT_PREFIX}{jwt}~{encoded}~",
    }
    assert "disclosed-1" in disclosure.revealed(envelope)
    broken = disclosure.tamper(envelope, "disclosed-1")
    assert broken["id"].split("~")[0] == f"{disclosure.SD_JWT_PREFIX}{jwt}"
    assert "disclosed-1-altered" in disclosure.revealed(broken)
    assert envelope["id"].endswith(f"{encoded}~")  # the original is never changed
    document = {"credentialSubject": {"name": "disclosed-1"}, "proof": {"proofValue": "u1"}}
    assert disclosure.tamper(document, "disclosed-1")["credentialSubject"]["name"] == (
        "disclosed-1-altered"
    )


def test_a_locked_link_reported_failed_fails_the_check() -> None:
    """A graph verifier that calls a link it cannot open *failed* (not indeterminate) fails."""
    locked = {"outcome": "indeterminate", "id": "links.encrypted"}
    report = {"verified": False, "errors": [locked]}
    assert confidential.indeterminate(Answer(422, report)).outcome is Outcome.PASSED
    report["errors"] = [{**locked, "outcome": "failed"}]
    assert confidential.indeterminate(Answer(422, report)).outcome is Outcome.FAILED
    assert confidential.indeterminate(Answer(200, {"verified": True})).outcome is Outcome.FAILED
