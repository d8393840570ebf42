"""``vcservice ledger verify`` on a real database: intact, then each kind of tampering.

The ledger is made by issuing through the service (make → move → claim: entries 1 origin,
2 credit, 3 debit, 4 credit, 5 debit) with a signed checkpoint after entry 2, then edited with
plain SQL, as someone with write access to the database (but not the vault key) could.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from typer.testing import CliRunner

from vcservice.cli import app
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import GENESIS, Checkpoint, Entry, chain_hash, entry_leaf, sign_checkpoint
from vcservice.ledger.merkle import root
from vcservice.links import digest_document
from vcservice.service import IssueCommand, Service
from vcservice.settings import Settings
from vcservice.store import Base

from .events import CATHODE, certified, claim_event, link, make_event, move_event, product

runner = CliRunner()
_ENTRIES = Base.metadata.tables["ledger_entries"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.network)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("fresh_postgres_database")
    return url


@pytest.fixture
def service(db_url: str) -> Iterator[Service]:
    settings = Settings(
        database_url=db_url, public_url="https://ledger.example", secret_key=SecretStr("A" * 43)
    )
    svc = Service.from_settings(settings)
    svc.create_tenant("smelter")
    svc.create_tenant("mill")
    tenant = svc.store.tenant_by_name("smelter")
    mill = svc.store.tenant_by_name("mill")
    assert tenant is not None
    assert mill is not None
    made = svc.issue(tenant, IssueCommand(make_event([product(CATHODE, [certified(45)])]))).secured
    svc.ledger_checkpoint()
    source = [link("https://smelter.example/make", digest_document(made))]
    moved = svc.issue(
        tenant,
        IssueCommand(
            move_event(product(CATHODE, [certified(45, source=source)]), consignee=mill.did)
        ),
    ).secured
    source = [link("https://smelter.example/move", digest_document(moved))]
    svc.issue(mill, IssueCommand(claim_event([certified(40)], source)))
    assert svc.store.ledger_head().count == 5
    yield svc
    svc.close()


def _verify(url: str, *options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["ledger", "verify", "--database", url, *options])
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
    assert "3 stored checkpoint(s) verified; the latest covers 5 entries" in output
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
        "UPDATE ledger_state SET count = 4, frontier = NULL, "  # NULL: computed again when needed
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


def test_without_anchors_the_output_says_what_it_cannot_detect(
    service: Service, db_url: str
) -> None:
    code, output = _verify(db_url)
    assert code == 0, output
    assert "2 account(s) match their entries" in output
    assert "NOTE: this check detects only accidental damage and edits that leave" in output
    assert "without --checkpoint" in output
    assert "without --did-document" in output


def test_a_refilled_account_is_detected(service: Service, db_url: str) -> None:
    """The reviewer's r8: refill every account to its opened amount; the chain is intact."""
    _sql(service, "UPDATE ledger_accounts SET balance_mg = opened_mg")
    code, output = _verify(db_url)
    assert code == 1, output
    assert "ledger TAMPERED at entry 2: account:" in output
    assert "stores opened 45000 kg, balance 45000 kg" in output
    assert "its entries give 45000 kg, 0 kg" in output


def test_an_account_without_a_credit_entry_is_detected(service: Service, db_url: str) -> None:
    _sql(
        service,
        "INSERT INTO ledger_accounts (id, digest, product, kind, credential_id, tenant_id, "
        "holder, opened_mg, balance_mg, spent_key, created_at) "
        # 'x' is not a hex digit: the forged key never collides with a real one (an 'f' did,
        # whenever the real key began with 'f')
        "SELECT 'x' || substr(id, 2), 'zForged', product, kind, credential_id, tenant_id, "
        "holder, opened_mg, opened_mg, spent_key, created_at FROM ledger_accounts "
        "WHERE balance_mg = 0",
    )
    code, output = _verify(db_url)
    assert code == 1, output
    assert "of digest zForged has no credit entry: it was inserted" in output


def test_an_account_given_to_another_holder_is_detected(service: Service, db_url: str) -> None:
    _sql(service, "UPDATE ledger_accounts SET holder = 'did:web:thief.example'")
    code, output = _verify(db_url)
    assert code == 1, output
    assert "holder did:web:thief.example" in output


def _truncate_to_the_make(service: Service) -> None:
    """Remove the move and the claim consistently: entries, the move's account, the make's
    balance, the head record and the checkpoints covering them."""
    _sql(
        service,
        "DELETE FROM ledger_entries WHERE seq > 2",
        "DELETE FROM ledger_accounts WHERE balance_mg > 0",
        "UPDATE ledger_accounts SET balance_mg = opened_mg",
        "UPDATE ledger_state SET count = 2, frontier = NULL, "
        "head_hash = (SELECT entry_hash FROM ledger_entries WHERE seq = 2)",
        "DELETE FROM ledger_checkpoints WHERE count > 2",
        # the audit derives these tables from the entries too (issue 13), so a consistent
        # truncation removes the rows of what it removed
        "DELETE FROM ledger_origins WHERE seq > 2",
        "DELETE FROM ledger_credentials "
        "WHERE digest NOT IN (SELECT credential_digest FROM ledger_entries)",
    )


