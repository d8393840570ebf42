"""Offline audit of a stored ledger: is it the append-only log the service signed, and do the
accounts say what the log says?

Given every stored entry (in ``seq`` order), the head record, the stored signed checkpoints,
the service's public keys and the stored accounts, :func:`audit` checks, and reports the
**first** problem it meets:

1. ``seq`` runs 1, 2, 3, … without gaps (a gap: entries *missing*);
2. each entry's content hashes, after its ``prev_hash``, to its stored hash (else *edited*);
3. each ``prev_hash`` is the previous entry's hash (else *out of order* when it is the hash of
   another stored entry, *edited* when it is nobody's: the chain was rewritten from there);
4. the head record (count + head hash, written in the same transaction as every append)
   matches the last entry, so removing the newest entries is noticed (*missing*), as are
   entries nobody recorded (*unrecorded*);
5. every stored key is one of the trusted keys, when the trusted keys come from a DID document
   kept outside the database (else *key*);
6. every stored checkpoint's signature verifies with a trusted key, and the entries still
   reproduce its count, head hash and Merkle root (*checkpoint*); so does every checkpoint
   the auditor **holds** (kept outside the database), and a held checkpoint covering more
   entries than are stored means entries were removed (*missing*);
7. replaying the entries account by account (a credit opens, debits draw, each by the holder)
   gives exactly the stored accounts: their opened amounts, balances and holders, no account
   without a credit entry and no credit entry without its account (else *account*).

What it proves depends on what the auditor brings. From the database alone (its keys, its
checkpoints) it detects accidental damage and edits that leave the entries, head record,
checkpoints and accounts inconsistent with each other, and nothing more: someone who can write
the database can remove the newest entries, rewind the head record and delete the checkpoints
covering them, or insert a key of their own and sign forged checkpoints over a rewritten log,
and the result is consistent. Two things kept **outside** the database close that:

* a checkpoint the auditor holds (``GET /ledger/checkpoint``, kept by auditors or downstream
  platforms): the ledger must still reproduce it, so truncation and rewriting of the entries it
  covers are detected whatever the database says;
* the service's DID document (``GET /.well-known/did.json``, kept or fetched independently):
  checkpoints must then verify with its keys, so a key inserted into ``service_keys`` cannot
  vouch for forged checkpoints.

Even then, someone who holds the vault key (which decrypts the service's real signing key) and
can write the database can sign checkpoints for a rewritten log from the moment of the rewrite
on; checkpoints held from before it still bind the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from vcservice.dids import public_key_of
from vcservice.errors import VCServiceError
from vcservice.keys import PublicKey
from vcservice.ledger.checkpoint import Checkpoint, read_checkpoint
from vcservice.ledger.entries import GENESIS, Entry, chain_hash, entry_leaf, kg_text
from vcservice.ledger.errors import CheckpointError
from vcservice.ledger.merkle import roots_at

__all__ = [
    "Finding",
    "LedgerReport",
    "Problem",
    "StoredAccount",
    "StoredEntry",
    "audit",
    "did_document_keys",
]

Problem = Literal["edited", "missing", "out of order", "unrecorded", "checkpoint", "key", "account"]


@dataclass(frozen=True)
class StoredEntry:
    seq: int
    entry: Entry
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class StoredAccount:
    """An account as stored: what the entries must replay to."""

    digest: str
    product: str
    kind: str
    holder: str
    opened_mg: int
    balance_mg: int


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
    """``checkpoints``: the stored ones verified; ``held``: the auditor's own, verified;
    ``accounts``: how many stored accounts were replayed (None: accounts not audited)."""

    count: int = 0
    head_hash: str = GENESIS
    root_hash: str = ""
    checkpoints: list[Checkpoint] = field(default_factory=list)
    held: list[Checkpoint] = field(default_factory=list)
    accounts: int | None = None
    finding: Finding | None = None

    @property
    def ok(self) -> bool:
        return self.finding is None


def audit(
    entries: Iterable[StoredEntry],
    head: tuple[int, str] | None,
    checkpoints: Iterable[str],
    keys: Mapping[str, PublicKey],
    *,
    accounts: Iterable[StoredAccount] | None = None,
    held: Iterable[str] = (),
    stored_keys: Mapping[str, PublicKey] | None = None,
) -> LedgerReport:
    """Audit the ledger; ``head`` is the head record (count, head hash), ``checkpoints`` the
    stored checkpoint JWSs and ``keys`` the trusted public keys, by full DID URL (from a DID
    document) or by fragment (the database's own). ``accounts`` are the stored accounts (None:
    not audited), ``held`` checkpoint JWSs kept outside the database, and ``stored_keys`` the
    database's keys by fragment, checked against ``keys`` when those come from elsewhere."""
    rows = list(entries)
    report = LedgerReport()
    report.finding = (
        _chain(rows, report)
        or _head(head, report)
        or (_stored_keys(stored_keys, keys) if stored_keys is not None else None)
    )
    if report.finding is None:
        report.finding = _checkpoints(rows, checkpoints, keys, report)
    if report.finding is None:
        report.finding = _held(rows, held, keys, report)
    if report.finding is None and accounts is not None:
        stored = list(accounts)
        report.finding = _accounts(rows, stored)
        report.accounts = len(stored)
    return report


