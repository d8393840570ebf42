"""Signed checkpoints: the service's statement "the ledger had ``count`` entries, ending in
``headHash``, with Merkle root ``rootHash``".

A checkpoint is a compact JWS (header ``typ: ledger-checkpoint+jwt``, ``kid`` the service's
verification method) over the JSON payload ``{iss, count, headHash, rootHash, issuedAt}``.
Anyone who keeps a checkpoint can later hold the service to it: an entry proven against its
root was in the ledger then, and a ledger rewritten since no longer reproduces the root. The
payload is plain JSON, not a credential: nothing about it needs JSON-LD, and a JWT verifier of
any language reads it. The signing itself is :func:`vcservice.securing.jose.sign_jwt`, so a
checkpoint is signed by the same code path as every vc+jwt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.errors import InputError, KeyFormatError
from vcservice.ingress import read_json
from vcservice.keys import PublicKey, Signer, b64url_decode
from vcservice.ledger.errors import CheckpointError, ConsistencyError
from vcservice.ledger.merkle import EMPTY_ROOT, verify_consistency
from vcservice.securing.jose import sign_jwt

__all__ = [
    "CHECKPOINT_TYP",
    "Checkpoint",
    "SignedCheckpoint",
    "check_consistency",
    "read_checkpoint",
    "sign_checkpoint",
]

CHECKPOINT_TYP = "ledger-checkpoint+jwt"
_HEX32 = re.compile(r"[0-9a-f]{64}")
_MAX_JWS = 8192


@dataclass(frozen=True)
class Checkpoint:
    """``issued_at`` is RFC 3339 UTC text (``2026-01-15T00:00:00Z``), as signed."""

    issuer: str
    count: int
    head_hash: str
    root_hash: str
    issued_at: str

    def payload(self) -> dict[str, Any]:
        return {
            "iss": self.issuer,
            "count": self.count,
            "headHash": self.head_hash,
            "rootHash": self.root_hash,
            "issuedAt": self.issued_at,
        }


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint as read from a JWS, with what it takes to check the signature."""

    checkpoint: Checkpoint
    kid: str
    alg: str
    signing_input: bytes
    signature: bytes

    def verify(self, key: PublicKey) -> Checkpoint:
        """The checkpoint if ``key`` signed it, else CheckpointError."""
        if key.key_type.jws_alg != self.alg:
            raise CheckpointError(f"alg {self.alg} does not match the {key.key_type.crv} key")
        if not key.verify(self.signature, self.signing_input):
            raise CheckpointError(f"the checkpoint signature does not verify with {self.kid}")
        return self.checkpoint


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    return sign_jwt(checkpoint.payload(), signer, typ=CHECKPOINT_TYP)


def read_checkpoint(jws: Any) -> SignedCheckpoint:
    """Parse a checkpoint JWS (checking its shape, not yet its signature: see
    :meth:`SignedCheckpoint.verify`); CheckpointError says what is wrong."""
    if not isinstance(jws, str) or len(jws) > _MAX_JWS or jws.count(".") != 2:
        raise CheckpointError("a checkpoint is a compact JWS (three dot-separated segments)")
    header_text, payload_text, signature_text = jws.split(".")
    header = _json_segment(header_text, "header")
    payload = _json_segment(payload_text, "payload")
    try:
        signature = b64url_decode(signature_text)
    except KeyFormatError:
        raise CheckpointError("the checkpoint signature is not base64url") from None
    if header.get("typ") != CHECKPOINT_TYP:
        raise CheckpointError(f"the JWS typ is {header.get('typ')!r}, not {CHECKPOINT_TYP}")
    kid, alg = header.get("kid"), header.get("alg")
    if not isinstance(kid, str) or not isinstance(alg, str):
        raise CheckpointError("the checkpoint header names no kid or alg")
    return SignedCheckpoint(
        _checkpoint(payload), kid, alg, f"{header_text}.{payload_text}".encode("ascii"), signature
    )


def check_consistency(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """That ``new`` extends ``old``: both of one log, and ``proof`` (``GET /ledger/consistency``)
    an RFC 9162 consistency proof from ``old``'s root to ``new``'s. ConsistencyError otherwise.

    What a witness, or anyone who kept an earlier checkpoint, does with a later one, once both
    signatures verify (:meth:`SignedCheckpoint.verify`): a log that was rewritten or forked
    since ``old`` cannot produce such a proof. An empty ``old`` (count 0, the root of no
    entries) is a prefix of every log, with the empty proof; RFC 9162 defines no proof for it.
    """
    if old.issuer != new.issuer:
        raise ConsistencyError(f"the checkpoints are of two logs, {old.issuer} and {new.issuer}")
    if old.count == 0:
        empty = EMPTY_ROOT.hex()
        if old.root_hash != empty or (new.count == 0 and new.root_hash != empty):
            raise ConsistencyError("a checkpoint of 0 entries has another root than no entries")
        if proof:
            raise ConsistencyError("the proof from an empty log must be empty")
        return
    verify_consistency(
        old.count, new.count, bytes.fromhex(old.root_hash), bytes.fromhex(new.root_hash), proof
    )


def _json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = read_json(b64url_decode(segment))
    except (KeyFormatError, InputError):
        raise CheckpointError(f"the checkpoint {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise CheckpointError(f"the checkpoint {what} is not a JSON object")
    return value


def _checkpoint(payload: dict[str, Any]) -> Checkpoint:
    issuer, count = payload.get("iss"), payload.get("count")
    head, root, issued = payload.get("headHash"), payload.get("rootHash"), payload.get("issuedAt")
    if not isinstance(issuer, str) or not isinstance(issued, str):
        raise CheckpointError("the checkpoint has no iss or issuedAt text")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise CheckpointError("the checkpoint count is not a non-negative integer")
    if not all(isinstance(h, str) and _HEX32.fullmatch(h) for h in (head, root)):
        raise CheckpointError("headHash and rootHash are 64 lower-case hex digits")
    return Checkpoint(issuer, count, str(head), str(root), issued)
