"""Timing primitives: one pinned core, warm-up, then the median of many runs.

Every figure of the benchmark is a :class:`Timing`: the median (and p10/p90) of ``runs`` calls,
each timed alone with :func:`time.perf_counter_ns`, after ``warmup`` untimed calls. The cyclic
garbage collector is paused while a batch runs (and collected before it), so one figure does
not pay for the garbage of the previous one.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Seconds per call: median of ``runs`` timed calls, with the 10th and 90th percentiles."""

    median: float
    p10: float
    p90: float
    runs: int

    def to_dict(self) -> dict[str, Any]:
        return {"median_s": self.median, "p10_s": self.p10, "p90_s": self.p90, "runs": self.runs}

    @classmethod
    def of(cls, samples: list[float]) -> Timing:
        ordered = sorted(samples)
        return cls(
            median=statistics.median(ordered),
            p10=percentile(ordered, 10),
            p90=percentile(ordered, 90),
            runs=len(ordered),
        )


def percentile(ordered: list[float], pct: float) -> float:
    """The ``pct``-th percentile of sorted samples (nearest rank; 0 for no samples)."""
    if not ordered:
        return 0.0
    rank = max(1, round(pct / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def measure(
    fn: Callable[[], object],
    *,
    runs: int,
    warmup: int = 3,
    max_seconds: float | None = None,
    min_runs: int = 5,
) -> Timing:
    """Time ``fn`` ``runs`` times after ``warmup`` calls; stop early (after at least
    ``min_runs``) once ``max_seconds`` of timed calls have passed."""
    for _ in range(warmup):
        fn()
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    samples: list[float] = []
    spent = 0.0
    try:
        for _ in range(runs):
            start = time.perf_counter_ns()
            fn()
            elapsed = (time.perf_counter_ns() - start) / 1e9
            samples.append(elapsed)
            spent += elapsed
            if max_seconds is not None and spent > max_seconds and len(samples) >= min_runs:
                break
    finally:
        if enabled:
            gc.enable()
    return Timing.of(samples)


#: The cores this process may use, as it started (before any pinning).
_ALLOWED = (
    sorted(os.sched_getaffinity(0))
    if hasattr(os, "sched_getaffinity")
    else list(range(os.cpu_count() or 1))
)


def allowed_cpus() -> list[int]:
    """The cores the benchmark may use (as at start, whatever it pinned itself to since)."""
    return list(_ALLOWED)


def pin_to_one_core(cpu: int | None = None) -> int | None:
    """Pin this process to one CPU (the last allowed one unless ``cpu`` is given).

    Returns the CPU, or None where affinity cannot be set (not Linux)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    chosen = cpu if cpu is not None and cpu in _ALLOWED else _ALLOWED[-1]
    os.sched_setaffinity(0, {chosen})
    return chosen


def on_cpus(cpus: Sequence[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` putting a child process on ``cpus`` (on every allowed core when None):
    children inherit the benchmark's own one-core pinning otherwise."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    target = set(cpus) if cpus else set(_ALLOWED)

    def apply() -> None:
        os.sched_setaffinity(0, target)

    return apply
