"""Batching of writes within one process: leaders and followers.

Every append to the ledger holds its single head row (``ledger_state``) locked until its
transaction commits, so appends are serialized, across threads and replicas alike. Holding
that lock once per request costs a lock wait, a Merkle frontier update, a head-row write, a
signed checkpoint and a commit for every spend. Transparency logs batch instead (Trillian's
sequencer and integrator, Tessera's batching appender): what arrives while one batch is being
integrated is integrated together in the next one, under one lock acquisition.

:class:`Sequencer` does that without a thread of its own. A request thread that submits an
item while no batch is in progress becomes the *leader*: it takes up to ``max_batch`` queued
items (its own first, so an uncontended request waits for nobody) and integrates them; the
others wait as *followers* until their item has its outcome, or until leadership is free
again and their item is still queued, and then lead the next batch themselves. What a batch
does is the caller's ``integrate`` function (:meth:`vcservice.service.registry.Registry`
integrates spends; :mod:`vcservice.service.group_commit` stores plain issues); it must give
every item of the batch its outcome. The same holds for any write whose commit is the cost:
each commit is a WAL flush (an fsync on SQLite, ~4 ms), so issues that post nothing share one
too (:func:`sequencer_of` keeps a queue per purpose).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from vcservice.store import Store

__all__ = ["BATCH_LIMIT", "Batched", "Sequencer", "sequencer_of"]

#: Items integrated together at most: bounds the time a batch holds the ledger lock (what
#: stays under it is per item, ~5-10 ms a spend; the fixed costs a batch shares, lock, head
#: row, checkpoint and commit, are already 94 % amortized at 16, and replicas wait less).
BATCH_LIMIT = 16

T = TypeVar("T")


class Batched(Generic[T]):
    """An item of a batch and its outcome: a value, or the exception to raise in the
    submitting thread. ``key``: items with equal keys never share a batch (the second would
    not see what the first writes before the batch ends, e.g. the same registration twice)."""

    def __init__(self, key: Hashable) -> None:
        self.key = key
        self.done = False
        self._value: T | None = None
        self._error: BaseException | None = None

    def succeed(self, value: T) -> None:
        self._value, self._error, self.done = value, None, True

    def fail(self, error: BaseException) -> None:
        self._value, self._error, self.done = None, error, True

    def outcome(self) -> T:
        """The value, or raise what failed it."""
        if not self.done:
            raise RuntimeError("the batch ended without giving this item an outcome")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # T itself may include None


B = TypeVar("B", bound="Batched[Any]")


class Sequencer:
    """Leaders and followers over one queue (see the module docstring); one per store and
    process (:func:`sequencer_of`), whatever the number of request threads."""

    def __init__(self, max_batch: int = BATCH_LIMIT) -> None:
        self.max_batch = max_batch
        self._changed = threading.Condition()
        self._queue: list[Batched[Any]] = []
        self._leading = False
        #: The most items one batch has held so far: what batching achieved (tests, metrics).
        self.largest_batch = 0

    def run(self, item: B, integrate: Callable[[list[B]], None]) -> None:
        """Submit ``item`` and return once it has its outcome (integrated in this thread, as
        the leader, or in another one's batch)."""
        with self._changed:
            self._queue.append(item)
            while not item.done and self._leading:
                self._changed.wait()
            if item.done:
                return
            self._leading = True
        try:
            while not item.done:
                with self._changed:
                    batch = self._take()
                try:
                    integrate(batch)  # type: ignore[arg-type]  # a batch holds one caller's kind
                finally:
                    for left in batch:  # an integrate that raised leaves none waiting
                        if not left.done:
                            left.fail(RuntimeError("the batch ended without an outcome"))
                    with self._changed:
                        self._changed.notify_all()
        finally:
            with self._changed:
                self._leading = False
                self._changed.notify_all()

    def _take(self) -> list[Batched[Any]]:
        """Up to ``max_batch`` queued items, oldest first, at most one per key."""
        batch: list[Batched[Any]] = []
        keys: set[Hashable] = set()
        kept: list[Batched[Any]] = []
        for queued in self._queue:
            if len(batch) < self.max_batch and queued.key not in keys:
                keys.add(queued.key)
                batch.append(queued)
            else:
                kept.append(queued)
        self._queue = kept
        self.largest_batch = max(self.largest_batch, len(batch))
        return batch


_SEQUENCERS: weakref.WeakKeyDictionary[Store, dict[str, Sequencer]] = weakref.WeakKeyDictionary()
_MADE = threading.Lock()


def sequencer_of(store: Store, purpose: str = "ledger") -> Sequencer:
    """The process's sequencer of ``store`` for ``purpose`` (resources are made per request;
    the queue must be shared by all of them). Purposes have queues of their own: ``ledger``
    batches hold the ledger lock, ``writes`` batches (group commit of plain issues) must not
    wait for them."""
    with _MADE:
        sequencers = _SEQUENCERS.setdefault(store, {})
        sequencer = sequencers.get(purpose)
        if sequencer is None:
            sequencer = sequencers[purpose] = Sequencer()
        return sequencer
