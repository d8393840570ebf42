"""COSE_Sign1 as the registry signs and reads it: round trips for each key type, checked by
pycose as an independent implementation, and hostile input that must only ever be a CoseError."""

from __future__ import annotations

from typing import Any, cast

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.registry.cose import (
    ALGORITHMS,
    CWT_CLAIMS,
    CWT_ISS,
    HEADER_ALG,
    HEADER_CTY,
    HEADER_KID,
    MAX_MESSAGE,
    CoseError,
    read_sign1,
    sign1,
)

from .pycose_shim import pycose_decode, pycose_verifies

SIGNERS = {kt: Signer.did_key(KeyPair.generate(kt)) for kt in KeyType}
KID = SIGNERS[KeyType.ED25519].verification_method.encode()


def _protected(**overrides: Any) -> bytes:
    header: dict[int, Any] = {HEADER_ALG: -8, HEADER_KID: KID}
    for label, value in overrides.items():
        key = {"alg": HEADER_ALG, "kid": HEADER_KID, "cty": HEADER_CTY}[label]
        if value is None:
            header.pop(key, None)
        else:
            header[key] = value
    return cbor2.dumps(header)


def _message(*items: Any, tag: int | None = 18) -> bytes:
    value = list(items)
    return cbor2.dumps(value if tag is None else cbor2.CBORTag(tag, value))


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", list(KeyType), ids=str)
def test_round_trip(key_type: KeyType) -> None:
    signer = SIGNERS[key_type]
    claims = {CWT_ISS: signer.controller}
    data = sign1(
        {HEADER_CTY: "application/example", CWT_CLAIMS: claims},
        b"payload",
        signer,
        unprotected={-70001: [b"x"]},
    )
    assert data[0] == 0xD2  # tag 18
    message = read_sign1(data)
    assert message.alg == key_type.jws_alg
    assert message.protected[HEADER_ALG] == ALGORITHMS[key_type.jws_alg]
    assert message.kid == signer.verification_method
    assert message.claims == claims
    assert message.protected[HEADER_CTY] == "application/example"
    assert message.unprotected == {-70001: [b"x"]}
    assert message.payload == b"payload"
    assert message.verify(signer.key.public)
    assert message.encode() == data
    assert read_sign1(data[1:]).encode() == data  # untagged reads too (RFC 9052 allows both)


@pytest.mark.parametrize("key_type", list(KeyType), ids=str)
def test_pycose_verifies_our_messages(key_type: KeyType) -> None:
    signer = SIGNERS[key_type]
    attached = sign1({HEADER_CTY: "text/plain"}, b"a signed statement", signer)
    assert pycose_verifies(attached, signer.key.public)
    decoded = pycose_decode(attached)
    assert decoded.payload == b"a signed statement"
    assert decoded.phdr_encoded == read_sign1(attached).protected_bytes

    detached = sign1({}, b"\x01" * 32, signer, detached=True)
    assert read_sign1(detached, detached=True).payload is None
    assert pycose_verifies(detached, signer.key.public, detached=b"\x01" * 32)
    assert not pycose_verifies(detached, signer.key.public, detached=b"\x02" * 32)

    other = SIGNERS[KeyType.ED25519 if key_type is not KeyType.ED25519 else KeyType.P256]
    forged = sign1({HEADER_CTY: "text/plain"}, b"a signed statement", other)
    assert not read_sign1(forged).verify(signer.key.public)


def test_a_bare_signing_function() -> None:
    signer = SIGNERS[KeyType.P384]
    data = sign1({HEADER_KID: KID}, b"p", signer.sign, alg="ES384")
    message = read_sign1(data)
    assert (message.alg, message.kid) == ("ES384", KID.decode())
    assert message.verify(signer.key.public)
    assert pycose_verifies(data, signer.key.public)
    with pytest.raises(TypeError, match="needs alg"):
        sign1({HEADER_KID: KID}, b"p", signer.sign)


def test_verify_refuses() -> None:
    signer = SIGNERS[KeyType.ED25519]
    message = read_sign1(sign1({}, b"payload", signer))
    assert not message.verify(SIGNERS[KeyType.P256].key.public)  # not the alg signed with
    assert not message.verify(Signer.did_key(KeyPair.generate(KeyType.ED25519)).key.public)
    assert not message.verify(signer.key.public, detached=b"another payload")
    detached = read_sign1(sign1({}, b"root", signer, detached=True), detached=True)
    assert not detached.verify(signer.key.public)  # no payload given
    assert detached.verify(signer.key.public, detached=b"root")
    tampered = message.with_unprotected({1: 2})
    assert tampered.verify(signer.key.public)  # the unprotected header is not signed
    assert read_sign1(tampered.encode()).unprotected == {1: 2}
    resigned = _message(_protected(cty="other"), {}, b"payload", message.signature)
    assert not read_sign1(resigned).verify(signer.key.public)


# --- hostile input ----------------------------------------------------------------------------

