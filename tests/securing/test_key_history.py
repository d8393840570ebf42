"""A credential signed by a key its did:webvh issuer has since rotated out: it still verifies,
as of when it says it was signed, with the warning ``proof.key-history``; one signed by that
key after the rotation does not. Data Integrity and vc+jwt alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.dids.test_history_methods import ROTATED, START, RotatedDid, rotated_did
from vcservice import checks
from vcservice.jsonld import bundled_loader
from vcservice.report import VerificationReport
from vcservice.securing import add_proof
from vcservice.securing.jose import issue_vc_jwt, sign_jwt
from vcservice.status import MapStatusListFetcher
from vcservice.verifiers import Wiring

SIGNED = START + timedelta(days=2)
LATE = ROTATED + timedelta(days=1)


@pytest.fixture(scope="module")
def rotated() -> RotatedDid:
    return rotated_did()


def _credential(issuer: str, valid_from: datetime) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": _stamp(valid_from),
        "credentialSubject": {"id": "urn:uuid:6f1c2b4a-0d3e-4f5a-9b8c-7d6e5f4a3b2c"},
    }


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _verify(rotated: RotatedDid, secured: Any) -> VerificationReport:
    wiring = Wiring(rotated.resolver(), MapStatusListFetcher({}))
    return wiring.verifier().verify_credential(secured, at=datetime.now(UTC))


def _ids(checks_: list[Any]) -> list[str]:
    return [c.id for c in checks_]


def _data_integrity(rotated: RotatedDid, created: datetime) -> dict[str, Any]:
    return add_proof(
        _credential(rotated.did, START),
        "eddsa-jcs-2022",
        rotated.old_signer,
        loader=bundled_loader(),
        created=_stamp(created),
    )


def test_data_integrity_signed_before_the_rotation_verifies_with_a_warning(
    rotated: RotatedDid,
) -> None:
    report = _verify(rotated, _data_integrity(rotated, SIGNED))
    assert report.verified, report.to_dict()
    assert _ids(report.warnings) == [checks.PROOF_KEY_HISTORY]
    problem = report.warnings[0].problem
    assert problem is not None
    assert "rotated out by version 2" in problem.detail


def test_data_integrity_signed_after_the_rotation_fails(rotated: RotatedDid) -> None:
    report = _verify(rotated, _data_integrity(rotated, LATE))
    assert not report.verified
    assert checks.PROOF_VERIFICATION_METHOD in _ids(report.errors)


def test_vc_jwt_dated_by_valid_from_or_iat(rotated: RotatedDid) -> None:
    by_valid_from = issue_vc_jwt(_credential(rotated.did, SIGNED), rotated.old_signer)
    report = _verify(rotated, by_valid_from)
    assert report.verified, report.to_dict()
    assert _ids(report.warnings) == [checks.PROOF_KEY_HISTORY]

    late = sign_jwt(
        {**_credential(rotated.did, START), "iat": int(LATE.timestamp())}, rotated.old_signer
    )
    report = _verify(rotated, late)
    assert not report.verified
    assert checks.PROOF_VERIFICATION_METHOD in _ids(report.errors)
    assert checks.PROOF_KEY_HISTORY not in _ids(report.warnings)
