"""Small builders shared by the model tests."""

from __future__ import annotations

from typing import Any

from vcservice.report import Outcome, VerificationReport

V2 = "https://www.w3.org/ns/credentials/v2"


def credential(**extra: Any) -> dict[str, Any]:
    """A minimal valid credential; keyword arguments add or replace properties."""
    document: dict[str, Any] = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    document.update(extra)
    return document


def presentation(*credentials: Any, **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": [V2], "type": ["VerifiablePresentation"]}
    if credentials:
        document["verifiableCredential"] = list(credentials)
    document.update(extra)
    return document


def failures(report: VerificationReport) -> dict[str, list[str]]:
    """Failed check id → its problem details, in report order."""
    out: dict[str, list[str]] = {}
    for check in report.checks:
        if check.outcome is Outcome.FAILED:
            out.setdefault(check.id, []).append(check.problem.detail if check.problem else "")
    return out
