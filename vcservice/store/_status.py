"""Bitstring Status Lists: random, never-reused indexes and row-locked bit flips.

Allocation takes no lock that is held for long. Indexes are drawn at random (64 draws, checked
in one query) from the tenant's oldest list that is not ``full`` for that purpose and length,
and inserted under the ``(list_id, idx)`` primary key inside a SAVEPOINT: if a concurrent
transaction took the same index first, the insert fails (PostgreSQL waits for that transaction
to end first), only the SAVEPOINT is rolled back, and new draws are made. So an issuing
transaction may allocate from several lists, in any order, sign, and save without holding the
lists' rows: issuers allocating in opposite orders do not deadlock (tested). The only wait is
for the very same index, a rare collision. On SQLite ``BEGIN IMMEDIATE`` serializes writers, so
collisions cannot happen at all.

When all draws hit used indexes the list counts as full. For a list of 131,072 that happens at
85-90 % use (a fill of f ends the list at each allocation with probability f**64; below 60 % that
is under 1e-14), so lists stay large for herd privacy and a draw rarely needs a second round.
The list is then marked ``full`` under ``SKIP LOCKED``, so whoever gets there first marks it and
nobody waits, and a new list (with a random URL-safe id) is opened when no list is left.

Setting a bit locks the list's row (``FOR NO KEY UPDATE`` on PostgreSQL, which does not wait for
allocations that merely reference the list) and bumps ``version``; setting a bit to the value it
has is a no-op, so it does not force a re-signing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from vcservice.errors import InputError
from vcservice.store._bits import get_bit, with_bit
from vcservice.store._errors import ConflictError, NotFoundError
from vcservice.store._ops import OpsBase, rowcount
from vcservice.store._records import CredentialStatus, StatusAllocation, StatusList
from vcservice.store._schema import CredentialRow, StatusAllocationRow, StatusListRow

DEFAULT_LENGTH = 131072  # the Bitstring Status List minimum (16 KiB) for herd privacy
MAX_LENGTH = 1 << 24
_DRAWS = 64
_COLLISIONS = 8


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


def _check(purpose: str, length: int) -> None:
    if not purpose or len(purpose) > 32:
        raise InputError("a status purpose is 1 to 32 characters")
    if not 8 <= length <= MAX_LENGTH or length % 8:
        raise InputError(f"a status list length is a multiple of 8 from 8 to {MAX_LENGTH}")


class StatusOps(OpsBase):
    def allocate_status(
        self, tenant_id: str, purpose: str, *, length: int = DEFAULT_LENGTH
    ) -> StatusAllocation:
        """Take a random unused index in the tenant's current list for ``purpose``."""
        _check(purpose, length)
        self._tenant_row(tenant_id)
        full: set[str] = set()
        collisions = 0
        while True:
            list_id = self._current_list(tenant_id, purpose, length, full)
            index = self._draw_free(list_id, length)
            if index is None:
                self._mark_full(list_id)
                full.add(list_id)
                continue
            row = StatusAllocationRow(
                list_id=list_id, index=index, purpose=purpose, created_at=self._now()
            )
            if self._insert(row):
                return StatusAllocation(list_id, index, purpose)
            collisions += 1
            if collisions == _COLLISIONS:
                raise ConflictError("status allocation kept colliding; try again")

    def _current_list(self, tenant_id: str, purpose: str, length: int, full: set[str]) -> str:
        """The oldest list not known to be full, or a new one."""
        list_id = self._session.scalar(
            select(StatusListRow.id)
            .where(
                StatusListRow.tenant_id == tenant_id,
                StatusListRow.purpose == purpose,
                StatusListRow.length == length,
                StatusListRow.full.is_(False),
                StatusListRow.id.not_in(full),
            )
            .order_by(StatusListRow.created_at, StatusListRow.id)
            .limit(1)
        )
        if list_id is not None:
            return list_id
        row = StatusListRow(
            id=self._token(),
            tenant_id=tenant_id,
            purpose=purpose,
            length=length,
            full=False,
            bits=bytes(length // 8),
            version=1,
            signed=None,
            signed_version=0,
            created_at=self._now(),
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def _draw_free(self, list_id: str, length: int) -> int | None:
        """A uniformly random index not used by a committed (or our own) allocation."""
        draws = [self._random.randrange(length) for _ in range(_DRAWS)]
        used = set(
            self._session.scalars(
                select(StatusAllocationRow.index).where(
                    StatusAllocationRow.list_id == list_id, StatusAllocationRow.index.in_(draws)
                )
            )
        )
        return next((index for index in draws if index not in used), None)

    def _mark_full(self, list_id: str) -> None:
        locked = self._session.scalar(
            select(StatusListRow.id)
            .where(StatusListRow.id == list_id, StatusListRow.full.is_(False))
            .with_for_update(key_share=True, skip_locked=True)
        )
        if locked is not None:
            self._session.execute(
                update(StatusListRow)
                .where(StatusListRow.id == list_id)
                .values(full=True)
                .execution_options(synchronize_session=False)
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
