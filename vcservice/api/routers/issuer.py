"""Issuer endpoints (authenticated): issue, change status, retrieve, keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from vcservice.api.models import (
    IDENTIFIER,
    AddKeyRequest,
    CredentialList,
    CredentialSummary,
    Encryption,
    IssueBatchItem,
    IssueBatchRequest,
    IssueBatchResponse,
    IssueRequest,
    IssueResponse,
    KeyResponse,
    StatusUpdateRequest,
    StatusUpdateResponse,
)
from vcservice.confidential import keyed_link
from vcservice.errors import VCServiceError
from vcservice.http.deps import OPTIONAL_AUTH, OptionalTenantDep, ServiceDep, TenantDep
from vcservice.http.models import ProblemDetails
from vcservice.http.problems import BODY_PROBLEMS, problem_details, problem_responses, status_for
from vcservice.keys import KeyType
from vcservice.service import IssueCommand, IssuedCredential, Service, StatusChange
from vcservice.service.batch import MAX_BATCH
from vcservice.store import KeyRecord, StoreUnavailableError, Tenant
from vcservice.web.issue_links import credential_url

router = APIRouter(tags=["issuer"])
VC_JWT = "application/vc+jwt"


@router.post(
    "/credentials/issue",
    status_code=201,
    response_model=IssueResponse,
    response_model_exclude_none=True,
    responses=problem_responses(
        *BODY_PROBLEMS,
        401,
        403,
        409,
        502,
        503,
        described={
            400: "Unusable request or options (see `detail`), or a served "
            "`options.sourceCredentials` entry that does not verify",
            403: "The tenant cannot sign as asked: another issuer, or a format its key cannot "
            "produce",
            409: "This tenant already issued a credential with this id (other tenants' ids "
            "neither block nor show), or the ledger refuses: a debit "
            "beyond an account's certified credit (`ledger.insufficient-credit`), a debit of "
            "an account the issuer does not hold (`ledger.not-holder`), a debit of a known "
            "source that credits nothing of its product and kind "
            "(`ledger.no-matching-account`), or a served upstream credential already posted "
            "under another digest (`ledger.already-posted`)",
            502: "A served `options.sourceCredentials` entry could not be checked (its issuer's "
            "DID or status list did not resolve)",
            422: "The request does not match the schema, or the credential fails validation "
            "(`errors` lists the failed checks), or the ledger cannot post it: a quantity that "
            "is not a mass (`ledger.not-a-mass`), a source link without a usable sha2-256 "
            "digest (`ledger.unreadable-source`), amounts or ids beyond an account's limits "
            "(`ledger.limit`)",
        },
    ),
    summary="Issue a credential as the authenticated tenant",
)
async def issue(body: IssueRequest, tenant: TenantDep, service: ServiceDep) -> IssueResponse:
    issued = await run_in_threadpool(service.issue, tenant, body.command())
    return _issued(service, tenant, issued)


def _issued(service: Service, tenant: Tenant, issued: IssuedCredential) -> IssueResponse:
    """The answer for an issued credential: with its decryption key and links when it was
    published encrypted (shown this once)."""
    if issued.decryption_key is None:
        return IssueResponse(verifiableCredential=issued.secured)
    url = credential_url(service.settings.public_url, tenant.name, issued.id)
    encryption = Encryption(
        decryptionKey=issued.decryption_key,
        url=url,
        link=keyed_link(url, issued.decryption_key),
    )
    return IssueResponse(verifiableCredential=issued.secured, encryption=encryption)


@router.post(
    "/credentials/issue/batch",
    response_model=IssueBatchResponse,
    response_model_exclude_none=True,
    responses=problem_responses(
        *BODY_PROBLEMS,
        401,
        503,
        described={
            422: f"The request does not match the schema (1 to {MAX_BATCH} items, each an "
            "issue request); an item's own refusal is its `problem`, not the request's",
        },
    ),
    summary="Issue several credentials as the authenticated tenant, each on its own",
    description=f"At most {MAX_BATCH} items, and the request body limit "
    "(`VCSERVICE_MAX_BODY_BYTES`, 1 MiB by default). Each item is what "
    "`POST /credentials/issue` takes and is issued or refused on its own: the answer lists, "
    "in the request's order, `status` 201 with the `verifiableCredential` (and `encryption`), "
    "or the status that item alone would have been refused with and its `problem` (RFC 9457); "
    "nothing of a refused item is stored, and the others are unaffected (a duplicate id in "
    "one batch: the first is issued, the next refused with 409). They are signed first, then "
    "stored in one transaction (one commit); items that post to the ledger are issued one by "
    "one after the others.",
)
async def issue_batch(
    body: IssueBatchRequest, tenant: TenantDep, service: ServiceDep
) -> IssueBatchResponse:
    return await run_in_threadpool(_issue_batch, service, tenant, body)


def _issue_batch(service: Service, tenant: Tenant, body: IssueBatchRequest) -> IssueBatchResponse:
    """Each item's command (its own refusal if the options conflict), then the batch."""
    outcomes: dict[int, IssuedCredential | VCServiceError] = {}
    commands: dict[int, IssueCommand] = {}
    for index, item in enumerate(body.items):
        try:
            commands[index] = item.command()
        except VCServiceError as exc:
            outcomes[index] = exc
    issued = service.issue_batch(tenant, list(commands.values()), fatal=_fatal)
    outcomes.update(zip(commands, issued, strict=True))
    items = [_item(service, tenant, outcomes[index]) for index in range(len(body.items))]
    return IssueBatchResponse(items=items)


