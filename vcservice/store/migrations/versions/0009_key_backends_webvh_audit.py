"""Key backends, did:webvh logs and the key audit trail.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

* ``tenants.key_backend``: where the tenant's private keys live, ``vault`` (encrypted in this
  database, the default and what every existing tenant has) or ``pkcs11`` (generated in a
  token, never leaving it). ``tenants.did_options``: a did:webvh tenant's choices (JSON:
  pre-rotation, witnesses), NULL for the others.
* ``signing_keys.purpose``: ``assertion`` (listed in the DID document, signs credentials; every
  existing key) or ``update`` (authorises a did:webvh tenant's log entries, listed in the log
  only). ``backend`` and ``token_ref`` (the PKCS#11 CKA_ID) say where the private half is;
  ``private_encrypted`` becomes nullable, empty for a token key. ``retired_at``: when it
  stopped signing (NULL while active, and for keys retired before this revision).
* ``did_log_entries``: a did:webvh tenant's log, one row per entry as served (a line of
  ``did.jsonl``); ``did_witness_proofs``: witnesses' approvals of its versions.
* ``key_events``: per tenant, the hash-chained audit trail of key operations and signatures
  (``chain_hash`` = SHA-256 of the previous one and the event's canonical JSON).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(
            sa.Column("key_backend", sa.String(16), nullable=False, server_default="vault")
        )
        batch.add_column(sa.Column("did_options", sa.Text(), nullable=True))
    with op.batch_alter_table("signing_keys") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(16), nullable=False, server_default="assertion")
        )
        batch.add_column(
            sa.Column("backend", sa.String(16), nullable=False, server_default="vault")
        )
        batch.add_column(sa.Column("token_ref", sa.String(128), nullable=True))
        batch.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("private_encrypted", existing_type=sa.LargeBinary(), nullable=True)
    op.create_table(
        "did_log_entries",
        sa.Column("tenant_id", sa.String(32), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.String(256), nullable=False),
        sa.Column("version_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_did_log_entries_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "version_number", name=op.f("pk_did_log_entries")),
    )
    op.create_table(
        "did_witness_proofs",
        sa.Column("tenant_id", sa.String(32), nullable=False),
        sa.Column("version_id", sa.String(256), nullable=False),
        sa.Column("witness", sa.String(2048), nullable=False),
        sa.Column("proof", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_did_witness_proofs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "version_id", "witness", name=op.f("pk_did_witness_proofs")
        ),
    )
    op.create_table(
        "key_events",
        sa.Column("tenant_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("chain_hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_key_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name=op.f("pk_key_events")),
    )


def downgrade() -> None:
    op.drop_table("key_events")
    op.drop_table("did_witness_proofs")
    op.drop_table("did_log_entries")
    with op.batch_alter_table("signing_keys") as batch:
        batch.alter_column("private_encrypted", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("retired_at")
        batch.drop_column("token_ref")
        batch.drop_column("backend")
        batch.drop_column("purpose")
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("did_options")
        batch.drop_column("key_backend")
