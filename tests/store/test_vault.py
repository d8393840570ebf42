"""KeyVault: AES-256-GCM with row-bound associated data, and where its key comes from."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vcservice.errors import InputError
from vcservice.keys import b64url_encode
from vcservice.store import KeyVault, KeyVaultError

KEY = bytes(range(32))


def test_round_trip_and_random_nonce() -> None:
    vault = KeyVault(KEY)
    first = vault.encrypt(b"secret", b"row-1")
    second = vault.encrypt(b"secret", b"row-1")
    assert first != second
    assert b"secret" not in first
    assert vault.decrypt(first, b"row-1") == vault.decrypt(second, b"row-1") == b"secret"


@pytest.mark.parametrize(
    ("key", "aad", "tamper"),
    [
        pytest.param(bytes(32), b"row-1", False, id="wrong-key"),
        pytest.param(KEY, b"row-2", False, id="other-row"),
        pytest.param(KEY, b"row-1", True, id="tampered"),
    ],
)
def test_decrypt_failures_are_vault_errors(key: bytes, aad: bytes, tamper: bool) -> None:
    blob = KeyVault(KEY).encrypt(b"secret", b"row-1")
    if tamper:
        blob = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(KeyVaultError) as caught:
        KeyVault(key).decrypt(blob, aad)
    assert "secret key differs" in caught.value.detail
    assert caught.value.__cause__ is None  # InvalidTag is not chained into the error


def test_unknown_blob_format() -> None:
    with pytest.raises(KeyVaultError, match="format"):
        KeyVault(KEY).decrypt(b"\x02" + bytes(40), b"")


def test_key_must_be_32_bytes_and_is_never_shown() -> None:
    with pytest.raises(InputError):
        KeyVault(bytes(16))
    assert KEY.hex() not in repr(KeyVault(KEY))


def test_from_secret_key() -> None:
    blob = KeyVault(KEY).encrypt(b"x", b"")
    assert (
        KeyVault.from_settings(b64url_encode(KEY), None, dev_file=None).decrypt(blob, b"") == b"x"
    )
    padded = b64url_encode(KEY) + "="
    assert KeyVault.from_settings(padded, None, dev_file=None).decrypt(blob, b"") == b"x"


def test_from_secret_key_file(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(b64url_encode(KEY) + "\n")
    blob = KeyVault(KEY).encrypt(b"x", b"")
    assert KeyVault.from_settings(None, str(path), dev_file=None).decrypt(blob, b"") == b"x"


@pytest.mark.parametrize("value", ["", "not base64!", b64url_encode(bytes(31))])
def test_bad_secret_key(value: str) -> None:
    with pytest.raises(InputError):
        KeyVault.from_settings(value or "=", None, dev_file=None)


def test_missing_secret_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        KeyVault.from_settings(None, str(tmp_path / "absent"), dev_file=None)


def test_both_sources_is_ambiguous(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="only one"):
        KeyVault.from_settings(b64url_encode(KEY), str(tmp_path / "f"), dev_file=None)


def test_required_without_dev_file() -> None:
    with pytest.raises(InputError) as caught:
        KeyVault.from_settings(None, None, dev_file=None)
    assert caught.value.detail == "VCSERVICE_SECRET_KEY or VCSERVICE_SECRET_KEY_FILE is required"


def test_dev_file_is_created_private_and_reused(tmp_path: Path) -> None:
    dev_file = tmp_path / "state" / "dev-secret-key"
    first = KeyVault.from_settings(None, None, dev_file=dev_file)
    assert stat.S_IMODE(os.stat(dev_file).st_mode) == 0o600
    assert [p.name for p in dev_file.parent.iterdir()] == ["dev-secret-key"]  # no temp left
    blob = first.encrypt(b"x", b"aad")
    second = KeyVault.from_settings(None, None, dev_file=dev_file)
    assert second.decrypt(blob, b"aad") == b"x"


def test_explicit_key_wins_over_dev_file(tmp_path: Path) -> None:
    dev_file = tmp_path / "dev-secret-key"
    KeyVault.from_settings(b64url_encode(KEY), None, dev_file=dev_file)
    assert not dev_file.exists()
