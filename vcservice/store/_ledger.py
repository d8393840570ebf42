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
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from vcservice.errors import InputError
from vcservice.keys import PublicKey
from vcservice.ledger import (
    Charge,
    Entry,
    EntryKind,
    Opening,
    Postings,
    Source,
    StoredAccount,
    StoredCredential,
    StoredEntry,
    StoredOrigin,
    Upstream,
    chain_hash,
    kg_text,
)
from vcservice.ledger.entries import account_id, credential_identity
from vcservice.ledger.spent import spent_key
from vcservice.links import digest_document
from vcservice.store._engine import READONLY
from vcservice.store._errors import (
    AlreadyPostedError,
    ConflictError,
    InsufficientCreditError,
    NoMatchingAccountError,
    NotHolderError,
)
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
    ServiceKeyRow,
    TenantRow,
)

_STATE_ID = 1


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


def to_checkpoint(row: LedgerCheckpointRow) -> LedgerCheckpoint:
    return LedgerCheckpoint(row.count, row.head_hash, row.root_hash, row.issued_at, row.jws)


@dataclass(frozen=True)
class _Credential:
    """The credential making postings: its id, issuer (who draws) and digest (its accounts)."""

    credential_id: str
    issuer: str
    digest: str


@dataclass
class _Batch:
    """The entries of one issuance, in order; ``viewer`` is the requesting tenant's DID (it is
    shown an account's balance only when it holds that account)."""

    tenant_id: str
    viewer: str
    now: datetime
    salt: bytes
    first_seq: int
    entries: list[Entry] = field(default_factory=list)

    def add(
        self,
        kind: EntryKind,
        digest: str,
        product: str | None,
        property_kind: str,
        amount_mg: int,
        credential: _Credential,
        holder: str,
        tenant_id: str | None = None,
        *,
        sources: tuple[str, ...] | None = None,
        settles: int | None = None,
    ) -> int:
        """Append an entry; its ``seq``-to-be."""
        self.entries.append(
            Entry(
                kind=kind,
                digest=digest,
                product=product,
                property_kind=property_kind,
                amount_mg=amount_mg,
                credential_id=credential.credential_id,
                credential_digest=credential.digest,
                tenant_id=tenant_id or self.tenant_id,
                created_at=self.now,
                holder=holder,
                issuer=credential.issuer,
                sources=sources,
                settles=settles,
            )
        )
        return self.first_seq + len(self.entries) - 1


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
        """Post one credential issued by tenant ``tenant_id`` (DID ``issuer``); the ``seq``s of
        its entries.

        ``upstream`` credentials (issued elsewhere, verified by the caller, in an order where
        each comes after the upstream credentials it draws on) are posted first, exactly like
        a credential issued here: their debits are charged, then their credits open accounts.
        One already posted under the same digest is skipped (serving it again neither refills
        nor charges anything twice); one posted, or issued here, under another digest is
        refused (:class:`AlreadyPostedError`). Each charge goes to the first of its sources
        with an account of its kind and product (a charge without a product draws from that
        source's accounts of its kind in product order), or is an origin when no source is a
        credential known here. Raises the ConflictErrors listed in the module docstring.
        """
        state = self._ledger_state(lock=True)
        batch = _Batch(tenant_id, issuer, self._now(), state.salt, state.count + 1)
        for source in upstream:
            if not self._already_posted(source):
                posted = _Credential(source.credential_id, source.issuer, source.digest)
                self._post(batch, posted, source.postings)
        self._post(batch, _Credential(credential_id, issuer, credential_digest), postings)
        return self._append(state, batch.entries)

    def _post(self, batch: _Batch, credential: _Credential, postings: Postings) -> None:
        identity = credential_identity(credential.issuer, credential.credential_id)
        row = LedgerCredentialRow(
            digest=credential.digest,
            identity=identity,
            issuer=credential.issuer,
            credential_id=credential.credential_id,
            tenant_id=batch.tenant_id,
            created_at=batch.now,
        )
        if not self._insert(row):
            known = self._posted_as(identity)
            raise AlreadyPostedError(
                f"credential {credential.credential_id} of {credential.issuer} is already "
                f"posted to the ledger" + (f" under digest {known}" if known is not None else "")
            )
        before = len(batch.entries)
        for charge in postings.charges:
            self._charge(batch, credential, charge)
        opened = [self._open(batch, credential, opening) for opening in postings.openings]
        self._settle(batch, credential, opened)
        if not any(e.credential_digest == credential.digest for e in batch.entries[before:]):
            # Posted, yet no entry says so (it credits and draws nothing, or only 0 mg): the
            # log records it all the same, so the audit can account for its row.
            batch.add("posted", credential.digest, None, "", 0, credential, credential.issuer)

    def _already_posted(self, source: Upstream) -> bool:
        """True when ``source`` was posted under its digest (or issued here as served);
        AlreadyPostedError when it was posted or issued here under another digest."""
        if self._session.get(LedgerCredentialRow, source.digest) is not None:
            return True
        where = f"the served credential {source.credential_id} of {source.issuer}"
        known = self._posted_as(credential_identity(source.issuer, source.credential_id))
        if known is not None:
            raise AlreadyPostedError(
                f"{where} (digest {source.digest}) is another serialization of a credential "
                f"whose credits are accounted under digest {known}; link to that digest"
            )
        stored = self._session.scalars(  # ids are unique per tenant: the issuer's, if ours
            select(CredentialRow)
            .join(TenantRow, TenantRow.id == CredentialRow.tenant_id)
            .where(CredentialRow.id == source.credential_id, TenantRow.did == source.issuer)
            .limit(1)
        ).one_or_none()
        if stored is None:
            return False
        digest = digest_document(stored.document)
        if digest == source.digest:
            return True  # issued here and posted then (if it posts anything at all)
        raise AlreadyPostedError(
            f"{where} (digest {source.digest}) was issued here, where its credits are "
            f"accounted under digest {digest}; link to that digest"
        )

    def _posted_as(self, identity: str) -> str | None:
        return self._session.scalar(
            select(LedgerCredentialRow.digest).where(LedgerCredentialRow.identity == identity)
        )

    def _ledger_state(self, *, lock: bool = False) -> LedgerStateRow:
        query = select(LedgerStateRow).where(LedgerStateRow.id == _STATE_ID)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self._session.scalars(query).one_or_none()
        if row is None:
            raise RuntimeError("the ledger_state row is missing: the database is damaged")
        return row

    def _accounts(self, digest: str) -> list[LedgerAccountRow]:
        """The accounts of a credential digest, locked, in (product, kind) order."""
        return list(
            self._session.scalars(
                select(LedgerAccountRow)
                .where(LedgerAccountRow.digest == digest)
                .order_by(LedgerAccountRow.product, LedgerAccountRow.kind)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )

    def _charge(self, batch: _Batch, credential: _Credential, charge: Charge) -> None:
        known: Source | None = None
        for source in charge.sources:
            accounts = self._accounts(source.digest)
            fitting = [
                account
                for account in accounts
                if account.kind == charge.kind
                and (charge.product is None or account.product == charge.product)
            ]
            if fitting:
                self._draw(batch, credential, charge, source, fitting)
                return
            if known is None and (
                accounts or self._session.get(LedgerCredentialRow, source.digest) is not None
            ):
                known = source
        if known is not None:
            product = "any product" if charge.product is None else charge.product
            raise NoMatchingAccountError(
                f"{charge.pointer} draws {charge.kind} credit of {product} from {known.url} "
                f"(digest {known.digest}), a credential the ledger knows, which credits none "
                "of that product and kind: name the product and property kind its credit was "
                "made for"
            )
        self._origin(batch, credential, charge)

    def _draw(
        self,
        batch: _Batch,
        credential: _Credential,
        charge: Charge,
        source: Source,
        accounts: list[LedgerAccountRow],
    ) -> None:
        if any(account.holder != credential.issuer for account in accounts):
            raise NotHolderError(
                f"{charge.pointer} draws {charge.kind} credit from {source.url} (digest "
                f"{source.digest}), which {credential.issuer} does not hold: only the holder of "
                "a credit (whoever made it, or the consignee it was moved to) can pass it on"
            )
        if sum(account.balance_mg for account in accounts) < charge.amount_mg:
            raise _insufficient(charge, source, accounts, batch.viewer)
        remaining = charge.amount_mg
        for account in accounts:
            take = min(account.balance_mg, remaining)
            if not take:
                continue
            if not self._debit(account, take):  # only if a writer bypassed the state lock
                raise _insufficient(charge, source, [account], batch.viewer)
            remaining -= take
            batch.add(
                "debit",
                source.digest,
                account.product,
                charge.kind,
                take,
                credential,
                account.holder,
            )

    def _origin(self, batch: _Batch, credential: _Credential, charge: Charge) -> None:
        first = charge.sources[0].digest if charge.sources else ""
        digests = tuple(dict.fromkeys(source.digest for source in charge.sources))
        seq = batch.add(
            "origin",
            first,
            charge.product,
            charge.kind,
            charge.amount_mg,
            credential,
            credential.issuer,
            sources=digests,
        )
        for digest in digests:
            self._session.add(
                LedgerOriginRow(
                    seq=seq,
                    digest=digest,
                    product=charge.product,
                    kind=charge.kind,
                    amount_mg=charge.amount_mg,
                    holder=credential.issuer,
                    credential_id=credential.credential_id,
                    credential_digest=credential.digest,
                    tenant_id=batch.tenant_id,
                    settled=False,
                )
            )

    def _debit(self, account: LedgerAccountRow, amount_mg: int) -> bool:
        debited = self._session.execute(
            update(LedgerAccountRow)
            .where(LedgerAccountRow.id == account.id, LedgerAccountRow.balance_mg >= amount_mg)
            .values(balance_mg=LedgerAccountRow.balance_mg - amount_mg)
            .execution_options(synchronize_session=False)
        )
        if rowcount(debited) != 1:
            return False
        set_committed_value(account, "balance_mg", account.balance_mg - amount_mg)
        return True

    def _open(self, batch: _Batch, credential: _Credential, opening: Opening) -> LedgerAccountRow:
        holder = opening.holder or credential.issuer
        row = LedgerAccountRow(
            id=account_id(credential.digest, opening.product, opening.kind),
            digest=credential.digest,
            product=opening.product,
            kind=opening.kind,
            credential_id=credential.credential_id,
            tenant_id=batch.tenant_id,
            holder=holder,
            opened_mg=opening.amount_mg,
            balance_mg=opening.amount_mg,
            spent_key=spent_key(batch.salt, credential.digest),
            created_at=batch.now,
        )
        if not self._insert(row):
            raise ConflictError(
                f"the ledger already has an account for {opening.product} ({opening.kind}) "
                f"of the credential with digest {credential.digest}"
            )
        batch.add(
            "credit",
            credential.digest,
            opening.product,
            opening.kind,
            opening.amount_mg,
            credential,
            holder,
        )
        return row

    def _settle(
        self, batch: _Batch, credential: _Credential, opened: list[LedgerAccountRow]
    ) -> None:
        """Charge the accounts just opened with the origins that drew on their credential
        before it was posted: those of the accounts' holder, of their kind, and of their product
        (or of none). Origins of anyone else never drew on a credit they could not hold."""
        if not opened:
            return
        pending = self._session.scalars(
            select(LedgerOriginRow)
            .where(
                LedgerOriginRow.digest == credential.digest,
                LedgerOriginRow.settled.is_(False),
                LedgerOriginRow.kind.in_({account.kind for account in opened}),
            )
            .order_by(LedgerOriginRow.seq)
            .with_for_update()
        )
        ordered = sorted(opened, key=lambda account: (account.product, account.kind))
        for origin in list(pending):
            accounts = [
                account
                for account in ordered
                if account.kind == origin.kind
                and account.holder == origin.holder
                and (origin.product is None or account.product == origin.product)
            ]
            if not accounts:
                continue
            if sum(account.balance_mg for account in accounts) < origin.amount_mg:
                raise _overdrawn_by_origins(credential, accounts, batch.viewer)
            drawn_by = _Credential(origin.credential_id, origin.holder, origin.credential_digest)
            remaining = origin.amount_mg
            for account in accounts:
                take = min(account.balance_mg, remaining)
                if not take:
                    continue
                if not self._debit(account, take):  # pragma: no cover - the lock is held
                    raise _overdrawn_by_origins(credential, accounts, batch.viewer)
                remaining -= take
                batch.add(
                    "debit",
                    credential.digest,
                    account.product,
                    origin.kind,
                    take,
                    drawn_by,
                    account.holder,
                    tenant_id=origin.tenant_id,
                    settles=origin.seq,
                )
            self._session.execute(
                update(LedgerOriginRow)
                .where(LedgerOriginRow.seq == origin.seq)
                .values(settled=True)
                .execution_options(synchronize_session=False)
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
                    holder=entry.holder,
                    issuer=entry.issuer,
                    sources=None if entry.sources is None else list(entry.sources),
                    settles=entry.settles,
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


def _insufficient(
    charge: Charge, source: Source, accounts: list[LedgerAccountRow], viewer: str
) -> InsufficientCreditError:
    """The refusal of an overdraft; the balance is named only to the accounts' holder."""
    products = ", ".join(account.product for account in accounts)
    if all(account.holder == viewer for account in accounts):
        left = f"which has {kg_text(sum(account.balance_mg for account in accounts))} left"
    else:
        left = "which holds less than that"
    return InsufficientCreditError(
        f"{charge.pointer} asks for {kg_text(charge.amount_mg)} of {charge.kind} credit of "
        f"{products} from {source.url} (digest {source.digest}), {left}"
    )


def _overdrawn_by_origins(
    credential: _Credential, accounts: list[LedgerAccountRow], viewer: str
) -> InsufficientCreditError:
    products = ", ".join(account.product for account in accounts)
    detail = (
        f"the credit of {products} ({accounts[0].kind}) of credential "
        f"{credential.credential_id} (digest {credential.digest}) was drawn on before it was "
        "posted here, by credentials that named it as a source (origin entries), and they drew "
        "more than it credits"
    )
    if all(account.holder == viewer for account in accounts):
        detail += f": {kg_text(sum(account.balance_mg for account in accounts))} left to draw"
    return InsufficientCreditError(detail)


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
                origins=[
                    StoredOrigin(
                        o.seq,
                        o.digest,
                        o.product,
                        o.kind,
                        o.amount_mg,
                        o.holder,
                        o.credential_id,
                        o.credential_digest,
                        o.tenant_id,
                        o.settled,
                    )
                    for o in origins
                ],
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
