"""Credentials published encrypted.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

* ``credentials.sealed``: the AES-GCM envelope (``vcservice.confidential``) served at the
  credential's public URL in place of ``document`` when it was issued with ``encrypt``. NULL
  for every other credential, so the rows already there need nothing. The key that opens it is
  returned once by the issue call and stored nowhere.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("sealed", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("sealed")
