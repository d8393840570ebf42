"""Signing keys held in a PKCS#11 token (an HSM, or SoftHSM2 in tests), on python-pkcs11.

The private half is generated inside the token as sensitive and non-extractable, and never
leaves it: the service keeps only a reference (the key's hex ``CKA_ID``) and the public key.
Signatures come back in our raw format (:mod:`vcservice.keys._keys`): ``CKM_EDDSA`` gives the 64
Ed25519 bytes, and ``CKM_ECDSA`` gives r||s. Tokens that offer the combined ``CKM_ECDSA_SHA256``
/ ``CKM_ECDSA_SHA384`` get the data itself; the others (SoftHSM2 among them) get its digest,
hashed here, since the hash is public computation and the private key stays in the token.

One :class:`Pkcs11Token` per token per process: PKCS#11 login state belongs to the process, not
the session, so a second login to the same token fails (``CKR_USER_ALREADY_LOGGED_IN``) and
cannot be cleaned up; the second open is refused up front instead, with a message saying so.
Every failure becomes a :class:`KeyTokenError` whose message names the token and the module,
never the PIN.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

import pkcs11
from pkcs11 import Attribute, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import KeyType as P11KeyType
from pkcs11.util.ec import encode_named_curve_parameters
from pydantic import SecretStr

from vcservice.errors import KeyFormatError, KeyTokenError
from vcservice.keys._keys import KeyType, PublicKey
from vcservice.keys._signer import SigningKey

_T = TypeVar("_T")


@dataclass(frozen=True)
class _Curve:
    """How one of our key types is made and used in PKCS#11."""

    p11_type: P11KeyType
    generate: Mechanism
    params: bytes  # DER CKA_EC_PARAMS: the named curve's OID
    sign: Mechanism  # the raw mechanism every token with the key type has
    combined: Mechanism | None  # hash-and-sign in the token, used when offered
    hash: Callable[[bytes], bytes] | None  # the curve's hash, for the raw mechanism
    point_size: int  # the public point as our PublicKey.from_raw takes it (EC: uncompressed)


_CURVES = {
    KeyType.ED25519: _Curve(
        P11KeyType.EC_EDWARDS,
        Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
        encode_named_curve_parameters("1.3.101.112"),  # id-Ed25519 (RFC 8410)
        Mechanism.EDDSA,
        None,
        None,
        32,
    ),
    KeyType.P256: _Curve(
        P11KeyType.EC,
        Mechanism.EC_KEY_PAIR_GEN,
        encode_named_curve_parameters("secp256r1"),
        Mechanism.ECDSA,
        Mechanism.ECDSA_SHA256,
        lambda data: hashlib.sha256(data).digest(),
        65,
    ),
    KeyType.P384: _Curve(
        P11KeyType.EC,
        Mechanism.EC_KEY_PAIR_GEN,
        encode_named_curve_parameters("secp384r1"),
        Mechanism.ECDSA,
        Mechanism.ECDSA_SHA384,
        lambda data: hashlib.sha384(data).digest(),
        97,
    ),
}
_SIGNATURE_SIZE = {KeyType.ED25519: 64, KeyType.P256: 64, KeyType.P384: 96}
_PROBE = b"vcservice: does this private key match its public key?"


@dataclass(frozen=True)
class Pkcs11Config:
    """Where a token is: the PKCS#11 module (a shared library path), the token's label, the
    user PIN (a SecretStr, so it shows as ``**********`` in any repr or log)."""

    module: str
    token_label: str
    pin: SecretStr = field(repr=False)


