"""The hostile-input section of the benchmark (``bench/hostile_http.py``) on tiny sizes.

No timing is asserted: only that the CPU reading sees a child's work, that both figures are
measured against a real server and that their targets are judged (not skipped).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import hostile_http
from bench.hostile import corpus
from bench.report import Results
from bench.targets import evaluate

pytestmark = pytest.mark.skipif(not hostile_http.cpu_available(), reason="no /proc")


def test_tree_cpu_counts_descendants() -> None:
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"
    wrapper = subprocess.Popen([sys.executable, "-c", parent])  # its child does the work
    try:
        seen = 0.0
        while wrapper.poll() is None:
            seen = max(seen, hostile_http.tree_cpu(wrapper.pid))
    finally:
        wrapper.wait(timeout=30)
    assert seen >= 0.1
    assert hostile_http.tree_cpu(os.getpid()) > 0


@pytest.mark.network
def test_both_figures_against_real_servers() -> None:
    results = Results(quick=True, cpu=None)
    documents = [h for h in corpus() if h.key in {"clique-6", "1e999"}]
    worst = hostile_http.cpu_per_request(results, 1, documents)
    assert {key for key, _cpu in worst} == {"clique-6", "1e999"}
    figure = results.figures["hostile.cpu.1e999"]
    assert figure["all_4xx"], figure
    budget = hostile_http.HostileBudget(
        passes=1, duration=0.3, warmup=0.1, rate=20, connections=4, hostile_clients=2, lead=0.2
    )
    hostile_http.p99_beside_hostile(results, budget, documents)
    assert results.figures["hostile.p99.alone"]["statuses"].keys() == {"200"}
    assert results.figures["hostile.p99.loaded"]["ok"] > 0
    assert results.figures["hostile.p99.attack"]["requests"] > 0
    evaluate(results)
    verdicts = {t.name: t.verdict for t in results.targets}
    hostile = {name: v for name, v in verdicts.items() if "hostile" in name.lower()}
    assert len(hostile) == 2
    assert "SKIP" not in hostile.values()
