"""How busy the machine was during a load: CPU seconds of process trees over a wall-clock
window, sampled from ``/proc`` in a background thread.

The load generator reports its measured window as wall-clock times (:mod:`bench.loadgen`),
known only afterwards; so :class:`CpuMonitor` samples the CPU time of each watched group of
process trees (the servers, PostgreSQL) and of the whole machine (``/proc/stat``) every
``interval`` seconds while the load runs, and :meth:`CpuMonitor.between` interpolates each to
the window's ends. A process that exits inside the window takes its CPU time with it (none
does here: the servers' database connections are pooled). Linux only; elsewhere
:func:`available` is False and the caller reports nothing.
"""

from __future__ import annotations

import os
import threading
import time
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from bench.hostile_http import tree_cpu

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: The key :meth:`CpuMonitor.between` gives the whole machine's busy CPU seconds under.
MACHINE = "machine"


def available() -> bool:
    return Path("/proc/stat").exists()


def machine_busy() -> float:
    """CPU seconds every core of the machine has spent busy (not idle or waiting) since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(value) for value in fields[:8]]  # user … steal; guest is within user
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICKS


def machine_cores() -> int:
    """The cores ``/proc/stat`` counts (its ``cpuN`` lines)."""
    lines = Path("/proc/stat").read_text().splitlines()
    return sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())


def parent_of(pid: int) -> int:
    """The parent process id of ``pid`` (from ``/proc/<pid>/stat``)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return int(text[text.rindex(")") + 2 :].split()[1])


class CpuMonitor:
    """Sample the CPU time of ``groups`` (name → root process ids, each counted with its
    descendants) and of the machine until the block ends."""

    def __init__(self, groups: Mapping[str, Sequence[int]], interval: float = 0.1) -> None:
        self.groups = {name: list(pids) for name, pids in groups.items()}
        self.interval = interval
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-monitor", daemon=True)

    def _sample(self) -> None:
        reading = {name: sum(tree_cpu(pid) for pid in pids) for name, pids in self.groups.items()}
        reading[MACHINE] = machine_busy()
        self.samples.append((time.time(), reading))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> CpuMonitor:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:  # fmt: skip
        self._stop.set()
        self._thread.join()
        self._sample()

    def at(self, moment: float) -> dict[str, float]:
        """Each group's (and the machine's) CPU seconds at ``moment``, interpolated linearly
        between the samples around it (the first or last sample outside their span)."""
        times = [when for when, _ in self.samples]
        index = bisect_left(times, moment)
        if index == 0:
            return dict(self.samples[0][1])
        if index == len(times):
            return dict(self.samples[-1][1])
        (t0, r0), (t1, r1) = self.samples[index - 1], self.samples[index]
        share = (moment - t0) / (t1 - t0) if t1 > t0 else 1.0
        return {name: r0[name] + share * (r1[name] - r0[name]) for name in r0}

    def between(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds each group (and :data:`MACHINE`) used from ``start`` to ``end``."""
        first, last = self.at(start), self.at(end)
        return {name: last[name] - first[name] for name in first}
