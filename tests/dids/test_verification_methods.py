"""resolve_verification_method over did:web and did:jwk documents, end to end.

The hosted documents come from :func:`did_document`, are served over MockTransport and resolved
by the same MultiResolver the service uses, so these tests cover builder, resolver and
authorization check together: what a verifier does when it meets a proof.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from vcservice.dids import (
    DidJwkResolver,
    MethodForm,
    MultiResolver,
    default_resolver,
    did_document,
    did_jwk_for,
    did_web_for,
    resolve_verification_method,
    verification_method_id,
)
from vcservice.errors import ResolutionError, VerificationMethodError
from vcservice.keys import KeyPair, KeyType

from .conftest import MakeResolver, serve_documents

DID = did_web_for("tenants.vcservice.dev", ["acme"])
URL = "https://tenants.vcservice.dev/acme/did.json"
ACTIVE = KeyPair.generate(KeyType.ED25519)
SECOND = KeyPair.generate(KeyType.P256)
RETIRED = KeyPair.generate(KeyType.P384)
FORMS: tuple[MethodForm, ...] = ("Multikey", "JsonWebKey")
MESSAGE = b"copper cathode lot 7, 25.0 t"


def hosted(document: dict[str, Any], make_resolver: MakeResolver) -> MultiResolver:
    resolver, _ = make_resolver(serve_documents({URL: document}))
    return MultiResolver({"web": resolver, "jwk": DidJwkResolver()})


@pytest.fixture
def resolver(make_resolver: MakeResolver) -> MultiResolver:
    document = did_document(
        DID,
        [("key-2", ACTIVE.public), ("key-3", SECOND.public)],
        retired=[("key-1", RETIRED.public)],
        forms=FORMS,
    )
    return hosted(document, make_resolver)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("fragment", "pair"), [("key-2", ACTIVE), ("key-3", SECOND)])
@pytest.mark.parametrize("purpose", ["assertionMethod", "authentication"])
def test_active_key_in_either_form_for_either_purpose(
    resolver: MultiResolver, form: MethodForm, fragment: str, pair: KeyPair, purpose: str
) -> None:
    method_id = verification_method_id(DID, fragment, form, forms=FORMS)
    method = resolve_verification_method(resolver, method_id, purpose)
    assert method.id == method_id
    assert method.type == form
    assert method.controller == DID
    assert method.public_key.verify(pair.sign(MESSAGE), MESSAGE)


@pytest.mark.parametrize("form", FORMS)
def test_retired_key_still_verifies_old_assertions(
    resolver: MultiResolver, form: MethodForm
) -> None:
    method_id = verification_method_id(DID, "key-1", form, forms=FORMS)
    method = resolve_verification_method(resolver, method_id, "assertionMethod")
    assert method.public_key.verify(RETIRED.sign(MESSAGE), MESSAGE)
    with pytest.raises(VerificationMethodError, match="not authorized for authentication"):
        resolve_verification_method(resolver, method_id, "authentication")


def test_key_from_another_tenant_does_not_verify(resolver: MultiResolver) -> None:
    method = resolve_verification_method(resolver, f"{DID}#key-2", "assertionMethod")
    assert not method.public_key.verify(SECOND.sign(MESSAGE), MESSAGE)


@pytest.mark.parametrize(
    ("method_id", "purpose", "message"),
    [
        (f"{DID}#key-9", "assertionMethod", "not found"),
        (f"{DID}#key-2", "capabilityInvocation", "not authorized for capabilityInvocation"),
        (f"{DID}#key-2", "keyAgreement", "not authorized for keyAgreement"),
        (f"{DID}#key-2", "sign", "unknown proof purpose"),
        ("https://tenants.vcservice.dev/acme#key-2", "assertionMethod", "not a DID URL"),
    ],
)
def test_invalid_is_a_verification_method_error(
    resolver: MultiResolver, method_id: str, purpose: str, message: str
) -> None:
    with pytest.raises(VerificationMethodError, match=message):
        resolve_verification_method(resolver, method_id, purpose)


def test_outage_is_could_not_check_never_invalid(make_resolver: MakeResolver) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    web, _ = make_resolver(down)
    # Issue 13: the failure's kind (ConnectError) is logged, never shown.
    with pytest.raises(ResolutionError, match="could not fetch"):
        resolve_verification_method(MultiResolver({"web": web}), f"{DID}#key-2", "assertionMethod")


def test_method_claiming_another_controller_is_refused(make_resolver: MakeResolver) -> None:
    # A document listing its own key with a victim's DID as controller must not let its owner
    # sign as the victim: the verifier binds the issuer to the method's controller.
    document = did_document(DID, [("key-2", ACTIVE.public)])
    document["verificationMethod"][0]["controller"] = "did:web:victim.example"
    with pytest.raises(
        VerificationMethodError, match=r"names did:web:victim\.example as its controller"
    ):
        resolve_verification_method(
            hosted(document, make_resolver), f"{DID}#key-2", "assertionMethod"
        )


def test_relative_references_in_a_hosted_document(make_resolver: MakeResolver) -> None:
    document = {
        "id": DID,
        "verificationMethod": [
            {
                "id": "#k",
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": ACTIVE.public.multibase,
            }
        ],
        "assertionMethod": ["#k"],
    }
    method = resolve_verification_method(
        hosted(document, make_resolver), f"{DID}#k", "assertionMethod"
    )
    assert method.public_key.raw == ACTIVE.public.raw


# --- did:jwk ----------------------------------------------------------------------------------
@pytest.fixture
def offline_client() -> Iterator[httpx.Client]:
    """A client whose transport fails the test if did:jwk resolution ever touched it."""

    def forbidden(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"did:jwk resolution made a request to {request.url}")

    with httpx.Client(transport=httpx.MockTransport(forbidden)) as client:
        yield client


@pytest.mark.parametrize("key_type", list(KeyType))
@pytest.mark.parametrize("purpose", ["assertionMethod", "authentication"])
def test_did_jwk_methods(offline_client: httpx.Client, key_type: KeyType, purpose: str) -> None:
    pair = KeyPair.generate(key_type)
    did = did_jwk_for(pair.public)
    method = resolve_verification_method(default_resolver(offline_client), did + "#0", purpose)
    assert method.type == "JsonWebKey"
    assert method.controller == did
    assert method.public_key.verify(pair.sign(MESSAGE), MESSAGE)


def test_did_jwk_only_has_fragment_zero() -> None:
    did = did_jwk_for(ACTIVE.public)
    with pytest.raises(VerificationMethodError, match="not found"):
        resolve_verification_method(DidJwkResolver(), did + "#1", "assertionMethod")
