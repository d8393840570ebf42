"""Receipt verification per debit in a 1,000-credential graph (issue 15).

The graph benchmark's credentials (:mod:`bench.graphs`) are ``Product`` credentials: they link
upstream but debit nothing. Here the same *chains* shape (the root over straight chains of at
most :data:`bench.graphs.CHAIN_SEGMENT`) is built of mass-balance events instead, so that
every link is a debit:

* each chain's lowest credential opens a credit (a crediting ``MoveEvent`` of
  :data:`TONNES` of one product, drawing on nothing);
* every other chain member moves that whole credit on, drawing it from the credential below
  (one debit of the account the one below opened, and a new account of its own);
* the root is a ``ClaimEvent`` retiring :data:`RETIRED` from each chain's head (one debit per
  chain, one receipt for all of them, as a home answers one registration);
* every credit cites one attestation (``attestedBy``), the graph's last credential.

It is built twice, with the same signer, ids and amounts: **homed**, every event naming a home
registry (``creditRegistry``) and every debiting credential carrying the home's receipt
(``creditReceipt``), and **unhomed**, naming no home and carrying nothing (its debits need no
receipt: ``massbalance.unregistered`` has nothing to judge). The receipts come from the pure
core, as a home makes them: one in-memory hash-chained log (:class:`HomeLog`) to which each
debiting credential's entries are appended, upstream first, and a COSE receipt
(:func:`vcservice.registry.make_receipt`) signed over the log as it then stood; the home's
DID document (a ``did:web`` with its key) is among the bundle's DID documents.

The cost of the receipt checks is the homed graph's verification time minus the unhomed one's
(runs interleaved, medians), per debit; its ratio to the homed graph's verification time per
credential is the target. Beside it, the receipts alone (decode, read with every inclusion
proof recomputed, signature checked against the resolved key) are timed in a loop: the floor
of that difference.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from bench import graphs
from bench._timing import Timing, measure
from bench.fixtures import AT, CLOCK, UNTP_CONTEXT, signer
from bench.report import Results, ms
from vcservice.dids import StaticResolver
from vcservice.dids import did_document as vc_did_document
from vcservice.graph import Bundle, GraphLimits, GraphVerifier
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader, jcs
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import GENESIS, entry_leaf, merkle
from vcservice.links import digest_document
from vcservice.registry import (
    HOME_PROPERTY,
    RECEIPT_PROPERTY,
    decode_receipt_text,
    encode_receipt_text,
    make_receipt,
    read_receipt,
    registration_digest,
    verify_receipt,
)
from vcservice.securing.jose import envelope, issue_vc_jwt

BASE = "https://credentials.example.org/bench/ledger/"
CONTEXT = [*UNTP_CONTEXT, "https://w3id.org/critical-minerals/v1"]
KIND = "responsibleSourcing"
PRODUCT = "https://id.example.org/products/copper-cathode"
#: Each chain's credit, moved on whole link by link; the root retires a little of each.
TONNES = 100.0
RETIRED = 1.0
HOME_DID = "did:web:registry.bench.example"
HOME_ENDPOINT = "https://registry.bench.example/registry"
#: When the home signed its receipts (before :data:`bench.fixtures.AT`, the verification time).
SIGNED_AT = CLOCK


def home_signer() -> Signer:
    """The home registry's key (fixed), under its did:web."""
    key = KeyPair.from_secret(
        KeyType.ED25519, hashlib.sha256(b"vcservice bench home registry").digest()
    )
    return Signer(key, f"{HOME_DID}#key-1")


def did_document(by: Signer) -> dict[str, Any]:
    """The signer's did:web document, as the service writes its own (Multikey, every
    relationship): by's verification method is ``<did>#key-1``."""
    fragment = by.verification_method.split("#", 1)[1]
    return vc_did_document(by.controller, [(fragment, by.key.public)])


