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
7. replaying the entries account by account through :func:`vcservice.ledger.rules.apply`, the
   rule the store's postings computed the balances with (a credit opens, debits draw, each by
   the holder), gives exactly the stored accounts: their opened amounts, balances and
   holders, no account without a credit entry and no credit entry without its account (else
   *account*); and every other column of an account is what its credit entry says (key,
   credential, tenant, time) or what the salt makes of its digest (its spent-lookup key);
8. the remembered origins (``ledger_origins``) are exactly those the origin entries name, one
   row per source digest, each ``settled`` exactly when a debit entry settles it (else
   *origin*);
9. the posted credentials (``ledger_credentials``) are exactly those that made entries, with
   the issuer, id, tenant and time their first entry says (else *posted*).

Steps 7 to 9 make every table whose rows change what the ledger accepts or answers a function
of the hash-chained entries, so a checkpoint held outside the database covers them too: an
edit, insertion or deletion in any of them either no longer matches the entries or needs the
entries rewritten, which the checkpoint exposes. Entries written before revision 0005 carry
no ``issuer``, ``sources`` or ``settles``; for those rows the audit checks what the entries
do carry (an origin's first source, the credential, tenant and time).

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from vcservice.dids import public_key_of
from vcservice.errors import ConflictError, VCServiceError
from vcservice.keys import PublicKey
from vcservice.ledger.checkpoint import Checkpoint, read_checkpoint
from vcservice.ledger.entries import (
    GENESIS,
    Entry,
    account_id,
    chain_hash,
    credential_identity,
    entry_leaf,
    kg_text,
)
from vcservice.ledger.errors import CheckpointError
from vcservice.ledger.merkle import frontier_of, roots_at
from vcservice.ledger.rules import Account, AccountKey, Origin, apply
from vcservice.ledger.spent import spent_key

__all__ = [
    "Finding",
    "LedgerReport",
    "Problem",
    "StoredAccount",
    "StoredCredential",
    "StoredEntry",
    "StoredOrigin",
    "audit",
    "did_document_keys",
]

Problem = Literal[
    "edited",
    "missing",
    "out of order",
    "unrecorded",
    "checkpoint",
    "key",
    "account",
    "origin",
    "posted",
]


@dataclass(frozen=True)
class StoredEntry:
    seq: int
    entry: Entry
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class StoredAccount:
    """An account as stored: what the entries must replay to. The keyword fields are checked
    when given (None: not read)."""

    digest: str
    product: str
    kind: str
    holder: str
    opened_mg: int
    balance_mg: int
    row_id: str | None = None
    credential_id: str | None = None
    tenant_id: str | None = None
    spent_key: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class StoredOrigin(Origin):
    """A row of ``ledger_origins`` as stored, settled or not (the posting rules see only the
    pending ones, as :class:`~vcservice.ledger.rules.Origin`)."""

    settled: bool


@dataclass(frozen=True)
class StoredCredential:
    """A row of ``ledger_credentials``: a credential posted to the ledger."""

    digest: str
    identity: str
    issuer: str
    credential_id: str
    tenant_id: str
    created_at: datetime


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
    origins: int | None = None
    posted: int | None = None
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
    salt: bytes | None = None,
    origins: Iterable[StoredOrigin] | None = None,
    posted: Iterable[StoredCredential] | None = None,
    frontier: Sequence[Sequence[Any]] | None = None,
) -> LedgerReport:
    """Audit the ledger; ``head`` is the head record (count, head hash), ``checkpoints`` the
    stored checkpoint JWSs and ``keys`` the trusted public keys, by full DID URL (from a DID
    document) or by fragment (the database's own). ``accounts`` are the stored accounts (None:
    not audited), ``held`` checkpoint JWSs kept outside the database, and ``stored_keys`` the
    database's keys by fragment, checked against ``keys`` when those come from elsewhere.
    ``salt`` (the spent-lookup salt), ``origins`` and ``posted`` (the rows of
    ``ledger_origins`` and ``ledger_credentials``) are checked against the entries when given,
    and so is ``frontier``, the Merkle frontier kept with the head record (receipts are made
    from it: an edited one would prove entries in a tree the log does not have).
    """
    rows = list(entries)
    report = LedgerReport()
    report.finding = (
        _chain(rows, report)
        or _head(head, report)
        or (_frontier(rows, frontier) if frontier is not None else None)
        or (_stored_keys(stored_keys, keys) if stored_keys is not None else None)
    )
    if report.finding is None:
        report.finding = _checkpoints(rows, checkpoints, keys, report)
    if report.finding is None:
        report.finding = _held(rows, held, keys, report)
    if report.finding is None and accounts is not None:
        stored = list(accounts)
        report.finding = _accounts(rows, stored) or _account_rows(rows, stored, salt)
        report.accounts = len(stored)
    if report.finding is None and origins is not None:
        remembered = list(origins)
        report.finding = _origins(rows, remembered)
        report.origins = len(remembered)
    if report.finding is None and posted is not None:
        credentials = list(posted)
        report.finding = _posted(rows, credentials)
        report.posted = len(credentials)
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


