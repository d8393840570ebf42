"""Tenants and their API keys.

An API key is ``vcs_`` + 32 random bytes (base64url); only its SHA-256 is stored, so a copy of
the database does not let anyone call the API. A plain hash (no salt, no slow KDF) is right here:
the key has 256 bits of entropy, so there is nothing to brute-force, and lookup by hash is one
indexed query.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from vcservice.errors import InputError
from vcservice.keys import KeyPair, KeyType, PublicKey
from vcservice.store._errors import ConflictError
from vcservice.store._ops import OpsBase
from vcservice.store._records import KeyBackend, NewKey, Tenant
from vcservice.store._schema import ApiKeyRow, TenantRow
from vcservice.store._signing_keys import SigningKeyOps

API_KEY_PREFIX = "vcs_"


def api_key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def to_tenant(row: TenantRow) -> Tenant:
    return Tenant(
        row.id,
        row.name,
        row.did,
        row.default_format,
        row.created_at,
        fixed_key=row.fixed_key,
        key_backend="pkcs11" if row.key_backend == "pkcs11" else "vault",
        did_options=None if row.did_options is None else json.loads(row.did_options),
    )


#: A tenant's DID, or a function that derives it from the public half of its first key.
DidOrDerivation = str | Callable[[PublicKey], str]


class TenantOps(SigningKeyOps, OpsBase):
    def create_tenant(
        self,
        name: str,
        did: DidOrDerivation,
        key_type: KeyType,
        *,
        default_format: str = "vc+jwt",
        key: KeyPair | None = None,
        keys: Sequence[NewKey] = (),
        key_backend: KeyBackend = "vault",
        did_options: dict[str, Any] | None = None,
    ) -> tuple[Tenant, str]:
        """Create a tenant with its first API key (returned once, in plain) and key ``key-1``
        (``key``, when the tenant brings its own: one party's did:key on several platforms).

        ``did`` is the tenant's DID, or a function deriving it from key-1's public key (e.g.
        :func:`~vcservice.dids.did_key_for`). A derived DID names that one key, so such a tenant
        is created with ``fixed_key``: rotating or retiring its key is refused.

        ``keys``, when given, are the tenant's first keys as made by the caller (in a token, or
        for a did:webvh log that names them before the tenant exists), stored in order and all
        active; ``key_type`` and ``key`` are then unused.
        """
        if not name.strip() or len(name) > 200:
            raise InputError("a tenant name is 1 to 200 characters")
        first = list(keys) or [NewKey.in_vault(key or KeyPair.generate(key_type))]
        tenant_did = did(first[0].public) if callable(did) else did
        if not tenant_did.startswith("did:") or len(tenant_did) > 2048:
            raise InputError("a tenant's DID must start with 'did:' (at most 2048 characters)")
        row = TenantRow(
            id=self._token(),
            name=name,
            did=tenant_did,
            default_format=default_format,
            fixed_key=callable(did),
            created_at=self._now(),
            key_backend=key_backend,
            did_options=None if did_options is None else json.dumps(did_options),
        )
        if self.tenant_by_name(name) is not None or not self._insert(row):
            raise ConflictError(f"the tenant name {name!r} is taken")
        api_key = self.create_api_key(row.id)
        for new in first:
            self._store_key(row.id, new, retire_others=False)
        return to_tenant(row), api_key

    def tenant_by_api_key(self, api_key: str) -> Tenant | None:
        if not api_key.startswith(API_KEY_PREFIX) or len(api_key) > 256:
            return None
        query = (
            select(TenantRow)
            .join(ApiKeyRow, ApiKeyRow.tenant_id == TenantRow.id)
            .where(ApiKeyRow.key_sha256 == api_key_hash(api_key))
        )
        row = self._session.scalars(query).one_or_none()
        return None if row is None else to_tenant(row)

    def tenant_by_name(self, name: str) -> Tenant | None:
        row = self._session.scalars(select(TenantRow).where(TenantRow.name == name)).one_or_none()
        return None if row is None else to_tenant(row)

    def tenant(self, tenant_id: str) -> Tenant:
        return to_tenant(self._tenant_row(tenant_id))

    def create_api_key(self, tenant_id: str) -> str:
        """A new API key for the tenant (earlier ones stay valid); returned once, in plain."""
        self._tenant_row(tenant_id)
        api_key = API_KEY_PREFIX + self._token(32)
        self._session.add(
            ApiKeyRow(
                id=self._token(),
                tenant_id=tenant_id,
                key_sha256=api_key_hash(api_key),
                created_at=self._now(),
            )
        )
        self._session.flush()
        return api_key
