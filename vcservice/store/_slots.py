"""Status slots reserved in blocks and handed out in process, as a database sequence's CACHE.

Issuing must not hold a status list's row for the length of its transaction (that would
serialize every issuer of a tenant behind the list), so slots are reserved ahead, a block at a
time, in a short transaction of their own, and handed out from memory. Slots left in a block
when the process stops (or handed out to an issue that is then refused) are gaps: never handed
out again, their bits stay 0, which the Bitstring Status List allows; the list simply fills a
little sooner.

The block adapts to the rate of issuing: it doubles (up to ``MAX_BLOCK``) when the previous
one lasted under ``_BUSY_SECONDS``, and halves (down to ``MIN_BLOCK``) when it lasted over
``_IDLE_SECONDS``, so a quiet tenant loses few slots and a busy one reserves a few times a
second at most. A forked child starts with an empty cache (its parent's blocks are the parent's).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

from vcservice.store._records import StatusAllocation

MIN_BLOCK = 8
MAX_BLOCK = 256
_BUSY_SECONDS = 1.0
_IDLE_SECONDS = 60.0

Reserve = Callable[[int], list[StatusAllocation]]


class _Pool:
    """The reserved, unused slots of one tenant and purpose."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slots: deque[StatusAllocation] = deque()
        self.block = MIN_BLOCK
        self.refilled = -_IDLE_SECONDS  # monotonic time of the last reservation

    def take(self, reserve: Reserve) -> StatusAllocation:
        with self.lock:
            if not self.slots:
                now = time.monotonic()
                lasted = now - self.refilled
                if lasted < _BUSY_SECONDS:
                    self.block = min(self.block * 2, MAX_BLOCK)
                elif lasted > _IDLE_SECONDS:
                    self.block = max(self.block // 2, MIN_BLOCK)
                self.slots.extend(reserve(self.block))
                self.refilled = now
            return self.slots.popleft()


class SlotCache:
    """Thread-safe; one pool per (tenant, purpose), each refilled under its own lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[tuple[str, str], _Pool] = {}
        self._pid = os.getpid()

    def take(self, tenant_id: str, purpose: str, reserve: Reserve) -> StatusAllocation:
        """A reserved slot, calling ``reserve(n)`` for a block of up to ``n`` when none is left."""
        with self._lock:
            if self._pid != os.getpid():
                self._pools, self._pid = {}, os.getpid()
            pool = self._pools.setdefault((tenant_id, purpose), _Pool())
        return pool.take(reserve)
