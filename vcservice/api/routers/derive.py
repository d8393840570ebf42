"""``POST /credentials/derive`` (W3C VC API): a holder's selective disclosure, of an
ecdsa-sd-2023 base proof or of a vc+sd-jwt (an EnvelopedVerifiableCredential).

Deriving needs no key of the service's: the base proof carries everything the holder needs
(the per-statement signatures and the HMAC key), so anyone holding a base credential may derive
from it, and the endpoint takes no tenant. It is CPU work like a verification (canonicalizing
the credential three times), so it runs in the verification lanes, under their deadline.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from vcservice.http.deps import ServiceDep
from vcservice.http.problems import BODY_PROBLEMS, problem_responses
from vcservice.http.scheduling import run_verification
from vcservice.ingress import enveloped_type
from vcservice.jsonld import StaticDocumentLoader
from vcservice.securing.sdjwt import derive_enveloped
from vcservice.securing.suites.ecdsa_sd_2023 import derive_proof

router = APIRouter(tags=["holder"])


class DeriveOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    selectivePointers: list[str] = Field(  # noqa: N815
        default_factory=list,
        max_length=100,
        description="JSON pointers (RFC 6901) to the claims to disclose, besides the mandatory "
        "ones the issuer chose",
    )


class DeriveRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    verifiableCredential: dict[str, Any] = Field(  # noqa: N815
        description="A credential secured with an ecdsa-sd-2023 base proof, or a vc+sd-jwt "
        "EnvelopedVerifiableCredential"
    )
    options: DeriveOptions = Field(default_factory=DeriveOptions)


class DeriveResponse(BaseModel):
    verifiableCredential: dict[str, Any]  # noqa: N815


@router.post(
    "/credentials/derive",
    status_code=201,
    response_model=DeriveResponse,
    responses=problem_responses(
        *BODY_PROBLEMS,
        503,
        described={
            400: "Not a credential with one ecdsa-sd-2023 base proof nor a vc+sd-jwt, a "
            "malformed proof value, or a pointer that names nothing in the credential",
        },
    ),
    summary="Derive a selectively disclosed credential (ecdsa-sd-2023, vc+sd-jwt)",
)
async def derive(body: DeriveRequest, service: ServiceDep) -> DeriveResponse:
    derived = await run_verification(
        service,
        body.verifiableCredential,
        _derive,
        body.options.selectivePointers,
        service.loader,
    )
    return DeriveResponse(verifiableCredential=derived)


def _derive(
    credential: dict[str, Any], pointers: list[str], loader: StaticDocumentLoader
) -> dict[str, Any]:
    """An SD-JWT envelope's holder presentation, else an ecdsa-sd-2023 derived proof."""
    if enveloped_type(credential) is not None:
        return derive_enveloped(credential, pointers)
    return derive_proof(credential, pointers, loader)
