"""Ledger figures: credit spends per second under contention, through the HTTP service.

A tenant issues :data:`ACCOUNTS` MakeEvents, each crediting a large certified quantity of one
product (one ledger account each). Then the load generator issues MoveEvents as fast as the
service takes them, ``concurrency`` at a time, each spending a small amount from one of those
few accounts (round-robin): every request is a debit of a contended account (and a credit to
the consignee), posted in the transaction that stores the credential. The figure is the rate
of successful (201) spends; a 409 would be a refused spend. SQLite (temporary file) and a
throwaway PostgreSQL (:mod:`bench.postgres`; skipped with a message when unavailable).

The events are built with ``tests/ledger/events.py`` (the copper chain, cut down).

On PostgreSQL the same spends also run on ``replicas`` servers sharing one database
(:mod:`bench.replicas`, issue 20).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench import replicas
from bench.http import placement
from bench.postgres import PostgresUnavailableError, postgres
from bench.report import Results, ms
from bench.server import Server, load, serve
from tests.ledger.events import CONCENTRATE, certified, link, make_event, move_event, product
from vcservice.links import digest_bytes, digest_document

ACCOUNTS = 4
CATHODE = "https://id.smelter.example/01/07350000000019/10/CU80-2026-{}"
MINE = link("https://credentials.mine.example/dpp", digest_bytes(b"a mine passport"))


@dataclass(frozen=True)
class LedgerBudget:
    duration: float
    warmup: float
    concurrency: int = 16
    workers: int = 2
    #: Servers on one PostgreSQL database for the replica figures (0: not measured), and the
    #: connections per server loaded.
    replicas: int = 3
    per_replica: int = 4


def opening_event(product_id: str, tonnes: float) -> dict[str, Any]:
    """A MakeEvent crediting ``tonnes`` of ``product_id`` (its input is an origin)."""
    concentrate = product(CONCENTRATE, [certified(2 * tonnes)], [MINE])
    return make_event([product(product_id, [certified(tonnes)])], [concentrate])


def spend_event(product_id: str, tonnes: float, source: list[dict[str, Any]]) -> dict[str, Any]:
    """A crediting MoveEvent spending ``tonnes`` of the account ``source`` names."""
    return move_event(product(product_id, [certified(tonnes, source=source)]))


def spend_bodies(server: Server) -> list[dict[str, Any]]:
    """Open the accounts (one MakeEvent each); one spend request body per account."""
    bodies = []
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with server.client() as client:
        for index in range(ACCOUNTS):
            product_id = CATHODE.format(index)
            answer = client.post(
                "/credentials/issue",
                json={"credential": opening_event(product_id, 1_000_000)},
                headers=headers,
            )
            if answer.status_code != 201:
                raise RuntimeError(f"make event refused: {answer.status_code} {answer.text[:500]}")
            digest = digest_document(answer.json()["verifiableCredential"])
            source = [link(f"https://smelter.example/make/{index}", digest)]
            bodies.append({"credential": spend_event(product_id, 0.001, source)})
        answer = client.post("/credentials/issue", json=bodies[0], headers=headers)
        if answer.status_code != 201:
            raise RuntimeError(f"spend refused: {answer.status_code} {answer.text[:500]}")
    return bodies


def _measure(results: Results, table: Any, key: str, label: str, server: Server,
             budget: LedgerBudget, where: str) -> None:  # fmt: skip
    bodies = spend_bodies(server)
    _, load_cpu, _ = placement(budget.workers)
    outcome = load(
        server,
        "/credentials/issue",
        bodies,
        mode="closed",
        auth=True,
        concurrency=budget.concurrency,
        duration=budget.duration,
        warmup=budget.warmup,
        cpu=load_cpu,
    )
    results.figures[key] = outcome
    refused = {s: n for s, n in outcome["statuses"].items() if not s.startswith("2")}
    table.add(
        label,
        ACCOUNTS,
        budget.concurrency,
        f"{outcome['ok_rate']:,.0f}/s",
        ms(outcome["p50_s"]),
        ms(outcome["p99_s"]),
        ", ".join(f"{s}: {n}" for s, n in refused.items()) or "none",
        where,
    )


def run(
    results: Results,
    budget: LedgerBudget,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
) -> None:
    table = results.table(
        f"Ledger: concurrent credit spends through POST /credentials/issue "
        f"({budget.workers} workers, closed loop)",
        "database",
        "accounts",
        "concurrent requests",
        "spends (201)",
        "p50",
        "p99",
        "refused",
        "placement",
    )
    table.notes.append(
        "Each request issues a vc+jwt MoveEvent that debits one of the accounts (round-robin) "
        "and credits the consignee, in the transaction that stores the credential."
    )
    server_cpus, _, where = placement(budget.workers)
    if "sqlite" in backends:
        with serve(workers=budget.workers, cpus=server_cpus) as server:
            _measure(results, table, "ledger.sqlite", "SQLite", server, budget, where)
    if "postgresql" not in backends:
        return
    try:
        with postgres() as pg:
            results.machine["PostgreSQL"] = pg.version
            with serve(workers=budget.workers, database_url=pg.url, cpus=server_cpus) as server:
                label = f"PostgreSQL {pg.version}"
                _measure(results, table, "ledger.postgresql", label, server, budget, where)
            if budget.replicas:
                spread = replicas.ReplicaBudget(
                    duration=budget.duration,
                    warmup=budget.warmup,
                    replicas=budget.replicas,
                    per_replica=budget.per_replica,
                )
                replicas.run(results, spread, pg, spend_bodies)
    except PostgresUnavailableError as exc:
        results.skip(f"ledger on PostgreSQL: {exc}")
        table.add("PostgreSQL", "—", "—", "skipped", "—", "—", "—", str(exc)[:80])
