"""The Bitstring Status Lists the service hosts for its tenants.

Issuing takes an index per purpose from the tenant's open list, through a secret permutation
of a counter (``vcservice.store._status``), reserved ahead in blocks; revoking, suspending and
reinstating set or clear that bit; the list credential is signed by the tenant again only when
a bit has changed since it was last signed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.jsonld import StaticDocumentLoader
from vcservice.securing.dataintegrity import add_proof
from vcservice.securing.registry import status_list_suite
from vcservice.service.commands import StatusChange
from vcservice.service.tenants import Tenants
from vcservice.settings import Settings
from vcservice.status import status_entry, status_list_credential
from vcservice.store import StatusAllocation, Store, Tenant


@dataclass(frozen=True)
class StatusLists:
    store: Store
    settings: Settings
    tenants: Tenants
    loader: StaticDocumentLoader

    @property
    def prefix(self) -> str:
        """What the URL of every list hosted here starts with (the list id follows)."""
        return f"{self.settings.public_url}/status-lists/"

    def url(self, list_id: str) -> str:
        return self.prefix + list_id

    def allocate(self, tenant_id: str, purpose: str) -> StatusAllocation:
        """A reserved index for a credential about to be issued (from the store's slot cache;
        lists opened now get the configured length). Call it before the issuing transaction."""
        return self.store.allocate_status(
            tenant_id, purpose, length=self.settings.status_list_length
        )

    def entry(self, allocation: StatusAllocation) -> dict[str, Any]:
        """The ``credentialStatus`` entry of an allocated index."""
        return status_entry(self.url(allocation.list_id), allocation.index, allocation.purpose)

    def update(self, tenant: Tenant, credential_id: str, changes: Sequence[StatusChange]) -> None:
        for change in changes:
            self.store.set_status(tenant.id, credential_id, change.purpose, change.status)

    def credential(self, list_id: str) -> tuple[Any, str] | None:
        """The signed list credential and its ETag, re-signed when a status has changed."""
        record = self.store.status_list(list_id)
        if record is None:
            return None
        signed = record.signed
        if signed is None or record.signed_version != record.version:
            tenant = self.store.tenant(record.tenant_id)
            signer, key = self.tenants.active_signer(tenant)
            unsigned = status_list_credential(
                self.url(list_id), tenant.did, record.purpose, record.bits
            )
            suite = status_list_suite(signer.key.key_type)
            signed = add_proof(unsigned, suite, signer, loader=self.loader)
            with self.store.transaction() as tx:
                tx.save_signed_list(list_id, record.version, signed)
                detail = {"statusList": self.url(list_id), "version": record.version}
                tx.append_key_event(tenant.id, "signed", key.fragment, detail)
        etag = (
            '"' + hashlib.sha256(json.dumps(signed, sort_keys=True).encode()).hexdigest()[:32] + '"'
        )
        return signed, etag
