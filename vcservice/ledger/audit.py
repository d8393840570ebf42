"""Offline audit of a stored ledger: is it the append-only log the service signed?

Given every stored entry (in ``seq`` order), the head record and the stored signed checkpoints,
:func:`audit` checks, and reports the **first** problem it meets:

1. ``seq`` runs 1, 2, 3, … without gaps (a gap: entries *missing*);
2. each entry's content hashes, after its ``prev_hash``, to its stored hash (else *edited*);
3. each ``prev_hash`` is the previous entry's hash (else *out of order* when it is the hash of
   another stored entry, *edited* when it is nobody's: the chain was rewritten from there);
4. the head record (count + head hash, written in the same transaction as every append)
   matches the last entry, so removing the newest entries is noticed (*missing*), as are
   entries nobody recorded (*unrecorded*);
5. every stored checkpoint's signature verifies with the service key, and the entries still
   reproduce its count, head hash and Merkle root (*checkpoint*).

What it cannot catch: someone who can write the database *and* holds the vault key (which
decrypts the service's signing key) can rewrite the entries, the head record and re-sign every
checkpoint, and the result is consistent. Only checkpoints kept outside the database (by
auditors, by downstream platforms, in another log) bind the service then; an edit by someone
without the vault key is caught whenever it touches entries a stored checkpoint covers, or by
the head record otherwise. The service's public key is read from the same database, so the
audit proves consistency with *that* key; compare it with the published DID document to tie it
to the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from vcservice.keys import PublicKey
from vcservice.ledger.checkpoint import Checkpoint, read_checkpoint
from vcservice.ledger.entries import GENESIS, Entry, chain_hash, entry_leaf
from vcservice.ledger.errors import CheckpointError
from vcservice.ledger.merkle import roots_at

__all__ = ["Finding", "LedgerReport", "Problem", "StoredEntry", "audit"]

Problem = Literal["edited", "missing", "out of order", "unrecorded", "checkpoint"]


@dataclass(frozen=True)
class StoredEntry:
    seq: int
    entry: Entry
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class Finding:
    """What is wrong, at which entry (``seq`` None: not one entry, e.g. a bad signature)."""

    seq: int | None
    problem: Problem
    detail: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "ledger"
        return f"{where}: {self.problem}: {self.detail}"


@dataclass
class LedgerReport:
    count: int = 0
    head_hash: str = GENESIS
    root_hash: str = ""
    checkpoints: list[Checkpoint] = field(default_factory=list)
    finding: Finding | None = None

    @property
    def ok(self) -> bool:
        return self.finding is None


def audit(
    entries: Iterable[StoredEntry],
    head: tuple[int, str] | None,
    checkpoints: Iterable[str],
    keys: Mapping[str, PublicKey],
) -> LedgerReport:
    """Audit the ledger; ``head`` is the head record (count, head hash), ``checkpoints`` the
    stored checkpoint JWSs and ``keys`` the service's public keys by DID URL fragment."""
    rows = list(entries)
    report = LedgerReport()
    report.finding = _chain(rows, report) or _head(head, report)
    if report.finding is None:
        report.finding = _checkpoints(rows, checkpoints, keys, report)
    return report


def _chain(rows: list[StoredEntry], report: LedgerReport) -> Finding | None:
    seq_of = {row.entry_hash: row.seq for row in rows}
    prev = GENESIS
    for expected, row in enumerate(rows, start=1):
        if row.seq < expected:
            return Finding(row.seq, "out of order", "entries are not stored in seq order")
        if row.seq > expected:
            gap = str(expected) if row.seq == expected + 1 else f"{expected} to {row.seq - 1}"
            return Finding(
                expected,
                "missing",
                f"entry {gap} is not in the ledger (entry {row.seq} follows entry {expected - 1})",
            )
        if chain_hash(row.prev_hash, row.entry) != row.entry_hash:
            return Finding(row.seq, "edited", "its content no longer hashes to its entry hash")
        if row.prev_hash != prev:
            if row.prev_hash in seq_of:
                return Finding(
                    row.seq,
                    "out of order",
                    f"it was appended after entry {seq_of[row.prev_hash]}, not after entry "
                    f"{row.seq - 1}: entries were moved",
                )
            return Finding(
                row.seq,
                "edited",
                f"its prev_hash is not the hash of entry {row.seq - 1}: that entry was edited "
                "and re-hashed, or the chain was rewritten from here",
            )
        prev = row.entry_hash
    report.count, report.head_hash = len(rows), prev
    return None


def _head(head: tuple[int, str] | None, report: LedgerReport) -> Finding | None:
    if head is None:
        return Finding(None, "missing", "the head record is gone")
    count, head_hash = head
    if count > report.count:
        return Finding(
            report.count + 1,
            "missing",
            f"the head record counts {count} entries, the ledger ends at {report.count}: the "
            "newest entries were removed",
        )
    if count < report.count:
        return Finding(
            count + 1,
            "unrecorded",
            f"the head record counts {count} entries but {report.count} are stored",
        )
    if head_hash != report.head_hash:
        return Finding(
            count or None, "edited", "the head record's hash is not the last entry's hash"
        )
    return None


def _checkpoints(
    rows: list[StoredEntry],
    jwss: Iterable[str],
    keys: Mapping[str, PublicKey],
    report: LedgerReport,
) -> Finding | None:
    signed = []
    for jws in jwss:
        try:
            parsed = read_checkpoint(jws)
            key = keys.get(parsed.kid.partition("#")[2])
            if key is None:
                raise CheckpointError(f"it is signed by {parsed.kid}, not a service key")
            signed.append(parsed.verify(key))
        except CheckpointError as exc:
            return Finding(None, "checkpoint", f"a stored checkpoint is unusable: {exc.detail}")
    signed.sort(key=lambda c: c.count)
    roots = roots_at(
        (entry_leaf(row.entry_hash) for row in rows), [c.count for c in signed] + [len(rows)]
    )
    report.root_hash = roots[len(rows)].hex()
    for checkpoint in signed:
        count = checkpoint.count
        if count > len(rows):
            return Finding(
                len(rows) + 1,
                "missing",
                f"a signed checkpoint covers {count} entries, the ledger has {len(rows)}",
            )
        head = rows[count - 1].entry_hash if count else GENESIS
        if head != checkpoint.head_hash or roots[count].hex() != checkpoint.root_hash:
            return Finding(
                None,
                "checkpoint",
                f"entries 1 to {count} no longer reproduce the head and Merkle root signed in "
                f"the checkpoint of {checkpoint.issued_at}: they were rewritten",
            )
    report.checkpoints = signed
    return None
