"""The frontier kept with the log gives the roots and the proofs of new entries that the whole
list of leaves gives (RFC 9162), for every split of a log into old and new."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from vcservice.ledger import merkle


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def test_every_split_up_to_70_leaves() -> None:
    leaves = _leaves(70)
    for n in range(0, 71):
        for m in range(0, n + 1):
            frontier = merkle.frontier_of(leaves[:m])
            assert merkle.frontier_size(frontier) == m
            assert merkle.frontier_root(frontier) == merkle.root(leaves[:m])
            grown = merkle.extend(frontier, leaves[m:n])
            assert grown == merkle.frontier_of(leaves[:n])
            assert merkle.frontier_root(grown) == merkle.root(leaves[:n])
            proofs = merkle.tail_proofs(frontier, leaves[m:n])
            assert proofs == [merkle.inclusion_proof(i, leaves[:n]) for i in range(m, n)]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 3000), st.integers(1, 12))
def test_large_logs_a_few_new_entries(m: int, k: int) -> None:
    leaves = _leaves(m + k)
    frontier = merkle.frontier_of(leaves[:m])
    for offset, proof in enumerate(merkle.tail_proofs(frontier, leaves[m:])):
        i = m + offset
        assert merkle.root_from_inclusion(i, m + k, leaves[i], proof) == merkle.root(leaves)
        assert proof == merkle.inclusion_proof(i, leaves)
