"""Verifier endpoints (public unless configured otherwise)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcservice.api.deps import ServiceDep, VerifierAccess
from vcservice.api.models import (
    VerificationResult,
    VerifyCredentialRequest,
    VerifyPresentationRequest,
)
from vcservice.report import VerificationReport

router = APIRouter(tags=["verifier"], dependencies=[VerifierAccess])
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": VerificationResult, "description": "Verified"},
    400: {"description": "Unusable input (problem details)"},
    422: {"model": VerificationResult, "description": "Not verified: the report says why"},
}


def _respond(report: VerificationReport) -> JSONResponse:
    body = report.to_dict()
    body.pop("document", None)
    body["problemDetails"] = [c["problem"] for c in body["errors"] + body["warnings"]]
    return JSONResponse(body, status_code=200 if report.verified else 422)


@router.post(
    "/credentials/verify",
    responses=RESPONSES,
    response_model=VerificationResult,
    summary="Verify a credential (Data Integrity, vc+jwt or an enveloped credential)",
)
async def verify_credential(body: VerifyCredentialRequest, service: ServiceDep) -> JSONResponse:
    report = await run_in_threadpool(service.verify_credential, body.verifiableCredential)
    return _respond(report)


@router.post(
    "/presentations/verify",
    responses=RESPONSES,
    response_model=VerificationResult,
    summary="Verify a presentation and the credentials it carries",
)
async def verify_presentation(body: VerifyPresentationRequest, service: ServiceDep) -> JSONResponse:
    report = await run_in_threadpool(
        service.verify_presentation,
        body.verifiablePresentation,
        challenge=body.options.challenge,
        domain=body.options.domain,
    )
    return _respond(report)
