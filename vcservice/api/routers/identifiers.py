"""DID resolution over HTTP: ``GET /1.0/identifiers/{did}``, the path of the DID Resolution
HTTP(S) binding (as the Universal Resolver serves it).

It answers through the service's own resolver, so what a caller sees is what a verification
here would use: the service's tenants from its database, did:key and did:jwk computed, did:web
and did:webvh through the bounded fetcher, a did:webvh log verified in full. Public, like the
DID documents the service hosts: resolution reveals nothing a DID's host does not publish.

The DID is read from the raw request path, not the decoded one: a did:webvh or did:web with a
port is spelled ``example.com%3A8443``, and decoding it would make it another DID. A client
that percent-encoded the whole DID (``did%3Aweb%3A...``) is understood too.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcservice.dids._base import resolution_result
from vcservice.http.deps import ServiceDep
from vcservice.http.problems import problem_responses

router = APIRouter(tags=["identifiers"])
PREFIX = "/1.0/identifiers/"
#: The DID Resolution media type for a resolution result.
DID_RESOLUTION = "application/did-resolution"


class DIDResolutionResponse(JSONResponse):
    media_type = DID_RESOLUTION


_RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["didDocument", "didResolutionMetadata", "didDocumentMetadata"],
    "properties": {
        "didDocument": {"type": "object"},
        "didResolutionMetadata": {"type": "object"},
        "didDocumentMetadata": {"type": "object"},
    },
}


def _did_of(request: Request, decoded: str) -> str:
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    did = raw[len(PREFIX) :] if raw.startswith(PREFIX) else decoded
    return unquote(did) if did.lower().startswith("did%3a") else did


@router.get(
    PREFIX + "{did}",
    summary="Resolve a DID: its document and metadata (did:webvh: any version, verified)",
    response_class=DIDResolutionResponse,
    response_model=None,
    responses={
        200: {
            "description": "The DID resolution result",
            "content": {DID_RESOLUTION: {"schema": _RESULT_SCHEMA}},
        },
        **problem_responses(
            400,
            422,
            502,
            503,
            described={
                400: "Not a DID, or a version it does not have (or a version asked of a DID "
                "method without history)",
                422: "The DID's did:webvh log does not verify; the problem type names the rule "
                "broken (did-log-hash-chain, did-log-scid, did-log-unauthorized-key, "
                "did-log-pre-rotation, did-log-witness, did-log)",
                502: "The DID could not be resolved (its host did not answer usably, or its "
                "method is not supported)",
            },
        ),
    },
)
async def resolve_identifier(
    did: Annotated[str, Path(max_length=2048)],
    request: Request,
    service: ServiceDep,
    version_id: Annotated[str | None, Query(alias="versionId", max_length=256)] = None,
    version_time: Annotated[str | None, Query(alias="versionTime", max_length=64)] = None,
) -> DIDResolutionResponse:
    result = await run_in_threadpool(
        resolution_result,
        service.resolver,
        _did_of(request, did),
        version_id=version_id,
        version_time=version_time,
    )
    return DIDResolutionResponse(result)
