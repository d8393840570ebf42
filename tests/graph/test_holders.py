"""Who may spend a credit, in a graph: the ledger's holder rules (``massbalance.not-holder``).

A make event's outputs are held by its issuer, a crediting move's by the consignee it names
(by its issuer when it names none); only the holder may debit an account. The graph must fail
exactly what the ledger refuses, so each case is also posted to the ledger's pure rules.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.graph.test_walk import AT, BASE, _signer, link
from vcservice.errors import NotHolderError
from vcservice.graph import Bundle, GraphReport, GraphVerifier
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import Signer
from vcservice.ledger.postings import Upstream, postings_of
from vcservice.ledger.rules import Book, Credential, post
from vcservice.links import digest_document
from vcservice.report import Outcome

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
    "https://w3id.org/critical-minerals/v1",
]
SELLER = _signer("holders seller")
BUYER = _signer("holders buyer")
KIND = "responsibleSourcing"


def did(signer: Signer) -> str:
    return signer.verification_method.split("#")[0]


class Graph:
    """Credentials issued in order, kept unsigned (for the ledger) and as served (for the
    graph verifier)."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.served: dict[str, Any] = {}
        # What the credits cite as attested by: a chain-of-custody certificate in all but
        # its credential type (these small graphs are about holders, not certifiers' trust).
        self.attestation = self.issue(
            "attestation",
            SELLER,
            {"type": ["ChainOfCustodyCertificate"], "id": "urn:coc:0", "name": "c"},
        )

    def issue(self, name: str, signer: Signer, subject: Any) -> dict[str, Any]:
        document = {
            "@context": CONTEXT,
            "type": ["VerifiableCredential"],
            "id": f"urn:example:{name}",
            "issuer": did(signer),
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": subject,
        }
        served = issue_credential(
            document, signer, "vc+jwt", loader=bundled_loader(), clock=lambda: AT
        )
        self.documents[BASE + name] = document
        self.served[BASE + name] = served
        return link(BASE + name, served)

    def move(
        self,
        name: str,
        signer: Signer,
        kg: float,
        sources: list[dict[str, Any]],
        consignee: Signer | None = None,
    ) -> dict[str, Any]:
        """A crediting move of ``kg`` of product urn:p:1, drawing on ``sources``."""
        product: dict[str, Any] = {
            "id": "urn:p:1",
            "name": "p",
            "certifiedProperty": [credit(kg, self.attestation)],
        }
        if sources:
            product["sourceCredential"] = sources
        parties = [{"role": ["consignor"], "party": {"id": did(signer), "name": "seller"}}]
        if consignee is not None:
            parties.append({"role": ["consignee"], "party": {"id": did(consignee), "name": "b"}})
        subject = {
            "type": ["MoveEvent"],
            "id": f"urn:ev:{name}",
            "transferKind": "credit",
            "relatedParty": parties,
            "movedProduct": [{"product": product}],
        }
        return self.issue(name, signer, subject)

    def make(
        self, name: str, signer: Signer, kg: float, sources: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A make event turning ``kg`` of urn:p:1 credits (from ``sources``) into urn:p:2."""
        subject = {
            "type": ["MakeEvent"],
            "id": f"urn:ev:{name}",
            "inputProduct": [
                {
                    "product": {
                        "id": "urn:p:1",
                        "name": "p",
                        "sourceCredential": sources,
                        "certifiedProperty": [credit(kg, self.attestation)],
                    }
                }
            ],
            "outputProduct": [
                {
                    "product": {
                        "id": "urn:p:2",
                        "name": "q",
                        "certifiedProperty": [credit(kg, self.attestation)],
                    }
                }
            ],
        }
        return self.issue(name, signer, subject)

    def claim(self, name: str, signer: Signer, kg: float, source: dict[str, Any]) -> str:
        """A claim event retiring ``kg`` of credits from ``source``; its URL (the root)."""
        subject = {
            "type": ["ModifyEvent", "ClaimEvent"],
            "id": f"urn:ev:{name}",
            "modifiedProduct": [{"product": {"id": "urn:p:3", "name": "r"}}],
            "retiredCredit": [dict(credit(kg, self.attestation), sourceCredential=[source])],
        }
        self.issue(name, signer, subject)
        return BASE + name

    def verify(self, root: str) -> GraphReport:
        return GraphVerifier().verify(
            root, trust_anchors=["did:example:anchor"], bundle=Bundle(self.served), at=AT
        )

    def ledger_refuses(self, root: str) -> bool:
        """Whether the ledger refuses to post ``root`` with every other credential as its
        upstream (in issue order) for holding: what the service does at issuance."""
        upstream = [
            Upstream(doc["id"], doc["issuer"], digest_document(self.served[url]), postings_of(doc))
            for url, doc in self.documents.items()
            if url != root
        ]
        document = self.documents[root]
        credential = Credential(
            document["id"], document["issuer"], digest_document(self.served[root])
        )
        try:
            post(
                Book(),
                credential,
                postings_of(document),
                upstream=upstream,
                tenant_id="t",
                now=AT,
                first_seq=0,
            )
        except NotHolderError:
            return True
        return False


def credit(kg: float, attestation: dict[str, Any]) -> dict[str, Any]:
    return {
        "propertyKind": KIND,
        "creditQuantity": {"value": kg, "unit": "KGM"},
        "attestedBy": [attestation],
    }


def outcomes(report: GraphReport) -> list[tuple[str, Outcome]]:
    return [
        (c.path or "", c.outcome) for c in report.checks.checks if c.id == "massbalance.not-holder"
    ]


def moved_to_the_buyer() -> tuple[Graph, dict[str, Any]]:
    """The seller's own credit (a move naming no consignee), moved on to the buyer."""
    graph = Graph()
    own = graph.move("own", SELLER, 100, [])
    sold = graph.move("sold", SELLER, 100, [own], consignee=BUYER)
    return graph, sold


def test_a_credit_moved_to_the_consignee_and_spent_by_the_sender_fails() -> None:
    graph, sold = moved_to_the_buyer()
    root = graph.claim("spent", SELLER, 100, sold)
    report = graph.verify(root)
    assert report.failed_ids() == {"massbalance.not-holder"}
    (failed,) = [c for c in report.errors]
    assert failed.path == f"{root}#/credentialSubject/retiredCredit/0"
    assert failed.problem is not None
    detail = failed.problem.detail
    assert root in detail  # the credential that spent it
    assert did(SELLER) in detail  # the debiting party
    assert BASE + "sold" in detail  # the account: the credential that opened it
    assert f"held by {did(BUYER)}, the consignee" in detail  # its holder
    assert graph.ledger_refuses(root)
    (account,) = [a for a in report.accounts if a["credential"] == BASE + "sold"]
    assert account["holder"] == did(BUYER)


def test_the_consignee_spending_it_verifies() -> None:
    graph, sold = moved_to_the_buyer()
    root = graph.claim("spent", BUYER, 100, sold)
    report = graph.verify(root)
    assert report.verified, [c.to_dict() for c in report.errors]
    assert outcomes(report) == [
        (f"{root}#/credentialSubject/retiredCredit/0", Outcome.PASSED),
        (
            f"{BASE}sold#/credentialSubject/movedProduct/0/product/certifiedProperty/0",
            Outcome.PASSED,
        ),
    ]
    assert not graph.ledger_refuses(root)


@pytest.mark.parametrize("spender", ["seller", "buyer"])
def test_a_make_events_outputs_are_held_by_its_issuer(spender: str) -> None:
    graph = Graph()
    own = graph.move("own", SELLER, 100, [])
    made = graph.make("made", SELLER, 100, [own])
    root = graph.claim("spent", SELLER if spender == "seller" else BUYER, 100, made)
    report = graph.verify(root)
    refused = spender == "buyer"
    assert report.failed_ids() == ({"massbalance.not-holder"} if refused else set())
    assert graph.ledger_refuses(root) is refused


def test_a_move_naming_no_consignee_stays_with_its_issuer() -> None:
    graph = Graph()
    own = graph.move("own", SELLER, 100, [])
    root = graph.claim("spent", BUYER, 100, own)
    report = graph.verify(root)
    assert report.failed_ids() == {"massbalance.not-holder"}
    assert report.errors[0].problem is not None
    assert f"held by {did(SELLER)}, the issuer" in report.errors[0].problem.detail
    assert graph.ledger_refuses(root)


def test_credits_of_one_product_and_kind_to_two_holders_fail() -> None:
    graph = Graph()
    parties = [BUYER, SELLER]
    subjects = [
        {
            "type": ["MoveEvent"],
            "id": f"urn:ev:split-{index}",
            "transferKind": "credit",
            "relatedParty": [{"role": ["consignee"], "party": {"id": did(to), "name": "x"}}],
            "movedProduct": [
                {
                    "product": {
                        "id": "urn:p:1",
                        "name": "p",
                        "certifiedProperty": [credit(50, graph.attestation)],
                    }
                }
            ],
        }
        for index, to in enumerate(parties)
    ]
    graph.issue("split", SELLER, subjects)
    report = graph.verify(BASE + "split")
    assert report.failed_ids() == {"massbalance.not-holder"}
    assert report.errors[0].problem is not None
    assert "two holders" in report.errors[0].problem.title
