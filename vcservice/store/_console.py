"""Issuer-console sessions: opened with an API key, found by the SHA-256 of their token.

The token (32 random bytes, base64url) goes to the browser in a cookie and nowhere else; the
database keeps its hash, so a copy of the table cannot be replayed as a cookie. A session is
valid until the earliest of its absolute deadline (``expires_at``), ``idle`` after it was last
seen, and the removal of the API key that opened it: every lookup joins ``api_keys``, so a
deleted key ends its sessions at once, whatever the database does with the foreign key.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from vcservice.store._ops import OpsBase, rowcount
from vcservice.store._records import ConsoleSession
from vcservice.store._schema import ApiKeyRow, ConsoleSessionRow, TenantRow
from vcservice.store._tenants import API_KEY_PREFIX, api_key_hash, to_tenant

#: Longest token accepted from a cookie (ours are 43 characters); anything longer is not ours.
_MAX_TOKEN = 128


def session_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ConsoleOps(OpsBase):
    def open_console_session(
        self, api_key: str, *, lifetime: timedelta, idle: timedelta
    ) -> tuple[str, ConsoleSession] | None:
        """A new session for the tenant of ``api_key`` and its token (returned once), or None
        for a key that is not valid. Sessions past their deadlines are deleted on the way."""
        if not api_key.startswith(API_KEY_PREFIX) or len(api_key) > 256:
            return None
        found = self._session.execute(
            select(ApiKeyRow.id, TenantRow)
            .join(TenantRow, TenantRow.id == ApiKeyRow.tenant_id)
            .where(ApiKeyRow.key_sha256 == api_key_hash(api_key))
        ).one_or_none()
        if found is None:
            return None
        key_id, tenant_row = found
        self.purge_console_sessions(idle=idle)
        now = self._now()
        token = self._token(32)
        row = ConsoleSessionRow(
            id=session_hash(token),
            tenant_id=tenant_row.id,
            api_key_id=key_id,
            created_at=now,
            expires_at=now + lifetime,
            last_seen=now,
        )
        self._session.add(row)
        self._session.flush()
        return token, _to_session(row, tenant_row)

    def console_session(self, token: str, *, idle: timedelta) -> ConsoleSession | None:
        """The live session of ``token``: None when unknown, past a deadline, or its API key
        is gone."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        now = self._now()
        found = self._session.execute(
            select(ConsoleSessionRow, TenantRow)
            .join(TenantRow, TenantRow.id == ConsoleSessionRow.tenant_id)
            .join(
                ApiKeyRow,
                (ApiKeyRow.id == ConsoleSessionRow.api_key_id)
                & (ApiKeyRow.tenant_id == ConsoleSessionRow.tenant_id),
            )
            .where(
                ConsoleSessionRow.id == session_hash(token),
                ConsoleSessionRow.expires_at > now,
                ConsoleSessionRow.last_seen > now - idle,
            )
        ).one_or_none()
        return None if found is None else _to_session(*found)

    def touch_console_session(self, session_id: str) -> bool:
        """Record activity now; False when the session is gone (signed out meanwhile)."""
        touched = self._session.execute(
            update(ConsoleSessionRow)
            .where(ConsoleSessionRow.id == session_id)
            .values(last_seen=self._now())
            .execution_options(synchronize_session=False)
        )
        return rowcount(touched) == 1

    def close_console_session(self, token: str) -> None:
        if token and len(token) <= _MAX_TOKEN:
            self._session.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.id == session_hash(token))
            )

    def purge_console_sessions(self, *, idle: timedelta) -> int:
        """Delete every session past its absolute or idle deadline; how many were deleted."""
        now = self._now()
        purged = self._session.execute(
            delete(ConsoleSessionRow).where(
                or_(ConsoleSessionRow.expires_at <= now, ConsoleSessionRow.last_seen <= now - idle)
            )
        )
        return rowcount(purged)


def _to_session(row: ConsoleSessionRow, tenant: TenantRow) -> ConsoleSession:
    return ConsoleSession(
        id=row.id,
        tenant=to_tenant(tenant),
        api_key_id=row.api_key_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_seen=row.last_seen,
    )
