"""Issuer endpoints (authenticated): issue, change status, retrieve, keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcservice.api.deps import OptionalTenantDep, ServiceDep, TenantDep
from vcservice.api.models import (
    AddKeyRequest,
    IssueRequest,
    IssueResponse,
    KeyResponse,
    StatusUpdateRequest,
)
from vcservice.dids import verification_method_id
from vcservice.keys import KeyType
from vcservice.service import FORMS

router = APIRouter(tags=["issuer"])
PROBLEM = {"model": None, "description": "Problem details (application/problem+json)"}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: PROBLEM,
    401: PROBLEM,
    403: PROBLEM,
    409: PROBLEM,
    413: PROBLEM,
    415: PROBLEM,
    422: PROBLEM,
}


@router.post(
    "/credentials/issue",
    status_code=201,
    response_model=IssueResponse,
    responses=ERRORS,
    summary="Issue a credential as the authenticated tenant",
)
async def issue(body: IssueRequest, tenant: TenantDep, service: ServiceDep) -> IssueResponse:
    options = body.options.model_dump(exclude_none=True)
    if body.options.credentialStatus is not None:
        status = body.options.credentialStatus
        options["credentialStatus"] = (
            [s.model_dump() for s in status] if isinstance(status, list) else status.model_dump()
        )
    secured = await run_in_threadpool(service.issue, tenant, body.credential, options)
    return IssueResponse(verifiableCredential=secured)


@router.post(
    "/credentials/status",
    responses=ERRORS | {404: PROBLEM},
    summary="Revoke, suspend or reinstate a credential this tenant issued",
)
async def update_status(
    body: StatusUpdateRequest, tenant: TenantDep, service: ServiceDep
) -> dict[str, Any]:
    updates = [entry.model_dump() for entry in body.credentialStatus]
    await run_in_threadpool(service.update_status, tenant, body.credentialId, updates)
    return {"credentialId": body.credentialId, "credentialStatus": updates}


@router.get(
    "/credentials",
    summary="List credentials this tenant issued (newest first)",
    responses={401: PROBLEM},
)
async def list_credentials(
    tenant: TenantDep,
    service: ServiceDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    records = await run_in_threadpool(
        service.store.credentials, tenant.id, limit=limit, offset=offset
    )
    return {
        "credentials": [
            {
                "id": r.id,
                "format": r.format,
                "published": r.published,
                "created": r.created_at.isoformat(),
            }
            for r in records
        ]
    }


@router.get(
    "/credentials/{credential_id:path}",
    responses={404: PROBLEM},
    summary="Retrieve a stored credential (its issuer always; anyone if published)",
)
async def get_credential(
    credential_id: str, tenant: OptionalTenantDep, service: ServiceDep
) -> Response:
    document = await run_in_threadpool(service.credential, credential_id, tenant)
    if isinstance(document, str):
        return Response(document, media_type="application/vc+jwt")
    return JSONResponse(document)


@router.get("/tenants/me/keys", summary="This tenant's signing keys", responses={401: PROBLEM})
async def list_keys(tenant: TenantDep, service: ServiceDep) -> list[KeyResponse]:
    return [_key(tenant.did, k) for k in service.store.keys(tenant.id)]


@router.post(
    "/tenants/me/keys",
    status_code=201,
    summary="Rotate: add a new active signing key; older keys are retired but keep verifying",
    responses={401: PROBLEM},
)
async def add_key(body: AddKeyRequest, tenant: TenantDep, service: ServiceDep) -> KeyResponse:
    record = await run_in_threadpool(service.store.add_key, tenant.id, KeyType(body.type))
    return _key(tenant.did, record)


@router.post(
    "/tenants/me/keys/{fragment}/retire",
    summary="Retire a signing key (it stays in the DID document for old credentials)",
    responses={401: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
async def retire_key(fragment: str, tenant: TenantDep, service: ServiceDep) -> KeyResponse:
    record = await run_in_threadpool(service.store.retire_key, tenant.id, fragment)
    return _key(tenant.did, record)


def _key(did: str, record: Any) -> KeyResponse:
    return KeyResponse(
        id=verification_method_id(did, record.fragment, "Multikey", forms=FORMS),
        type=record.key_type.value,
        active=record.active,
        publicKeyMultibase=record.public.multibase,
    )
