"""A small HTTP/1.1 load generator, run as its own process: ``python -m bench.loadgen SPEC``.

It speaks keep-alive HTTP/1.1 over asyncio streams directly (no client library): at a few
thousand requests per second a client library's own per-request work would take a large share
of the core the generator shares with the server, and show up as server latency.

Two modes (SPEC is a JSON file, see :class:`Spec`):

* ``closed``: ``concurrency`` connections, each sending its next request as soon as the previous
  answer arrives, for ``duration`` seconds after ``warmup`` seconds: the rate the server
  sustains, and the latency at that load.
* ``open``: requests scheduled at a fixed ``rate`` on a pool of ``concurrency`` connections,
  whatever the answers do; latency is measured from each request's *scheduled* time, so a
  server that falls behind is charged for the queue it builds (no coordinated omission).

Bodies are taken round-robin from ``bodies``. With ``ports`` (several servers on one host:
replicas a reverse proxy would spread requests over) connection ``i`` goes to
``ports[i % len(ports)]``, so the connections, and in a closed loop the requests, are spread
evenly; without it every connection goes to ``port``. Prints one JSON object: counts by status,
the achieved rate, latency percentiles (seconds), and the measured window (from the end of
the warm-up until the last answer) as wall-clock times with the generator's own CPU time in it,
so that the caller can put the servers' CPU time over the same window.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._timing import percentile


@dataclass
class Spec:
    host: str
    port: int
    path: str
    bodies: list[str]
    mode: str = "closed"
    concurrency: int = 16
    duration: float = 5.0
    warmup: float = 1.0
    rate: float = 1000.0
    headers: dict[str, str] = field(default_factory=dict)
    ports: list[int] | None = None

    @classmethod
    def load(cls, path: Path) -> Spec:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def port_of(self, index: int) -> int:
        """The port connection ``index`` talks to (round-robin over ``ports``)."""
        return self.ports[index % len(self.ports)] if self.ports else self.port


class Connection:
    def __init__(self, spec: Spec, index: int = 0) -> None:
        self.spec = spec
        self.port = spec.port_of(index)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.spec.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send(self, raw: bytes) -> int:
        """One request; returns the status. Reconnects once if the server closed the socket."""
        for attempt in range(2):
            if self.writer is None:
                await self.open()
            assert self.reader is not None
            assert self.writer is not None
            try:
                self.writer.write(raw)
                await self.writer.drain()
                return await self._response(self.reader)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self, reader: asyncio.StreamReader) -> int:
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await reader.readexactly(length)
        if close:
            await self.close()
        return status


def requests(spec: Spec, port: int | None = None) -> list[bytes]:
    """The raw requests, one per body, addressed (``Host``) to ``port`` (default ``spec.port``)."""
    head = [f"POST {spec.path} HTTP/1.1", f"Host: {spec.host}:{port or spec.port}"]
    head += ["Content-Type: application/json", "Accept: application/json"]
    head += [f"{name}: {value}" for name, value in spec.headers.items()]
    out = []
    for body in spec.bodies:
        data = body.encode("utf-8")
        lines = [*head, f"Content-Length: {len(data)}", "", ""]
        out.append("\r\n".join(lines).encode("ascii") + data)
    return out


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    by_port: Counter[int] = field(default_factory=Counter)
    sent: int = 0
    last: float = 0.0
    #: (wall clock, process CPU time) at the start and the end of the measured window.
    marks: list[tuple[float, float]] = field(default_factory=list)

    def mark(self) -> None:
        self.marks.append((time.time(), time.process_time()))

    async def mark_at(self, moment: float) -> None:
        """Mark once ``perf_counter`` reaches ``moment`` (the end of the warm-up)."""
        await asyncio.sleep(max(0.0, moment - time.perf_counter()))
        self.mark()

    def record(self, status: int | str, latency: float | None, port: int | None = None) -> None:
        self.statuses[str(status)] += 1
        if port is not None:
            self.by_port[port] += 1
        if latency is not None:
            self.latencies.append(latency)


def request_cycles(spec: Spec) -> dict[int, Iterator[bytes]]:
    """For each port, its requests in an endless cycle (bodies round-robin per port)."""
    ports = spec.ports or [spec.port]
    return {port: itertools.cycle(requests(spec, port)) for port in ports}


async def closed_loop(spec: Spec) -> tuple[Tally, float]:
    raw = request_cycles(spec)
    tally = Tally()
    start = time.perf_counter()
    measure_from = start + spec.warmup
    stop = measure_from + spec.duration

    async def worker(index: int) -> None:
        connection = Connection(spec, index)
        try:
            while (now := time.perf_counter()) < stop:
                try:
                    status: int | str = await connection.send(next(raw[connection.port]))
                except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                    status = type(exc).__name__
                done = time.perf_counter()
                if now >= measure_from:
                    tally.record(status, done - now, connection.port)
        finally:
            await connection.close()

    await asyncio.gather(
        tally.mark_at(measure_from), *(worker(index) for index in range(spec.concurrency))
    )
    tally.mark()
    return tally, spec.duration


async def open_loop(spec: Spec) -> tuple[Tally, float]:
    raw = request_cycles(spec)
    tally = Tally()
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for index in range(spec.concurrency):
        connection = Connection(spec, index)
        await connection.open()
        pool.put_nowait(connection)
    interval = 1.0 / spec.rate
    start = time.perf_counter() + 0.05
    measure_from = start + spec.warmup
    stop = measure_from + spec.duration
    tasks: list[asyncio.Task[None]] = []
    marker = asyncio.create_task(tally.mark_at(measure_from))

    async def one(scheduled: float) -> None:
        connection = await pool.get()
        port = connection.port
        try:
            status: int | str = await connection.send(next(raw[port]))
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            status = type(exc).__name__
        finally:
            pool.put_nowait(connection)
        if scheduled >= measure_from:
            finished = time.perf_counter()
            tally.record(status, finished - scheduled, port)
            tally.last = max(tally.last, finished)

    for index in itertools.count():
        scheduled = start + index * interval
        if scheduled >= stop:
            break
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
        tally.sent += 1
    # Requests still queued or in flight when the window closes are waited for (bounded).
    done, pending = await asyncio.wait(tasks, timeout=max(10.0, spec.duration))
    for task in pending:
        task.cancel()
        tally.record("unfinished", None)
    del done
    await marker
    tally.mark()
    # The achieved rate: answers to the requests scheduled in the window, over the time from
    # the window's start to the last of them (longer than the window when the server lags).
    elapsed = max(spec.duration, tally.last - measure_from)
    while not pool.empty():
        await pool.get_nowait().close()
    return tally, elapsed


def summarize(spec: Spec, tally: Tally, elapsed: float) -> dict[str, Any]:
    ordered = sorted(tally.latencies)
    ok = sum(n for status, n in tally.statuses.items() if status.startswith("2"))
    return {
        "mode": spec.mode,
        "concurrency": spec.concurrency,
        "offered_rate": spec.rate if spec.mode == "open" else None,
        "duration_s": elapsed,
        "requests": len(ordered),
        "ok": ok,
        "statuses": dict(tally.statuses),
        "rate": len(ordered) / elapsed if elapsed else 0.0,
        "ok_rate": ok / elapsed if elapsed else 0.0,
        "p50_s": percentile(ordered, 50),
        "p90_s": percentile(ordered, 90),
        "p99_s": percentile(ordered, 99),
        "max_s": ordered[-1] if ordered else 0.0,
        "ports": spec.ports or [spec.port],
        "answers_by_port": {str(port): n for port, n in sorted(tally.by_port.items())},
        "window": _window(tally.marks),
    }


def _window(marks: list[tuple[float, float]]) -> dict[str, float] | None:
    """The measured window: its start and end (``time.time()``) and the CPU time used in it."""
    if len(marks) != 2:
        return None
    (start, cpu_start), (end, cpu_end) = marks
    return {"start": start, "end": end, "cpu_s": cpu_end - cpu_start}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.loadgen SPEC.json", file=sys.stderr)
        return 2
    spec = Spec.load(Path(argv[0]))
    runner = closed_loop if spec.mode == "closed" else open_loop
    tally, elapsed = asyncio.run(runner(spec))
    print(json.dumps(summarize(spec, tally, elapsed)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
