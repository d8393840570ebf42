"""Key pairs (Ed25519, P-256, P-384) and their Multikey and JWK encodings.

Keys held in a PKCS#11 token are in :mod:`vcservice.keys._pkcs11`, imported where a token is
configured (it loads python-pkcs11)."""

from vcservice.keys._keyfile import key_file_document, read_key_file, write_key_file
from vcservice.keys._keys import (
    KeyPair,
    KeyType,
    PublicKey,
    b64url_decode,
    b64url_encode,
    multibase_decode,
    multibase_encode,
)
from vcservice.keys._signer import Signer, SigningKey

__all__ = [
    "KeyPair",
    "KeyType",
    "PublicKey",
    "Signer",
    "SigningKey",
    "b64url_decode",
    "b64url_encode",
    "key_file_document",
    "multibase_decode",
    "multibase_encode",
    "read_key_file",
    "write_key_file",
]
