"""pycose as the independent verifier of our COSE_Sign1 messages.

pycose 1.1 decodes a message with ``cbor2.loads`` and requires the tag's content to be a
``list`` and its headers ``dict``; cbor2 6 decodes a tag's content immutably (a tuple and
frozendicts), so ``Sign1Message.decode`` refuses every tagged message, ours or anyone's. While
that lasts, :func:`pycose_decode` lends pycose's decoder a ``cbor2`` whose ``loads`` gives the
tag's content mutable containers; everything else (the headers it reads, the Sig_structure it
builds, the signature check with its own key classes) is pycose's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import cbor2
import pytest
from pycose.keys.curves import P256, P384, Ed25519
from pycose.keys.ec2 import EC2Key
from pycose.keys.okp import OKPKey
from pycose.messages import cosemessage
from pycose.messages.sign1message import Sign1Message

from vcservice.keys import KeyType, PublicKey, b64url_decode


def _mutable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_mutable(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _mutable(item) for key, item in value.items()}
    return value


def _loads(data: bytes) -> Any:
    value = cbor2.loads(data)
    if isinstance(value, cbor2.CBORTag):
        return cbor2.CBORTag(value.tag, _mutable(value.value))
    return value


_IMMUTABLE_TAGS = isinstance(cbor2.loads(cbor2.dumps(cbor2.CBORTag(18, []))).value, tuple)
_CBOR2 = SimpleNamespace(loads=_loads, dumps=cbor2.dumps, CBORTag=cbor2.CBORTag)


def pycose_decode(data: bytes) -> Sign1Message:
    """``Sign1Message.decode(data)`` (with the cbor2 6 work-around above when needed)."""
    if not _IMMUTABLE_TAGS:
        return Sign1Message.decode(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cosemessage, "cbor2", _CBOR2)
        return Sign1Message.decode(data)


def pycose_key(public: PublicKey) -> OKPKey | EC2Key:
    """Our public key as a pycose COSE key, from its JWK coordinates."""
    jwk = public.to_jwk()
    if public.key_type is KeyType.ED25519:
        return OKPKey(crv=Ed25519, x=b64url_decode(jwk["x"]))
    curve = P256 if public.key_type is KeyType.P256 else P384
    return EC2Key(crv=curve, x=b64url_decode(jwk["x"]), y=b64url_decode(jwk["y"]))


def pycose_verifies(data: bytes, public: PublicKey, *, detached: bytes | None = None) -> bool:
    """Whether pycose finds ``data`` signed by ``public`` (over ``detached`` when the payload
    is not carried: it is set as the message's payload before verifying)."""
    message = pycose_decode(data)
    if detached is not None:
        assert message.payload is None
        message.payload = detached
    message.key = pycose_key(public)
    return bool(message.verify_signature())
