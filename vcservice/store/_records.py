"""The store's return values: frozen dataclasses, detached from any session.

Callers never see ORM objects, so nothing lazy-loads after a session closes and nothing a caller
mutates is written back by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.keys import KeyType, PublicKey


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


@dataclass(frozen=True)
class CredentialRecord:
    id: str
    tenant_id: str
    format: str
    document: Any
    published: bool
    created_at: datetime


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
