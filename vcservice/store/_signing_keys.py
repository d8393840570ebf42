"""Signing keys: numbered per tenant, private halves encrypted with the vault.

Rotation: :meth:`add_key` makes the new key the active one and retires the others; retired keys
stay listed (and published in the DID document by the caller) so credentials they signed keep
verifying. Key changes of one tenant take a lock on the tenant's row, so two concurrent
rotations cannot both leave their key active (SQLite serializes all writes anyway).

A tenant with ``fixed_key`` (its DID is derived from its key, as a did:key is) never rotates:
adding or retiring a key is a ConflictError.

The encryption's associated data names the tenant and the key row, so an encrypted key copied
into another row, or another tenant, no longer decrypts.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from vcservice.keys import KeyPair, KeyType, PublicKey
from vcservice.store._errors import ConflictError, KeyVaultError, NotFoundError
from vcservice.store._ops import OpsBase
from vcservice.store._records import KeyRecord
from vcservice.store._schema import SigningKeyRow, TenantRow


def key_aad(tenant_id: str, key_id: str) -> bytes:
    return b"vcservice/signing-key/v1\x00" + tenant_id.encode() + b"\x00" + key_id.encode()


def to_key_record(row: SigningKeyRow) -> KeyRecord:
    key_type = KeyType(row.key_type)
    return KeyRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        fragment=row.fragment,
        key_type=key_type,
        public=PublicKey.from_multibase(row.public_multibase),
        active=row.active,
        created_at=row.created_at,
    )


class SigningKeyOps(OpsBase):
    def keys(self, tenant_id: str) -> list[KeyRecord]:
        """All of the tenant's keys, oldest first, retired ones included."""
        self._tenant_row(tenant_id)
        rows = self._session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.tenant_id == tenant_id)
            .order_by(SigningKeyRow.seq)
        )
        return [to_key_record(row) for row in rows]

    def add_key(self, tenant_id: str, key_type: KeyType) -> KeyRecord:
        """Generate ``key-<n+1>``, make it the active key and retire the others."""
        self._refuse_fixed_key(self._tenant_row(tenant_id, lock=True))
        return self._store_key(tenant_id, KeyPair.generate(key_type))

    def _store_key(self, tenant_id: str, pair: KeyPair) -> KeyRecord:
        """Store ``pair`` as ``key-<n+1>``, the active key; the caller has locked the tenant."""
        seq = 1 + (
            self._session.scalar(
                select(func.max(SigningKeyRow.seq)).where(SigningKeyRow.tenant_id == tenant_id)
            )
            or 0
        )
        self._session.execute(
            update(SigningKeyRow)
            .where(SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.active.is_(True))
            .values(active=False)
            .execution_options(synchronize_session=False)
        )
        key_id = self._token()
        row = SigningKeyRow(
            id=key_id,
            tenant_id=tenant_id,
            seq=seq,
            fragment=f"key-{seq}",
            key_type=pair.key_type.value,
            public_multibase=pair.public.multibase,
            private_encrypted=self._vault.encrypt(
                pair.secret_multibase.encode("ascii"), key_aad(tenant_id, key_id)
            ),
            active=True,
            created_at=self._now(),
        )
        self._session.add(row)
        self._session.flush()
        return to_key_record(row)

    @staticmethod
    def _refuse_fixed_key(tenant: TenantRow) -> None:
        if tenant.fixed_key:
            raise ConflictError(
                f"the key of {tenant.name!r} cannot change: its DID ({tenant.did}) is derived "
                "from that key, so a new key would be a different DID; create a new tenant instead"
            )

    def retire_key(self, tenant_id: str, fragment: str) -> KeyRecord:
        """Retire a key; refuses the last active one (the tenant could no longer sign)."""
        self._refuse_fixed_key(self._tenant_row(tenant_id, lock=True))
        row = self._session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.fragment == fragment)
            .execution_options(populate_existing=True)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no key {fragment!r} for this tenant")
        if not row.active:
            return to_key_record(row)
        active = self._session.scalar(
            select(func.count())
            .select_from(SigningKeyRow)
            .where(SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.active.is_(True))
        )
        if (active or 0) <= 1:
            raise ConflictError(
                f"{fragment!r} is the last active key; add a new key before retiring it"
            )
        row.active = False
        self._session.flush()
        return to_key_record(row)

    def active_key_pair(self, tenant_id: str) -> tuple[KeyRecord, KeyPair]:
        """The newest active key with its decrypted private half (never log the pair)."""
        self._tenant_row(tenant_id)
        row = self._session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.active.is_(True))
            .order_by(SigningKeyRow.seq.desc())
            .limit(1)
        ).one_or_none()
        if row is None:
            raise NotFoundError("this tenant has no active signing key")
        secret = self._vault.decrypt(row.private_encrypted, key_aad(tenant_id, row.id))
        pair = KeyPair.from_multibase(secret.decode("ascii"))
        record = to_key_record(row)
        if pair.public.raw != record.public.raw or pair.key_type is not record.key_type:
            raise KeyVaultError("a stored private key does not match its public key")
        return record, pair
