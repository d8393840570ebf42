"""vcservice.confidential alone: every envelope that cannot be opened is a DecryptionError (the
graph walk's 'indeterminate'), every unusable key a DecryptionKeyError, never anything else."""

from __future__ import annotations

import os

import pytest

from vcservice.confidential import keyed_link, new_key, seal, split_key, unseal
from vcservice.errors import DecryptionError, DecryptionKeyError

CREDENTIAL = {"type": ["VerifiableCredential"], "id": "urn:example:1"}


def test_a_sealed_credential_opens_with_its_key_only() -> None:
    key = new_key()
    envelope = seal(CREDENTIAL, key)
    assert unseal(envelope, key) == CREDENTIAL
    assert unseal(seal("a.b.c", key), key) == "a.b.c"
    with pytest.raises(DecryptionError, match="wrong key"):
        unseal(envelope, new_key())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "des-cbc"}, "not AES-GCM"),
        ({"iv": "***"}, "not base64"),
        ({"iv": "AAAA"}, "malformed iv"),
        ({"tag": 5}, "not base64"),
    ],
    ids=["cipher", "iv-not-base64", "iv-short", "tag-not-text"],
)
def test_a_malformed_envelope_is_a_decryption_error(
    change: dict[str, object], message: str
) -> None:
    key = new_key()
    with pytest.raises(DecryptionError, match=message):
        unseal({**seal(CREDENTIAL, key), **change}, key)


def test_keys_of_the_wrong_shape_or_size() -> None:
    envelope = seal(CREDENTIAL, new_key())
    with pytest.raises(DecryptionError, match="hexadecimal"):
        unseal(envelope, "not hex")
    with pytest.raises(DecryptionError, match="not a aes-256-gcm key"):
        unseal(envelope, os.urandom(16).hex())
    with pytest.raises(DecryptionKeyError, match="AES-256"):
        seal(CREDENTIAL, os.urandom(16).hex())


@pytest.mark.parametrize(
    ("plain", "message"),
    [(b"{no", "unusable JSON"), (b"\xff\xfe", "neither JSON")],
    ids=["broken-json", "binary"],
)
def test_what_decrypts_must_be_a_credential(plain: bytes, message: str) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from vcservice.confidential import _b64

    key = new_key()
    iv = os.urandom(12)
    sealed = AESGCM(bytes.fromhex(key)).encrypt(iv, plain, None)
    envelope = {
        "cipherText": _b64(sealed[:-16]),
        "iv": _b64(iv),
        "tag": _b64(sealed[-16:]),
        "type": "aes-256-gcm",
    }
    with pytest.raises(DecryptionError, match=message):
        unseal(envelope, key)


def test_the_key_travels_in_the_link_and_is_stripped_before_fetching() -> None:
    key = new_key()
    link = keyed_link("https://a.example/c/1?x=1", key)
    assert split_key(link) == ("https://a.example/c/1?x=1", key)
    assert split_key(f"https://a.example/c/1?decryptionKey={key}&x=1") == (
        "https://a.example/c/1?x=1",
        key,
    )
    assert split_key("https://a.example/c/1") == ("https://a.example/c/1", None)
