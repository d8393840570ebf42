"""Witnessing: other registries cosign a log's checkpoint once it is shown consistent with the
last checkpoint of that log they cosigned, so a log that shows two histories is caught.

The protocol is C2SP tlog-witness's ``add-checkpoint`` in substance: the log sends the size of
the checkpoint the witness last cosigned (``old``), an RFC 9162 consistency proof from it, and
its new signed checkpoint; the witness checks the log's signature, answers 409 with the size it
knows when ``old`` is not it, refuses a checkpoint no consistency proof joins to what it saw,
and otherwise records the new checkpoint and returns its cosignature. Departures, named in
docs/ledger.md: checkpoints are our JWS (:mod:`vcservice.ledger.checkpoint`), not C2SP signed
notes, and a cosignature is a JWS (``typ: ledger-cosignature+jwt``) by the witness's DID over
``{iss, log, count, rootHash, time}`` rather than a note signature line, so verifiers resolve
keys as DIDs like every other signature here.

Everything here is pure; the witness's state (the last checkpoint per log, the evidence of
equivocation it found) is the store's, read and written around :func:`judge`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcservice.dids import DIDResolver, did_of, resolve_verification_method
from vcservice.errors import (
    ConsistencyError,
    EquivocationError,
    InputError,
    KeyFormatError,
    ReceiptError,
    StaleWitnessError,
    VerificationMethodError,
)
from vcservice.ingress import read_json
from vcservice.keys import Signer, b64url_decode
from vcservice.ledger.checkpoint import Checkpoint, check_consistency
from vcservice.securing.jose import sign_jwt

__all__ = [
    "COSIGNATURE_TYP",
    "Cosignature",
    "judge",
    "read_cosignature",
    "sign_cosignature",
    "verify_cosignature",
]

COSIGNATURE_TYP = "ledger-cosignature+jwt"
_MAX_JWS = 8192


@dataclass(frozen=True)
class Cosignature:
    """A witness's statement: at ``time`` it had checked that ``log``'s tree of ``count``
    entries with root ``root_hash`` extends every earlier tree of that log it had seen."""

    witness: str
    log: str
    count: int
    root_hash: str
    time: int


def sign_cosignature(checkpoint: Checkpoint, signer: Signer, at: datetime) -> str:
    payload = {
        "iss": signer.controller,
        "log": checkpoint.issuer,
        "count": checkpoint.count,
        "rootHash": checkpoint.root_hash,
        "time": int(at.timestamp()),
    }
    return sign_jwt(payload, signer, typ=COSIGNATURE_TYP)


def judge(seen: Checkpoint | None, old_size: int, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Whether a witness that last cosigned ``seen`` (None: never saw the log) may cosign
    ``new``, given the log's claim that the witness saw ``old_size`` and its consistency proof.

    StaleWitnessError when ``old_size`` is not what the witness saw (the log retries with the
    size named); ConsistencyError when ``new`` is smaller than ``old_size``; EquivocationError
    when ``new`` cannot extend ``seen``: the same size with another root, or a proof that
    does not join them. Both checkpoints are
    signed by the log, so either is the log's own statement against itself.
    """
    known = 0 if seen is None else seen.count
    if old_size != known:
        raise StaleWitnessError(
            f"this witness last cosigned {new.issuer} at {known} entries, not {old_size}", known
        )
    if seen is None:
        return
    if new.count < seen.count:  # old_size is seen.count: a request C2SP answers with 400
        raise ConsistencyError(
            f"the checkpoint of {new.count} entries is older than the {old_size} named as old"
        )
    if new.count == seen.count:
        if new.root_hash != seen.root_hash:
            raise EquivocationError(
                f"{new.issuer} signed two roots for {new.count} entries: {seen.root_hash} and "
                f"{new.root_hash}"
            )
        return
    try:
        check_consistency(seen, new, proof)
    except ConsistencyError as exc:
        raise EquivocationError(
            f"{new.issuer}'s tree of {new.count} entries does not extend the tree of "
            f"{seen.count} this witness cosigned: {exc.detail}"
        ) from None


def read_cosignature(jws: Any) -> tuple[Cosignature, str, bytes, bytes]:
    """A cosignature's claims, ``kid``, signing input and signature (not yet verified)."""
    if not isinstance(jws, str) or len(jws) > _MAX_JWS or jws.count(".") != 2:
        raise ReceiptError("a cosignature is a compact JWS")
    header_text, payload_text, signature_text = jws.split(".")
    try:
        header = read_json(b64url_decode(header_text))
        payload = read_json(b64url_decode(payload_text))
        signature = b64url_decode(signature_text)
    except (InputError, KeyFormatError):
        raise ReceiptError("a cosignature is base64url JSON segments") from None
    if not isinstance(header, dict) or header.get("typ") != COSIGNATURE_TYP:
        raise ReceiptError(f"a cosignature's typ is {COSIGNATURE_TYP}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not isinstance(payload, dict):
        raise ReceiptError("a cosignature names its kid and carries a JSON object")
    witness, log, count = payload.get("iss"), payload.get("log"), payload.get("count")
    root, time = payload.get("rootHash"), payload.get("time")
    if not isinstance(witness, str) or not isinstance(log, str) or not isinstance(root, str):
        raise ReceiptError("a cosignature names iss, log and rootHash")
    if not (
        isinstance(count, int) and isinstance(time, int) and _natural(count) and _natural(time)
    ):
        raise ReceiptError("a cosignature's count and time are non-negative integers")
    if did_of(kid) != witness:
        raise ReceiptError("a cosignature's kid is not a key of its iss")
    return (
        Cosignature(witness, log, count, root, time),
        kid,
        f"{header_text}.{payload_text}".encode("ascii"),
        signature,
    )


def verify_cosignature(jws: Any, resolver: DIDResolver) -> Cosignature:
    """The cosignature if its witness's DID signed it; ReceiptError otherwise (ResolutionError
    when the witness's DID could not be resolved)."""
    cosignature, kid, signing_input, signature = read_cosignature(jws)
    try:
        method = resolve_verification_method(resolver, kid, "assertionMethod")
    except VerificationMethodError as exc:
        raise ReceiptError(f"a cosignature's key: {exc.detail}") from None
    key = method.public_key
    if key.key_type.jws_alg != _alg(jws) or not key.verify(signature, signing_input):
        raise ReceiptError(f"the cosignature of {cosignature.witness} does not verify")
    return cosignature


def _natural(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _alg(jws: str) -> str:
    header = read_json(b64url_decode(jws.split(".", 1)[0]))
    return str(header.get("alg")) if isinstance(header, dict) else ""
