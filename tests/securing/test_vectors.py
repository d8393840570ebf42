"""The W3C vc-di-eddsa and vc-di-ecdsa test vectors, reproduced step by step and end to end.

Every vector directory is a test id (``vc-di-eddsa/TestVectors/eddsa-rdfc-2022``, ...). Its
files name the steps of the suite algorithms, so each step is checked on its own: canonical
document, canonical proof configuration, docHash, proofHash, combinedHash (proofHash || docHash),
the signature, and finally the whole signed document. Ed25519 is deterministic, so signing
reproduces the vector byte for byte; ECDSA is randomized, so its vectors are verified and
then signed afresh and verified again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import pytest

from vcservice.dids import DidKeyResolver
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, PublicKey, Signer, multibase_encode
from vcservice.securing import add_proof, default_suites, verify_proofs
from vcservice.securing.suites import Cryptosuite

from ..conftest import ECDSA_VECTORS, EDDSA_VECTORS, W3C, load_json

VECTORS = W3C / "vectors"
SET_CHAIN = EDDSA_VECTORS / "proof-set-chain"
KEY_FILES = (
    EDDSA_VECTORS / "keyPair.json",
    ECDSA_VECTORS / "p256KeyPair.json",
    ECDSA_VECTORS / "p384KeyPair.json",
    SET_CHAIN / "multiKeyPairs.json",
)


@cache
def _key_pairs() -> dict[str, KeyPair]:
    """Every vector key pair, by public Multikey (the fragment of its did:key method)."""
    entries: list[dict[str, str]] = []
    for path in KEY_FILES:
        material = load_json(path)
        entries += material.values() if "publicKeyMultibase" not in material else [material]
    pairs = {}
    for entry in entries:
        secret = entry.get("privateKeyMultibase") or entry["secretKeyMultibase"]
        pairs[entry["publicKeyMultibase"]] = KeyPair.from_multibase(secret)
    return pairs


def _signer_for(verification_method: str) -> Signer:
    return Signer(_key_pairs()[verification_method.split("#", 1)[1]], verification_method)


def _test_id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def _suite_directories() -> list[Path]:
    """Directories holding one suite's vectors (a signed*.json and its step files)."""
    found = []
    for signed in sorted(VECTORS.glob("*/TestVectors/**/signed*.json")):
        directory = signed.parent
        if any(directory.glob("canonDoc*.txt")):
            proof = load_json(signed)["proof"]
            if proof.get("type") == "DataIntegrityProof":
                found.append(directory)
    return found


SUITE_DIRECTORIES = _suite_directories()


@dataclass(frozen=True)
class Vector:
    """One vector directory; ``suffix`` is what its files append to the step names."""

    directory: Path

    @cached_property
    def suffix(self) -> str:
        (signed,) = self.directory.glob("signed*.json")
        return signed.stem.removeprefix("signed")

    def text(self, step: str) -> str:
        return (self.directory / f"{step}{self.suffix}.txt").read_text(encoding="utf-8")

    def hex(self, step: str) -> bytes:
        return bytes.fromhex(self.text(step).strip())

    @cached_property
    def signed_text(self) -> str:
        return (self.directory / f"signed{self.suffix}.json").read_text(encoding="utf-8")

    @cached_property
    def signed(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.signed_text)
        return value

    @property
    def proof(self) -> dict[str, Any]:
        proof: dict[str, Any] = self.signed["proof"]
        return proof

    @property
    def unsigned(self) -> dict[str, Any]:
        return {k: v for k, v in self.signed.items() if k != "proof"}

    @property
    def proof_config(self) -> dict[str, Any]:
        config: dict[str, Any] = load_json(self.directory / f"proofConfig{self.suffix}.json")
        return config

    @property
    def suite(self) -> Cryptosuite:
        suite = default_suites().get(self.proof["cryptosuite"])
        assert suite is not None
        return suite

    @property
    def signer(self) -> Signer:
        return _signer_for(self.proof["verificationMethod"])

    @property
    def key_type(self) -> KeyType:
        return self.signer.key.key_type


