"""Debits of homed credits carry their home registry's receipt (``massbalance.unregistered``).

A credit whose opening credential names a home registry (``creditRegistry``) may be spent only
with a receipt from that home proving the debit is an entry of its log: signed by the home's
DID, no later than the verification time, naming this account, this credential, its issuer
as the holder and exactly its amount. The receipts here come from a tiny in-memory ledger
built the way a home builds its log (hash chain, Merkle tree, COSE Receipt).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.graph.test_holders import BUYER, CONTEXT, KIND, SELLER, Graph, credit, did
from tests.graph.test_walk import AT, BASE
from vcservice.dids import did_document as vc_did_document
from vcservice.errors import InputError
from vcservice.graph import Bundle, GraphReport, GraphVerifier, render_summary
from vcservice.jsonld import jcs
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import GENESIS, Checkpoint, entry_leaf, merkle
from vcservice.registry import (
    encode_receipt_text,
    make_receipt,
    registration_digest,
    sign_cosignature,
)
from vcservice.report import Outcome

CHECK = "massbalance.unregistered"
HOME = "did:web:registry.example"
OTHER = "did:web:other-registry.example"
UNKNOWN = "did:web:unresolvable-registry.example"
WITNESS = "did:web:witness.example"
STRANGER = "did:web:stranger-witness.example"
SIGNED_AT = AT - timedelta(days=1)


def web_signer(did_web: str, label: str) -> Signer:
    key = KeyPair.from_secret(KeyType.ED25519, hashlib.sha256(label.encode()).digest())
    return Signer(key, f"{did_web}#key-1")


HOME_SIGNER = web_signer(HOME, "home registry")
OTHER_SIGNER = web_signer(OTHER, "other registry")
UNKNOWN_SIGNER = web_signer(UNKNOWN, "unknown registry")
IMPOSTOR = web_signer(HOME, "not the home registry's key")
WITNESS_SIGNER = web_signer(WITNESS, "witness")
STRANGER_SIGNER = web_signer(STRANGER, "stranger")


def did_document(signer: Signer) -> dict[str, Any]:
    """The signer's did:web document, as the service writes its own (Multikey, every
    relationship): signer's verification method is ``<did>#key-1``."""
    fragment = signer.verification_method.split("#", 1)[1]
    return vc_did_document(signer.controller, [(fragment, signer.key.public)])


DIDS = {
    s.controller: did_document(s)
    for s in (HOME_SIGNER, OTHER_SIGNER, WITNESS_SIGNER, STRANGER_SIGNER)
}


class Log:
    """A home registry's ledger as far as receipts need it: hash-chained entries, their
    Merkle tree, receipts of some of them."""

    def __init__(self) -> None:
        self.prevs: list[str] = []
        self.entries: list[bytes] = []
        self.hashes: list[str] = []
        for n in range(3):  # unrelated entries, so the proofs are not trivial
            self.append({"kind": "posted", "credentialId": f"urn:unrelated:{n}"})

    def append(self, content: dict[str, Any]) -> int:
        prev = self.hashes[-1] if self.hashes else GENESIS
        data = jcs(content)
        self.prevs.append(prev)
        self.entries.append(data)
        self.hashes.append(hashlib.sha256(bytes.fromhex(prev) + data).hexdigest())
        return len(self.hashes)

    def receipt(
        self,
        seqs: Sequence[int],
        signer: Signer = HOME_SIGNER,
        issued_at: datetime = SIGNED_AT,
        witnesses: Sequence[Signer] = (),
        cosigned_size: int | None = None,
    ) -> str:
        leaves = [entry_leaf(h) for h in self.hashes]
        root = merkle.root(leaves)
        size = len(leaves) if cosigned_size is None else cosigned_size
        checkpoint = Checkpoint(
            signer.controller,
            size,
            self.hashes[size - 1],
            merkle.root(leaves[:size]).hex(),
            "2026-05-31T00:00:00Z",
        )
        cosignatures = [sign_cosignature(checkpoint, w, SIGNED_AT) for w in witnesses]
        proven = [
            (
                seq,
                self.prevs[seq - 1],
                self.entries[seq - 1],
                merkle.inclusion_proof(seq - 1, leaves),
            )
            for seq in seqs
        ]
        return encode_receipt_text(
            make_receipt(signer, issued_at, len(leaves), root, proven, cosignatures)
        )


