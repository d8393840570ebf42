"""The mass-balance ledger: service keys, ledger state, posted credentials, accounts (with
their holders), entries, pending origins and checkpoints.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Written out in full (no imports from the application), like 0001. The single ``ledger_state``
row is created here, with the random salt of spent-lookup keys, so that no request ever has to
race another to create it.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(length=32)
CREDENTIAL_ID = sa.String(length=2048)
DIGEST = sa.String(length=256)
PRODUCT = sa.String(length=2048)
KIND = sa.String(length=64)
HASH = sa.String(length=64)
HOLDER = sa.String(length=2048)


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "service_keys",
        sa.Column("id", ID, nullable=False),
        sa.Column("fragment", sa.String(length=64), nullable=False),
        sa.Column("key_type", sa.String(length=16), nullable=False),
        sa.Column("public_multibase", sa.String(length=256), nullable=False),
        sa.Column("private_encrypted", sa.LargeBinary(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_service_keys"),
        sa.UniqueConstraint("fragment", name="uq_service_keys_fragment"),
    )
    state = op.create_table(
        "ledger_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", HASH, nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_state"),
    )
    op.bulk_insert(state, [{"id": 1, "count": 0, "head_hash": "0" * 64, "salt": os.urandom(32)}])
    op.create_table(
        "ledger_credentials",
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("identity", HASH, nullable=False),
        sa.Column("issuer", HOLDER, nullable=False),
        sa.Column("credential_id", CREDENTIAL_ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_ledger_credentials_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("digest", name="pk_ledger_credentials"),
        sa.UniqueConstraint("identity", name="uq_ledger_credentials_identity"),
    )
    op.create_table(
        "ledger_accounts",
        sa.Column("id", HASH, nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("product", PRODUCT, nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("credential_id", CREDENTIAL_ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("holder", HOLDER, nullable=False),
        sa.Column("opened_mg", sa.BigInteger(), nullable=False),
        sa.Column("balance_mg", sa.BigInteger(), nullable=False),
        sa.Column("spent_key", HASH, nullable=False),
        _created_at(),
        sa.CheckConstraint(
            "balance_mg >= 0 AND balance_mg <= opened_mg", name="ck_ledger_accounts_balance"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_ledger_accounts_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_accounts"),
    )
    op.create_index("ix_ledger_accounts_digest", "ledger_accounts", ["digest"])
    op.create_index("ix_ledger_accounts_spent_key", "ledger_accounts", ["spent_key"])
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("product", PRODUCT, nullable=True),
        sa.Column("property_kind", KIND, nullable=False),
        sa.Column("amount_mg", sa.BigInteger(), nullable=False),
        sa.Column("credential_id", CREDENTIAL_ID, nullable=False),
        sa.Column("credential_digest", DIGEST, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        _created_at(),
        sa.Column("holder", HOLDER, nullable=False),
        sa.Column("prev_hash", HASH, nullable=False),
        sa.Column("entry_hash", HASH, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_ledger_entries_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_ledger_entries"),
        sa.UniqueConstraint("entry_hash", name="uq_ledger_entries_entry_hash"),
    )
    op.create_table(
        "ledger_origins",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("product", PRODUCT, nullable=True),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("amount_mg", sa.BigInteger(), nullable=False),
        sa.Column("holder", HOLDER, nullable=False),
        sa.Column("credential_id", CREDENTIAL_ID, nullable=False),
        sa.Column("credential_digest", DIGEST, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_ledger_origins_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("seq", "digest", name="pk_ledger_origins"),
    )
    op.create_index("ix_ledger_origins_digest", "ledger_origins", ["digest"])
    op.create_table(
        "ledger_checkpoints",
        sa.Column("count", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("head_hash", HASH, nullable=False),
        sa.Column("root_hash", HASH, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("count", name="pk_ledger_checkpoints"),
    )


def downgrade() -> None:
    for table in (
        "ledger_checkpoints",
        "ledger_origins",
        "ledger_entries",
        "ledger_accounts",
        "ledger_credentials",
        "ledger_state",
        "service_keys",
    ):
        op.drop_table(table)
