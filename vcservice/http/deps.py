"""Dependencies shared by the API routers and the pages, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from vcservice.service import Service
from vcservice.store import Tenant

_bearer = HTTPBearer(auto_error=False, description="A tenant API key from 'tenants create'.")


# The dependencies are ``async def``: FastAPI runs a plain ``def`` dependency in the thread
# pool, and three such hops per request cost more than verifying a small vc+jwt. Only the API
# key lookup touches the database, and only that goes to a thread.


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def optional_tenant(service: ServiceDep, credentials: BearerDep) -> Tenant | None:
    """The tenant named by a valid API key, or None without one; a wrong key is always 401."""
    if credentials is None:
        return None
    tenant = await run_in_threadpool(service.tenant_by_api_key, credentials.credentials)
    if tenant is None:
        raise HTTPException(401, "Invalid API key")
    return tenant


async def tenant(current: Annotated[Tenant | None, Depends(optional_tenant)]) -> Tenant:
    if current is None:
        raise HTTPException(401, "Authorization: Bearer <api key> required")
    return current


async def verifier_access(
    service: ServiceDep, current: Annotated[Tenant | None, Depends(optional_tenant)]
) -> None:
    if service.settings.verify_requires_auth and current is None:
        raise HTTPException(401, "Authorization: Bearer <api key> required")


#: ``openapi_extra`` of an operation that takes an API key but works without one as well
#: (FastAPI declares the bearer scheme as required; an empty requirement makes it optional).
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}

TenantDep = Annotated[Tenant, Depends(tenant)]
OptionalTenantDep = Annotated[Tenant | None, Depends(optional_tenant)]
VerifierAccess = Depends(verifier_access)
