"""The federated registry's rows: registrations a home accepted, spends this service
registered at other homes, and what it keeps as a witness and as a witnessed log.

A registration is posted by :func:`vcservice.ledger.rules.register` under the ledger lock,
like any posting, so concurrent registrations and local debits of one account are
serialized: exactly one of two spends of the last tonne wins, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from vcservice.errors import AlreadyPostedError
from vcservice.ledger import Entry
from vcservice.ledger.postings import Charge
from vcservice.ledger.rules import Book, Credential, register
from vcservice.ledger.spent import spent_key
from vcservice.store._ledger import LedgerOps, LedgerPosition
from vcservice.store._schema import (
    EquivocationRow,
    LedgerAccountRow,
    LedgerCredentialRow,
    RegisteredSpendRow,
    RegistrationRow,
    WitnessedLogRow,
    WitnessSizeRow,
)

__all__ = ["Equivocation", "Registered", "RegistryOps", "WitnessedLog"]


@dataclass(frozen=True)
class Registered:
    """Debits just registered: their entries and first ``seq``, the log's position before
    them (what their receipt is computed from without reading the log) and their own entry
    hashes."""

    entries: tuple[Entry, ...]
    first_seq: int
    before: LedgerPosition
    entry_hashes: tuple[str, ...]

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.entries) - 1

    @property
    def after(self) -> LedgerPosition:
        return self.before.after(self.entry_hashes)


@dataclass(frozen=True)
class WitnessedLog:
    log: str
    count: int
    root_hash: str
    checkpoint: str


@dataclass(frozen=True)
class Equivocation:
    log: str
    first: str
    second: str
    detail: str
    found_at: datetime


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RegistryOps(LedgerOps):
    # --- as a home -----------------------------------------------------------------------
    def ledger_account_digests(self, digests: Sequence[str]) -> set[str]:
        """Which of ``digests`` (credentials) have accounts here: the credits this service
        keeps, whose debits it registers itself."""
        return set(
            self._session.scalars(
                select(LedgerAccountRow.digest).where(LedgerAccountRow.digest.in_(digests))
            )
        )

    def registration(self, identity: str) -> RegistrationRow | None:
        return self._session.get(RegistrationRow, identity)

    def registration_by_digest(self, digest: str) -> bytes | None:
        """The receipt of the registration naming credential digest ``digest``, if any."""
        return self._session.scalars(
            select(RegistrationRow.receipt)
            .where(RegistrationRow.credential_digest == digest)
            .limit(1)
        ).one_or_none()

    def register_debits(
        self,
        credential: Credential,
        charges: Sequence[Charge],
        payload_hash: str,
        at: LedgerPosition,
    ) -> Registered | bytes:
        """Register ``charges`` of ``credential`` (its digest: the registration digest) here,
        appending after ``at`` (the ledger locked by :meth:`lock_ledger`; the caller writes the
        head row once for a batch, :meth:`advance_ledger`): the entries appended, or the
        receipt already given for the same registration (idempotent). A credential that
        registered other debits before is AlreadyPostedError; the rules' refusals pass
        through, having written nothing."""
        known = self._session.get(RegistrationRow, credential.identity)
        if known is not None:
            if known.payload_hash == payload_hash:
                return known.receipt
            raise AlreadyPostedError(
                f"credential {credential.credential_id} of {credential.issuer} registered other "
                f"debits here (digest {known.credential_digest}); a credential registers once"
            )
        digests = sorted({source.digest for charge in charges for source in charge.sources})
        accounts = self._locked_accounts(digests)
        posted = {
            row.identity: row.digest
            for row in self._session.scalars(
                select(LedgerCredentialRow).where(LedgerCredentialRow.digest.in_(digests))
            )
        }
        book = Book(accounts=accounts, posted=posted)
        posting = register(book, credential, charges, now=self._now(), first_seq=at.count + 1)
        for entry in posting.entries:
            self._debit(entry)
        hashes = self._insert_entries(at.count, at.head_hash, posting.entries)
        self._session.flush()
        return Registered(posting.entries, at.count + 1, at, tuple(hashes))

    def save_registration(
        self,
        credential: Credential,
        payload_hash: str,
        registered: Registered,
        receipt: bytes,
    ) -> None:
        self._session.add(
            RegistrationRow(
                identity=credential.identity,
                credential_digest=credential.digest,
                payload_hash=payload_hash,
                first_seq=registered.first_seq,
                last_seq=registered.last_seq,
                receipt=receipt,
                created_at=self._now(),
            )
        )
        self._session.flush()

    # --- as a platform spending credits homed elsewhere ---------------------------------------
    def record_registered_spend(
        self, tenant_id: str, source_digest: str, home: str, amount_mg: int, credential_id: str
    ) -> None:
        """Remember that a tenant's credential spent credit of ``source_digest`` at ``home``,
        so that this service's spent lookup answers for it too."""
        salt = self._ledger_state().salt
        self._session.add(
            RegisteredSpendRow(
                spent_key=spent_key(salt, source_digest),
                home=home,
                amount_mg=amount_mg,
                credential_id=credential_id,
                tenant_id=tenant_id,
                created_at=self._now(),
            )
        )

    # --- as a witness ------------------------------------------------------------------------
    def witnessed_log(self, log: str, *, lock: bool = False) -> WitnessedLog | None:
        query = select(WitnessedLogRow).where(WitnessedLogRow.id == _key(log))
        if lock:
            query = query.with_for_update()
        row = self._session.scalars(query).one_or_none()
        return (
            None if row is None else WitnessedLog(row.log, row.count, row.root_hash, row.checkpoint)
        )

    def save_witnessed(self, log: str, count: int, root_hash: str, checkpoint: str) -> None:
        row = self._session.get(WitnessedLogRow, _key(log))
        if row is None:
            self._session.add(
                WitnessedLogRow(
                    id=_key(log),
                    log=log,
                    count=count,
                    root_hash=root_hash,
                    checkpoint=checkpoint,
                    cosigned_at=self._now(),
                )
            )
        else:
            row.count, row.root_hash, row.checkpoint = count, root_hash, checkpoint
            row.cosigned_at = self._now()
        self._session.flush()

    def witnessed_logs(self) -> list[WitnessedLog]:
        return [
            WitnessedLog(row.log, row.count, row.root_hash, row.checkpoint)
            for row in self._session.scalars(select(WitnessedLogRow).order_by(WitnessedLogRow.log))
        ]

    def save_equivocation(self, log: str, first: str, second: str, detail: str) -> None:
        self._session.add(
            EquivocationRow(
                log=log, first=first, second=second, detail=detail, found_at=self._now()
            )
        )
        self._session.flush()

    def equivocations(self) -> list[Equivocation]:
        return [
            Equivocation(row.log, row.first, row.second, row.detail, row.found_at)
            for row in self._session.scalars(select(EquivocationRow).order_by(EquivocationRow.id))
        ]

    # --- as a log asking witnesses -----------------------------------------------------------
    def witness_size(self, endpoint: str) -> int:
        row = self._session.get(WitnessSizeRow, _key(endpoint))
        return 0 if row is None else row.size

    def save_witness_size(self, endpoint: str, size: int) -> None:
        row = self._session.get(WitnessSizeRow, _key(endpoint))
        if row is None:
            self._session.add(WitnessSizeRow(id=_key(endpoint), endpoint=endpoint, size=size))
        else:
            row.size = size
        self._session.flush()
