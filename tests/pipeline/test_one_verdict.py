"""One credential, one verdict: the API, the CLI, the page and a one-node graph agree (issue 13).

Why bullet "An unchecked status passes": the CLI built its verifier without a status fetcher,
so a revoked credential was "verified … warning status.unchecked" (exit 0) on the command line
and 422 ``status.revocation`` on the API. Here every surface must say the same thing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from tests.surfaces import Seen, Surfaces, open_surfaces

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f", "grade": "A"},
}
FORMATS = ("vc+jwt", "eddsa-rdfc-2022")


@pytest.fixture(scope="module", params=["web", "key"])
def surfaces(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Surfaces]:
    """A tenant with a did:web (resolved over loopback by the CLI) or a did:key."""
    with open_surfaces(tmp_path_factory.mktemp("surfaces"), did_method=request.param) as opened:
        yield opened


def _issue(surfaces: Surfaces, fmt: str, name: str) -> tuple[str, Any]:
    cid = f"urn:example:{name}-{fmt}"
    options = {"format": fmt, "credentialStatus": {"statusPurpose": "revocation"}}
    return cid, surfaces.issue({**CREDENTIAL, "id": cid}, options)


def _tamper(secured: Any) -> Any:
    if isinstance(secured, dict) and "proof" in secured:
        changed = copy.deepcopy(secured)
        changed["credentialSubject"]["grade"] = "B"
        return changed
    envelope = copy.deepcopy(secured)  # an EnvelopedVerifiableCredential: flip the signature
    head, _, signature = envelope["id"].rpartition(".")
    envelope["id"] = f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    return envelope


def _agree(seen: dict[str, Seen]) -> Seen:
    first = seen["api"]
    assert all(s == first for s in seen.values()), seen
    return first


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_credential_verifies_everywhere(surfaces: Surfaces, fmt: str) -> None:
    _, secured = _issue(surfaces, fmt, "valid")
    assert _agree(surfaces.verdicts(secured)) == Seen("verified", frozenset(), frozenset())


@pytest.mark.parametrize("fmt", FORMATS)
def test_revoked_credential_fails_everywhere(surfaces: Surfaces, fmt: str) -> None:
    """Why: "An unchecked status passes" (the CLI said verified, exit 0)."""
    cid, secured = _issue(surfaces, fmt, "revoked")
    surfaces.set_status(cid, "revocation", True)
    revoked = Seen("failed", frozenset({"status.revocation"}), frozenset())
    assert surfaces.cli(secured) == revoked  # was "verified", exit 0
    assert _agree(surfaces.verdicts(secured)) == revoked


@pytest.mark.parametrize("fmt", FORMATS)
def test_tampered_credential_fails_everywhere(surfaces: Surfaces, fmt: str) -> None:
    _, secured = _issue(surfaces, fmt, "tampered")
    verdict = _agree(surfaces.verdicts(_tamper(secured)))
    assert verdict.verdict == "failed"
    assert verdict.failed & {"proof.signature", "jose.signature"}, verdict
