"""Provenance graphs of generated vc+jwt credentials: verify time and peak memory.

Two shapes per size, each credential a small UNTP ``Product`` credential whose
``sourceCredential`` links (with ``digestMultibase``) point at its upstream credentials:

* **chains**: the root over straight chains of at most :data:`CHAIN_SEGMENT` credentials (a
  single straight chain of 1,000 would exceed the verifier's default depth limit of 64);
* **tree**: a complete ternary tree (node *i* links to 3i+1 … 3i+3).

Credentials are signed once per run (children first, so each link can carry the digest of what
it points at); the first is issued through :func:`issue_credential` (data-model check), the rest
with the same securing call, since they differ only in ids and links.

Verify time is measured in this (pinned) process with :class:`vcservice.graph.GraphVerifier`,
offline, from a :class:`Bundle`. Peak memory is measured in a fresh subprocess (``python -m
bench.graphs memory ...``): the growth of ``ru_maxrss`` (peak resident set size) during one
verification, after imports and a warm-up verification of a 10-credential graph.
"""

from __future__ import annotations

import gc
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._timing import Timing, measure, on_cpus
from bench.fixtures import AT, CLOCK, UNTP_CONTEXT, signer
from bench.report import Results, ms
from vcservice.graph import Bundle, GraphLimits, GraphVerifier
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyType, Signer
from vcservice.links import digest_document
from vcservice.securing.jose import envelope, issue_vc_jwt

REPO = Path(__file__).resolve().parents[1]
BASE = "https://credentials.example.org/bench/"
CHAIN_SEGMENT = 50
TREE_FANOUT = 3
SHAPES = ("chains", "tree")


@dataclass(frozen=True)
class Graph:
    shape: str
    size: int
    documents: dict[str, Any]

    @property
    def root(self) -> str:
        return url(0)

    @property
    def edges(self) -> int:
        return self.size - 1


def url(index: int) -> str:
    return f"{BASE}c{index}"


def children(shape: str, size: int) -> dict[int, list[int]]:
    """Node index → the indices it links to; node 0 is the root."""
    links: dict[int, list[int]] = {i: [] for i in range(size)}
    if shape == "tree":
        for i in range(size):
            links[i] = [c for c in range(TREE_FANOUT * i + 1, TREE_FANOUT * i + 4) if c < size]
        return links
    if shape != "chains":
        raise ValueError(f"unknown shape {shape!r}")
    rest = list(range(1, size))
    for start in range(0, len(rest), CHAIN_SEGMENT):
        segment = rest[start : start + CHAIN_SEGMENT]
        links[0].append(segment[0])
        for upper, lower in itertools.pairwise(segment):
            links[upper].append(lower)
    return links


def _credential(index: int, links: list[dict[str, Any]], by: Signer) -> dict[str, Any]:
    return {
        "@context": [*UNTP_CONTEXT, "https://w3id.org/critical-minerals/v1"],
        "type": ["VerifiableCredential"],
        "id": f"urn:example:bench:c{index}",
        "issuer": by.controller,
        "validFrom": "2025-06-01T00:00:00Z",
        "credentialSubject": {
            "type": ["Product"],
            "id": f"https://example.org/products/{index}",
            "name": f"Lot {index}",
            "sourceCredential": links,
        },
    }


def _link(index: int, served: Any) -> dict[str, Any]:
    return {
        "linkURL": url(index),
        "linkName": "upstream",
        "mediaType": "application/vc+jwt",
        "digestMultibase": digest_document(served),
    }


def build(shape: str, size: int) -> Graph:
    by = signer(KeyType.ED25519, "graph")
    links = children(shape, size)
    served: dict[int, Any] = {}
    first = True
    for index in reversed(range(size)):  # upstream (higher index) first
        document = _credential(index, [_link(c, served[c]) for c in links[index]], by)
        if first:  # the shape passes the data model: checked once
            served[index] = issue_credential(
                document, by, "vc+jwt", loader=bundled_loader(), clock=lambda: CLOCK
            )
            first = False
        else:
            served[index] = envelope(issue_vc_jwt(document, by))
    return Graph(shape, size, {url(i): served[i] for i in range(size)})


def verify(graph: Graph) -> Any:
    verifier = GraphVerifier(limits=GraphLimits(max_nodes=max(5000, graph.size + 1)))
    return verifier.verify(graph.root, trust_anchors=[], bundle=Bundle(graph.documents), at=AT)


def _keep_last(holder: list[Any], value: Any) -> None:
    holder[:] = [value]


def _checked(graph: Graph, report: Any) -> None:
    if not report.verified or len(report.nodes) != graph.size:
        errors = [c.to_dict() for c in report.errors][:5]
        raise RuntimeError(f"{graph.shape} graph of {graph.size} does not verify: {errors}")


# --- peak memory in a subprocess ------------------------------------------------------------------
def _save(graph: Graph, path: Path) -> None:
    path.write_text(
        json.dumps({"shape": graph.shape, "size": graph.size, "documents": graph.documents}),
        encoding="utf-8",
    )


