"""Witnessing: the C2SP tlog-witness decision (:func:`judge`) and cosignatures."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from vcservice.dids import StaticResolver, did_key_document
from vcservice.errors import (
    ConsistencyError,
    EquivocationError,
    ReceiptError,
    ResolutionError,
    StaleWitnessError,
)
from vcservice.keys import KeyPair, KeyType, Signer, b64url_decode, b64url_encode
from vcservice.ledger import Checkpoint, merkle
from vcservice.ledger.merkle import consistency_proof
from vcservice.registry import (
    COSIGNATURE_TYP,
    Cosignature,
    judge,
    read_cosignature,
    sign_cosignature,
    verify_cosignature,
)
from vcservice.securing.jose import sign_jwt

LOG = "did:web:log.example"
WITNESS = Signer.did_key(KeyPair.generate(KeyType.ED25519))
RESOLVER = StaticResolver({WITNESS.controller: did_key_document(WITNESS.controller)})
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEAVES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(40)]
#: The same log up to 10 entries, then another history.
FORK = LEAVES[:10] + [merkle.leaf_hash(f"forked {i}".encode()) for i in range(30)]


def checkpoint(size: int, leaves: list[bytes] = LEAVES, issuer: str = LOG) -> Checkpoint:
    return Checkpoint(
        issuer=issuer,
        count=size,
        head_hash="ab" * 32,
        root_hash=merkle.root(leaves[:size]).hex(),
        issued_at="2026-03-01T12:00:00Z",
    )


# --- judge ------------------------------------------------------------------------------------


def test_first_sight() -> None:
    judge(None, 0, checkpoint(5), [])
    judge(None, 0, checkpoint(1), consistency_proof(LEAVES, 1, 1))


@pytest.mark.parametrize(("seen", "old"), [(None, 3), (5, 0), (5, 4), (5, 6), (5, 9)])
def test_stale_old_size(seen: int | None, old: int) -> None:
    last = None if seen is None else checkpoint(seen)
    with pytest.raises(StaleWitnessError) as caught:
        judge(last, old, checkpoint(9), consistency_proof(LEAVES, old or 1, 9))
    assert caught.value.known_size == (seen or 0)
    assert caught.value.slug == "registry.witness-stale"
    assert f"at {seen or 0} entries, not {old}" in caught.value.detail


def test_same_size_same_root() -> None:
    judge(checkpoint(7), 7, checkpoint(7), [])
    # Signed at another time, still the same tree.
    later = Checkpoint(LOG, 7, "cd" * 32, checkpoint(7).root_hash, "2026-03-02T00:00:00Z")
    judge(checkpoint(7), 7, later, [])


def test_same_size_another_root() -> None:
    with pytest.raises(EquivocationError, match="two roots for 12 entries") as caught:
        judge(checkpoint(12), 12, checkpoint(12, FORK), [])
    assert caught.value.slug == "registry.equivocation"


@pytest.mark.parametrize(("old", "new"), [(1, 2), (1, 40), (5, 8), (7, 13), (16, 32), (31, 33)])
def test_a_consistency_proof_is_accepted(old: int, new: int) -> None:
    judge(checkpoint(old), old, checkpoint(new), consistency_proof(LEAVES, old, new))


@pytest.mark.parametrize(("old", "new"), [(11, 12), (12, 13), (12, 40), (16, 32)])
def test_a_forked_log_is_equivocation(old: int, new: int) -> None:
    """The witness saw the true log at ``old`` (past the fork at 10 entries); the log shows a
    tree of ``new`` entries from the other history, with that history's proof, or the true
    one's."""
    seen = checkpoint(old)
    forked = checkpoint(new, FORK)
    for proof in (consistency_proof(FORK, old, new), consistency_proof(LEAVES, old, new), []):
        with pytest.raises(EquivocationError, match="does not extend the tree"):
            judge(seen, old, forked, proof)


def test_a_fork_after_the_witnessed_size_is_not_caught_yet() -> None:
    """Up to entry 10 both histories agree: a witness at 10 cosigns either extension (the
    second log it sees then is the equivocation)."""
    judge(checkpoint(10), 10, checkpoint(20, FORK), consistency_proof(FORK, 10, 20))
    judge(checkpoint(10), 10, checkpoint(20), consistency_proof(LEAVES, 10, 20))
    with pytest.raises(EquivocationError):
        judge(checkpoint(20), 20, checkpoint(20, FORK), [])


def test_a_tampered_proof_is_equivocation() -> None:
    proof = consistency_proof(LEAVES, 6, 19)
    for i in range(len(proof)):
        changed = list(proof)
        changed[i] = bytes(32)
        with pytest.raises(EquivocationError):
            judge(checkpoint(6), 6, checkpoint(19), changed)
    with pytest.raises(EquivocationError):
        judge(checkpoint(6), 6, checkpoint(19), proof[:-1])


def test_a_smaller_tree() -> None:
    with pytest.raises(ConsistencyError, match="older than the 9 named as old"):
        judge(checkpoint(9), 9, checkpoint(4), consistency_proof(LEAVES, 4, 9))


