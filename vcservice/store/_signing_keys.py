"""Signing keys: numbered per tenant and purpose, private halves in the vault or a token.

Rotation: :meth:`add_key` makes the new key the active one of its purpose and retires the
others of that purpose; retired keys stay listed (the caller decides whether the DID document
still names them) so credentials they signed keep verifying. Key changes of one tenant take a
lock on the tenant's row, so two concurrent rotations cannot both leave their key active
(SQLite serializes all writes anyway).

A tenant with ``fixed_key`` (its DID is derived from its key, as a did:key is) never rotates:
adding or retiring a key is a ConflictError.

Where the private half lives is the key's ``backend``: ``vault`` keys are encrypted here, with
associated data naming the tenant and the key row, so an encrypted key copied into another
row, or another tenant, no longer decrypts; ``pkcs11`` keys are only a reference (the token's
CKA_ID) and the service asks the token to sign. Assertion keys are named ``key-<n>``, a
did:webvh tenant's update keys ``update-<n>``, each numbered within its purpose.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from vcservice.keys import KeyPair, KeyType, PublicKey
from vcservice.store._errors import ConflictError, KeyVaultError, NotFoundError
from vcservice.store._ops import OpsBase
from vcservice.store._records import KeyPurpose, KeyRecord, NewKey
from vcservice.store._schema import SigningKeyRow, TenantRow

_FRAGMENT_PREFIX: dict[str, str] = {"assertion": "key-", "update": "update-"}


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
        purpose="update" if row.purpose == "update" else "assertion",
        backend="pkcs11" if row.backend == "pkcs11" else "vault",
        token_ref=row.token_ref,
        retired_at=row.retired_at,
    )


def refuse_fixed_key(name: str, did: str, *, fixed_key: bool) -> None:
    """ConflictError for a tenant whose DID is derived from its one key (did:key)."""
    if fixed_key:
        raise ConflictError(
            f"the key of {name!r} cannot change: its DID ({did}) is derived from that key, so "
            "a new key would be a different DID; create a new tenant instead"
        )


class SigningKeyOps(OpsBase):
    def keys(self, tenant_id: str, purpose: KeyPurpose = "assertion") -> list[KeyRecord]:
        """The tenant's keys of ``purpose``, oldest first, retired ones included."""
        self._tenant_row(tenant_id)
        rows = self._session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.purpose == purpose)
            .order_by(SigningKeyRow.seq)
        )
        return [to_key_record(row) for row in rows]

    def add_key(
        self, tenant_id: str, key: KeyType | NewKey, *, retire_others: bool = True
    ) -> KeyRecord:
        """Store ``key`` (a KeyType: a new vault key of that type) as the next key of its
        purpose; unless ``retire_others`` is False, it becomes the only active one."""
        self._refuse_fixed_key(self._tenant_row(tenant_id, lock=True))
        new = NewKey.in_vault(KeyPair.generate(key)) if isinstance(key, KeyType) else key
        return self._store_key(tenant_id, new, retire_others=retire_others)

    def _store_key(self, tenant_id: str, new: NewKey, *, retire_others: bool = True) -> KeyRecord:
        """Store ``new`` as the next key of its purpose; the caller has locked the tenant."""
        seq = 1 + (
            self._session.scalar(
                select(func.max(SigningKeyRow.seq)).where(SigningKeyRow.tenant_id == tenant_id)
            )
            or 0
        )
        number = 1 + (
            self._session.scalar(
                select(func.count())
                .select_from(SigningKeyRow)
                .where(SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.purpose == new.purpose)
            )
            or 0
        )
        now = self._now()
        if retire_others and new.active:
            self._retire_active(tenant_id, new.purpose, now)
        key_id = self._token()
        row = SigningKeyRow(
            id=key_id,
            tenant_id=tenant_id,
            seq=seq,
            fragment=f"{_FRAGMENT_PREFIX[new.purpose]}{number}",
            key_type=new.key_type.value,
            public_multibase=new.public.multibase,
            private_encrypted=None
            if new.pair is None
            else self._vault.encrypt(
                new.pair.secret_multibase.encode("ascii"), key_aad(tenant_id, key_id)
            ),
            active=new.active,
            created_at=now,
            purpose=new.purpose,
            backend=new.backend,
            token_ref=new.token_ref,
        )
        self._session.add(row)
        self._session.flush()
        return to_key_record(row)

    def _retire_active(self, tenant_id: str, purpose: str, now: datetime) -> None:
        """Retire every active key of ``purpose`` (a new one is taking over)."""
        self._session.execute(
            update(SigningKeyRow)
            .where(
                SigningKeyRow.tenant_id == tenant_id,
                SigningKeyRow.purpose == purpose,
                SigningKeyRow.active.is_(True),
            )
            .values(active=False, retired_at=now)
            .execution_options(synchronize_session=False)
        )

    @staticmethod
    def _refuse_fixed_key(tenant: TenantRow) -> None:
        refuse_fixed_key(tenant.name, tenant.did, fixed_key=tenant.fixed_key)

    def lock_tenant(self, tenant_id: str) -> None:
        """Serialize this transaction's key changes with others' on the tenant (its row lock;
        SQLite serializes every write anyway)."""
        self._tenant_row(tenant_id, lock=True)

    def retire_key(self, tenant_id: str, fragment: str, *, last: bool = False) -> KeyRecord:
        """Retire a key; refuses the last active one (the tenant could no longer sign) unless
        ``last`` (a did:webvh DID being deactivated retires every key)."""
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
            .where(
                SigningKeyRow.tenant_id == tenant_id,
                SigningKeyRow.purpose == row.purpose,
                SigningKeyRow.active.is_(True),
            )
        )
        if (active or 0) <= 1 and not last:
            raise ConflictError(
                f"{fragment!r} is the last active key; add a new key before retiring it"
            )
        row.active = False
        row.retired_at = self._now()
        self._session.flush()
        return to_key_record(row)

    def activate_key(self, tenant_id: str, fragment: str) -> KeyRecord:
        """Put a pending key (stored inactive, never retired: a did:webvh pre-rotation key) in
        use and retire the other active keys of its purpose; the caller has locked the tenant."""
        row = self._session.scalars(
            select(SigningKeyRow).where(
                SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.fragment == fragment
            )
        ).one_or_none()
        if row is None or row.active or row.retired_at is not None:
            raise ConflictError(f"{fragment!r} is not a pending key of this tenant")
        self._retire_active(tenant_id, row.purpose, self._now())
        row.active = True
        self._session.flush()
        return to_key_record(row)

    def key_is_active(self, tenant_id: str, key_id: str) -> bool:
        active = self._session.scalar(
            select(SigningKeyRow.active).where(
                SigningKeyRow.tenant_id == tenant_id, SigningKeyRow.id == key_id
            )
        )
        return bool(active)

    def active_key(
        self, tenant_id: str, purpose: KeyPurpose = "assertion"
    ) -> tuple[KeyRecord, KeyPair | None]:
        """The newest active key of ``purpose``, with its decrypted private half when it is a
        vault key (None for a token key: the token signs). Never log the pair."""
        self._tenant_row(tenant_id)
        row = self._session.scalars(
            select(SigningKeyRow)
            .where(
                SigningKeyRow.tenant_id == tenant_id,
                SigningKeyRow.purpose == purpose,
                SigningKeyRow.active.is_(True),
            )
            .order_by(SigningKeyRow.seq.desc())
            .limit(1)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"this tenant has no active {purpose} key")
        return to_key_record(row), self._pair(row)

    def _pair(self, row: SigningKeyRow) -> KeyPair | None:
        if row.private_encrypted is None:
            return None
        secret = self._vault.decrypt(row.private_encrypted, key_aad(row.tenant_id, row.id))
        pair = KeyPair.from_multibase(secret.decode("ascii"))
        if pair.public.raw != PublicKey.from_multibase(row.public_multibase).raw or (
            pair.key_type.value != row.key_type
        ):
            raise KeyVaultError("a stored private key does not match its public key")
        return pair

    def active_key_pair(self, tenant_id: str) -> tuple[KeyRecord, KeyPair]:
        """:meth:`active_key` of a vault key (its pair is in memory)."""
        record, pair = self.active_key(tenant_id)
        if pair is None:
            raise KeyVaultError(f"{record.fragment} is held in a PKCS#11 token, not the vault")
        return record, pair
