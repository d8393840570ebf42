"""Storage: SQLAlchemy models, Alembic migrations, encrypted signing keys, repositories.

Usage::

    engine = make_engine(settings.database_url)   # sqlite:///file.db or postgresql://...
    migrate(engine)                               # Alembic "upgrade head", idempotent
    store = Store(engine, KeyVault.from_settings(secret, secret_file, dev_file=None))
    tenant, api_key = store.create_tenant("acme", "did:web:acme.example", KeyType.ED25519)
    # or a DID derived from key-1, e.g. did_key_for (that tenant's key can then never rotate)
    entry = store.allocate_status(tenant.id, "revocation")  # a reserved slot, from a cache
    with store.transaction() as tx:               # sign, save: all or nothing
        ...
        tx.save_credential(tenant.id, cred_id, signed, "vc+jwt", published=True,
                           allocations=[entry])

Everything not in ``__all__`` is private and may change.
"""

from vcservice.store._engine import is_ready, make_engine
from vcservice.store._errors import (
    AlreadyPostedError,
    ConflictError,
    InsufficientCreditError,
    KeyVaultError,
    NoMatchingAccountError,
    NotFoundError,
    NotHolderError,
    StoreUnavailableError,
)
from vcservice.store._ledger import LedgerSnapshot, ledger_snapshot
from vcservice.store._migrate import alembic_config, migrate
from vcservice.store._records import (
    ConsoleSession,
    CredentialRecord,
    CredentialStatus,
    DidLogEntry,
    KeyBackend,
    KeyEvent,
    KeyPurpose,
    KeyRecord,
    LedgerCheckpoint,
    LedgerHead,
    NewKey,
    Spent,
    StatusAllocation,
    StatusList,
    Tenant,
)
from vcservice.store._schema import Base
from vcservice.store._signing_keys import refuse_fixed_key
from vcservice.store._store import Store
from vcservice.store._tx import Transaction
from vcservice.store._vault import KeyVault

__all__ = [
    "AlreadyPostedError",
    "Base",
    "ConflictError",
    "ConsoleSession",
    "CredentialRecord",
    "CredentialStatus",
    "DidLogEntry",
    "InsufficientCreditError",
    "KeyBackend",
    "KeyEvent",
    "KeyPurpose",
    "KeyRecord",
    "KeyVault",
    "KeyVaultError",
    "LedgerCheckpoint",
    "LedgerHead",
    "LedgerSnapshot",
    "NewKey",
    "NoMatchingAccountError",
    "NotFoundError",
    "NotHolderError",
    "Spent",
    "StatusAllocation",
    "StatusList",
    "Store",
    "StoreUnavailableError",
    "Tenant",
    "Transaction",
    "alembic_config",
    "is_ready",
    "ledger_snapshot",
    "make_engine",
    "migrate",
    "refuse_fixed_key",
]
