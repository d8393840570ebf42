"""The words the issuer console searches credentials by.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

* ``credentials.search_text``: the credential's name, product names, kind in words and id,
  case-folded (see ``vcservice.credential_terms``), written when a credential is saved. NULL
  in the rows already there: ``vcservice.store.migrate`` fills those in after the upgrade
  (``backfill_search_text``), since extracting the words means decoding JWTs and reading
  UNTP documents, which this script, written out in full like 0001, does not import.

No index: a search is a substring match (``LIKE '%…%'``), which no B-tree serves; it reads
only the tenant's rows, found through the existing ``(tenant_id, created_at)`` index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("search_text")