def test_a_checkpoint_of_another_log_is_not_consistent() -> None:
    """judge is asked per log; a witness looks ``seen`` up by the new checkpoint's issuer, and
    one of another issuer never extends it."""
    other = checkpoint(9, issuer="did:web:other.example")
    with pytest.raises(EquivocationError, match="two logs"):
        judge(checkpoint(5), 5, other, consistency_proof(LEAVES, 5, 9))


# --- cosignatures -----------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", list(KeyType), ids=str)
def test_cosignature_round_trip(key_type: KeyType) -> None:
    witness = Signer.did_key(KeyPair.generate(key_type))
    resolver = StaticResolver({witness.controller: did_key_document(witness.controller)})
    cp = checkpoint(17)
    jws = sign_cosignature(cp, witness, AT)
    expected = Cosignature(witness.controller, LOG, 17, cp.root_hash, int(AT.timestamp()))
    assert verify_cosignature(jws, resolver) == expected
    read, kid, signing_input, signature = read_cosignature(jws)
    assert (read, kid) == (expected, witness.verification_method)
    assert witness.key.public.verify(signature, signing_input)
    header = json.loads(b64url_decode(jws.split(".")[0]))
    assert header["typ"] == COSIGNATURE_TYP
    assert header["alg"] == key_type.jws_alg


def _payload(jws: str) -> dict[str, object]:
    payload: dict[str, object] = json.loads(b64url_decode(jws.split(".")[1]))
    return payload


def _resigned(
    payload: dict[str, object], signer: Signer = WITNESS, typ: str = COSIGNATURE_TYP
) -> str:
    return sign_jwt(payload, signer, typ=typ)


def test_tampered_cosignatures() -> None:
    jws = sign_cosignature(checkpoint(17), WITNESS, AT)
    header, payload, signature = jws.split(".")
    # Another claim under the same signature.
    for change in ({"count": 18}, {"rootHash": "00" * 32}, {"log": "did:web:x"}, {"time": 0}):
        forged_payload = b64url_encode(json.dumps(_payload(jws) | change).encode())
        with pytest.raises(ReceiptError, match="does not verify"):
            verify_cosignature(f"{header}.{forged_payload}.{signature}", RESOLVER)
    flipped = b64url_encode(bytes([b64url_decode(signature)[0] ^ 1]) + b64url_decode(signature)[1:])
    with pytest.raises(ReceiptError, match="does not verify"):
        verify_cosignature(f"{header}.{payload}.{flipped}", RESOLVER)
    # Signed by another key under the witness's kid.
    impostor = Signer(KeyPair.generate(KeyType.ED25519), WITNESS.verification_method)
    with pytest.raises(ReceiptError, match="does not verify"):
        verify_cosignature(sign_cosignature(checkpoint(17), impostor, AT), RESOLVER)
    # The witness's kid, but an ES256 signature.
    p256 = Signer(KeyPair.generate(KeyType.P256), WITNESS.verification_method)
    with pytest.raises(ReceiptError, match="does not verify"):
        verify_cosignature(sign_cosignature(checkpoint(17), p256, AT), RESOLVER)


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"iss": "did:web:someone-else"}, "kid is not a key of its iss"),
        ({"iss": None}, "names iss, log and rootHash"),
        ({"log": 5}, "names iss, log and rootHash"),
        ({"rootHash": None}, "names iss, log and rootHash"),
        ({"count": -1}, "non-negative integers"),
        ({"count": "17"}, "non-negative integers"),
        ({"count": True}, "non-negative integers"),
        ({"time": 1.5}, "non-negative integers"),
        ({"time": None}, "non-negative integers"),
    ],
)
def test_malformed_cosignature_claims(change: dict[str, object], detail: str) -> None:
    payload = _payload(sign_cosignature(checkpoint(17), WITNESS, AT)) | change
    with pytest.raises(ReceiptError, match=detail):
        verify_cosignature(_resigned(payload), RESOLVER)


@pytest.mark.parametrize(
    "jws",
    [
        None,
        17,
        "",
        "a.b",
        "a.b.c.d",
        "!.!.!",
        "x" * 9000,
        b64url_encode(b"[]") + "." + b64url_encode(b"{}") + ".AA",
        b64url_encode(b'{"typ":"ledger-cosignature+jwt"}') + "." + b64url_encode(b"{}") + ".AA",
        b64url_encode(b'{"typ":"ledger-cosignature+jwt","kid":"k"}') + ".e30.AA",
    ],
    ids=[
        "null",
        "number",
        "empty",
        "two segments",
        "four segments",
        "not base64url",
        "huge",
        "header an array",
        "no kid",
        "payload empty",
    ],
)
def test_not_a_cosignature(jws: object) -> None:
    with pytest.raises(ReceiptError):
        verify_cosignature(jws, RESOLVER)


def test_a_checkpoint_is_not_a_cosignature() -> None:
    payload = _payload(sign_cosignature(checkpoint(17), WITNESS, AT))
    with pytest.raises(ReceiptError, match="typ is ledger-cosignature"):
        verify_cosignature(_resigned(payload, typ="ledger-checkpoint+jwt"), RESOLVER)


def test_an_unknown_witness_could_not_be_checked() -> None:
    with pytest.raises(ResolutionError):
        verify_cosignature(sign_cosignature(checkpoint(3), WITNESS, AT), StaticResolver({}))
