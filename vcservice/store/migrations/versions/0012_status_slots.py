"""Status lists hand out slots from a counter through a secret permutation; one open list.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

* ``status_lists.next_slot``: how many slots of the list have been handed out, and
  ``status_lists.slot_key``: the secret key of the permutation that maps a slot to its index
  (``vcservice.store._permute``). Allocation is one ``UPDATE ... SET next_slot = next_slot + n``:
  no random draws, no collisions, no retries.
* ``ix_status_lists_open``: a partial unique index on ``(tenant_id, purpose) WHERE NOT full``,
  so that concurrent first issues agree on one open list (before, each racing transaction that
  found none opened its own, and the extra lists kept one or two entries: no herd privacy).

Every existing list is marked ``full``: its indexes were drawn at random, so no permutation
can continue it without colliding, and two open lists of one purpose would break the new
unique index. Its ``next_slot`` is set to its number of allocations (what it holds) and its
``slot_key`` stays NULL; the next issue opens a new list. Its entries keep working: bits can
still be set, and the list is still served and re-signed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_OPEN = sa.text('NOT "full"')  # quoted: FULL is reserved in PostgreSQL


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN: a batch (copy and drop the table) would fail on SQLite
    # once status_allocations reference its rows, as foreign keys are enforced.
    op.add_column(
        "status_lists", sa.Column("next_slot", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("status_lists", sa.Column("slot_key", sa.LargeBinary(), nullable=True))
    lists = sa.table(
        "status_lists", sa.column("id"), sa.column("full", sa.Boolean), sa.column("next_slot")
    )
    allocations = sa.table("status_allocations", sa.column("list_id"))
    held = (
        sa.select(sa.func.count())
        .select_from(allocations)
        .where(allocations.c.list_id == lists.c.id)
        .scalar_subquery()
    )
    op.execute(lists.update().values(full=True, next_slot=held))
    op.create_index(
        "ix_status_lists_open",
        "status_lists",
        ["tenant_id", "purpose"],
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_status_lists_open", table_name="status_lists")
    op.drop_column("status_lists", "slot_key")  # SQLite >= 3.35 drops columns in place
    op.drop_column("status_lists", "next_slot")