class Pkcs11Token:
    """One logged-in session to one token, shared by threads (a lock around each operation:
    a PKCS#11 session runs one operation at a time)."""

    _open: ClassVar[set[tuple[str, bytes]]] = set()
    _open_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, config: Pkcs11Config) -> None:
        self._name = f"PKCS#11 token {config.token_label!r} in {config.module}"
        if not os.path.isfile(config.module):
            raise KeyTokenError(f"PKCS#11 module {config.module} not found")
        try:
            lib = pkcs11.lib(config.module)
        except pkcs11.PKCS11Error as exc:
            raise KeyTokenError(f"PKCS#11 module {config.module} cannot be loaded: {exc}") from exc
        try:
            token = lib.get_token(token_label=config.token_label)
        except pkcs11.NoSuchToken:
            raise KeyTokenError(
                f"PKCS#11 token {config.token_label!r} not found in {config.module}"
            ) from None
        except pkcs11.MultipleTokensReturned:
            raise KeyTokenError(
                f"several PKCS#11 tokens are labelled {config.token_label!r} in {config.module}"
            ) from None
        except pkcs11.PKCS11Error as exc:
            raise KeyTokenError(f"{self._name} cannot be listed: {_reason(exc)}") from exc
        self._identity = (os.path.realpath(config.module), token.serial)
        with self._open_lock:
            if self._identity in self._open:
                raise KeyTokenError(
                    f"{self._name} is already open in this process: share its Pkcs11Token"
                )
            try:
                self._session = token.open(rw=True, user_pin=config.pin.get_secret_value())
                mechanisms = token.slot.get_mechanisms()
            except pkcs11.PinIncorrect:
                raise KeyTokenError(f"wrong PIN for {self._name}") from None
            except pkcs11.PKCS11Error as exc:
                raise KeyTokenError(f"cannot log in to {self._name}: {_reason(exc)}") from exc
            self._open.add(self._identity)
        self._lock = threading.Lock()
        self._closed = False
        self._supported = frozenset(
            key_type
            for key_type, curve in _CURVES.items()
            if {curve.generate, curve.sign} <= mechanisms
        )
        self._combined = frozenset(
            key_type
            for key_type, curve in _CURVES.items()
            if curve.combined is not None and curve.combined in mechanisms
        )

    def supported(self) -> frozenset[KeyType]:
        """The key types this token can generate and sign with."""
        return self._supported

    def generate(self, key_type: KeyType, label: str) -> tuple[PublicKey, str]:
        """A new key pair made in the token; returns its public key and its reference (the
        hex CKA_ID, random so it is unique; ``label`` is for people reading the token)."""
        curve = self._curve(key_type)
        key_id = secrets.token_bytes(16)

        def generate() -> bytes:
            params = self._session.create_domain_parameters(
                curve.p11_type, {Attribute.EC_PARAMS: curve.params}, local=True
            )
            public, _ = params.generate_keypair(
                mechanism=curve.generate,
                store=True,
                id=key_id,
                label=label,
                capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
                private_template={
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.SIGN: True,
                    Attribute.PRIVATE: True,
                },
            )
            point: bytes = public[Attribute.EC_POINT]
            return point

        point = self._run(f"generate a {key_type.crv} key", generate)
        return _public_key(key_type, curve, point), key_id.hex()

    def signing_key(self, ref: str, key_type: KeyType, public: PublicKey) -> SigningKey:
        """The private key ``ref`` names, as a :class:`SigningKey`; refused unless it is still
        in the token and signs for ``public`` (checked with one signature: every token can do
        that, while reading a private key's public point is optional in PKCS#11)."""
        curve = self._curve(key_type)
        if public.key_type is not key_type:
            raise KeyTokenError(f"key {ref}: a {public.key_type.crv} public key for a {key_type}")
        try:
            key_id = bytes.fromhex(ref)
        except ValueError:
            raise KeyTokenError(f"{ref!r} is not a PKCS#11 key reference (hex CKA_ID)") from None

        def find() -> list[pkcs11.SignMixin]:
            found = self._session.get_objects(
                {
                    Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                    Attribute.KEY_TYPE: curve.p11_type,
                    Attribute.ID: key_id,
                }
            )
            return [key for key in found if isinstance(key, pkcs11.SignMixin)]

        found = self._run(f"find key {ref}", find)
        if len(found) != 1:
            raise KeyTokenError(
                f"key {ref} is not in {self._name}"
                if not found
                else f"{len(found)} keys in {self._name} have the id {ref}"
            )
        private = found[0]
        key = _TokenKey(key_type, public, self, private)
        if not public.verify(key.sign(_PROBE), _PROBE):
            raise KeyTokenError(f"key {ref} in {self._name} does not match its public key")
        return key

    def close(self) -> None:
        """Log out and end the session; keys obtained from this token stop signing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._session.close()
            except pkcs11.PKCS11Error:
                pass  # the session is gone either way (token removed, library finalized)
            finally:
                with self._open_lock:
                    self._open.discard(self._identity)

    def _sign(self, private: pkcs11.SignMixin, key_type: KeyType, data: bytes) -> bytes:
        curve = _CURVES[key_type]
        mechanism, message = curve.sign, data
        if curve.combined is not None and key_type in self._combined:
            mechanism = curve.combined
        elif curve.hash is not None:
            message = curve.hash(data)
        signature = self._run(
            f"sign with a {key_type.crv} key", lambda: private.sign(message, mechanism=mechanism)
        )
        if len(signature) != _SIGNATURE_SIZE[key_type]:
            raise KeyTokenError(f"{self._name} returned a {len(signature)}-byte signature")
        return signature

    def _curve(self, key_type: KeyType) -> _Curve:
        if key_type not in self._supported:
            raise KeyTokenError(f"{self._name} does not support {key_type.crv} keys")
        return _CURVES[key_type]

    def _run(self, what: str, operation: Callable[[], _T]) -> _T:
        with self._lock:
            if self._closed:
                raise KeyTokenError(f"{self._name} is closed: cannot {what}")
            try:
                return operation()
            except pkcs11.PKCS11Error as exc:
                raise KeyTokenError(f"{self._name} cannot {what}: {_reason(exc)}") from exc


@dataclass(frozen=True)
class _TokenKey:
    """A :class:`SigningKey` whose private half is a handle into the token's session."""

    key_type: KeyType
    public: PublicKey
    _token: Pkcs11Token = field(repr=False)
    _private: pkcs11.SignMixin = field(repr=False)

    def sign(self, data: bytes) -> bytes:
        return self._token._sign(self._private, self.key_type, data)


def _public_key(key_type: KeyType, curve: _Curve, point: bytes) -> PublicKey:
    """CKA_EC_POINT is a DER OCTET STRING around the point by the standard (short-form length:
    our points are at most 97 bytes); some tokens give the bare point, told apart by its length."""
    if len(point) != curve.point_size:
        if len(point) != curve.point_size + 2 or point[:2] != bytes([4, curve.point_size]):
            raise KeyTokenError(f"the token gave an unreadable {key_type.crv} public key")
        point = point[2:]
    try:
        return PublicKey.from_raw(key_type, point)
    except KeyFormatError as exc:
        raise KeyTokenError(f"the token gave an unusable public key: {exc}") from exc


def _reason(exc: pkcs11.PKCS11Error) -> str:
    """python-pkcs11 exceptions are often bare classes: their name is the CKR_ code."""
    return str(exc) or type(exc).__name__
