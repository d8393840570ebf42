"""``make bench-status`` on a tiny count, so it does not rot: it issues from its worker
processes, finds one list, verifies its sample and reports (no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import status_scale
from bench.postgres import Postgres


@pytest.mark.network
def test_status_section_on_a_tiny_count(fresh_postgres_database: str, tmp_path: Path) -> None:
    plan = status_scale.Plan(count=40, workers=2, batch=15, verify=4, resigns=2)
    results = status_scale.run(plan, Postgres(fresh_postgres_database, "test"))
    figures = results.figures["status_scale"]
    assert figures["verified_valid"] == figures["verified_total"] == 4
    assert figures["revoked_shows_revoked"] is True
    assert figures["entries_held"] == 40
    assert [row["full"] for row in figures["lists"]] == [False]  # one open list, shared
    assert figures["list_credential_bytes"] > 0
    written = status_scale.save(results, tmp_path)
    assert {path.name for path in written} >= {"status-latest.md", "status-latest.json"}
    assert "Status lists at scale" in written[0].read_text(encoding="utf-8")


def test_options_are_checked() -> None:
    with pytest.raises(SystemExit):
        status_scale.main(["--count", "5", "--verify", "5"])
