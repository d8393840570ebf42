"""Public documents: status lists, tenant DID documents and did:webvh logs (cacheable)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcservice.api.models import IDENTIFIER, DIDDocument, StatusListCredential
from vcservice.http.deps import ServiceDep
from vcservice.http.problems import problem_responses
from vcservice.store import NotFoundError

router = APIRouter(tags=["public"])
VC_JWT = "application/vc+jwt"

_CACHE_HEADERS = {
    "ETag": {"description": "Strong validator of this version", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}


#: A tenant's DID files change only when its keys do; five minutes keeps a rotation visible soon.
_DID_CACHE = {"Cache-Control": "public, max-age=300"}
#: What the did:webvh specification says the log is served as (v1.0, DID-to-HTTPS step 6).
DID_LOG = "text/jsonl"


class DIDJSONResponse(JSONResponse):
    media_type = "application/did+json"


@router.get(
    "/status-lists/{list_id}",
    summary="A signed BitstringStatusListCredential",
    response_model=None,
    responses={
        200: {
            "model": StatusListCredential,
            "description": "The list credential, re-signed whenever a status changed",
            "headers": _CACHE_HEADERS,
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **problem_responses(404, 422, 503, described={404: "No such status list"}),
    },
)
async def status_list(
    list_id: Annotated[str, Path(pattern=IDENTIFIER)], request: Request, service: ServiceDep
) -> Response:
    found = await run_in_threadpool(service.status_list_credential, list_id)
    if found is None:
        raise NotFoundError(f"no status list {list_id}")
    signed, etag = found
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return JSONResponse(signed, headers=headers)


@router.get(
    "/tenants/{name}/did.json",
    summary="A tenant's DID document (did:web)",
    response_class=DIDJSONResponse,
    response_model=None,
    responses={
        200: {"model": DIDDocument, "description": "The DID document"},
        **problem_responses(404, 422, 503, described={404: "No such tenant"}),
    },
)
async def did_document(
    name: Annotated[str, Path(pattern=IDENTIFIER)], service: ServiceDep
) -> DIDJSONResponse:
    document = await run_in_threadpool(service.did_document, name)
    if document is None:
        raise NotFoundError(f"no tenant {name}")
    return DIDJSONResponse(document, headers=_DID_CACHE)


@router.get(
    "/tenants/{name}/did.jsonl",
    summary="A did:webvh tenant's DID log",
    description="The verifiable history of the tenant's did:webvh: one JSON log entry per "
    "line, each signed by an authorised update key and chained by hash to the one before "
    "(did:webvh v1.0). `did.json` beside it is the parallel did:web of its current version.",
    response_class=Response,
    responses={
        200: {
            "description": "The log (JSON Lines)",
            "content": {DID_LOG: {"schema": {"type": "string"}}},
            "headers": {"Cache-Control": {"schema": {"type": "string"}}},
        },
        **problem_responses(
            404, 422, 503, described={404: "No such tenant, or not a did:webvh tenant"}
        ),
    },
)
async def did_log(name: Annotated[str, Path(pattern=IDENTIFIER)], service: ServiceDep) -> Response:
    found = await run_in_threadpool(service.did_log, name)
    if found is None or not found[0]:  # empty: no entry approved by its witnesses yet
        raise NotFoundError(f"no did:webvh tenant {name}, or none published yet")
    return Response(found[0], media_type=DID_LOG, headers=_DID_CACHE)


@router.get(
    "/tenants/{name}/did-witness.json",
    summary="A did:webvh tenant's witness proofs",
    description="The witnesses' approvals of the tenant's log entries (`did-witness.json` of "
    "did:webvh v1.0): a list of `{versionId, proof}`.",
    response_model=None,
    responses={
        200: {
            "description": "The witness proofs",
            "content": {"application/json": {"schema": {"type": "array"}}},
            "headers": {"Cache-Control": {"schema": {"type": "string"}}},
        },
        **problem_responses(
            404,
            422,
            503,
            described={404: "No such tenant, not a did:webvh tenant, or one without witnesses"},
        ),
    },
)
async def did_witness(
    name: Annotated[str, Path(pattern=IDENTIFIER)], service: ServiceDep
) -> Response:
    found = await run_in_threadpool(service.did_log, name)
    if found is None or found[1] is None:
        raise NotFoundError(f"no did:webvh tenant {name} with witnesses")
    return Response(found[1], media_type="application/json", headers=_DID_CACHE)


@router.get(
    "/tenants/{name}/credentials/{credential_id:path}",
    summary="A credential tenant `name` published (issued with `publish: true`)",
    description="Credential ids are unique per tenant, so this URL names one credential "
    "whatever other tenants publish; `GET /credentials/{id}` answers only when exactly one "
    "published credential has that id.",
    responses={
        200: {
            "description": "The credential as issued: a JSON document or a compact vc+jwt",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                VC_JWT: {"schema": {"type": "string"}},
            },
        },
        **problem_responses(
            404, 422, 503, described={404: "No such tenant, or no published credential"}
        ),
    },
)
async def published_credential(
    name: Annotated[str, Path(pattern=IDENTIFIER)],
    credential_id: Annotated[str, Path(max_length=2048, pattern=IDENTIFIER)],
    service: ServiceDep,
) -> Response:
    document = await run_in_threadpool(service.published_credential, name, credential_id)
    if isinstance(document, str):
        return Response(document, media_type=VC_JWT)
    return JSONResponse(document)
