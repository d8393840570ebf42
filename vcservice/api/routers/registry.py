"""The federated credit registry over HTTP (docs/ledger.md, "Federation").

SCRAPI-style registration (``POST /registry/entries``: a COSE signed statement in, a COSE
Receipt out), receipts by registration digest, C2SP-style witnessing (``POST
/registry/witness``) and the discovery document. Every endpoint is public: a registration is
authorized by its signature (the holder's DID), a witness request by the log's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from vcservice.api.models import (
    EquivocationModel,
    WitnessCosignature,
    WitnessedLogModel,
    WitnessRequest,
    WitnessState,
)
from vcservice.errors import NotFoundError
from vcservice.http.deps import ServiceDep
from vcservice.http.problems import problem_responses
from vcservice.http.scheduling import run_registry
from vcservice.registry import read_receipt
from vcservice.service.registry import COSE

router = APIRouter(tags=["registry"])
_COSE_BODY = {"content": {COSE: {"schema": {"type": "string", "format": "binary"}}}}


@router.get(
    "/.well-known/transparency-configuration",
    summary="How to register debits here and ask this registry to witness (SCRAPI discovery)",
    responses=problem_responses(503),
)
async def configuration(service: ServiceDep) -> dict[str, object]:
    return await run_in_threadpool(service.registry_configuration)


@router.post(
    "/registry/entries",
    summary="Register debits of credits homed here (a COSE signed statement); the receipt",
    status_code=201,
    response_class=Response,
    openapi_extra={"requestBody": {"required": True, **_COSE_BODY}},
    responses={
        201: {"description": "Registered: the receipt (COSE Receipt)", **_COSE_BODY},
        200: {"description": "Registered before: the same receipt", **_COSE_BODY},
        **problem_responses(
            400,
            409,
            413,
            415,
            503,
            described={
                400: "Not a signed statement of this registry, or not signed by the drawer",
                409: "Refused by the ledger: not the holder, insufficient credit, not homed "
                "here, or the credential registered other debits before",
            },
        ),
        502: {"description": "The drawer's DID could not be resolved"},
    },
)
async def register(request: Request, service: ServiceDep) -> Response:
    body = await request.body()
    receipt, created = await run_registry(service, "registry", service.register, body)
    home = service.registry_configuration()["registrationEndpoint"]
    digest = _digest_of(receipt)
    headers = {"Location": f"{home}/{digest}"} if digest else None
    return Response(receipt, status_code=201 if created else 200, media_type=COSE, headers=headers)


@router.get(
    "/registry/entries/{digest}",
    summary="The receipt of the registration naming a credential digest",
    response_class=Response,
    responses={
        200: {"description": "The receipt (COSE Receipt)", **_COSE_BODY},
        **problem_responses(404, 422, 503),
    },
)
async def receipt(
    service: ServiceDep,
    digest: Annotated[str, Path(min_length=1, max_length=256, pattern="^[1-9A-HJ-NP-Za-km-z]+$")],
) -> Response:
    found = await run_in_threadpool(service.registry_receipt, digest)
    if found is None:
        raise NotFoundError("no registration names that credential digest here")
    return Response(found, media_type=COSE)


@router.post(
    "/registry/witness",
    summary="Cosign another registry's checkpoint (C2SP tlog-witness add-checkpoint)",
    response_model=WitnessCosignature,
    responses={
        **problem_responses(
            400,
            409,
            422,
            503,
            described={
                400: "A malformed or wrongly signed checkpoint, or an unusable proof",
                409: "registry.witness-stale (knownSize says what this witness saw) or "
                "registry.equivocation (the log signed a checkpoint that cannot extend the "
                "last one cosigned here; kept as evidence)",
            },
        ),
        502: {"description": "The log's DID could not be resolved"},
    },
)
async def witness(body: WitnessRequest, service: ServiceDep) -> WitnessCosignature:
    proof = [bytes.fromhex(h) for h in body.consistency]
    cosignature = await run_registry(
        service, "witness", service.witness, body.old, proof, body.checkpoint
    )
    return WitnessCosignature(cosignature=cosignature)


@router.get(
    "/registry/witness",
    summary="What this witness has cosigned, and the equivocations it caught",
    response_model=WitnessState,
    responses=problem_responses(503),
)
async def witnessed(service: ServiceDep) -> WitnessState:
    logs, equivocations = await run_in_threadpool(service.witnessed)
    return WitnessState(
        witness=service.service_did,
        logs=[
            WitnessedLogModel(
                log=w.log, count=w.count, rootHash=w.root_hash, checkpoint=w.checkpoint
            )
            for w in logs
        ],
        equivocations=[
            EquivocationModel(log=e.log, first=e.first, second=e.second, detail=e.detail)
            for e in equivocations
        ],
    )


def _digest_of(receipt: bytes) -> str | None:
    """The credential digest the receipt's entries name (for ``Location``)."""
    entries = read_receipt(receipt).entries
    digest = entries[0].content.get("credentialDigest") if entries else None
    return digest if isinstance(digest, str) else None
