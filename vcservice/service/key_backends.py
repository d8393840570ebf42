"""Where tenants' private keys live: the vault (default) or a PKCS#11 token, behind one interface.

The rest of the service asks for a :class:`~vcservice.store.NewKey` to store and for the
:class:`~vcservice.keys.SigningKey` of a stored key; whether the private half is a vault blob
decrypted for the signature or a handle to a key inside an HSM is decided here alone, so the
API, the CLI and the console work the same on both.

The token is opened on first use (a service without a PKCS#11 tenant never loads the module)
and shared by every tenant: PKCS#11 login belongs to the process, so there is one session per
token per process (:mod:`vcservice.keys._pkcs11`). Token keys are looked up once and kept:
finding a key costs a search and a probe signature in the token.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from vcservice.errors import InputError, KeyTokenError
from vcservice.keys import KeyPair, KeyType, SigningKey
from vcservice.settings import Settings
from vcservice.store import KeyBackend, KeyPurpose, KeyRecord, NewKey

if TYPE_CHECKING:
    from vcservice.keys._pkcs11 import Pkcs11Token

KEY_BACKENDS: tuple[KeyBackend, ...] = ("vault", "pkcs11")


class KeyBackends:
    """Makes keys and finds signing keys on the backend each tenant chose."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._token: Pkcs11Token | None = None
        self._token_keys: dict[str, SigningKey] = {}

    @property
    def pkcs11_configured(self) -> bool:
        return bool(self._settings.pkcs11_module)

    def check(self, backend: str) -> KeyBackend:
        """``backend`` if this service can keep keys there, else InputError saying why."""
        if backend == "vault":
            return "vault"
        if backend == "pkcs11":
            if not self.pkcs11_configured:
                raise InputError(
                    "the pkcs11 key backend is not configured here: set VCSERVICE_PKCS11_MODULE, "
                    "VCSERVICE_PKCS11_TOKEN_LABEL and VCSERVICE_PKCS11_PIN (or _PIN_FILE)"
                )
            return "pkcs11"
        raise InputError(f"unknown key backend {backend!r}; expected one of vault, pkcs11")

    def new_key(
        self,
        backend: KeyBackend,
        key_type: KeyType,
        *,
        purpose: KeyPurpose = "assertion",
        label: str,
        active: bool = True,
    ) -> NewKey:
        """A new key on ``backend``: in memory for the vault (the store encrypts it), made in
        the token for pkcs11 (``label`` names it there, for the token's own tools)."""
        if backend == "vault":
            return NewKey.in_vault(KeyPair.generate(key_type), purpose, active=active)
        token = self._open()
        if key_type not in token.supported():
            raise InputError(f"the PKCS#11 token cannot make {key_type.value} keys")
        public, ref = token.generate(key_type, label)
        return NewKey(key_type, public, purpose, token_ref=ref, active=active)

    def signing_key(self, key: KeyRecord | NewKey, pair: KeyPair | None = None) -> SigningKey:
        """The signing key of a stored key (``pair``: its decrypted vault half, if any) or of
        a key just made and not yet stored."""
        pair = pair if pair is not None else getattr(key, "pair", None)
        if pair is not None:
            return pair
        ref = key.token_ref
        if ref is None:
            raise KeyTokenError("a key has neither a vault key nor a token key")
        with self._lock:
            found = self._token_keys.get(ref)
        if found is None:
            found = self._open().signing_key(ref, key.key_type, key.public)
            with self._lock:
                self._token_keys[ref] = found
        return found

    def close(self) -> None:
        with self._lock:
            token, self._token = self._token, None
            self._token_keys.clear()
        if token is not None:
            token.close()

    def _open(self) -> Pkcs11Token:
        from vcservice.keys._pkcs11 import Pkcs11Config, Pkcs11Token

        settings = self._settings
        if not settings.pkcs11_module or not settings.pkcs11_token_label:
            raise KeyTokenError(
                "a key is held in a PKCS#11 token but VCSERVICE_PKCS11_MODULE and "
                "VCSERVICE_PKCS11_TOKEN_LABEL are not set"
            )
        with self._lock:
            if self._token is None:
                config = Pkcs11Config(
                    settings.pkcs11_module, settings.pkcs11_token_label, _pin(settings)
                )
                self._token = Pkcs11Token(config)
            return self._token


def _pin(settings: Settings) -> SecretStr:
    if settings.pkcs11_pin is not None and settings.pkcs11_pin_file:
        raise KeyTokenError("set only one of VCSERVICE_PKCS11_PIN and VCSERVICE_PKCS11_PIN_FILE")
    if settings.pkcs11_pin is not None:
        return settings.pkcs11_pin
    if settings.pkcs11_pin_file:
        try:
            return SecretStr(Path(settings.pkcs11_pin_file).read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyTokenError(f"cannot read the PKCS#11 PIN file: {exc}") from exc
    raise KeyTokenError("VCSERVICE_PKCS11_PIN or VCSERVICE_PKCS11_PIN_FILE is required")
