"""The ledger's accounts and entries: atomic debits and the append-only, hash-chained log.

Concurrency. :meth:`LedgerOps.post_ledger` runs inside the issuing transaction and first locks
the one ``ledger_state`` row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite ``BEGIN
IMMEDIATE`` already makes every writer wait its turn). That lock is the ledger's single point
of serialization, and it has to be: entries are numbered 1, 2, 3, … and each one hashes the
previous, so two appends can never proceed side by side. Holding it, the transaction reads the
accounts it draws from (``FOR UPDATE`` as well, so a writer that ever skipped the state lock
would still wait) and debits each with a conditional ``UPDATE … SET balance = balance - x WHERE
balance >= x``, checking the row count: a debit can never take an account below zero, whatever
the interleaving, and the table's CHECK constraint says so once more. A debit that does not fit
raises :class:`InsufficientCreditError` and the whole issuing transaction (credential, status
entries, accounts, entries) rolls back. Issuances that post nothing never touch the lock.

Transactions that post hold the lock only from their first posting to their commit: signing
happens before, so on PostgreSQL concurrent issuers of certified events queue for a few
milliseconds each, not for a signature.

Amounts are integer milligrams (see :mod:`vcservice.ledger.entries`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from vcservice.errors import InputError
from vcservice.jsonld import jcs
from vcservice.keys import PublicKey
from vcservice.ledger import (
    Charge,
    Entry,
    EntryKind,
    Opening,
    Postings,
    Source,
    StoredEntry,
    Upstream,
    chain_hash,
    kg_text,
)
from vcservice.ledger.spent import spent_key
from vcservice.store._engine import READONLY
from vcservice.store._errors import ConflictError, InsufficientCreditError
from vcservice.store._ops import OpsBase, rowcount
from vcservice.store._records import LedgerCheckpoint, LedgerHead, Spent
from vcservice.store._schema import (
    LedgerAccountRow,
    LedgerCheckpointRow,
    LedgerEntryRow,
    LedgerStateRow,
    ServiceKeyRow,
)

_STATE_ID = 1


def account_id(digest: str, product: str, kind: str) -> str:
    """The account's primary key: fixed length, whatever the length of the product URL."""
    return hashlib.sha256(jcs([digest, product, kind])).hexdigest()


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
    )
    return StoredEntry(row.seq, entry, row.prev_hash, row.entry_hash)


def to_checkpoint(row: LedgerCheckpointRow) -> LedgerCheckpoint:
    return LedgerCheckpoint(row.count, row.head_hash, row.root_hash, row.issued_at, row.jws)


@dataclass(frozen=True)
class _Draw:
    """One account charged by a debit: how much, and through which source link."""

    source: Source
    account: LedgerAccountRow
    amount_mg: int


