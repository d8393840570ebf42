"""The store's return values: frozen dataclasses, detached from any session.

Callers never see ORM objects, so nothing lazy-loads after a session closes and nothing a caller
mutates is written back by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from vcservice.keys import KeyPair, KeyType, PublicKey

#: Where a tenant's private keys live: ``vault`` encrypted in this database (AES-256-GCM under
#: the service's secret), ``pkcs11`` generated in a PKCS#11 token, which never lets them out.
KeyBackend = Literal["vault", "pkcs11"]
#: ``assertion``: listed in the DID document, signs credentials. ``update``: authorises a
#: did:webvh tenant's log entries; listed in its log, never in its document.
KeyPurpose = Literal["assertion", "update"]


@dataclass(frozen=True)
class Tenant:
    """An issuer. ``fixed_key``: its DID was derived from its first key (did:key), so that key
    is its only one: the store refuses to rotate or retire it."""

    id: str
    name: str
    did: str
    default_format: str
    created_at: datetime
    fixed_key: bool
    key_backend: KeyBackend = "vault"
    #: A did:webvh tenant's choices (pre-rotation, witnesses), as stored; None otherwise.
    did_options: dict[str, Any] | None = None

    @property
    def did_method(self) -> Literal["web", "webvh", "key"]:
        """How the tenant is identified, read from its DID (the one place it is kept)."""
        if self.did.startswith("did:webvh:"):
            return "webvh"
        return "key" if self.did.startswith("did:key:") else "web"


@dataclass(frozen=True)
class KeyRecord:
    """A signing key's public half; ``fragment`` names it in the tenant's DID (``did#key-1``)."""

    id: str
    tenant_id: str
    fragment: str
    key_type: KeyType
    public: PublicKey
    active: bool
    created_at: datetime
    purpose: KeyPurpose = "assertion"
    backend: KeyBackend = "vault"
    #: The PKCS#11 token's CKA_ID (hex) of the private key; None for a vault key.
    token_ref: str | None = None
    retired_at: datetime | None = None


@dataclass(frozen=True)
class NewKey:
    """A key to store: its public half and where the private half is (``pair`` for the
    vault, encrypted on the way in; ``token_ref`` for a key made in a PKCS#11 token)."""

    key_type: KeyType
    public: PublicKey
    purpose: KeyPurpose = "assertion"
    pair: KeyPair | None = field(default=None, repr=False)
    token_ref: str | None = None
    #: False for a did:webvh pre-rotation key: committed to (its hash is in the log), not
    #: yet in use; :meth:`~vcservice.store.Transaction.activate_key` puts it in use.
    active: bool = True

    def __post_init__(self) -> None:
        if (self.pair is None) == (self.token_ref is None):
            raise ValueError("a new key has either a key pair (vault) or a token reference")

    @property
    def backend(self) -> KeyBackend:
        return "vault" if self.pair is not None else "pkcs11"

    @classmethod
    def in_vault(
        cls, pair: KeyPair, purpose: KeyPurpose = "assertion", *, active: bool = True
    ) -> NewKey:
        return cls(pair.key_type, pair.public, purpose, pair=pair, active=active)


@dataclass(frozen=True)
class KeyEvent:
    """One entry of a tenant's key audit trail (see :mod:`vcservice.keys.audit`)."""

    seq: int
    at: datetime
    event: str
    key: str | None
    detail: dict[str, Any]
    chain_hash: str


@dataclass(frozen=True)
class DidLogEntry:
    """One line of a did:webvh tenant's ``did.jsonl``, with its version's id and time."""

    version_number: int
    version_id: str
    version_time: datetime
    entry: str


@dataclass(frozen=True)
class CredentialRecord:
    id: str
    tenant_id: str
    format: str
    document: Any
    published: bool
    created_at: datetime
    #: The encrypted envelope published in place of ``document``, if issued encrypted.
    sealed: Any = None


@dataclass(frozen=True)
class StatusList:
    """A status list's state. ``bits`` is the raw bitstring, index 0 = most significant bit of
    byte 0 (the Bitstring Status List order); ``version`` grows on every bit change and
    ``signed``/``signed_version`` hold the last signed list credential (version 0 = never signed),
    so a list needs re-signing exactly when ``signed_version < version``."""

    id: str
    tenant_id: str
    purpose: str
    length: int
    bits: bytes
    version: int
    signed: Any | None
    signed_version: int


@dataclass(frozen=True)
class StatusAllocation:
    list_id: str
    index: int
    purpose: str


@dataclass(frozen=True)
class LedgerHead:
    """The ledger's entry count and head hash, and the salt of spent-lookup keys."""

    count: int
    head_hash: str
    salt: bytes


@dataclass(frozen=True)
class LedgerCheckpoint:
    """A stored checkpoint; ``jws`` is the signed statement, the rest is what it says."""

    count: int
    head_hash: str
    root_hash: str
    issued_at: datetime
    jws: str


@dataclass(frozen=True)
class Spent:
    """Whether any (``spent``) or all (``fully_spent``) of a credential's credit is used."""

    spent: bool
    fully_spent: bool


@dataclass(frozen=True)
class CredentialStatus:
    """One status entry of a credential and whether its bit is set now (revoked, suspended)."""

    purpose: str
    list_id: str
    index: int
    value: bool


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in issuer-console session (``id`` is the SHA-256 of its cookie's token)."""

    id: str
    tenant: Tenant
    api_key_id: str
    created_at: datetime
    expires_at: datetime
    last_seen: datetime
