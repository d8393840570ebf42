"""Group commit: the writes of concurrent issues share one transaction and one commit.

An issue that posts nothing to the ledger is signed before its write transaction opens,
which then holds ~1 ms of work; its commit is a WAL flush (an fsync on SQLite, ~4 ms; a
round trip and a flush on PostgreSQL), so one commit per credential caps issuance at the
disk's flush rate whatever the cores. Here concurrent issues of one process are stored in
batches through the ``writes`` sequencer (:mod:`vcservice.service.sequencer`, leaders and
followers, a queue distinct from the ledger's): ONE transaction per batch, each credential in
a SAVEPOINT of its own (a refusal, e.g. a duplicate id or a key rotated meanwhile, rolls back
that credential alone and is raised in its own thread), and one commit for all. An uncontended
issue is its own leader and is stored at once, as before.

:func:`store_each` is the per-credential part, shared with bulk issuance
(:mod:`vcservice.service.batch`), which stores its items in one transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from vcservice.service.sequencer import Batched, sequencer_of
from vcservice.store import Store, Transaction

__all__ = ["WRITES", "commit_grouped", "store_each"]

#: The sequencer purpose of grouped writes (:func:`vcservice.service.sequencer.sequencer_of`).
WRITES = "writes"

T = TypeVar("T")

#: What stores one item in a transaction (e.g. :meth:`Issuing.store_signed` of a credential).
Write = Callable[[Transaction], T]


def store_each(
    tx: Transaction,
    writes: Sequence[Write[T]],
    *,
    fatal: Callable[[Exception], bool] = lambda _: False,
) -> list[T | Exception]:
    """Run each of ``writes`` in ``tx``, each in a SAVEPOINT: its value, or the exception
    that rolled it back alone, in order. A database outage (OperationalError) is no item's
    refusal: it is raised, failing the transaction and so every item, as is what ``fatal``
    says is the whole batch's fault."""
    outcomes: list[T | Exception] = []
    for write in writes:
        try:
            with tx.savepoint():
                outcomes.append(write(tx))
        except OperationalError:
            raise
        except Exception as exc:  # the item's own outcome, raised by its owner
            if fatal(exc):
                raise
            outcomes.append(exc)
    return outcomes


class _Grouped(Batched[T]):
    """One issue's write waiting for a batch."""

    def __init__(self, key: tuple[str, str], write: Write[T]) -> None:
        super().__init__(key)
        self.order = key
        self.write = write


def commit_grouped(store: Store, key: tuple[str, str], write: Write[T]) -> T:
    """Run ``write`` in the next batch of ``store``'s grouped writes and return its value
    once committed, or raise its refusal or the batch's failure. ``key``, (tenant id,
    credential id): writes with equal keys never share a batch (the same credential twice is
    refused as if issued one after the other), and a batch stores its writes in key order, so
    that batches of several replicas on PostgreSQL lock tenants' rows (the key audit trail's
    head) in one order and never deadlock."""
    item = _Grouped(key, write)
    sequencer_of(store, WRITES).run(item, lambda batch: _integrate(store, batch))
    return item.outcome()


def _integrate(store: Store, batch: list[_Grouped[T]]) -> None:
    """Store ``batch`` in one transaction and give every item its outcome; the outcomes are
    given only once the commit succeeded: a failed commit, or the database failing midway,
    fails every item (nothing of the batch is stored)."""
    ordered = sorted(batch, key=lambda item: item.order)
    try:
        with store.transaction() as tx:
            outcomes = store_each(tx, [item.write for item in ordered])
    except Exception as exc:  # noqa: BLE001 - raised again in each submitting thread
        for item in batch:
            item.fail(exc)
        return
    for item, outcome in zip(ordered, outcomes, strict=True):
        if isinstance(outcome, Exception):
            item.fail(outcome)
        else:
            item.succeed(outcome)
