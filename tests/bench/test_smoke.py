"""The benchmark machinery (``bench/``, ``make bench``) on tiny sizes, so it does not rot.

No timing is asserted: only that every section runs, verifies what it times, and reports.
The Digital Bazaar baseline needs the npm registry, so here its script is only syntax-checked;
PostgreSQL is left to ``make bench`` (the ledger runs on SQLite here).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bench import credentials, federation, graphs, http, ledger, receipts
from bench.__main__ import main
from bench.fixtures import samples
from bench.report import Results
from bench.targets import evaluate

TINY = credentials.Budget(runs=2, max_seconds=0.01, warmup=0)


def test_credential_figures_and_targets(tmp_path: Path) -> None:
    found = samples()
    assert [s.key for s in found] == ["small", "dpp", "dcc", "dte", "plain"]
    results = Results(quick=True, cpu=None)
    credentials.raw_signatures(results, TINY, credentials.jws_signing_input(found[0]))
    credentials.canonicalization(results, TINY, found)
    few = [found[0], found[3]]  # the small attestation and the DTE: every format, quickly
    credentials.issue_and_verify(results, TINY, few)
    credentials.breakdown(results, TINY, few)
    assert results.figures["canon.dpp"]["quads"] == 421
    assert results.figures["canon.dpp"]["identical"] is True
    assert {f"verify.{f.key}.dte" for f in credentials.FORMATS} <= set(results.figures)

    evaluate(results)
    verdicts = {t.name: t.verdict for t in results.targets}
    assert verdicts["… byte-identical to pyld (rdfc_reference)"] == "PASS"
    assert verdicts["1,000-credential vc+jwt graph verified"] == "SKIP"
    assert verdicts["Receipt checks per debit, 1,000-credential mass-balance graph"] == "SKIP"
    written = results.save(tmp_path)
    assert {p.name for p in written} >= {"latest.json", "latest.md"}
    saved = json.loads((tmp_path / "latest.json").read_text())
    assert saved["figures"]["canon.dpp"]["quads"] == 421
    assert "### Targets" in (tmp_path / "latest.md").read_text()


def test_graph_shapes() -> None:
    chains = graphs.children("chains", 120)
    assert len(chains[0]) == 3  # three chains of at most 50 below the root
    assert sum(len(v) for v in chains.values()) == 119
    tree = graphs.children("tree", 13)
    assert tree[0] == [1, 2, 3]
    assert tree[4] == []
    assert tree[3] == [10, 11, 12]


def test_graph_section_with_memory_subprocess() -> None:
    results = Results(quick=True, cpu=None)
    graphs.run(results, sizes=(10,), runs=lambda _size: 1, cpu=None, memory_cpu=None)
    for shape in graphs.SHAPES:
        figure = results.figures[f"graph.{shape}.10"]
        assert figure["memory"]["verified"] is True
        assert figure["memory"]["peak_rss"] > 0


@pytest.mark.network
def test_http_and_ledger_sections_on_sqlite() -> None:
    results = Results(quick=True, cpu=None)
    budget = http.HttpBudget(
        duration=0.3, warmup=0.1, open_duration=0.3, worker_counts=(1,), open_workers=(1,),
        offered_rate=50, issue_open_workers=(1,), bulk_workers=1, bulk_items=3,
        bulk_min_duration=0.3,
    )  # fmt: skip
    http.run(results, budget)
    assert results.figures["http.verify.w1"]["ok"] > 0
    assert results.figures["http.verify.w1.open"]["statuses"].keys() == {"200"}
    assert results.figures["http.issue.w1"]["ok"] > 0
    issue_open = results.figures["http.issue.w1.open"]
    assert issue_open["offered_rate"] == pytest.approx(
        0.8 * results.figures["http.issue.w1"]["ok_rate"]
    )
    assert issue_open["statuses"].keys() == {"201"}
    bulk = results.figures["http.bulk"]
    assert bulk["credentials_rate"] > 0
    assert bulk["statuses"].keys() == {"200"}
    ledger.run(results, ledger.LedgerBudget(duration=0.3, warmup=0.1, concurrency=2,
                                            workers=1), backends=("sqlite",))  # fmt: skip
    spends = results.figures["ledger.sqlite"]
    assert spends["ok"] > 0
    assert set(spends["statuses"]) == {"201"}


def test_receipt_section_on_a_small_graph() -> None:
    """Every debit of the homed graph passes its receipt check (the section checks it)."""
    results = Results(quick=True, cpu=None)
    receipts.run(results, receipts.ReceiptBudget(size=60, runs=1, alone_runs=1))
    figure = results.figures["receipts.graph"]
    assert figure["size"] == 60
    assert figure["debits"] == 58  # 56 moves (chains of 50 and 8), the root's 2 retirements
    assert figure["receipts"] == 57  # one per debiting credential
    evaluate(results)
    (target,) = [t for t in results.targets if t.name.startswith("Receipt checks")]
    assert target.passed is not None


@pytest.mark.network
def test_federation_section_on_two_servers() -> None:
    results = Results(quick=True, cpu=None)
    federation.run(results, federation.FederationBudget(spends=2, warmup=1), cpu=None)
    spend = results.figures["federation.spend"]
    assert spend["foreign"]["runs"] == spend["local"]["runs"] == 2
    assert spend["ratio"] > 0
    evaluate(results)
    (target,) = [t for t in results.targets if t.name.startswith("Foreign spend")]
    assert target.passed is not None


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")
def test_node_script_parses() -> None:
    script = Path(__file__).resolve().parents[2] / "bench" / "node" / "bench.mjs"
    done = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_unknown_section_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["--only", "nothing"])
