"""Issued credentials, stored as JSON (a dict for Data Integrity / JSON envelopes, a string for
compact JWTs), and the link from each credential to its status entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from vcservice.errors import InputError
from vcservice.store._errors import ConflictError
from vcservice.store._ops import OpsBase, rowcount
from vcservice.store._records import CredentialRecord, StatusAllocation
from vcservice.store._schema import (
    CREDENTIAL_ID_LENGTH,
    CredentialRow,
    StatusAllocationRow,
    StatusListRow,
)

MAX_PAGE = 1000


def to_credential(row: CredentialRow) -> CredentialRecord:
    return CredentialRecord(
        row.id, row.tenant_id, row.format, row.document, row.published, row.created_at
    )


class CredentialOps(OpsBase):
    def save_credential(
        self,
        tenant_id: str,
        credential_id: str,
        document: Any,
        fmt: str,
        *,
        published: bool,
        allocations: Sequence[StatusAllocation] = (),
    ) -> CredentialRecord:
        """Store a credential and claim its status entries (allocated earlier, unclaimed)."""
        if not credential_id or len(credential_id.encode()) > CREDENTIAL_ID_LENGTH:
            raise InputError(f"a credential id is 1 to {CREDENTIAL_ID_LENGTH} bytes of UTF-8")
        self._tenant_row(tenant_id)
        row = CredentialRow(
            id=credential_id,
            tenant_id=tenant_id,
            format=fmt,
            document=document,
            published=published,
            created_at=self._now(),
        )
        key = (tenant_id, credential_id)
        if self._session.get(CredentialRow, key) is not None or not self._insert(row):
            raise ConflictError(
                f"this tenant already issued a credential with id {credential_id!r}"
            )
        for allocation in allocations:
            self._claim(tenant_id, credential_id, allocation)
        return to_credential(row)

    def _claim(self, tenant_id: str, credential_id: str, allocation: StatusAllocation) -> None:
        tenant_lists = select(StatusListRow.id).where(StatusListRow.tenant_id == tenant_id)
        claimed = self._session.execute(
            update(StatusAllocationRow)
            .where(
                StatusAllocationRow.list_id == allocation.list_id,
                StatusAllocationRow.index == allocation.index,
                StatusAllocationRow.purpose == allocation.purpose,
                StatusAllocationRow.credential_id.is_(None),
                StatusAllocationRow.list_id.in_(tenant_lists),
            )
            .values(credential_id=credential_id)
            .execution_options(synchronize_session=False)
        )
        if rowcount(claimed) != 1:
            raise ConflictError(
                f"status entry {allocation.list_id}#{allocation.index} is not an unclaimed "
                f"{allocation.purpose} allocation of this tenant"
            )

    def credential(self, tenant_id: str, credential_id: str) -> CredentialRecord | None:
        """The tenant's credential with this id (ids are unique per tenant, not globally)."""
        row = self._session.get(CredentialRow, (tenant_id, credential_id))
        return None if row is None else to_credential(row)

    def published_credentials(
        self, credential_id: str, *, limit: int = 2
    ) -> list[CredentialRecord]:
        """Published credentials with this id, of any tenant (at most ``limit``): a public
        lookup by id alone is unambiguous only when there is exactly one."""
        rows = self._session.scalars(
            select(CredentialRow)
            .where(CredentialRow.id == credential_id, CredentialRow.published.is_(True))
            .order_by(CredentialRow.tenant_id)
            .limit(limit)
        )
        return [to_credential(row) for row in rows]

    def credentials(
        self, tenant_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[CredentialRecord]:
        """The tenant's credentials, newest first (ties by id), one page."""
        if not 0 <= limit <= MAX_PAGE or offset < 0:
            raise InputError(f"limit is 0 to {MAX_PAGE} and offset is not negative")
        self._tenant_row(tenant_id)
        rows = self._session.scalars(
            select(CredentialRow)
            .where(CredentialRow.tenant_id == tenant_id)
            .order_by(CredentialRow.created_at.desc(), CredentialRow.id)
            .limit(limit)
            .offset(offset)
        )
        return [to_credential(row) for row in rows]

    def allocations(self, tenant_id: str, credential_id: str) -> list[StatusAllocation]:
        tenant_lists = select(StatusListRow.id).where(StatusListRow.tenant_id == tenant_id)
        rows = self._session.scalars(
            select(StatusAllocationRow)
            .where(
                StatusAllocationRow.credential_id == credential_id,
                StatusAllocationRow.list_id.in_(tenant_lists),
            )
            .order_by(StatusAllocationRow.purpose, StatusAllocationRow.list_id)
        )
        return [StatusAllocation(row.list_id, row.index, row.purpose) for row in rows]
