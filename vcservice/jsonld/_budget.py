"""Work bounds for JSON-LD processing and RDFC-1.0: counted work and a per-request deadline.

Why: RDFC-1.0 is exponential on symmetric blank nodes ("dataset poisoning", RDFC-1.0 §4.2
and the security considerations) and JSON-LD applies every context it is given, however often
it is named. Counting N-degree *iterations* did not bound the work: one iteration may explore
factorially many permutations. So what is charged here is the work itself: every hash
computation (first-degree, related and N-degree), every permutation an N-degree call is about
to explore (charged before it starts), and every context application, each against a limit an
honest credential never approaches (see :class:`vcservice.jsonld.CanonLimits`). A
:class:`Deadline`, set per request by the caller (the API's scheduler), is checked at every
charge, so no loop runs past it. Exceeding either raises
:class:`~vcservice.errors.WorkLimitError`: a refusal of the input, never a verdict about it.

The meter and the deadline travel in context variables, so the core's signatures do not change
and threads started for a request carry their own (a thread sets its own scope).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from vcservice.errors import WorkLimitError


class Deadline:
    """A point in time (by an injected monotonic ``clock``) after which work is refused."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._expires = clock() + seconds

    def expired(self) -> bool:
        return self._clock() > self._expires

    def check(self) -> None:
        if self.expired():
            raise WorkLimitError(
                f"the document could not be processed within the per-request deadline of "
                f"{self.seconds:g} s; it is refused as too costly (not judged)"
            )


_DEADLINE: ContextVar[Deadline | None] = ContextVar("vcservice_deadline", default=None)


@contextmanager
def deadline_scope(deadline: Deadline | None) -> Iterator[Deadline | None]:
    """Within the block, JSON-LD and RDFC-1.0 work stops once ``deadline`` has passed."""
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def current_deadline() -> Deadline | None:
    return _DEADLINE.get()


@dataclass(frozen=True)
class WorkLimits:
    """Limits on counted work (see :class:`vcservice.jsonld.CanonLimits`, which carries them)."""

    max_hashes: int
    max_permutations: int
    max_context_applications: int


@dataclass
class Work:
    """The work counted so far in one metered operation."""

    hashes: int = 0
    permutations: int = 0
    context_applications: int = 0


@dataclass
class Meter:
    """Counts work against :class:`WorkLimits` and checks the current deadline at each charge."""

    limits: WorkLimits
    work: Work = field(default_factory=Work)
    deadline: Deadline | None = None

    def _over(self, what: str, done: int, limit: int) -> None:
        raise WorkLimitError(
            f"work limit exceeded: more than {limit} {what} (the document is far costlier than "
            "any real credential: too many or too symmetric blank nodes, or contexts applied "
            "over and over; possible dataset poisoning); refused, not judged"
        )

    def _tick(self) -> None:
        if self.deadline is not None:
            self.deadline.check()

    def hashes(self, count: int = 1) -> None:
        self.work.hashes += count
        if self.work.hashes > self.limits.max_hashes:
            self._over("RDFC-1.0 hash computations", self.work.hashes, self.limits.max_hashes)
        self._tick()

    def permutations(self, count: int) -> None:
        self.work.permutations += count
        if self.work.permutations > self.limits.max_permutations:
            self._over(
                "RDFC-1.0 N-degree permutations",
                self.work.permutations,
                self.limits.max_permutations,
            )
        self._tick()

    def contexts(self, count: int = 1) -> None:
        self.work.context_applications += count
        limit = self.limits.max_context_applications
        if self.work.context_applications > limit:
            self._over("JSON-LD context applications", self.work.context_applications, limit)
        self._tick()


_METER: ContextVar[Meter | None] = ContextVar("vcservice_work_meter", default=None)


@contextmanager
def metered(limits: WorkLimits) -> Iterator[Meter]:
    """The meter of the enclosing metered operation, or a fresh one for this block.

    One operation (a canonicalization, an expansion) is metered as a whole, whatever path it
    takes inside; an operation nested in another charges the outer meter.
    """
    outer = _METER.get()
    if outer is not None:
        yield outer
        return
    meter = Meter(limits, deadline=_DEADLINE.get())
    token = _METER.set(meter)
    try:
        yield meter
    finally:
        _METER.reset(token)


def current_meter() -> Meter | None:
    return _METER.get()


def charge_contexts(count: int) -> None:
    """Charge ``count`` context applications to the current meter (if any), checking the
    deadline even outside a metered operation."""
    meter = _METER.get()
    if meter is not None:
        meter.contexts(count)
        return
    deadline = _DEADLINE.get()
    if deadline is not None:
        deadline.check()


__all__ = [
    "Deadline",
    "Meter",
    "Work",
    "WorkLimits",
    "charge_contexts",
    "current_deadline",
    "current_meter",
    "deadline_scope",
    "metered",
]
