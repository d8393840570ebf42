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
from typing import Any

from sqlalchemy import func, select

from vcservice.keys.audit import GENESIS, KeyEventKind, event_hash
from vcservice.store._ops import OpsBase
from vcservice.store._records import KeyEvent
from vcservice.store._schema import KeyEventRow


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
        last = self._session.scalars(
            select(KeyEventRow)
            .where(KeyEventRow.tenant_id == tenant_id)
            .order_by(KeyEventRow.seq.desc())
            .limit(1)
        ).one_or_none()
        moment = at or self._now()
        content = dict(detail)
        prev = GENESIS if last is None else last.chain_hash
        row = KeyEventRow(
            tenant_id=tenant_id,
            seq=1 if last is None else last.seq + 1,
            at=moment,
            event=event,
            key=key,
            detail=json.dumps(content, sort_keys=True, separators=(",", ":")),
            chain_hash=event_hash(prev, event, key, moment, content),
        )
        self._session.add(row)
        self._session.flush()
        return to_key_event(row)

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
