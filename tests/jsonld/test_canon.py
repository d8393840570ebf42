"""RDFC-1.0 and JCS canonicalization, including the work limits against dataset poisoning."""

from __future__ import annotations

import hashlib
import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcservice.errors import CanonicalizationError
from vcservice.jsonld import CanonLimits, bundled_loader, jcs, rdfc, rdfc_nquads

from ..conftest import EDDSA_VECTORS, load_json


def test_rdfc_reproduces_the_w3c_canonical_document() -> None:
    unsigned = load_json(EDDSA_VECTORS / "unsigned.json")
    canonical = rdfc(unsigned, bundled_loader())
    assert canonical == (EDDSA_VECTORS / "eddsa-rdfc-2022" / "canonDocDataInt.txt").read_text()
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert digest == (EDDSA_VECTORS / "eddsa-rdfc-2022" / "docHashDataInt.txt").read_text().strip()


def test_jcs_reproduces_the_w3c_canonical_document() -> None:
    unsigned = load_json(EDDSA_VECTORS / "unsigned.json")
    expected = (EDDSA_VECTORS / "eddsa-jcs-2022" / "canonDocJCS.txt").read_text().strip()
    assert jcs(unsigned).decode() == expected


def test_jcs_rfc8785_number_and_string_rules() -> None:
    assert jcs({"b": 1e21, "a": [1.0, -0.0, "\u20ac", "\n"]}) == (
        b'{"a":[1,0,"\xe2\x82\xac","\\n"],"b":1e+21}'
    )


def test_jcs_rejects_values_json_cannot_carry() -> None:
    with pytest.raises(CanonicalizationError):
        jcs({"x": float("nan")})
    with pytest.raises(CanonicalizationError):
        jcs({"x": object()})


def _poisoned_nquads(nodes: int) -> str:
    """A clique of blank nodes: every node looks like every other, so RDFC-1.0 must try
    permutations in the N-degree step (pyld issue 179's "dataset poisoning")."""
    return "".join(
        f"_:b{a} <https://ex.example/p> _:b{b} .\n"
        for a, b in itertools.permutations(range(nodes), 2)
    )


def test_dataset_poisoning_fails_fast_with_a_clear_error() -> None:
    started = time.monotonic()
    with pytest.raises(CanonicalizationError, match="work limit"):
        rdfc_nquads(_poisoned_nquads(12))
    # Not a timing assertion on speed, only proof that it ended instead of running for hours.
    assert time.monotonic() - started < 120


def test_small_symmetric_graphs_still_canonicalize() -> None:
    assert rdfc_nquads(_poisoned_nquads(3)).count("_:c14n") == 12


def test_blank_node_and_quad_limits() -> None:
    quads = "".join(f'_:b{i} <https://ex.example/p> "{i}" .\n' for i in range(50))
    with pytest.raises(CanonicalizationError, match="blank nodes"):
        rdfc_nquads(quads, CanonLimits(max_blank_nodes=10))
    with pytest.raises(CanonicalizationError, match="quads"):
        rdfc_nquads(quads, CanonLimits(max_quads=10))


def test_poisoned_json_ld_document_is_bounded() -> None:
    nodes = [
        {
            "@id": f"_:n{i}",
            "https://ex.example/p": [{"@id": f"_:n{j}"} for j in range(10) if j != i],
        }
        for i in range(10)
    ]
    with pytest.raises(CanonicalizationError, match="work limit"):
        rdfc({"@graph": nodes}, bundled_loader())


def test_malformed_json_ld_is_a_canonicalization_error() -> None:
    with pytest.raises(CanonicalizationError):
        rdfc({"@context": 5, "x": 1}, bundled_loader())


@settings(max_examples=50, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
def test_jcs_is_idempotent_through_json(value: object) -> None:
    import json

    once = jcs(value)
    assert jcs(json.loads(once)) == once
