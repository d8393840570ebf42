"""The interop matrix with Digital Bazaar's implementation (Node.js, @digitalbazaar/vc with
eddsa-rdfc-2022) next to our two instances: every cell correct for the formats each side
supports. Skipped, saying why, where Node.js or npm is missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.config import parse_config
from conformance.model import Outcome, Result
from tests.conformance.conftest import Instance
from tests.conformance.digitalbazaar import digitalbazaar, unavailable
from tests.conformance.test_interop import explain, run_suite

DB = "digitalbazaar"
DB_FORMATS = ["eddsa-rdfc-2022"]

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=unavailable() or "")


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with digitalbazaar(Path(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest.fixture(scope="module")
def matrix(instances: tuple[Instance, Instance], db_url: str) -> list[Result]:
    entries: list[dict[str, Any]] = [i.entry(status=False) for i in instances]
    entries.append(
        {
            "name": DB,
            "issuer": {"endpoint": f"{db_url}/credentials/issue", "formats": DB_FORMATS},
            "verifier": {"endpoint": f"{db_url}/credentials/verify", "formats": DB_FORMATS},
        }
    )
    results, _ = run_suite(parse_config({"implementation": entries}, environ={}))
    return results


def test_every_cell_is_correct_for_the_formats_each_side_supports(matrix: list[Result]) -> None:
    wrong = [r for r in matrix if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    assert not wrong, explain(wrong)


def test_digital_bazaar_and_vcservice_verify_each_others_credentials(
    instances: tuple[Instance, Instance], matrix: list[Result]
) -> None:
    a, _ = instances
    passed = {(r.issuer, r.verifier, r.check) for r in matrix if r.outcome is Outcome.PASSED}
    for case in ("valid", "tampered-claim", "tampered-signature", "tampered-issuer"):
        check = f"interop.eddsa-rdfc-2022.{case}"
        assert (DB, a.name, check) in passed  # our verifier reads theirs
        assert (a.name, DB, check) in passed  # theirs reads ours (our did:web over loopback)
        assert (DB, DB, check) in passed


def test_formats_digital_bazaar_does_not_read_are_skipped_not_failed(
    matrix: list[Result],
) -> None:
    to_db = [r for r in matrix if r.verifier == DB and "eddsa-rdfc-2022" not in r.check]
    assert to_db
    assert {r.outcome for r in to_db} == {Outcome.SKIPPED}