def debit_entry(
    account: str,
    credential: tuple[str, str],
    amount_mg: int,
    holder: str,
    product: str = "urn:p:1",
) -> dict[str, Any]:
    """A debit entry as a home writes it for a registration (no tenant)."""
    credential_id, credential_digest = credential
    return {
        "kind": "debit",
        "account": {
            "credentialDigest": account,
            "product": product,
            "propertyKind": KIND,
            "holder": holder,
        },
        "amountMg": str(amount_mg),
        "credentialId": credential_id,
        "credentialDigest": credential_digest,
        "createdAt": "2026-05-31T00:00:00.000000Z",
        "issuer": holder,
    }


#: Given the account's digest and the debiting credential's (id, registration digest), the
#: creditReceipt values it carries.
Receipts = Callable[[str, tuple[str, str]], list[str]]


class Homed(Graph):
    def opening(self, name: str, kg: float, home: str | None = HOME) -> dict[str, Any]:
        """The seller's own credit of ``kg`` of urn:p:1, homed at ``home``; its link."""
        subject: dict[str, Any] = {
            "type": ["MoveEvent"],
            "id": f"urn:ev:{name}",
            "transferKind": "credit",
            "relatedParty": [{"role": ["consignor"], "party": {"id": did(SELLER), "name": "s"}}],
            "movedProduct": [
                {
                    "product": {
                        "id": "urn:p:1",
                        "name": "p",
                        "certifiedProperty": [credit(kg, self.attestation)],
                    }
                }
            ],
        }
        if home is not None:
            subject["creditRegistry"] = {"id": home, "serviceEndpoint": "https://reg.example/r"}
        return self.issue(name, SELLER, subject)

    def spend(
        self,
        name: str,
        source: dict[str, Any],
        receipts: Receipts,
        kgs: Sequence[float] = (100,),
        signer: Signer = SELLER,
    ) -> str:
        """A claim event retiring ``kgs`` of credits from ``source``, carrying ``receipts``;
        its URL (the root)."""
        subject: dict[str, Any] = {
            "type": ["ModifyEvent", "ClaimEvent"],
            "id": f"urn:ev:{name}",
            "modifiedProduct": [{"product": {"id": "urn:p:3", "name": "r"}}],
            "retiredCredit": [
                dict(credit(kg, self.attestation), sourceCredential=[source]) for kg in kgs
            ],
        }
        unsigned: dict[str, Any] = {
            "@context": CONTEXT,
            "type": ["VerifiableCredential"],
            "id": f"urn:example:{name}",
            "issuer": did(signer),
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": subject,
        }
        registered = (unsigned["id"], registration_digest(unsigned))
        texts = receipts(source["digestMultibase"], registered)
        if texts:
            subject["creditReceipt"] = texts
        self.issue(name, signer, subject)
        assert registration_digest(self.documents[BASE + name]) == registered[1]
        return BASE + name

    def verify_with(self, root: str, **options: Any) -> GraphReport:
        return GraphVerifier().verify(
            root,
            trust_anchors=["did:example:anchor"],
            bundle=Bundle(self.served, did_documents=DIDS),
            at=AT,
            options=options,
        )


def registered(amounts_mg: Sequence[int] = (100_000_000,), **receipt: Any) -> Receipts:
    """Receipts of the home's debit entries of ``amounts_mg`` by the seller."""

    def make(account: str, credential: tuple[str, str]) -> list[str]:
        log = Log()
        seqs = [log.append(debit_entry(account, credential, mg, did(SELLER))) for mg in amounts_mg]
        log.append({"kind": "posted", "credentialId": "urn:later"})
        return [log.receipt(seqs, **receipt)]

    return make


def unregistered_checks(report: GraphReport) -> list[tuple[str, Outcome, str]]:
    return [
        (c.path or "", c.outcome, c.problem.detail if c.problem else "")
        for c in report.checks.checks
        if c.id == CHECK
    ]


def run(receipts: Receipts, home: str | None = HOME, **options: Any) -> tuple[str, GraphReport]:
    graph = Homed()
    own = graph.opening("own", 100, home)
    root = graph.spend("spent", own, receipts)
    return root, graph.verify_with(root, **options)


def failure(receipts: Receipts, home: str = HOME, **options: Any) -> str:
    """The detail of the one failure of ``massbalance.unregistered``, checked to be all."""
    root, report = run(receipts, home, **options)
    assert report.failed_ids() == {CHECK}, [c.to_dict() for c in report.errors]
    ((path, outcome, detail),) = unregistered_checks(report)
    assert outcome is Outcome.FAILED
    assert path == f"{root}#/credentialSubject/retiredCredit/0"
    assert root in detail  # the debit
    assert f"{BASE}own" in detail  # the account's credential
    assert home in detail
    return detail


