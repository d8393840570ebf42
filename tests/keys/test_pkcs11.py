"""Keys in a PKCS#11 token (SoftHSM2): made in the token, never out of it, still there after a
restart, and every misconfiguration a clear KeyTokenError."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from pydantic import SecretStr

from tests.keys.softhsm import softhsm  # noqa: F401
from vcservice.errors import KeyTokenError
from vcservice.keys import KeyPair, KeyType
from vcservice.keys._pkcs11 import Pkcs11Config, Pkcs11Token


@pytest.fixture
def token(softhsm: Pkcs11Config) -> Iterator[Pkcs11Token]:  # noqa: F811
    opened = Pkcs11Token(softhsm)
    yield opened
    opened.close()


def _label() -> str:
    return f"test-{secrets.token_hex(4)}"


@pytest.mark.parametrize("key_type", list(KeyType))
def test_generate_sign_verify(token: Pkcs11Token, key_type: KeyType) -> None:
    assert token.supported() == frozenset(KeyType)
    public, ref = token.generate(key_type, _label())
    key = token.signing_key(ref, key_type, public)
    assert key.key_type is key_type
    assert key.public.raw == public.raw
    for data in (b"", b"a credential's canonical bytes" * 100):
        signature = key.sign(data)
        assert public.verify(signature, data)
        assert not public.verify(signature, data + b"x")


def test_private_key_cannot_leave_the_token(
    token: Pkcs11Token,
    softhsm: Pkcs11Config,  # noqa: F811
) -> None:
    _, ref = token.generate(KeyType.P256, _label())
    # A second session of this process shares the token's login, so it sees the private key.
    p11_token = pkcs11.lib(softhsm.module).get_token(token_label=softhsm.token_label)
    with p11_token.open() as session:
        template = {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: bytes.fromhex(ref)}
        (private,) = session.get_objects(template)
        assert private[Attribute.SENSITIVE] is True
        assert private[Attribute.EXTRACTABLE] is False
        assert private[Attribute.NEVER_EXTRACTABLE] is True
        assert private[Attribute.LOCAL] is True  # generated in the token, not imported
        with pytest.raises(pkcs11.AttributeSensitive):
            private[Attribute.VALUE]


def test_key_still_signs_after_a_restart(softhsm: Pkcs11Config) -> None:  # noqa: F811
    first = Pkcs11Token(softhsm)
    public, ref = first.generate(KeyType.ED25519, _label())
    old = first.signing_key(ref, KeyType.ED25519, public)
    first.close()
    with pytest.raises(KeyTokenError, match="is closed"):
        old.sign(b"data")

    second = Pkcs11Token(softhsm)
    try:
        assert public.verify(second.signing_key(ref, KeyType.ED25519, public).sign(b"d"), b"d")
    finally:
        second.close()


def test_misconfiguration_is_a_clear_error(softhsm: Pkcs11Config) -> None:  # noqa: F811
    cases = {
        "not found in": dataclasses.replace(softhsm, token_label="no-such-token"),
        "wrong PIN for": dataclasses.replace(softhsm, pin=SecretStr("0000")),
        "module /nonexistent/p11.so not found": dataclasses.replace(
            softhsm, module="/nonexistent/p11.so"
        ),
    }
    for message, config in cases.items():
        with pytest.raises(KeyTokenError, match=message) as caught:
            Pkcs11Token(config)
        assert "0000" not in str(caught.value)
    assert "1234" not in repr(softhsm)


def test_keys_that_are_gone_or_wrong_are_refused(
    token: Pkcs11Token,
    softhsm: Pkcs11Config,  # noqa: F811
) -> None:
    public, ref = token.generate(KeyType.P384, _label())
    with pytest.raises(KeyTokenError, match="already open in this process"):
        Pkcs11Token(softhsm)
    with pytest.raises(KeyTokenError, match="is not in"):
        token.signing_key(secrets.token_hex(16), KeyType.P384, public)
    with pytest.raises(KeyTokenError, match="does not match its public key"):
        token.signing_key(ref, KeyType.P384, KeyPair.generate(KeyType.P384).public)
    with pytest.raises(KeyTokenError, match="not a PKCS#11 key reference"):
        token.signing_key("not hex", KeyType.P384, public)
