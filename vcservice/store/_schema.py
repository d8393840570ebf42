"""The relational schema: one ORM class per table. Alembic migrations create it; nothing else.

Names of constraints and indexes come from a naming convention so that the migration, the
metadata and both backends agree on them (autogenerate compares names).

Tables::

    tenants             one issuer organisation; ``name`` is unique; ``fixed_key`` when its DID
                        is derived from its one key (did:key), which then never rotates
    api_keys            SHA-256 of each API key, never the key
    tenants             (also) ``key_backend``: vault or pkcs11; ``did_options``: did:webvh choices
    signing_keys        per tenant, numbered (seq); ``purpose`` assertion (fragment ``key-<n>``,
                        in the DID document) or update (``update-<n>``, a did:webvh log's);
                        private half encrypted (vault) or a token's CKA_ID (pkcs11)
    did_log_entries     a did:webvh tenant's log, one row per ``did.jsonl`` line
    did_witness_proofs  witnesses' approvals of a did:webvh tenant's versions
    key_events          per tenant, the hash-chained audit trail of key operations and signatures
    credentials         issued credentials as JSON (a dict, or a string for compact JWTs),
                        keyed by (tenant, credential id)
    status_lists        Bitstring Status Lists: raw bits (MSB first), a version, the signed copy,
                        ``full`` once no more indexes are handed out from it (one open list per
                        tenant and purpose), the slots handed out and the secret permutation key
    status_allocations  (list, index) of issued credentials; the primary key makes reuse impossible
    service_keys        the service's own signing keys (ledger checkpoints), encrypted like
                        tenant keys; the service DID is did:web of ``public_url``
    ledger_state        one row: entry count and head hash (updated with every append, the
                        lock that serializes appends) and the salt of spent-lookup keys
    ledger_credentials  every credential posted to the ledger (issued here or served from
                        elsewhere): digest, issuer and id, so that another serialization of a
                        posted credential (another digest) is never posted again
    ledger_accounts     certified quantities: opened amount and balance in milligrams, keyed by
                        a hash of (credential digest, product, property kind), and the holder
                        (DID) who alone may draw on it
    ledger_entries      the append-only, hash-chained log of credits, debits and origins
    ledger_origins      the source digests of origin entries not yet charged: an account opened
                        later for one of them is charged what the origin drew
    ledger_checkpoints  signed checkpoints (count, head hash, Merkle root), one per count
    registrations       debits registered here, at their credits' home, by holders on any
                        platform: by credential identity, the registration digest, the hash
                        of the registration's payload and the receipt returned (idempotency)
    registered_spends   debits this service registered at other homes for its tenants: the
                        spent-lookup key of the credit's credential, so the lookup counts them
    witnessed_logs      as a witness: the last checkpoint of each log it cosigned
    equivocations       as a witness: pairs of checkpoints of one log that no append-only log
                        can have signed, with what was found
    witness_sizes       as a log: the size each of its witnesses last cosigned
    console_sessions    signed-in issuer-console sessions: SHA-256 of the cookie's token (never
                        the token), the API key that opened it, absolute and idle deadlines
    shared_results      what the buyer page verified (text or address, and trust anchors), by the
                        SHA-256 of its canonical encoding, so a result link can re-run it; kept
                        ``shared_result_days`` after it was last shared
    resolver_identifiers  identifiers (GS1 Digital Link / ISO/IEC 18975 paths) the resolver answers
                        for, each with the tenant that registered it
    resolver_links      the typed links (UNTP link types) of each identifier's linkset
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 32  # random ids are 22 base64url characters; room for prefixes later
CREDENTIAL_ID_LENGTH = 2048  # credential ids are URLs; 2 KiB stays under PostgreSQL's btree limit
DIGEST_LENGTH = 256  # a digestMultibase of the longest accepted hash is ~90 characters
PRODUCT_LENGTH = 2048  # product ids are URLs, like credential ids
KIND_LENGTH = 64  # a certified property kind (carbonFootprint, recycledContent, ...)
HASH_LENGTH = 64  # SHA-256, hex
HOLDER_LENGTH = 2048  # a DID (or another party id), like tenants.did
IDENTIFIER_PATH_LENGTH = 1024  # a resolver identifier's canonical path (vcservice.resolver)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite too (which stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantRow(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    did: Mapped[str] = mapped_column(String(2048))
    default_format: Mapped[str] = mapped_column(String(32))
    fixed_key: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key_backend: Mapped[str] = mapped_column(String(16), server_default="vault")
    did_options: Mapped[str | None] = mapped_column(Text, nullable=True)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SigningKeyRow(Base):
    __tablename__ = "signing_keys"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        UniqueConstraint("tenant_id", "fragment"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    seq: Mapped[int] = mapped_column(Integer)
    fragment: Mapped[str] = mapped_column(String(64))
    key_type: Mapped[str] = mapped_column(String(16))
    public_multibase: Mapped[str] = mapped_column(String(256))
    private_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purpose: Mapped[str] = mapped_column(String(16), server_default="assertion")
    backend: Mapped[str] = mapped_column(String(16), server_default="vault")
    token_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DidLogEntryRow(Base):
    __tablename__ = "did_log_entries"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    version_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    version_time: Mapped[datetime] = mapped_column(UTCDateTime())
    entry: Mapped[str] = mapped_column(Text)


class DidWitnessProofRow(Base):
    __tablename__ = "did_witness_proofs"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    version_id: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    witness: Mapped[str] = mapped_column(String(HOLDER_LENGTH), primary_key=True)
    proof: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KeyEventRow(Base):
    __tablename__ = "key_events"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    event: Mapped[str] = mapped_column(String(32))
    key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    chain_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


class CredentialRow(Base):
    __tablename__ = "credentials"
    __table_args__ = (Index(None, "tenant_id", "created_at"),)

    # Unique per tenant, not globally: one tenant's ids are neither revealed nor blocked by
    # another's.
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH), primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    document: Mapped[Any] = mapped_column(JSON())
    published: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the console's search matches (vcservice.credential_terms.search_text); NULL only
    # until ``migrate`` backfills rows saved before migration 0008.
    search_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What is published in place of ``document`` when it was issued encrypted: the AES-GCM
    # envelope (vcservice.confidential). Its key is never stored, here or anywhere.
    sealed: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class StatusListRow(Base):
    __tablename__ = "status_lists"
    __table_args__ = (
        Index(None, "tenant_id", "purpose", "length"),
        # At most one open list per tenant and purpose, however many issuers race to open one.
        Index(
            "ix_status_lists_open",
            "tenant_id",
            "purpose",
            unique=True,
            sqlite_where=text('NOT "full"'),
            postgresql_where=text('NOT "full"'),
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    length: Mapped[int] = mapped_column(Integer)
    full: Mapped[bool] = mapped_column(Boolean)
    # Slots handed out (may pass ``length`` on the reservation that fills the list).
    next_slot: Mapped[int] = mapped_column(Integer, server_default="0")
    # The secret key of the slot-to-index permutation (vcservice.store._permute); never
    # published. NULL for lists from before migration 0012 (all full).
    slot_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer)
    signed: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    signed_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StatusAllocationRow(Base):
    __tablename__ = "status_allocations"

    list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id"), primary_key=True)
    index: Mapped[int] = mapped_column("idx", Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    # The credential of the list's tenant with this id (credential ids are unique per tenant).
    credential_id: Mapped[str | None] = mapped_column(
        String(CREDENTIAL_ID_LENGTH), index=True, nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ServiceKeyRow(Base):
    __tablename__ = "service_keys"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    fragment: Mapped[str] = mapped_column(String(64), unique=True)
    key_type: Mapped[str] = mapped_column(String(16))
    public_multibase: Mapped[str] = mapped_column(String(256))
    private_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerStateRow(Base):
    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    #: The Merkle frontier of the ``count`` entries (``[[height, hex hash], ...]``, see
    #: ``vcservice.ledger.merkle.Frontier``), kept up to date with each append so that a
    #: receipt costs O(log n); NULL until first needed (computed then from the entries).
    frontier: Mapped[list[list[Any]] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class LedgerCredentialRow(Base):
    __tablename__ = "ledger_credentials"

    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    identity: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    issuer: Mapped[str] = mapped_column(String(HOLDER_LENGTH))
    credential_id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerAccountRow(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint("balance_mg >= 0 AND balance_mg <= opened_mg", name="balance"),
    )

    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), index=True)
    product: Mapped[str] = mapped_column(String(PRODUCT_LENGTH))
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH))
    credential_id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    holder: Mapped[str] = mapped_column(String(HOLDER_LENGTH))
    opened_mg: Mapped[int] = mapped_column(BigInteger)
    balance_mg: Mapped[int] = mapped_column(BigInteger)
    spent_key: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    product: Mapped[str | None] = mapped_column(String(PRODUCT_LENGTH), nullable=True)
    property_kind: Mapped[str] = mapped_column(String(KIND_LENGTH))
    amount_mg: Mapped[int] = mapped_column(BigInteger)
    credential_id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH))
    credential_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    # NULL for a registration (a debit registered by a holder, made by no tenant here).
    tenant_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    holder: Mapped[str] = mapped_column(String(HOLDER_LENGTH))
    # What commits the log to the other ledger tables (see vcservice.ledger.entries.Entry);
    # NULL in entries written before revision 0005.
    issuer: Mapped[str | None] = mapped_column(String(HOLDER_LENGTH), nullable=True)
    sources: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    settles: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    entry_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)


class LedgerOriginRow(Base):
    """One source digest of an origin entry (``seq``); ``settled`` once an account opened for
    one of the origin's sources has been charged with it."""

    __tablename__ = "ledger_origins"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True, index=True)
    product: Mapped[str | None] = mapped_column(String(PRODUCT_LENGTH), nullable=True)
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH))
    amount_mg: Mapped[int] = mapped_column(BigInteger)
    holder: Mapped[str] = mapped_column(String(HOLDER_LENGTH))
    credential_id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH))
    credential_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    settled: Mapped[bool] = mapped_column(Boolean)


