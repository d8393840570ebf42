"""Deliberately broken copies of a secured credential, made locally without any key.

Every function takes a credential as an issuer returned it and gives back a copy in the same
shape with one thing changed after signing, so any verifier must reject it:

* a Data Integrity credential (a JSON object with ``proof``): the document or the proof's
  signature bytes (``proofValue``, multibase; or the detached ``jws`` of JsonWebSignature2020);
* a vc+jwt, bare (a compact JWS string, also a ``data:application/vc+jwt,`` URL) or enveloped
  (an ``EnvelopedVerifiableCredential``): the payload, the protected header or the signature,
  re-encoded but not re-signed. A VC 1.1 style JWT (credential under the ``vc`` claim) has the
  credential changed there.

Nothing here checks a signature or needs a library beyond the standard one, so the harness can
derive the same broken copies from any implementation's output.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

from vcservice.errors import TamperError as TamperError

ENVELOPED_VC = "EnvelopedVerifiableCredential"
DATA_PREFIX = "data:application/vc+jwt,"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


# --- encodings --------------------------------------------------------------------------------
def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise TamperError(f"{char!r} is not a base58btc character")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def b58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def flip(data: bytes) -> bytes:
    """The same bytes with one bit of the middle byte inverted (never a no-op)."""
    if not data:
        raise TamperError("no signature bytes to change")
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


# --- shapes -----------------------------------------------------------------------------------
def _types(value: dict[str, Any]) -> list[str]:
    types = value.get("type", [])
    types = [types] if isinstance(types, str) else types
    return [t for t in types if isinstance(t, str)] if isinstance(types, list) else []


def compact_jws(credential: Any) -> str | None:
    """The compact JWS of a vc+jwt in any of its shapes; None for anything else."""
    if isinstance(credential, str):
        text = credential.strip()
        if text.startswith("data:"):
            text = text.split(",", 1)[1] if "," in text else ""
        return text if text.count(".") == 2 else None
    if isinstance(credential, dict) and ENVELOPED_VC in _types(credential):
        value = credential.get("id")
        if isinstance(value, str) and value.startswith("data:") and "," in value:
            return value.split(",", 1)[1]
    return None


def _rewrap(original: Any, jws: str) -> Any:
    """``jws`` in the shape ``original`` had."""
    if isinstance(original, str):
        if original.strip().startswith("data:"):
            return original.strip().split(",", 1)[0] + "," + jws
        return jws
    out = copy.deepcopy(original)
    out["id"] = out["id"].split(",", 1)[0] + "," + jws
    return out


def detect_format(credential: Any) -> str | None:
    """``vc+jwt``, a Data Integrity cryptosuite, or a legacy proof type; None if unknown."""
    if compact_jws(credential) is not None:
        return "vc+jwt"
    if not isinstance(credential, dict):
        return None
    proof = credential.get("proof")
    if isinstance(proof, list):
        proof = proof[0] if proof else None
    if not isinstance(proof, dict):
        return None
    if proof.get("type") == "DataIntegrityProof" and isinstance(proof.get("cryptosuite"), str):
        return str(proof["cryptosuite"])
    return proof["type"] if isinstance(proof.get("type"), str) else None


def jwt_parts(credential: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decoded (header, payload) of a vc+jwt (no signature check)."""
    jws = compact_jws(credential)
    if jws is None:
        raise TamperError("not a vc+jwt")
    header, payload, _ = jws.split(".")
    try:
        decoded = json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))
    except (ValueError, RecursionError) as exc:  # binascii.Error is a ValueError
        raise TamperError(f"the JWS does not decode: {exc}") from exc
    if not all(isinstance(part, dict) for part in decoded):
        raise TamperError("the JWS header or payload is not a JSON object")
    return decoded


def credential_document(credential: Any) -> dict[str, Any] | None:
    """The credential itself: the JSON document, or a vc+jwt's payload (its ``vc`` claim for a
    VC 1.1 style JWT). No signature is checked."""
    if compact_jws(credential) is not None:
        try:
            payload = jwt_parts(credential)[1]
        except TamperError:
            return None
        inner = payload.get("vc")
        return inner if isinstance(inner, dict) else payload
    return credential if isinstance(credential, dict) else None


