"""Make ``bench/`` (a top-level directory, not an installed package) importable here.

With ``--import-mode=importlib`` pytest puts nothing on ``sys.path``; the benchmark's own
subprocesses run from the checkout (``cwd``), where ``python -m bench…`` finds it anyway.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[2])
if REPO not in sys.path:
    sys.path.insert(0, REPO)
