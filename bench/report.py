"""Results: the machine, every figure as a table, the targets as ratios; printed and saved.

The same Markdown is printed to stdout and written to ``bench/results/<timestamp>.md``; the JSON
(``<timestamp>.json``) holds every figure in seconds (or bytes, requests per second) for tools.
``latest.json`` and ``latest.md`` are copies of the newest run.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench._timing import allowed_cpus

RESULTS_DIR = Path(__file__).resolve().parent / "results"

_PACKAGES = (
    "vcservice",
    "pyld",
    "pyoxigraph",
    "jwcrypto",
    "cryptography",
    "rfc8785",
    "fastapi",
    "uvicorn",
    "sqlalchemy",
    "psycopg",
    "httpx",
)


def ms(seconds: float) -> str:
    """Seconds as milliseconds, with enough digits for sub-millisecond figures."""
    value = seconds * 1e3
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    if value >= 0.1:
        return f"{value:.2f} ms"
    return f"{value * 1e3:.1f} µs"


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        if self.rows:
            lines.append("| " + " | ".join(self.header) + " |")
            lines.append("|" + "|".join("---" for _ in self.header) + "|")
            lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        for note in self.notes:
            lines += ["", note]
        return "\n".join(lines)


@dataclass
class Target:
    """One target (issues 8, 13 and 15): ``ratio`` is measured / goal for an "at most" target and
    goal-normalised the same way (≤ 1 passes) for an "at least" one; None = not measured."""

    name: str
    measured: str
    goal: str
    ratio: float | None
    passed: bool | None
    bound: str = ""

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "SKIP"
        return "PASS" if self.passed else "MISS"


@dataclass
class Results:
    quick: bool
    cpu: int | None
    machine: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    started: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    seconds: float = 0.0

    def table(self, title: str, *header: str) -> Table:
        table = Table(title, list(header))
        self.tables.append(table)
        return table

    def skip(self, message: str) -> None:
        self.skipped.append(message)
        print(f"  skipped: {message}", file=sys.stderr, flush=True)

    # --- output -----------------------------------------------------------------------------
    def machine_markdown(self) -> str:
        lines = ["### Machine", "", "| | |", "|---|---|"]
        lines += [f"| {key} | {value} |" for key, value in self.machine.items()]
        return "\n".join(lines)

    def targets_markdown(self) -> str:
        lines = [
            "### Targets (issues 8, 13 and 15; ratio = measured / goal, ≤ 1.00 passes)",
            "",
            "| target | measured | goal | ratio | result | what bounds it |",
            "|---|---|---|---|---|---|",
        ]
        for t in self.targets:
            ratio = "—" if t.ratio is None else f"{t.ratio:.2f}"
            lines.append(
                f"| {t.name} | {t.measured} | {t.goal} | {ratio} | **{t.verdict}** | {t.bound} |"
            )
        return "\n".join(lines)

    def markdown(self) -> str:
        mode = "quick (`make bench-quick`)" if self.quick else "full (`make bench`)"
        parts = [
            f"## vcservice benchmark {self.started}: {mode}, {self.seconds:.0f} s",
            f"Figures are medians of timed runs on one core (CPU {self.cpu}) after warm-up, "
            "unless a table says otherwise.",
            self.machine_markdown(),
        ]
        parts += [table.markdown() for table in self.tables]
        parts.append(self.targets_markdown())
        if self.skipped:
            parts.append("### Skipped\n\n" + "\n".join(f"* {s}" for s in self.skipped))
        return "\n\n".join(parts) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "quick": self.quick,
            "seconds": self.seconds,
            "cpu": self.cpu,
            "machine": self.machine,
            "figures": self.figures,
            "targets": [{**asdict(t), "verdict": t.verdict} for t in self.targets],
            "skipped": self.skipped,
            "tables": [asdict(t) for t in self.tables],
        }

    def save(self, directory: Path = RESULTS_DIR) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        text = self.markdown()
        data = json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"
        written = []
        for stem in (self.started, "latest"):
            md, js = directory / f"{stem}.md", directory / f"{stem}.json"
            md.write_text(text, encoding="utf-8")
            js.write_text(data, encoding="utf-8")
            written += [md, js]
        return written


# --- the machine --------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _command_output(*command: str) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603 - fixed argv, no shell
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def machine_info() -> dict[str, Any]:
    """Cores, CPU model, OS, Python and the versions of what the figures depend on."""
    info: dict[str, Any] = {
        "cores (os.cpu_count)": os.cpu_count(),
        "cores allowed (affinity)": len(allowed_cpus()),
        "CPU model": _cpu_model(),
        "OS": f"{platform.system()} {platform.release()} {platform.machine()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
    }
    for package in _PACKAGES:
        info[package] = _version(package)
    commit = _command_output(
        "git", "-C", str(RESULTS_DIR.parents[1]), "rev-parse", "--short", "HEAD"
    )
    if commit:
        dirty = _command_output(
            "git",
            "-C",
            str(RESULTS_DIR.parents[1]),
            "status",
            "--porcelain",
            "--untracked-files=no",
        )
        info["git commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    info["Node"] = _command_output("node", "--version") or "not found"
    return info


def elapsed_since(start: float) -> float:
    return time.monotonic() - start