def _frontier(rows: list[StoredEntry], stored: Sequence[Sequence[Any]]) -> Finding | None:
    expected = frontier_of(entry_leaf(row.entry_hash) for row in rows)
    try:
        kept = tuple((int(height), bytes.fromhex(str(value))) for height, value in stored)
    except (TypeError, ValueError):
        kept = ()
    if kept != expected:
        return Finding(
            None,
            "edited",
            "the Merkle frontier kept with the head record is not the entries' frontier: "
            "receipts made from it would prove entries in a tree the log does not have",
        )
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


def _accounts(rows: list[StoredEntry], stored: list[StoredAccount]) -> Finding | None:
    """Replay the entries through :func:`vcservice.ledger.rules.apply`, the function the
    store's postings computed the balances with, and compare with the stored accounts."""
    replayed: dict[AccountKey, Account] = {}
    for row in rows:
        try:
            account = apply(replayed, row.seq, row.entry)
        except ConflictError as refused:
            return Finding(row.seq, "account", refused.detail)
        if account is not None:
            replayed[account.key] = account
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


def _account_rows(
    rows: list[StoredEntry], stored: list[StoredAccount], salt: bytes | None
) -> Finding | None:
    """The columns of each account that the replay does not cover: its key, the credential,
    tenant and time of its credit entry, and its spent-lookup key (what ``GET /ledger/spent``
    answers by). :func:`_accounts` has matched every account to exactly one credit entry."""
    credits = {
        (r.entry.digest, r.entry.product or "", r.entry.property_kind): r
        for r in rows
        if r.entry.kind == "credit"
    }
    for kept in stored:
        row = credits[(kept.digest, kept.product, kept.kind)]
        entry = row.entry
        expected = {
            "key": account_id(kept.digest, kept.product, kept.kind),
            "credential": entry.credential_id,
            "tenant": entry.tenant_id,
            "time": entry.created_at,
            "spent-lookup key": None if salt is None else spent_key(salt, kept.digest),
        }
        actual = {
            "key": kept.row_id,
            "credential": kept.credential_id,
            "tenant": kept.tenant_id,
            "time": kept.created_at,
            "spent-lookup key": kept.spent_key,
        }
        for name, value in actual.items():
            if value is not None and expected[name] is not None and value != expected[name]:
                return Finding(
                    row.seq,
                    "account",
                    f"the account of {kept.product} ({kept.kind}) of digest {kept.digest} "
                    f"stores another {name} than its credit entry gives: the account was edited",
                )
    return None


def _origin_rows(rows: list[StoredEntry]) -> tuple[dict[tuple[int, str], Entry], set[int]]:
    """The ``ledger_origins`` rows the origin entries name, by (seq, digest), and the seqs of
    origins written before entries named all their sources (only the first is known)."""
    expected: dict[tuple[int, str], Entry] = {}
    legacy: set[int] = set()
    for row in rows:
        entry = row.entry
        if entry.kind != "origin":
            continue
        if entry.sources is None:
            legacy.add(row.seq)
            digests: tuple[str, ...] = (entry.digest,) if entry.digest else ()
        else:
            digests = entry.sources
        for digest in digests:
            expected[(row.seq, digest)] = entry
    return expected, legacy


