"""Shared verification results: the input of a verification, kept so a link can re-run it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

* ``shared_results``: see ``vcservice.store._schema``. Written out in full (no imports from
  the application), like 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_results",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("input", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_results")),
    )
    op.create_index(op.f("ix_shared_results_stored_at"), "shared_results", ["stored_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_shared_results_stored_at"), table_name="shared_results")
    op.drop_table("shared_results")