class HomeLog:
    """A home registry's ledger as far as receipts need it: hash-chained entries (after a few
    unrelated ones, so no proof is trivial) and receipts of some of them over the whole log."""

    def __init__(self, home: Signer) -> None:
        self.home = home
        self.prevs: list[str] = []
        self.entries: list[bytes] = []
        self.hashes: list[str] = []
        self.leaves: list[bytes] = []
        for n in range(3):
            self.append({"kind": "posted", "credentialId": f"urn:unrelated:{n}"})

    def append(self, content: dict[str, Any]) -> int:
        """Append an entry; its sequence number (1-based)."""
        prev = self.hashes[-1] if self.hashes else GENESIS
        data = jcs(content)
        entry_hash = hashlib.sha256(bytes.fromhex(prev) + data).hexdigest()
        self.prevs.append(prev)
        self.entries.append(data)
        self.hashes.append(entry_hash)
        self.leaves.append(entry_leaf(entry_hash))
        return len(self.entries)

    def receipt(self, seqs: list[int]) -> str:
        """The home's receipt of entries ``seqs`` over the log as it stands, as carried."""
        root = merkle.root(self.leaves)
        proven = [
            (
                seq,
                self.prevs[seq - 1],
                self.entries[seq - 1],
                merkle.inclusion_proof(seq - 1, self.leaves),
            )
            for seq in seqs
        ]
        data = make_receipt(self.home, SIGNED_AT, len(self.leaves), root, proven)
        return encode_receipt_text(data)


@dataclass(frozen=True)
class LedgerGraph:
    """A mass-balance graph: ``documents`` URL → served vc+jwt; ``receipts`` the
    ``creditReceipt`` texts its credentials carry (none when unhomed)."""

    homed: bool
    size: int
    debits: int
    documents: dict[str, Any]
    did_documents: dict[str, Any]
    receipts: list[str]
    #: The debiting credentials as signed (what a verifier digests to bind their receipts).
    drawers: list[dict[str, Any]]
    signing_s: float

    @property
    def root(self) -> str:
        return f"{BASE}e0"

    def bundle(self) -> Bundle:
        return Bundle(self.documents, did_documents=self.did_documents)


def _credit(tonnes: float, attestation: dict[str, Any]) -> dict[str, Any]:
    return {
        "propertyKind": KIND,
        "creditQuantity": {"value": tonnes, "unit": "TNE"},
        "attestedBy": [attestation],
    }


def _debit_entry(
    account: str, credential: tuple[str, str], tonnes: float, holder: str
) -> dict[str, Any]:
    """A debit entry as a home writes it for a registration (no tenant)."""
    credential_id, credential_digest = credential
    return {
        "kind": "debit",
        "account": {
            "credentialDigest": account,
            "product": PRODUCT,
            "propertyKind": KIND,
            "holder": holder,
        },
        "amountMg": str(round(tonnes * 1e9)),
        "credentialId": credential_id,
        "credentialDigest": credential_digest,
        "createdAt": "2025-12-01T00:00:00.000000Z",
        "issuer": holder,
    }


def _link(url: str, served: Any) -> dict[str, Any]:
    return {
        "linkURL": url,
        "linkName": "upstream",
        "mediaType": "application/vc+jwt",
        "digestMultibase": digest_document(served),
    }


def _event(index: int, sources: list[dict[str, Any]], attestation: dict[str, Any],
           holder: str) -> dict[str, Any]:  # fmt: skip
    """Event ``index``: the root's claim, a move drawing on the one below, or an opening."""
    if index == 0:
        return {
            "type": ["ModifyEvent", "ClaimEvent"],
            "id": f"urn:example:bench:event:{index}",
            "modifiedProduct": [{"product": {"id": f"{PRODUCT}/claimed", "name": "claimed"}}],
            "retiredCredit": [
                dict(_credit(RETIRED, attestation), sourceCredential=[source]) for source in sources
            ],
        }
    product: dict[str, Any] = {
        "id": PRODUCT,
        "name": "Copper cathode",
        "certifiedProperty": [_credit(TONNES, attestation)],
    }
    if sources:
        product["sourceCredential"] = sources
    return {
        "type": ["MoveEvent"],
        "id": f"urn:example:bench:event:{index}",
        "transferKind": "credit",
        "relatedParty": [{"role": ["consignor"], "party": {"id": holder, "name": "holder"}}],
        "movedProduct": [{"product": product}],
    }