def test_a_debit_with_its_homes_receipt_verifies() -> None:
    root, report = run(registered())
    assert report.verified, [c.to_dict() for c in report.errors]
    assert unregistered_checks(report) == [
        (f"{root}#/credentialSubject/retiredCredit/0", Outcome.PASSED, "")
    ]
    (account,) = [a for a in report.accounts if a["credential"] == BASE + "own"]
    assert account["registry"] == HOME
    assert [d["registration"] for d in account["debits"]] == ["passed"]
    assert "1 debits of homed credits registered" in render_summary(report)


def test_a_debit_without_a_receipt_fails() -> None:
    assert "carries no receipt" in failure(lambda account, credential: [])


def test_a_receipt_from_another_registry_fails() -> None:
    detail = failure(registered(signer=OTHER_SIGNER))
    assert f"receipts from {OTHER}, another registry than the home" in detail


def test_a_receipt_signed_with_another_key_fails() -> None:
    detail = failure(registered(signer=IMPOSTOR))
    assert "does not verify" in detail


def test_an_unusable_receipt_fails() -> None:
    detail = failure(lambda account, credential: ["uAAAA"])
    assert "unusable creditReceipt" in detail


def test_a_receipt_for_another_amount_fails() -> None:
    detail = failure(registered([50_000_000]))
    assert "50 kg (50000000 mg)" in detail
    assert "100 kg (100000000 mg)" in detail


def test_one_entry_listed_twice_counts_once() -> None:
    def twice(account: str, credential: tuple[str, str]) -> list[str]:
        log = Log()
        seq = log.append(debit_entry(account, credential, 50_000_000, did(SELLER)))
        return [log.receipt([seq, seq])]

    assert "50 kg (50000000 mg)" in failure(twice)


def test_a_receipt_naming_another_holder_fails() -> None:
    def buyers(account: str, credential: tuple[str, str]) -> list[str]:
        log = Log()
        return [log.receipt([log.append(debit_entry(account, credential, 10**8, did(BUYER)))])]

    detail = failure(buyers)
    assert f"drawn by {did(BUYER)}" in detail
    assert f"not by the credential's issuer {did(SELLER)}" in detail


def test_a_receipt_copied_from_another_credential_fails() -> None:
    graph = Homed()
    own = graph.opening("own", 100)
    first = graph.spend("first", own, registered())
    copied = graph.documents[first]["credentialSubject"]["creditReceipt"]
    root = graph.spend("second", own, lambda account, credential: copied)
    report = graph.verify_with(root)
    assert graph.verify_with(first).verified
    assert report.failed_ids() == {CHECK}
    ((_, _, detail),) = unregistered_checks(report)
    assert "by another credential (credentialId urn:example:first" in detail


def test_a_receipt_signed_after_the_verification_time_fails() -> None:
    detail = failure(registered(issued_at=AT + timedelta(days=1)))
    assert "after the verification time" in detail


def test_an_unresolvable_home_is_indeterminate() -> None:
    root, report = run(registered(signer=UNKNOWN_SIGNER), home=UNKNOWN)
    assert [(c.id, c.outcome) for c in report.errors] == [(CHECK, Outcome.INDETERMINATE)]
    ((path, outcome, detail),) = unregistered_checks(report)
    assert outcome is Outcome.INDETERMINATE
    assert path == f"{root}#/credentialSubject/retiredCredit/0"
    assert UNKNOWN in detail


def test_an_unresolvable_home_whose_receipt_does_not_match_fails() -> None:
    """A receipt that proves the wrong amount fails whoever signed it."""
    detail = failure(registered([1], signer=UNKNOWN_SIGNER), home=UNKNOWN)
    assert "(1 mg)" in detail


def test_a_credit_that_names_no_home_needs_no_receipt() -> None:
    _, report = run(lambda account, credential: [], home=None)
    assert report.verified, [c.to_dict() for c in report.errors]
    assert unregistered_checks(report) == []
    (account,) = [a for a in report.accounts if a["credential"] == BASE + "own"]
    assert account["registry"] is None
    assert [d["registration"] for d in account["debits"]] == ["not required"]
    assert "1 debits of unhomed credits: no receipt required" in render_summary(report)


def test_two_debits_of_one_account_are_judged_together() -> None:
    graph = Homed()
    own = graph.opening("own", 100)
    root = graph.spend("both", own, registered([60_000_000, 40_000_000]), kgs=(60, 40))
    report = graph.verify_with(root)
    assert report.verified, [c.to_dict() for c in report.errors]
    assert [o for _, o, _ in unregistered_checks(report)] == [Outcome.PASSED] * 2
    short = graph.spend("short", own, registered([60_000_000]), kgs=(60, 40))
    report = graph.verify_with(short)
    assert report.failed_ids() == {CHECK}
    assert [o for _, o, _ in unregistered_checks(report)] == [Outcome.FAILED] * 2