@pytest.fixture(params=SUITE_DIRECTORIES, ids=_test_id)
def vector(request: pytest.FixtureRequest) -> Vector:
    vector = Vector(request.param)
    contexts = vector.signed["@context"]
    missing = [url for url in contexts if url not in bundled_loader()]
    if missing:
        pytest.skip(
            f"needs the JSON-LD context {', '.join(missing)}, which is not bundled and is never "
            "fetched (tests/fixtures/w3c/SOURCES.md: not found in any fetched repository)"
        )
    return vector


def test_every_suite_has_vectors() -> None:
    """Guards the discovery above: a silently empty parametrization would prove nothing."""
    found = {_test_id(d) for d in SUITE_DIRECTORIES}
    assert found == {
        "vc-di-eddsa/TestVectors/eddsa-rdfc-2022",
        "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ",
        "vc-di-eddsa/TestVectors/eddsa-jcs-2022",
        "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256",
        "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/employ",
        "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384",
        "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/employ",
        "vc-di-ecdsa/TestVectors/ecdsa-jcs-2019-p256",
        "vc-di-ecdsa/TestVectors/ecdsa-jcs-2019-p384",
    }


def test_canonical_document(vector: Vector) -> None:
    canonical = vector.suite.canonicalize_document(vector.unsigned, bundled_loader())
    assert canonical.decode("utf-8") == vector.text("canonDoc")


def test_canonical_proof_configuration(vector: Vector) -> None:
    canonical = vector.suite.canonicalize_proof_config(
        vector.unsigned, vector.proof_config, bundled_loader()
    )
    assert canonical.decode("utf-8") == vector.text("proofCanon")


def test_hashes(vector: Vector) -> None:
    suite = vector.suite
    doc_hash = suite.digest(vector.text("canonDoc").encode(), vector.key_type)
    proof_hash = suite.digest(vector.text("proofCanon").encode(), vector.key_type)
    assert doc_hash == vector.hex("docHash")
    assert proof_hash == vector.hex("proofHash")
    assert proof_hash + doc_hash == vector.hex("combinedHash")


def test_signature(vector: Vector) -> None:
    signature = vector.hex("sigHex")
    assert multibase_encode(signature) == vector.text("sigBTC58").strip()
    assert vector.proof["proofValue"] == vector.text("sigBTC58").strip()
    combined = vector.hex("combinedHash")
    assert vector.suite.verify(combined, signature, vector.signer.key.public)
    if vector.key_type is KeyType.ED25519:
        assert vector.suite.sign(combined, vector.signer) == signature
    else:
        fresh = vector.suite.sign(combined, vector.signer)
        assert fresh != signature  # randomized ECDSA
        assert vector.suite.verify(combined, fresh, vector.signer.key.public)


def test_add_proof_reproduces_the_signed_vector(vector: Vector) -> None:
    secured = add_proof(
        vector.unsigned,
        vector.proof["cryptosuite"],
        vector.signer,
        loader=bundled_loader(),
        created=vector.proof["created"],
    )
    if vector.key_type is KeyType.ED25519:
        assert json.dumps(secured, indent=2) == vector.signed_text
        return
    assert {**secured["proof"], "proofValue": None} == {**vector.proof, "proofValue": None}
    result = verify_proofs(secured, resolver=DidKeyResolver(), loader=bundled_loader())
    assert result.report.verified, result.report.to_dict()


def test_verify_proofs_accepts_the_signed_vector(vector: Vector) -> None:
    result = verify_proofs(vector.signed, resolver=DidKeyResolver(), loader=bundled_loader())
    assert result.report.verified, result.report.to_dict()
    assert [m.id for m in result.verification_methods] == [vector.proof["verificationMethod"]]
    expected = {"proof.present", "proof.type", "proof.cryptosuite", "proof.created"}
    expected |= {"proof.purpose", "proof.verification-method", "proof.signature"}
    assert {c.id for c in result.report.checks} == expected


