"""Node.js adapters the tests run (Digital Bazaar's stack, didwebvh-ts): installed from the npm
registry into a temporary directory with ``npm ci`` against the committed lock file, so a run
uses exactly the versions reviewed. Without Node.js and npm the callers skip, saying why."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def node_unavailable(what: str) -> str | None:
    """Why ``what`` cannot run here (no node or npm on PATH), or None."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed, so {what}"
    return None


def npm_install(adapter: Path, target: Path) -> Path:
    """Copy ``adapter`` (without node_modules) to ``target`` and install its locked packages."""
    shutil.copytree(adapter, target, ignore=shutil.ignore_patterns("node_modules"))
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm ci failed: {done.stderr[-2000:]}")
    return target