def _load(path: Path) -> Graph:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Graph(data["shape"], data["size"], data["documents"])


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _status_bytes(field: str) -> int | None:
    """``VmRSS``/``VmHWM`` of this process from /proc (None where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) so it measures from now (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def memory_child(graph_file: Path, warmup_file: Path) -> dict[str, Any]:
    """In the subprocess: warm up, then one verification; ru_maxrss before and after."""
    warmup = _load(warmup_file)
    verify(warmup)
    graph = _load(graph_file)
    gc.collect()
    rss_before = _status_bytes("VmRSS")
    reset = _reset_peak() and rss_before is not None
    start = time.perf_counter()
    report = verify(graph)
    seconds = time.perf_counter() - start
    if reset and (peak := _status_bytes("VmHWM")) is not None and rss_before is not None:
        method, growth = "VmHWM (reset before) − VmRSS before", peak - rss_before
    else:  # the peak since start: an upper bound only if the warm-up peaked lower
        peak = _maxrss_bytes()
        method, growth = "ru_maxrss − VmRSS before", peak - (rss_before or 0)
    return {
        "verified": bool(report.verified),
        "nodes": len(report.nodes),
        "rss_before": rss_before,
        "peak_rss": peak,
        "growth": growth,
        "method": method,
        "seconds": seconds,
    }


@dataclass
class MemoryRun:
    """A memory subprocess under way (it runs beside the timing, on another core)."""

    process: subprocess.Popen[str]
    directory: tempfile.TemporaryDirectory[str]

    def result(self) -> dict[str, Any]:
        try:
            stdout, stderr = self.process.communicate(timeout=900)
            if self.process.returncode != 0:
                raise RuntimeError(f"memory subprocess failed: {stderr[-2000:]}")
            result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
            return result
        finally:
            self.directory.cleanup()


def start_memory(graph: Graph, warmup: Graph, cpu: int | None) -> MemoryRun:
    directory = tempfile.TemporaryDirectory(prefix="vcservice-bench-graph-")
    graph_file, warmup_file = Path(directory.name) / "graph.json", Path(directory.name) / "w.json"
    _save(graph, graph_file)
    _save(warmup, warmup_file)
    command = [sys.executable, "-m", "bench.graphs", "memory", str(graph_file), str(warmup_file)]
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        preexec_fn=on_cpus(None if cpu is None else [cpu]),
    )
    return MemoryRun(process, directory)


def measure_memory(graph: Graph, warmup: Graph, cpu: int | None) -> dict[str, Any]:
    return start_memory(graph, warmup, cpu).result()


# --- the section --------------------------------------------------------------------------------
def run(
    results: Results,
    *,
    sizes: tuple[int, ...],
    runs: Callable[[int], int],
    cpu: int | None,
    memory_cpu: int | None,
    memory: bool = True,
    warmup_large: bool = True,
) -> None:
    """Verify each shape and size; the memory subprocess runs on ``memory_cpu`` meanwhile
    (the same core as the timing when there is only one: then they run one after the other)."""
    table = results.table(
        "Provenance graphs (vc+jwt, offline bundle, GraphVerifier.verify)",
        "shape",
        "credentials",
        "verify (median)",
        "per credential",
        "runs",
        "peak memory growth",
        "peak RSS",
    )
    table.notes.append(
        "Memory: peak resident set size during one verification (Linux `VmHWM`, reset through "
        "`/proc/self/clear_refs` just before) minus the resident set just before it, in a fresh "
        "subprocess after imports, loading the graph and a warm-up verification of a "
        "10-credential graph (`ru_maxrss` where the peak cannot be reset). "
        f"Shapes: *chains* = the root over straight chains of ≤ {CHAIN_SEGMENT}; *tree* = "
        f"complete {TREE_FANOUT}-ary tree."
    )
    warmup = build("tree", 10)
    for shape in SHAPES:
        for size in sizes:
            started = time.monotonic()
            graph = build(shape, size)
            signing = time.monotonic() - started
            pending = None
            if memory and memory_cpu is not None and memory_cpu != cpu:
                pending = start_memory(graph, warmup, memory_cpu)
            reports: list[Any] = []
            timing: Timing = measure(
                lambda g=graph, out=reports: _keep_last(out, verify(g)),  # type: ignore[misc]
                runs=runs(size),
                warmup=1 if size <= 100 or warmup_large else 0,
            )
            _checked(graph, reports[-1])
            figure: dict[str, Any] = {
                "verify": timing.to_dict(),
                "per_credential_s": timing.median / size,
                "signing_s": signing,
            }
            memory_cells = ["—", "—"]
            if memory:
                mem = pending.result() if pending else measure_memory(graph, warmup, cpu)
                if not mem["verified"] or mem["nodes"] != size:
                    raise RuntimeError(f"{shape} graph of {size}: the memory run did not verify")
                figure["memory"] = mem
                memory_cells = [_mb(mem["growth"]), _mb(mem["peak_rss"])]
            results.figures[f"graph.{shape}.{size}"] = figure
            table.add(
                shape,
                f"{size:,}",
                ms(timing.median),
                ms(timing.median / size),
                timing.runs,
                *memory_cells,
            )


def _mb(value: int) -> str:
    return f"{value / 1e6:.0f} MB" if value >= 1e7 else f"{value / 1e6:.1f} MB"


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "memory":
        print(json.dumps(memory_child(Path(argv[1]), Path(argv[2]))))
        return 0
    print("usage: python -m bench.graphs memory GRAPH.json WARMUP.json", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
