"""Verifier endpoints (public unless configured otherwise)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from vcservice.api.models import (
    VerificationResult,
    VerifyCredentialRequest,
    VerifyPresentationRequest,
)
from vcservice.http.deps import OPTIONAL_AUTH, ServiceDep, VerifierAccess
from vcservice.http.problems import BODY_PROBLEMS, problem_responses
from vcservice.http.scheduling import run_verification
from vcservice.report import VerificationReport

TAG = "verifier"
router = APIRouter(tags=[TAG], dependencies=[VerifierAccess])
_PROBLEMS = problem_responses(
    *BODY_PROBLEMS,
    401,
    503,
    described={
        400: "Unusable input: not JSON, over a limit, or not a credential, presentation or "
        "envelope the verifier can read",
        401: "An API key that is not valid (or none, when the service requires one to verify)",
        422: "Not verified: the report says why (`application/json`); or a request that does "
        "not match the schema (`application/problem+json`)",
    },
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    **_PROBLEMS,
    200: {"model": VerificationResult, "description": "Verified"},
    422: {"model": VerificationResult, **_PROBLEMS[422]},
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
    openapi_extra=OPTIONAL_AUTH,
    summary="Verify a credential (Data Integrity, vc+jwt or an enveloped credential)",
)
async def verify_credential(body: VerifyCredentialRequest, service: ServiceDep) -> JSONResponse:
    report = await run_verification(service, body.verifiableCredential, service.verify_credential)
    return _respond(report)


@router.post(
    "/presentations/verify",
    responses=RESPONSES,
    response_model=VerificationResult,
    openapi_extra=OPTIONAL_AUTH,
    summary="Verify a presentation and the credentials it carries",
)
async def verify_presentation(body: VerifyPresentationRequest, service: ServiceDep) -> JSONResponse:
    report = await run_verification(
        service,
        body.verifiablePresentation,
        service.verify_presentation,
        challenge=body.options.challenge,
        domain=body.options.domain,
    )
    return _respond(report)
