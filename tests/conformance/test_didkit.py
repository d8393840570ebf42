"""SpruceID didkit (an independent implementation) against our library, through the VC API.

The adapter (``conformance/adapters/didkit_adapter.py``) runs as its own process on a free
loopback port: didkit may abort the interpreter at exit, so it is never imported here.

* didkit issues VC 1.1 credentials (``Ed25519Signature2020`` and ``JsonWebSignature2020``, a
  did:key) and our :class:`~vcservice.verify.Verifier` verifies them, with the warnings
  ``datamodel.legacy-vc1`` and ``proof.legacy-suite``;
* a tampered copy fails in both verifiers;
* the other direction does not exist: our service signs VC 1.1 credentials only with
  ``DataIntegrityProof`` (it never issues the legacy suites), and didkit 0.3.3 cannot read
  ``DataIntegrityProof`` ("format not supported"); the test pins that didkit refuses it, so a
  future didkit that reads it shows up here;
* ``conformance.suites.interop`` runs with didkit and a vcservice process as implementations
  (the ``instances`` fixture of ``conftest.py``).

Skipped with a message when didkit is not installed (``pip install 'didkit>=0.3.3'``, in the
``test`` extra).
"""

from __future__ import annotations

import copy
import hashlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.config import parse_config
from conformance.context import SuiteContext
from conformance.model import Outcome
from conformance.suites import interop
from tests.conformance.conftest import Instance
from vcservice.dids import default_resolver, did_key_for
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.verify import Verifier

# Imported in a child process only: didkit can abort the interpreter that imported it at exit.
_PROBE = subprocess.run(
    [sys.executable, "-c", "import didkit"], capture_output=True, text=True, check=False
)
if _PROBE.returncode != 0:
    pytest.skip(
        "`import didkit` fails, so the didkit interop tests cannot run (install the test extra: "
        f"pip install 'didkit>=0.3.3'): {_PROBE.stderr.strip().splitlines()[-1:]}",
        allow_module_level=True,
    )

pytestmark = pytest.mark.network

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
LEGACY_WARNINGS = {"datamodel.legacy-vc1", "proof.legacy-suite"}
LEGACY_FORMATS = ["Ed25519Signature2020", "JsonWebSignature2020"]


def _credential() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            {"name": "https://schema.org/name", "Mineral": "https://example.org/vocab#Mineral"},
        ],
        "id": "urn:uuid:0b7c5b4e-3c1a-4d47-9f5e-6f1d2a9e8c31",
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:lot-42",
            "type": "Mineral",
            "name": "Spodumene concentrate, lot 42",
        },
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Adapter:
    def __init__(self, url: str, did: str) -> None:
        self.url = url
        self.did = did

    def issue(self, credential: dict[str, Any], **options: Any) -> httpx.Response:
        body = {"credential": credential, "options": options}
        return httpx.post(f"{self.url}/credentials/issue", json=body, timeout=30)

    def verify(self, credential: Any) -> httpx.Response:
        body = {"verifiableCredential": credential, "options": {}}
        return httpx.post(f"{self.url}/credentials/verify", json=body, timeout=30)


