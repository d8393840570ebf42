"""Shared test fixtures.

Tests run offline: pytest-socket blocks every socket except loopback for tests that start
their own servers (see the ``network`` marker). The W3C and UNTP inputs the tests and benchmarks
read are vendored byte-exact under ``tests/fixtures/`` (provenance and licences in each origin's
``SOURCES.md``), so a bare clone has everything it needs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# CI runs the same examples every time (a failure there is reproducible, never a lucky draw);
# locally hypothesis explores, and keeps what it found in .hypothesis/.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
FIXTURES = REPO / "tests" / "fixtures"
W3C = FIXTURES / "w3c"
UNTP = FIXTURES / "untp"
EDDSA_VECTORS = W3C / "vectors" / "vc-di-eddsa" / "TestVectors"
ECDSA_VECTORS = W3C / "vectors" / "vc-di-ecdsa" / "TestVectors"
VCDM_INPUT = W3C / "suite-fixtures" / "vc-data-model-2.0-test-suite" / "input"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# PostgreSQL server fixtures (one private server per pytest process, started on first use).
from tests.pg import fresh_postgres_database, postgres_server, postgres_url  # noqa: E402, F401
