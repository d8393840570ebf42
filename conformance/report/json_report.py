"""``report.json``: the whole run (``Run.to_dict()``) plus the interop ``matrix``.

``matrix`` is issuer → verifier → ``{passed, failed, skipped, error, status, cells, errors}``:
the counts of the cell's checks, its status (``passed`` / ``failed`` / ``error`` /
``not-applicable``), the ids of the checks that failed (``cells``) and of those that could not
run (``errors``). Secrets in evidence (``Authorization`` headers, tokens) are redacted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.model import Run
from conformance.report._common import matrix_summary, redact


def report_dict(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = redact(run.to_dict())
    out["matrix"] = matrix_summary(run)
    return out


def render_json(run: Run) -> str:
    return json.dumps(report_dict(run), indent=2, ensure_ascii=False, default=str) + "\n"


def write_json(run: Run, path: Path) -> Path:
    # A lone surrogate (from a hostile implementation) cannot be UTF-8; written as its JSON
    # escape (``\udc80``), it still reads back as the same string.
    path.write_bytes(render_json(run).encode("utf-8", errors="backslashreplace"))
    return path
