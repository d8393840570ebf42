"""RFC 9162 consistency proofs: the RFC 6962 test vectors, every pair of sizes up to 70 leaves
checked against roots recomputed by the reference, tampered proofs refused, and the check
between two signed checkpoints that a witness makes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import (
    Checkpoint,
    ConsistencyError,
    check_consistency,
    read_checkpoint,
    sign_checkpoint,
)
from vcservice.ledger.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    verify_consistency,
)

from .test_merkle import LEAVES, VECTOR_ROOTS, _leaves, _reference_root

# The consistency proofs every CT implementation tests with, over the same eight leaves
# (certificate-transparency's reference data; transparency-dev/merkle has the same).
VECTOR_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
MAX_LEAVES = 70
MAX_TAMPERED = MAX_LEAVES  # every tampering of every pair, too


@pytest.mark.parametrize(("old", "new", "expected"), VECTOR_PROOFS)
def test_rfc6962_consistency_proofs(old: int, new: int, expected: list[str]) -> None:
    proof = consistency_proof(LEAVES, old, new)
    assert [h.hex() for h in proof] == expected
    old_root, new_root = VECTOR_ROOTS[old - 1], VECTOR_ROOTS[new - 1]
    verify_consistency(old, new, bytes.fromhex(old_root), bytes.fromhex(new_root), proof)


def _pairs(limit: int) -> Iterator[tuple[int, int]]:
    for new in range(1, limit + 1):
        for old in range(1, new + 1):
            yield old, new


def test_every_pair_up_to_70_leaves_verifies_against_recomputed_roots() -> None:
    leaves = _leaves(MAX_LEAVES)
    roots = [_reference_root(leaves[:size]) for size in range(MAX_LEAVES + 1)]
    for old, new in _pairs(MAX_LEAVES):
        proof = consistency_proof(leaves, old, new)
        assert proof == consistency_proof(leaves[:new], old, new)  # longer input: a prefix
        verify_consistency(old, new, roots[old], roots[new], proof)
        if old == new:
            assert proof == []
        else:
            assert 1 <= len(proof) <= 2 * (new - 1).bit_length()


def test_a_power_of_two_old_tree_is_not_repeated_in_the_proof() -> None:
    """The verifier prepends the old root itself (RFC 9162 §2.1.4.2 step 2), so the proof
    from a complete subtree starts with its sibling."""
    leaves = _leaves(16)
    assert consistency_proof(leaves, 4, 8) == [_reference_root(leaves[4:8])]
    assert consistency_proof(leaves, 8, 16) == [_reference_root(leaves[8:16])]
    assert consistency_proof(leaves, 4, 16) == [
        _reference_root(leaves[4:8]),
        _reference_root(leaves[8:16]),
    ]
    assert consistency_proof(leaves, 3, 4) == [leaves[2], leaves[3], _reference_root(leaves[:2])]


def _refused(old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    try:
        verify_consistency(old, new, old_root, new_root, proof)
    except ConsistencyError:
        return True
    return False


def _flipped(node: bytes, at: int) -> bytes:
    return node[:at] + bytes([node[at] ^ 0x01]) + node[at + 1 :]


def _tampered(proof: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    for i, node in enumerate(proof):
        yield f"node {i} flipped", [*proof[:i], _flipped(node, i % len(node)), *proof[i + 1 :]]
        yield f"node {i} missing", [*proof[:i], *proof[i + 1 :]]
        yield f"node {i} repeated", [*proof[: i + 1], node, *proof[i + 1 :]]
    yield "extra node at the end", [*proof, EMPTY_ROOT]
    yield "extra node first", [EMPTY_ROOT, *proof]
    if len(proof) > 1:
        yield "reversed", proof[::-1]


def test_tampered_proofs_are_refused() -> None:
    leaves = _leaves(MAX_TAMPERED)
    roots = [_reference_root(leaves[:size]) for size in range(MAX_TAMPERED + 1)]
    for old, new in _pairs(MAX_TAMPERED):
        proof = consistency_proof(leaves, old, new)
        for how, bad in _tampered(proof):
            if bad == proof:  # reversing a palindrome, say: nothing was changed
                continue
            assert _refused(old, new, roots[old], roots[new], bad), f"{old}->{new}: {how}"


def test_wrong_roots_and_sizes_are_refused() -> None:
    leaves = _leaves(MAX_TAMPERED + 1)
    roots = [_reference_root(leaves[:size]) for size in range(MAX_TAMPERED + 2)]
    other = _leaves(MAX_TAMPERED + 1)[1:]  # another log
    longer = _leaves(MAX_TAMPERED + 9)
    lengths = {
        old: {size: len(consistency_proof(longer, old, size)) for size in range(old, len(longer))}
        for old in range(1, MAX_TAMPERED + 1)
    }
    for old, new in _pairs(MAX_TAMPERED):
        proof = consistency_proof(leaves, old, new)
        claims = [
            (old, new, roots[old], _reference_root(other[:new])),  # a fork, not an extension
            (old, new, _reference_root(other[:old]), roots[new]),  # another old tree
            (old, new + 1, roots[old], roots[new + 1]),  # the proof claimed for other sizes
        ]
        if old != new:
            claims += [
                (old, new, roots[new], roots[old]),  # roots swapped
                (new, old, roots[new], roots[old]),  # sizes swapped too
            ]
        if old + 1 < new:
            claims.append((old + 1, new, roots[old + 1], roots[new]))
        # The very proof and roots, for a tree said to be larger or smaller than it is: the
        # hashes all match, only the length of the proof gives it away (steps 6a and 7). A
        # size whose proof has the same shape is not refused, nor can it be: the nodes are
        # opaque hashes, so root(3) = H(H(l0, l1), l2) also reads as the root of 4 leaves whose
        # last two hash to l2. A log signing that has committed to a tree it can never prove
        # an entry of (leaf and node hashes are domain-separated).
        claims += [
            (old, size, roots[old], roots[new])
            for size in range(old + 1, new + 9)
            if lengths[old][size] != len(proof)
        ]
        for claim in claims:
            assert _refused(*claim, proof), f"the proof {old}->{new} taken for {claim[:2]}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [(0, 5, "no consistency proof exists"), (6, 5, "no consistency proof exists")],
)
def test_sizes_without_a_proof_are_refused(old: int, new: int, message: str) -> None:
    with pytest.raises(ConsistencyError, match=message):
        verify_consistency(old, new, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_proof(_leaves(8), old, new)


def test_equal_sizes_take_the_empty_proof_and_equal_roots() -> None:
    leaves = _leaves(5)
    five = _reference_root(leaves)
    verify_consistency(5, 5, five, five, [])
    with pytest.raises(ConsistencyError, match="two different roots"):
        verify_consistency(5, 5, five, _reference_root(leaves[:4]), [])
    with pytest.raises(ConsistencyError, match="must be empty"):
        verify_consistency(5, 5, five, five, [five])


def test_generation_needs_the_leaves_of_the_new_tree() -> None:
    with pytest.raises(ValueError, match="of 4"):
        consistency_proof(_leaves(4), 2, 5)


def test_a_node_that_is_not_a_hash_is_refused() -> None:
    leaves = _leaves(7)
    proof = consistency_proof(leaves, 3, 7)
    with pytest.raises(ConsistencyError, match="not a SHA-256 hash"):
        verify_consistency(
            3, 7, _reference_root(leaves[:3]), _reference_root(leaves), [*proof[:-1], b"x"]
        )


# --- between two signed checkpoints: what a witness checks -------------------------------------

ISSUER = "did:web:registry.example"


def _signed(leaves: list[bytes], count: int, signer: Signer, issuer: str = ISSUER) -> str:
    checkpoint = Checkpoint(
        issuer=issuer,
        count=count,
        head_hash="00" * 32,  # not what a consistency proof is about
        root_hash=_reference_root(leaves[:count]).hex(),
        issued_at="2026-01-15T00:00:00Z",
    )
    return sign_checkpoint(checkpoint, signer)


@pytest.fixture
def signer() -> Signer:
    return Signer(KeyPair.from_secret(KeyType.ED25519, bytes(32)), f"{ISSUER}#key-1")


def test_two_signed_checkpoints_are_checked_with_the_proof(signer: Signer) -> None:
    leaves = _leaves(21)
    key = signer.key.public
    old = read_checkpoint(_signed(leaves, 13, signer)).verify(key)
    new = read_checkpoint(_signed(leaves, 21, signer)).verify(key)
    proof = consistency_proof(leaves, 13, 21)
    check_consistency(old, new, proof)
    check_consistency(new, new, [])
    with pytest.raises(ConsistencyError):
        check_consistency(new, old, proof)  # swapped
    forked = read_checkpoint(_signed(_leaves(22)[1:], 21, signer)).verify(key)
    with pytest.raises(ConsistencyError, match="does not extend"):
        check_consistency(old, forked, proof)
    stranger = read_checkpoint(_signed(leaves, 21, signer, "did:web:other.example")).checkpoint
    with pytest.raises(ConsistencyError, match="two logs"):
        check_consistency(old, stranger, proof)


def test_an_empty_log_is_a_prefix_of_every_log(signer: Signer) -> None:
    leaves = _leaves(4)
    empty = read_checkpoint(_signed(leaves, 0, signer)).checkpoint
    four = read_checkpoint(_signed(leaves, 4, signer)).checkpoint
    assert empty.root_hash == EMPTY_ROOT.hex()
    check_consistency(empty, four, [])
    check_consistency(empty, empty, [])
    with pytest.raises(ConsistencyError, match="must be empty"):
        check_consistency(empty, four, [leaves[0]])
    lying = Checkpoint(ISSUER, 0, "00" * 32, leaves[0].hex(), "2026-01-15T00:00:00Z")
    with pytest.raises(ConsistencyError, match="0 entries"):
        check_consistency(lying, four, [])
