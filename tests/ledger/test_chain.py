"""The hash chain, signed checkpoints and the audit, without a database."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from vcservice.dids import did_document
from vcservice.jsonld import jcs
from vcservice.keys import KeyPair, KeyType, PublicKey, Signer
from vcservice.ledger import (
    GENESIS,
    Checkpoint,
    CheckpointError,
    Entry,
    Finding,
    StoredEntry,
    audit,
    chain_hash,
    did_document_keys,
    entry_leaf,
    kg_text,
    read_checkpoint,
    sign_checkpoint,
)
from vcservice.ledger.merkle import root

DID = "did:web:ledger.example"
SIGNER = Signer(KeyPair.from_secret(KeyType.ED25519, bytes(32)), f"{DID}#key-1")
KEYS = {"key-1": SIGNER.key.public}
WHEN = datetime(2026, 1, 15, 12, 0, 0, 123456, tzinfo=UTC)


def _entry(amount_mg: int) -> Entry:
    return Entry(
        kind="debit",
        digest="zQmSource",
        product="https://p.example/1",
        property_kind="carbonFootprint",
        amount_mg=amount_mg,
        credential_id="urn:uuid:1",
        credential_digest="zQmCredential",
        tenant_id="tenant-1",
        created_at=WHEN,
        holder="did:web:smelter.example",
    )


def _chain(n: int) -> list[StoredEntry]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = _entry(seq * 1000)
        digest = chain_hash(prev, entry)
        rows.append(StoredEntry(seq, entry, prev, digest))
        prev = digest
    return rows


def _checkpoint(rows: list[StoredEntry], count: int) -> str:
    covered = rows[:count]
    head = covered[-1].entry_hash if covered else GENESIS
    root_hash = root([entry_leaf(r.entry_hash) for r in covered]).hex()
    return sign_checkpoint(Checkpoint(DID, count, head, root_hash, "2026-01-15T12:00:00Z"), SIGNER)


def _head(rows: list[StoredEntry]) -> tuple[int, str]:
    return len(rows), rows[-1].entry_hash if rows else GENESIS


def _finding(
    rows: list[StoredEntry], head: tuple[int, str] | None, checkpoints: Sequence[str] = ()
) -> Finding:
    finding = audit(rows, head, checkpoints, KEYS).finding
    assert finding is not None, "the audit found nothing wrong"
    return finding


def test_entry_hash_is_sha256_of_prev_and_jcs_content() -> None:
    entry = _entry(45_000_000_000)
    expected = hashlib.sha256(bytes(32) + jcs(entry.content())).hexdigest()
    assert chain_hash(GENESIS, entry) == expected
    assert entry.content()["amountMg"] == "45000000000"
    assert entry.content()["createdAt"] == "2026-01-15T12:00:00.123456Z"


def test_kg_text() -> None:
    assert kg_text(45_000_000_000) == "45000 kg"
    assert kg_text(500_000) == "0.5 kg"
    assert kg_text(1) == "0.000001 kg"


def test_checkpoint_round_trip_and_signature() -> None:
    jws = _checkpoint(_chain(3), 3)
    signed = read_checkpoint(jws)
    assert signed.kid == f"{DID}#key-1"
    assert signed.verify(SIGNER.key.public).count == 3
    other = KeyPair.from_secret(KeyType.ED25519, bytes([1]) * 32).public
    with pytest.raises(CheckpointError, match="does not verify"):
        signed.verify(other)


@pytest.mark.parametrize(
    ("jws", "message"),
    [
        ("a.b", "compact JWS"),
        ("!!.e30.AA", "header is not base64url JSON"),
        ("e30.e30.AA", "typ"),
    ],
)
def test_malformed_checkpoints(jws: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        read_checkpoint(jws)


def test_intact_ledger() -> None:
    rows = _chain(5)
    report = audit(rows, _head(rows), [_checkpoint(rows, 2), _checkpoint(rows, 5)], KEYS)
    assert report.ok, report.finding
    assert (report.count, report.head_hash) == _head(rows)
    assert report.root_hash == root([entry_leaf(r.entry_hash) for r in rows]).hex()
    assert [c.count for c in report.checkpoints] == [2, 5]


def test_empty_ledger() -> None:
    report = audit([], (0, GENESIS), [_checkpoint([], 0)], KEYS)
    assert report.ok
    assert report.count == 0


def test_edited_entry() -> None:
    rows = _chain(5)
    rows[2] = dataclasses.replace(rows[2], entry=_entry(1))
    finding = _finding(rows, _head(rows))
    assert (finding.seq, finding.problem) == (3, "edited")


def test_missing_entry() -> None:
    rows = _chain(5)
    del rows[1]
    finding = _finding(rows, _head(_chain(5)))
    assert (finding.seq, finding.problem) == (2, "missing")


def test_reordered_entries() -> None:
    rows = _chain(5)
    rows[1], rows[3] = (
        dataclasses.replace(rows[3], seq=2),
        dataclasses.replace(rows[1], seq=4),
    )
    finding = _finding(rows, _head(_chain(5)))
    assert (finding.seq, finding.problem) == (2, "out of order")
    assert "appended after entry 3" in finding.detail


def test_edited_and_rehashed_entry_breaks_the_next_link() -> None:
    rows = _chain(5)
    edited = _entry(1)
    rows[2] = StoredEntry(3, edited, rows[2].prev_hash, chain_hash(rows[2].prev_hash, edited))
    finding = _finding(rows, _head(_chain(5)))
    assert (finding.seq, finding.problem) == (4, "edited")


def test_removed_newest_entry_against_the_head_record() -> None:
    rows = _chain(5)
    finding = _finding(rows[:4], _head(rows))
    assert (finding.seq, finding.problem) == (5, "missing")


def test_removed_newest_entry_with_a_rewritten_head_against_a_checkpoint() -> None:
    rows = _chain(5)
    finding = _finding(rows[:4], _head(rows[:4]), [_checkpoint(rows, 5)])
    assert (finding.seq, finding.problem) == (5, "missing")


def test_unrecorded_and_mismatched_head() -> None:
    rows = _chain(3)
    finding = _finding(rows, _head(rows[:2]))
    assert (finding.seq, finding.problem) == (3, "unrecorded")
    finding = _finding(rows, (3, GENESIS))
    assert (finding.seq, finding.problem) == (3, "edited")
    finding = _finding(rows, None)
    assert finding.problem == "missing"


def test_rewritten_chain_against_a_checkpoint() -> None:
    """A consistent rewrite (every hash recomputed) still contradicts a signed checkpoint."""
    rows = _chain(4)
    jws = _checkpoint(rows, 4)
    rewritten, prev = [], GENESIS
    for row in rows:
        entry = dataclasses.replace(row.entry, amount_mg=row.entry.amount_mg + 1)
        rewritten.append(StoredEntry(row.seq, entry, prev, chain_hash(prev, entry)))
        prev = rewritten[-1].entry_hash
    finding = _finding(rewritten, _head(rewritten), [jws])
    assert finding.problem == "checkpoint"
    assert "no longer reproduce" in finding.detail


def test_checkpoint_signed_by_another_key() -> None:
    rows = _chain(2)
    forger = Signer(KeyPair.from_secret(KeyType.ED25519, bytes([7]) * 32), f"{DID}#key-1")
    forged = sign_checkpoint(read_checkpoint(_checkpoint(rows, 2)).checkpoint, forger)
    finding = _finding(rows, _head(rows), [forged])
    assert finding.problem == "checkpoint"
    unknown = Signer(SIGNER.key, f"{DID}#key-9")
    forged = sign_checkpoint(read_checkpoint(_checkpoint(rows, 2)).checkpoint, unknown)
    finding = _finding(rows, _head(rows), [forged])
    assert "not a service key" in finding.detail


def test_a_held_checkpoint_catches_a_consistent_truncation() -> None:
    rows = _chain(5)
    held = _checkpoint(rows, 5)
    assert audit(rows[:3], _head(rows[:3]), [_checkpoint(rows, 3)], KEYS).ok
    finding = audit(rows[:3], _head(rows[:3]), [], KEYS, held=[held]).finding
    assert finding is not None
    assert (finding.seq, finding.problem) == (4, "missing")
    assert "a checkpoint you hold covers 5 entries" in finding.detail


def test_keys_from_a_did_document_and_the_database_keys_checked_against_them() -> None:
    document = did_document(DID, [("key-1", SIGNER.key.public)], forms=("Multikey", "JsonWebKey"))
    trusted = did_document_keys(document)
    assert set(trusted) == {f"{DID}#key-1", f"{DID}#key-1-jwk"}
    rows = _chain(2)
    report = audit(rows, _head(rows), [_checkpoint(rows, 2)], trusted, stored_keys=KEYS)
    assert report.ok, report.finding
    inserted = KeyPair.from_secret(KeyType.ED25519, bytes([9]) * 32).public
    finding = _finding_with(rows, trusted, stored_keys={"key-1": inserted})
    assert finding.problem == "key"
    forger = Signer(KeyPair.from_secret(KeyType.ED25519, bytes([9]) * 32), f"{DID}#key-2")
    forged = sign_checkpoint(read_checkpoint(_checkpoint(rows, 2)).checkpoint, forger)
    forged_finding = audit(rows, _head(rows), [forged], trusted).finding
    assert forged_finding is not None
    assert "not a service key" in forged_finding.detail
    with pytest.raises(CheckpointError, match="lists no assertionMethod key"):
        did_document_keys({"id": DID, "verificationMethod": []})


def _finding_with(
    rows: list[StoredEntry], keys: dict[str, PublicKey], stored_keys: dict[str, PublicKey]
) -> Finding:
    finding = audit(rows, _head(rows), [], keys, stored_keys=stored_keys).finding
    assert finding is not None
    return finding


def test_accounts_are_replayed_from_the_entries() -> None:
    """Entries debit ``zQmSource``'s account (holder as in ``_entry``); no credit opened it."""
    rows = _chain(1)
    finding = audit(rows, _head(rows), [], KEYS, accounts=[]).finding
    assert finding is not None
    assert (finding.seq, finding.problem) == (1, "account")
    assert "no earlier entry credits" in finding.detail
