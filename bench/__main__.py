"""``python -m bench [--quick]``: every figure of issue 8, issue 13's hostile-input figures and
issue 15's federation figures, in one run (``make bench`` / ``make bench-quick``); see
docs/benchmarks.md.

The process pins itself to one core; servers, load generator and PostgreSQL are placed
explicitly (see :mod:`bench.http`). Results are printed as Markdown and saved under
``bench/results/`` (``<timestamp>.json``/``.md`` and ``latest.*``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import credentials, federation, graphs, hostile_http, http, ledger, receipts
from bench import node as node_baseline
from bench._timing import allowed_cpus, pin_to_one_core
from bench.fixtures import samples
from bench.report import RESULTS_DIR, Results, machine_info, ms
from bench.targets import evaluate

SECTIONS = ("credentials", "node", "graphs", "http", "hostile", "ledger", "federation")


@dataclass(frozen=True)
class Plan:
    budget: credentials.Budget
    node_runs: int
    node_seconds: float
    node_samples: tuple[str, ...]
    graph_sizes: tuple[int, ...]
    graph_runs: Callable[[int], int]
    graph_warmup_large: bool
    http: http.HttpBudget
    hostile: hostile_http.HostileBudget
    ledger: ledger.LedgerBudget
    federation: federation.FederationBudget
    receipts: receipts.ReceiptBudget


QUICK = Plan(
    budget=credentials.Budget(runs=25, max_seconds=0.2),
    node_runs=40,
    node_seconds=1.0,
    node_samples=("small", "plain"),
    graph_sizes=(10, 100, 1000, 10_000),
    graph_runs=lambda size: {10: 7, 100: 3}.get(size, 1),
    graph_warmup_large=False,
    http=http.HttpBudget(duration=2.0, warmup=0.5, open_duration=3.0),
    hostile=hostile_http.HostileBudget(passes=1, duration=3.0, warmup=0.5),
    ledger=ledger.LedgerBudget(duration=2.0, warmup=0.5),
    federation=federation.FederationBudget(spends=30, warmup=5),
    receipts=receipts.ReceiptBudget(size=1000, runs=3, alone_runs=3),
)
FULL = Plan(
    budget=credentials.Budget(runs=201, max_seconds=2.0, warmup=5),
    node_runs=201,
    node_seconds=4.0,
    node_samples=("small", "plain", "dpp"),
    graph_sizes=(10, 100, 1000, 10_000),
    graph_runs=lambda size: {10: 31, 100: 9, 10_000: 3}.get(size, 5),
    graph_warmup_large=True,
    http=http.HttpBudget(duration=10.0, warmup=2.0, open_duration=10.0, open_workers=(1, 2)),
    hostile=hostile_http.HostileBudget(passes=3, duration=10.0, warmup=2.0),
    ledger=ledger.LedgerBudget(duration=8.0, warmup=2.0),
    federation=federation.FederationBudget(spends=200, warmup=10),
    receipts=receipts.ReceiptBudget(size=1000, runs=9, alone_runs=9),
)


def _section(title: str) -> float:
    print(f"[bench] {title} …", file=sys.stderr, flush=True)
    return time.monotonic()


def _done(start: float) -> None:
    print(f"[bench]   {time.monotonic() - start:.1f} s", file=sys.stderr, flush=True)


def run_node(results: Results, plan: Plan, cpu: int | None) -> None:
    table = results.table(
        "Digital Bazaar baseline (@digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite, Node, "
        "same contexts from files), median",
        "credential",
        "DB issue",
        "DB verify",
        "ours issue (eddsa-rdfc-2022)",
        "ours verify (eddsa-rdfc-2022)",
        "ours / DB (issue, verify)",
    )
    chosen = {s.key: s for s in samples() if s.key in plan.node_samples}
    try:
        result = node_baseline.run(
            {key: s.credential for key, s in chosen.items()},
            runs=plan.node_runs,
            warmup=5,
            max_seconds=plan.node_seconds,
            cpu=cpu,
        )
    except node_baseline.NodeUnavailableError as exc:
        results.skip(f"Digital Bazaar baseline: {exc}")
        table.notes.append(f"Skipped: {exc}")
        return
    for name, version in result.versions.items():
        results.machine[f"Node: {name}" if name != "node" else "Node"] = version
    for key, timing in result.timings.items():
        results.figures[f"db.issue.{key}"] = timing["issue"]
        results.figures[f"db.verify.{key}"] = timing["verify"]
        db_issue, db_verify = timing["issue"]["median_s"], timing["verify"]["median_s"]
        ours_issue = results.figures.get(f"issue.eddsa-rdfc-2022.{key}", {}).get("median_s")
        ours_verify = results.figures.get(f"verify.eddsa-rdfc-2022.{key}", {}).get("median_s")
        ratio = (
            f"{ours_issue / db_issue:.2f}×, {ours_verify / db_verify:.2f}×"
            if ours_issue and ours_verify
            else "—"
        )
        table.add(
            chosen[key].label,
            ms(db_issue),
            ms(db_verify),
            ms(ours_issue) if ours_issue else "—",
            ms(ours_verify) if ours_verify else "—",
            ratio,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs (under 2 minutes)")
    parser.add_argument("--cpu", type=int, default=None, help="core to pin to (default: last)")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}"
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if unknown := only - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    plan = QUICK if args.quick else FULL

    started = time.monotonic()
    cpu = pin_to_one_core(args.cpu)
    results = Results(quick=args.quick, cpu=cpu)
    results.machine = machine_info()
    others = [c for c in allowed_cpus() if c != cpu]
    found = samples()

    if "credentials" in only:
        t = _section("raw signatures, canonicalization, issue/verify")
        credentials.raw_signatures(results, plan.budget, credentials.jws_signing_input(found[0]))
        credentials.canonicalization(results, plan.budget, found)
        credentials.issue_and_verify(results, plan.budget, found)
        credentials.breakdown(results, plan.budget, found)
        _done(t)
    if "node" in only:
        t = _section("Digital Bazaar baseline (npm ci + Node)")
        run_node(results, plan, cpu)
        _done(t)
    if "graphs" in only:
        t = _section("provenance graphs")
        graphs.run(
            results,
            sizes=plan.graph_sizes,
            runs=plan.graph_runs,
            cpu=cpu,
            memory_cpu=others[0] if others else cpu,
            warmup_large=plan.graph_warmup_large,
        )
        _done(t)
    if "http" in only:
        t = _section("HTTP")
        http.run(results, plan.http)
        _done(t)
    if "hostile" in only:
        t = _section("hostile input over HTTP (CPU per request, p99 beside it)")
        hostile_http.run(results, plan.hostile)
        _done(t)
    if "ledger" in only:
        t = _section("ledger")
        ledger.run(results, plan.ledger)
        _done(t)
    if "federation" in only:
        t = _section("federation: foreign vs local spends, receipt checks in a graph")
        federation.run(results, plan.federation, cpu)
        receipts.run(results, plan.receipts)
        _done(t)

    evaluate(results)
    results.seconds = time.monotonic() - started
    print(results.markdown())
    if not args.no_save:
        written = results.save(args.out)
        print(f"saved: {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
