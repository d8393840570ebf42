"""Key files: a private JWK plus the verification method (DID URL) it signs as.

The file is the only place a private key is ever written; it is created with mode 0600
atomically (``O_EXCL``), so it is never briefly world-readable and never overwrites a key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from vcservice.errors import InputError, KeyFormatError
from vcservice.ingress import read_file, read_json
from vcservice.keys._keys import KeyPair
from vcservice.keys._signer import Signer


def key_file_document(signer: Signer) -> dict[str, Any]:
    if not isinstance(signer.key, KeyPair):  # e.g. a PKCS#11 key: its private half stays inside
        raise KeyFormatError("only a key held in memory can be written to a key file")
    return {
        "type": signer.key.key_type.value,
        "did": signer.controller,
        "verificationMethod": signer.verification_method,
        "publicKeyMultibase": signer.key.public.multibase,
        "privateKeyJwk": signer.key.to_jwk(),
    }


def write_key_file(path: Path, signer: Signer) -> None:
    data = (json.dumps(key_file_document(signer), indent=2) + "\n").encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{path} already exists; refusing to overwrite a key file") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def read_key_file(path: Path) -> Signer:
    """Load a key file (or a bare private JWK, which then signs as its did:key)."""
    try:
        document = read_json(read_file(path))
    except InputError as exc:
        raise type(exc)(f"cannot read key file {path}: {exc.detail}") from exc
    if not isinstance(document, dict):
        raise InputError(f"key file {path} must hold a JSON object")
    jwk = document.get("privateKeyJwk", document)
    try:
        pair = KeyPair.from_jwk(jwk)
    except KeyFormatError as exc:
        raise InputError(f"key file {path}: {exc.detail}") from exc
    method = document.get("verificationMethod")
    if method is None:
        return Signer.did_key(pair)
    if not isinstance(method, str) or "#" not in method or not method.startswith("did:"):
        raise InputError(f"key file {path}: verificationMethod must be a DID URL with a fragment")
    return Signer(pair, method)
