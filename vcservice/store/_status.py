"""Bitstring Status Lists: slots from a counter, indexes from a secret permutation, bit flips.

A tenant has at most one open (not ``full``) list per purpose, enforced by a partial unique
index: a list is opened with ``INSERT ... ON CONFLICT DO NOTHING``, so issuers racing to open
the first list (or the successor of a full one) all end up in the same one.

Slots are reserved with one statement, ``UPDATE status_lists SET next_slot = next_slot + n,
full = (next_slot + n >= length) WHERE tenant, purpose AND NOT full RETURNING ...``: the row
lock lasts only as long as the reserving transaction, no row is read and written back, and
nothing is ever retried because of a collision. Slot ``s`` is index ``permute(slot_key, s,
length)``, a keyed bijection (``_permute``), so indexes are distinct by construction and the
order of issuing does not show in them. The reservation that passes ``length`` gets the slots
left and marks the list full; the next one opens a successor. ``Store.allocate_status`` reserves
blocks in a short transaction of their own and hands them out from a cache (``_slots``).

No allocation row exists until a credential is saved: ``save_credential`` inserts the
``(list_id, idx)`` row (primary key: the last line of defence against reuse) after checking
that the list is the tenant's, of that purpose, and that the index is a slot already reserved.
A reserved slot that no credential claims (the issue was refused, the process stopped) stays a
gap: never handed out again, its bit stays 0, which the Bitstring Status List allows.

Setting a bit locks the list's row (``FOR NO KEY UPDATE`` on PostgreSQL) and bumps ``version``;
setting a bit to the value it has is a no-op, so it does not force a re-signing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vcservice.errors import InputError
from vcservice.store._bits import get_bit, with_bit
from vcservice.store._errors import ConflictError, NotFoundError
from vcservice.store._ops import OpsBase, rowcount
from vcservice.store._permute import permute, unpermute
from vcservice.store._records import CredentialStatus, StatusAllocation, StatusList
from vcservice.store._schema import CredentialRow, StatusAllocationRow, StatusListRow

DEFAULT_LENGTH = 131072  # the Bitstring Status List minimum (16 KiB) for herd privacy
MAX_LENGTH = 1 << 24
MAX_RESERVATION = 4096
_KEY_BYTES = 32
_ALLOCATIONS = cast(Table, StatusAllocationRow.__table__)
# Each round either reserves or opens a list (someone else's successor counts): a round is lost
# only to another reservation that filled the list meanwhile, so this is never reached in practice.
_ROUNDS = 16


def to_status_list(row: StatusListRow) -> StatusList:
    return StatusList(
        id=row.id,
        tenant_id=row.tenant_id,
        purpose=row.purpose,
        length=row.length,
        bits=row.bits,
        version=row.version,
        signed=row.signed,
        signed_version=row.signed_version,
    )


def check_request(purpose: str, length: int) -> None:
    """InputError unless ``purpose`` and ``length`` (of lists opened for it) are acceptable."""
    if not purpose or len(purpose) > 32:
        raise InputError("a status purpose is 1 to 32 characters")
    if not 8 <= length <= MAX_LENGTH or length % 8:
        raise InputError(f"a status list length is a multiple of 8 from 8 to {MAX_LENGTH}")


def claim_statuses(
    session: Session,
    tenant_id: str,
    credential_id: str,
    allocations: Sequence[StatusAllocation],
    now: datetime,
) -> None:
    """Insert the credential's allocation rows: each a reserved slot of a list of the tenant's,
    of its purpose (ConflictError otherwise, or when the index is already taken)."""
    if not allocations:
        return
    lists = {
        row.id: row
        for row in session.execute(
            select(
                StatusListRow.id,
                StatusListRow.purpose,
                StatusListRow.length,
                StatusListRow.next_slot,
                StatusListRow.slot_key,
            ).where(
                StatusListRow.id.in_({a.list_id for a in allocations}),
                StatusListRow.tenant_id == tenant_id,
            )
        )
    }
    for allocation in allocations:
        row = lists.get(allocation.list_id)
        if (
            row is None
            or row.slot_key is None
            or row.purpose != allocation.purpose
            or not 0 <= allocation.index < row.length
            or unpermute(row.slot_key, allocation.index, row.length) >= row.next_slot
        ):
            raise ConflictError(
                f"status entry {allocation.list_id}#{allocation.index} is not a reserved "
                f"{allocation.purpose} slot of this tenant"
            )
    rows = [
        {
            "list_id": a.list_id,
            "idx": a.index,
            "purpose": a.purpose,
            "credential_id": credential_id,
            "created_at": now,
        }
        for a in allocations
    ]
    try:  # no SAVEPOINT: a conflict fails the issue, and its transaction rolls back
        session.execute(insert(_ALLOCATIONS), rows)  # Core: no ORM bulk-insert bookkeeping
    except IntegrityError as error:
        raise ConflictError("a status entry of this credential is taken already") from error


class StatusOps(OpsBase):
    def reserve_status_slots(
        self, tenant_id: str, purpose: str, count: int, *, length: int = DEFAULT_LENGTH
    ) -> list[StatusAllocation]:
        """Reserve up to ``count`` slots of the tenant's open list for ``purpose`` (opened, with
        ``length`` entries, if there is none): fewer when that fills the list, never none.

        The list's row stays locked until this transaction ends: callers on the issuing path
        reserve in a transaction of their own (``Store.reserve_status_slots``)."""
        check_request(purpose, length)
        if not 1 <= count <= MAX_RESERVATION:
            raise InputError(f"a reservation is 1 to {MAX_RESERVATION} status slots")
        for _ in range(_ROUNDS):
            taken = self._session.execute(
                update(StatusListRow)
                .where(
                    StatusListRow.tenant_id == tenant_id,
                    StatusListRow.purpose == purpose,
                    StatusListRow.full.is_(False),
                )
                .values(
                    next_slot=StatusListRow.next_slot + count,
                    full=StatusListRow.next_slot + count >= StatusListRow.length,
                )
                .returning(
                    StatusListRow.id,
                    StatusListRow.next_slot,
                    StatusListRow.length,
                    StatusListRow.slot_key,
                )
                .execution_options(synchronize_session=False)
            ).one_or_none()
            if taken is None:
                self._open_list(tenant_id, purpose, length)
                continue
            list_id, end, size, key = taken
            assert key is not None, "every list opened since 0012 has a key"
            return [
                StatusAllocation(list_id, permute(key, slot, size), purpose)
                for slot in range(end - count, min(end, size))
            ]
        raise ConflictError("status lists kept filling up meanwhile; try again")

    def allocate_status(
        self, tenant_id: str, purpose: str, *, length: int = DEFAULT_LENGTH
    ) -> StatusAllocation:
        """Reserve one slot in this transaction (which then holds the list's row: for tools and
        tests; the issuing path uses ``Store.allocate_status`` and its cache)."""
        return self.reserve_status_slots(tenant_id, purpose, 1, length=length)[0]

    def _open_list(self, tenant_id: str, purpose: str, length: int) -> None:
        """Open a list unless another open one exists (or was just opened by someone else)."""
        self._tenant_row(tenant_id)
        values = dict(
            id=self._token(),
            tenant_id=tenant_id,
            purpose=purpose,
            length=length,
            full=False,
            next_slot=0,
            slot_key=self._random.getrandbits(_KEY_BYTES * 8).to_bytes(_KEY_BYTES, "big"),
            bits=bytes(length // 8),
            version=1,
            signed=None,
            signed_version=0,
            created_at=self._now(),
        )
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(
                postgresql.insert(StatusListRow).values(values).on_conflict_do_nothing()
            )
        else:
            self._session.execute(
                sqlite.insert(StatusListRow).values(values).on_conflict_do_nothing()
            )

    def set_status(
        self, tenant_id: str, credential_id: str, purpose: str, value: bool
    ) -> StatusList:
        """Set the credential's ``purpose`` bit; NotFoundError unless it is this tenant's."""
        entry = self._session.execute(
            select(StatusAllocationRow.list_id, StatusAllocationRow.index)
            .join(StatusListRow, StatusListRow.id == StatusAllocationRow.list_id)
            .join(
                CredentialRow,
                (CredentialRow.id == StatusAllocationRow.credential_id)
                & (CredentialRow.tenant_id == StatusListRow.tenant_id),
            )
            .where(
                StatusAllocationRow.credential_id == credential_id,
                StatusAllocationRow.purpose == purpose,
                StatusListRow.tenant_id == tenant_id,
                CredentialRow.tenant_id == tenant_id,
            )
        ).one_or_none()
        if entry is None:
            raise NotFoundError(f"no {purpose} status entry for credential {credential_id!r}")
        list_id, index = entry
        row = self._session.scalars(
            select(StatusListRow)
            .where(StatusListRow.id == list_id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE on PostgreSQL
            .execution_options(populate_existing=True)
        ).one()
        if get_bit(row.bits, index) != value:
            row.bits = with_bit(row.bits, index, value)
            row.version += 1
            self._session.flush()
        return to_status_list(row)

    def credential_statuses(
        self, tenant_id: str, credential_ids: Sequence[str]
    ) -> dict[str, list[CredentialStatus]]:
        """Each credential's status entries in this tenant's lists, with their bits as they
        stand (one query for the entries, one for the lists they are in); a credential without
        entries (or not this tenant's) maps to an empty list."""
        statuses: dict[str, list[CredentialStatus]] = {i: [] for i in credential_ids}
        if not credential_ids:
            return statuses
        entries = self._session.execute(
            select(
                StatusAllocationRow.credential_id,
                StatusAllocationRow.purpose,
                StatusAllocationRow.list_id,
                StatusAllocationRow.index,
            )
            .join(StatusListRow, StatusListRow.id == StatusAllocationRow.list_id)
            .where(
                StatusAllocationRow.credential_id.in_(list(statuses)),
                StatusListRow.tenant_id == tenant_id,
            )
            .order_by(StatusAllocationRow.purpose, StatusAllocationRow.list_id)
        ).all()
        list_ids = {entry.list_id for entry in entries}
        rows = self._session.execute(
            select(StatusListRow.id, StatusListRow.bits).where(StatusListRow.id.in_(list_ids))
        )
        bits: dict[str, bytes] = {row.id: row.bits for row in rows}
        for credential_id, purpose, list_id, index in entries:
            if credential_id is not None:
                statuses[credential_id].append(
                    CredentialStatus(purpose, list_id, index, get_bit(bits[list_id], index))
                )
        return statuses

    def status_list(self, list_id: str) -> StatusList | None:
        row = self._session.get(StatusListRow, list_id)
        return None if row is None else to_status_list(row)

    def save_signed_list(self, list_id: str, version: int, signed: Any) -> None:
        """Keep ``signed`` as the list credential for ``version``, unless a newer one is stored."""
        if signed is None:
            raise InputError("a signed status list credential is required")
        stored = self._session.execute(
            update(StatusListRow)
            .where(
                StatusListRow.id == list_id,
                StatusListRow.signed_version < version,
                StatusListRow.version >= version,
            )
            .values(signed=signed, signed_version=version)
            .execution_options(synchronize_session=False)
        )
        if rowcount(stored) == 1:
            return
        current = self._session.scalar(
            select(StatusListRow.version).where(StatusListRow.id == list_id)
        )
        if current is None:
            raise NotFoundError(f"no status list {list_id!r}")
        if version > current:
            raise InputError(f"status list {list_id!r} has no version {version} (at {current})")
