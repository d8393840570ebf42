"""ecdsa-sd-2023: the W3C vectors step by step, and issue -> derive -> verify round trips.

The vectors' credentials use the citizenship context, which is not bundled, so the JSON-LD
steps (skolemization, selection) are exercised by the round trips over bundled contexts, and
the vectors check every step after canonicalization: HMAC labels, mandatory hash, proof value
encodings byte for byte, and verification of the base and derived signatures.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from vcservice.dids import DidKeyResolver
from vcservice.errors import InputError, SigningError
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, PublicKey, Signer
from vcservice.securing import add_proof, verify_proofs
from vcservice.securing.suites import ecdsa_sd_2023 as sd
from vcservice.securing.suites._sd_primitives import hmac_label_factory, label_replaced

from ..conftest import ECDSA_VECTORS, load_json

SD_VECTORS = ECDSA_VECTORS / "ecdsa-sd-2023"
HMAC_KEY = bytes.fromhex(load_json(SD_VECTORS / "SDKeyMaterial.json")["hmacKeyString"])


def _json(directory: Path, name: str) -> Any:
    return load_json(directory / name)


def _proof_hash(directory: Path) -> bytes:
    return hashlib.sha256((directory / "addProofConfigCanon.txt").read_bytes()).digest()


@pytest.fixture(params=["employ", "prc"])
def vector(request: pytest.FixtureRequest) -> Path:
    return SD_VECTORS / str(request.param)


def test_base_proof_steps_match_the_vectors(vector: Path) -> None:
    canonical = "".join(_json(vector, "addBaseDocCanon.json"))
    dataset = dict(jsonld.JsonLdProcessor.parse_nquads(canonical))
    quads, _ = label_replaced(dataset, hmac_label_factory(HMAC_KEY))
    assert quads == _json(vector, "addBaseDocHMACCanon.json")

    transform = _json(vector, "addBaseTransform.json")
    hashes = _json(vector, "addHashData.json")
    mandatory = [quad for _, quad in transform["mandatory"]["value"]]
    assert sd.mandatory_hash(mandatory).hex() == hashes["mandatoryHash"]
    assert _proof_hash(vector).hex() == hashes["proofHash"]

    proof = _json(vector, "addSignedSDBase.json")["proof"]
    base = sd.parse_base_proof_value(proof["proofValue"])
    raw = _json(vector, "addRawBaseSignatureInfo.json")
    assert base.base_signature.hex() == raw["baseSignature"]
    assert [s.hex() for s in base.signatures] == raw["signatures"]
    assert base.mandatory_pointers == transform["mandatoryPointers"]
    assert sd.serialize_base_proof_value(base) == proof["proofValue"]

    issuer = PublicKey.from_multibase(proof["verificationMethod"].split("#")[1])
    to_sign = _proof_hash(vector) + base.public_key + bytes.fromhex(hashes["mandatoryHash"])
    assert issuer.verify(base.base_signature, to_sign)
    ephemeral = PublicKey.from_raw(KeyType.P256, base.public_key[2:])
    non_mandatory = [quad for _, quad in transform["nonMandatory"]["value"]]
    assert len(non_mandatory) == len(base.signatures)
    assert all(
        ephemeral.verify(sig, quad.encode())
        for sig, quad in zip(base.signatures, non_mandatory, strict=True)
    )


def test_derived_proof_matches_and_verifies_against_the_vectors(vector: Path) -> None:
    proof = _json(vector, "derivedRevealDocument.json")["proof"]
    derived = sd.parse_derived_proof_value(proof["proofValue"])
    disclosure = _json(vector, "derivedDisclosureData.json")
    assert derived.label_map == dict(disclosure["labelMap"]["value"])
    assert derived.mandatory_indexes == disclosure["mandatoryIndexes"]
    assert [s.hex() for s in derived.signatures] == disclosure["signatures"]
    assert sd.serialize_derived_proof_value(derived) == proof["proofValue"]

    issuer = PublicKey.from_multibase(proof["verificationMethod"].split("#")[1])
    quads = _json(vector, "verifyNQuads.json")
    assert sd.verify_quads(quads, derived, _proof_hash(vector), issuer) == ""
    tampered = [quads[0], *quads[1:-1], quads[-1].replace('"', "'", 1)]
    assert sd.verify_quads(tampered, derived, _proof_hash(vector), issuer) != ""


def test_a_base_proof_is_refused_as_a_final_proof(vector: Path) -> None:
    proof = _json(vector, "addSignedSDBase.json")["proof"]
    with pytest.raises(InputError, match="expected a derived proof value, got a base one"):
        sd.parse_derived_proof_value(proof["proofValue"])


# --- round trips over bundled contexts ------------------------------------------------------

LOADER = bundled_loader()
KEY = KeyPair.generate(KeyType.P256)
SIGNER = Signer.did_key(KEY)
CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "type": ["VerifiableCredential"],
    "issuer": SIGNER.controller,
    "validFrom": "2024-01-01T00:00:00Z",
    "credentialSubject": {
        "name": "Smelter A",
        "yield": 0.93,
        "site": {"city": "Lubumbashi", "stock": "1200 t"},
        "suppliers": [{"name": "Mine B"}, {"name": "Mine C"}],
    },
}


def _secured(mandatory: list[str]) -> dict[str, Any]:
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": sd.NAME,
        "created": "2024-01-01T00:00:00Z",
        "verificationMethod": SIGNER.verification_method,
        "proofPurpose": "assertionMethod",
    }
    proof = sd.create_base_proof(
        CREDENTIAL, SIGNER, options, mandatory_pointers=mandatory, loader=LOADER
    )
    return {**copy.deepcopy(CREDENTIAL), "proof": proof}


def test_issue_derive_verify_reveals_only_what_was_selected() -> None:
    secured = _secured(["/issuer", "/validFrom"])
    derived = sd.derive_proof(
        secured, ["/credentialSubject/site/city", "/credentialSubject/suppliers/1"], LOADER
    )
    assert derived["credentialSubject"] == {
        "site": {"city": "Lubumbashi"},
        "suppliers": [{"name": "Mine C"}],
    }
    assert sd.verify_derived_proof(derived, derived["proof"], KEY.public, LOADER) == ""

    tampered = copy.deepcopy(derived)
    tampered["credentialSubject"]["site"]["city"] = "Kolwezi"
    assert "does not verify" in sd.verify_derived_proof(
        tampered, tampered["proof"], KEY.public, LOADER
    )
    other = KeyPair.generate(KeyType.P256).public
    assert "base signature" in sd.verify_derived_proof(derived, derived["proof"], other, LOADER)


def test_mandatory_statements_cannot_be_withheld() -> None:
    derived = sd.derive_proof(_secured(["/credentialSubject/name"]), [], LOADER)
    assert derived["credentialSubject"] == {"name": "Smelter A"}
    withheld = copy.deepcopy(derived)
    del withheld["credentialSubject"]["name"]
    withheld["credentialSubject"]["yield"] = 0.93
    assert sd.verify_derived_proof(withheld, withheld["proof"], KEY.public, LOADER) != ""


def test_a_pointer_that_names_nothing_is_an_input_error() -> None:
    with pytest.raises(InputError, match="does not match the document"):
        sd.derive_proof(_secured(["/issuer"]), ["/credentialSubject/suppliers/7"], LOADER)
    with pytest.raises(InputError, match="does not match the document"):
        _secured(["/nope"])


# --- through the Data Integrity engine ------------------------------------------------------


def test_the_engine_signs_base_proofs_and_verifies_only_derived_ones() -> None:
    base = add_proof(
        CREDENTIAL, sd.NAME, SIGNER, loader=LOADER, mandatory_pointers=["/credentialSubject/name"]
    )
    # The issuer's pointers add to the defaults (issuer, validity, status), never replace them.
    assert sd.parse_base_proof_value(base["proof"]["proofValue"]).mandatory_pointers == [
        "/issuer",
        "/validFrom",
        "/credentialSubject/name",
    ]
    refused = verify_proofs(base, resolver=DidKeyResolver(), loader=LOADER)
    assert [c.id for c in refused.report.errors] == ["proof.malformed"]

    derived = sd.derive_proof(base, ["/credentialSubject/name"], LOADER)
    result = verify_proofs(derived, resolver=DidKeyResolver(), loader=LOADER)
    assert result.report.verified, result.report.errors
    assert [m.id for m in result.verification_methods] == [SIGNER.verification_method]


def test_default_mandatory_pointers_keep_issuer_and_validity() -> None:
    base = add_proof(CREDENTIAL, sd.NAME, SIGNER, loader=LOADER)
    value = sd.parse_base_proof_value(base["proof"]["proofValue"])
    assert value.mandatory_pointers == ["/issuer", "/validFrom"]
    assert set(sd.derive_proof(base, [], LOADER)) == {
        "@context",
        "type",
        "issuer",
        "validFrom",
        "proof",
    }


def test_mandatory_pointers_and_chains_are_refused_where_they_mean_nothing() -> None:
    with pytest.raises(SigningError, match="takes no mandatory pointers"):
        add_proof(CREDENTIAL, "ecdsa-rdfc-2019", SIGNER, loader=LOADER, mandatory_pointers=[])
    first = add_proof(CREDENTIAL, "ecdsa-rdfc-2019", SIGNER, loader=LOADER, proof_id="urn:p:1")
    with pytest.raises(SigningError, match="cannot be chained"):
        add_proof(first, sd.NAME, SIGNER, loader=LOADER, previous_proof="urn:p:1")
