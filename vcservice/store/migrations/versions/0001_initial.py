"""Initial schema: tenants, API keys, signing keys, credentials, status lists and allocations.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Written out in full (no imports from the application) so that later changes to the models never
change what this revision does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(length=32)
CREDENTIAL_ID = sa.String(length=2048)


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("did", sa.String(length=2048), nullable=False),
        sa.Column("default_format", sa.String(length=32), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_api_keys_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_sha256", name="uq_api_keys_key_sha256"),
    )
    op.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant_id"])
    op.create_table(
        "signing_keys",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("fragment", sa.String(length=64), nullable=False),
        sa.Column("key_type", sa.String(length=16), nullable=False),
        sa.Column("public_multibase", sa.String(length=256), nullable=False),
        sa.Column("private_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_signing_keys_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signing_keys"),
        sa.UniqueConstraint("tenant_id", "fragment", name="uq_signing_keys_tenant_id_fragment"),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_signing_keys_tenant_id_seq"),
    )
    op.create_table(
        "credentials",
        sa.Column("id", CREDENTIAL_ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_credentials_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
    )
    op.create_index(
        "ix_credentials_tenant_id_created_at", "credentials", ["tenant_id", "created_at"]
    )
    op.create_table(
        "status_lists",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("signed_version", sa.Integer(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_status_lists_tenant_id_tenants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_status_lists"),
    )
    op.create_index(
        "ix_status_lists_tenant_id_purpose_length",
        "status_lists",
        ["tenant_id", "purpose", "length"],
    )
    op.create_table(
        "status_allocations",
        sa.Column("list_id", ID, nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("credential_id", CREDENTIAL_ID, nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name="fk_status_allocations_credential_id_credentials",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["status_lists.id"], name="fk_status_allocations_list_id_status_lists"
        ),
        sa.PrimaryKeyConstraint("list_id", "idx", name="pk_status_allocations"),
    )
    op.create_index("ix_status_allocations_credential_id", "status_allocations", ["credential_id"])


def downgrade() -> None:
    for table in (
        "status_allocations",
        "status_lists",
        "credentials",
        "signing_keys",
        "api_keys",
        "tenants",
    ):
        op.drop_table(table)
