"""Status lists at scale (issue 20, ``make bench-status``): a million credentials with a status
entry each on PostgreSQL, then what that costs and whether it still verifies.

On a throwaway PostgreSQL (:func:`bench.postgres.postgres`), one tenant issues ``--count``
credentials (default 1,000,000; vc+jwt, Ed25519, one revocation entry each) through the
service layer, in process, from ``--workers`` processes (default 2, one per core of the
machine the figures are for), each calling ``Service.issue_batch`` with ``--batch`` credentials
at a time (default 200). In process rather than over HTTP because the figure is about the
status lists and the database, not request parsing: HTTP would add about 3 ms of CPU per
credential (the single-issue benchmark's ~240/s per worker), an hour for the million on two
cores, while a batch signs each credential on its own and stores the batch in one transaction
(``vcservice.service.batch``), so two processes get through the million in about a quarter of
an hour. Both workers share the tenant's lists through the database, as replicas do.

Then it reports: the total time and rate; ``pg_database_size``; the lists (how many, their
length and fill: slots handed out, entries held, gaps); the size of one signed list
credential as served (its JSON body); the time to re-sign a list after one bit flips (a
credential of the sample revoked, then the list credential fetched, which re-signs it: the
median of ``--resigns`` runs, with the cached fetch that follows for contrast); and a random
sample (``--verify``, default 100) of the issued credentials verified by the service's own
verifier with their status checked: all must verify, then one revoked must show revoked.

Markdown is printed and saved with the JSON under ``bench/results/status-<timestamp>.*``
(``status-latest.*`` is the newest; the main benchmark's ``latest.*`` is left alone).
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import SecretStr
from sqlalchemy import text
from starlette.responses import JSONResponse

from bench.fixtures import small_attestation
from bench.postgres import Postgres, PostgresUnavailableError, postgres
from bench.report import RESULTS_DIR, Results, machine_info, ms
from vcservice.checks import STATUS_REVOCATION
from vcservice.errors import VCServiceError
from vcservice.report import Outcome, VerificationReport
from vcservice.service import IssueCommand, Service, StatusChange
from vcservice.settings import Settings

PUBLIC_URL = "http://localhost:8000"
SECRET = "B" * 43  # 32 bytes of base64url: a throwaway database
PURPOSE: Final = "revocation"


@dataclass(frozen=True)
class Plan:
    count: int
    workers: int
    batch: int
    verify: int
    resigns: int


def _settings(url: str) -> Settings:
    return Settings(database_url=url, public_url=PUBLIC_URL, secret_key=SecretStr(SECRET))


def _credential() -> dict[str, Any]:
    credential = small_attestation()
    del credential["issuer"], credential["id"]  # the service binds its tenant and assigns an id
    return credential


def _issue(url: str, tenant_id: str, count: int, batch: int, keep: int, seed: int) -> Any:
    """One worker: issue ``count`` credentials in batches; a reservoir sample of ``keep``."""
    service = Service.from_settings(_settings(url))
    try:
        tenant = service.store.tenant(tenant_id)
        template = _credential()
        rng = random.Random(seed)  # noqa: S311 - a sample, not a secret
        kept: list[tuple[str, Any]] = []
        issued = 0
        start, cpu = time.perf_counter(), time.process_time()
        while issued < count:
            size = min(batch, count - issued)
            commands = [
                IssueCommand(credential=dict(template), format="vc+jwt", status_purposes=(PURPOSE,))
                for _ in range(size)
            ]
            for outcome in service.issue_batch(tenant, commands):
                if isinstance(outcome, VCServiceError):
                    raise RuntimeError(f"an issue was refused: {outcome}")
                issued += 1
                if len(kept) < keep:
                    kept.append((outcome.id, outcome.secured))
                elif (slot := rng.randrange(issued)) < keep:
                    kept[slot] = (outcome.id, outcome.secured)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return {"issued": issued, "seconds": seconds, "cpu": cpu, "sample": kept}
    finally:
        service.close()


def _issue_all(url: str, tenant_id: str, plan: Plan) -> tuple[float, float, list[Any]]:
    """Wall time, the workers' CPU time (theirs alone, not the server's) and their samples."""
    shares = [
        plan.count // plan.workers + (n < plan.count % plan.workers) for n in range(plan.workers)
    ]
    keep = plan.verify + plan.resigns + 1
    context = multiprocessing.get_context("spawn")  # each worker builds its own service
    start = time.perf_counter()
    with context.Pool(plan.workers) as pool:
        done = [
            pool.apply_async(_issue, (url, tenant_id, share, plan.batch, keep, n))
            for n, share in enumerate(shares)
        ]
        outcomes = [result.get() for result in done]
    elapsed = time.perf_counter() - start
    if sum(o["issued"] for o in outcomes) != plan.count:
        raise RuntimeError("the workers issued fewer credentials than asked")
    sample = [entry for o in outcomes for entry in o["sample"]]
    random.Random(0).shuffle(sample)  # noqa: S311 - a sample, not a secret
    return elapsed, sum(o["cpu"] for o in outcomes), sample


def _lists(service: Service) -> list[dict[str, Any]]:
    query = text(
        "SELECT l.id, l.length, l.next_slot, l.full, count(a.idx) AS held "
        "FROM status_lists l LEFT JOIN status_allocations a ON a.list_id = l.id "
        "GROUP BY l.id, l.length, l.next_slot, l.full, l.created_at ORDER BY l.created_at"
    )
    with service.store.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def _database_size(service: Service) -> int:
    with service.store.engine.connect() as connection:
        size = connection.scalar(text("SELECT pg_database_size(current_database())"))
    return int(size or 0)


def _list_of(secured: Any) -> str:
    """The status list id of an issued vc+jwt (its payload, unverified)."""
    token = secured["id"].split(",", 1)[1]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    status = claims["credentialStatus"]
    return str(status["statusListCredential"]).rsplit("/", 1)[1]


def _status_valid(report: VerificationReport) -> bool:
    """Verified, with the revocation entry checked against its list (and not set)."""
    return report.verified and any(
        c.id == STATUS_REVOCATION and c.outcome is Outcome.PASSED for c in report.checks
    )


def run(plan: Plan, pg: Postgres) -> Results:
    """Issue, measure and verify on the empty database of ``pg``."""
    results = Results(quick=False, cpu=None)
    results.machine = {**machine_info(), "PostgreSQL": pg.version}
    started = time.monotonic()
    service = Service.from_settings(_settings(pg.url))
    try:
        api_key = service.create_tenant("bench")["api_key"]
        tenant = service.tenant_by_api_key(api_key)
        assert tenant is not None
        print(f"issuing {plan.count:,} credentials ...", file=sys.stderr, flush=True)
        seconds, cpu, sample = _issue_all(pg.url, tenant.id, plan)
        lists = _lists(service)
        size = _database_size(service)
        to_verify, to_revoke = sample[: plan.verify], sample[plan.verify :]
        reports = [service.verify_credential(secured) for _, secured in to_verify]
        valid = sum(_status_valid(r) for r in reports)
        revoked_id, revoked = to_verify[0]
        service.update_status(tenant, revoked_id, [StatusChange(PURPOSE, True)])
        shows_revoked = service.verify_credential(revoked).has_failed(STATUS_REVOCATION)
        resign, cached = [], []
        for credential_id, secured in to_revoke[: plan.resigns]:
            list_id = _list_of(secured)
            service.update_status(tenant, credential_id, [StatusChange(PURPOSE, True)])
            t0 = time.perf_counter()
            service.status_list_credential(list_id)
            t1 = time.perf_counter()
            service.status_list_credential(list_id)
            cached.append(time.perf_counter() - t1)
            resign.append(t1 - t0)
        found = service.status_list_credential(_list_of(revoked))
        assert found is not None
        served = len(JSONResponse(found[0]).body)
    finally:
        service.close()
    results.seconds = time.monotonic() - started
    timings = (seconds, cpu, resign, cached)
    _report(results, plan, timings, size, lists, served, valid, shows_revoked)
    return results


def _report(
    results: Results,
    plan: Plan,
    timings: tuple[float, float, list[float], list[float]],
    size: int,
    lists: list[dict[str, Any]],
    served: int,
    valid: int,
    shows_revoked: bool,
) -> None:
    seconds, cpu, resign, cached = timings
    held = sum(row["held"] for row in lists)
    handed = sum(min(row["next_slot"], row["length"]) for row in lists)
    fills = [row["held"] / row["length"] for row in lists]
    table = results.table("Status lists at scale (PostgreSQL)", "figure", "value")
    table.add("credentials issued (vc+jwt, one revocation entry each)", f"{plan.count:,}")
    table.add("workers × batch", f"{plan.workers} processes × {plan.batch}")
    table.add("total time", f"{seconds:.1f} s")
    table.add("rate", f"{plan.count / seconds:,.0f} credentials/s")
    table.add("workers' CPU per credential (without the server's)", ms(cpu / plan.count))
    table.add("database size (pg_database_size)", f"{size / 2**20:,.1f} MiB")
    table.add("per credential", f"{size / plan.count:,.0f} bytes")
    table.add("status lists", f"{len(lists)} ({sum(r['full'] for r in lists)} full)")
    table.add("list lengths", ", ".join(sorted({f"{r['length']:,}" for r in lists})))
    table.add(
        "fill (entries held / length)",
        f"min {min(fills):.1%}, median {statistics.median(fills):.1%}, max {max(fills):.1%}",
    )
    table.add("slots handed out, of them gaps", f"{handed:,}, {handed - held:,}")
    table.add("signed list credential as served", f"{served:,} bytes")
    table.add(
        f"re-sign after one bit flip (median of {len(resign)})", ms(statistics.median(resign))
    )
    table.add("fetch when unchanged (cached)", ms(statistics.median(cached)))
    table.add("sample verified with status", f"{valid} / {plan.verify} valid")
    table.add("one of them revoked, verified again", "revoked" if shows_revoked else "NOT revoked")
    table.notes.append(
        "In process through the service layer (`Service.issue_batch`), one tenant, workers as "
        "replicas on one database; the PostgreSQL server shares the machine's cores."
    )
    results.figures["status_scale"] = {
        "count": plan.count,
        "worker_cpu_s": cpu,
        "workers": plan.workers,
        "batch": plan.batch,
        "seconds": seconds,
        "rate_per_s": plan.count / seconds,
        "database_bytes": size,
        "lists": lists,
        "entries_held": held,
        "slots_handed_out": handed,
        "list_credential_bytes": served,
        "resign_s": resign,
        "cached_fetch_s": cached,
        "verified_valid": valid,
        "verified_total": plan.verify,
        "revoked_shows_revoked": shows_revoked,
    }


def markdown(results: Results) -> str:
    """The machine and the figures (no targets: this run has none)."""
    parts = [
        f"## vcservice status-list benchmark {results.started}: {results.seconds:.0f} s",
        results.machine_markdown(),
        *(table.markdown() for table in results.tables),
    ]
    return "\n\n".join(parts) + "\n"


def save(results: Results, directory: Path = RESULTS_DIR) -> list[Path]:
    """``status-<timestamp>`` and ``status-latest`` (.md and .json) under bench/results/."""
    directory.mkdir(parents=True, exist_ok=True)
    text_ = markdown(results)
    data = json.dumps(results.to_json(), indent=2, default=str) + "\n"
    written = []
    for stem in (f"status-{results.started}", "status-latest"):
        for suffix, content in ((".md", text_), (".json", data)):
            path = directory / f"{stem}{suffix}"
            path.write_text(content, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.status_scale", description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--verify", type=int, default=100)
    parser.add_argument("--resigns", type=int, default=7)
    args = parser.parse_args(argv)
    if min(args.verify, args.resigns, args.workers, args.batch) < 1 or args.count <= (
        args.verify + args.resigns
    ):
        parser.error("every option is at least 1, and --count more than --verify + --resigns")
    plan = Plan(args.count, args.workers, args.batch, args.verify, args.resigns)
    try:
        with postgres() as pg:
            results = run(plan, pg)
    except PostgresUnavailableError as exc:
        print(f"no PostgreSQL: {exc}", file=sys.stderr)
        return 1
    print(markdown(results))
    for path in save(results):
        print(f"saved {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
