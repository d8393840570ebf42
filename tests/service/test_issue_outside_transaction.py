"""Issue 20: a credential that posts nothing is signed before its write transaction opens, so
what that transaction checks (the key still active) and what check_signed still checks (the
signature, always; the data model whenever the signed document is not the validated one)
are the guarantees left to test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends import new_tenant, service_on
from vcservice.dids import did_key_for
from vcservice.issuing import CredentialRejectedError, check_signed, prepared
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing.jose import envelope, issue_vc_jwt
from vcservice.service import IssueCommand, Service
from vcservice.service.issuing import Signed
from vcservice.store import ConflictError
from vcservice.verify import same_json


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    with service_on(f"sqlite:///{tmp_path / 'vc.db'}") as svc:
        yield svc


def _credential(n: int) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": f"urn:example:lot:{n}",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": f"urn:example:lot:{n}", "name": f"Lot {n}"},
    }


def test_a_key_rotated_between_signing_and_storing_stores_nothing(service: Service) -> None:
    tenant = new_tenant(service)
    signed = service._issuing().sign(tenant, IssueCommand(_credential(1)))
    assert isinstance(signed, Signed)
    service.add_key(tenant, KeyType.ED25519)
    service.retire_key(tenant, signed.key.fragment)
    with pytest.raises(ConflictError, match="signing key"), service.store.transaction() as tx:
        service._issuing().store_signed(tx, signed)
    assert service.own_credential(tenant, signed.id) is None
    events, _ = service.key_events(tenant, limit=100)
    assert all("credential" not in event.detail for event in events)
    issued = service.issue(tenant, IssueCommand(_credential(1)))  # again: the new key signs
    assert service.own_credential(tenant, issued.id) is not None


def _signer() -> Signer:
    key = KeyPair.generate(KeyType.ED25519)
    did = did_key_for(key.public)
    return Signer(key, f"{did}#{key.public.multibase}")


def test_check_signed_still_checks_the_signature() -> None:
    key = _signer()
    credential = {**_credential(2), "issuer": key.controller}
    loader = bundled_loader()
    document = prepared(credential, key, "vc+jwt", loader=loader)
    token = issue_vc_jwt(document, key)
    head, payload, signature = token.split(".")
    forged = envelope(f"{head}.{payload}.{signature[::-1]}")
    with pytest.raises(CredentialRejectedError):
        check_signed(forged, key, loader=loader, validated=document)
    check_signed(envelope(token), key, loader=loader, validated=document)


def test_the_data_model_is_checked_when_the_document_is_not_the_validated_one() -> None:
    key = _signer()
    credential = {**_credential(3), "issuer": key.controller}
    loader = bundled_loader()
    document = prepared(credential, key, "vc+jwt", loader=loader)
    broken = {k: v for k, v in document.items() if k != "credentialSubject"}
    with pytest.raises(CredentialRejectedError):  # signed as is: only the data model fails
        check_signed(envelope(issue_vc_jwt(broken, key)), key, loader=loader, validated=document)


def test_same_json_holds_json_types_apart() -> None:
    assert same_json({"a": [1, "x", None]}, {"a": [1, "x", None]})
    assert not same_json({"a": 1}, {"a": 1.0})
    assert not same_json({"a": 1}, {"a": True})
    assert not same_json([1, 2], (1, 2))
    assert not same_json({"a": 1}, {"a": 1, "b": 2})
    assert not same_json(float("nan"), float("nan"))
