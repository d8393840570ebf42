"""The key backends' set-up refusals: every one a clear error naming the setting, never the PIN."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from vcservice.errors import InputError, KeyTokenError
from vcservice.keys import KeyPair, KeyType
from vcservice.service.key_backends import KeyBackends, _pin
from vcservice.settings import Settings
from vcservice.store import KeyRecord, NewKey


def settings(**extra: object) -> Settings:
    return Settings(secret_key=SecretStr("A" * 43), **extra)  # type: ignore[arg-type]


def test_the_backend_names_and_what_they_need() -> None:
    backends = KeyBackends(settings())
    assert backends.check("vault") == "vault"
    with pytest.raises(InputError, match="VCSERVICE_PKCS11_MODULE"):
        backends.check("pkcs11")
    with pytest.raises(InputError, match="unknown key backend"):
        backends.check("kms")
    configured = KeyBackends(settings(pkcs11_module="/nonexistent.so", pkcs11_token_label="t"))
    assert configured.check("pkcs11") == "pkcs11"


def test_a_vault_key_signs_in_memory_and_a_token_key_needs_its_token() -> None:
    backends = KeyBackends(settings())
    new = backends.new_key("vault", KeyType.ED25519, label="t/key-1")
    assert new.pair is not None
    assert backends.signing_key(new) is new.pair
    pair = KeyPair.generate(KeyType.ED25519)
    token = NewKey(pair.key_type, pair.public, token_ref="00ff")
    with pytest.raises(KeyTokenError, match="VCSERVICE_PKCS11_MODULE"):
        backends.signing_key(token)
    record = KeyRecord("k", "t", "key-1", pair.key_type, pair.public, True, datetime.now(UTC))
    with pytest.raises(KeyTokenError, match="neither"):
        backends.signing_key(record)
    backends.close()


def test_the_pin_comes_from_one_place(tmp_path: Path) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text("1234\n", encoding="utf-8")
    assert _pin(settings(pkcs11_pin_file=str(pin_file))).get_secret_value() == "1234"
    assert _pin(settings(pkcs11_pin=SecretStr("9"))).get_secret_value() == "9"
    with pytest.raises(KeyTokenError, match="only one"):
        _pin(settings(pkcs11_pin=SecretStr("9"), pkcs11_pin_file=str(pin_file)))
    with pytest.raises(KeyTokenError, match="cannot read"):
        _pin(settings(pkcs11_pin_file=str(tmp_path / "missing")))
    with pytest.raises(KeyTokenError, match="is required"):
        _pin(settings())