# --- proof sets and proof chains (vc-di-eddsa/TestVectors/proof-set-chain) -------------------

SET_CHAIN_SIGNED = sorted(SET_CHAIN.glob("signedProof*.json"))

# Each signed document is the previous one plus the proof its config file describes.
SET_CHAIN_STEPS = [
    (SET_CHAIN / "signedProofSet1.json", SET_CHAIN / "unsigned.json", "proofSetConfig1.json"),
    (
        SET_CHAIN / "signedProofSet2.json",
        SET_CHAIN / "signedProofSet1.json",
        "proofSetConfig2.json",
    ),
    (
        SET_CHAIN / "signedProofChain1.json",
        SET_CHAIN / "signedProofSet2.json",
        "proofChainConfig1.json",
    ),
    (
        SET_CHAIN / "signedProofChain2.json",
        SET_CHAIN / "signedProofChain1.json",
        "proofChainConfig2.json",
    ),
]


@pytest.mark.parametrize("path", SET_CHAIN_SIGNED, ids=_test_id)
def test_verify_proofs_accepts_proof_sets_and_chains(path: Path) -> None:
    document = load_json(path)
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    result = verify_proofs(document, resolver=DidKeyResolver(), loader=bundled_loader())
    assert result.report.verified, result.report.to_dict()
    assert [m.id for m in result.verification_methods] == [p["verificationMethod"] for p in proofs]
    chained = [c for c in result.report.checks if c.id == "proof.chain"]
    assert len(chained) == sum("previousProof" in p for p in proofs)


@pytest.mark.parametrize(
    ("target", "source", "config_name"),
    SET_CHAIN_STEPS,
    ids=[_test_id(s[0]) for s in SET_CHAIN_STEPS],
)
def test_add_proof_reproduces_proof_sets_and_chains(
    target: Path, source: Path, config_name: str
) -> None:
    config = load_json(SET_CHAIN / config_name)
    secured = add_proof(
        load_json(source),
        config["cryptosuite"],
        _signer_for(config["verificationMethod"]),
        loader=bundled_loader(),
        created=config["created"],
        proof_id=config.get("id"),
        previous_proof=config.get("previousProof"),
    )
    assert json.dumps(secured, indent=2) == target.read_text(encoding="utf-8")


def test_a_chained_proof_signs_the_document_with_its_previous_proofs() -> None:
    """proofChainTempDoc1 is what the vector's third proof signed: verify it stand-alone."""
    temp = load_json(SET_CHAIN / "proofChainTempDoc1.json")
    proof = load_json(SET_CHAIN / "proofChainConfigSigned1.json")
    suite = default_suites().get("eddsa-rdfc-2022")
    assert suite is not None
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    loader = bundled_loader()
    hash_data = suite.digest(
        suite.canonicalize_proof_config(temp, options, loader), KeyType.ED25519
    ) + suite.digest(suite.canonicalize_document(temp, loader), KeyType.ED25519)
    key = PublicKey.from_multibase(proof["verificationMethod"].split("#", 1)[1])
    signature = _signer_for(proof["verificationMethod"]).sign(hash_data)
    assert multibase_encode(signature) == proof["proofValue"]
    assert suite.verify(hash_data, signature, key)


def test_legacy_ed25519signature2020_verifies_with_a_legacy_warning() -> None:
    """Step by step in tests/securing/test_legacy_suites.py; here only the outcome."""
    signed = load_json(EDDSA_VECTORS / "Ed25519Signature2020" / "signedEdSig.json")
    result = verify_proofs(signed, resolver=DidKeyResolver(), loader=bundled_loader())
    assert result.report.verified
    assert [w.id for w in result.report.warnings] == ["proof.legacy-suite"]
    assert [m.id for m in result.verification_methods] == [signed["proof"]["verificationMethod"]]
