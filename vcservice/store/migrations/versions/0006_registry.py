"""The federated credit registry: registrations, registered spends, witnessing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

* ``ledger_entries.tenant_id`` becomes nullable: a debit registered here by a holder on
  another platform was made by no tenant of this service.
* ``ledger_state.frontier``: the Merkle frontier of the log, NULL until first needed.
Written out in full (no imports from the application), like 0001.

* ``registrations``, ``registered_spends``, ``witnessed_logs``, ``equivocations`` and
  ``witness_sizes``: see ``vcservice.store._schema``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column("tenant_id", existing_type=sa.String(length=32), nullable=True)
    with op.batch_alter_table("ledger_state") as batch:
        batch.add_column(sa.Column("frontier", sa.JSON(none_as_null=True), nullable=True))
    op.create_table(
        "registrations",
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("credential_digest", sa.String(length=256), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("receipt", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("identity", name=op.f("pk_registrations")),
    )
    op.create_index(
        op.f("ix_registrations_credential_digest"), "registrations", ["credential_digest"]
    )
    op.create_table(
        "registered_spends",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("spent_key", sa.String(length=64), nullable=False),
        sa.Column("home", sa.String(length=2048), nullable=False),
        sa.Column("amount_mg", sa.BigInteger(), nullable=False),
        sa.Column("credential_id", sa.String(length=2048), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_registered_spends_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_spends")),
    )
    op.create_index(op.f("ix_registered_spends_spent_key"), "registered_spends", ["spent_key"])
    op.create_table(
        "witnessed_logs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("log", sa.String(length=2048), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witnessed_logs")),
    )
    op.create_table(
        "equivocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("log", sa.String(length=2048), nullable=False),
        sa.Column("first", sa.Text(), nullable=False),
        sa.Column("second", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equivocations")),
    )
    op.create_table(
        "witness_sizes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_sizes")),
    )


def downgrade() -> None:
    op.drop_table("witness_sizes")
    op.drop_table("equivocations")
    op.drop_table("witnessed_logs")
    op.drop_index(op.f("ix_registered_spends_spent_key"), table_name="registered_spends")
    op.drop_table("registered_spends")
    op.drop_index(op.f("ix_registrations_credential_digest"), table_name="registrations")
    op.drop_table("registrations")
    with op.batch_alter_table("ledger_state") as batch:
        batch.drop_column("frontier")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column("tenant_id", existing_type=sa.String(length=32), nullable=False)
