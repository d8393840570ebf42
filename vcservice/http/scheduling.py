"""Where CPU-heavy verification runs: lanes of a few threads per worker, bounded queues, a deadline.

Why: verification is CPU work (JSON-LD, RDFC-1.0, signatures) that holds the GIL. Run on the
event loop it blocks every other request; run in an unbounded thread pool, a handful of
expensive documents take all the CPU while cheap requests wait behind them. So each worker
runs verifications in **lanes**, each with at most ``verify_concurrency`` threads of its own,
at most ``verify_queue`` more waiting, and 503 with ``Retry-After`` beyond that (the client may
retry; nothing was judged). Each verification runs under a :class:`Deadline` that the
JSON-LD and RDFC-1.0 loops check, so none holds a thread past it (it is refused as too
costly, a 422 problem). The deadline starts when the work starts, not while it waits.

The lane is chosen from what the document costs by construction, before any work: a
credential secured with JOSE (a compact JWS or an envelope) needs no RDFC-1.0 canonicalization,
only a signature and a bounded JSON-LD walk, so it goes to the ``light`` lane; anything with a
Data Integrity proof (canonicalization, the expensive and attackable step) goes to ``heavy``;
provenance graphs, which verify many credentials and fetch links, to ``graph``. A flood of
costly Data Integrity documents then queues behind itself, never in front of vc+jwt verifies
(``bench/hostile_http.py`` measures exactly that). The lanes still share the GIL, so a light
verification runs at a fraction of the CPU while heavy ones run, but it never waits for a
thread.

Used by the verifier routes, ``POST /graphs/verify`` and the buyer page's ``POST /verify``.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, ParamSpec, TypeVar

from vcservice.errors import BusyError
from vcservice.jsonld._budget import Deadline, deadline_scope

P = ParamSpec("P")
T = TypeVar("T")

Lane = Literal["light", "heavy", "graph", "registry", "witness"]
#: ``registry`` and ``witness`` are the federated registry's (registrations at this home, and
#: cosigning other registries' checkpoints): their own threads, so that a burst of issue
#: requests waiting on other homes can never starve the answers those homes wait for.
LANES: tuple[Lane, ...] = ("light", "heavy", "graph", "registry", "witness")


def lane_of(document: Any) -> Lane:
    """``heavy`` when the credential or presentation (or a credential it carries) has a Data
    Integrity proof, else ``light`` (a compact JWS, an envelope, or nothing to canonicalize)."""
    candidates = [document]
    if isinstance(document, dict):
        carried = document.get("verifiableCredential")
        candidates += carried if isinstance(carried, list) else [carried]
    if any(isinstance(c, dict) and "proof" in c for c in candidates):
        return "heavy"
    return "light"


class Scheduler:
    """Bounded concurrency and queue per lane for one worker's verifications (module doc)."""

    def __init__(
        self,
        concurrency: int,
        queue: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.concurrency = concurrency
        self.queue = queue
        self._clock = clock
        self._pools = {
            lane: ThreadPoolExecutor(concurrency, thread_name_prefix=f"vcservice-verify-{lane}")
            for lane in LANES
        }
        self._lock = threading.Lock()
        self._pending = dict.fromkeys(LANES, 0)

    def close(self) -> None:
        """Let the threads go once their work is done (nothing new is accepted after)."""
        for pool in self._pools.values():
            pool.shutdown(wait=False)

    @property
    def pending(self) -> int:
        """Verifications running or waiting, in every lane."""
        return sum(self._pending.values())

    async def run(
        self, deadline: float | None, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """:meth:`run_in` the ``heavy`` lane."""
        return await self.run_in("heavy", deadline, function, *args, **kwargs)

    async def run_in(
        self,
        lane: Lane,
        deadline: float | None,
        function: Callable[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``function(*args, **kwargs)`` on a thread of ``lane``, within ``deadline`` seconds
        of work (None: no deadline); 503 with ``Retry-After`` when the lane's queue is full."""
        with self._lock:
            if self._pending[lane] >= self.concurrency + self.queue:
                what = "registry requests" if lane in ("registry", "witness") else "documents"
                raise BusyError(
                    f"the service is handling as many {what} as it can take; retry shortly"
                )
            self._pending[lane] += 1
        context = contextvars.copy_context()
        clock = self._clock

        def work() -> T:
            scope = Deadline(deadline, clock) if deadline is not None else None
            with deadline_scope(scope):
                return function(*args, **kwargs)

        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pools[lane], context.run, work)
        finally:
            with self._lock:
                self._pending[lane] -= 1


#: id(owner) -> (a weak reference to it, its scheduler); owners (the service object) are not
#: hashable, and an entry goes when its owner does.
_schedulers: dict[int, tuple[weakref.ref[Any], Scheduler]] = {}
_schedulers_lock = threading.Lock()


def scheduler_for(owner: Any, concurrency: int, queue: int) -> Scheduler:
    """The scheduler of ``owner`` (the service object of one app in one worker)."""
    key = id(owner)
    with _schedulers_lock:
        found = _schedulers.get(key)
        if found is not None and found[0]() is owner:
            return found[1]
        scheduler = Scheduler(concurrency, queue)
        _schedulers[key] = (weakref.ref(owner, lambda _ref: _forget(key, scheduler)), scheduler)
        return scheduler


def _forget(key: int, scheduler: Scheduler) -> None:
    with _schedulers_lock:
        found = _schedulers.get(key)
        if found is not None and found[1] is scheduler:
            del _schedulers[key]
    scheduler.close()


async def run_verification(
    service: Any, document: Any, function: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """Run ``function(document, *args, **kwargs)``, one credential or presentation
    verification, in the lane ``document`` belongs to, under the service's settings."""
    settings = service.settings
    scheduler = scheduler_for(service, settings.verify_concurrency, settings.verify_queue)
    return await scheduler.run_in(
        lane_of(document), settings.verify_deadline, function, document, *args, **kwargs
    )


async def run_graph_verification(
    service: Any, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run one graph verification (many credentials, fetches) under its own, longer deadline."""
    settings = service.settings
    scheduler = scheduler_for(service, settings.verify_concurrency, settings.verify_queue)
    return await scheduler.run_in(
        "graph", settings.graph_verify_deadline, function, *args, **kwargs
    )


async def run_registry(
    service: Any, lane: Lane, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run registry work (a registration, a witness request) in its own lane, no deadline:
    it is bounded by the ledger lock and the calls' own timeouts, not by CPU."""
    settings = service.settings
    scheduler = scheduler_for(service, settings.verify_concurrency, settings.verify_queue)
    return await scheduler.run_in(lane, None, function, *args, **kwargs)


__all__ = [
    "LANES",
    "Lane",
    "Scheduler",
    "lane_of",
    "run_graph_verification",
    "run_registry",
    "run_verification",
    "scheduler_for",
]