def build(size: int, *, homed: bool) -> LedgerGraph:
    """``size`` credentials: ``size - 1`` events in the chains shape and the attestation."""
    started = time.monotonic()
    by = signer(KeyType.ED25519, "ledger graph")
    holder = by.controller
    home = home_signer()
    log = HomeLog(home)
    documents: dict[str, Any] = {}
    receipts: list[str] = []
    drawers: list[dict[str, Any]] = []

    def issue(url: str, document: dict[str, Any], checked: bool = False) -> Any:
        if checked:  # the data model once per shape; the rest with the same securing call
            served = issue_credential(
                document, by, "vc+jwt", loader=bundled_loader(), clock=lambda: CLOCK
            )
        else:
            served = envelope(issue_vc_jwt(document, by))
        documents[url] = served
        return served

    def credential(index: int, subject: dict[str, Any]) -> dict[str, Any]:
        return {
            "@context": CONTEXT,
            "type": ["VerifiableCredential"],
            "id": f"urn:example:bench:ledger:{index}",
            "issuer": holder,
            "validFrom": "2025-06-01T00:00:00Z",
            "credentialSubject": subject,
        }

    attestation_url = f"{BASE}attestation"
    attestation = issue(
        attestation_url,
        credential(
            -1, {"type": ["ChainOfCustodyCertificate"], "id": "urn:coc:bench", "name": "CoC"}
        ),
        checked=True,
    )
    attestation_link = _link(attestation_url, attestation)
    links = graphs.children("chains", size - 1)
    served: dict[int, Any] = {}
    debits = 0
    for index in reversed(range(size - 1)):  # upstream (higher index) first
        sources = [_link(f"{BASE}e{c}", served[c]) for c in links[index]]
        subject = _event(index, sources, attestation_link, holder)
        if homed and index != 0:
            subject[HOME_PROPERTY] = {"id": HOME_DID, "serviceEndpoint": HOME_ENDPOINT}
        document = credential(index, subject)
        debits += len(sources)
        if homed and sources:
            registered = (str(document["id"]), registration_digest(document))
            amount = RETIRED if index == 0 else TONNES
            seqs = [
                log.append(_debit_entry(s["digestMultibase"], registered, amount, holder))
                for s in sources
            ]
            text = log.receipt(seqs)
            subject[RECEIPT_PROPERTY] = [text]
            receipts.append(text)
        if sources:
            drawers.append(document)
        served[index] = issue(f"{BASE}e{index}", document, checked=index == size - 2)
    return LedgerGraph(
        homed=homed,
        size=size,
        debits=debits,
        documents=documents,
        did_documents={HOME_DID: did_document(home)},
        receipts=receipts,
        drawers=drawers,
        signing_s=time.monotonic() - started,
    )


def verify(graph: LedgerGraph) -> Any:
    verifier = GraphVerifier(limits=GraphLimits(max_nodes=max(5000, graph.size + 1)))
    return verifier.verify(graph.root, trust_anchors=[], bundle=graph.bundle(), at=AT)


def checked(graph: LedgerGraph, report: Any) -> dict[str, int]:
    """Raise unless the graph verified whole, with every debit judged as expected; the
    ``massbalance.unregistered`` outcomes counted."""
    outcomes: dict[str, int] = {}
    for check in report.checks.checks:
        if check.id == "massbalance.unregistered":
            outcomes[check.outcome.value] = outcomes.get(check.outcome.value, 0) + 1
    expected = {"passed": graph.debits} if graph.homed else {}
    if not report.verified or len(report.nodes) != graph.size or outcomes != expected:
        errors = [c.to_dict() for c in report.errors][:5]
        raise RuntimeError(
            f"{'homed' if graph.homed else 'unhomed'} ledger graph of {graph.size} does not "
            f"verify as expected ({len(report.nodes)} nodes, registrations {outcomes}): {errors}"
        )
    return outcomes


