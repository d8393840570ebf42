"""Issue 15: the federated credit registry's event properties. ``creditRegistry`` names the home
registry of the credits an event opens (a DID and the base URL of its registration API, DID Core
``serviceEndpoint``); ``creditReceipt`` carries the homes' COSE Receipts for the event's debits
(multibase base64url). Both expand to their IRIs with the bundled context, pass our profile, and
a credential carrying them issues (strict data-model check) and verifies. The shapes the profile
refuses are negative cases in test_profiles.py (``NEGATIVE``), where model and schema must agree.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.vocab.test_profiles import UNTP_FALLBACK, example
from vcservice.api import create_app
from vcservice.dids import DidKeyResolver
from vcservice.issuing import CredentialRejectedError, issue_credential
from vcservice.jsonld import bundled_loader, expand
from vcservice.keys import KeyPair, Signer
from vcservice.report import Outcome
from vcservice.schema_validation import EXTENSION_CHECK, validate_document
from vcservice.service import Service
from vcservice.settings import Settings
from vcservice.verify import Verifier
from vcservice.vocab import load_vocabulary, render_context, validate_profile

CM = "https://w3id.org/critical-minerals/vocab#"
SERVICE_ENDPOINT = "https://www.w3.org/ns/did#serviceEndpoint"
MULTIBASE = "https://w3id.org/security#multibase"
#: The DTE examples carrying the properties: (example, names a home, event type).
EVENTS = [
    ("make-cathode", True, "MakeEvent"),
    ("move-cathode-cu80", True, "MoveEvent"),
    ("claim-motor", False, "ClaimEvent"),
]


def _event(doc: dict[str, Any]) -> dict[str, Any]:
    (event,) = doc["credentialSubject"]
    assert isinstance(event, dict)
    return event


def _nodes_with(node: Any, iri: str) -> list[dict[str, Any]]:
    """Every expanded node object carrying property ``iri``, at any depth."""
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for item in node:
            found.extend(_nodes_with(item, iri))
    elif isinstance(node, dict):
        if iri in node:
            found.append(node)
        for value in node.values():
            found.extend(_nodes_with(value, iri))
    return found


def test_the_context_defines_both_terms() -> None:
    body = render_context(load_vocabulary())["@context"]
    assert body["creditRegistry"] == {
        "@id": "cm:creditRegistry",
        "@context": {
            "@protected": True,
            "serviceEndpoint": {"@id": SERVICE_ENDPOINT, "@type": "@id"},
        },
    }
    assert body["creditReceipt"] == {
        "@id": "cm:creditReceipt",
        "@type": MULTIBASE,
        "@container": "@set",
    }
    assert body["CreditRegistry"] == {"@id": "cm:CreditRegistry"}
    assert "serviceEndpoint" not in body  # scoped to creditRegistry, never a top-level term


@pytest.mark.parametrize(("name", "homed", "kind"), EVENTS)
def test_the_terms_expand_to_their_iris(name: str, homed: bool, kind: str) -> None:
    doc = example(name)
    event = _event(doc)
    expanded = expand(doc, bundled_loader())

    (receipts,) = _nodes_with(expanded, CM + "creditReceipt")
    assert receipts[CM + "creditReceipt"] == [
        {"@type": MULTIBASE, "@value": text} for text in event["creditReceipt"]
    ]
    homes = _nodes_with(expanded, CM + "creditRegistry")
    if not homed:
        assert homes == []
        return
    (home,) = homes
    assert home is receipts  # both on the event node
    assert home[CM + "creditRegistry"] == [
        {
            "@id": event["creditRegistry"]["id"],
            SERVICE_ENDPOINT: [{"@id": event["creditRegistry"]["serviceEndpoint"]}],
        }
    ]


@pytest.mark.parametrize(("name", "homed", "kind"), EVENTS)
def test_an_event_with_the_properties_passes_the_profile(name: str, homed: bool, kind: str) -> None:
    doc = example(name)
    event = _event(doc)
    assert kind in event["type"]
    assert event["creditReceipt"]
    assert ("creditRegistry" in event) == homed
    assert validate_profile(doc, "traceability-event") == []


def test_a_loopback_http_endpoint_passes_and_another_http_one_does_not() -> None:
    doc = example("make-cathode")
    home = _event(doc)["creditRegistry"]
    home["serviceEndpoint"] = "http://localhost:8000/registry"
    assert validate_profile(doc, "traceability-event") == []
    home["serviceEndpoint"] = "http://registry.example/registry"
    pointer = "/credentialSubject/0/creditRegistry/serviceEndpoint"
    assert pointer in [f.pointer for f in validate_profile(doc, "traceability-event")]


# -- Issuing and verifying ---------------------------------------------------------------------

NOW = datetime(2026, 6, 1, tzinfo=UTC)  # inside the examples' validity windows


@pytest.fixture(scope="module")
def issuer() -> Signer:
    return Signer.did_key(KeyPair.generate("ed25519"))


def _as_issued_by(name: str, signer: Signer) -> dict[str, Any]:
    credential = copy.deepcopy(example(name))
    credential["issuer"]["id"] = signer.controller  # UNTP: an issuer object
    return credential


@pytest.mark.parametrize("fmt", ["vc+jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"])
@pytest.mark.parametrize(("name", "homed", "kind"), EVENTS)
def test_credentials_carrying_them_issue_validate_and_verify(
    issuer: Signer, name: str, homed: bool, kind: str, fmt: str
) -> None:
    """Issuing runs the strict data-model check (JSON-LD expansion with the bundled contexts,
    undefined terms refused); the profile check is ``validate``'s schema.extension."""
    loader = bundled_loader()
    secured = issue_credential(_as_issued_by(name, issuer), issuer, fmt, loader=loader)
    report = Verifier(resolver=DidKeyResolver(), clock=lambda: NOW).verify_credential(secured)
    assert report.verified, report.to_dict()

    validated = validate_document(secured, loader=loader)
    assert validated.verified, [c.to_dict() for c in validated.errors]
    assert [c.outcome for c in validated.checks if c.id == EXTENSION_CHECK] == [Outcome.PASSED]
    assert validated.document is not None
    event = _event(validated.document)
    assert event["creditReceipt"] == _event(example(name))["creditReceipt"]
    assert ("creditRegistry" in event) == homed


