"""Public documents: status lists and tenant DID documents (cacheable)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcservice.api.deps import ServiceDep
from vcservice.store import NotFoundError

router = APIRouter(tags=["public"])


@router.get(
    "/status-lists/{list_id}",
    summary="A signed BitstringStatusListCredential",
    responses={304: {"description": "Not modified"}, 404: {"description": "No such list"}},
)
async def status_list(list_id: str, request: Request, service: ServiceDep) -> Response:
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
    responses={404: {"description": "No such tenant"}},
)
async def did_document(name: str, service: ServiceDep) -> JSONResponse:
    document = await run_in_threadpool(service.did_document, name)
    if document is None:
        raise NotFoundError(f"no tenant {name}")
    return JSONResponse(
        document,
        media_type="application/did+json",
        headers={"Cache-Control": "public, max-age=300"},
    )
