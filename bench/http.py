"""HTTP figures: ``POST /credentials/verify`` and ``/credentials/issue`` over loopback, with 1
and 2 uvicorn worker processes (``vcservice serve --workers N``, SQLite in a temporary
directory), driven by :mod:`bench.loadgen` in its own process.

* closed loop: the rate the server sustains with ``concurrency`` connections, and p50/p99;
* open loop at a fixed offered rate (1,000 req/s, the target) for vc+jwt verify: the rate
  achieved and p50/p99 measured from each request's scheduled time;
* issue (vc+jwt with a revocation status entry, as certifiers issue): closed loop, then, on 2
  workers, an open loop offered at :data:`ISSUE_OPEN_FRACTION` of the issue rate just measured
  (issue 20's latency target);
* bulk issuance (:mod:`bench.bulk`) on the ``bulk_workers`` server.

Pinning: with 1 worker, the server gets one core and the load generator another (when there
are two); with 2 workers the server gets two cores and the load generator a third, or, on a
2-core machine, nothing is pinned and all three processes share both cores (reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench import bulk
from bench._timing import allowed_cpus
from bench.credentials import FORMATS, issue
from bench.fixtures import Sample, signer, small_attestation
from bench.issued import has_status_entry
from bench.report import Results, Table, ms
from bench.server import Server, load, serve
from vcservice.keys import KeyType

#: Issue 20: the issue latency target is judged in an open loop offered at this fraction of the
#: closed-loop issue rate of the same server: a load the server sustains with headroom, as a
#: service is run, not the saturation the closed loop measures (there p99 is queueing).
ISSUE_OPEN_FRACTION = 0.8
#: A status entry on every issued credential (BitstringStatusList, revocation): the common case
#: for certifiers, and the one that allocates a status index in the issuing transaction.
STATUS_ENTRY = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}


@dataclass(frozen=True)
class HttpBudget:
    duration: float
    warmup: float
    open_duration: float
    worker_counts: tuple[int, ...] = (1, 2)
    open_workers: tuple[int, ...] = (2,)
    offered_rate: float = 1000.0
    #: The worker counts with a fixed-rate issue row (issue 20's target is on 2 workers).
    issue_open_workers: tuple[int, ...] = (2,)
    #: The server (worker count) the bulk issuance figure runs on; None: not measured.
    bulk_workers: int | None = 2
    bulk_items: int = 100
    #: The bulk figure's shortest measured window: a batch of 100 takes about a second, and a
    #: closed loop counts whole requests, so a 2-second window would give a few of them.
    bulk_min_duration: float = 4.0


def placement(workers: int) -> tuple[list[int] | None, int | None, str]:
    """(server cores, load-generator core, description) for ``workers`` workers."""
    cpus = allowed_cpus()
    if len(cpus) >= workers + 1:
        server = cpus[-workers:]
        return server, cpus[0], f"server on cores {server}, load generator on core {cpus[0]}"
    return None, None, f"not pinned: server and load generator share all {len(cpus)} cores"


def issue_body() -> dict[str, Any]:
    """The small attestation to issue as vc+jwt with a revocation status entry."""
    credential = small_attestation()
    del credential["issuer"], credential["id"]  # the service binds its tenant and assigns an id
    return {
        "credential": credential,
        "options": {"format": "vc+jwt", "credentialStatus": STATUS_ENTRY},
    }


def verify_body() -> dict[str, Any]:
    sample = Sample("small", "small attestation", small_attestation())
    return {"verifiableCredential": issue(sample, FORMATS[0], signer(KeyType.ED25519))}


def _check(server: Server, verify: dict[str, Any], issuing: dict[str, Any]) -> None:
    with server.client() as client:
        answer = client.post("/credentials/verify", json=verify)
        if answer.status_code != 200:
            raise RuntimeError(f"verify answered {answer.status_code}: {answer.text[:500]}")
        answer = client.post(
            "/credentials/issue",
            json=issuing,
            headers={"Authorization": f"Bearer {server.api_key}"},
        )
        if answer.status_code != 201:
            raise RuntimeError(f"issue answered {answer.status_code}: {answer.text[:500]}")
        if not has_status_entry(answer.json()["verifiableCredential"]):
            raise RuntimeError(f"issued without a status entry: {answer.text[:500]}")


def _row(results: Results, key: str, label: str, outcome: dict[str, Any], where: str) -> list[str]:
    results.figures[key] = {**outcome, "placement": where}
    errors = {s: n for s, n in outcome["statuses"].items() if not s.startswith("2")}
    offered = outcome.get("offered_rate")
    return [
        label,
        "—" if offered is None else f"{offered:,.0f}/s",
        str(outcome["concurrency"]),
        f"{outcome['ok_rate']:,.0f}/s",
        ms(outcome["p50_s"]),
        ms(outcome["p99_s"]),
        ", ".join(f"{s}: {n}" for s, n in errors.items()) or "none",
        where,
    ]


def run(results: Results, budget: HttpBudget) -> None:
    table = results.table(
        "HTTP over loopback (uvicorn workers, SQLite; load generator in its own process)",
        "request",
        "offered",
        "connections",
        "achieved (2xx)",
        "p50",
        "p99",
        "non-2xx",
        "placement",
    )
    table.notes.append(
        "Closed loop (offered —): each connection sends its next request when the previous "
        "answer arrives. Open loop: requests scheduled at the offered rate on a pool of "
        "connections; latency from the scheduled time. The credential is the small "
        "attestation (vc+jwt EdDSA, did:key); issue stores it (SQLite) and signs as a tenant, "
        "with a revocation status entry (an index in the tenant's status list). The fixed-rate "
        f"issue row is offered at {ISSUE_OPEN_FRACTION:.0%} of the closed-loop issue rate "
        "just above it."
    )
    verify, issuing = verify_body(), issue_body()
    for workers in budget.worker_counts:
        server_cpus, load_cpu, where = placement(workers)
        with serve(workers=workers, cpus=server_cpus) as server:
            _check(server, verify, issuing)
            concurrency = 8 * workers
            common: dict[str, Any] = {
                "concurrency": concurrency,
                "duration": budget.duration,
                "warmup": budget.warmup,
                "cpu": load_cpu,
            }
            outcome = load(server, "/credentials/verify", [verify], mode="closed", **common)
            table.add(
                *_row(
                    results,
                    f"http.verify.w{workers}",
                    f"verify, {workers} worker(s)",
                    outcome,
                    where,
                )
            )
            if workers in budget.open_workers:
                outcome = load(
                    server,
                    "/credentials/verify",
                    [verify],
                    mode="open",
                    rate=budget.offered_rate,
                    concurrency=64,
                    duration=budget.open_duration,
                    warmup=budget.warmup,
                    cpu=load_cpu,
                )
                table.add(
                    *_row(
                        results,
                        f"http.verify.w{workers}.open",
                        f"verify, {workers} worker(s), fixed rate",
                        outcome,
                        where,
                    )
                )
            _issue(results, table, server, budget, issuing, common, where)


def _issue(results: Results, table: Table, server: Server, budget: HttpBudget,
           issuing: dict[str, Any], common: dict[str, Any], where: str) -> None:  # fmt: skip
    """The issue rows on ``server``: closed loop, then (on ``issue_open_workers``) an open loop
    at :data:`ISSUE_OPEN_FRACTION` of that rate, then (on ``bulk_workers``) the bulk
    figure against that rate."""
    workers = server.workers
    outcome = load(server, "/credentials/issue", [issuing], mode="closed", auth=True, **common)
    key = f"http.issue.w{workers}"
    table.add(*_row(results, key, f"issue, {workers} worker(s)", outcome, where))
    single_rate = float(outcome["ok_rate"])
    if workers in budget.issue_open_workers and single_rate > 0:
        outcome = load(
            server,
            "/credentials/issue",
            [issuing],
            mode="open",
            auth=True,
            rate=ISSUE_OPEN_FRACTION * single_rate,
            concurrency=64,
            duration=budget.open_duration,
            warmup=budget.warmup,
            cpu=common["cpu"],
        )
        label = f"issue, {workers} worker(s), fixed rate"
        table.add(*_row(results, f"{key}.open", label, outcome, where))
    if workers == budget.bulk_workers:
        batches = bulk.BulkBudget(
            items=budget.bulk_items,
            duration=max(budget.duration, budget.bulk_min_duration),
            warmup=budget.warmup,
            concurrency=2 * workers,
            cpu=common["cpu"],
        )
        bulk.run(results, server, batches, issuing, single_rate, where)
