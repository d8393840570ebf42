"""claims.unattested resolves a passport's claim by criterion id, as UNTP does: the claim's
``referenceCriteria`` id must be the ``assessmentCriteria`` id of a conformant assessment, of
the claim's topic and of the product (or, under mass balance, a product it was made from), in
an evidence credential of the right kind. Judged on the verified copper chain, with the claim
(not the signed passport) changed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import REPO
from vcservice.graph import GraphVerifier, load_bundle
from vcservice.graph._claims import _backing
from vcservice.graph._index import GraphIndex
from vcservice.graph._model import Node

BUNDLE = REPO / "examples" / "copper" / "bundle.json"
CATHODE = "https://credentials.boreal-copper.example/dpp-cathode-cu80"
WIRE = "https://credentials.malar-kabel.example/dpp-wire-cu80"


@pytest.fixture(scope="module")
def index() -> GraphIndex:
    bundle = load_bundle(BUNDLE)
    assert bundle.root is not None
    report = GraphVerifier().verify(bundle.root, trust_anchors=bundle.trust_anchors, bundle=bundle)
    assert report.verified
    return GraphIndex.build(report)


def _judge(
    index: GraphIndex, key: str, number: int, change: Callable[[dict[str, Any]], None] | None
) -> tuple[list[Any], str]:
    node: Node = index.report.nodes[key]
    passport = node.subjects()[0]
    claim = copy.deepcopy(passport["performanceClaim"][number])
    if change is not None:
        change(claim)
    pointer = f"/credentialSubject/performanceClaim/{number}/evidence"
    evidence = index.targets(node, passport["performanceClaim"][number]["evidence"], pointer)
    return _backing(index, passport, claim, evidence)


def test_each_claim_is_backed_by_the_assessment_of_its_criterion(index: GraphIndex) -> None:
    for key, number in ((CATHODE, 0), (CATHODE, 1), (WIRE, 0)):
        backing, why = _judge(index, key, number, None)
        assert backing, why
        claim = index.report.nodes[key].subjects()[0]["performanceClaim"][number]
        criterion = claim["referenceCriteria"][0]["id"]
        for _, assessment in backing:
            assert criterion in {c["id"] for c in assessment["assessmentCriteria"]}


def _other_criterion(claim: dict[str, Any]) -> None:
    claim["referenceCriteria"][0]["id"] += "-other"


def _no_criterion(claim: dict[str, Any]) -> None:
    del claim["referenceCriteria"]


def _other_topic(claim: dict[str, Any]) -> None:
    claim["conformityTopic"][0]["id"] += "-other"


def _gate_to_gate(claim: dict[str, Any]) -> None:
    # The criterion of the smelter's gate-to-gate attestation, which is not the claim's evidence.
    claim["referenceCriteria"][0]["id"] = claim["referenceCriteria"][0]["id"].replace(
        "cradle-to-gate", "gate-to-gate"
    )


@pytest.mark.parametrize(
    ("key", "number", "change", "expected"),
    [
        (CATHODE, 0, _other_criterion, "no evidence assesses criterion"),
        (CATHODE, 0, _no_criterion, "references no criterion"),
        (CATHODE, 0, _other_topic, "another conformity topic"),
        (CATHODE, 0, _gate_to_gate, "no evidence assesses criterion"),
        (CATHODE, 1, _other_criterion, "no evidence assesses criterion"),
        (WIRE, 0, _other_criterion, "no evidence assesses criterion"),
    ],
)
def test_a_claim_whose_criterion_no_evidence_assesses_is_unattested(
    index: GraphIndex,
    key: str,
    number: int,
    change: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    backing, why = _judge(index, key, number, change)
    assert not backing
    assert expected in why


def test_a_coc_claim_needs_a_certificate_that_assesses_the_product_itself(
    index: GraphIndex,
) -> None:
    node = index.report.nodes[CATHODE]
    passport = dict(node.subjects()[0], id="https://id.boreal-copper.example/01/0/10/other")
    claim = passport["performanceClaim"][1]
    evidence = index.targets(
        node, claim["evidence"], "/credentialSubject/performanceClaim/1/evidence"
    )
    backing, why = _backing(index, passport, claim, evidence)
    assert not backing
    assert "for no product" in why
