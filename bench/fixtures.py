"""What the benchmark signs and verifies: a small attestation and three UNTP 0.7.0 samples.

The UNTP samples are the ones vendored for the tests (``tests/fixtures/untp``, with their
provenance and licence in its ``SOURCES.md``). Their issuer is
replaced by the benchmark's signer (keeping its name and other fields), since a credential can
only be issued by the controller of the signing key.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcservice.dids import did_key_for
from vcservice.keys import KeyPair, KeyType, Signer

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
UNTP_SAMPLES = FIXTURES / "untp" / "untp-0.7.0-prerelease-2026-04-03" / "samples"

#: The verification time: inside every sample's validity window.
AT = datetime(2026, 1, 1, tzinfo=UTC)
#: The issuing clock (Data Integrity ``created``).
CLOCK = datetime(2025, 12, 1, tzinfo=UTC)

UNTP_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
]


@dataclass(frozen=True)
class Sample:
    """One credential to benchmark: ``key`` for the JSON, ``label`` for the table."""

    key: str
    label: str
    credential: dict[str, Any]

    def issued_by(self, signer: Signer) -> dict[str, Any]:
        """The credential with ``signer``'s controller as its issuer."""
        document = copy.deepcopy(self.credential)
        issuer = document.get("issuer")
        if isinstance(issuer, dict):
            issuer["id"] = signer.controller
        else:
            document["issuer"] = signer.controller
        return document


def small_attestation() -> dict[str, Any]:
    """A small UNTP conformity credential (13 quads): the per-credential floor."""
    return {
        "@context": list(UNTP_CONTEXT),
        "type": ["DigitalConformityCredential", "VerifiableCredential"],
        "id": "urn:uuid:0b6f7a8e-2f7c-4c1e-9a3d-5e6f7a8b9c0d",
        "issuer": {"type": ["CredentialIssuer"], "id": "did:example:issuer", "name": "Certifier"},
        "validFrom": "2025-06-01T00:00:00Z",
        "validUntil": "2027-06-01T00:00:00Z",
        "credentialSubject": {
            "type": ["ConformityAttestation"],
            "id": "https://certifier.example/attestations/42",
            "name": "Carbon footprint attestation",
            "assessorLevel": "3rdParty",
            "assessmentLevel": "accreditationBody",
            "attestationType": "certification",
        },
    }


def plain_credential() -> dict[str, Any]:
    """A minimal VC 2.0 credential without the UNTP context (credentials v2 + examples v2):
    shows what the large UNTP context costs a JSON-LD processor (Digital Bazaar's especially)."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleMaterialCredential"],
        "id": "urn:uuid:7f0d1b8e-1c2a-4b8e-9a51-2f3b4c5d6e7f",
        "issuer": "did:example:issuer",
        "validFrom": "2025-06-01T00:00:00Z",
        "validUntil": "2027-06-01T00:00:00Z",
        "credentialSubject": {"id": "urn:uuid:3f1e7c2a-5b6d-4e8f-9a0b-1c2d3e4f5a6b", "grade": "A"},
    }


_UNTP_FILES = (
    ("dpp", "UNTP battery DPP", "dpp/DigitalProductPassport_battery_instance.json"),
    ("dcc", "UNTP smelter DCC", "dcc/ConformityCredential_smelter_instance.json"),
    ("dte", "UNTP smelter make DTE", "dte/DigitalTraceabilityEvent_smelter_make_instance.json"),
)


def samples(samples_dir: Path = UNTP_SAMPLES) -> list[Sample]:
    """The small attestation, the UNTP samples (battery DPP, smelter DCC, make DTE) and a
    minimal VC 2.0 credential without the UNTP context."""
    found = [Sample("small", "small attestation", small_attestation())]
    for key, label, relative in _UNTP_FILES:
        path = samples_dir / relative
        found.append(Sample(key, label, json.loads(path.read_text(encoding="utf-8"))))
    found.append(Sample("plain", "minimal VC 2.0 (no UNTP context)", plain_credential()))
    return found


def signer(key_type: KeyType, label: str = "bench") -> Signer:
    """A did:key signer with a fixed key (the same on every run)."""
    secret = hashlib.sha256(f"vcservice bench {label} {key_type.value}".encode()).digest()
    if key_type not in (KeyType.ED25519, KeyType.P256):
        raise ValueError(f"the benchmark signs with Ed25519 and P-256 only, not {key_type}")
    key = KeyPair.from_secret(key_type, secret)
    did = did_key_for(key.public)
    return Signer(key, f"{did}#{key.public.multibase}")