def test_a_misspelt_term_in_the_registry_is_refused_at_issuance(issuer: Signer) -> None:
    """``serviceEndpoint`` passes because the property-scoped context defines it: in the
    registry node (no UNTP type, so no UNTP @vocab) an undefined term is refused."""
    credential = _as_issued_by("make-cathode", issuer)
    home = _event(credential)["creditRegistry"]
    home["serviceEndpont"] = home.pop("serviceEndpoint")
    with pytest.raises(CredentialRejectedError):
        issue_credential(credential, issuer, "eddsa-rdfc-2022", loader=bundled_loader())


def test_on_the_event_our_terms_expand_into_our_namespace_not_a_untp_fallback() -> None:
    """A term no context defines is minted by UNTP's type-scoped @vocab on an event (and the
    data-model check lets it through: test_profiles refuses such IRIs in the examples); ours
    are defined by our context."""
    doc = example("claim-motor")
    event = _event(doc)
    event["creditReceipts"] = event["creditReceipt"]
    (node,) = _nodes_with(expand(doc, bundled_loader()), CM + "creditReceipt")
    fallbacks = [k for k in node if UNTP_FALLBACK.match(k)]
    assert [k.rsplit("#", 1)[1] for k in fallbacks] == ["creditReceipts"]


# -- Through the service -------------------------------------------------------------------------


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = Service.from_settings(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
            public_url="http://localhost:8000",
            secret_key=SecretStr("A" * 43),  # tests only
        )
    )
    yield svc
    svc.close()


@pytest.mark.parametrize("fmt", ["vc+jwt", "eddsa-rdfc-2022"])
def test_the_service_issues_and_verifies_events_carrying_them(service: Service, fmt: str) -> None:
    """The service names itself as the home of the credits it opens (a loopback http endpoint
    here: public_url is http://localhost:8000) and keeps a credential that names it; receipts
    on make, move and claim events pass through. Each issued credential verifies and validates."""
    tenant = service.create_tenant("smelter")
    headers = {"Authorization": f"Bearer {tenant['api_key']}"}
    with TestClient(create_app(service=service), raise_server_exceptions=False) as client:

        def issue(name: str, home: dict[str, Any] | None) -> dict[str, Any]:
            credential = copy.deepcopy(example(name))
            credential["issuer"]["id"] = tenant["did"]
            credential["id"] = f"urn:uuid:{uuid.uuid4()}"
            event = _event(credential)
            event.pop("creditRegistry", None)
            if home is not None:
                event["creditRegistry"] = home
            response = client.post(
                "/credentials/issue",
                json={"credential": credential, "options": {"format": fmt}},
                headers=headers,
            )
            assert response.status_code == 201, (name, response.text)
            issued: dict[str, Any] = response.json()["verifiableCredential"]
            verified = client.post("/credentials/verify", json={"verifiableCredential": issued})
            assert verified.json()["verified"] is True, (name, verified.json()["errors"])
            report = validate_document(issued, loader=bundled_loader())
            assert report.verified, (name, [c.to_dict() for c in report.errors])
            assert report.document is not None
            return _event(report.document)

        named = issue("make-cathode", None)["creditRegistry"]
        assert set(named) == {"id", "serviceEndpoint"}
        for name in ("make-cathode", "move-cathode-cu80", "claim-motor"):
            event = issue(name, named if name != "claim-motor" else None)
            assert event["creditReceipt"] == _event(example(name))["creditReceipt"]