def _origins(rows: list[StoredEntry], stored: list[StoredOrigin]) -> Finding | None:
    expected, legacy = _origin_rows(rows)
    settling = {(r.entry.settles, r.entry.digest) for r in rows if r.entry.settles is not None}
    unmarked = {  # debits written before entries named the origin they settle
        (r.entry.credential_digest, r.entry.digest)
        for r in rows
        if r.entry.kind == "debit" and r.entry.issuer is None
    }
    seen: set[tuple[int, str]] = set()
    for kept in stored:
        key = (kept.seq, kept.digest)
        entry = expected.get(key)
        if entry is None and kept.seq in legacy:
            entry = next(e for (seq, _), e in expected.items() if seq == kept.seq)
        if entry is None:
            return Finding(
                kept.seq,
                "origin",
                f"the remembered origin of digest {kept.digest} is not a source of an origin "
                "entry: it was inserted, not posted",
            )
        seen.add(key)
        if (
            kept.product,
            kept.kind,
            kept.amount_mg,
            kept.holder,
            kept.credential_id,
            kept.credential_digest,
            kept.tenant_id,
        ) != (
            entry.product,
            entry.property_kind,
            entry.amount_mg,
            entry.holder,
            entry.credential_id,
            entry.credential_digest,
            entry.tenant_id,
        ):
            return Finding(
                kept.seq,
                "origin",
                f"the remembered origin of digest {kept.digest} is not what its entry says: "
                "it was edited",
            )
        settled = key in settling
        if (
            kept.settled != settled
            and kept.amount_mg
            and not (kept.settled and (kept.credential_digest, kept.digest) in unmarked)
        ):
            state = "settled" if kept.settled else "not settled"
            return Finding(
                kept.seq,
                "origin",
                f"the origin of digest {kept.digest} is marked {state}, but "
                + ("no" if kept.settled else "a")
                + " debit entry settles it: it was edited",
            )
    for key in expected:
        if key not in seen and (key[0] not in legacy or key in settling):
            return Finding(
                key[0],
                "origin",
                f"the origin's source {key[1]} is not remembered: the row was deleted",
            )
    for seq, digest in settling:
        if seq is not None and (seq, digest) not in expected:
            return Finding(seq, "origin", f"a debit settles entry {seq}, which is no origin")
    return None


def _posted(rows: list[StoredEntry], stored: list[StoredCredential]) -> Finding | None:
    """Each posted credential is named by entries (the first of which was written when it was
    posted), and each credential that made entries is posted."""
    first: dict[str, StoredEntry] = {}
    for row in rows:
        if row.entry.tenant_id is not None:  # a registration posts no credential here
            first.setdefault(row.entry.credential_digest, row)
    seen: set[str] = set()
    for kept in stored:
        found = first.get(kept.digest)
        if found is None:
            return Finding(
                None,
                "posted",
                f"the posted credential {kept.credential_id} (digest {kept.digest}) made no "
                "entry: it was inserted, not posted",
            )
        seen.add(kept.digest)
        entry = found.entry
        issuer = entry.issuer if entry.issuer is not None else kept.issuer
        if (
            kept.credential_id,
            kept.tenant_id,
            kept.created_at,
            kept.issuer,
            kept.identity,
        ) != (
            entry.credential_id,
            entry.tenant_id,
            entry.created_at,
            issuer,
            credential_identity(issuer, entry.credential_id),
        ):
            return Finding(
                found.seq,
                "posted",
                f"the posted credential of digest {kept.digest} is not what its entries say: "
                "it was edited",
            )
    for digest, row in first.items():
        if digest not in seen:
            return Finding(
                row.seq,
                "posted",
                f"the credential {row.entry.credential_id} (digest {digest}) made entries but "
                "is not among the posted credentials: its row was deleted",
            )
    return None
