"""Key pairs and their Multikey / JWK encodings, against the W3C vector key material."""

from __future__ import annotations

import pytest

from vcservice.errors import KeyFormatError
from vcservice.keys import KeyPair, KeyType, PublicKey, Signer, multibase_decode

from ..conftest import ECDSA_VECTORS, EDDSA_VECTORS, load_json


@pytest.mark.parametrize(
    ("path", "secret_field"),
    [
        (EDDSA_VECTORS / "keyPair.json", "privateKeyMultibase"),
        (ECDSA_VECTORS / "p256KeyPair.json", "secretKeyMultibase"),
        (ECDSA_VECTORS / "p384KeyPair.json", "secretKeyMultibase"),
    ],
    ids=["ed25519", "p256", "p384"],
)
def test_vector_key_pairs_round_trip(path: object, secret_field: str) -> None:
    material = load_json(path)  # type: ignore[arg-type]
    pair = KeyPair.from_multibase(material[secret_field])
    assert pair.public.multibase == material["publicKeyMultibase"]
    assert pair.secret_multibase == material[secret_field]


@pytest.mark.parametrize("key_type", list(KeyType))
def test_sign_verify_and_encodings(key_type: KeyType) -> None:
    pair = KeyPair.generate(key_type)
    signature = pair.sign(b"45 t Cu 8.0 MIX")
    assert len(signature) == {"ed25519": 64, "p256": 64, "p384": 96}[key_type.value]
    assert pair.public.verify(signature, b"45 t Cu 8.0 MIX")
    assert not pair.public.verify(signature, b"46 t Cu 8.0 MIX")
    assert not pair.public.verify(signature[:-1], b"45 t Cu 8.0 MIX")
    assert PublicKey.from_multibase(pair.public.multibase).raw == pair.public.raw
    assert PublicKey.from_jwk(pair.public.to_jwk()).raw == pair.public.raw
    assert KeyPair.from_jwk(pair.to_jwk()).public.raw == pair.public.raw
    assert "d" not in pair.public.to_jwk()


def test_mismatched_private_jwk_is_refused() -> None:
    one, other = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    forged = {**one.public.to_jwk(), "d": other.to_jwk()["d"]}
    with pytest.raises(KeyFormatError, match="does not match"):
        KeyPair.from_jwk(forged)


@pytest.mark.parametrize(
    "bad",
    [
        {"kty": "EC", "crv": "Ed25519", "x": "AA"},
        {"kty": "OKP", "crv": "secp256k1", "x": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "OKP", "crv": "Ed25519", "x": "not base64url!"},
        "not a jwk",
    ],
)
def test_malformed_jwks_are_refused(bad: object) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_jwk(bad)


@pytest.mark.parametrize("bad", ["", "z", "uABC", "z0OIl", "z" + "1" * 10])
def test_malformed_multikeys_are_refused(bad: str) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_multibase(bad)


def test_invalid_point_is_refused() -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_raw(KeyType.P256, b"\x02" + b"\xff" * 32)


def test_did_key_signer_names_its_method() -> None:
    pair = KeyPair.generate("p256")
    signer = Signer.did_key(pair)
    assert signer.controller == "did:key:" + pair.public.multibase
    assert signer.verification_method.endswith("#" + pair.public.multibase)
    assert multibase_decode(pair.public.multibase)[:2] == b"\x80\x24"
