"""Tenants whose DID is derived from their key (did:key): ``tenants.fixed_key``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Such a tenant has exactly one signing key for its whole life, so the store refuses to rotate or
retire it. Existing tenants (all did:web) keep rotating: the column defaults to false.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tenants",
        sa.Column("fixed_key", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("fixed_key")
