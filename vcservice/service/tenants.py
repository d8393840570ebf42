"""Tenants, their DIDs and their signing keys.

A tenant is an issuer: a did:web hosted here (``did:web:<host>:tenants:<name>``, keys rotate)
or the did:key of its one key. This module names their DIDs, builds the did:web documents
the service hosts, and picks the key and verification method a tenant signs with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vcservice.dids import (
    MethodForm,
    did_document,
    did_key_for,
    did_web_for,
    verification_method_id,
)
from vcservice.errors import InputError
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing.registry import format_names, formats_for_key
from vcservice.service.commands import DID_METHODS, DidMethod, NewTenant
from vcservice.settings import Settings
from vcservice.store import KeyRecord, Store, Tenant

#: Each key is listed in both forms: Multikey for Data Integrity verifiers, JWK for JOSE ones.
FORMS: tuple[MethodForm, ...] = ("Multikey", "JsonWebKey")


@dataclass(frozen=True)
class Tenants:
    store: Store
    settings: Settings

    @property
    def did_prefix(self) -> str:
        """What every hosted tenant DID starts with (the name follows)."""
        return did_web_for(self.settings.public_host, ["tenants"]) + ":"

    def did_of(self, name: str) -> str:
        return did_web_for(self.settings.public_host, ["tenants", name])

    def create(
        self,
        name: str,
        key_type: KeyType = KeyType.ED25519,
        did_method: DidMethod = "web",
        key: KeyPair | None = None,
    ) -> NewTenant:
        # Checked here, not only by the CLI's choices: the name becomes part of a DID.
        if not name or not all(c.isalnum() or c in "-_" for c in name) or len(name) > 64:
            raise InputError(
                "a tenant name is 1-64 letters, digits, '-' or '_' (it becomes part of its DID)"
            )
        if did_method not in DID_METHODS:
            raise InputError(f"unknown DID method {did_method!r}; expected one of web, key")
        if key is not None and did_method != "key":
            raise InputError("a tenant brings its own key only as a did:key (--did-method key)")
        did = self.did_of(name) if did_method == "web" else did_key_for
        tenant, api_key = self.store.create_tenant(
            name,
            did,
            key.key_type if key is not None else key_type,
            default_format=self.settings.default_format,
            key=key,
        )
        return {"tenant": tenant.name, "did": tenant.did, "api_key": api_key}

    def by_api_key(self, api_key: str) -> Tenant | None:
        return self.store.tenant_by_api_key(api_key)

    def did_document(self, name: str) -> dict[str, Any] | None:
        """The did:web document hosted for tenant ``name``; None for unknown and did:key ones."""
        tenant = self.store.tenant_by_name(name)
        if tenant is None or not tenant.did.startswith("did:web:"):
            return None
        records = self.store.keys(tenant.id)
        return did_document(
            tenant.did,
            [(k.fragment, k.public) for k in records if k.active],
            retired=[(k.fragment, k.public) for k in records if not k.active],
            forms=FORMS,
        )

    def verification_method(self, tenant: Tenant, key: KeyRecord) -> str:
        """The id of ``key`` in the tenant's DID document, the one its proofs name.

        did:key: ``did:key:<mb>#<mb>`` (what did:key resolves to); did:web: ``<did>#key-<n>``,
        its Multikey form in the document :meth:`did_document` builds.
        """
        if tenant.did.startswith("did:key:"):
            return f"{tenant.did}#{key.public.multibase}"
        return verification_method_id(tenant.did, key.fragment, "Multikey", forms=FORMS)

    def signer(self, tenant: Tenant) -> Signer:
        record, pair = self.store.active_key_pair(tenant.id)
        return Signer(pair, self.verification_method(tenant, record))

    def keys(self, tenant: Tenant) -> list[KeyRecord]:
        return self.store.keys(tenant.id)

    def add_key(self, tenant: Tenant, key_type: KeyType) -> KeyRecord:
        return self.store.add_key(tenant.id, key_type)

    def retire_key(self, tenant: Tenant, fragment: str) -> KeyRecord:
        return self.store.retire_key(tenant.id, fragment)

    def formats(self, tenant: Tenant) -> list[str]:
        """The formats the tenant's active signing keys can produce, its default first."""
        key_types = {k.key_type for k in self.store.keys(tenant.id) if k.active}
        signable = {f for key_type in key_types for f in formats_for_key(key_type)}
        formats = [f for f in format_names() if f in signable]
        if tenant.default_format in formats:
            formats.remove(tenant.default_format)
            formats.insert(0, tenant.default_format)
        return formats
