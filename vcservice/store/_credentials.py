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

import functools
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Engine, Table, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vcservice.credential_terms import describe, document_of, search_text
from vcservice.errors import InputError
from vcservice.store._errors import ConflictError, NotFoundError
from vcservice.store._ops import OpsBase
from vcservice.store._records import CredentialRecord, StatusAllocation
from vcservice.store._schema import (
    CREDENTIAL_ID_LENGTH,
    CredentialRow,
    StatusAllocationRow,
    StatusListRow,
)
from vcservice.store._status import claim_statuses

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


@functools.cache
def _insert(dialect: str) -> Any:
    """INSERT a credential unless its id is taken (nothing returned then), on the Core table
    and built once: the ORM's bulk-insert path and building the statement for each
    credential cost more than the statement itself (about 0.1 ms, under the write lock)."""
    table = cast(Table, CredentialRow.__table__)
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing().returning(table.c.id)


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
        search_text: str | None = None,
    ) -> CredentialRecord:
        """Store a credential and its status entries (slots reserved earlier, unclaimed).

        ``sealed``: the encrypted envelope to publish in place of ``document``.
        ``search_text``: its :func:`credential_search_text`, when the caller worked it out
        before the transaction (it is extracted here otherwise).

        One INSERT that skips a duplicate id (ON CONFLICT DO NOTHING: no read first, no
        SAVEPOINT, and a PostgreSQL transaction that stays usable) and whose foreign key
        answers for the tenant; this runs in the issuing transaction, which on SQLite every
        writer waits for, so each statement and ORM flush saved there is saved for all."""
        if not credential_id or len(credential_id.encode()) > CREDENTIAL_ID_LENGTH:
            raise InputError(f"a credential id is 1 to {CREDENTIAL_ID_LENGTH} bytes of UTF-8")
        record = CredentialRecord(
            credential_id, tenant_id, fmt, document, published, self._now(), sealed
        )
        values = {
            "id": credential_id,
            "tenant_id": tenant_id,
            "format": fmt,
            "document": document,
            "published": published,
            "created_at": record.created_at,
            "search_text": (
                credential_search_text(credential_id, document)
                if search_text is None
                else search_text
            ),
            "sealed": sealed,
        }
        connection = self._session.connection()
        try:
            inserted = connection.execute(_insert(connection.dialect.name), values).first()
        except IntegrityError:  # the foreign key: a duplicate id is not an error here
            raise NotFoundError(f"no tenant {tenant_id!r}") from None
        if inserted is None:
            raise ConflictError(
                f"this tenant already issued a credential with id {credential_id!r}"
            )
        claim_statuses(self._session, tenant_id, credential_id, allocations, record.created_at)
        return record

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
