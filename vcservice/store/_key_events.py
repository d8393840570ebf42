"""The key audit trail's rows: appended in the transaction of the operation they record.

An append reads the tenant's last event and chains onto it (:mod:`vcservice.keys.audit`); the
caller has locked the tenant's row (key changes do) or :meth:`append_key_event` takes the lock,
so two appends of one tenant never chain onto the same predecessor. Append it last in a
transaction: the lock is then held only until the commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select

from vcservice.keys.audit import GENESIS, KeyEventKind, event_hash
from vcservice.store._ops import OpsBase
from vcservice.store._records import KeyEvent
from vcservice.store._schema import KeyEventRow, SigningKeyRow, TenantRow

_EVENTS = cast(Table, KeyEventRow.__table__)
_KEYS = cast(Table, SigningKeyRow.__table__)
_TENANTS = cast(Table, TenantRow.__table__)
#: The signing key's ``active``, the tenant's row locked (PostgreSQL; SQLite has one writer).
#: The key's row is locked too: a statement that waited for a lock re-reads only the rows it
#: locks (PostgreSQL's EvalPlanQual), so with the tenant's alone it would see the key as it was
#: before a rotation that committed meanwhile, and store a credential signed by a retired key.
_KEY_ACTIVE = (
    select(_KEYS.c.active)
    .join(_TENANTS, _TENANTS.c.id == _KEYS.c.tenant_id)
    .where(_KEYS.c.tenant_id == bindparam("tenant_id"), _KEYS.c.id == bindparam("key_id"))
    .with_for_update(of=(_TENANTS, _KEYS), key_share=True)
)
_LAST_EVENT = (
    select(_EVENTS.c.seq, _EVENTS.c.chain_hash)
    .where(_EVENTS.c.tenant_id == bindparam("tenant_id"))
    .order_by(_EVENTS.c.seq.desc())
    .limit(1)
)
_INSERT_EVENT = insert(_EVENTS)


def to_key_event(row: KeyEventRow) -> KeyEvent:
    return KeyEvent(row.seq, row.at, row.event, row.key, json.loads(row.detail), row.chain_hash)


class KeyEventOps(OpsBase):
    def append_key_event(
        self,
        tenant_id: str,
        event: KeyEventKind,
        key: str | None,
        detail: Mapping[str, Any],
        *,
        at: datetime | None = None,
    ) -> KeyEvent:
        """Append one event to the tenant's trail, chained onto the last one."""
        self._tenant_row(tenant_id, lock=True)
        return self._chain(tenant_id, event, key, detail, at or self._now())

    def append_signature(
        self, tenant_id: str, key_id: str, fragment: str, detail: Mapping[str, Any]
    ) -> KeyEvent | None:
        """Record a signature by the tenant's key ``key_id`` (``signed``), or None, appending
        nothing, when that key is no longer active.

        One statement locks the tenant's row (the trail's head) and reads the key, so no
        rotation can commit between this check and the caller's commit: a credential is never
        stored signed by a key retired before it was. Call it last in the transaction."""
        active = self._session.connection().scalar(
            _KEY_ACTIVE, {"tenant_id": tenant_id, "key_id": key_id}
        )
        if not active:
            return None
        return self._chain(tenant_id, "signed", fragment, detail, self._now())

    def _chain(
        self,
        tenant_id: str,
        event: KeyEventKind,
        key: str | None,
        detail: Mapping[str, Any],
        moment: datetime,
    ) -> KeyEvent:
        """Insert the event after the trail's last (the caller holds the tenant's row lock).
        Two Core statements built once: the ORM's unit of work, and building statements for
        each event, would cost more than they do, in a transaction that on SQLite every
        writer waits for."""
        connection = self._session.connection()
        last = connection.execute(_LAST_EVENT, {"tenant_id": tenant_id}).one_or_none()
        content = dict(detail)
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        seq = 1 if last is None else last.seq + 1
        prev = GENESIS if last is None else last.chain_hash
        chain_hash = event_hash(prev, event, key, moment, content)
        row = {"tenant_id": tenant_id, "seq": seq, "at": moment, "event": event, "key": key}
        connection.execute(_INSERT_EVENT, {**row, "detail": text, "chain_hash": chain_hash})
        return KeyEvent(seq, moment, event, key, json.loads(text), chain_hash)

    def key_events(
        self, tenant_id: str, *, after: int = 0, limit: int = 100
    ) -> tuple[list[KeyEvent], str]:
        """Events with ``seq`` > ``after`` (at most ``limit``, oldest first) and the hash
        before the first of them (GENESIS from the start), so a page can be checked alone."""
        self._tenant_row(tenant_id)
        rows = self._session.scalars(
            select(KeyEventRow)
            .where(KeyEventRow.tenant_id == tenant_id, KeyEventRow.seq > after)
            .order_by(KeyEventRow.seq)
            .limit(limit)
        ).all()
        prev = GENESIS
        if after > 0:
            before = self._session.scalar(
                select(KeyEventRow.chain_hash).where(
                    KeyEventRow.tenant_id == tenant_id, KeyEventRow.seq == after
                )
            )
            prev = before or GENESIS
        return [to_key_event(row) for row in rows], prev

    def signature_counts(self, tenant_id: str) -> dict[str, int]:
        """How many signatures each key of the tenant has made, from the trail."""
        rows = self._session.execute(
            select(KeyEventRow.key, func.count())
            .where(KeyEventRow.tenant_id == tenant_id, KeyEventRow.event == "signed")
            .group_by(KeyEventRow.key)
        ).all()
        return {str(key): int(count) for key, count in rows if key is not None}
