"""The mass-balance ledger's pure core: postings, the posting rules (``rules``: accounts and
postings in, entries or a refusal out), the hash-chained log, Merkle proofs, signed
checkpoints and the offline audit. The accounts and entries live in the store
(``vcservice.store._ledger``), which loads and saves their rows around ``rules.post``; the
audit replays the entries through the same rules; the service wires both into issuance.

Why a ledger at all: a provenance graph proves that *one* chain of credentials balances, but
the same certified tonne can be sold twice, into two graphs that each balance. The service
sees every credential its tenants issue, so it keeps one account per certified quantity, held
by whoever made or received it, and refuses an event that would overdraw one or that draws on
an account its issuer does not hold. The log of postings is append-only and hash-chained,
its Merkle root is signed in checkpoints, and ``vcservice ledger verify`` re-checks all of it
offline, so the guard itself can be audited.
"""

from vcservice.ledger.audit import (
    Finding,
    LedgerReport,
    StoredAccount,
    StoredCredential,
    StoredEntry,
    StoredOrigin,
    audit,
    did_document_keys,
)
from vcservice.ledger.checkpoint import (
    CHECKPOINT_TYP,
    Checkpoint,
    SignedCheckpoint,
    check_consistency,
    read_checkpoint,
    sign_checkpoint,
)
from vcservice.ledger.entries import GENESIS, Entry, EntryKind, chain_hash, entry_leaf, kg_text
from vcservice.ledger.errors import (
    CheckpointError,
    ConsistencyError,
    LedgerLimitError,
    NotAMassError,
    UnbalanceableError,
    UnreadableSourceError,
)
from vcservice.ledger.postings import (
    Charge,
    Opening,
    Postings,
    Source,
    Upstream,
    postings_of,
    source_of,
)

__all__ = [
    "CHECKPOINT_TYP",
    "GENESIS",
    "Charge",
    "Checkpoint",
    "CheckpointError",
    "ConsistencyError",
    "Entry",
    "EntryKind",
    "Finding",
    "LedgerLimitError",
    "LedgerReport",
    "NotAMassError",
    "Opening",
    "Postings",
    "SignedCheckpoint",
    "Source",
    "StoredAccount",
    "StoredCredential",
    "StoredEntry",
    "StoredOrigin",
    "UnbalanceableError",
    "UnreadableSourceError",
    "Upstream",
    "audit",
    "chain_hash",
    "check_consistency",
    "did_document_keys",
    "entry_leaf",
    "kg_text",
    "postings_of",
    "read_checkpoint",
    "sign_checkpoint",
    "source_of",
]
