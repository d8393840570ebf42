"""Credentials published encrypted (UNTP secure targets): the envelope, and the walk opening it
with the key from the link it was given; without a key that opens it, indeterminate, never
failed."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.graph.test_walk import AT, BASE, chain, credential, ids, link
from vcservice.confidential import keyed_link, new_key, parse_key, seal, split_key, unseal
from vcservice.errors import DecryptionError, DecryptionKeyError, InputError
from vcservice.graph import Bundle, GraphVerifier, bundle_from_json

KEY = new_key()


def _verify(documents: dict[str, Any], root: str, keys: dict[str, str] | None = None) -> Any:
    return GraphVerifier().verify(
        root, trust_anchors=["did:example:anchor"], bundle=Bundle(documents), at=AT, keys=keys
    )


def _encrypted_upstream(key: str = KEY) -> dict[str, Any]:
    """c1 links c0 with the digest of c0's plaintext; c0 is served only as ciphertext."""
    documents = chain(2)
    documents[BASE + "c0"] = seal(documents[BASE + "c0"], key)
    return documents


def _tampered(envelope: dict[str, str]) -> dict[str, str]:
    data = bytearray(base64.b64decode(envelope["cipherText"]))
    data[0] ^= 1
    return {**envelope, "cipherText": base64.b64encode(bytes(data)).decode()}


@pytest.mark.parametrize("fmt", ["vc+jwt", "eddsa-rdfc-2022"])
def test_the_envelope_round_trips_a_jws_and_a_json_credential(fmt: str) -> None:
    served = credential("x", [], fmt)
    envelope = seal(served, KEY)
    assert set(envelope) == {"cipherText", "iv", "tag", "type"}
    assert envelope["type"] == "aes-256-gcm"
    assert len(base64.b64decode(envelope["iv"])) == 12
    assert len(base64.b64decode(envelope["tag"])) == 16
    assert unseal(envelope, KEY) == served
    assert KEY not in str(envelope)


def test_a_wrong_key_and_altered_ciphertext_do_not_decrypt() -> None:
    envelope = seal(credential("x", []), KEY)
    with pytest.raises(DecryptionError, match="wrong key, or altered"):
        unseal(envelope, new_key())
    with pytest.raises(DecryptionError, match="wrong key, or altered"):
        unseal(_tampered(envelope), KEY)
    with pytest.raises(DecryptionError, match="not a aes-256-gcm key"):
        unseal(envelope, "00" * 16)
    with pytest.raises(DecryptionError, match="not AES-GCM"):
        unseal({**envelope, "type": "aes-256-cbc"}, KEY)


def test_keys_are_hex_and_travel_in_the_link() -> None:
    with pytest.raises(DecryptionKeyError):
        parse_key("not hex")
    url = BASE + "c0"
    assert split_key(keyed_link(url, KEY)) == (url, KEY)
    assert split_key(f"{url}?a=1&decryptionKey={KEY}#top") == (f"{url}?a=1#top", KEY)
    assert split_key(url + "#top") == (url + "#top", None)


def test_an_encrypted_upstream_verifies_with_its_key() -> None:
    report = _verify(_encrypted_upstream(), BASE + "c1", {BASE + "c0": KEY})
    assert report.verified, [c.to_dict() for c in report.errors]
    assert [e.digest for e in report.edges] == ["passed"]  # the plaintext's digest


def test_without_the_key_that_link_is_indeterminate_never_failed() -> None:
    report = _verify(_encrypted_upstream(), BASE + "c1")
    assert not report.verified
    assert ids(report) == set()
    assert ids(report, "indeterminate") == {"links.encrypted"}
    assert [e.digest for e in report.edges] == ["encrypted"]
    assert "no key was given" in report.errors[0].problem.detail


@pytest.mark.parametrize("case", ["wrong key", "tampered"])
def test_a_key_that_does_not_open_it_is_indeterminate(case: str) -> None:
    documents = _encrypted_upstream()
    if case == "tampered":
        documents[BASE + "c0"] = _tampered(documents[BASE + "c0"])
    key = new_key() if case == "wrong key" else KEY
    report = _verify(documents, BASE + "c1", {BASE + "c0": key})
    assert ids(report) == set()
    assert ids(report, "indeterminate") == {"links.encrypted"}


def test_an_encrypted_root_opens_with_the_key_in_its_url() -> None:
    documents = chain(2)
    documents[BASE + "c1"] = seal(documents[BASE + "c1"], KEY)
    report = _verify(documents, keyed_link(BASE + "c1", KEY))
    assert report.verified, [c.to_dict() for c in report.errors]
    assert report.root == BASE + "c1"  # the key is not part of the report
    locked = _verify(documents, BASE + "c1")
    assert ids(locked, "indeterminate") == {"links.encrypted"}


def test_a_bundle_carries_decryption_keys() -> None:
    documents = _encrypted_upstream()
    bundle = bundle_from_json(
        {"root": BASE + "c1", "documents": documents, "decryptionKeys": {BASE + "c0": KEY}}
    )
    report = GraphVerifier().verify(
        BASE + "c1", trust_anchors=["did:example:a"], bundle=bundle, at=AT
    )
    assert report.verified, [c.to_dict() for c in report.errors]
    with pytest.raises(InputError, match="hexadecimal"):
        bundle_from_json({"documents": {}, "decryptionKeys": {BASE + "c0": "xyz"}})


def test_a_link_pins_the_plaintext_so_a_swapped_credential_still_fails() -> None:
    documents = _encrypted_upstream()
    other = credential("other", [])
    documents[BASE + "c0"] = seal(other, KEY)  # decrypts, but is not what c1 linked
    report = _verify(documents, BASE + "c1", {BASE + "c0": KEY})
    assert "links.digest" in ids(report)


def test_an_encrypted_target_without_its_key_is_fetched_once() -> None:
    upstream = credential("c0", [])
    remote = {BASE + "c0": seal(upstream, KEY)}
    fetched: list[str] = []

    class Remote:
        def fetch(self, url: str) -> Any:
            fetched.append(url)
            return remote[url]

    top = credential("top", [link(BASE + "c0", upstream), link(BASE + "c0", upstream)])
    report = GraphVerifier(fetcher=Remote()).verify(
        BASE + "top", trust_anchors=["did:example:a"], bundle=Bundle({BASE + "top": top}), at=AT
    )
    assert fetched == [BASE + "c0"]
    assert [e.digest for e in report.edges] == ["encrypted", "encrypted"]
    assert ids(report) == set()
