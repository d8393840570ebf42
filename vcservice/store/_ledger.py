"""The ledger's accounts and entries: atomic debits and the append-only, hash-chained log.

This module only loads and saves rows. What a posting does (which account a debit draws on,
who may draw, origins and their settlement, refusals) is decided by the pure
:func:`vcservice.ledger.rules.post`, the function whose balances ``ledger verify`` replays
(:func:`vcservice.ledger.rules.apply`): :meth:`LedgerOps.post_ledger` loads the rows the
postings touch, under the locks below, hands them to it, and saves the entries it returns.

Concurrency. :meth:`LedgerOps.post_ledger` runs inside the issuing transaction and first locks
the one ``ledger_state`` row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite ``BEGIN
IMMEDIATE`` already makes every writer wait its turn). That lock is the ledger's single point
of serialization, and it has to be: entries are numbered 1, 2, 3, … and each one hashes the
previous, so two appends can never proceed side by side. Holding it, the transaction reads the
accounts the postings draw from or open (``FOR UPDATE`` as well, so a writer that ever skipped
the state lock would still wait) and the unsettled origins they settle, and saves each debit
the rules computed as a conditional ``UPDATE … SET balance = balance - x WHERE balance >= x``,
checking the row count: a debit can never take an account below zero, whatever the
interleaving, and the table's CHECK constraint says so once more. A debit that does not fit
raises :class:`InsufficientCreditError` and the whole issuing transaction (credential, status
entries, accounts, entries) rolls back. Issuances that post nothing never touch the lock.

Transactions that post hold the lock from their first posting to their commit, so the
service integrates concurrent postings of a process in batches, one transaction each
(:mod:`vcservice.service.sequencer`): :meth:`LedgerOps.lock_ledger` locks the row once and
reads where the log ends, each registration appends from there in a :meth:`OpsBase.savepoint`
of its own, :meth:`LedgerOps.advance_ledger` writes the head row once, and one commit ends it.

What posting refuses (each a ConflictError, 409, and nothing is written):

* a debit whose issuer does not **hold** the account (:class:`NotHolderError`): an account is
  held by whoever made the credit (a MakeEvent's issuer) or received it (a MoveEvent's
  consignee), and only the holder can pass it on;
* a debit whose source is a credential the ledger knows but which credits nothing of the
  debit's product and kind (:class:`NoMatchingAccountError`): it is not an origin;
* a served upstream credential that is another serialization (another digest) of one already
  posted, or issued here (:class:`AlreadyPostedError`): a credential is posted once, under one
  digest, whatever bytes it is served as.

Origins. A debit whose sources name no credential known here is an *origin* entry, and each of
its source digests is remembered (``ledger_origins``) until an account is opened for one of
them: that account is then opened already charged with what the origins of its holder drew,
so a credit spent before it was posted cannot be opened again in full.

Amounts are integer milligrams (see :mod:`vcservice.ledger.entries`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from vcservice.errors import InputError
from vcservice.keys import PublicKey
from vcservice.ledger import (
    Entry,
    EntryKind,
    Postings,
    StoredAccount,
    StoredCredential,
    StoredEntry,
    StoredOrigin,
    Upstream,
    chain_hash,
    entry_leaf,
    kg_text,
    merkle,
)
from vcservice.ledger.entries import account_id
from vcservice.ledger.rules import Account, Book, Credential, Origin, Posting, post
from vcservice.ledger.spent import spent_key
from vcservice.links import digest_document
from vcservice.store._engine import READONLY
from vcservice.store._errors import ConflictError, InsufficientCreditError
from vcservice.store._ops import OpsBase, rowcount
from vcservice.store._records import LedgerCheckpoint, LedgerHead, Spent
from vcservice.store._schema import (
    CredentialRow,
    LedgerAccountRow,
    LedgerCheckpointRow,
    LedgerCredentialRow,
    LedgerEntryRow,
    LedgerOriginRow,
    LedgerStateRow,
    RegisteredSpendRow,
    ServiceKeyRow,
    TenantRow,
)

_STATE_ID = 1


def _frontier(stored: list[list[Any]]) -> merkle.Frontier:
    return tuple((int(height), bytes.fromhex(str(value))) for height, value in stored)


def _frontier_json(frontier: merkle.Frontier) -> list[list[Any]]:
    return [[height, value.hex()] for height, value in frontier]


@dataclass(frozen=True)
class LedgerPosition:
    """Where the log ends: its entry count, the hash of its last entry and its Merkle
    frontier (what the next append chains to and extends)."""

    count: int
    head_hash: str
    frontier: merkle.Frontier

    def after(self, entry_hashes: Sequence[str]) -> LedgerPosition:
        """The position once entries with ``entry_hashes`` are appended here."""
        if not entry_hashes:
            return self
        leaves = [entry_leaf(h) for h in entry_hashes]
        return LedgerPosition(
            self.count + len(entry_hashes),
            entry_hashes[-1],
            merkle.extend(self.frontier, leaves),
        )


def to_stored_entry(row: LedgerEntryRow) -> StoredEntry:
    entry = Entry(
        kind=cast(EntryKind, row.kind),
        digest=row.digest,
        product=row.product,
        property_kind=row.property_kind,
        amount_mg=row.amount_mg,
        credential_id=row.credential_id,
        credential_digest=row.credential_digest,
        tenant_id=row.tenant_id,
        created_at=row.created_at,
        holder=row.holder,
        issuer=row.issuer,
        sources=None if row.sources is None else tuple(row.sources),
        settles=row.settles,
    )
    return StoredEntry(row.seq, entry, row.prev_hash, row.entry_hash)


def to_origin(row: LedgerOriginRow) -> Origin:
    """A ``ledger_origins`` row as the posting rules see it (the one reading of the row; the
    audit's :class:`StoredOrigin` adds only the settled flag)."""
    return Origin(
        row.seq,
        row.digest,
        row.product,
        row.kind,
        row.amount_mg,
        row.holder,
        row.credential_id,
        row.credential_digest,
        row.tenant_id,
    )


def to_checkpoint(row: LedgerCheckpointRow) -> LedgerCheckpoint:
    return LedgerCheckpoint(row.count, row.head_hash, row.root_hash, row.issued_at, row.jws)


class LedgerOps(OpsBase):
    def post_ledger(
        self,
        tenant_id: str,
        issuer: str,
        credential_id: str,
        credential_digest: str,
        postings: Postings,
        upstream: Sequence[Upstream] = (),
    ) -> list[int]:
        """Post one credential issued by tenant ``tenant_id`` (DID ``issuer``), after the
        ``upstream`` credentials served with it, by :func:`vcservice.ledger.rules.post`; the
        ``seq``s of its entries. Raises the ConflictErrors listed in the module docstring."""
        state = self._ledger_state(lock=True)
        credential = Credential(credential_id, issuer, credential_digest)
        now = self._now()
        book = self._book(credential, postings, upstream)
        posting = post(
            book,
            credential,
            postings,
            upstream=upstream,
            tenant_id=tenant_id,
            now=now,
            first_seq=state.count + 1,
        )
        self._save(posting, state, tenant_id, now)
        return self._append(state, posting.entries)

    def _book(
        self, credential: Credential, postings: Postings, upstream: Sequence[Upstream]
    ) -> Book:
        """Load (and lock) what posting ``credential`` after ``upstream`` reads: the accounts
        of every digest drawn on or opened, the posted credentials among those digests or
        identities, the unsettled origins of the digests opened, and which served credentials
        not posted yet were issued here (under which digest)."""
        served = [Credential(u.credential_id, u.issuer, u.digest) for u in upstream]
        charges = [c for p in (*(u.postings for u in upstream), postings) for c in p.charges]
        opening = sorted({c.digest for c in (*served, credential)})
        digests = sorted({*opening, *(source.digest for c in charges for source in c.sources)})
        identities = sorted({c.identity for c in (*served, credential)})
        accounts = self._locked_accounts(digests)
        posted = {
            row.identity: row.digest
            for row in self._session.scalars(
                select(LedgerCredentialRow).where(
                    LedgerCredentialRow.digest.in_(digests)
                    | LedgerCredentialRow.identity.in_(identities)
                )
            )
        }
        origins = self._session.scalars(
            select(LedgerOriginRow)
            .where(LedgerOriginRow.digest.in_(opening), LedgerOriginRow.settled.is_(False))
            .order_by(LedgerOriginRow.seq, LedgerOriginRow.digest)
            .with_for_update()
        )
        known = set(posted.values())
        issued_here = {  # only those the rules may ask about: not posted yet
            c.identity: digest
            for c in served
            if c.digest not in known and c.identity not in posted
            for digest in [self._issued_here(c)]
            if digest is not None
        }
        return Book(
            accounts=accounts,
            posted=posted,
            origins=[to_origin(o) for o in origins],
            issued_here=issued_here,
        )

    def _locked_accounts(self, digests: Sequence[str]) -> list[Account]:
        """The accounts of credentials ``digests``, locked for the posting (in id order, so
        concurrent postings lock in one order)."""
        rows = self._session.scalars(
            select(LedgerAccountRow)
            .where(LedgerAccountRow.digest.in_(digests))
            .order_by(LedgerAccountRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return [
            Account(a.digest, a.product, a.kind, a.holder, a.opened_mg, a.balance_mg) for a in rows
        ]

    def _issued_here(self, served: Credential) -> str | None:
        """The digest of the credential a tenant with DID ``served.issuer`` issued here under
        ``served.credential_id`` (ids are unique per tenant), if any."""
        stored = self._session.scalars(
            select(CredentialRow)
            .join(TenantRow, TenantRow.id == CredentialRow.tenant_id)
            .where(CredentialRow.id == served.credential_id, TenantRow.did == served.issuer)
            .limit(1)
        ).one_or_none()
        return None if stored is None else digest_document(stored.document)

    def _save(self, posting: Posting, state: LedgerStateRow, tenant_id: str, now: datetime) -> None:
        """Write what ``posting`` changed: the credentials posted, and for each entry its
        effect on the accounts (a credit opens one, a debit lowers a balance) and origins (an
        origin entry is remembered by each of its source digests; settled ones are marked)."""
        for credential in posting.credentials:
            self._session.add(
                LedgerCredentialRow(
                    digest=credential.digest,
                    identity=credential.identity,
                    issuer=credential.issuer,
                    credential_id=credential.credential_id,
                    tenant_id=tenant_id,
                    created_at=now,
                )
            )
        for seq, entry in enumerate(posting.entries, start=state.count + 1):
            if entry.kind == "credit":
                self._session.add(
                    LedgerAccountRow(
                        id=account_id(entry.digest, entry.product or "", entry.property_kind),
                        digest=entry.digest,
                        product=entry.product,
                        kind=entry.property_kind,
                        credential_id=entry.credential_id,
                        tenant_id=entry.tenant_id,
                        holder=entry.holder,
                        opened_mg=entry.amount_mg,
                        balance_mg=entry.amount_mg,
                        spent_key=spent_key(state.salt, entry.digest),
                        created_at=entry.created_at,
                    )
                )
            elif entry.kind == "debit":
                self._debit(entry)
            elif entry.kind == "origin":
                self._session.add_all(
                    LedgerOriginRow(
                        seq=seq,
                        digest=digest,
                        product=entry.product,
                        kind=entry.property_kind,
                        amount_mg=entry.amount_mg,
                        holder=entry.holder,
                        credential_id=entry.credential_id,
                        credential_digest=entry.credential_digest,
                        tenant_id=entry.tenant_id,
                        settled=False,
                    )
                    for digest in entry.sources or ()
                )
        if posting.settled:
            self._session.execute(
                update(LedgerOriginRow)
                .where(LedgerOriginRow.seq.in_(posting.settled))
                .values(settled=True)
                .execution_options(synchronize_session=False)
            )

    def _debit(self, entry: Entry) -> None:
        """Lower the balance the rules computed, on the condition that it covers the debit:
        the CHECK constraint and this condition hold even for a writer that skipped the lock."""
        debited = self._session.execute(
            update(LedgerAccountRow)
            .where(
                LedgerAccountRow.id
                == account_id(entry.digest, entry.product or "", entry.property_kind),
                LedgerAccountRow.balance_mg >= entry.amount_mg,
            )
            .values(balance_mg=LedgerAccountRow.balance_mg - entry.amount_mg)
            .execution_options(synchronize_session=False)
        )
        if rowcount(debited) != 1:  # pragma: no cover - the ledger_state lock is held
            raise InsufficientCreditError(
                f"the account of {entry.product} ({entry.property_kind}) of digest "
                f"{entry.digest} holds less than {kg_text(entry.amount_mg)}"
            )

    def _ledger_state(self, *, lock: bool = False) -> LedgerStateRow:
        query = select(LedgerStateRow).where(LedgerStateRow.id == _STATE_ID)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self._session.scalars(query).one_or_none()
        if row is None:
            raise RuntimeError("the ledger_state row is missing: the database is damaged")
        return row

    def _append(self, state: LedgerStateRow, entries: Sequence[Entry]) -> list[int]:
        hashes = self._insert_entries(state.count, state.head_hash, entries)
        seqs = list(range(state.count + 1, state.count + 1 + len(entries)))
        if state.frontier is not None:  # kept up to date once computed (ledger_frontier)
            leaves = [entry_leaf(h) for h in hashes]
            state.frontier = _frontier_json(merkle.extend(_frontier(state.frontier), leaves))
        if hashes:
            state.count, state.head_hash = seqs[-1], hashes[-1]
        self._session.flush()
        return seqs

    def _insert_entries(self, count: int, head_hash: str, entries: Sequence[Entry]) -> list[str]:
        """Insert ``entries`` after the log's ``count`` entries ending in ``head_hash``, each
        chained to the one before; their entry hashes. The head row is the caller's."""
        prev, seq = head_hash, count
        hashes = []
        for entry in entries:
            seq += 1
            entry_hash = chain_hash(prev, entry)
            self._session.add(
                LedgerEntryRow(
                    seq=seq,
                    kind=entry.kind,
                    digest=entry.digest,
                    product=entry.product,
                    property_kind=entry.property_kind,
                    amount_mg=entry.amount_mg,
                    credential_id=entry.credential_id,
                    credential_digest=entry.credential_digest,
                    tenant_id=entry.tenant_id,
                    created_at=entry.created_at,
                    holder=entry.holder,
                    issuer=entry.issuer,
                    sources=None if entry.sources is None else list(entry.sources),
                    settles=entry.settles,
                    prev_hash=prev,
                    entry_hash=entry_hash,
                )
            )
            hashes.append(entry_hash)
            prev = entry_hash
        return hashes

    def lock_ledger(self) -> LedgerPosition:
        """Lock the log's head row for this transaction (the ledger's one point of
        serialization) and read where the log ends: what a batch of appends starts from."""
        state = self._ledger_state(lock=True)
        return LedgerPosition(state.count, state.head_hash, self.ledger_frontier(state))

    def advance_ledger(self, position: LedgerPosition) -> None:
        """Write the head row once for a batch of appends made at the positions leading to
        ``position`` (the row is locked by :meth:`lock_ledger` in this transaction)."""
        state = self._session.get(LedgerStateRow, _STATE_ID)  # loaded by the lock: no query
        if state is None:
            raise RuntimeError("the ledger_state row is missing: the database is damaged")
        state.count, state.head_hash = position.count, position.head_hash
        state.frontier = _frontier_json(position.frontier)
        self._session.flush()

    def ledger_frontier(self, state: LedgerStateRow) -> merkle.Frontier:
        """The Merkle frontier of the log as ``state`` (locked) counts it: kept in the state
        row and extended by every append; computed from the entries the first time."""
        if state.frontier is None:
            hashes = self.ledger_hashes(state.count)
            if len(hashes) != state.count:
                raise RuntimeError("the ledger's entries do not match its head record")
            state.frontier = _frontier_json(merkle.frontier_of(entry_leaf(h) for h in hashes))
            self._session.flush()
        return _frontier(state.frontier)

    # --- reads --------------------------------------------------------------------------
    def ledger_head(self) -> LedgerHead:
        state = self._ledger_state()
        return LedgerHead(state.count, state.head_hash, state.salt)

    def ledger_entry(self, seq: int) -> StoredEntry | None:
        row = self._session.get(LedgerEntryRow, seq)
        return None if row is None else to_stored_entry(row)

    def ledger_hashes(self, count: int) -> list[str]:
        """The hashes of entries 1 to ``count``, in order."""
        return list(
            self._session.scalars(
                select(LedgerEntryRow.entry_hash)
                .where(LedgerEntryRow.seq <= count)
                .order_by(LedgerEntryRow.seq)
            )
        )

    def ledger_checkpoint(self, count: int | None = None) -> LedgerCheckpoint | None:
        """The checkpoint of ``count`` entries, or the latest one."""
        if count is not None:
            row = self._session.get(LedgerCheckpointRow, count)
        else:
            row = self._session.scalars(
                select(LedgerCheckpointRow).order_by(LedgerCheckpointRow.count.desc()).limit(1)
            ).one_or_none()
        return None if row is None else to_checkpoint(row)

    def save_checkpoint(self, checkpoint: LedgerCheckpoint) -> LedgerCheckpoint:
        """Keep ``checkpoint``, or return the one already stored for its count."""
        row = LedgerCheckpointRow(
            count=checkpoint.count,
            head_hash=checkpoint.head_hash,
            root_hash=checkpoint.root_hash,
            issued_at=checkpoint.issued_at,
            jws=checkpoint.jws,
        )
        if self._insert(row):
            return checkpoint
        stored = self.ledger_checkpoint(checkpoint.count)
        if stored is None:  # pragma: no cover - inserted and gone again within one statement
            raise ConflictError("the checkpoint could not be stored; try again")
        return stored

    def spent(self, key: str) -> Spent:
        """Whether the credit of the credential behind ``key`` is partly or wholly spent."""
        rows = self._session.execute(
            select(LedgerAccountRow.opened_mg, LedgerAccountRow.balance_mg).where(
                LedgerAccountRow.spent_key == key
            )
        ).all()
        registered = self._session.scalars(  # spent at its home by a tenant of ours
            select(RegisteredSpendRow.id).where(RegisteredSpendRow.spent_key == key).limit(1)
        ).first()
        return Spent(
            spent=registered is not None or any(balance < opened for opened, balance in rows),
            fully_spent=bool(rows) and all(balance == 0 for _, balance in rows),
        )


# --- the offline audit's view -------------------------------------------------------------
@dataclass(frozen=True)
class LedgerSnapshot:
    """Everything ``ledger verify`` checks, read in one consistent snapshot."""

    entries: list[StoredEntry]
    head: tuple[int, str] | None
    checkpoints: list[str]
    keys: dict[str, PublicKey]
    accounts: list[StoredAccount]
    origins: list[StoredOrigin]
    credentials: list[StoredCredential]
    salt: bytes | None
    frontier: list[list[Any]] | None = None


def ledger_snapshot(engine: Engine) -> LedgerSnapshot:
    """Read the ledger without the vault (only public data is needed to audit it).

    On PostgreSQL the read runs at REPEATABLE READ, so entries appended while it runs do not
    show up as entries "missing" from the head record; a SQLite read transaction is a snapshot
    already. Raises InputError when the database holds no ledger (not migrated, not ours).
    """
    options: dict[str, object] = {READONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    try:
        with Session(engine.execution_options(**options)) as session, session.begin():
            state = session.get(LedgerStateRow, _STATE_ID)
            rows = session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq))
            entries = [to_stored_entry(row) for row in rows]
            checkpoints = session.scalars(
                select(LedgerCheckpointRow.jws).order_by(LedgerCheckpointRow.count)
            )
            keys = session.scalars(select(ServiceKeyRow))
            accounts = session.scalars(select(LedgerAccountRow).order_by(LedgerAccountRow.id))
            origins = session.scalars(
                select(LedgerOriginRow).order_by(LedgerOriginRow.seq, LedgerOriginRow.digest)
            )
            posted = session.scalars(
                select(LedgerCredentialRow).order_by(LedgerCredentialRow.digest)
            )
            return LedgerSnapshot(
                entries=entries,
                head=None if state is None else (state.count, state.head_hash),
                frontier=None if state is None else state.frontier,
                checkpoints=list(checkpoints),
                keys={k.fragment: PublicKey.from_multibase(k.public_multibase) for k in keys},
                accounts=[
                    StoredAccount(
                        a.digest,
                        a.product,
                        a.kind,
                        a.holder,
                        a.opened_mg,
                        a.balance_mg,
                        row_id=a.id,
                        credential_id=a.credential_id,
                        tenant_id=a.tenant_id,
                        spent_key=a.spent_key,
                        created_at=a.created_at,
                    )
                    for a in accounts
                ],
                origins=[StoredOrigin(**asdict(to_origin(o)), settled=o.settled) for o in origins],
                credentials=[
                    StoredCredential(
                        c.digest, c.identity, c.issuer, c.credential_id, c.tenant_id, c.created_at
                    )
                    for c in posted
                ],
                salt=None if state is None else state.salt,
            )
    except DBAPIError as exc:
        raise InputError(
            f"cannot read a ledger from this database ({type(exc.orig).__name__}): is it a "
            "vcservice database, migrated to the current version?"
        ) from None