def did_document_keys(document: Any) -> dict[str, PublicKey]:
    """The keys a DID document lets sign assertions (checkpoints), by full DID URL.

    Raises CheckpointError when ``document`` is not a DID document with such keys.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("id"), str):
        raise CheckpointError("the DID document is not a JSON object with an id")
    did: str = document["id"]

    def full(ident: Any) -> str | None:
        if not isinstance(ident, str):
            return None
        return did + ident if ident.startswith("#") else ident

    methods = {
        full(method.get("id")): method
        for method in document.get("verificationMethod") or []
        if isinstance(method, Mapping)
    }
    keys: dict[str, PublicKey] = {}
    assertion = document.get("assertionMethod")
    for item in assertion if isinstance(assertion, list) else []:
        method = item if isinstance(item, Mapping) else methods.get(full(item))
        ident = full(method.get("id")) if isinstance(method, Mapping) else None
        if method is None or ident is None or not ident.startswith(did + "#"):
            continue
        try:
            keys[ident] = public_key_of(method)
        except VCServiceError as exc:
            raise CheckpointError(f"the DID document's key {ident} is unusable: {exc}") from None
    if not keys:
        raise CheckpointError(f"the DID document of {did} lists no assertionMethod key")
    return keys


def _key_for(kid: str, keys: Mapping[str, PublicKey]) -> PublicKey | None:
    return keys.get(kid) or keys.get(kid.partition("#")[2])


def _stored_keys(
    stored: Mapping[str, PublicKey], trusted: Mapping[str, PublicKey]
) -> Finding | None:
    published = {key.multibase for key in trusted.values()}
    for fragment, key in stored.items():
        if key.multibase not in published:
            return Finding(
                None,
                "key",
                f"the database's service key {fragment} is not in the DID document: a key was "
                "inserted or replaced, and checkpoints it signs prove nothing",
            )
    return None


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
            signed.append(_verified(jws, keys))
        except CheckpointError as exc:
            return Finding(None, "checkpoint", f"a stored checkpoint is unusable: {exc.detail}")
    finding = _reproduced(rows, signed, "a signed checkpoint", report)
    if finding is None:
        report.checkpoints = signed
    return finding


def _held(
    rows: list[StoredEntry],
    jwss: Iterable[str],
    keys: Mapping[str, PublicKey],
    report: LedgerReport,
) -> Finding | None:
    held = []
    for jws in jwss:
        try:
            held.append(_verified(jws, keys))
        except CheckpointError as exc:
            detail = f"a checkpoint you hold does not verify: {exc.detail}"
            return Finding(None, "checkpoint", detail)
    finding = _reproduced(rows, held, "a checkpoint you hold", report)
    if finding is None:
        report.held = held
    return finding


def _verified(jws: str, keys: Mapping[str, PublicKey]) -> Checkpoint:
    parsed = read_checkpoint(jws)
    key = _key_for(parsed.kid, keys)
    if key is None:
        raise CheckpointError(f"it is signed by {parsed.kid}, not a service key")
    checkpoint = parsed.verify(key)
    if checkpoint.issuer != parsed.kid.partition("#")[0]:
        raise CheckpointError(f"its issuer {checkpoint.issuer} did not sign it ({parsed.kid})")
    return checkpoint


def _reproduced(
    rows: list[StoredEntry], signed: list[Checkpoint], what: str, report: LedgerReport
) -> Finding | None:
    """Whether the entries reproduce each checkpoint (and set the report's root hash)."""
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
                f"{what} covers {count} entries, the ledger has {len(rows)}: the newest "
                "entries were removed",
            )
        head = rows[count - 1].entry_hash if count else GENESIS
        if head != checkpoint.head_hash or roots[count].hex() != checkpoint.root_hash:
            return Finding(
                None,
                "checkpoint",
                f"entries 1 to {count} no longer reproduce the head and Merkle root signed in "
                f"{what} ({checkpoint.issued_at}): they were rewritten",
            )
    return None


