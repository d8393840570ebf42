"""RFC 9162 Merkle trees: the RFC 6962 test vectors, a brute-force reference, tampered proofs."""

from __future__ import annotations

import hashlib

import pytest

from vcservice.ledger.merkle import (
    EMPTY_ROOT,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_inclusion,
    roots_at,
)

# The leaves and roots every CT implementation tests with (certificate-transparency's
# merkle test data, from RFC 6962's reference implementation).
VECTOR_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
VECTOR_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
VECTOR_PATH_0_OF_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]
LEAVES = [leaf_hash(data) for data in VECTOR_LEAVES]


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 written out directly: split at the largest power of two below n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + _reference_root(leaves[:k]) + _reference_root(leaves[k:])
    ).digest()


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert roots_at([], [0]) == {0: EMPTY_ROOT}


@pytest.mark.parametrize("size", range(1, 9))
def test_rfc6962_roots(size: int) -> None:
    assert root(LEAVES[:size]).hex() == VECTOR_ROOTS[size - 1]


def test_rfc6962_inclusion_path() -> None:
    assert [h.hex() for h in inclusion_proof(0, LEAVES)] == VECTOR_PATH_0_OF_8


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


def test_roots_match_the_reference_for_every_size_up_to_70() -> None:
    leaves = _leaves(70)
    prefix_roots = roots_at(leaves, range(71))
    for size in range(71):
        assert root(leaves[:size]) == _reference_root(leaves[:size]) == prefix_roots[size]


def test_roots_at_leaves_out_sizes_beyond_the_leaves() -> None:
    assert set(roots_at(_leaves(3), [2, 3, 4])) == {2, 3}


def test_every_inclusion_proof_leads_to_the_root() -> None:
    for size in range(1, 40):
        leaves = _leaves(size)
        expected = root(leaves)
        for index in range(size):
            proof = inclusion_proof(index, leaves)
            assert root_from_inclusion(index, size, leaves[index], proof) == expected


def test_a_proof_for_another_leaf_or_tree_does_not_lead_to_the_root() -> None:
    leaves = _leaves(13)
    expected = root(leaves)
    proof = inclusion_proof(5, leaves)
    assert root_from_inclusion(5, 13, leaves[6], proof) != expected
    assert root_from_inclusion(6, 13, leaves[5], proof) != expected
    flipped = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
    assert root_from_inclusion(5, 13, leaves[5], flipped) != expected
    with pytest.raises(ValueError, match="shorter"):
        root_from_inclusion(5, 13, leaves[5], proof[:-1])
    with pytest.raises(ValueError, match="longer"):
        root_from_inclusion(5, 13, leaves[5], [*proof, proof[0]])


def test_indexes_outside_the_tree_are_refused() -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_proof(3, _leaves(3))
    with pytest.raises(ValueError, match="not in a tree"):
        root_from_inclusion(3, 3, b"", [])
