"""Builders for hosted DID documents: did_web_for, did_document and its id rules."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcservice.dids import (
    MethodForm,
    active_method_ids,
    did_document,
    did_web_for,
    did_web_url,
    public_key_of,
    verification_method_id,
)
from vcservice.errors import InputError
from vcservice.keys import KeyPair, KeyType

DID = "did:web:tenants.vcservice.dev:acme"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
JWK_V1 = "https://w3id.org/security/jwk/v1"

K1 = KeyPair.generate(KeyType.ED25519).public
K2 = KeyPair.generate(KeyType.P256).public
OLD = KeyPair.generate(KeyType.P384).public


# --- did_web_for --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "path", "did"),
    [
        ("example.com", (), "did:web:example.com"),
        ("w3c-ccg.github.io", ("user", "alice"), "did:web:w3c-ccg.github.io:user:alice"),
        ("example.com:3000", ("user", "alice"), "did:web:example.com%3A3000:user:alice"),
        ("Tenants.VCService.dev", ("acme",), "did:web:tenants.vcservice.dev:acme"),
        (
            "example.com",
            ("Acme Mining", "a~b", "ü"),
            "did:web:example.com:Acme%20Mining:a%7Eb:%C3%BC",
        ),
        ("localhost:8443", ("t",), "did:web:localhost%3A8443:t"),
        ("127.0.0.1:9000", (), "did:web:127.0.0.1%3A9000"),
    ],
)
def test_did_web_for(host: str, path: tuple[str, ...], did: str) -> None:
    assert did_web_for(host, path) == did


@pytest.mark.parametrize(
    ("host", "path", "message"),
    [
        ("10.0.0.1", (), "IP address"),
        ("169.254.169.254", (), "IP address"),
        ("example.com:0", (), "port"),
        ("exa mple.com", (), "domain name"),
        ("example.com/x", (), "domain name"),
        ("", (), "domain name"),
        ("example.com", ("",), "empty"),
        ("example.com", ("..",), "dot segment"),
        ("example.com", ("a/b",), "separator"),
        ("example.com", ("\n",), "control"),
    ],
)
def test_did_web_for_refuses_what_resolution_would(
    host: str, path: tuple[str, ...], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        did_web_for(host, path)


def test_did_web_for_needs_a_string_host() -> None:
    with pytest.raises(InputError, match="must be a string"):
        did_web_for(None)  # type: ignore[arg-type]


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_label, min_size=1, max_size=3).filter(lambda labels: not labels[-1].isdigit()),
    st.one_of(st.none(), st.integers(1, 65535)),
    st.lists(
        st.text(min_size=1, max_size=12).filter(
            lambda s: (
                s not in (".", "..")
                and not any(c in s for c in "/\\?#")
                and all(ord(c) >= 0x20 and ord(c) != 0x7F for c in s)
            )
        ),
        max_size=3,
    ),
)
def test_built_dids_resolve_to_the_hosting_url(
    labels: list[str], port: int | None, path: list[str]
) -> None:
    name = ".".join(labels) + ".example"
    host = name if port is None else f"{name}:{port}"
    url = did_web_url(did_web_for(host, path))
    assert url.startswith(f"https://{host}/")
    assert url.endswith("/.well-known/did.json" if not path else "/did.json")


# --- did_document: forms and ids -------------------------------------------------------------
def test_default_is_multikey() -> None:
    document = did_document(DID, [("key-1", K1), ("key-2", K2)])
    assert document == {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": DID,
        "verificationMethod": [
            {
                "id": f"{DID}#key-1",
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": K1.multibase,
            },
            {
                "id": f"{DID}#key-2",
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": K2.multibase,
            },
        ],
        "authentication": [f"{DID}#key-1", f"{DID}#key-2"],
        "assertionMethod": [f"{DID}#key-1", f"{DID}#key-2"],
    }


def test_jsonwebkey_only() -> None:
    document = did_document(DID, [("#key-1", K2)], forms=["JsonWebKey"])
    assert document["@context"] == [DID_V1, JWK_V1]
    assert document["verificationMethod"] == [
        {"id": f"{DID}#key-1", "type": "JsonWebKey", "controller": DID, "publicKeyJwk": K2.to_jwk()}
    ]


def test_both_forms_first_form_keeps_the_bare_id() -> None:
    document = did_document(DID, [("key-1", K1)], forms=("Multikey", "JsonWebKey"))
    assert document["@context"] == [DID_V1, MULTIKEY_V1, JWK_V1]
    ids = [m["id"] for m in document["verificationMethod"]]
    assert ids == [f"{DID}#key-1", f"{DID}#key-1-jwk"]
    assert [m["type"] for m in document["verificationMethod"]] == ["Multikey", "JsonWebKey"]
    assert document["assertionMethod"] == document["authentication"] == ids
    # Both forms carry the same key.
    assert {public_key_of(m).raw for m in document["verificationMethod"]} == {K1.raw}

    reordered = did_document(DID, [("key-1", K1)], forms=("JsonWebKey", "Multikey"))
    assert [m["id"] for m in reordered["verificationMethod"]] == [
        f"{DID}#key-1",
        f"{DID}#key-1-multikey",
    ]
    assert reordered["@context"] == [DID_V1, MULTIKEY_V1, JWK_V1]


def test_verification_method_id_matches_the_document() -> None:
    forms: tuple[MethodForm, ...] = ("Multikey", "JsonWebKey")
    document = did_document(DID, [("key-1", K1)], forms=forms)
    assert [m["id"] for m in document["verificationMethod"]] == [
        verification_method_id(DID, "key-1", "Multikey", forms=forms),
        verification_method_id(DID, "#key-1", "JsonWebKey", forms=forms),
    ]
    assert verification_method_id(DID, "key-1", "Multikey") == f"{DID}#key-1"
    with pytest.raises(InputError, match="not one of the forms"):
        verification_method_id(DID, "key-1", "JsonWebKey")


def test_document_is_plain_json() -> None:
    document = did_document(
        DID, [("key-1", K1)], retired=[("key-0", OLD)], forms=("Multikey", "JsonWebKey")
    )
    assert json.loads(json.dumps(document)) == document


# --- retired keys -----------------------------------------------------------------------------
def test_retired_keys_assert_but_do_not_authenticate() -> None:
    document = did_document(DID, [("key-2", K2)], retired=[("key-1", OLD)])
    assert [m["id"] for m in document["verificationMethod"]] == [f"{DID}#key-2", f"{DID}#key-1"]
    assert document["assertionMethod"] == [f"{DID}#key-2", f"{DID}#key-1"]
    assert document["authentication"] == [f"{DID}#key-2"]
    assert active_method_ids(document) == [f"{DID}#key-2"]
    # No revoked/expires: verifiers that honour them would reject the old credentials too.
    for method in document["verificationMethod"]:
        assert set(method) == {"id", "type", "controller", "publicKeyMultibase"}


def test_only_retired_keys_means_nothing_to_sign_with() -> None:
    document = did_document(DID, [], retired=[("key-1", OLD)], forms=("Multikey", "JsonWebKey"))
    assert "authentication" not in document
    assert document["assertionMethod"] == [f"{DID}#key-1", f"{DID}#key-1-jwk"]
    assert active_method_ids(document) == []


def test_no_keys_at_all_lists_no_empty_relationships() -> None:
    assert did_document(DID, []) == {"@context": [DID_V1, MULTIKEY_V1], "id": DID}


def test_active_method_ids_of_a_foreign_document() -> None:
    document = {
        "id": "did:web:x.example",
        "assertionMethod": ["#a", {"id": "did:web:x.example#b"}, "did:web:x.example#c", 7],
        "authentication": ["did:web:x.example#a", "#b"],
    }
    assert active_method_ids(document) == ["did:web:x.example#a", "did:web:x.example#b"]
    assert active_method_ids({"id": "did:web:x.example", "assertionMethod": "#a"}) == []


# --- misuse -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: did_document("did:web:x.example#frag", []), "without fragment", id="did-url"
        ),
        pytest.param(lambda: did_document("web:x.example", []), "not a DID", id="not-a-did"),
        pytest.param(lambda: did_document("did:web:", []), "not a DID", id="empty-msid"),
        pytest.param(
            lambda: did_document(DID, [("key 1", K1)]), "fragment", id="space-in-fragment"
        ),
        pytest.param(lambda: did_document(DID, [("", K1)]), "fragment", id="empty-fragment"),
        pytest.param(lambda: did_document(DID, [("a#b", K1)]), "fragment", id="hash-in-fragment"),
        pytest.param(
            lambda: did_document(DID, [("k", K1), ("k", K2)]), "used twice", id="duplicate"
        ),
        pytest.param(
            lambda: did_document(DID, [("k", K1)], retired=[("#k", OLD)]),
            "used twice",
            id="dup-retired",
        ),
        pytest.param(
            lambda: did_document(DID, [("k", K1), ("k-jwk", K2)], forms=("Multikey", "JsonWebKey")),
            "used twice",
            id="suffix-collision",
        ),
        pytest.param(
            lambda: did_document(DID, [("k", K1)], retired=[("old", K1)]),
            "both as active and as retired",
            id="active-and-retired",
        ),
        pytest.param(
            lambda: did_document(DID, [("k", K1)], forms=()), "at least one form", id="no-forms"
        ),
        pytest.param(
            lambda: did_document(DID, [("k", K1)], forms=("Multikey", "Multikey")),
            "repeat",
            id="repeat",
        ),
        pytest.param(
            lambda: did_document(DID, [("k", K1)], forms=("Ed25519VerificationKey2020",)),  # type: ignore[arg-type]
            "unknown",
            id="unknown-form",
        ),
    ],
)
def test_misuse_is_an_input_error(call: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()  # type: ignore[operator]
