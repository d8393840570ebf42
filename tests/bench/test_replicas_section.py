"""The replica section of the benchmark (``bench/replicas.py``) and what it is built on.

Fast: the load generator spreading its connections over several ports (two in-process HTTP
servers) and reporting its measured window, and the CPU monitor reading a process's work over
a window. The whole section against real servers on PostgreSQL takes 10-20 s (a tenant, two
servers, three loads), too long for every ``make test``: it runs with
``VCSERVICE_BENCH_REPLICAS=1`` (and in every ``make bench``). No timing is asserted.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable

import pytest

from bench import busy, ledger, loadgen, replicas
from bench.postgres import Postgres
from bench.report import Results
from bench.targets import evaluate
from tests.pg import PostgresServer

pytestmark = pytest.mark.skipif(not busy.available(), reason="no /proc")

ANSWER = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer 201 to every request on a keep-alive connection (bodies read and dropped)."""
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _against_two_servers(run: Callable[[loadgen.Spec], Awaitable[tuple[loadgen.Tally, float]]],
                         **options: object) -> dict[str, object]:  # fmt: skip
    async def main() -> dict[str, object]:
        servers = [await asyncio.start_server(_answer, "127.0.0.1", 0) for _ in range(2)]
        ports = [int(s.sockets[0].getsockname()[1]) for s in servers]
        spec = loadgen.Spec(
            host="127.0.0.1", port=ports[0], ports=ports, path="/", bodies=["{}", "[]"],
            duration=0.2, warmup=0.05, **options,  # type: ignore[arg-type]
        )  # fmt: skip
        try:
            tally, elapsed = await run(spec)
        finally:
            for server in servers:
                server.close()
        summary = loadgen.summarize(spec, tally, elapsed)
        summary["ports"] = ports
        return summary

    return asyncio.run(main())


@pytest.mark.network
@pytest.mark.parametrize(
    ("run", "options"),
    [
        (loadgen.closed_loop, {"mode": "closed", "concurrency": 4}),
        (loadgen.open_loop, {"mode": "open", "concurrency": 4, "rate": 200.0}),
    ],
)
def test_load_spreads_connections_over_ports(
    run: Callable[[loadgen.Spec], Awaitable[tuple[loadgen.Tally, float]]],
    options: dict[str, object],
) -> None:
    summary = _against_two_servers(run, **options)
    by_port = summary["answers_by_port"]
    assert isinstance(by_port, dict)
    assert sorted(by_port) == sorted(str(p) for p in summary["ports"])  # type: ignore[attr-defined]
    counts = sorted(by_port.values())
    assert counts[0] > 0
    assert counts[1] <= 2 * counts[0] + 2  # round-robin: about even
    assert summary["statuses"] == {"201": summary["requests"]}
    window = summary["window"]
    assert isinstance(window, dict)
    assert window["end"] > window["start"]
    assert window["cpu_s"] >= 0


def test_cpu_monitor_sees_work_in_its_window() -> None:
    with busy.CpuMonitor({"me": [os.getpid()]}, interval=0.02) as monitor:
        time.sleep(0.05)
        start = time.time()
        end_cpu = time.process_time() + 0.15
        while time.process_time() < end_cpu:
            pass
        end = time.time()
        time.sleep(0.05)
    used = monitor.between(start, end)
    assert 0.05 <= used["me"] <= 2 * (end - start) + 0.1  # its sampling thread counts too
    assert used[busy.MACHINE] >= used["me"] - 0.05  # the machine includes this process
    assert monitor.between(start, start) == {"me": 0.0, busy.MACHINE: 0.0}


@pytest.mark.network
@pytest.mark.skipif(
    not os.environ.get("VCSERVICE_BENCH_REPLICAS"),
    reason="10-20 s; set VCSERVICE_BENCH_REPLICAS=1 (make bench runs the section too)",
)
def test_spends_spread_over_two_replicas(postgres_server: PostgresServer) -> None:
    results = Results(quick=True, cpu=None)
    results.figures["http.verify.w2"] = {"ok_rate": 1.0}  # what the HTTP section would give
    pg = Postgres(postgres_server.url("postgres"), "test")  # a fresh database is made from it
    budget = replicas.ReplicaBudget(duration=0.3, warmup=0.1, replicas=2, per_replica=1)
    replicas.run(results, budget, pg, ledger.spend_bodies)

    one, spread = results.figures["ledger.replicas.one"], results.figures["ledger.replicas.all"]
    assert len(one["answers_by_port"]) == 1
    assert len(spread["answers_by_port"]) == 2  # both replicas answered
    assert set(spread["statuses"]) == {"201"}
    assert spread["scaling"] > 0
    assert spread["cpu"]["servers_cpu_s"] > 0
    opened = results.figures["ledger.replicas.open"]
    assert opened["offered_rate"] == pytest.approx(0.8 * spread["ok_rate"])
    assert set(opened["statuses"]) == {"201"}

    evaluate(results)
    verdicts = {t.name: t.verdict for t in results.targets if "replicas" in t.name}
    assert len(verdicts) == 2
    assert "SKIP" not in verdicts.values()
