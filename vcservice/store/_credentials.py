"""Issued credentials, stored as JSON (a dict for Data Integrity / JSON envelopes, a string for
compact JWTs), and the link from each credential to its status entries.

The console's search (:meth:`CredentialOps.search_credentials`) runs in SQL over
``search_text``, a column of words extracted when the credential is saved
(:mod:`vcservice.credential_terms`), not over the stored document: a JWT is stored as opaque
base64url, in which no name can be found by ``LIKE``, and a JSON document holds URLs, digests
and proof values that would match nearly any short query. Extracting once at save time also
keeps a search from ever decoding credentials in Python: it reads one page of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from vcservice.credential_terms import describe, document_of, search_text
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
#: The longest search accepted, and the most words it may have (each one is a LIKE).
MAX_QUERY = 200
MAX_QUERY_WORDS = 8
#: The escape character of the LIKE patterns built by :func:`like_pattern`.
LIKE_ESCAPE = "\\"


def credential_search_text(credential_id: str, stored: Any) -> str:
    """The ``search_text`` of a stored credential (a dict, or a JWT string)."""
    return search_text(credential_id, describe(document_of(stored)))


def like_pattern(word: str) -> str:
    """``%word%`` with ``%``, ``_`` and the escape character itself escaped: a search for
    "50%" finds "50%", not everything with a 50 in it."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_words(query: str) -> list[str]:
    """The words of a search, case-folded; InputError when it is too long or has too many."""
    if len(query) > MAX_QUERY:
        raise InputError(f"a search is at most {MAX_QUERY} characters")
    words = list(dict.fromkeys(query.casefold().split()))
    if len(words) > MAX_QUERY_WORDS:
        raise InputError(f"a search has at most {MAX_QUERY_WORDS} words")
    return words


def _matches(word: str) -> ColumnElement[bool]:
    """One word found in the extracted words, or (for a row saved before they existed and
    not yet backfilled) in the id; parameters bound, never spliced into the SQL."""
    pattern = like_pattern(word)
    return or_(
        CredentialRow.search_text.like(pattern, escape=LIKE_ESCAPE),
        and_(
            CredentialRow.search_text.is_(None),
            func.lower(CredentialRow.id).like(pattern, escape=LIKE_ESCAPE),
        ),
    )


def to_credential(row: CredentialRow) -> CredentialRecord:
    return CredentialRecord(
        row.id, row.tenant_id, row.format, row.document, row.published, row.created_at, row.sealed
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
        sealed: Any = None,
    ) -> CredentialRecord:
        """Store a credential and claim its status entries (allocated earlier, unclaimed).

        ``sealed``: the encrypted envelope to publish in place of ``document``."""
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
            search_text=credential_search_text(credential_id, document),
            sealed=sealed,
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

    def search_credentials(
        self, tenant_id: str, query: str, *, limit: int, offset: int = 0
    ) -> tuple[list[CredentialRecord], int]:
        """One page of the tenant's credentials whose name, products, kind or id contain every
        word of ``query`` (case-insensitive; all of them when it is blank), newest first, and
        how many there are in all. Only this tenant's rows are ever read."""
        if not 0 <= limit <= MAX_PAGE or offset < 0:
            raise InputError(f"limit is 0 to {MAX_PAGE} and offset is not negative")
        words = search_words(query)
        self._tenant_row(tenant_id)
        where = and_(CredentialRow.tenant_id == tenant_id, *(_matches(w) for w in words))
        total = self._session.scalar(select(func.count()).select_from(CredentialRow).where(where))
        rows = self._session.scalars(
            select(CredentialRow)
            .where(where)
            .order_by(CredentialRow.created_at.desc(), CredentialRow.id)
            .limit(limit)
            .offset(offset)
        )
        return [to_credential(row) for row in rows], total or 0

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


def backfill_search_text(engine: Engine, *, batch: int = 200) -> int:
    """Fill ``search_text`` of the credentials saved before migration 0008, ``batch`` rows
    per transaction; how many were filled. Run by ``migrate`` after the upgrade; once every
    row has its words it is one query (a scan of ``credentials``, at start-up only)."""
    filled = 0
    while True:
        with Session(engine) as session, session.begin():
            rows = session.scalars(
                select(CredentialRow).where(CredentialRow.search_text.is_(None)).limit(batch)
            ).all()
            for row in rows:
                row.search_text = credential_search_text(row.id, row.document)
        filled += len(rows)
        if len(rows) < batch:
            return filled
