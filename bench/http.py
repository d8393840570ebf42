"""HTTP figures: ``POST /credentials/verify`` and ``/credentials/issue`` over loopback, with 1
and 2 uvicorn worker processes (``vcservice serve --workers N``, SQLite in a temporary
directory), driven by :mod:`bench.loadgen` in its own process.

* closed loop: the rate the server sustains with ``concurrency`` connections, and p50/p99;
* open loop at a fixed offered rate (1,000 req/s, the target) for vc+jwt verify: the rate
  achieved and p50/p99 measured from each request's scheduled time.

Pinning: with 1 worker, the server gets one core and the load generator another (when there
are two); with 2 workers the server gets two cores and the load generator a third, or, on a
2-core machine, nothing is pinned and all three processes share both cores (reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench._timing import allowed_cpus
from bench.credentials import FORMATS, issue
from bench.fixtures import Sample, signer, small_attestation
from bench.report import Results, ms
from bench.server import Server, load, serve
from vcservice.keys import KeyType


@dataclass(frozen=True)
class HttpBudget:
    duration: float
    warmup: float
    open_duration: float
    worker_counts: tuple[int, ...] = (1, 2)
    open_workers: tuple[int, ...] = (2,)
    offered_rate: float = 1000.0


def placement(workers: int) -> tuple[list[int] | None, int | None, str]:
    """(server cores, load-generator core, description) for ``workers`` workers."""
    cpus = allowed_cpus()
    if len(cpus) >= workers + 1:
        server = cpus[-workers:]
        return server, cpus[0], f"server on cores {server}, load generator on core {cpus[0]}"
    return None, None, f"not pinned: server and load generator share all {len(cpus)} cores"


def issue_body() -> dict[str, Any]:
    credential = small_attestation()
    del credential["issuer"], credential["id"]  # the service binds its tenant and assigns an id
    return {"credential": credential, "options": {"format": "vc+jwt"}}


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
        "attestation (vc+jwt EdDSA, did:key); issue stores it (SQLite) and signs as a tenant."
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
            outcome = load(
                server, "/credentials/issue", [issuing], mode="closed", auth=True, **common
            )
            table.add(
                *_row(
                    results, f"http.issue.w{workers}", f"issue, {workers} worker(s)", outcome, where
                )
            )
