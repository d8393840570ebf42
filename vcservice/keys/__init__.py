"""Key pairs (Ed25519, P-256, P-384) and their Multikey and JWK encodings."""

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
from vcservice.keys._signer import Signer

__all__ = [
    "KeyPair",
    "KeyType",
    "PublicKey",
    "Signer",
    "b64url_decode",
    "b64url_encode",
    "key_file_document",
    "multibase_decode",
    "multibase_encode",
    "read_key_file",
    "write_key_file",
]