DEEP = b"\x81" * 100_000 + b"\x00"
HOSTILE = {
    "empty": b"",
    "not CBOR": b"\xff\xff\xff",
    "truncated": sign1({}, b"payload", SIGNERS[KeyType.ED25519])[:-5],
    "text, not an array": cbor2.dumps("COSE"),
    "wrong tag": _message(_protected(), {}, b"p", b"s", tag=98),
    "tagged map": cbor2.dumps(cbor2.CBORTag(18, {1: 2})),
    "three items": _message(_protected(), {}, b"p"),
    "five items": _message(_protected(), {}, b"p", b"s", b"x"),
    "untagged three": _message(_protected(), {}, b"p", tag=None),
    "protected not bytes": _message({1: -8}, {}, b"p", b"s"),
    "signature not bytes": _message(_protected(), {}, b"p", "s"),
    "unprotected not a map": _message(_protected(), [], b"p", b"s"),
    "payload not bytes": _message(_protected(), {}, "p", b"s"),
    "payload nil": _message(_protected(), {}, None, b"s"),
    "protected not CBOR": _message(b"\xff", {}, b"p", b"s"),
    "protected an array": _message(cbor2.dumps([1, -8]), {}, b"p", b"s"),
    "no alg": _message(_protected(alg=None), {}, b"p", b"s"),
    "RS256": _message(_protected(alg=-257), {}, b"p", b"s"),
    "alg as text": _message(_protected(alg="EdDSA"), {}, b"p", b"s"),
    "alg true": _message(_protected(alg=True), {}, b"p", b"s"),
    "empty protected": _message(b"", {}, b"p", b"s"),
    "no kid": _message(_protected(kid=None), {}, b"p", b"s"),
    "kid as text": _message(_protected(kid=KID.decode()), {}, b"p", b"s"),
    "kid not UTF-8": _message(_protected(kid=b"did:key:\xff\xfe"), {}, b"p", b"s"),
    "huge": b"\x00" * (MAX_MESSAGE + 1),
    "huge, well-formed": _message(_protected(), {}, b"p" * MAX_MESSAGE, b"s"),
    "trailing bytes": sign1({}, b"payload", SIGNERS[KeyType.ED25519]) + b"\x00",
    "two messages": sign1({}, b"p", SIGNERS[KeyType.ED25519]) * 2,
    "protected with trailing bytes": _message(_protected() + b"\x00", {}, b"p", b"s"),
    "deeply nested": DEEP,
    "deeply nested, tagged": b"\xd2" + DEEP,
    "deeply nested unprotected": b"\xd2\x84" + cbor2.dumps(_protected()) + DEEP,
    "deeply nested protected": _message(DEEP, {}, b"p", b"s"),
    "indefinite nesting": b"\x9f" * 100_000,
    "bignum tag": cbor2.dumps(cbor2.CBORTag(2, b"\xff" * 1000)),
}


@pytest.mark.parametrize("data", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_input_is_a_cose_error(data: bytes) -> None:
    with pytest.raises(CoseError):
        read_sign1(data)


def test_detached_means_nil_payload() -> None:
    signer = SIGNERS[KeyType.ED25519]
    with pytest.raises(CoseError, match="detached"):
        read_sign1(sign1({}, b"payload", signer), detached=True)
    with pytest.raises(CoseError, match="payload is a byte string"):
        read_sign1(sign1({}, b"payload", signer, detached=True))


@pytest.mark.parametrize("data", ["text", None, 42, [b"\xd2"]], ids=repr)
def test_not_bytes_is_a_cose_error(data: object) -> None:
    with pytest.raises(CoseError):
        read_sign1(cast(bytes, data))


def test_bytearray_reads() -> None:
    signer = SIGNERS[KeyType.ED25519]
    data = sign1({}, b"payload", signer)
    assert read_sign1(cast(bytes, bytearray(data))).encode() == data


def _read_or_cose_error(data: bytes, detached: bool) -> None:
    try:
        message = read_sign1(data, detached=detached)
    except CoseError:
        return
    # What reads is usable: every property a caller reads is well-defined.
    assert isinstance(message.alg, str)
    assert isinstance(message.kid, str)
    assert isinstance(message.claims, dict)
    assert isinstance(message.encode(), bytes)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=512), detached=st.booleans())
def test_random_bytes_are_read_or_refused(data: bytes, detached: bool) -> None:
    _read_or_cose_error(data, detached)
    _read_or_cose_error(b"\xd2\x84" + data, detached)


CBOR_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.binary(max_size=40)
    | st.text(max_size=20)
    | st.floats(allow_nan=False),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.integers(-300, 300) | st.text(max_size=5), children, max_size=5)
        | st.builds(cbor2.CBORTag, st.sampled_from([1, 2, 18, 24, 98]), children)
    ),
    max_leaves=30,
)
PROTECTED = st.dictionaries(
    st.sampled_from([HEADER_ALG, HEADER_KID, HEADER_CTY, CWT_CLAIMS, 395]),
    CBOR_VALUES | st.sampled_from([-8, -7, -35, KID]),
    max_size=5,
).map(lambda header: cbor2.dumps(header))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(PROTECTED | CBOR_VALUES, min_size=0, max_size=6),
    tagged=st.booleans(),
    detached=st.booleans(),
)
def test_random_cbor_is_read_or_refused(items: list[Any], tagged: bool, detached: bool) -> None:
    _read_or_cose_error(_message(*items, tag=18 if tagged else None), detached)
