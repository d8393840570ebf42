"""Merkle tree hashes and inclusion proofs as RFC 9162 (Certificate Transparency 2.0) defines them.

A leaf is ``SHA-256(0x00 || data)`` and an interior node ``SHA-256(0x01 || left || right)``;
the tree over ``n`` leaves splits at the largest power of two below ``n`` (RFC 9162 §2.1.1).
The different prefixes keep a leaf from ever being passed off as a node (second-preimage
attacks). Using the published algorithm rather than our own means a checkpoint can be checked
with any CT tooling.

Most functions work from the full list of leaf hashes: a request for a proof of an old entry
recomputes the tree, O(n) hashes (about a second for a million entries). :func:`roots_at`
computes the roots of many prefixes in one pass, which is what the offline verifier needs for
every stored checkpoint. What happens on every append does not: a **frontier** (the hashes of
the perfect subtrees covering the log, at most one per bit of its size, which never change once
complete) is kept with the log, so the new root (:func:`frontier_root`, :func:`extend`) and
the inclusion proofs of the entries just appended (:func:`tail_proofs`, what a receipt
carries) cost O(k log n) for k new entries, whatever the size of the log.

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
    "Frontier",
    "consistency_proof",
    "extend",
    "frontier_of",
    "frontier_root",
    "frontier_size",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion",
    "roots_at",
    "tail_proofs",
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


#: The perfect subtrees covering a log, left to right: ``(height, hash)``, heights strictly
#: decreasing (one per set bit of the log's size).
Frontier = tuple[tuple[int, bytes], ...]


def extend(frontier: Frontier, leaves: Iterable[bytes]) -> Frontier:
    """The frontier after appending ``leaves`` (leaf hashes)."""
    stack = list(frontier)
    for leaf in leaves:
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
    return tuple(stack)


def frontier_of(leaves: Iterable[bytes]) -> Frontier:
    return extend((), leaves)


def frontier_size(frontier: Frontier) -> int:
    return sum(1 << height for height, _ in frontier)


def frontier_root(frontier: Frontier) -> bytes:
    """MTH of the log the frontier covers: its subtrees folded from the right (RFC 9162's
    split at the largest power of two, as in :func:`roots_at`)."""
    if not frontier:
        return EMPTY_ROOT
    folded = frontier[-1][1]
    for _, left in reversed(frontier[:-1]):
        folded = node_hash(left, folded)
    return folded


def tail_proofs(frontier: Frontier, leaves: Sequence[bytes]) -> list[list[bytes]]:
    """PATH(i, D[n]) for each of ``leaves`` appended after the log ``frontier`` covers (of
    ``m`` leaves), in the tree of ``n = m + len(leaves)``: equal to :func:`inclusion_proof`
    over all ``n`` leaves, from O(log n) hashes kept instead of ``m``.

    A sibling on such a path lies either among the new leaves or is a maximal perfect subtree
    of the old log, i.e. a run of consecutive frontier subtrees, folded like a root.
    """
    m = frontier_size(frontier)
    n = m + len(leaves)
    starts: dict[int, int] = {}
    at = 0
    for index, (height, _) in enumerate(frontier):
        starts[at] = index
        at += 1 << height

    def mth(a: int, b: int) -> bytes:
        if a >= m:
            return root(leaves[a - m : b - m])
        if b <= m:  # old leaves only: a run of whole frontier subtrees
            first = starts.get(a)
            if first is None:
                raise ValueError(f"[{a}, {b}) is not made of the frontier's subtrees")
            run, covered = [], a
            for height, value in frontier[first:]:
                if covered == b:
                    break
                run.append((height, value))
                covered += 1 << height
            if covered != b:
                raise ValueError(f"[{a}, {b}) is not made of the frontier's subtrees")
            return frontier_root(tuple(run))
        k = _split(b - a)
        return node_hash(mth(a, a + k), mth(a + k, b))

    def path(i: int, a: int, b: int) -> list[bytes]:
        if b - a == 1:
            return []
        k = _split(b - a)
        if i < a + k:
            return [*path(i, a, a + k), mth(a + k, b)]
        return [*path(i, a + k, b), mth(a, a + k)]

    return [path(i, 0, n) for i in range(m, n)]


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
