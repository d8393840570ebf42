"""Shared verification results: the input of a buyer-page verification, by its SHA-256.

Why the input and not the verdict: a result link re-runs the verification when it is opened,
so whoever opens it sees what the credentials say *now* (a revoked certificate shows as
revoked; a bundle naming a ``verificationTime`` is judged as of that time again), and nothing
stored can be mistaken for a signed statement of this service.

The key is the SHA-256 of the bytes stored (the caller's canonical encoding), so the same input
is one row however often it is shared, and two replicas storing it at once cannot conflict
(the second insert finds the row and only refreshes its date). Rows older than the retention
period are deleted whenever a result is stored, and are not found before that either.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from vcservice.store._ops import OpsBase
from vcservice.store._schema import SharedResultRow


def shared_result_id(encoded: bytes) -> str:
    """The id of a stored input: SHA-256 of its bytes, lowercase hex (64 characters)."""
    return hashlib.sha256(encoded).hexdigest()


class SharedResultOps(OpsBase):
    def save_shared_result(self, encoded: bytes, *, keep: timedelta, most: int) -> str:
        """Store ``encoded`` (once) and return its id; results older than ``keep`` go, and
        beyond ``most`` rows the least recently shared go (anyone who may verify may store)."""
        now = self._now()
        self._session.execute(delete(SharedResultRow).where(SharedResultRow.stored_at < now - keep))
        result_id = shared_result_id(encoded)
        if not self._insert(SharedResultRow(id=result_id, input=encoded, stored_at=now)):
            self._session.execute(
                update(SharedResultRow).where(SharedResultRow.id == result_id).values(stored_at=now)
            )
        rows = self._session.scalar(select(func.count()).select_from(SharedResultRow)) or 0
        excess = rows - most
        if excess > 0:
            oldest = (
                select(SharedResultRow.id)
                .where(SharedResultRow.id != result_id)
                .order_by(SharedResultRow.stored_at, SharedResultRow.id)
                .limit(excess)
            )
            self._session.execute(
                delete(SharedResultRow).where(SharedResultRow.id.in_(oldest.scalar_subquery()))
            )
        return result_id

    def shared_result(self, result_id: str, *, keep: timedelta) -> bytes | None:
        """The input stored under ``result_id``, or None (unknown, or older than ``keep``)."""
        row = self._session.get(SharedResultRow, result_id)
        if row is None or row.stored_at < self._now() - keep:
            return None
        return row.input
