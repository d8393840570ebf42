"""Merkle tree hashes and inclusion proofs as RFC 9162 (Certificate Transparency 2.0) defines them.

A leaf is ``SHA-256(0x00 || data)`` and an interior node ``SHA-256(0x01 || left || right)``;
the tree over ``n`` leaves splits at the largest power of two below ``n`` (RFC 9162 §2.1.1).
The different prefixes keep a leaf from ever being passed off as a node (second-preimage
attacks). Using the published algorithm rather than our own means a checkpoint can be checked
with any CT tooling.

Everything works from the full list of leaf hashes: a request for a proof recomputes the tree,
O(n) hashes (about a second for a million entries). That is fine at today's volumes; should it
stop being fine, store the perfect subtrees' hashes (they never change once complete) and the
functions keep their signatures. :func:`roots_at` computes the roots of many prefixes in one
pass, which is what the offline verifier needs for every stored checkpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion",
    "roots_at",
]

#: The hash of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over already hashed leaves (:func:`leaf_hash`)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 for the leaf at 0-based ``index``."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), root(leaves[:k])]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a proof leads to (RFC 9162 §2.1.3.2); compare it with a signed root.

    Raises ValueError when the proof cannot belong to leaf ``index`` of a tree of ``size``
    (wrong length), which a verifier treats like a wrong root.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            raise ValueError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("the inclusion proof is shorter than the tree is deep")
    return result


def roots_at(leaves: Iterable[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """MTH of each prefix of ``leaves`` whose length is in ``sizes``, in one pass.

    Keeps the hashes of the perfect subtrees covering the prefix read so far (at most one per
    bit of its length); the root of a prefix is those folded from the right, which is exactly
    RFC 9162's split at the largest power of two. Sizes beyond the leaves are left out.
    """
    wanted = set(sizes)
    found: dict[int, bytes] = {}
    if 0 in wanted:
        found[0] = EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing
    for count, leaf in enumerate(leaves, start=1):
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
        if count in wanted:
            folded = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                folded = node_hash(left, folded)
            found[count] = folded
    return found