def _receipts_alone(graph: LedgerGraph) -> None:
    resolver = StaticResolver(graph.did_documents)
    for text in graph.receipts:
        verify_receipt(read_receipt(decode_receipt_text(text)), resolver)


def _digests_alone(graph: LedgerGraph) -> None:
    for document in graph.drawers:
        registration_digest(document)


@dataclass(frozen=True)
class ReceiptBudget:
    size: int
    #: Timed verifications of each graph (interleaved), after one warm-up each.
    runs: int
    #: Timed passes over every receipt of the graph, alone.
    alone_runs: int = 5


def run(results: Results, budget: ReceiptBudget) -> None:
    table = results.table(
        f"Receipt verification per debit ({budget.size:,}-credential mass-balance graph, "
        "vc+jwt, offline bundle, GraphVerifier.verify)",
        "graph",
        "credentials",
        "debits",
        "receipts",
        "verify (median)",
        "per credential",
        "runs",
    )
    homed = build(budget.size, homed=True)
    unhomed = build(budget.size, homed=False)
    timings: dict[bool, list[float]] = {True: [], False: []}
    for graph in (unhomed, homed):  # warm-up, and the reports checked
        checked(graph, verify(graph))
    for _ in range(budget.runs):  # interleaved: a busy moment costs both sides alike
        for graph in (unhomed, homed):
            start = time.perf_counter_ns()
            verify(graph)
            timings[graph.homed].append((time.perf_counter_ns() - start) / 1e9)
    with_receipts, without = Timing.of(timings[True]), Timing.of(timings[False])
    alone = measure(lambda: _receipts_alone(homed), runs=budget.alone_runs, warmup=1)
    digests = measure(lambda: _digests_alone(homed), runs=budget.alone_runs, warmup=1)
    per_debit = (with_receipts.median - without.median) / homed.debits
    per_credential = with_receipts.median / homed.size
    results.figures["receipts.graph"] = {
        "size": homed.size,
        "debits": homed.debits,
        "receipts": len(homed.receipts),
        "with_receipts": with_receipts.to_dict(),
        "without_receipts": without.to_dict(),
        "per_debit_s": per_debit,
        "per_credential_s": per_credential,
        "ratio": per_debit / per_credential,
        "receipts_alone": alone.to_dict(),
        "receipts_alone_per_debit_s": alone.median / homed.debits,
        "registration_digests_alone": digests.to_dict(),
        "registration_digests_alone_per_debit_s": digests.median / homed.debits,
        "signing_s": {"homed": homed.signing_s, "unhomed": unhomed.signing_s},
    }
    for graph, timing in ((unhomed, without), (homed, with_receipts)):
        table.add(
            "homed, each debit with its receipt" if graph.homed else "unhomed, no receipts",
            f"{graph.size:,}",
            f"{graph.debits:,}",
            len(graph.receipts),
            ms(timing.median),
            ms(timing.median / graph.size),
            timing.runs,
        )
    table.notes.append(
        f"Receipt checks: {ms(per_debit)} per debit (homed − unhomed medians, over "
        f"{homed.debits:,} debits) = {per_debit / per_credential:.0%} of the homed graph's "
        f"verification per credential ({ms(per_credential)}). The receipts alone (decode, "
        f"inclusion proofs, COSE signature), in a loop: {ms(alone.median / homed.debits)} per "
        "debit; the registration digests a verifier recomputes to bind them to the debiting "
        f"credentials (RFC 8785 JCS + SHA-256), alone: {ms(digests.median / homed.debits)} per "
        "debit. Shape: the root claim over straight chains of ≤ "
        f"{graphs.CHAIN_SEGMENT} moves of one credit, each drawing on the one below; runs "
        "interleaved."
    )
