"""The mass-balance ledger, in public: signed checkpoints, inclusion and consistency proofs,
spent lookups, and the service's DID document that the checkpoints are verified with.

Nothing here needs an API key. An entry's content is the exception: it names credentials,
products and amounts, so only the tenant whose credential made the entry sees it (with its
key); everyone else gets the hashes, which are all a proof needs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from vcservice.api.models import (
    DIDDocument,
    LedgerCheckpointResponse,
    LedgerConsistencyProof,
    LedgerEntryContent,
    LedgerEntryProof,
    SpentAnswer,
    SpentSalt,
)
from vcservice.api.routers.public import DIDJSONResponse
from vcservice.http.deps import OPTIONAL_AUTH, OptionalTenantDep, ServiceDep
from vcservice.http.problems import problem_responses
from vcservice.ledger import entry_leaf, read_checkpoint
from vcservice.ledger.spent import ALGORITHM

router = APIRouter(tags=["ledger"])
JWT = "application/jwt"
#: Entry numbers and tree sizes fit a signed 64-bit column with room to spare.
MAX_SEQ = 1 << 62


@router.get(
    "/ledger/checkpoint",
    summary="The ledger's current signed checkpoint (count, head hash, Merkle root)",
    response_model=None,
    responses={
        200: {
            "model": LedgerCheckpointResponse,
            "description": "The checkpoint; with `Accept: application/jwt`, only its JWS",
            "content": {JWT: {"schema": {"type": "string"}}},
        },
        **problem_responses(503),
    },
)
async def checkpoint(request: Request, service: ServiceDep) -> Response:
    stored = await run_in_threadpool(service.ledger_checkpoint)
    if JWT in request.headers.get("accept", ""):
        return Response(stored.jws, media_type=JWT)
    signed = read_checkpoint(stored.jws).checkpoint
    body = LedgerCheckpointResponse(
        issuer=signed.issuer,
        count=signed.count,
        headHash=signed.head_hash,
        rootHash=signed.root_hash,
        issuedAt=signed.issued_at,
        jws=stored.jws,
    )
    return Response(body.model_dump_json(), media_type="application/json")


@router.get(
    "/ledger/entries/{seq}",
    summary="A ledger entry's hashes and its inclusion proof",
    response_model=LedgerEntryProof,
    responses=problem_responses(
        400,
        401,
        404,
        422,
        503,
        described={
            400: "treeSize is beyond the ledger, or smaller than the entry number",
            401: "An API key that is not valid (none is needed)",
            404: "The ledger has no entry with this number",
        },
    ),
    openapi_extra=OPTIONAL_AUTH,
)
async def entry(
    seq: Annotated[int, Path(ge=1, le=MAX_SEQ, description="The entry number, from 1")],
    service: ServiceDep,
    tenant: OptionalTenantDep,
    tree_size: Annotated[
        int | None,
        Query(
            alias="treeSize",
            ge=1,
            le=MAX_SEQ,
            description="Prove against the tree of this many entries (an earlier checkpoint); "
            "default: the current checkpoint",
        ),
    ] = None,
) -> LedgerEntryProof:
    proof = await run_in_threadpool(service.ledger_proof, seq, tree_size)
    stored = proof.stored
    mine = tenant is not None and tenant.id == stored.entry.tenant_id
    return LedgerEntryProof(
        seq=stored.seq,
        entryHash=stored.entry_hash,
        prevHash=stored.prev_hash,
        leafHash=entry_leaf(stored.entry_hash).hex(),
        treeSize=proof.tree_size,
        rootHash=proof.root_hash,
        inclusionProof=proof.path,
        checkpoint=proof.checkpoint.jws if proof.checkpoint else None,
        entry=LedgerEntryContent.model_validate(stored.entry.content()) if mine else None,
    )


@router.get(
    "/ledger/consistency",
    summary="An RFC 9162 consistency proof between two trees of the ledger",
    response_model=LedgerConsistencyProof,
    responses=problem_responses(
        400,
        422,
        503,
        described={400: "from is larger than to, or to is beyond the ledger"},
    ),
)
async def consistency(
    service: ServiceDep,
    old_size: Annotated[
        int,
        Query(
            alias="from",
            ge=1,
            le=MAX_SEQ,
            description="The old tree's size: the count of a checkpoint you hold",
        ),
    ],
    new_size: Annotated[
        int | None,
        Query(
            alias="to",
            ge=1,
            le=MAX_SEQ,
            description="The new tree's size; default: the current checkpoint's",
        ),
    ] = None,
) -> LedgerConsistencyProof:
    proof = await run_in_threadpool(service.ledger_consistency, old_size, new_size)
    return LedgerConsistencyProof.model_validate(
        {
            "from": proof.old_size,
            "to": proof.new_size,
            "oldRoot": proof.old_root,
            "newRoot": proof.new_root,
            "proof": proof.path,
            "oldCheckpoint": proof.old_checkpoint.jws if proof.old_checkpoint else None,
            "newCheckpoint": proof.new_checkpoint.jws if proof.new_checkpoint else None,
        }
    )


@router.get(
    "/ledger/spent",
    summary="Whether a credential's certified quantity is spent (by salted digest)",
    response_model=SpentAnswer | SpentSalt,
    responses=problem_responses(
        400, 422, 503, described={400: "digest is not 64 hexadecimal digits"}
    ),
)
async def spent(
    service: ServiceDep,
    digest: Annotated[
        str | None,
        Query(
            max_length=256,
            description="hex(SHA-256(salt || digestMultibase of the credential)); without it, "
            "the answer is the salt and how to form the key",
        ),
    ] = None,
) -> SpentAnswer | SpentSalt:
    if digest is None:
        salt = await run_in_threadpool(service.ledger_salt)
        return SpentSalt(salt=salt.hex(), algorithm=ALGORITHM)
    answer = await run_in_threadpool(service.ledger_spent, digest)
    return SpentAnswer(spent=answer.spent, fullySpent=answer.fully_spent)


@router.get(
    "/.well-known/did.json",
    summary="The service's own DID document (did:web), which signs ledger checkpoints",
    response_class=DIDJSONResponse,
    response_model=None,
    responses={
        200: {"model": DIDDocument, "description": "The DID document"},
        **problem_responses(503),
    },
)
async def service_did_document(service: ServiceDep) -> DIDJSONResponse:
    document = await run_in_threadpool(service.service_did_document)
    return DIDJSONResponse(document, headers={"Cache-Control": "public, max-age=300"})
