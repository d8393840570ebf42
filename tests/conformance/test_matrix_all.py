"""The whole interop matrix in one run: two instances of our service, SpruceID didkit and, where
Node.js is present, Digital Bazaar. Every cell is correct for the formats each side supports:
passed, or skipped because the verifier declares it cannot read that format; never failed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.config import parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome
from conformance.suites import interop
from tests.conformance.conftest import Instance
from tests.conformance.digitalbazaar import digitalbazaar, unavailable
from tests.conformance.test_didkit import LEGACY_FORMATS, Adapter
from tests.conformance.test_didkit import adapter as adapter  # the didkit fixture
from tests.conformance.test_interop import explain


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    if unavailable() is not None:
        yield None
        return
    with digitalbazaar(Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


def test_every_cell_of_the_four_platform_matrix_is_correct(
    instances: tuple[Instance, Instance], adapter: Adapter, db_url: str | None
) -> None:
    entries: list[dict[str, Any]] = []
    for instance in instances:
        entry = instance.entry(status=False)
        entry["verifier"]["formats"] = [*entry["verifier"]["formats"], *LEGACY_FORMATS]
        entries.append(entry)
    entries.append(
        {
            "name": "didkit",
            "data_model": "1.1",
            "issuer": {
                "endpoint": f"{adapter.url}/credentials/issue",
                "did": adapter.did,
                "formats": list(LEGACY_FORMATS),
            },
            "verifier": {
                "endpoint": f"{adapter.url}/credentials/verify",
                "formats": LEGACY_FORMATS,
            },
        }
    )
    if db_url is not None:
        formats = ["eddsa-rdfc-2022"]
        entries.append(
            {
                "name": "digitalbazaar",
                "issuer": {"endpoint": f"{db_url}/credentials/issue", "formats": formats},
                "verifier": {"endpoint": f"{db_url}/credentials/verify", "formats": formats},
            }
        )
    config = parse_config({"implementation": entries}, environ={})
    with httpx.Client(timeout=60) as http:
        results = list(interop.run(SuiteContext(config, config.implementations, http)))
    wrong = [r for r in results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    assert not wrong, explain(wrong)
    names = {e["name"] for e in entries}
    passed = {(r.issuer, r.verifier) for r in results if r.outcome is Outcome.PASSED}
    # every issuer is read by at least one verifier other than itself
    for name in names:
        assert any(issuer == name and verifier != name for issuer, verifier in passed), name