class LedgerCheckpointRow(Base):
    __tablename__ = "ledger_checkpoints"

    count: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    head_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    root_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    jws: Mapped[str] = mapped_column(Text)


class RegistrationRow(Base):
    __tablename__ = "registrations"

    identity: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    credential_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), index=True)
    payload_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    receipt: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RegisteredSpendRow(Base):
    __tablename__ = "registered_spends"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spent_key: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    home: Mapped[str] = mapped_column(String(HOLDER_LENGTH))
    amount_mg: Mapped[int] = mapped_column(BigInteger)
    credential_id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WitnessedLogRow(Base):
    __tablename__ = "witnessed_logs"

    #: SHA-256 (hex) of the log's DID: DIDs are long, keys short.
    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    log: Mapped[str] = mapped_column(String(HOLDER_LENGTH))
    count: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    checkpoint: Mapped[str] = mapped_column(Text)
    cosigned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EquivocationRow(Base):
    __tablename__ = "equivocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    log: Mapped[str] = mapped_column(String(HOLDER_LENGTH))
    first: Mapped[str] = mapped_column(Text)
    second: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WitnessSizeRow(Base):
    __tablename__ = "witness_sizes"

    #: SHA-256 (hex) of the witness's endpoint URL.
    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH))
    size: Mapped[int] = mapped_column(BigInteger)