def _fatal(error: VCServiceError) -> bool:
    """The request's failure, not an item's: the database unavailable, the operator's fault."""
    return isinstance(error, StoreUnavailableError) or status_for(error) == 500


def _item(
    service: Service, tenant: Tenant, outcome: IssuedCredential | VCServiceError
) -> IssueBatchItem:
    if isinstance(outcome, VCServiceError):
        details = problem_details(outcome)
        return IssueBatchItem(status=details["status"], problem=ProblemDetails(**details))
    answer = _issued(service, tenant, outcome)
    return IssueBatchItem(
        status=201, verifiableCredential=answer.verifiableCredential, encryption=answer.encryption
    )


@router.post(
    "/credentials/status",
    response_model=StatusUpdateResponse,
    responses=problem_responses(
        *BODY_PROBLEMS,
        401,
        404,
        503,
        described={404: "This tenant issued no credential with this id and status purpose"},
    ),
    summary="Revoke, suspend or reinstate a credential this tenant issued",
)
async def update_status(
    body: StatusUpdateRequest, tenant: TenantDep, service: ServiceDep
) -> StatusUpdateResponse:
    changes = [StatusChange(e.statusPurpose, e.status) for e in body.credentialStatus]
    await run_in_threadpool(service.update_status, tenant, body.credentialId, changes)
    return StatusUpdateResponse(
        credentialId=body.credentialId, credentialStatus=body.credentialStatus
    )


@router.get(
    "/credentials",
    response_model=CredentialList,
    summary="List credentials this tenant issued (newest first)",
    responses=problem_responses(401, 422, 503),
)
async def list_credentials(
    tenant: TenantDep,
    service: ServiceDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> CredentialList:
    records = await run_in_threadpool(service.credentials, tenant, limit=limit, offset=offset)
    return CredentialList(
        credentials=[
            CredentialSummary(
                id=r.id, format=r.format, published=r.published, created=r.created_at.isoformat()
            )
            for r in records
        ]
    )


@router.get(
    "/credentials/{credential_id:path}",
    responses={
        200: {
            "description": "The credential as issued: a JSON document (a Data Integrity "
            "credential or an EnvelopedVerifiableCredential), or a compact vc+jwt",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                VC_JWT: {"schema": {"type": "string"}},
            },
        },
        **problem_responses(
            401,
            404,
            422,
            503,
            described={
                401: "An API key that is not valid (none is needed for published credentials)",
                404: "No such credential, or not published and not issued by this tenant, "
                "or published by several tenants under this id (then ask "
                "`/tenants/{name}/credentials/{id}`)",
            },
        ),
    },
    openapi_extra=OPTIONAL_AUTH,
    summary="Retrieve a stored credential (its issuer always; anyone if published)",
    description="Credential ids are unique per tenant. With an API key, the tenant's own "
    "credential with this id (published or not); otherwise, or when it has none, the one "
    "published credential with this id: 404 when no tenant or several tenants published it "
    "(`GET /tenants/{name}/credentials/{id}` names one).",
)
async def get_credential(
    credential_id: Annotated[str, Path(max_length=2048, pattern=IDENTIFIER)],
    tenant: OptionalTenantDep,
    service: ServiceDep,
) -> Response:
    document = await run_in_threadpool(service.credential, credential_id, tenant)
    if isinstance(document, str):
        return Response(document, media_type=VC_JWT)
    return JSONResponse(document)


@router.get(
    "/tenants/me/keys",
    summary="This tenant's signing keys",
    responses=problem_responses(401, 503),
)
async def list_keys(tenant: TenantDep, service: ServiceDep) -> list[KeyResponse]:
    records = await run_in_threadpool(service.keys, tenant)
    return [_key(service, tenant, k) for k in records]


@router.post(
    "/tenants/me/keys",
    status_code=201,
    summary="Rotate: add a new active signing key; older keys are retired but keep verifying",
    responses=problem_responses(
        *BODY_PROBLEMS,
        401,
        409,
        503,
        described={409: "The tenant's DID is derived from its key (did:key): it cannot rotate"},
    ),
)
async def add_key(body: AddKeyRequest, tenant: TenantDep, service: ServiceDep) -> KeyResponse:
    record = await run_in_threadpool(service.add_key, tenant, KeyType(body.type))
    return _key(service, tenant, record)


@router.post(
    "/tenants/me/keys/{fragment}/retire",
    summary="Retire a signing key (it stays in the DID document for old credentials)",
    responses=problem_responses(
        *BODY_PROBLEMS,
        401,
        404,
        409,
        503,
        described={
            404: "This tenant has no key with this fragment",
            409: "It is the tenant's last active key, or its only one (a did:key tenant)",
        },
    ),
)
async def retire_key(
    fragment: Annotated[str, Path(pattern=IDENTIFIER)], tenant: TenantDep, service: ServiceDep
) -> KeyResponse:
    record = await run_in_threadpool(service.retire_key, tenant, fragment)
    return _key(service, tenant, record)


def _key(service: Service, tenant: Tenant, record: KeyRecord) -> KeyResponse:
    return KeyResponse(
        id=service.verification_method(tenant, record),
        type=record.key_type.value,
        active=record.active,
        publicKeyMultibase=record.public.multibase,
        backend=record.backend,
        retiredAt=record.retired_at.isoformat() if record.retired_at else None,
    )
