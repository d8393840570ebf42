"""Receipts: a home registry's signed proof that debits are entries of its log.

A receipt is a COSE Receipt (draft-ietf-cose-merkle-tree-proofs) of the RFC9162_SHA256
verifiable data structure: a COSE_Sign1 by the home's DID whose detached payload is the Merkle
root of the home's ledger at ``tree_size`` entries, with in its unprotected header

* ``396`` (vdp) ``{-1: [inclusion proof, ...]}``, each proof the CBOR bytes of
  ``[tree_size, leaf_index, [hash, ...]]``, as the draft defines them;
* ``-70001`` (ours, private use) the leaves' preimages, one per proof: ``[previous entry hash
  (32 bytes), entry (RFC 8785 JSON bytes)]``. A ledger leaf is the entry hash
  ``SHA-256(previous || entry)`` (:func:`vcservice.ledger.entries.chain_hash`), so a
  verifier holding only the receipt recomputes the leaf, follows the proof to the root and
  checks the signature over that root. This is the one departure from the draft, where the
  leaf is computed from the statement the receipt is attached to: here the leaf is the
  home's own ledger entry, which names the statement's credential digest;
* ``-70002`` (ours) witness cosignatures of the same root (:mod:`vcservice.registry.witness`),
  added by the home once its witnesses answered; no signature covers them, and none need:
  each is signed by its witness.

The protected header carries ``alg``, ``kid`` (the home's verification method), ``395``
(vds) ``1`` and CWT claims ``iss`` (the home's DID) and ``iat`` (when it signed the root):
that is the checkpoint the inclusion is proven in, and a verifier refuses one later than its
verification time.

What a receipt reveals: entries of the debits it proves, which name the upstream credential's
digest, the product, the kind, the drawer, the amount, the debiting credential's id and
digest and when; all of it is in the graph that carries the receipt, except the time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cbor2

from vcservice.dids import DIDResolver, did_of, resolve_verification_method
from vcservice.errors import InputError, KeyFormatError, ReceiptError, VerificationMethodError
from vcservice.ingress import read_json
from vcservice.keys import Signer, b64url_decode, b64url_encode
from vcservice.ledger import merkle
from vcservice.registry.cose import (
    CWT_CLAIMS,
    CWT_IAT,
    CWT_ISS,
    MAX_MESSAGE,
    CoseError,
    Sign1,
    read_sign1,
    sign1,
)

__all__ = [
    "COSIGNATURES",
    "LEAVES",
    "RFC9162_SHA256",
    "VDP",
    "VDS",
    "Proven",
    "Receipt",
    "decode_receipt_text",
    "encode_receipt_text",
    "make_receipt",
    "read_receipt",
    "verify_receipt",
]

VDS = 395
VDP = 396
RFC9162_SHA256 = 1
INCLUSION_PROOFS = -1
LEAVES = -70001
COSIGNATURES = -70002
_MAX_LEAVES = 256
_MAX_PATH = 64
_MAX_COSIGNATURES = 32


@dataclass(frozen=True)
class Proven:
    """One ledger entry a receipt proves: its place (``seq`` = leaf index + 1), hash and
    content (the JSON the entry hash covers; see :meth:`vcservice.ledger.entries.Entry.content`)."""

    seq: int
    entry_hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class Receipt:
    """A receipt whose proofs all lead to ``root`` (checked by :func:`read_receipt`); the
    signature over that root is checked by :func:`verify_receipt`."""

    registry: str
    kid: str
    issued_at: int
    tree_size: int
    root: bytes
    entries: tuple[Proven, ...]
    cosignatures: tuple[str, ...]
    message: Sign1


def make_receipt(
    signer: Signer,
    issued_at: datetime,
    tree_size: int,
    root: bytes,
    leaves: Sequence[tuple[int, str, bytes, Sequence[bytes]]],
    cosignatures: Sequence[str] = (),
) -> bytes:
    """The receipt for ``leaves``: each ``(seq, previous entry hash, entry JSON bytes, inclusion
    path)`` in the tree of ``tree_size`` entries whose root is ``root``, signed by ``signer``
    (the home registry's key; its DID is ``iss``)."""
    protected = {
        VDS: RFC9162_SHA256,
        CWT_CLAIMS: {CWT_ISS: signer.controller, CWT_IAT: int(issued_at.timestamp())},
    }
    unprotected: dict[int, Any] = {
        VDP: {
            INCLUSION_PROOFS: [
                cbor2.dumps([tree_size, seq - 1, list(path)]) for seq, _, _, path in leaves
            ]
        },
        LEAVES: [[bytes.fromhex(prev), entry] for _, prev, entry, _ in leaves],
    }
    if cosignatures:
        unprotected[COSIGNATURES] = list(cosignatures)
    return sign1(protected, root, signer, unprotected=unprotected, detached=True)


def read_receipt(data: bytes) -> Receipt:
    """Decode a receipt and recompute its root from every leaf and proof; ReceiptError when
    it is malformed or the proofs disagree. The signature is :func:`verify_receipt`'s."""
    try:
        message = read_sign1(data, detached=True)
    except CoseError as exc:
        raise ReceiptError(f"the receipt is not a COSE_Sign1: {exc}") from None
    if message.protected.get(VDS) != RFC9162_SHA256:
        raise ReceiptError("the receipt's verifiable data structure is not RFC9162_SHA256 (1)")
    claims = message.claims
    registry, issued = claims.get(CWT_ISS), claims.get(CWT_IAT)
    if not isinstance(registry, str) or did_of(message.kid) != registry:
        raise ReceiptError("the receipt's iss is not the DID of its kid")
    if isinstance(issued, bool) or not isinstance(issued, int) or issued < 0:
        raise ReceiptError("the receipt has no iat (seconds since the epoch)")
    vdp = message.unprotected.get(VDP)
    proofs = vdp.get(INCLUSION_PROOFS) if isinstance(vdp, dict) else None
    leaves = message.unprotected.get(LEAVES)
    if not isinstance(proofs, list) or not isinstance(leaves, list):
        raise ReceiptError("the receipt carries no inclusion proofs (396: {-1: [...]})")
    if not 0 < len(proofs) <= _MAX_LEAVES or len(proofs) != len(leaves):
        raise ReceiptError(f"the receipt proves 1 to {_MAX_LEAVES} entries, one leaf per proof")
    sizes: set[int] = set()
    roots: set[bytes] = set()
    entries = []
    for proof, leaf in zip(proofs, leaves, strict=True):
        size, index, path = _inclusion(proof)
        prev, content_bytes = _leaf(leaf)
        entry_hash = hashlib.sha256(prev + content_bytes).hexdigest()
        try:
            roots.add(
                merkle.root_from_inclusion(
                    index, size, merkle.leaf_hash(bytes.fromhex(entry_hash)), path
                )
            )
        except ValueError as exc:
            raise ReceiptError(f"the receipt's inclusion proof: {exc}") from None
        sizes.add(size)
        try:
            content = read_json(content_bytes)
        except InputError:
            raise ReceiptError("a receipt leaf's entry is not JSON") from None
        if not isinstance(content, dict):
            raise ReceiptError("a receipt leaf's entry is a JSON object")
        entries.append(Proven(index + 1, entry_hash, content))
    if len(sizes) != 1 or len(roots) != 1:
        raise ReceiptError("the receipt's proofs lead to different trees")
    cosignatures = message.unprotected.get(COSIGNATURES, [])
    if (
        not isinstance(cosignatures, list)
        or len(cosignatures) > _MAX_COSIGNATURES
        or not all(isinstance(c, str) for c in cosignatures)
    ):
        raise ReceiptError(f"the receipt's cosignatures are up to {_MAX_COSIGNATURES} JWS texts")
    return Receipt(
        registry,
        message.kid,
        issued,
        sizes.pop(),
        roots.pop(),
        tuple(entries),
        tuple(cosignatures),
        message,
    )


def verify_receipt(receipt: Receipt, resolver: DIDResolver) -> None:
    """That the registry's DID signed the receipt's root with a key it lists for assertions.
    ResolutionError (could not check) passes through; anything else is ReceiptError."""
    try:
        method = resolve_verification_method(resolver, receipt.kid, "assertionMethod")
    except VerificationMethodError as exc:
        raise ReceiptError(f"the receipt's key: {exc.detail}") from None
    if not receipt.message.verify(method.public_key, detached=receipt.root):
        raise ReceiptError(f"the receipt's signature does not verify with {receipt.kid}")


def encode_receipt_text(receipt: bytes) -> str:
    """A receipt as a credential carries it: multibase base64url (``u`` prefix)."""
    return "u" + b64url_encode(receipt)


def decode_receipt_text(text: Any) -> bytes:
    """The receipt bytes of a ``creditReceipt`` value; ReceiptError when it is not one."""
    if not isinstance(text, str) or not text.startswith("u"):
        raise ReceiptError("a creditReceipt is a multibase base64url text ('u' prefix)")
    if len(text) > 2 * MAX_MESSAGE:
        raise ReceiptError(f"a creditReceipt is at most {MAX_MESSAGE} bytes")
    try:
        return b64url_decode(text[1:])
    except KeyFormatError:
        raise ReceiptError("a creditReceipt is not valid base64url") from None


def _inclusion(proof: Any) -> tuple[int, int, list[bytes]]:
    if not isinstance(proof, bytes):
        raise ReceiptError("an inclusion proof is CBOR bytes")
    try:
        value = cbor2.loads(proof)
    except (cbor2.CBORDecodeError, RecursionError, ValueError, OverflowError, TypeError):
        raise ReceiptError("an inclusion proof is not CBOR") from None
    if not isinstance(value, list) or len(value) != 3:
        raise ReceiptError("an inclusion proof is [tree_size, leaf_index, path]")
    size, index, path = value
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (size, index)):
        raise ReceiptError("an inclusion proof's tree_size and leaf_index are integers")
    if (
        not isinstance(path, list)
        or len(path) > _MAX_PATH
        or not all(isinstance(h, bytes) and len(h) == 32 for h in path)
    ):
        raise ReceiptError(f"an inclusion path is up to {_MAX_PATH} hashes of 32 bytes")
    return size, index, path


def _leaf(leaf: Any) -> tuple[bytes, bytes]:
    if (
        not isinstance(leaf, list)
        or len(leaf) != 2
        or not isinstance(leaf[0], bytes)
        or len(leaf[0]) != 32
        or not isinstance(leaf[1], bytes)
        or len(leaf[1]) > 16384
    ):
        raise ReceiptError("a receipt leaf is [previous hash (32 bytes), entry JSON bytes]")
    return leaf[0], leaf[1]
