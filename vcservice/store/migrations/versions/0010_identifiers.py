"""The identity resolver's identifiers and links.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

* ``resolver_identifiers``: each identifier the resolver answers for (its canonical GS1 Digital
  Link or ISO/IEC 18975 path) and the tenant that registered it.
* ``resolver_links``: the typed links of each identifier's linkset (UNTP link types), keyed by
  the SHA-256 of (path, link type, href).

New tables only: nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolver_identifiers",
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("tenant_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_resolver_identifiers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_resolver_identifiers")),
    )
    op.create_index(
        op.f("ix_resolver_identifiers_tenant_id"), "resolver_identifiers", ["tenant_id"]
    )
    op.create_table(
        "resolver_links",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("link_type", sa.String(64), nullable=False),
        sa.Column("href", sa.String(2048), nullable=False),
        sa.Column("title", sa.String(256), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("credential_id", sa.String(2048), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["path"],
            ["resolver_identifiers.path"],
            name=op.f("fk_resolver_links_path_resolver_identifiers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolver_links")),
    )
    op.create_index(op.f("ix_resolver_links_path"), "resolver_links", ["path"])


def downgrade() -> None:
    op.drop_index(op.f("ix_resolver_links_path"), table_name="resolver_links")
    op.drop_table("resolver_links")
    op.drop_index(op.f("ix_resolver_identifiers_tenant_id"), table_name="resolver_identifiers")
    op.drop_table("resolver_identifiers")
