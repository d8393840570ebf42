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

Consistency proofs (RFC 9162 §2.1.4) show that the tree of ``old_size`` leaves is a prefix of
the tree of ``new_size`` leaves: that the log only grew between two checkpoints. They are what
lets anyone holding two checkpoints of the same log (a witness, another registry, a buyer) hold
the log to both without downloading it. RFC 9162 defines them for ``0 < old_size < new_size``;
like the CT and C2SP tooling we also answer ``old_size == new_size`` with the empty proof
(the roots must then be equal), and refuse ``old_size == 0``, for which no proof is defined.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from vcservice.errors import ConsistencyError

__all__ = [
    "EMPTY_ROOT",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion",
    "roots_at",
    "verify_consistency",
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


def consistency_proof(leaves: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: that the first ``old_size`` of ``leaves`` (hashed,
    :func:`leaf_hash`) are a prefix of the first ``new_size``.

    Empty when the sizes are equal. ``leaves`` may be longer than ``new_size``; sizes outside
    ``0 < old_size <= new_size <= len(leaves)`` are a bad argument (ValueError): the caller
    checks sizes that come from a request before asking for a proof.
    """
    if not 0 < old_size <= new_size <= len(leaves):
        raise ValueError(
            f"no consistency proof from {old_size} to {new_size} leaves "
            f"(of {len(leaves)}): 0 < old size <= new size <= leaves"
        )
    return _subproof(old_size, leaves[:new_size], complete=True)


def _subproof(m: int, leaves: Sequence[bytes], *, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b): ``complete`` (b) says whether the subtree of the first ``m``
    leaves is the old tree itself, whose root the verifier already holds."""
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), root(leaves[:k])]


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check a consistency proof (RFC 9162 §2.1.4.2) between the tree of ``old_size`` leaves
    with root ``old_root`` and that of ``new_size`` leaves with root ``new_root``.

    Returns nothing when the proof shows the old tree is a prefix of the new one; otherwise
    raises ConsistencyError saying why: sizes for which no proof exists (``old_size`` of 0,
    or larger than ``new_size``), a proof of the wrong length or with a node that is not a
    SHA-256 hash, or one that does not lead to both roots. Equal sizes take the empty proof
    and equal roots.
    """
    if not 0 < old_size <= new_size:
        raise ConsistencyError(
            f"no consistency proof exists from {old_size} to {new_size} entries: "
            "0 < old size <= new size"
        )
    if any(len(node) != len(EMPTY_ROOT) for node in proof):
        raise ConsistencyError("a node of the consistency proof is not a SHA-256 hash")
    if old_size == new_size:
        if proof:
            raise ConsistencyError("the proof between two trees of the same size must be empty")
        if old_root != new_root:
            raise ConsistencyError(f"two different roots for the same {old_size} entries")
        return
    # The steps of RFC 9162 §2.1.4.2, in its names.
    if not proof:  # 1.
        raise ConsistencyError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # 2. the old tree is a complete subtree of the new
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # 3.
    while fn & 1:  # 4.
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # 5.
    for c in path[1:]:  # 6.
        if sn == 0:
            raise ConsistencyError("the consistency proof is longer than the trees are deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # 7.
        raise ConsistencyError("the consistency proof is shorter than the trees are deep")
    if fr != old_root or sr != new_root:
        raise ConsistencyError(
            f"the proof does not lead from the root of {old_size} entries to the root of "
            f"{new_size}: the larger tree does not extend the smaller one"
        )
