"""The mass-balance ledger as the service shows it: checkpoints signed by the service's own
did:web, inclusion proofs, and the salted spent lookup.

Posting happens when a credential is issued (:mod:`vcservice.service.issuing`); the rules
are in :mod:`vcservice.ledger`, the rows in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vcservice.dids import did_document, did_web_for, verification_method_id
from vcservice.errors import ConsistencyError, InputError
from vcservice.keys import Signer
from vcservice.ledger import GENESIS, Checkpoint, StoredEntry, entry_leaf, merkle, sign_checkpoint
from vcservice.ledger.spent import valid_spent_key
from vcservice.service.tenants import FORMS
from vcservice.settings import Settings
from vcservice.store import LedgerCheckpoint, NotFoundError, Spent, Store


@dataclass(frozen=True)
class LedgerProof:
    """An entry, the tree it is proven in, the path to that tree's root, and the stored
    checkpoint signing that root when there is one."""

    stored: StoredEntry
    tree_size: int
    root_hash: str
    path: list[str]
    checkpoint: LedgerCheckpoint | None


@dataclass(frozen=True)
class LedgerConsistency:
    """An RFC 9162 consistency proof from the tree of ``old_size`` entries to that of
    ``new_size``, both roots, and the stored checkpoints signing them when there are some."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    path: list[str]
    old_checkpoint: LedgerCheckpoint | None
    new_checkpoint: LedgerCheckpoint | None


@dataclass(frozen=True)
class Ledger:
    store: Store
    settings: Settings
    clock: Callable[[], datetime]

    @property
    def service_did(self) -> str:
        """The service's own did:web (its document is at ``/.well-known/did.json``)."""
        return did_web_for(self.settings.public_host)

    def service_did_document(self) -> dict[str, Any]:
        keys = self.store.service_keys()
        if not keys:  # publish the key before it first signs, so the document never changes
            self.store.service_key_pair()
            keys = self.store.service_keys()
        return did_document(self.service_did, keys, forms=FORMS)

    def service_signer(self) -> Signer:
        fragment, pair = self.store.service_key_pair()
        method = verification_method_id(self.service_did, fragment, "Multikey", forms=FORMS)
        return Signer(pair, method)

    def checkpoint(self) -> LedgerCheckpoint:
        """The signed checkpoint of the ledger as it stands; signed anew only when it grew."""
        count = self.store.ledger_head().count
        latest = self.store.ledger_checkpoint()
        if latest is not None and latest.count == count:
            return latest
        hashes = self.store.ledger_hashes(count)
        if len(hashes) != count:
            raise RuntimeError("the ledger's entries do not match its head record")
        issued = self.clock().astimezone(UTC).replace(microsecond=0)
        checkpoint = Checkpoint(
            issuer=self.service_did,
            count=count,
            head_hash=hashes[-1] if hashes else GENESIS,
            root_hash=merkle.root([entry_leaf(h) for h in hashes]).hex(),
            issued_at=issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        jws = sign_checkpoint(checkpoint, self.service_signer())
        return self.store.save_checkpoint(
            LedgerCheckpoint(count, checkpoint.head_hash, checkpoint.root_hash, issued, jws)
        )

    def proof(self, seq: int, tree_size: int | None) -> LedgerProof:
        """Entry ``seq`` and its inclusion proof in the tree of ``tree_size`` entries (default:
        the current checkpoint's, so the proof comes with the signed root it leads to)."""
        checkpoint: LedgerCheckpoint | None
        if tree_size is None:
            checkpoint = self.checkpoint()
            size = checkpoint.count
        else:
            checkpoint, size = self.store.ledger_checkpoint(tree_size), tree_size
            count = self.store.ledger_head().count
            if tree_size > count:
                raise InputError(f"treeSize {tree_size} is beyond the ledger's {count} entries")
        stored = self.store.ledger_entry(seq)
        if stored is None:
            raise NotFoundError(f"the ledger has no entry {seq}")
        if seq > size:
            raise InputError(f"entry {seq} is not in the tree of the first {size} entries")
        leaves = [entry_leaf(h) for h in self.store.ledger_hashes(size)]
        return LedgerProof(
            stored,
            size,
            merkle.root(leaves).hex(),
            [h.hex() for h in merkle.inclusion_proof(seq - 1, leaves)],
            checkpoint,
        )

    def consistency(self, old_size: int, new_size: int | None) -> LedgerConsistency:
        """The proof that the first ``old_size`` entries are a prefix of the first ``new_size``
        (default: the current checkpoint's, so the new root comes signed).

        Sizes for which no proof exists (old 0 or larger than new, new beyond the ledger)
        are ConsistencyError.
        """
        new_checkpoint: LedgerCheckpoint | None
        if new_size is None:
            new_checkpoint = self.checkpoint()
            size = new_checkpoint.count
        else:
            new_checkpoint, size = self.store.ledger_checkpoint(new_size), new_size
            count = self.store.ledger_head().count
            if new_size > count:
                raise ConsistencyError(f"to {new_size} is beyond the ledger's {count} entries")
        if not 0 < old_size <= size:
            raise ConsistencyError(
                f"no consistency proof from {old_size} to {size} entries: from is at least 1 "
                "and at most to"
            )
        hashes = self.store.ledger_hashes(size)
        if len(hashes) != size:
            raise RuntimeError("the ledger's entries do not match its head record")
        leaves = [entry_leaf(h) for h in hashes]
        roots = merkle.roots_at(leaves, (old_size, size))
        return LedgerConsistency(
            old_size,
            size,
            roots[old_size].hex(),
            roots[size].hex(),
            [h.hex() for h in merkle.consistency_proof(leaves, old_size, size)],
            new_checkpoint if old_size == size else self.store.ledger_checkpoint(old_size),
            new_checkpoint,
        )

    def salt(self) -> bytes:
        return self.store.ledger_head().salt

    def spent(self, key: str) -> Spent:
        """Whether the credit behind a salted key is spent (see :mod:`vcservice.ledger.spent`).

        An unknown key answers "not spent" like a known unspent one: whether this service holds
        an account for a credential is itself something the lookup should not tell.
        """
        if not valid_spent_key(key.lower()):
            raise InputError("digest is a spent-lookup key: 64 hexadecimal digits")
        return self.store.spent(key.lower())