def test_a_move_of_a_homed_credit_needs_the_products_entry() -> None:
    """A move names its product: the entry must be of that product's account."""
    graph = Homed()
    own = graph.opening("own", 100)
    account = own["digestMultibase"]

    def sold(product: str) -> str:
        name = f"sold-{product.rsplit(':', 1)[-1]}"
        subject: dict[str, Any] = {
            "type": ["MoveEvent"],
            "id": f"urn:ev:{name}",
            "transferKind": "credit",
            "relatedParty": [{"role": ["consignee"], "party": {"id": did(BUYER), "name": "b"}}],
            "movedProduct": [
                {
                    "product": {
                        "id": "urn:p:1",
                        "name": "p",
                        "sourceCredential": [own],
                        "certifiedProperty": [credit(100, graph.attestation)],
                    }
                }
            ],
        }
        unsigned: dict[str, Any] = {
            "@context": CONTEXT,
            "type": ["VerifiableCredential"],
            "id": f"urn:example:{name}",
            "issuer": did(SELLER),
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": subject,
        }
        log = Log()
        entry = debit_entry(
            account,
            (unsigned["id"], registration_digest(unsigned)),
            100_000_000,
            did(SELLER),
            product,
        )
        subject["creditReceipt"] = [log.receipt([log.append(entry)])]
        graph.issue(name, SELLER, subject)
        return BASE + name

    assert graph.verify_with(sold("urn:p:1")).verified
    report = graph.verify_with(sold("urn:p:9"))
    assert report.failed_ids() == {CHECK}
    assert "prove no debit of this account" in unregistered_checks(report)[0][2]


@pytest.mark.parametrize(
    ("witnesses", "cosigned_size", "verified"),
    [
        ([WITNESS_SIGNER], None, True),
        ([], None, False),
        ([STRANGER_SIGNER], None, False),  # not a trusted witness
        ([WITNESS_SIGNER], 2, False),  # cosigned another checkpoint of the log
    ],
    ids=["trusted", "none", "untrusted", "other-checkpoint"],
)
def test_a_required_witness_cosigns_the_receipt(
    witnesses: list[Signer], cosigned_size: int | None, verified: bool
) -> None:
    options: dict[str, Any] = {"requiredWitnesses": 1, "trustedWitnesses": [WITNESS]}
    receipts = registered(witnesses=witnesses, cosigned_size=cosigned_size)
    if verified:
        _, report = run(receipts, **options)
        assert report.verified, [c.to_dict() for c in report.errors]
    else:
        assert "cosigned by 0 of the trusted witnesses" in failure(receipts, **options)
    # without the requirement, the same receipt is enough
    assert run(receipts)[1].verified


def test_an_unresolvable_trusted_witness_is_indeterminate() -> None:
    unknown_witness = web_signer("did:web:unknown-witness.example", "unknown witness")
    options: dict[str, Any] = {
        "requiredWitnesses": 1,
        "trustedWitnesses": [unknown_witness.controller],
    }
    _, report = run(registered(witnesses=[unknown_witness]), **options)
    assert [(c.id, c.outcome) for c in report.errors] == [(CHECK, Outcome.INDETERMINATE)]
    assert unknown_witness.controller in unregistered_checks(report)[0][2]


@pytest.mark.parametrize(
    "options",
    [
        {"requiredWitnesses": 2, "trustedWitnesses": [WITNESS]},
        {"requiredWitnesses": -1},
        {"requiredWitnesses": "1", "trustedWitnesses": [WITNESS]},
        {"requiredWitnesses": 1, "trustedWitnesses": WITNESS},
        {"trustedWitnesses": ["not a DID"]},
    ],
)
def test_witness_options_that_cannot_be_met_are_refused(options: dict[str, Any]) -> None:
    graph = Homed()
    root = graph.spend("spent", graph.opening("own", 100), registered())
    with pytest.raises(InputError):
        graph.verify_with(root, **options)


def test_the_bundle_carries_the_witness_options() -> None:
    graph = Homed()
    root = graph.spend("spent", graph.opening("own", 100), registered())
    bundle = Bundle(
        graph.served,
        did_documents=DIDS,
        options={"requiredWitnesses": 1, "trustedWitnesses": [WITNESS]},
    )
    report = GraphVerifier().verify(
        root, trust_anchors=["did:example:anchor"], bundle=bundle, at=AT
    )
    assert report.failed_ids() == {CHECK}
