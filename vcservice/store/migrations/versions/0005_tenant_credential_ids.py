"""Credential ids unique per tenant; ledger entries commit to the other ledger tables.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

* ``credentials``: the primary key becomes (tenant_id, id). A global key let one tenant learn
  that another had issued an id (409 where reading it answers 404) and squat ids it had not
  yet used. ``status_allocations.credential_id`` loses its foreign key to ``credentials.id``
  (no longer unique): an allocation belongs to its list, and the list to its tenant, which
  is how every query scopes it.
* ``ledger_entries``: ``issuer``, ``sources`` and ``settles`` (see
  ``vcservice.ledger.entries.Entry``), NULL in the entries already written.

Batch mode rebuilds the tables on SQLite (which cannot alter a primary key), keeping rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_allocations") as batch:
        batch.drop_constraint("fk_status_allocations_credential_id_credentials", type_="foreignkey")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_constraint("pk_credentials", type_="primary")
        batch.create_primary_key("pk_credentials", ["tenant_id", "id"])
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("issuer", sa.String(length=2048), nullable=True))
        batch.add_column(sa.Column("sources", sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column("settles", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("settles")
        batch.drop_column("sources")
        batch.drop_column("issuer")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_constraint("pk_credentials", type_="primary")
        batch.create_primary_key("pk_credentials", ["id"])
    with op.batch_alter_table("status_allocations") as batch:
        batch.create_foreign_key(
            "fk_status_allocations_credential_id_credentials",
            "credentials",
            ["credential_id"],
            ["id"],
        )
