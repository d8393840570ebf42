"""Bulk issuance figure (issue 20): credentials per second when many are issued in one request.

Certification bodies issue in batches (a smelter's monthly certificates), so the service takes
many credentials in one ``POST /credentials/issue/batch`` (``{"items": [{"credential": …,
"options": …}, …]}``, each item issued atomically on its own). This section sends batches of
``items`` copies of the single-issue body of :mod:`bench.http` (vc+jwt with a revocation
status entry) in a closed loop on the same server as the single issues, and reports
credentials per second and that rate over the single-issue rate of the same server: what a
batch saves per credential (one HTTP round trip, request parsing and authentication per batch
instead of per credential, and whatever the service shares between items). Printed, no target.

One batch is sent first and every item of its answer must be issued (``status`` 201) with a
status entry: the load generator counts answers by HTTP status only, and a batch answers 200
whatever its items' outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.issued import has_status_entry
from bench.report import Results, ms
from bench.server import Server, load

PATH = "/credentials/issue/batch"


@dataclass(frozen=True)
class BulkBudget:
    items: int
    duration: float
    warmup: float
    concurrency: int
    cpu: int | None = None


def batch_body(single: dict[str, Any], items: int) -> dict[str, Any]:
    """A batch of ``items`` copies of one single-issue request body."""
    return {"items": [single for _ in range(items)]}


def issued_items(answer: Any) -> list[Any]:
    """The issued credentials of a batch answer: ``{"items": [{"status": 201,
    "verifiableCredential": …} | {"status": 4xx, "problem": …}, …]}``, in the request's order."""
    entries = answer.get("items") if isinstance(answer, dict) else None
    if not isinstance(entries, list):
        return []
    return [
        entry["verifiableCredential"]
        for entry in entries
        if isinstance(entry, dict)
        and entry.get("status") == 201
        and "verifiableCredential" in entry
    ]


def _check(server: Server, body: dict[str, Any], items: int) -> None:
    """Send one batch: every item must be issued with a status entry."""
    with server.client() as client:
        answer = client.post(PATH, json=body, headers={"Authorization": f"Bearer {server.api_key}"})
    if not answer.is_success:
        raise RuntimeError(f"batch answered {answer.status_code}: {answer.text[:500]}")
    issued = issued_items(answer.json())
    if len(issued) != items or not all(has_status_entry(vc) for vc in issued):
        raise RuntimeError(
            f"batch of {items} gave {len(issued)} credentials with status entries: "
            f"{answer.text[:500]}"
        )


def run(
    results: Results,
    server: Server,
    budget: BulkBudget,
    single: dict[str, Any],
    single_rate: float,
    where: str,
) -> None:
    """The bulk figure on ``server``, against ``single_rate`` single issues/s measured on it."""
    table = results.table(
        f"Bulk issuance: POST {PATH}, {budget.items} credentials per request "
        f"({server.workers} worker(s), SQLite, closed loop)",
        "items per request",
        "connections",
        "requests (2xx)",
        "credentials",
        "per credential vs single issue",
        "p50 per request",
        "p99 per request",
        "non-2xx",
        "placement",
    )
    table.notes.append(
        "Each item is the single-issue body of the HTTP table (vc+jwt, revocation status "
        "entry); one batch was checked first to issue every item. 'vs single issue' is the "
        "credentials per second over the closed-loop single-issue rate on the same server "
        "(> 1× : a batch is cheaper per credential)."
    )
    body = batch_body(single, budget.items)
    _check(server, body, budget.items)
    outcome = load(
        server,
        PATH,
        [body],
        mode="closed",
        auth=True,
        concurrency=budget.concurrency,
        duration=budget.duration,
        warmup=budget.warmup,
        cpu=budget.cpu,
    )
    credentials = float(outcome["ok_rate"]) * budget.items
    relative = credentials / single_rate if single_rate else None
    results.figures["http.bulk"] = {
        **outcome,
        "items": budget.items,
        "credentials_rate": credentials,
        "single_rate": single_rate,
        "ratio": relative,
        "placement": where,
    }
    errors = {s: n for s, n in outcome["statuses"].items() if not s.startswith("2")}
    table.add(
        budget.items,
        budget.concurrency,
        f"{outcome['ok_rate']:,.1f}/s",
        f"{credentials:,.0f}/s",
        "—" if relative is None else f"{relative:.2f}× ({single_rate:,.0f}/s single)",
        ms(outcome["p50_s"]),
        ms(outcome["p99_s"]),
        ", ".join(f"{s}: {n}" for s, n in errors.items()) or "none",
        where,
    )
