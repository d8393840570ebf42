"""``JsonWebSignature2020`` (W3C CCG, legacy; Catena-X, Transmute): verification only.

The proof ``type`` is the suite. hashData is the Linked Data Signatures one (see
:mod:`vcservice.securing.suites._legacy`). The signature is a detached JWS with an unencoded
payload (RFC 7797) in the proof's ``jws`` member: ``BASE64URL(header) + ".." +
BASE64URL(signature)``, where the header must say ``"b64": false`` and ``"crit": ["b64"]`` and
the signing input is ``ASCII(BASE64URL(header)) || "." || hashData``. The ``alg`` must match the
key: ``EdDSA`` for Ed25519, ``ES256`` for P-256, ``ES384`` for P-384 (ECDSA signatures are raw
``r || s``, as in every JWS). The verification method is typically a ``JsonWebKey2020``
(``publicKeyJwk``); any form of a supported public key is accepted. secp256k1 (``ES256K``) and
RSA (``PS256``), which the CCG spec also lists, are not supported: such a proof fails with a
clear ``proof.verification-method`` detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vcservice.errors import InputError
from vcservice.keys import KeyType, PublicKey
from vcservice.securing._jose_compact import b64url_decode_strict, decode_header

_ALG_FOR = {KeyType.ED25519: "EdDSA", KeyType.P256: "ES256", KeyType.P384: "ES384"}


def _parts(value: str) -> tuple[str, dict[str, Any], bytes]:
    """The header segment, the decoded header and the signature; InputError if malformed."""
    if value.count(".") != 2:
        raise InputError("a detached JWS has 3 dot-separated segments")
    header_segment, payload, signature_segment = value.split(".")
    if payload:
        raise InputError("the JWS payload segment must be empty (detached)")
    if not header_segment or not signature_segment:
        raise InputError("the JWS header or signature segment is empty")
    header = decode_header(header_segment)
    if header.get("b64") is not False or header.get("crit") != ["b64"]:
        raise InputError('the JWS header must have "b64": false and "crit": ["b64"]')
    if header.get("alg") not in _ALG_FOR.values():
        raise InputError(f"JWS alg {header.get('alg')!r} is not supported (EdDSA, ES256, ES384)")
    return header_segment, header, b64url_decode_strict(signature_segment, "signature")


@dataclass(frozen=True)
class JsonWebSignature2020:
    proof_type: str = "JsonWebSignature2020"
    key_types: frozenset[KeyType] = frozenset(_ALG_FOR)
    signature_member: str = "jws"

    def signature_problem(self, value: str) -> str:
        try:
            _parts(value)
        except InputError as exc:
            return f"jws: {exc.detail}"
        return ""

    def verify(self, hash_data: bytes, value: str, key: PublicKey) -> bool:
        try:
            header_segment, header, signature = _parts(value)
        except InputError:
            return False
        if header["alg"] != _ALG_FOR.get(key.key_type):
            return False
        return key.verify(signature, header_segment.encode("ascii") + b"." + hash_data)


JSON_WEB_SIGNATURE_2020 = JsonWebSignature2020()
