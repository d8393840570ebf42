"""``POST /graphs/verify``: a provenance graph verified end to end (public, like the verifiers).

The request body *is* a graph bundle (``docs/provenance-graphs.md``): the root (a URL or a
credential), the trust anchors, optionally the upstream credentials by URL and DID documents,
a verification time and tighter limits. A bundle file from ``examples/*/negative/`` can be
posted as it is. Links not in the bundle are fetched through the bounded link fetcher.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from vcservice.graph import BUNDLE_TYPE, GraphReport, bundle_from_json, bundle_from_presentation
from vcservice.http.deps import OPTIONAL_AUTH, ServiceDep, VerifierAccess
from vcservice.http.problems import BODY_PROBLEMS, problem_responses
from vcservice.http.scheduling import run_graph_verification
from vcservice.service import Service

TAG = "verifier"
router = APIRouter(tags=[TAG], dependencies=[VerifierAccess])


class GraphOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    maxNodes: int | None = Field(default=None, ge=1)  # noqa: N815
    maxDepth: int | None = Field(default=None, ge=1)  # noqa: N815
    #: Cosignatures by distinct trusted witnesses each home registry's receipt must carry.
    requiredWitnesses: int | None = Field(default=None, ge=0, le=32)  # noqa: N815
    trustedWitnesses: list[str] | None = Field(default=None, max_length=100)  # noqa: N815


class GraphVerifyRequest(BaseModel):
    """A graph bundle with its root; ``trustAnchors`` is required (who the buyer trusts)."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["ProvenanceGraphBundle"] = "ProvenanceGraphBundle"
    root: str | dict[str, Any]
    trustAnchors: list[str] = Field(min_length=1, max_length=100)  # noqa: N815
    verificationTime: str | None = None  # noqa: N815
    options: GraphOptions = Field(default_factory=GraphOptions)
    documents: dict[str, dict[str, Any] | str] = Field(default_factory=dict)
    didDocuments: dict[str, dict[str, Any]] = Field(default_factory=dict)  # noqa: N815
    #: did:webvh DIDs' logs (``did.jsonl`` text) and witness files, verified like fetched ones.
    didLogs: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    didWitnesses: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    #: Keys (hex) of credentials published encrypted, by URL: the keys in the links the
    #: verifier was handed. Without one, a link to an encrypted credential is indeterminate.
    decryptionKeys: dict[str, str] = Field(default_factory=dict, max_length=1000)  # noqa: N815
    #: Upstream credentials as a presentation (JSON or vp+jwt), matched to links by digest.
    verifiablePresentation: dict[str, Any] | str | None = None  # noqa: N815


class GraphVerificationResult(BaseModel):
    """The graph report; see ``docs/provenance-graphs.md`` for every member."""

    model_config = ConfigDict(extra="allow")
    verified: bool
    root: str
    summary: dict[str, Any]
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    problemDetails: list[dict[str, Any]]  # noqa: N815


_PROBLEMS = problem_responses(
    *BODY_PROBLEMS,
    401,
    503,
    described={
        400: "Unusable input: a bundle member of the wrong shape, or a root that is neither a "
        "credential nor its URL",
        422: "Not verified: the report says why (`application/json`); or a request that does "
        "not match the schema (`application/problem+json`)",
    },
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    **_PROBLEMS,
    200: {"model": GraphVerificationResult, "description": "The whole graph verified"},
    422: {"model": GraphVerificationResult, **_PROBLEMS[422]},
}


def _verify(service: Service, body: GraphVerifyRequest) -> GraphReport:
    raw = body.model_dump(exclude_none=True)
    raw["options"] = body.options.model_dump(exclude_none=True)
    raw["type"] = BUNDLE_TYPE
    presentation = raw.pop("verifiablePresentation", None)
    bundle = bundle_from_json(raw)
    if presentation is not None:
        carried = bundle_from_presentation(presentation).by_digest
        bundle = replace(bundle, by_digest={**carried, **bundle.by_digest})
    return service.graph_verifier().verify(
        body.root, trust_anchors=bundle.trust_anchors, bundle=bundle, options=raw["options"]
    )


@router.post(
    "/graphs/verify",
    responses=RESPONSES,
    response_model=GraphVerificationResult,
    openapi_extra=OPTIONAL_AUTH,
    summary="Verify a provenance graph: links, credentials, trust, claims, roll-ups, mass balance",
)
async def verify_graph(body: GraphVerifyRequest, service: ServiceDep) -> JSONResponse:
    report = await run_graph_verification(service, _verify, service, body)
    result = report.to_dict()
    result["problemDetails"] = [c["problem"] for c in result["errors"] + result["warnings"]]
    return JSONResponse(result, status_code=200 if report.verified else 422)
