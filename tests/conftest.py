"""Shared test fixtures.

Tests run offline: pytest-socket blocks every socket except loopback for tests that start
their own servers (see the ``network`` marker). The shared W3C/UNTP fixtures live beside the
checkout in ``../shared/fixtures`` (override with ``VCSERVICE_SHARED_FIXTURES``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(
    os.environ.get("VCSERVICE_SHARED_FIXTURES", REPO.parent / "shared" / "fixtures")
).resolve()
W3C = FIXTURES / "w3c"
UNTP = FIXTURES / "untp"
EDDSA_VECTORS = W3C / "vectors" / "vc-di-eddsa" / "TestVectors"
ECDSA_VECTORS = W3C / "vectors" / "vc-di-ecdsa" / "TestVectors"
VCDM_INPUT = W3C / "suite-fixtures" / "vc-data-model-2.0-test-suite" / "input"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not FIXTURES.is_dir():
        raise pytest.UsageError(f"shared fixtures not found at {FIXTURES}")


# PostgreSQL server fixtures (one private server per pytest process, started on first use).
from tests.pg import fresh_postgres_database, postgres_server, postgres_url  # noqa: E402, F401
