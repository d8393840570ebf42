"""Real list credentials, signed with eddsa-rdfc-2022 or as vc+jwt, verified by the pipeline."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from vcservice.dids import DidKeyResolver
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, Signer
from vcservice.report import Outcome, VerificationReport
from vcservice.securing.dataintegrity import add_proof
from vcservice.securing.jose import issue_vc_jwt
from vcservice.status import (
    HttpStatusListFetcher,
    MapStatusListFetcher,
    StatusListFetcher,
    check_status,
    encode_list,
    status_entry,
    status_list_credential,
)
from vcservice.verify import Verifier

from .conftest import LIST_URL, bits_with

LOADER = bundled_loader()
NOW = datetime(2026, 6, 1, tzinfo=UTC)
SUSPENSION_URL = "https://status.example/lists/2"


@pytest.fixture(scope="module")
def issuer() -> Signer:
    return Signer.did_key(KeyPair.generate("ed25519"))


def verifier() -> Verifier:
    return Verifier(resolver=DidKeyResolver(), loader=LOADER, clock=lambda: NOW)


def verify_list(value: Any) -> tuple[VerificationReport, dict[str, Any] | None]:
    """What the pipeline passes to check_status: the whole pipeline on the list credential."""
    report = verifier().verify_credential(value)
    return report, report.document


def signed_list(
    signer: Signer, *revoked: int, url: str = LIST_URL, purpose: str = "revocation", **extra: Any
) -> dict[str, Any]:
    unsigned = status_list_credential(
        url, signer.controller, purpose, bits_with(*revoked), valid_from="2026-01-01T00:00:00Z"
    )
    unsigned.update(extra)
    return add_proof(unsigned, "eddsa-rdfc-2022", signer, loader=LOADER)


def credential(signer: Signer, *entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b9e6c0e-8d7e-4c1b-9a3e-1f2d3c4b5a69",
        "type": ["VerifiableCredential"],
        "issuer": signer.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
        "credentialStatus": entries[0] if len(entries) == 1 else list(entries),
    }


def run(cred: dict[str, Any], fetcher: StatusListFetcher) -> list[tuple[str, Outcome]]:
    report = check_status(cred, fetcher=fetcher, verify_list=verify_list)
    return [(c.id, c.outcome) for c in report.checks]


def test_signed_lists_revoke_and_suspend(issuer: Signer) -> None:
    lists = {
        LIST_URL: signed_list(issuer, 7),
        SUSPENSION_URL: signed_list(issuer, 8, url=SUSPENSION_URL, purpose="suspension"),
    }
    cred = credential(
        issuer,
        status_entry(LIST_URL, 7, "revocation"),
        status_entry(LIST_URL, 8, "revocation"),
        status_entry(SUSPENSION_URL, 7, "suspension"),
        status_entry(SUSPENSION_URL, 8, "suspension"),
    )
    assert run(cred, MapStatusListFetcher(lists)) == [
        ("status.revocation", Outcome.FAILED),
        ("status.revocation", Outcome.PASSED),
        ("status.suspension", Outcome.PASSED),
        ("status.suspension", Outcome.FAILED),
    ]


def test_list_changed_after_signing_is_indeterminate(issuer: Signer) -> None:
    """Someone clears the revoked bit on the server: the proof breaks, the status is unknown."""
    tampered = signed_list(issuer, 7)
    tampered["credentialSubject"]["encodedList"] = encode_list(bits_with())
    cred = credential(issuer, status_entry(LIST_URL, 7, "revocation"))
    report = check_status(
        cred, fetcher=MapStatusListFetcher({LIST_URL: tampered}), verify_list=verify_list
    )
    assert [(c.id, c.outcome) for c in report.checks] == [
        ("status.revocation", Outcome.INDETERMINATE)
    ]
    problem = report.checks[0].problem
    assert problem is not None
    assert "proof.signature failed" in problem.detail


def test_list_signed_with_a_key_its_issuer_does_not_control(issuer: Signer) -> None:
    impostor = Signer.did_key(KeyPair.generate("ed25519"))
    unsigned = status_list_credential(LIST_URL, issuer.controller, "revocation", bits_with())
    forged = add_proof(unsigned, "eddsa-rdfc-2022", impostor, loader=LOADER)
    cred = credential(issuer, status_entry(LIST_URL, 7, "revocation"))
    assert run(cred, MapStatusListFetcher({LIST_URL: forged})) == [
        ("status.revocation", Outcome.INDETERMINATE)
    ]


def test_genuine_list_of_another_issuer_fails(issuer: Signer) -> None:
    other = Signer.did_key(KeyPair.generate("ed25519"))
    cred = credential(issuer, status_entry(LIST_URL, 7, "revocation"))
    assert run(cred, MapStatusListFetcher({LIST_URL: signed_list(other)})) == [
        ("status.list-issuer", Outcome.FAILED)
    ]


def test_expired_list_is_indeterminate(issuer: Signer) -> None:
    expired = signed_list(issuer, validUntil="2026-02-01T00:00:00Z")
    cred = credential(issuer, status_entry(LIST_URL, 7, "revocation"))
    assert run(cred, MapStatusListFetcher({LIST_URL: expired})) == [
        ("status.revocation", Outcome.INDETERMINATE)
    ]


def _served(body: Callable[[], tuple[bytes, str]]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        content, media_type = body()
        return httpx.Response(200, content=content, headers={"Content-Type": media_type})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_vc_jwt_list_over_https(issuer: Signer) -> None:
    unsigned = status_list_credential(LIST_URL, issuer.controller, "revocation", bits_with(7))
    token = issue_vc_jwt(unsigned, issuer)
    with _served(lambda: (token.encode(), "application/vc+jwt")) as client:
        fetcher = HttpStatusListFetcher(client)
        cred = credential(
            issuer, status_entry(LIST_URL, 7, "revocation"), status_entry(LIST_URL, 6, "revocation")
        )
        assert run(cred, fetcher) == [
            ("status.revocation", Outcome.FAILED),
            ("status.revocation", Outcome.PASSED),
        ]


def test_data_integrity_list_over_https(issuer: Signer) -> None:
    import json

    document = signed_list(issuer, 6)
    with _served(lambda: (json.dumps(document).encode(), "application/vc")) as client:
        cred = credential(issuer, status_entry(LIST_URL, 6, "revocation"))
        assert run(cred, HttpStatusListFetcher(client)) == [("status.revocation", Outcome.FAILED)]


def test_through_the_verification_pipeline(issuer: Signer) -> None:
    """The status step inside Verifier.verify_credential, with a list fetcher configured."""
    lists = {LIST_URL: signed_list(issuer, 7)}
    pipeline = Verifier(
        resolver=DidKeyResolver(),
        loader=LOADER,
        clock=lambda: NOW,
        status=MapStatusListFetcher(lists),
    )
    revoked = add_proof(
        credential(issuer, status_entry(LIST_URL, 7, "revocation")),
        "eddsa-rdfc-2022",
        issuer,
        loader=LOADER,
    )
    report = pipeline.verify_credential(revoked)
    assert report.has_failed("status.revocation")
    assert not report.verified

    clear = add_proof(
        credential(issuer, status_entry(LIST_URL, 8, "revocation")),
        "eddsa-rdfc-2022",
        issuer,
        loader=LOADER,
    )
    report = pipeline.verify_credential(copy.deepcopy(clear))
    assert ("status.revocation", Outcome.PASSED) in [(c.id, c.outcome) for c in report.checks]
    assert report.verified
