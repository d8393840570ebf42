"""Hostile input over HTTP (issue 13): what the hostile corpus (:mod:`bench.hostile`) costs a
real server, and what it does to ordinary requests running beside it.

* **CPU per hostile request** (figures ``hostile.cpu.*``): ``vcservice serve --workers 1``;
  every document of the corpus is sent alone to ``POST /credentials/verify``, one request at a
  time, after one ordinary verify and one untimed (cold) pass over the corpus. Before and after
  each request the server's CPU time is read from ``/proc/<pid>/stat`` (user + system, summed
  over the server process and its descendants, read once the process has stopped using CPU):
  the difference is that request's CPU. A document's figure is the worst of the timed passes;
  the target is the worst document.
* **p99 of ordinary verifies beside hostile ones** (figures ``hostile.p99.*``):
  ``vcservice serve --workers 2``; an open-loop load of vc+jwt verifies (the small attestation,
  as in :mod:`bench.http`) at a fixed offered rate, first alone, then while a second load
  generator keeps 8 hostile requests in flight (closed loop: 8 connections, each sending the
  next of the most expensive documents of the first figure as soon as its answer arrives).
  Latency counts from each ordinary request's scheduled time (no coordinated omission).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.hostile import Hostile, corpus
from bench.http import _row, placement, verify_body
from bench.report import Results, ms
from bench.server import Server, load, serve

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PATH = "/credentials/verify"


@dataclass(frozen=True)
class HostileBudget:
    #: Timed passes over the corpus (after one untimed, cold pass).
    passes: int
    #: The ordinary load: measured seconds, warm-up seconds, offered rate, connection pool.
    duration: float
    warmup: float
    rate: float = 200.0
    connections: int = 32
    #: Hostile requests kept in flight during the loaded run, and how many of the most
    #: expensive documents (by the CPU figure) they cycle through.
    hostile_clients: int = 8
    expensive: int = 3
    #: Seconds the hostile load runs before the ordinary load starts.
    lead: float = 1.0


# --- CPU time of a process tree ------------------------------------------------------------------
def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds: utime + stime) of one process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state is fields[0]
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by ``root`` and every live descendant."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = found
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _cpu) in stats.items():
        children[parent].append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        if pid in stats:
            total += stats[pid][1]
            stack += children[pid]
    return total


def settled_cpu(root: int, *, interval: float = 0.05, limit: float = 5.0) -> float:
    """:func:`tree_cpu` once two readings ``interval`` apart agree (the tree is idle), or
    after ``limit`` seconds: work a request leaves behind is charged to it."""
    deadline = time.monotonic() + limit
    last = tree_cpu(root)
    while time.monotonic() < deadline:
        time.sleep(interval)
        now = tree_cpu(root)
        if now == last:
            return now
        last = now
    return last


def cpu_available() -> bool:
    return Path("/proc/self/stat").exists()


# --- figure 1: CPU per hostile request -----------------------------------------------------------
def _kind(answer: Any) -> str:
    """What the answer is: a problem's type (the last segment of its URI), "not verified" /
    "verified" for a verification report, "" otherwise."""
    content_type = answer.headers.get("content-type", "")
    if not content_type.startswith(("application/problem+json", "application/json")):
        return ""
    try:
        body = answer.json()
    except ValueError:
        return "?"
    if not isinstance(body, dict):
        return ""
    if content_type.startswith("application/problem+json"):
        return str(body.get("type", "")).rstrip("/").rsplit("/", 1)[-1]
    if "verified" in body:
        return "verified" if body["verified"] is True else "not verified"
    return ""


def _one(server: Server, client: Any, hostile: Hostile) -> dict[str, Any]:
    before = settled_cpu(server.pid)
    start = time.perf_counter()
    answer = client.post(PATH, content=hostile.body, headers={"content-type": "application/json"})
    wall = time.perf_counter() - start
    # Whole clock ticks: the difference of two tick counts, without float residue.
    cpu = round((settled_cpu(server.pid) - before) * _TICKS) / _TICKS
    return {"cpu_s": cpu, "wall_s": wall, "status": answer.status_code, "type": _kind(answer)}


def cpu_per_request(
    results: Results, passes: int, documents: list[Hostile] | None = None
) -> list[tuple[str, float]]:
    """The CPU figure; returns (key, worst CPU seconds) per document, most expensive first."""
    documents = corpus() if documents is None else documents
    table = results.table(
        "Hostile corpus against POST /credentials/verify (1 worker; the server's CPU per "
        "request, one request at a time)",
        "document",
        "body",
        "answer",
        f"server CPU (worst of {passes})",
        "cold pass",
        "wall (worst)",
    )
    tick = 1 / _TICKS
    table.notes.append(
        "CPU: user + system time of the server process and its children from /proc/<pid>/stat "
        f"(resolution {ms(tick)}), read when the process is idle before the request and again "
        "after its answer once it is idle; the cold pass (the first time each document is "
        "sent, after one ordinary verify) is shown but not judged. Documents: bench/hostile.py."
    )
    server_cpus, _load_cpu, where = placement(1)
    with serve(workers=1, cpus=server_cpus) as server, server.client() as client:
        answer = client.post(PATH, json=verify_body())
        if answer.status_code != 200:
            raise RuntimeError(f"verify answered {answer.status_code}: {answer.text[:500]}")
        idle_start = settled_cpu(server.pid)
        time.sleep(1.0)
        idle = tree_cpu(server.pid) - idle_start
        cold = {h.key: _one(server, client, h) for h in documents}
        timed: dict[str, list[dict[str, Any]]] = {h.key: [] for h in documents}
        for _ in range(passes):
            for hostile in documents:
                timed[hostile.key].append(_one(server, client, hostile))
    worst: list[tuple[str, float]] = []
    for hostile in documents:
        runs = timed[hostile.key]
        cpu = max(r["cpu_s"] for r in runs)
        answers = sorted({f"{r['status']} {r['type']}".strip() for r in runs})
        figure = {
            "label": hostile.label,
            "bytes": len(hostile.body),
            "cpu_s": cpu,
            "wall_s": max(r["wall_s"] for r in runs),
            "answers": answers,
            "all_4xx": all(400 <= r["status"] < 500 for r in runs),
            "runs": runs,
            "cold": cold[hostile.key],
        }
        results.figures[f"hostile.cpu.{hostile.key}"] = figure
        worst.append((hostile.key, cpu))
        table.add(
            hostile.label,
            _size(len(hostile.body)),
            ", ".join(answers),
            ms(cpu) if cpu else f"< {ms(tick)}",
            ms(cold[hostile.key]["cpu_s"]) if cold[hostile.key]["cpu_s"] else f"< {ms(tick)}",
            ms(figure["wall_s"]),
        )
    worst.sort(key=lambda kv: kv[1], reverse=True)
    results.figures["hostile.cpu"] = {
        "worst": worst[0][0] if worst else None,
        "worst_cpu_s": worst[0][1] if worst else None,
        "passes": passes,
        "idle_cpu_s_per_s": idle,
        "resolution_s": tick,
        "placement": where,
    }
    table.notes.append(f"Idle server: {ms(idle)} of CPU in 1 s. Placement: {where}.")
    return worst


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB" if n >= 1e3 else f"{n} B"


# --- figure 2: ordinary p99 beside hostile requests ----------------------------------------------
def p99_beside_hostile(results: Results, budget: HostileBudget, hostile: list[Hostile]) -> None:
    """The latency figure: ordinary vc+jwt verifies alone, then with ``hostile`` in flight."""
    table = results.table(
        f"vc+jwt verify beside hostile requests (2 workers; open loop at {budget.rate:,.0f} "
        f"req/s; {budget.hostile_clients} hostile requests in flight)",
        "load",
        "offered",
        "connections",
        "achieved (2xx)",
        "p50",
        "p99",
        "non-2xx",
        "placement",
    )
    table.notes.append(
        "Ordinary: the small attestation (vc+jwt EdDSA, did:key), scheduled at the offered rate "
        "on a pool of connections, latency from each request's scheduled time; first alone, "
        f"then while {budget.hostile_clients} connections of a second load generator keep "
        "sending the hostile documents named in the last row (closed loop: each sends the next "
        f"as soon as its answer arrives; started {budget.lead:g} s before the ordinary load "
        "and stopped after it)."
    )
    server_cpus, load_cpu, where = placement(2)
    verify = verify_body()
    common: dict[str, Any] = {
        "mode": "open",
        "rate": budget.rate,
        "concurrency": budget.connections,
        "duration": budget.duration,
        "warmup": budget.warmup,
        "cpu": load_cpu,
    }
    names = ", ".join(h.key for h in hostile)
    with serve(workers=2, cpus=server_cpus) as server:
        with server.client() as client:
            answer = client.post(PATH, json=verify)
            if answer.status_code != 200:
                raise RuntimeError(f"verify answered {answer.status_code}: {answer.text[:500]}")
        alone = load(server, PATH, [verify], **common)
        with ThreadPoolExecutor(1) as pool:
            background = pool.submit(
                load,
                server,
                PATH,
                [h.body for h in hostile],
                mode="closed",
                concurrency=budget.hostile_clients,
                # the ordinary generator's own start-up (a Python process) is in the margin
                duration=budget.lead + budget.warmup + budget.duration + 1.5,
                warmup=0.0,
                cpu=load_cpu,
                raw=True,
            )
            time.sleep(budget.lead)
            loaded = load(server, PATH, [verify], **common)
            attack = background.result()
    table.add(*_row(results, "hostile.p99.alone", "vc+jwt verify alone", alone, where))
    table.add(
        *_row(
            results,
            "hostile.p99.loaded",
            f"vc+jwt verify, {budget.hostile_clients} hostile requests in flight",
            loaded,
            where,
        )
    )
    table.add(
        *_row(results, "hostile.p99.attack", f"the hostile requests ({names})", attack, where)
    )
    results.figures["hostile.p99.attack"]["documents"] = [h.key for h in hostile]
    results.figures["hostile.p99.loaded"]["hostile_clients"] = budget.hostile_clients


def run(results: Results, budget: HostileBudget) -> None:
    if not cpu_available():
        results.skip("hostile input: no /proc to read a process's CPU time from")
        return
    documents = corpus()
    worst = cpu_per_request(results, budget.passes, documents)
    by_key = {h.key: h for h in documents}
    chosen = [by_key[key] for key, _cpu in worst[: budget.expensive]]
    p99_beside_hostile(results, budget, chosen)


__all__ = [
    "HostileBudget",
    "cpu_per_request",
    "p99_beside_hostile",
    "run",
    "settled_cpu",
    "tree_cpu",
]
