"""The signed-in tenant's identity and key history (authenticated): who it is, its key audit
trail, and the did:webvh operations that are not key rotations (deactivation, witness proofs).

Rotation and retirement stay under ``/tenants/me/keys`` (:mod:`.issuer`); what they change is
read back here, in the audit trail. The trail is served a page at a time with the hash before
the page, so a client can check each page alone and the whole trail by chaining the pages
(:func:`vcservice.keys.audit.first_break`).
"""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from vcservice.api.models import (
    DeactivateResponse,
    KeyEventModel,
    KeyEventsResponse,
    TenantResponse,
    WitnessProofRequest,
)
from vcservice.http.deps import ServiceDep, TenantDep
from vcservice.http.problems import BODY_PROBLEMS, problem_responses
from vcservice.keys.audit import KeyEventKind
from vcservice.ledger.entries import timestamp
from vcservice.store import KeyEvent

router = APIRouter(tags=["issuer"])

#: The most events one page of the trail may hold (a page is read and hashed in one request).
MAX_PAGE = 1000


@router.get(
    "/tenants/me",
    response_model=TenantResponse,
    summary="This tenant: its DID, DID method and key backend",
    responses=problem_responses(401, 503),
)
async def me(tenant: TenantDep) -> TenantResponse:
    return TenantResponse(
        name=tenant.name,
        did=tenant.did,
        didMethod=tenant.did_method,
        keyBackend=tenant.key_backend,
        didOptions=tenant.did_options,
    )


@router.get(
    "/tenants/me/key-events",
    response_model=KeyEventsResponse,
    summary="This tenant's key audit trail: key operations and signatures, hash-chained",
    description="Events with `seq` greater than `after`, oldest first, at most `limit`. Each "
    "`chainHash` is SHA-256 over the one before (`previousHash` for the first of the page) "
    "and the JCS of `{event, key, at, detail}`: recompute them to check the page, and carry "
    "the last one to the next page (`after` = its `seq`) to check the whole trail.",
    responses=problem_responses(401, 422, 503),
)
async def key_events(
    tenant: TenantDep,
    service: ServiceDep,
    after: int = Query(0, ge=0, le=2**62, description="Return events after this seq"),
    limit: int = Query(100, ge=1, le=MAX_PAGE),
) -> KeyEventsResponse:
    def load() -> tuple[list[KeyEvent], str, dict[str, int]]:
        events, previous = service.key_events(tenant, after=after, limit=limit)
        return events, previous, service.signature_counts(tenant)

    events, previous, counts = await run_in_threadpool(load)
    return KeyEventsResponse(
        events=[_event(e) for e in events], previousHash=previous, signatures=counts
    )


@router.post(
    "/tenants/me/did/deactivate",
    response_model=DeactivateResponse,
    summary="Deactivate this tenant's did:webvh (permanent): it can sign nothing more",
    description="A last log entry marks the DID deactivated and leaves no key that may update "
    "it; every key is retired. Credentials signed before keep verifying against the versions "
    "then in force.",
    responses=problem_responses(
        401,
        409,
        503,
        described={409: "The tenant's DID is not a did:webvh, or is already deactivated"},
    ),
)
async def deactivate(tenant: TenantDep, service: ServiceDep) -> DeactivateResponse:
    version = await run_in_threadpool(service.deactivate_did, tenant)
    return DeactivateResponse(did=tenant.did, versionId=version)


@router.post(
    "/tenants/me/did/witness-proofs",
    status_code=204,
    summary="Add a witness's approval of a version of this tenant's did:webvh log",
    description="Stored only if the log, with it, verifies: a proof by a DID that is not one "
    "of the log's witnesses, or over another version, is refused. Published in "
    "`/tenants/{name}/did-witness.json`.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        401,
        409,
        503,
        described={
            400: "Not a witness proof (no did:key `verificationMethod`)",
            409: "The tenant's DID has no witnesses",
            422: "The request does not match the schema, or the log does not verify with "
            "this proof (see the problem `type`)",
        },
    ),
)
async def add_witness_proof(
    body: WitnessProofRequest, tenant: TenantDep, service: ServiceDep
) -> Response:
    await run_in_threadpool(service.add_witness_proof, tenant, body.versionId, body.proof)
    return Response(status_code=204)


def _event(event: KeyEvent) -> KeyEventModel:
    return KeyEventModel(
        seq=event.seq,
        at=timestamp(event.at),
        event=cast(KeyEventKind, event.event),  # the store holds KEY_EVENT_KINDS only
        key=event.key,
        detail=event.detail,
        chainHash=event.chain_hash,
    )