def test_truncation_is_caught_only_by_a_checkpoint_kept_outside(
    service: Service, db_url: str, tmp_path: Path
) -> None:
    held = tmp_path / "checkpoint.jwt"
    held.write_text(service.ledger_checkpoint().jws + "\n")
    code, output = _verify(db_url, "--checkpoint", str(held))
    assert code == 0, output
    assert "your checkpoint of 5 entries" in output

    _truncate_to_the_make(service)
    code, output = _verify(db_url)
    assert code == 0, output  # consistent: the database alone cannot tell
    assert "NOTE: this check detects only accidental damage" in output
    code, output = _verify(db_url, "--checkpoint", str(held))
    assert code == 1, output
    assert "entry 3: missing: a checkpoint you hold covers 5 entries, the ledger has 2" in output


def test_a_key_inserted_into_the_database_cannot_vouch_with_the_did_document(
    service: Service, db_url: str, tmp_path: Path
) -> None:
    document = tmp_path / "did.json"
    document.write_text(json.dumps(service.service_did_document()))
    code, output = _verify(db_url, "--did-document", str(document))
    assert code == 0, output
    assert "signatures checked with the DID document's keys" in output

    # Rewrite an entry, re-hash the chain from there, swap in a key of one's own and re-sign.
    _sql(service, "UPDATE ledger_entries SET amount_mg = 1 WHERE seq = 3")
    _rehash(service)
    forger = KeyPair.generate(KeyType.ED25519)
    _sql(
        service,
        f"UPDATE service_keys SET public_multibase = '{forger.public.multibase}'",
        "DELETE FROM ledger_checkpoints",
    )
    hashes = service.store.ledger_hashes(5)
    forged = sign_checkpoint(
        Checkpoint(
            service.service_did,
            5,
            hashes[-1],
            root([entry_leaf(h) for h in hashes]).hex(),
            "2026-01-15T00:00:00Z",
        ),
        Signer(forger, f"{service.service_did}#key-1"),
    )
    with service.store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ledger_checkpoints (count, head_hash, root_hash, issued_at, jws) "
                "VALUES (5, :head, :root, :at, :jws)"
            ),
            {
                "head": hashes[-1],
                "root": root([entry_leaf(h) for h in hashes]).hex(),
                "at": datetime(2026, 1, 15, tzinfo=UTC).replace(tzinfo=None),
                "jws": forged,
            },
        )
    _sql(service, "UPDATE ledger_accounts SET balance_mg = opened_mg - 1 WHERE balance_mg = 0")
    code, output = _verify(db_url)
    assert code == 0, output  # the forged checkpoint verifies with the key beside it
    code, output = _verify(db_url, "--did-document", str(document))
    assert code == 1, output
    assert "ledger TAMPERED at ledger: key: the database's service key key-1 is not in" in output


def _rehash(service: Service) -> None:
    """Recompute every entry hash and the head record, as a forger with write access would."""
    with service.store.engine.begin() as connection:
        rows = connection.execute(select(_ENTRIES).order_by(_ENTRIES.c.seq)).all()
        prev = GENESIS
        for row in rows:
            entry = Entry(
                kind=row.kind,
                digest=row.digest,
                product=row.product,
                property_kind=row.property_kind,
                amount_mg=row.amount_mg,
                credential_id=row.credential_id,
                credential_digest=row.credential_digest,
                tenant_id=row.tenant_id,
                created_at=row.created_at.replace(tzinfo=UTC),
                holder=row.holder,
                issuer=row.issuer,
                sources=None if row.sources is None else tuple(row.sources),
                settles=row.settles,
            )
            digest = chain_hash(prev, entry)
            connection.execute(
                _ENTRIES.update()
                .where(_ENTRIES.c.seq == row.seq)
                .values(prev_hash=prev, entry_hash=digest)
            )
            prev = digest
        connection.execute(
            text("UPDATE ledger_state SET count = :n, head_hash = :h, frontier = NULL"),
            {"n": len(rows), "h": prev},
        )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("checkpoint.jwt", "not a jws", "not a ledger checkpoint"),
        ("did.json", "{", "not valid JSON"),
        ("did.json", '{"id": "did:web:x"}', "lists no assertionMethod key"),
    ],
)
def test_unusable_anchor_files(
    service: Service, db_url: str, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    option = "--checkpoint" if name.endswith(".jwt") else "--did-document"
    code, output = _verify(db_url, option, str(path))
    assert code == 2, output
    assert message in output
