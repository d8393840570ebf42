"""The Digital Bazaar baseline: ``npm ci`` of the conformance adapter's pinned packages into a
temporary directory, then ``bench.mjs`` timing eddsa-rdfc-2022 issue/verify in one Node process
(pinned with ``taskset`` to the benchmark's core when available).

Only the npm registry is contacted (by ``npm ci``, for the locked packages); the contexts are
the files vcservice bundles, so both sides canonicalize the very same JSON-LD.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bench._timing import on_cpus
from vcservice.jsonld import BUNDLED_CONTEXTS

REPO = Path(__file__).resolve().parents[2]
ADAPTER = REPO / "conformance" / "adapters" / "digitalbazaar"
SCRIPT = Path(__file__).resolve().parent / "bench.mjs"


class NodeUnavailableError(Exception):
    """Node or npm is missing, or the packages could not be installed."""


@dataclass(frozen=True)
class NodeResult:
    versions: dict[str, str]
    #: credential key → {"issue": timing dict, "verify": timing dict}
    timings: dict[str, dict[str, dict[str, float]]]


def _contexts() -> dict[str, str]:
    package = resources.files("vcservice.jsonld") / "contexts"
    return {entry.url: str(package / entry.filename) for entry in BUNDLED_CONTEXTS}


def run(
    credentials: dict[str, dict[str, Any]],
    *,
    runs: int,
    warmup: int,
    max_seconds: float,
    cpu: int | None,
    timeout: float = 600,
) -> NodeResult:
    """Time Digital Bazaar's issue and verify of each credential (key → unsigned credential)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NodeUnavailableError("node/npm not found on PATH")
    with tempfile.TemporaryDirectory(prefix="vcservice-bench-node-") as tmp:
        work = Path(tmp)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(ADAPTER / name, work / name)
        install = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            preexec_fn=on_cpus(None),
            cwd=work,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if install.returncode != 0:
            raise NodeUnavailableError(f"npm ci failed: {install.stderr.strip()[-500:]}")
        shutil.copy(SCRIPT, work / "bench.mjs")
        spec = {
            "contexts": _contexts(),
            "credentials": [{"key": k, "credential": c} for k, c in credentials.items()],
            "runs": runs,
            "warmup": warmup,
            "maxSeconds": max_seconds,
        }
        (work / "input.json").write_text(json.dumps(spec), encoding="utf-8")
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [node, "bench.mjs", "input.json"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=on_cpus(None if cpu is None else [cpu]),
        )
        if done.returncode != 0:
            raise NodeUnavailableError(f"bench.mjs failed: {done.stderr.strip()[-1000:]}")
        output = json.loads(done.stdout)
    return NodeResult(versions=output["versions"], timings=output["results"])
