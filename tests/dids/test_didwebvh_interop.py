"""did:webvh interop: with didwebvh-ts (the DIF implementation, run by Node.js) both ways, and
with the published test vectors of decentralized-identity/didwebvh-test-suite
(tests/fixtures/didwebvh, see its SOURCES.md).

Both are independent of our code: a log didwebvh-ts writes verifies with ``verify_log`` (the right
versions and keys), a log we write resolves with didwebvh-ts to the same versionId and document,
every valid vector gives the document the suite expects, and every negative vector is refused
with the DidLog* error naming the rule it breaks. The didwebvh-ts tests skip, saying why, where
Node.js or npm is missing; the vector tests always run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import FIXTURES, load_json
from tests.dids.didwebvh_ts import DidWebvhTs, DidWebvhTsError, install, unavailable
from vcservice.dids import DidHistory, did_document
from vcservice.dids._didwebvh import verify_log, without_relationships
from vcservice.dids._webvh_log import (
    create_did,
    deactivate_entry,
    next_entry,
    next_key_hash,
    witness_file,
    witness_proof,
)
from vcservice.errors import (
    DidLogError,
    DidLogPreRotationError,
    DidLogScidError,
    DidLogUnauthorizedKeyError,
    DidLogWitnessError,
)
from vcservice.keys import KeyPair, KeyType

VECTORS = FIXTURES / "didwebvh"
#: Fixed seed for the didwebvh-ts logs, so runs are reproducible (a test key: use it nowhere else).
SEED = "7e" * 32

#: Each valid scenario vendored, and the resolutions the suite gives for it (file: version number,
#: None for the latest).
VALID: dict[str, dict[str, int | None]] = {
    "basic-create": {"resolutionResult.json": None},
    "key-rotation": {"resolutionResult.json": None},
    "multi-update": {
        "resolutionResult.1.json": 1,
        "resolutionResult.2.json": 2,
        "resolutionResult.json": None,
    },
    "multiple-update-keys": {"resolutionResult.json": None},
    "pre-rotation-consume": {"resolutionResult.json": None},
    "deactivate": {"resolutionResult.json": None},
    "witness-threshold": {"resolutionResult.json": None},
}
#: A vector the suite calls valid that we refuse, and why. witness-update changes a 2-of-2
#: witness list to 1-of-1 and has only the remaining witness approve that entry; the spec
#: (v1.0, "Witness Lists") says a new list "becomes active AFTER the new DID log entry has been
#: published", so the entry needed both of the old list (didwebvh-py, which we use, agrees).
DISPUTED: dict[str, type[DidLogError]] = {"witness-update": DidLogWitnessError}
#: Each negative scenario vendored and the error it must raise: the specific DidLog* class where
#: one names the rule broken, else DidLogError (the suite's own code is in resolutionResult.json).
NEGATIVE: dict[str, type[DidLogError]] = {
    "negative-scid-mismatch-genesis": DidLogScidError,
    "negative-pre-rotation-omit-updatekeys": DidLogPreRotationError,
    "negative-did-key-body-fragment-mismatch": DidLogUnauthorizedKeyError,
    "negative-cross-did-witness-replay": DidLogWitnessError,
    "negative-wrong-cryptosuite": DidLogUnauthorizedKeyError,
    "negative-portable-scid-swap": DidLogError,
    "negative-duplicate-witness-ids": DidLogError,
    "negative-zero-witness-threshold": DidLogError,
    "negative-unknown-method-version": DidLogError,
    "negative-versiontime-future": DidLogError,
    "negative-versiontime-non-monotonic": DidLogError,
}
_IMPLICIT = ("#files", "#whois")
#: The suite's public test seed of its witness ``wit-0`` (script.yaml of the witness scenarios).
WIT_0_SEED = bytes.fromhex("00" * 31 + "10")


def _read(scenario: str, name: str) -> str | None:
    path = VECTORS / scenario / name
    return path.read_text(encoding="utf-8") if path.exists() else None


def _did_of(log: str) -> str:
    """The DID a vector's log is for: its first entry's SCID on its first entry's host and path
    (the state's own id, except where a negative vector forged it)."""
    first = json.loads(log.splitlines()[0])
    location = first["state"]["id"].split(":", 3)[3]
    return f"did:webvh:{first['parameters']['scid']}:{location}"


def _as_logged(resolved: dict[str, Any]) -> dict[str, Any]:
    """A document as another resolver returns it, less the implicit ``#files`` and ``#whois``
    services it adds: ours gives the logged state (the spec defines those services for DID URL
    dereferencing and the parallel did:web document, and none of our logs define them)."""
    document = dict(resolved)
    services = [s for s in document.pop("service", []) if not s["id"].endswith(_IMPLICIT)]
    return {**document, "service": services} if services else document


def test_every_vendored_vector_is_checked() -> None:
    """Guards the tables above: a scenario vendored but not listed would prove nothing."""
    vendored = {p.name for p in VECTORS.iterdir() if p.is_dir()}
    assert vendored == set(VALID) | set(DISPUTED) | set(NEGATIVE)


@pytest.mark.parametrize(
    ("scenario", "name", "number"),
    [(s, name, n) for s, files in VALID.items() for name, n in files.items()],
)
def test_a_published_valid_vector_resolves_as_the_suite_expects(
    scenario: str, name: str, number: int | None
) -> None:
    log = _read(scenario, "did.jsonl")
    assert log is not None
    expected = load_json(VECTORS / scenario / name)
    history = verify_log(_did_of(log), log, _read(scenario, "did-witness.json"))
    version = history.current if number is None else history.by_number(number)
    assert version is not None
    meta = expected["didDocumentMetadata"]
    assert version.version_id == meta["versionId"]
    assert version.version_number == meta["versionNumber"]
    assert version.version_time == _instant(meta["versionTime"])
    assert version.deactivated is meta.get("deactivated", False)
    document = _as_logged(expected["didDocument"])
    if version.deactivated:
        # Ours deliberately keeps no verification relationship once deactivated.
        document = without_relationships(document)
    assert version.document == document


@pytest.mark.parametrize("scenario", [*DISPUTED, *NEGATIVE])
def test_a_published_invalid_vector_is_refused_naming_the_rule(scenario: str) -> None:
    log = _read(scenario, "did.jsonl")
    assert log is not None
    error = DISPUTED.get(scenario) or NEGATIVE[scenario]
    with pytest.raises(error):
        verify_log(_did_of(log), log, _read(scenario, "did-witness.json"))


def test_one_witness_listed_twice_does_not_meet_a_threshold_of_two() -> None:
    """negative-duplicate-witness-ids comes without a witness file, so a missing file alone
    refuses it; here its one witness approves the entry, which must still not count twice
    (the audit bug the vector is for)."""
    log = _read("negative-duplicate-witness-ids", "did.jsonl")
    assert log is not None
    version_id = json.loads(log.splitlines()[0])["versionId"]
    witness = KeyPair(KeyType.ED25519, Ed25519PrivateKey.from_private_bytes(WIT_0_SEED))
    proofs = witness_file({version_id: [witness_proof(log, version_id, witness)]})
    with pytest.raises(DidLogError):
        verify_log(_did_of(log), log, proofs)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- didwebvh-ts, both ways ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ts(tmp_path_factory: pytest.TempPathFactory) -> DidWebvhTs:
    """didwebvh-ts, installed once for the module."""
    reason = unavailable()
    if reason is not None:
        pytest.skip(reason)
    return install(Path(tmp_path_factory.mktemp("didwebvh-ts")))


def _keys(document: dict[str, Any]) -> list[str]:
    return [m["publicKeyMultibase"] for m in document.get("verificationMethod", [])]


def test_a_log_made_by_didwebvh_ts_verifies_with_ours(ts: DidWebvhTs) -> None:
    did, log = ts.create("example.com:tenants:ts", SEED, rotate=True)
    entries = [json.loads(line) for line in log.splitlines()]

    history = verify_log(did, log)

    assert history.did == did
    assert [v.version_id for v in history.versions] == [e["versionId"] for e in entries]
    first, rotated = history.versions
    # Each version publishes the key that was the update key then; the rotation changed it.
    assert _keys(first.document) == entries[0]["parameters"]["updateKeys"]
    assert _keys(rotated.document) == entries[1]["parameters"]["updateKeys"]
    assert _keys(first.document) != _keys(rotated.document)
    assert first.valid_until == rotated.version_time
    for version in history.versions:
        theirs = ts.resolve(did, log, version_number=version.version_number)
        assert version.document == _as_logged(theirs["doc"])


def _our_log(rotations: int) -> tuple[str, str, list[KeyPair]]:
    """A log we write: created with a pre-rotation commitment, then the update key rotated
    ``rotations`` times, each new key committed to by the entry before."""
    keys = [KeyPair.generate(KeyType.ED25519) for _ in range(rotations + 2)]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    did, log = create_did(
        "example.com:tenants:ours",
        lambda did: did_document(did, [("key-1", keys[0].public)]),
        keys[0],
        next_key_hashes=[next_key_hash(keys[1].public)],
        now=start,
    )
    for n in range(1, rotations + 1):
        log += next_entry(
            log,
            did_document(did, [("key-1", keys[n].public)]),
            keys[n],
            new_update_keys=[keys[n].public],
            next_key_hashes=[next_key_hash(keys[n + 1].public)],
            now=start + timedelta(days=n),
        )
    return did, log, keys


def _same_version(ours: DidHistory, number: int, theirs: dict[str, Any]) -> None:
    version = ours.by_number(number)
    assert version is not None
    assert theirs["meta"]["versionId"] == version.version_id
    assert _as_logged(theirs["doc"]) == version.document


def test_a_log_made_by_us_resolves_with_didwebvh_ts(ts: DidWebvhTs) -> None:
    did, log, keys = _our_log(rotations=2)
    ours = verify_log(did, log)
    assert len(ours.versions) == 3

    for number in (1, 2, 3):
        theirs = ts.resolve(did, log, version_number=number)
        assert theirs["did"] == did
        _same_version(ours, number, theirs)
        assert _keys(theirs["doc"]) == [keys[number - 1].public.multibase]
    latest = ts.resolve(did, log)
    _same_version(ours, 3, latest)
    assert latest["meta"]["updateKeys"] == [keys[2].public.multibase]
    # ...and it does check: the last version publishing another key is refused.
    forged = log.replace(keys[2].public.multibase, keys[0].public.multibase)
    with pytest.raises(DidWebvhTsError):
        ts.resolve(did, forged)


def test_a_log_we_deactivate_is_deactivated_for_didwebvh_ts(ts: DidWebvhTs) -> None:
    did, log, keys = _our_log(rotations=1)
    log += deactivate_entry(log, keys[2], now=datetime.now(UTC).replace(microsecond=0))

    theirs = ts.resolve(did, log)

    assert theirs["meta"]["deactivated"] is True
    assert theirs["meta"]["versionId"] == verify_log(did, log).current.version_id
