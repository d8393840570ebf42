"""What every repository operation shares: one session, the vault, the clock, randomness.

A :class:`~vcservice.store.Transaction` is these parts plus the operations (one mixin per
concern, in ``_tenants``, ``_signing_keys``, ``_credentials``, ``_status``, ``_ledger``,
``_service_keys`` and ``_console``). Nothing here
commits: the transaction's owner does, so several operations can form one atomic unit.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vcservice.store._errors import NotFoundError
from vcservice.store._schema import Base, TenantRow
from vcservice.store._vault import KeyVault

Clock = Callable[[], datetime]


def rowcount(result: Any) -> int:
    """Rows matched by an UPDATE (``Session.execute`` is typed as returning any result)."""
    return cast(CursorResult[Any], result).rowcount


class OpsBase:
    def __init__(self, session: Session, vault: KeyVault, clock: Clock, rng: random.Random) -> None:
        self._session = session
        self._vault = vault
        self._clock = clock
        self._random = rng

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must return timezone-aware datetimes")
        return now

    def _token(self, nbytes: int = 16) -> str:
        """``secrets.token_urlsafe(nbytes)``, drawn from the injected randomness."""
        raw = self._random.getrandbits(nbytes * 8).to_bytes(nbytes, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def _tenant_row(self, tenant_id: str, *, lock: bool = False) -> TenantRow:
        """The tenant, or NotFoundError; ``lock`` serializes key changes of one tenant (PG)."""
        query = select(TenantRow).where(TenantRow.id == tenant_id)
        if lock:  # NO KEY UPDATE: does not wait for rows that merely reference the tenant
            query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
        row = self._session.scalars(query).one_or_none()
        if row is None:
            raise NotFoundError(f"no tenant {tenant_id!r}")
        return row

    @contextmanager
    def savepoint(self) -> Iterator[Callable[[], None]]:
        """A SAVEPOINT: what the block writes is rolled back alone if it raises, or if it
        calls the function it is given, the rest of the transaction kept. One item of a batch
        (a credential of a bulk issue or of a group commit, a ledger append) is stored whole
        or not at all, and a batch of appends can be undone to be done again."""
        nested = self._session.begin_nested()
        try:
            yield nested.rollback
        except BaseException:
            if nested.is_active:
                nested.rollback()
            raise
        if nested.is_active:
            nested.commit()

    def _insert(self, row: Base) -> bool:
        """Insert in a SAVEPOINT; False (and the transaction still usable) on a key conflict."""
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            return False
        return True