class ConsoleSessionRow(Base):
    """An issuer-console session. ``api_key_id`` is the key that signed in: the session lives
    only while that key does (a lookup joins ``api_keys``; deleting the key deletes it too)."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    api_key_id: Mapped[str] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class SharedResultRow(Base):
    """The input of one verification on the buyer page, content-addressed (see ``_shared``)."""

    __tablename__ = "shared_results"

    #: SHA-256 (hex) of ``input``: the same input is one row, whoever shared it.
    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    input: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ResolverIdentifierRow(Base):
    """An identifier the resolver answers for, and the one tenant that registered it first:
    only that tenant may add links to it (two tenants claiming one GTIN must not mix their
    links into one linkset)."""

    __tablename__ = "resolver_identifiers"

    #: The canonical path (vcservice.resolver.Identifier.path).
    path: Mapped[str] = mapped_column(String(IDENTIFIER_PATH_LENGTH), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ResolverLinkRow(Base):
    """One typed link of an identifier's linkset; ``credential_id`` when its target is a
    credential the tenant issued here (NULL for a target elsewhere). Keyed by the SHA-256 of
    (path, link type, href): the same link registered twice is one row, and the key stays
    short where the three columns together would pass PostgreSQL's index entry limit."""

    __tablename__ = "resolver_links"

    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    path: Mapped[str] = mapped_column(ForeignKey("resolver_identifiers.path"), index=True)
    link_type: Mapped[str] = mapped_column(String(KIND_LENGTH))
    href: Mapped[str] = mapped_column(String(CREDENTIAL_ID_LENGTH))
    title: Mapped[str] = mapped_column(String(256))
    media_type: Mapped[str] = mapped_column(String(128))
    credential_id: Mapped[str | None] = mapped_column(String(CREDENTIAL_ID_LENGTH), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
