"""Issue 13, Why bullet "Ledger audit blind spots": every ledger table that changes what the
ledger accepts or answers is derived from the hash-chained entries, so ``ledger verify`` with
a kept checkpoint detects an edit, insertion or deletion in any of them. Each test fails on
the HEAD before issue 13 (the audit read neither origins, spent-lookup keys nor posted
credentials) and passes after."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcservice.service import Service

from .test_cli_verify import _sql, _verify, service  # noqa: F401 - the fixture

ZERO = "0" * 64


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def held(service: Service, tmp_path: Path) -> str:  # noqa: F811
    path = tmp_path / "checkpoint.jwt"
    path.write_text(service.ledger_checkpoint().jws + "\n")
    return str(path)


def _origin_copy(seq: int, digest: str) -> str:
    return (
        "INSERT INTO ledger_origins (seq, digest, product, kind, amount_mg, holder, "
        "credential_id, credential_digest, tenant_id, settled) SELECT "
        f"{seq}, '{digest}', product, kind, amount_mg, holder, credential_id, "
        "credential_digest, tenant_id, settled FROM ledger_origins WHERE seq = 1"
    )


TAMPERING = {
    # ledger_origins: the make event's origin (entry 1)
    "origin-settled-edit": (["UPDATE ledger_origins SET settled = 1"], "origin"),
    "origin-amount-edit": (["UPDATE ledger_origins SET amount_mg = 1"], "origin"),
    "origin-insert": ([_origin_copy(1, "zFakeDigest")], "origin"),
    "origin-insert-other-seq": ([_origin_copy(2, "zFakeDigest")], "origin"),
    "origin-delete": (["DELETE FROM ledger_origins"], "origin"),
    # ledger_accounts: the spent-lookup key and the other columns the replay did not read
    "account-spent-key-edit": ([f"UPDATE ledger_accounts SET spent_key = '{ZERO}'"], "account"),
    "account-credential-edit": (
        ["UPDATE ledger_accounts SET credential_id = 'urn:uuid:other'"],
        "account",
    ),
    "account-id-edit": (
        [f"UPDATE ledger_accounts SET id = '{ZERO}' WHERE balance_mg = 0"],
        "account",
    ),
    # the Merkle frontier kept with the head record (receipts are made from it)
    "frontier-edit": (
        ["UPDATE ledger_state SET frontier = '[[0, \"" + "00" * 32 + "\"]]'"],
        "edited",
    ),
    # ledger_credentials
    "posted-delete": (
        [
            "DELETE FROM ledger_credentials WHERE credential_id IN "
            "(SELECT credential_id FROM ledger_entries WHERE seq = 4)"
        ],
        "posted",
    ),
    "posted-issuer-edit": (
        ["UPDATE ledger_credentials SET issuer = 'did:web:evil.example'"],
        "posted",
    ),
    "posted-insert": (
        [
            "INSERT INTO ledger_credentials (digest, identity, issuer, credential_id, "
            "tenant_id, created_at) SELECT 'zFake', '" + ZERO + "', issuer, 'urn:uuid:squat', "
            "tenant_id, created_at FROM ledger_credentials LIMIT 1"
        ],
        "posted",
    ),
    # ledger_state: the salt every spent-lookup key is made with
    "salt-edit": (["UPDATE ledger_state SET salt = X'00'"], "account"),
}


def test_intact_ledger_reports_the_new_tables(service: Service, db_url: str, held: str) -> None:  # noqa: F811
    code, output = _verify(db_url, "--checkpoint", held)
    assert code == 0, output
    assert "1 remembered origin(s) and 2 posted credential(s) match their entries" in output


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_is_detected(service: Service, db_url: str, held: str, case: str) -> None:  # noqa: F811
    statements, problem = TAMPERING[case]
    _sql(service, *statements)
    code, output = _verify(db_url, "--checkpoint", held)
    assert code == 1, output
    assert f": {problem}: " in output, output