class LedgerOps(OpsBase):
    def post_ledger(
        self,
        tenant_id: str,
        credential_id: str,
        credential_digest: str,
        postings: Postings,
        upstream: Sequence[Upstream] = (),
    ) -> list[int]:
        """Debit, open accounts and append the entries of one credential; their ``seq``s.

        ``upstream`` credentials (issued elsewhere, verified by the caller) first get accounts
        for their credits, unless their digest has accounts already: a known account is never
        opened again, or serving its credential anew would refill it. Each charge then goes to
        the first of its sources with a matching account (see :class:`~vcservice.ledger.Charge`)
        or is recorded as an origin when none has one; a charge without a product draws from
        that source's accounts of its kind in product order. Raises InsufficientCreditError
        when the accounts hold less than the charge.
        """
        state = self._ledger_state(lock=True)
        now = self._now()

        def entry(kind: EntryKind, digest: str, product: str | None, of: str, mg: int) -> Entry:
            return Entry(
                kind, digest, product, of, mg, credential_id, credential_digest, tenant_id, now
            )

        entries: list[Entry] = []
        for source in upstream:
            if self._has_accounts(source.digest):
                continue
            for opening in source.openings:
                self._open(opening, state.salt, tenant_id, source.credential_id, source.digest)
                entries.append(
                    Entry(
                        kind="credit",
                        digest=source.digest,
                        product=opening.product,
                        property_kind=opening.kind,
                        amount_mg=opening.amount_mg,
                        credential_id=source.credential_id,
                        credential_digest=source.digest,
                        tenant_id=tenant_id,
                        created_at=now,
                    )
                )
        for charge in postings.charges:
            draws = self._draws(charge)
            if draws is None:
                first = charge.sources[0].digest if charge.sources else ""
                entries.append(
                    entry("origin", first, charge.product, charge.kind, charge.amount_mg)
                )
            for draw in draws or ():
                self._debit(draw, charge)
                product = draw.account.product
                entries.append(
                    entry("debit", draw.source.digest, product, charge.kind, draw.amount_mg)
                )
        for opening in postings.openings:
            self._open(opening, state.salt, tenant_id, credential_id, credential_digest)
            entries.append(
                entry("credit", credential_digest, opening.product, opening.kind, opening.amount_mg)
            )
        return self._append(state, entries)

    def _has_accounts(self, digest: str) -> bool:
        found = self._session.scalar(
            select(LedgerAccountRow.id).where(LedgerAccountRow.digest == digest).limit(1)
        )
        return found is not None

    def _ledger_state(self, *, lock: bool = False) -> LedgerStateRow:
        query = select(LedgerStateRow).where(LedgerStateRow.id == _STATE_ID)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self._session.scalars(query).one_or_none()
        if row is None:
            raise RuntimeError("the ledger_state row is missing: the database is damaged")
        return row

    def _draws(self, charge: Charge) -> list[_Draw] | None:
        """How ``charge`` is covered, or None when no source names an account (an origin)."""
        for source in charge.sources:
            query = select(LedgerAccountRow).where(
                LedgerAccountRow.digest == source.digest, LedgerAccountRow.kind == charge.kind
            )
            if charge.product is not None:
                query = query.where(LedgerAccountRow.product == charge.product)
            accounts = list(
                self._session.scalars(
                    query.order_by(LedgerAccountRow.product)
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            )
            if accounts:
                return _cover(charge, source, accounts)
        return None

    def _debit(self, draw: _Draw, charge: Charge) -> None:
        debited = self._session.execute(
            update(LedgerAccountRow)
            .where(
                LedgerAccountRow.id == draw.account.id,
                LedgerAccountRow.balance_mg >= draw.amount_mg,
            )
            .values(balance_mg=LedgerAccountRow.balance_mg - draw.amount_mg)
            .execution_options(synchronize_session=False)
        )
        if rowcount(debited) != 1:  # only if a writer bypassed the state lock
            raise _insufficient(charge, draw.source, [draw.account])

    def _open(
        self,
        opening: Opening,
        salt: bytes,
        tenant_id: str,
        credential_id: str,
        credential_digest: str,
    ) -> None:
        row = LedgerAccountRow(
            id=account_id(credential_digest, opening.product, opening.kind),
            digest=credential_digest,
            product=opening.product,
            kind=opening.kind,
            credential_id=credential_id,
            tenant_id=tenant_id,
            opened_mg=opening.amount_mg,
            balance_mg=opening.amount_mg,
            spent_key=spent_key(salt, credential_digest),
            created_at=self._now(),
        )
        if not self._insert(row):
            raise ConflictError(
                f"the ledger already has an account for {opening.product} ({opening.kind}) "
                f"of the credential with digest {credential_digest}"
            )

    def _append(self, state: LedgerStateRow, entries: list[Entry]) -> list[int]:
        prev, seq = state.head_hash, state.count
        seqs = []
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
                    prev_hash=prev,
                    entry_hash=entry_hash,
                )
            )
            seqs.append(seq)
            prev = entry_hash
        state.count, state.head_hash = seq, prev
        self._session.flush()
        return seqs

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
        return Spent(
            spent=any(balance < opened for opened, balance in rows),
            fully_spent=bool(rows) and all(balance == 0 for _, balance in rows),
        )


def _cover(charge: Charge, source: Source, accounts: list[LedgerAccountRow]) -> list[_Draw]:
    if sum(account.balance_mg for account in accounts) < charge.amount_mg:
        raise _insufficient(charge, source, accounts)
    draws, remaining = [], charge.amount_mg
    for account in accounts:
        take = min(account.balance_mg, remaining)
        if take:
            draws.append(_Draw(source, account, take))
            remaining -= take
    return draws


def _insufficient(
    charge: Charge, source: Source, accounts: list[LedgerAccountRow]
) -> InsufficientCreditError:
    products = ", ".join(account.product for account in accounts)
    balance = sum(account.balance_mg for account in accounts)
    return InsufficientCreditError(
        f"{charge.pointer} asks for {kg_text(charge.amount_mg)} of {charge.kind} credit of "
        f"{products} from {source.url} (digest {source.digest}), which has "
        f"{kg_text(balance)} left"
    )


# --- the offline audit's view -------------------------------------------------------------
@dataclass(frozen=True)
class LedgerSnapshot:
    """Everything ``ledger verify`` checks, read in one consistent snapshot."""

    entries: list[StoredEntry]
    head: tuple[int, str] | None
    checkpoints: list[str]
    keys: dict[str, PublicKey]


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
            return LedgerSnapshot(
                entries=entries,
                head=None if state is None else (state.count, state.head_hash),
                checkpoints=list(checkpoints),
                keys={k.fragment: PublicKey.from_multibase(k.public_multibase) for k in keys},
            )
    except DBAPIError as exc:
        raise InputError(
            f"cannot read a ledger from this database ({type(exc.orig).__name__}): is it a "
            "vcservice database, migrated to the current version?"
        ) from None