def _edit_jwt(
    credential: Any,
    *,
    header: Callable[[dict[str, Any]], None] | None = None,
    payload: Callable[[dict[str, Any]], None] | None = None,
    signature: Callable[[bytes], bytes] | None = None,
) -> Any:
    jws = compact_jws(credential)
    if jws is None:
        raise TamperError("not a vc+jwt")
    segments = jws.split(".")
    jwt_parts(credential)  # TamperError unless both parts are JSON objects
    for index, edit in enumerate((header, payload)):
        if edit is not None:
            decoded = json.loads(b64url_decode(segments[index]))
            edit(decoded)
            segments[index] = b64url_encode(
                json.dumps(decoded, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            )
    if signature is not None:
        try:
            raw = b64url_decode(segments[2])
        except ValueError as exc:
            raise TamperError(f"the signature does not decode: {exc}") from exc
        segments[2] = b64url_encode(signature(raw))
    return _rewrap(credential, ".".join(segments))


def _first_proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document.get("proof")
    if isinstance(proof, list):
        proof = proof[0] if proof else None
    if not isinstance(proof, dict):
        raise TamperError("the credential has no proof object")
    return proof


# --- the tamperings ---------------------------------------------------------------------------
def _change_claim(document: dict[str, Any]) -> None:
    subject = document.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    if isinstance(subject, dict) and isinstance(subject.get("name"), str):
        subject["name"] = subject["name"] + " (altered)"
    elif isinstance(subject, dict) and isinstance(subject.get("id"), str):
        subject["id"] = subject["id"] + "-altered"
    elif isinstance(document.get("name"), str):
        document["name"] = document["name"] + " (altered)"
    else:
        raise TamperError("no claim to change (credentialSubject has neither name nor id)")


def _change_issuer(document: dict[str, Any], issuer: str) -> None:
    if isinstance(document.get("issuer"), dict):
        document["issuer"]["id"] = issuer
    else:
        document["issuer"] = issuer


def tampered_claim(credential: Any) -> Any:
    """A claim about the subject changed after signing."""
    if compact_jws(credential) is not None:

        def edit(payload: dict[str, Any]) -> None:
            inner = payload.get("vc")
            _change_claim(inner if isinstance(inner, dict) else payload)
            if isinstance(inner, dict) and isinstance(payload.get("sub"), str):
                payload["sub"] = payload["sub"] + "-altered"

        return _edit_jwt(credential, payload=edit)
    if not isinstance(credential, dict):
        raise TamperError("not a credential")
    out = copy.deepcopy(credential)
    _change_claim(out)
    return out


def tampered_issuer(credential: Any, issuer: str) -> Any:
    """The issuer replaced by ``issuer`` after signing (another party claiming the credential)."""
    if compact_jws(credential) is not None:

        def edit(payload: dict[str, Any]) -> None:
            inner = payload.get("vc")
            _change_issuer(inner if isinstance(inner, dict) else payload, issuer)
            if "iss" in payload:
                payload["iss"] = issuer

        return _edit_jwt(credential, payload=edit)
    if not isinstance(credential, dict):
        raise TamperError("not a credential")
    out = copy.deepcopy(credential)
    _change_issuer(out, issuer)
    return out


def tampered_signature(credential: Any) -> Any:
    """The document intact, one bit of the signature bytes changed."""
    if compact_jws(credential) is not None:
        return _edit_jwt(credential, signature=flip)
    if not isinstance(credential, dict):
        raise TamperError("not a credential")
    out = copy.deepcopy(credential)
    proof = _first_proof(out)
    value = proof.get("proofValue")
    if isinstance(value, str) and value.startswith("z"):
        proof["proofValue"] = "z" + b58_encode(flip(b58_decode(value[1:])))
    elif isinstance(value, str) and value.startswith("u"):
        proof["proofValue"] = "u" + b64url_encode(flip(b64url_decode(value[1:])))
    elif isinstance(proof.get("jws"), str) and proof["jws"].count(".") == 2:
        head, body, signature = proof["jws"].split(".")
        proof["jws"] = f"{head}.{body}.{b64url_encode(flip(b64url_decode(signature)))}"
    else:
        raise TamperError("the proof has no proofValue (base58btc or base64url) nor jws")
    return out


def tampered_header(credential: Any) -> Any:
    """A vc+jwt whose protected header gained a member after signing (the signature covers it)."""

    def edit(header: dict[str, Any]) -> None:
        header["x-conformance-tampered"] = True

    return _edit_jwt(credential, header=edit)
