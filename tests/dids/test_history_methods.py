"""Verification methods looked up in a DID's history (did:webvh): rotated keys, deactivation,
``versionId`` / ``versionTime`` DID URLs, and history passed through the composed resolvers.

:func:`rotated_did` is the one log the history tests share (here, securing, graph, api, cli):
key A authorised first, replaced by key B ten days later, optionally deactivated ten days
after that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from vcservice import verifiers
from vcservice.dids import (
    MultiResolver,
    StaticResolver,
    did_document,
    history_of,
    resolve_verification_method,
)
from vcservice.dids._didkey import DidKeyResolver
from vcservice.dids._webvh_log import create_did, deactivate_entry, next_entry
from vcservice.errors import DidLogError, ResolutionError, VerificationMethodError
from vcservice.keys import KeyPair, KeyType, Signer

START = datetime(2025, 1, 1, tzinfo=UTC)
ROTATED = START + timedelta(days=10)
DEACTIVATED = START + timedelta(days=20)


@dataclass(frozen=True)
class RotatedDid:
    """A did:webvh log: ``old`` signs from START, ``new`` replaces it at ROTATED."""

    did: str
    log: str
    old: KeyPair
    new: KeyPair

    @property
    def old_signer(self) -> Signer:
        return Signer(self.old, f"{self.did}#key-a")

    @property
    def new_signer(self) -> Signer:
        return Signer(self.new, f"{self.did}#key-b")

    def resolver(self) -> StaticResolver:
        return StaticResolver({}, fallback=DidKeyResolver(), logs={self.did: (self.log, None)})


def rotated_did(*, deactivate: bool = False, path: str = "issuer.example:cb") -> RotatedDid:
    update = KeyPair.generate(KeyType.ED25519)
    old, new = KeyPair.generate(KeyType.ED25519), KeyPair.generate(KeyType.ED25519)
    did, log = create_did(
        path, lambda d: did_document(d, [("key-a", old.public)]), update, now=START
    )
    log += next_entry(log, did_document(did, [("key-b", new.public)]), update, now=ROTATED)
    if deactivate:
        log += deactivate_entry(log, update, now=DEACTIVATED)
    return RotatedDid(did, log, old, new)


@pytest.fixture(scope="module")
def rotated() -> RotatedDid:
    return rotated_did()


@pytest.fixture(scope="module")
def deactivated() -> RotatedDid:
    return rotated_did(deactivate=True)


def test_the_current_key_needs_no_history(rotated: RotatedDid) -> None:
    method = resolve_verification_method(
        rotated.resolver(), f"{rotated.did}#key-b", "assertionMethod", at=ROTATED
    )
    assert method.note is None


def test_a_rotated_key_verifies_as_of_the_proof_time_with_a_note(rotated: RotatedDid) -> None:
    method = resolve_verification_method(
        rotated.resolver(), f"{rotated.did}#key-a", "assertionMethod", at=START + timedelta(days=1)
    )
    assert method.public_key == rotated.old.public
    assert method.controller == rotated.did
    assert method.note is not None
    assert "version 1" in method.note
    assert "rotated out by version 2" in method.note
    assert "2025-01-11T00:00:00Z" in method.note


@pytest.mark.parametrize(
    ("at", "named"),
    [
        (None, "not found"),  # no proof time: the current document alone, as for any DID
        (ROTATED + timedelta(seconds=1), "version 2"),  # signed after the rotation
        (START - timedelta(days=1), "before"),  # signed before the DID existed
    ],
)
def test_a_rotated_key_fails_outside_its_time(
    rotated: RotatedDid, at: datetime | None, named: str
) -> None:
    with pytest.raises(VerificationMethodError, match=named):
        resolve_verification_method(
            rotated.resolver(), f"{rotated.did}#key-a", "assertionMethod", at=at
        )


def test_a_deactivated_did_verifies_only_what_was_signed_before(deactivated: RotatedDid) -> None:
    resolver = deactivated.resolver()
    assert "assertionMethod" not in resolver.resolve(deactivated.did)
    before = DEACTIVATED - timedelta(days=1)
    method = resolve_verification_method(
        resolver, f"{deactivated.did}#key-b", "assertionMethod", at=before
    )
    assert method.note is not None
    assert "deactivated since" in method.note
    with pytest.raises(VerificationMethodError, match="deactivated"):
        resolve_verification_method(
            resolver, f"{deactivated.did}#key-b", "assertionMethod", at=DEACTIVATED
        )


def test_a_version_query_selects_that_version(rotated: RotatedDid) -> None:
    history = rotated.resolver().history(rotated.did)
    assert history is not None
    first = history.versions[0].version_id
    pinned = f"{rotated.did}?versionId={first}#key-a"
    signed = ROTATED - timedelta(days=1)
    method = resolve_verification_method(rotated.resolver(), pinned, "assertionMethod", at=signed)
    assert method.id == pinned
    assert method.public_key == rotated.old.public
    assert method.note is not None
    by_time = f"{rotated.did}?versionTime=2025-01-05T00:00:00Z#key-a"
    found = resolve_verification_method(rotated.resolver(), by_time, "assertionMethod", at=signed)
    assert found.note
    # A proof that does not say when it was made is judged now: the old key is not in force.
    with pytest.raises(VerificationMethodError, match="version 2"):
        resolve_verification_method(rotated.resolver(), pinned, "assertionMethod")
    # Pinning the old version does not let the old key sign after it was rotated out.
    with pytest.raises(VerificationMethodError, match="version 2"):
        resolve_verification_method(
            rotated.resolver(), pinned, "assertionMethod", at=ROTATED + timedelta(days=1)
        )
    with pytest.raises(VerificationMethodError, match="has no versionId"):
        resolve_verification_method(
            rotated.resolver(), f"{rotated.did}?versionId=9-nope#key-a", "assertionMethod"
        )
    with pytest.raises(VerificationMethodError, match="exactly one"):
        resolve_verification_method(
            rotated.resolver(), f"{rotated.did}?service=x#key-a", "assertionMethod"
        )


def test_a_version_query_needs_a_did_with_history() -> None:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    did, fragment = signer.verification_method.split("#")
    with pytest.raises(ResolutionError, match="no verified history"):
        resolve_verification_method(
            DidKeyResolver(), f"{did}?versionId=1-x#{fragment}", "assertionMethod"
        )


def test_a_broken_log_is_refused_when_its_did_is_asked_for(rotated: RotatedDid) -> None:
    broken = rotated.log.replace("key-b", "key-c", 1)
    resolver = StaticResolver({}, logs={rotated.did: (broken, None)})
    with pytest.raises(DidLogError):
        resolver.resolve(rotated.did)


class _Local:
    """A service's own DIDs: the rotated DID's log is hosted here."""

    def __init__(self, rotated: RotatedDid) -> None:
        self.rotated = rotated

    def did_document(self, did: str) -> dict[str, Any] | None:
        return self.rotated.resolver().resolve(did) if did == self.rotated.did else None

    def did_log(self, did: str) -> tuple[str, str | None] | None:
        return (self.rotated.log, None) if did == self.rotated.did else None

    def status_list(self, url: str) -> Any | None:
        return None


def test_history_passes_through_the_composed_resolvers(rotated: RotatedDid) -> None:
    multi = MultiResolver({"key": DidKeyResolver(), "webvh": rotated.resolver()})
    assert multi.history(rotated.did) is not None
    assert multi.history(Signer.did_key(rotated.old).controller) is None
    with httpx.Client() as client:
        wiring = verifiers.online(client, local=_Local(rotated), resolver=DidKeyResolver())
        local = history_of(wiring.resolver, rotated.did)
        assert local is not None
        assert len(local.versions) == 2
        assert history_of(wiring.resolver, Signer.did_key(rotated.old).controller) is None
