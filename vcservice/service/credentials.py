"""Credentials the service issued: who may read which, and their status bits.

Credential ids are unique per tenant, not across tenants: a tenant always reads its own; a
published credential is anyone's to read, by its id alone only while no other tenant
published one with the same id. One published encrypted is read by others as its ciphertext
envelope; its issuer reads the credential itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.store import CredentialRecord, CredentialStatus, NotFoundError, Store, Tenant


@dataclass(frozen=True)
class Credentials:
    store: Store

    def get(self, credential_id: str, tenant: Tenant | None) -> Any:
        """The signed-in tenant's own credential with this id (published or not), else the one
        credential published with it; NotFoundError otherwise.

        When two tenants published one id, the id alone names neither, and the answer is 404
        pointing at the tenant-scoped URL (:meth:`published`) rather than a guess between them.
        """
        if tenant is not None:
            own = self.store.credential(tenant.id, credential_id)
            if own is not None:
                return own.document
        published = self.store.published_credentials(credential_id)
        if len(published) > 1:
            raise NotFoundError(
                f"several issuers published a credential with id {credential_id}: ask for it "
                "at /tenants/{name}/credentials/{id}"
            )
        if not published:
            raise NotFoundError(f"no credential {credential_id}")
        return _public(published[0])

    def published(self, name: str, credential_id: str) -> Any:
        """Tenant ``name``'s published credential with this id; NotFoundError otherwise."""
        tenant = self.store.tenant_by_name(name)
        record = None if tenant is None else self.store.credential(tenant.id, credential_id)
        if record is None or not record.published:
            raise NotFoundError(f"no published credential {credential_id} of tenant {name}")
        return _public(record)

    def own(self, tenant: Tenant, credential_id: str) -> CredentialRecord | None:
        """The tenant's credential with this id; another tenant's is as absent as none."""
        return self.store.credential(tenant.id, credential_id)

    def listed(self, tenant: Tenant, *, limit: int, offset: int) -> list[CredentialRecord]:
        """The tenant's credentials, newest first."""
        return self.store.credentials(tenant.id, limit=limit, offset=offset)

    def searched(
        self, tenant: Tenant, query: str, *, limit: int, offset: int
    ) -> tuple[list[CredentialRecord], int]:
        """One page of the tenant's credentials matching every word of ``query`` (its name,
        products, kind or id), newest first, and how many match in all."""
        return self.store.search_credentials(tenant.id, query, limit=limit, offset=offset)

    def statuses(
        self, tenant: Tenant, credential_ids: Sequence[str]
    ) -> dict[str, list[CredentialStatus]]:
        """The status entries (purpose and bit) of each of the tenant's credentials."""
        return self.store.credential_statuses(tenant.id, credential_ids)


def _public(record: CredentialRecord) -> Any:
    """What anyone may read of a published credential: its envelope if it was encrypted."""
    return record.sealed if record.sealed is not None else record.document