@pytest.fixture(scope="module")
def adapter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adapter]:
    directory = tmp_path_factory.mktemp("didkit")
    port = free_port()
    log = (directory / "adapter.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance.adapters.didkit_adapter",
            "--port",
            str(port),
            "--key-file",
            str(directory / "key.jwk"),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                log.flush()
                output = (directory / "adapter.log").read_text(errors="replace")
                pytest.fail(f"the didkit adapter exited with {process.returncode}:\n{output}")
            try:
                about = httpx.get(url + "/", timeout=2).json()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the didkit adapter did not answer on {url} in time")
                time.sleep(0.1)
        yield Adapter(url, about["did"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _ours() -> Verifier:
    return Verifier(resolver=default_resolver())


def _issued(adapter: Adapter, proof_type: str) -> dict[str, Any]:
    response = adapter.issue(_credential(), type=proof_type)
    assert response.status_code == 201, response.text
    credential: dict[str, Any] = response.json()["verifiableCredential"]
    assert credential["proof"]["type"] == proof_type
    assert credential["issuer"] == adapter.did
    return credential


@pytest.mark.parametrize("proof_type", ["Ed25519Signature2020", "JsonWebSignature2020"])
def test_didkit_issues_and_our_verifier_accepts_with_legacy_warnings(
    adapter: Adapter, proof_type: str
) -> None:
    credential = _issued(adapter, proof_type)
    report = _ours().verify_credential(credential)
    assert report.verified, [c.to_dict() for c in report.errors]
    assert {w.id for w in report.warnings} == LEGACY_WARNINGS
    # and didkit agrees with itself
    answer = adapter.verify(credential)
    assert answer.status_code == 200, answer.text
    assert answer.json()["verified"] is True


@pytest.mark.parametrize("proof_type", ["Ed25519Signature2020", "JsonWebSignature2020"])
@pytest.mark.parametrize(
    "tamper",
    ["claim", "issuance-date", "proof-created"],
)
def test_a_tampered_didkit_credential_fails_in_both_verifiers(
    adapter: Adapter, proof_type: str, tamper: str
) -> None:
    credential = copy.deepcopy(_issued(adapter, proof_type))
    if tamper == "claim":
        credential["credentialSubject"]["name"] = "Spodumene concentrate, lot 43"
    elif tamper == "issuance-date":
        credential["issuanceDate"] = "2025-01-01T00:00:00Z"
    else:
        credential["proof"]["created"] = "2020-01-01T00:00:00Z"
    ours = _ours().verify_credential(credential)
    assert not ours.verified
    assert ours.has_failed("proof.signature"), [c.to_dict() for c in ours.errors]
    answer = adapter.verify(credential)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["verified"] is False
    assert body["errors"]


def test_didkit_cannot_read_what_our_service_issues_format_not_supported(
    adapter: Adapter,
) -> None:
    """Our VC 1.1 issuance uses DataIntegrityProof (eddsa-rdfc-2022); didkit 0.3.3 cannot
    read it. Pinned so that a didkit that can shows up as a failure to update this test."""
    key = KeyPair.from_secret(KeyType.ED25519, hashlib.sha256(b"didkit-interop").digest())
    signer = Signer(key, f"{did_key_for(key.public)}#{key.public.multibase}")
    ours = issue_credential(
        _credential(),
        signer,
        "eddsa-rdfc-2022",
        loader=bundled_loader(),
        clock=lambda: datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert _ours().verify_credential(ours).verified
    answer = adapter.verify(ours)
    assert answer.status_code in (400, 422), answer.text
    body = answer.json()
    assert body["verified"] is False
    assert "format not supported" in body["errors"][0]


def test_the_adapter_refuses_a_proof_type_didkit_cannot_issue_here(adapter: Adapter) -> None:
    response = adapter.issue(_credential(), type="eddsa-rdfc-2022")
    assert response.status_code == 400
    assert "not supported" in response.json()["errors"][0]


# --- the interop matrix with didkit as one implementation ------------------------------------


def test_interop_matrix_with_didkit_and_vcservice(
    adapter: Adapter, instances: tuple[Instance, Instance]
) -> None:
    """``conformance.suites.interop`` with didkit (VC 1.1, legacy suites) and vcservice-a.

    didkit's credentials, valid and tampered, are judged correctly by our service's verifier;
    our DataIntegrityProof credentials are skipped for didkit's verifier, which declares only
    the legacy suites ("format not supported by verifier").
    """
    ours = instances[0].entry(status=False)
    ours["verifier"]["formats"] = [*ours["verifier"]["formats"], *LEGACY_FORMATS]
    didkit_entry = {
        "name": "didkit",
        "data_model": "1.1",
        "issuer": {
            "endpoint": f"{adapter.url}/credentials/issue",
            "did": adapter.did,
            "formats": list(LEGACY_FORMATS),
        },
        "verifier": {"endpoint": f"{adapter.url}/credentials/verify", "formats": LEGACY_FORMATS},
    }
    config = parse_config(
        {"implementation": [didkit_entry, ours], "settings": {"timeout": 30}}, environ={}
    )
    with httpx.Client(timeout=30) as http:
        results = list(interop.run(SuiteContext(config, config.implementations, http)))

    by_cell = {(r.issuer, r.verifier, r.check): r for r in results}
    for fmt in LEGACY_FORMATS:
        for verifier in ("didkit", ours["name"]):
            for case in ("valid", "tampered-claim", "tampered-issuer", "tampered-signature"):
                cell = by_cell[("didkit", verifier, f"interop.{fmt}.{case}")]
                assert cell.outcome is Outcome.PASSED, (cell.check, verifier, cell.detail)
    from_ours = [r for r in results if r.issuer == ours["name"] and r.verifier == "didkit"]
    assert from_ours
    assert all(r.outcome is Outcome.SKIPPED for r in from_ours)
    assert all("format not supported" in r.detail for r in from_ours)
