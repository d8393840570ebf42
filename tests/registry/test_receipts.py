"""Receipts (COSE Receipts over RFC9162_SHA256 whose leaves are ledger entries): the round trip
over in-memory ledgers, tampering of every part, and the text form credentials carry."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest

from vcservice.dids import StaticResolver, did_key_document
from vcservice.errors import ReceiptError, ResolutionError
from vcservice.jsonld import jcs
from vcservice.keys import KeyPair, KeyType, Signer, b64url_encode
from vcservice.ledger import GENESIS, Entry, chain_hash, entry_leaf, merkle
from vcservice.registry import (
    decode_receipt_text,
    encode_receipt_text,
    make_receipt,
    read_receipt,
    verify_receipt,
)
from vcservice.registry.cose import (
    CWT_CLAIMS,
    CWT_IAT,
    CWT_ISS,
    MAX_MESSAGE,
    Sign1,
    read_sign1,
    sign1,
)
from vcservice.registry.receipts import COSIGNATURES, LEAVES, RFC9162_SHA256, VDP, VDS

from .pycose_shim import pycose_verifies

HOME = Signer.did_key(KeyPair.generate(KeyType.ED25519))
RESOLVER = StaticResolver({HOME.controller: did_key_document(HOME.controller)})
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOLDER = "did:key:z6MkholderHolderHolder"


@dataclass
class Ledger:
    """N ledger entries as a home keeps them: contents, hashes, leaves."""

    entries: list[Entry]
    hashes: list[str]

    @classmethod
    def of(cls, n: int) -> Ledger:
        entries, hashes, prev = [], [], GENESIS
        for i in range(n):
            entry = Entry(
                kind="debit",
                digest=f"zQmAccount{i % 3}",
                product="https://id.example/01/1/10/LOT",
                property_kind="carbonFootprint",
                amount_mg=1_000 * (i + 1),
                credential_id=f"urn:uuid:credential-{i}",
                credential_digest=f"zQmCredential{i}",
                tenant_id=None,
                created_at=AT + timedelta(seconds=i),
                holder=HOLDER,
            )
            prev = chain_hash(prev, entry)
            entries.append(entry)
            hashes.append(prev)
        return cls(entries, hashes)

    def leaves(self, size: int | None = None) -> list[bytes]:
        return [entry_leaf(h) for h in self.hashes[: size or len(self.hashes)]]

    def root(self, size: int | None = None) -> bytes:
        return merkle.root(self.leaves(size))

    def item(self, seq: int, size: int | None = None) -> tuple[int, str, bytes, list[bytes]]:
        prev = self.hashes[seq - 2] if seq > 1 else GENESIS
        path = merkle.inclusion_proof(seq - 1, self.leaves(size))
        return seq, prev, jcs(self.entries[seq - 1].content()), path

    def receipt(
        self, seqs: Sequence[int], *, size: int | None = None, cosignatures: Sequence[str] = ()
    ) -> bytes:
        size = size or len(self.hashes)
        items = [self.item(seq, size) for seq in seqs]
        return make_receipt(HOME, AT, size, self.root(size), items, cosignatures)


def _accepted(data: bytes, resolver: StaticResolver = RESOLVER) -> bool:
    try:
        verify_receipt(read_receipt(data), resolver)
    except ReceiptError:
        return False
    return True


def _unprotected(data: bytes) -> tuple[Sign1, dict[Any, Any]]:
    message = read_sign1(data, detached=True)
    return message, dict(message.unprotected)


def _proofs(unprotected: dict[Any, Any]) -> list[list[Any]]:
    return [cbor2.loads(p) for p in unprotected[VDP][-1]]


def _with_proofs(message: Sign1, unprotected: dict[Any, Any], proofs: list[list[Any]]) -> bytes:
    unprotected[VDP] = {-1: [cbor2.dumps(p) for p in proofs]}
    return message.with_unprotected(unprotected).encode()


# --- the round trip ---------------------------------------------------------------------------

SIZES = [1, 2, 7, 100]


def _seqs(n: int) -> list[int]:
    return sorted({1, n, (n + 1) // 2, min(n, 3)})


@pytest.mark.parametrize("n", SIZES)
def test_round_trip(n: int) -> None:
    ledger = Ledger.of(n)
    seqs = _seqs(n)
    data = ledger.receipt(seqs, cosignatures=["a.b.c"])
    receipt = read_receipt(data)
    assert receipt.registry == HOME.controller
    assert receipt.kid == HOME.verification_method
    assert receipt.issued_at == int(AT.timestamp())
    assert (receipt.tree_size, receipt.root) == (n, ledger.root())
    assert [p.seq for p in receipt.entries] == seqs
    for proven in receipt.entries:
        assert proven.entry_hash == ledger.hashes[proven.seq - 1]
        assert proven.content == ledger.entries[proven.seq - 1].content()
    assert receipt.cosignatures == ("a.b.c",)
    verify_receipt(receipt, RESOLVER)
    # The draft's shape: vds 1 protected, proofs [size, index, path] under 396 / -1.
    message = read_sign1(data, detached=True)
    assert message.protected[VDS] == RFC9162_SHA256
    assert message.claims == {CWT_ISS: HOME.controller, CWT_IAT: int(AT.timestamp())}
    assert [p[:2] for p in _proofs(dict(message.unprotected))] == [[n, s - 1] for s in seqs]
    assert pycose_verifies(data, HOME.key.public, detached=ledger.root())


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.P384], ids=str)
def test_round_trip_with_ec_keys(key_type: KeyType) -> None:
    home = Signer.did_key(KeyPair.generate(key_type))
    ledger = Ledger.of(5)
    data = make_receipt(home, AT, 5, ledger.root(), [ledger.item(4)])
    receipt = read_receipt(data)
    verify_receipt(receipt, StaticResolver({home.controller: did_key_document(home.controller)}))
    assert pycose_verifies(data, home.key.public, detached=ledger.root())


def test_every_leaf_of_a_tree() -> None:
    ledger = Ledger.of(13)
    receipt = read_receipt(ledger.receipt(range(1, 14)))
    assert [p.seq for p in receipt.entries] == list(range(1, 14))
    verify_receipt(receipt, RESOLVER)


def test_a_receipt_of_an_earlier_tree() -> None:
    ledger = Ledger.of(9)
    data = ledger.receipt([2, 5], size=6)
    receipt = read_receipt(data)
    assert (receipt.tree_size, receipt.root) == (6, ledger.root(6))
    verify_receipt(receipt, RESOLVER)


# --- tampering --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", SIZES)
def test_a_tampered_leaf_fails(n: int) -> None:
    ledger = Ledger.of(n)
    message, unprotected = _unprotected(ledger.receipt([n]))
    prev, entry = unprotected[LEAVES][0]
    content = ledger.entries[n - 1].content() | {"amountMg": "1"}
    for leaf in ([prev, jcs(content)], [b"\x01" * 32, entry], [prev, entry + b" "]):
        unprotected[LEAVES] = [leaf]
        assert not _accepted(message.with_unprotected(unprotected).encode())


@pytest.mark.parametrize("n", [2, 7, 100])
def test_a_tampered_path_fails(n: int) -> None:
    ledger = Ledger.of(n)
    message, unprotected = _unprotected(ledger.receipt([1]))
    [(size, index, path)] = _proofs(unprotected)
    for i in range(len(path)):
        changed = list(path)
        changed[i] = bytes([path[i][0] ^ 1]) + path[i][1:]
        assert not _accepted(_with_proofs(message, dict(unprotected), [[size, index, changed]]))
    for changed in (path[:-1], [*path, path[0]], path[::-1] if len(path) > 1 else [bytes(32)]):
        assert not _accepted(_with_proofs(message, dict(unprotected), [[size, index, changed]]))


@pytest.mark.parametrize("n", SIZES)
def test_a_tampered_tree_size_or_index_fails(n: int) -> None:
    ledger = Ledger.of(n)
    message, unprotected = _unprotected(ledger.receipt([n]))
    [(size, index, path)] = _proofs(unprotected)
    for proof in (
        [size + 1, index, path],
        [size - 1, index, path],
        [size * 2, index, path],
        [size, index - 1, path],
        [size, index + 1, path],
        [0, 0, path],
        [-1, index, path],
    ):
        assert not _accepted(_with_proofs(message, dict(unprotected), [proof]))


@pytest.mark.parametrize("n", SIZES)
def test_a_tampered_root_or_signature_fails(n: int) -> None:
    ledger = Ledger.of(n)
    data = ledger.receipt([1])
    message = read_sign1(data, detached=True)
    flipped = bytes([message.signature[0] ^ 1]) + message.signature[1:]
    forged = Sign1(
        message.protected, message.protected_bytes, message.unprotected, None, flipped
    ).encode()
    assert not _accepted(forged)
    # A signature by the home over another root: the proofs lead to this tree's root.
    other = make_receipt(HOME, AT, n, Ledger.of(n + 1).root(), [ledger.item(1)])
    assert not _accepted(other)
    # A receipt re-signed by someone else under the home's name.
    impostor = Signer(KeyPair.generate(KeyType.ED25519), HOME.verification_method)
    assert not _accepted(make_receipt(impostor, AT, n, ledger.root(), [ledger.item(1)]))
    # Another protected header under the same signature (a later iat).
    later = {VDS: 1, CWT_CLAIMS: {CWT_ISS: HOME.controller, CWT_IAT: int(AT.timestamp()) + 1}}
    resigned = read_sign1(sign1(later, ledger.root(), HOME, detached=True), detached=True)
    swapped = Sign1(
        resigned.protected,
        resigned.protected_bytes,
        message.unprotected,
        None,
        message.signature,
    ).encode()
    assert not _accepted(swapped)


def test_proofs_that_lead_to_different_roots_fail() -> None:
    ledger = Ledger.of(7)
    message, unprotected = _unprotected(ledger.receipt([2, 6]))
    prev, _ = unprotected[LEAVES][1]
    unprotected[LEAVES] = [unprotected[LEAVES][0], [prev, b"{}"]]
    with pytest.raises(ReceiptError, match="different trees"):
        read_receipt(message.with_unprotected(unprotected).encode())
    # One proof in the tree of 7, one in the tree of 6: two sizes.
    mixed = make_receipt(HOME, AT, 7, ledger.root(), [ledger.item(2), ledger.item(3, size=6)])
    message, unprotected = _unprotected(mixed)
    proofs = _proofs(unprotected)
    proofs[1][0] = 6
    with pytest.raises(ReceiptError, match="different trees"):
        read_receipt(_with_proofs(message, unprotected, proofs))


def test_a_receipt_of_another_key_or_unknown_home() -> None:
    ledger = Ledger.of(3)
    receipt = read_receipt(ledger.receipt([2]))
    stranger = Signer.did_key(KeyPair.generate(KeyType.ED25519)).controller
    lying = StaticResolver({HOME.controller: did_key_document(stranger) | {"id": HOME.controller}})
    with pytest.raises(ReceiptError, match="key"):
        verify_receipt(receipt, lying)
    with pytest.raises(ResolutionError):
        verify_receipt(receipt, StaticResolver({}))


# --- malformed receipts -----------------------------------------------------------------------


def _signed(protected: dict[Any, Any], unprotected: dict[Any, Any], root: bytes) -> bytes:
    return sign1(protected, root, HOME, unprotected=unprotected, detached=True)


def _shape() -> tuple[dict[Any, Any], dict[Any, Any], bytes]:
    ledger = Ledger.of(3)
    message = read_sign1(ledger.receipt([2]), detached=True)
    return dict(message.protected), dict(message.unprotected), ledger.root()


MALFORMED_PROTECTED = {
    "vds 2": ({VDS: 2}, "RFC9162_SHA256"),
    "no vds": ({VDS: None}, "RFC9162_SHA256"),
    "iss of another DID": ({CWT_CLAIMS: {CWT_ISS: "did:web:x", CWT_IAT: 1}}, "iss is not the DID"),
    "no iss": ({CWT_CLAIMS: {CWT_IAT: 1}}, "iss is not the DID"),
    "no iat": ({CWT_CLAIMS: {CWT_ISS: HOME.controller}}, "no iat"),
    "iat text": ({CWT_CLAIMS: {CWT_ISS: HOME.controller, CWT_IAT: "1"}}, "no iat"),
    "iat true": ({CWT_CLAIMS: {CWT_ISS: HOME.controller, CWT_IAT: True}}, "no iat"),
    "iat negative": ({CWT_CLAIMS: {CWT_ISS: HOME.controller, CWT_IAT: -1}}, "no iat"),
    "claims not a map": ({CWT_CLAIMS: [1]}, "iss is not the DID"),
}


@pytest.mark.parametrize(
    ("change", "detail"), list(MALFORMED_PROTECTED.values()), ids=list(MALFORMED_PROTECTED)
)
def test_malformed_protected(change: dict[Any, Any], detail: str) -> None:
    protected, unprotected, root = _shape()
    protected.update(change)
    protected = {k: v for k, v in protected.items() if v is not None}
    with pytest.raises(ReceiptError, match=detail):
        read_receipt(_signed(protected, unprotected, root))


def _leaf(root: bytes) -> list[bytes]:
    return [bytes(32), b"{}"]


MALFORMED_UNPROTECTED: dict[str, tuple[dict[Any, Any], str]] = {
    "no vdp": ({VDP: None}, "no inclusion proofs"),
    "vdp not a map": ({VDP: [1]}, "no inclusion proofs"),
    "no proofs": ({VDP: {-2: []}}, "no inclusion proofs"),
    "proofs not a list": ({VDP: {-1: b"x"}}, "no inclusion proofs"),
    "no leaves": ({LEAVES: None}, "no inclusion proofs"),
    "zero proofs": ({VDP: {-1: []}, LEAVES: []}, "1 to 256 entries"),
    "more leaves than proofs": ({LEAVES: [[bytes(32), b"{}"]] * 2}, "one leaf per proof"),
    "257 proofs": (
        {VDP: {-1: [cbor2.dumps([1, 0, []])] * 257}, LEAVES: [[bytes(32), b"{}"]] * 257},
        "1 to 256 entries",
    ),
    "proof not bytes": ({VDP: {-1: [[3, 1, []]]}}, "inclusion proof is CBOR bytes"),
    "proof not CBOR": ({VDP: {-1: [b"\xff"]}}, "not CBOR"),
    "proof deeply nested": ({VDP: {-1: [b"\x81" * 10_000 + b"\x00"]}}, "not CBOR"),
    "proof of two items": ({VDP: {-1: [cbor2.dumps([3, 1])]}}, r"\[tree_size, leaf_index, path\]"),
    "proof a map": ({VDP: {-1: [cbor2.dumps({3: 1})]}}, r"\[tree_size, leaf_index, path\]"),
    "size text": ({VDP: {-1: [cbor2.dumps(["3", 1, []])]}}, "are integers"),
    "index true": ({VDP: {-1: [cbor2.dumps([3, True, []])]}}, "are integers"),
    "index float": ({VDP: {-1: [cbor2.dumps([3, 1.0, []])]}}, "are integers"),
    "path of short hashes": ({VDP: {-1: [cbor2.dumps([3, 1, [b"x"]])]}}, "hashes of 32 bytes"),
    "path too long": ({VDP: {-1: [cbor2.dumps([3, 1, [bytes(32)] * 65])]}}, "up to 64 hashes"),
    "path not a list": ({VDP: {-1: [cbor2.dumps([3, 1, bytes(32)])]}}, "hashes of 32 bytes"),
    "leaf not a pair": ({LEAVES: [[bytes(32)]]}, "a receipt leaf is"),
    "leaf prev short": ({LEAVES: [[bytes(31), b"{}"]]}, "a receipt leaf is"),
    "leaf entry text": ({LEAVES: [[bytes(32), "{}"]]}, "a receipt leaf is"),
    "leaf entry huge": ({LEAVES: [[bytes(32), b" " * 16385]]}, "a receipt leaf is"),
    "cosignatures not text": ({COSIGNATURES: [b"jws"]}, "cosignatures are up to 32"),
    "cosignatures a map": ({COSIGNATURES: {1: "a"}}, "cosignatures are up to 32"),
    "33 cosignatures": ({COSIGNATURES: ["a.b.c"] * 33}, "cosignatures are up to 32"),
}


@pytest.mark.parametrize(
    ("change", "detail"), list(MALFORMED_UNPROTECTED.values()), ids=list(MALFORMED_UNPROTECTED)
)
def test_malformed_unprotected(change: dict[Any, Any], detail: str) -> None:
    protected, unprotected, root = _shape()
    unprotected.update(change)
    unprotected = {k: v for k, v in unprotected.items() if v is not None}
    with pytest.raises(ReceiptError, match=detail):
        read_receipt(_signed(protected, unprotected, root))


@pytest.mark.parametrize(
    ("entry", "detail"),
    [(b"{not json", "not JSON"), (b"[1]", "JSON object"), (b"", "not JSON")],
)
def test_a_leaf_entry_that_is_not_a_json_object(entry: bytes, detail: str) -> None:
    prev = bytes(32)
    leaf = merkle.leaf_hash(hashlib.sha256(prev + entry).digest())
    data = make_receipt(HOME, AT, 1, leaf, [(1, prev.hex(), entry, [])])
    with pytest.raises(ReceiptError, match=detail):
        read_receipt(data)


@pytest.mark.parametrize(
    "data",
    [b"", b"not COSE", sign1({}, b"attached", HOME), cbor2.dumps(["a", "b"])],
    ids=["empty", "text", "attached payload", "array"],
)
def test_not_a_receipt(data: bytes) -> None:
    with pytest.raises(ReceiptError, match="not a COSE_Sign1"):
        read_receipt(data)


# --- the text form ----------------------------------------------------------------------------


def test_text_round_trip() -> None:
    data = Ledger.of(4).receipt([1, 4])
    text = encode_receipt_text(data)
    assert text.startswith("u")
    assert not set(text) & set("=+/")
    assert decode_receipt_text(text) == data
    assert _accepted(decode_receipt_text(text))
    assert decode_receipt_text("u") == b""


@pytest.mark.parametrize(
    "text",
    [
        None,
        b"uAAAA",
        ["uAAAA"],
        "",
        "zAAAA",
        "AAAA",
        "uAA AA",
        "uAAAA=",
        "u" + b64url_encode(b"x" * MAX_MESSAGE) + "AAAA" * (MAX_MESSAGE // 2),
    ],
    ids=["null", "bytes", "list", "empty", "base58", "no prefix", "space", "pad", "huge"],
)
def test_text_refusals(text: Any) -> None:
    with pytest.raises(ReceiptError):
        decode_receipt_text(text)
