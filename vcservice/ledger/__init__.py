"""The mass-balance ledger's pure core: postings, the hash-chained log, Merkle proofs, signed
checkpoints and the offline audit. The accounts and entries live in the store
(``vcservice.store._ledger``); the service wires both into issuance.

Why a ledger at all: a provenance graph proves that *one* chain of credentials balances, but
the same certified tonne can be sold twice, into two graphs that each balance. The service
sees every credential its tenants issue, so it keeps one account per certified quantity and
refuses an event that would overdraw one. The log of postings is append-only and hash-chained,
its Merkle root is signed in checkpoints, and ``vcservice ledger verify`` re-checks all of it
offline, so the guard itself can be audited.
"""

from vcservice.ledger.audit import Finding, LedgerReport, StoredEntry, audit
from vcservice.ledger.checkpoint import (
    CHECKPOINT_TYP,
    Checkpoint,
    SignedCheckpoint,
    read_checkpoint,
    sign_checkpoint,
)
from vcservice.ledger.entries import GENESIS, Entry, EntryKind, chain_hash, entry_leaf, kg_text
from vcservice.ledger.errors import CheckpointError, NotAMassError
from vcservice.ledger.postings import Charge, Opening, Postings, Source, Upstream, postings_of

__all__ = [
    "CHECKPOINT_TYP",
    "GENESIS",
    "Charge",
    "Checkpoint",
    "CheckpointError",
    "Entry",
    "EntryKind",
    "Finding",
    "LedgerReport",
    "NotAMassError",
    "Opening",
    "Postings",
    "SignedCheckpoint",
    "Source",
    "StoredEntry",
    "Upstream",
    "audit",
    "chain_hash",
    "entry_leaf",
    "kg_text",
    "postings_of",
    "read_checkpoint",
    "sign_checkpoint",
]
