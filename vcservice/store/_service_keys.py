"""The service's own signing key (it signs ledger checkpoints), encrypted like tenant keys.

A dedicated table rather than a reserved tenant: a tenant has API keys, a name in the tenants'
DID namespace and credentials, none of which the service identity should have, and no tenant
name can then ever collide with it. The key is created on first use, as ``key-1``; two
processes creating it at once both insert ``key-1``, one wins (the unique fragment), and the
other reads the winner's key. Rotation would add ``key-2`` the same way and keep ``key-1``
published, so old checkpoints keep verifying.
"""

from __future__ import annotations

from sqlalchemy import select

from vcservice.keys import KeyPair, KeyType, PublicKey
from vcservice.store._errors import KeyVaultError
from vcservice.store._ops import OpsBase
from vcservice.store._schema import ServiceKeyRow

SERVICE_KEY_FRAGMENT = "key-1"


def service_key_aad(key_id: str) -> bytes:
    """Associated data binding an encrypted service key to its row (see ``_vault``)."""
    return b"vcservice/service-key/v1\x00" + key_id.encode()


class ServiceKeyOps(OpsBase):
    def service_keys(self) -> list[tuple[str, PublicKey]]:
        """Every service key as (fragment, public key), oldest first."""
        rows = self._session.scalars(select(ServiceKeyRow).order_by(ServiceKeyRow.created_at))
        return [(row.fragment, PublicKey.from_multibase(row.public_multibase)) for row in rows]

    def service_key_pair(self, *, create: bool = True) -> tuple[str, KeyPair] | None:
        """The service's signing key (fragment, decrypted pair), created on first use (None
        without ``create``: a read-only transaction finds whether it exists)."""
        row = self._service_key_row()
        if row is None and not create:
            return None
        if row is None:
            pair = KeyPair.generate(KeyType.ED25519)
            key_id = self._token()
            created = ServiceKeyRow(
                id=key_id,
                fragment=SERVICE_KEY_FRAGMENT,
                key_type=pair.key_type.value,
                public_multibase=pair.public.multibase,
                private_encrypted=self._vault.encrypt(
                    pair.secret_multibase.encode("ascii"), service_key_aad(key_id)
                ),
                created_at=self._now(),
            )
            if self._insert(created):
                return created.fragment, pair
            row = self._service_key_row()
            if row is None:  # pragma: no cover - the insert lost to a key that then vanished
                raise KeyVaultError("the service key could not be created")
        secret = self._vault.decrypt(row.private_encrypted, service_key_aad(row.id))
        pair = KeyPair.from_multibase(secret.decode("ascii"))
        if pair.public.multibase != row.public_multibase:
            raise KeyVaultError("the stored service key does not match its public key")
        return row.fragment, pair

    def _service_key_row(self) -> ServiceKeyRow | None:
        return self._session.scalars(
            select(ServiceKeyRow).where(ServiceKeyRow.fragment == SERVICE_KEY_FRAGMENT)
        ).one_or_none()