@dataclass
class _Replayed:
    seq: int
    holder: str
    opened_mg: int
    balance_mg: int


def _accounts(rows: list[StoredEntry], stored: list[StoredAccount]) -> Finding | None:
    replayed: dict[tuple[str, str, str], _Replayed] = {}
    for row in rows:
        entry = row.entry
        if entry.kind == "origin":
            continue
        key = (entry.digest, entry.product or "", entry.property_kind)
        account = replayed.get(key)
        if entry.kind == "credit":
            if account is not None:
                return Finding(
                    row.seq, "account", f"a second credit of the account entry {account.seq} opened"
                )
            replayed[key] = _Replayed(row.seq, entry.holder, entry.amount_mg, entry.amount_mg)
            continue
        if account is None:
            return Finding(row.seq, "account", "a debit of an account no earlier entry credits")
        if entry.holder != account.holder:
            return Finding(
                row.seq,
                "account",
                f"a debit by {entry.holder} of the account entry {account.seq} opened for "
                f"{account.holder}",
            )
        if entry.amount_mg > account.balance_mg:
            return Finding(
                row.seq,
                "account",
                f"a debit of {kg_text(entry.amount_mg)} from the account entry {account.seq} "
                f"opened, which had {kg_text(account.balance_mg)} left",
            )
        account.balance_mg -= entry.amount_mg
    by_key = {(a.digest, a.product, a.kind): a for a in stored}
    for key, replay in replayed.items():  # in the order the entries opened them
        kept = by_key.get(key)
        if kept is None:
            return Finding(
                replay.seq, "account", "the account this entry credits is not in the ledger"
            )
        if (kept.opened_mg, kept.balance_mg, kept.holder) != (
            replay.opened_mg,
            replay.balance_mg,
            replay.holder,
        ):
            return Finding(
                replay.seq,
                "account",
                f"the account of {kept.product} ({kept.kind}) of digest {kept.digest} stores "
                f"opened {kg_text(kept.opened_mg)}, balance {kg_text(kept.balance_mg)}, holder "
                f"{kept.holder}; its entries give {kg_text(replay.opened_mg)}, "
                f"{kg_text(replay.balance_mg)}, {replay.holder}: the account was edited",
            )
    for key, kept in by_key.items():
        if key not in replayed:
            return Finding(
                None,
                "account",
                f"the account of {kept.product} ({kept.kind}) of digest {kept.digest} has no "
                "credit entry: it was inserted, not posted",
            )
    return None
