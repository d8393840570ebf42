"""``vcservice ledger verify`` on a real database: intact, then each kind of tampering.

The ledger is made by issuing through the service (make → move → claim: entries 1 origin,
2 credit, 3 debit, 4 credit, 5 debit) with a signed checkpoint after entry 2, then edited with
plain SQL, as someone with write access to the database (but not the vault key) could.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from vcservice.cli import app
from vcservice.links import digest_document
from vcservice.service import Service
from vcservice.settings import Settings

from .events import CATHODE, certified, claim_event, link, make_event, move_event, product

runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.network)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("fresh_postgres_database")
    return url


@pytest.fixture
def service(db_url: str) -> Iterator[Service]:
    settings = Settings(
        database_url=db_url, public_url="https://ledger.example", secret_key="A" * 43
    )
    svc = Service.from_settings(settings)
    svc.create_tenant("smelter")
    tenant = svc.store.tenant_by_name("smelter")
    assert tenant is not None
    made = svc.issue(tenant, make_event([product(CATHODE, [certified(45)])]), {})
    svc.ledger_checkpoint()
    source = [link("https://smelter.example/make", digest_document(made))]
    moved = svc.issue(tenant, move_event(product(CATHODE, [certified(45, source=source)])), {})
    source = [link("https://smelter.example/move", digest_document(moved))]
    svc.issue(tenant, claim_event([certified(40)], source), {})
    assert svc.store.ledger_head().count == 5
    yield svc
    svc.close()


def _verify(url: str) -> tuple[int, str]:
    result = runner.invoke(app, ["ledger", "verify", "--database", url])
    return result.exit_code, result.output


def _sql(service: Service, *statements: str) -> None:
    with service.store.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_intact_ledger_verifies(service: Service, db_url: str) -> None:
    service.ledger_checkpoint()
    code, output = _verify(db_url)
    assert code == 0, output
    assert "ledger intact: 5 entries" in output
    assert "2 signed checkpoint(s) verified; the latest covers 5 entries" in output
    assert "did:web:ledger.example" in output


def test_the_database_defaults_to_the_service_setting(
    service: Service, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCSERVICE_DATABASE_URL", db_url)
    result = runner.invoke(app, ["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "ledger intact: 5 entries" in result.output


def test_edited_amount(service: Service, db_url: str) -> None:
    _sql(service, "UPDATE ledger_entries SET amount_mg = amount_mg + 1 WHERE seq = 3")
    code, output = _verify(db_url)
    assert code == 1, output
    assert "ledger TAMPERED at entry 3: edited" in output


def test_removed_middle_entry(service: Service, db_url: str) -> None:
    _sql(service, "DELETE FROM ledger_entries WHERE seq = 2")
    code, output = _verify(db_url)
    assert code == 1, output
    assert "ledger TAMPERED at entry 2: missing" in output


def test_removed_last_entry(service: Service, db_url: str) -> None:
    _sql(service, "DELETE FROM ledger_entries WHERE seq = 5")
    code, output = _verify(db_url)
    assert code == 1, output
    assert "ledger TAMPERED at entry 5: missing: the head record counts 5 entries" in output


def test_removed_last_entry_and_rewound_head_against_a_checkpoint(
    service: Service, db_url: str
) -> None:
    service.ledger_checkpoint()  # signs 5 entries
    _sql(
        service,
        "DELETE FROM ledger_entries WHERE seq = 5",
        "UPDATE ledger_state SET count = 4, "
        "head_hash = (SELECT entry_hash FROM ledger_entries WHERE seq = 4)",
    )
    code, output = _verify(db_url)
    assert code == 1, output
    assert "entry 5: missing: a signed checkpoint covers 5 entries" in output


def test_reordered_entries(service: Service, db_url: str) -> None:
    _sql(
        service,
        "UPDATE ledger_entries SET seq = -2 WHERE seq = 2",
        "UPDATE ledger_entries SET seq = 2 WHERE seq = 4",
        "UPDATE ledger_entries SET seq = 4 WHERE seq = -2",
    )
    code, output = _verify(db_url)
    assert code == 1, output
    assert "ledger TAMPERED at entry 2: out of order" in output


def test_edited_checkpoint(service: Service, db_url: str) -> None:
    _sql(service, "UPDATE ledger_checkpoints SET jws = jws || 'A'")
    code, output = _verify(db_url)
    assert code == 1, output
    assert "checkpoint" in output


def test_unusable_databases(tmp_path: Path) -> None:
    code, output = _verify(f"sqlite:///{tmp_path / 'absent.db'}")
    assert code == 2
    assert "no SQLite database" in output
    assert not (tmp_path / "absent.db").exists()
    (tmp_path / "empty.db").touch()
    code, output = _verify(f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 2
    assert "cannot read a ledger" in output
    code, output = _verify("mysql://nowhere/db")
    assert code == 2
