"""The identity resolver over HTTP: resolving identifiers, registering them, QR codes.

Resolving (public, as a GS1 Digital Link resolver answers): ``GET /01/{gtin}[/22/...][/10/
{lot}][/21/{serial}]``, ``/414/{gln}``, ``/417/{gln}`` and ``/id/{path}`` (ISO/IEC 18975
paths of other schemes). What comes back depends on what is asked (UNTP IDR, "Resolver
Workflow"):

* ``?linkType=linkset`` (or ``all``), or ``Accept: application/linkset+json`` (or
  ``application/json``): the RFC 9264 linkset, 200;
* ``?linkType=dpp`` (any link type): 307 to the newest link of that type;
* ``Accept: text/html`` (a phone's browser that scanned the QR code): 303 to the buyer page,
  which resolves the identifier and verifies the passport's graph;
* anything else: 307 to the default link (the passport, where there is one).

Every redirect carries ``Link: <...?linkType=linkset>; rel="linkset"`` (RFC 9264 §6) so a
client that followed it can still find the whole linkset. The path is read raw: a lot number
holding ``%2F`` is one segment, not two.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from vcservice.api.models import IdentifierText
from vcservice.http.deps import ServiceDep, TenantDep
from vcservice.http.negotiation import quality
from vcservice.http.problems import BODY_PROBLEMS, problem_responses
from vcservice.resolver import ID_PREFIX, LINKSET_JSON, Identifier, default_link
from vcservice.service import Service
from vcservice.service.identifiers import QR_MEDIA_TYPES, QrKind, Registration
from vcservice.store import NotFoundError
from vcservice.store._identifiers import StoredLink

router = APIRouter(tags=["resolver"])
#: The link types of :data:`vcservice.resolver.LINK_TYPES` (a test keeps the two equal).
LinkTypeName = Literal["dpp", "dcc", "dfr", "dte", "dia", "pip"]
#: ``linkType`` values asking for the whole linkset rather than a redirect.
WHOLE = ("linkset", "all")


class LinksetResponse(JSONResponse):
    media_type = LINKSET_JSON


_LINKSET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["linkset"],
    "properties": {
        "linkset": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["anchor"],
                "properties": {"anchor": {"type": "string"}},
                "additionalProperties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["href", "title"],
                        "properties": {
                            "href": {"type": "string"},
                            "title": {"type": "string"},
                            "type": {"type": "string"},
                            "rel": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        }
    },
}
_LOCATION = {"Location": {"schema": {"type": "string"}}, "Link": {"schema": {"type": "string"}}}


class RegisterIdentifierRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: IdentifierText = Field(
        description="A GS1 Digital Link URI or path (`/01/{gtin}[/10/{lot}][/21/{serial}]`), "
        "or an ISO/IEC 18975 path of this resolver (`/id/{qualifier}/{value}...`)"
    )
    linkType: LinkTypeName = "dpp"  # noqa: N815
    credentialId: str | None = Field(  # noqa: N815
        default=None,
        max_length=2048,
        description="A credential this tenant issued and published (exactly one of "
        "credentialId and href)",
    )
    href: str | None = Field(
        default=None, max_length=2048, description="A target elsewhere: an https URL"
    )
    title: str | None = Field(default=None, min_length=1, max_length=256)
    type: str | None = Field(
        default=None,
        max_length=128,
        description="The target's media type (default: from "
        "the credential, or application/vc; text/html for pip)",
    )


class LinkModel(BaseModel):
    linkType: str  # noqa: N815
    href: str
    title: str
    type: str
    credentialId: str | None  # noqa: N815
    created: str


class IdentifierModel(BaseModel):
    identifier: str = Field(description="The identifier as a URL of this resolver")
    qrCode: dict[str, str] = Field(description="Its QR code, by image format")  # noqa: N815
    links: list[LinkModel]


def _link(link: StoredLink) -> LinkModel:
    return LinkModel(
        linkType=link.link_type,
        href=link.href,
        title=link.title,
        type=link.media_type,
        credentialId=link.credential_id,
        created=link.created_at.isoformat(),
    )


def _described(
    service: Service, identifier: Identifier, links: list[StoredLink]
) -> IdentifierModel:
    url = identifier.url(service.settings.public_url)
    return IdentifierModel(
        identifier=url,
        qrCode={kind: qr_url(service, identifier, kind) for kind in QR_MEDIA_TYPES},
        links=[_link(link) for link in links],
    )


def qr_url(service: Service, identifier: Identifier, kind: QrKind) -> str:
    """Where the QR code of ``identifier`` is served as ``kind``."""
    query = quote(identifier.path, safe="")
    return f"{service.settings.public_url}/resolver/qr.{kind}?identifier={query}"


@router.get(
    "/.well-known/resolver",
    summary="The resolver description (ISO/IEC 18975): root, keys and link types",
    responses=problem_responses(503),
)
async def resolver_description(service: ServiceDep) -> dict[str, Any]:
    return service.resolver_description()


@router.post(
    "/resolver/identifiers",
    status_code=201,
    summary="Register an identifier's link (a passport, a conformity credential, ...)",
    responses=problem_responses(
        *BODY_PROBLEMS,
        401,
        404,
        409,
        503,
        described={
            400: "A malformed identifier, or a credential that is not published",
            404: "This tenant issued no credential with this id",
            409: "Another tenant registered this identifier, or it has 100 links",
        },
    ),
)
async def register_identifier(
    body: RegisterIdentifierRequest, tenant: TenantDep, service: ServiceDep
) -> IdentifierModel:
    registration = Registration(
        body.identifier,
        body.linkType,
        credential_id=body.credentialId,
        href=body.href,
        title=body.title,
        media_type=body.type,
    )

    def register() -> IdentifierModel:
        stored = service.register_identifier(tenant, registration)
        identifier = service.parse_identifier(stored.path)
        links = dict(service.registered_identifiers(tenant)).get(identifier, [stored])
        return _described(service, identifier, links)

    return await run_in_threadpool(register)


@router.get(
    "/resolver/identifiers",
    summary="This tenant's identifiers and their links, newest first",
    responses=problem_responses(401, 503),
)
async def list_identifiers(tenant: TenantDep, service: ServiceDep) -> list[IdentifierModel]:
    found = await run_in_threadpool(service.registered_identifiers, tenant)
    return [_described(service, identifier, links) for identifier, links in found]


def _qr_route(kind: QrKind) -> None:
    media = QR_MEDIA_TYPES[kind]

    async def qr_code(
        service: ServiceDep,
        identifier: Annotated[str, Query(min_length=1, max_length=2048)],
    ) -> Response:
        parsed = service.parse_identifier(identifier)
        image = await run_in_threadpool(service.identifier_qr, parsed, kind)
        return Response(image, media_type=media, headers={"Cache-Control": "public, max-age=300"})

    router.add_api_route(
        f"/resolver/qr.{kind}",
        qr_code,
        methods=["GET"],
        summary=f"The QR code ({kind.upper()}) of a registered identifier's URL",
        response_class=Response,
        responses={
            200: {"description": "The QR code", "content": {media: {}}},
            **problem_responses(
                400, 404, 422, 503, described={404: "No such identifier is registered here"}
            ),
        },
    )


for _kind in QR_MEDIA_TYPES:
    _qr_route(_kind)


def _wants_linkset(accept: str) -> bool:
    """Whether ``Accept`` names the linkset (or JSON) at least as much as HTML, by name: a
    bare ``*/*`` asks for nothing in particular, so it gets the default link."""
    accept = accept.lower()
    named = max(
        (quality(accept, t) for t in (LINKSET_JSON, "application/json") if t in accept),
        default=0.0,
    )
    html = quality(accept, "text/html") if "text/html" in accept else 0.0
    return named > 0 and named >= html


def _wants_html(accept: str) -> bool:
    return "text/html" in accept.lower() and quality(accept.lower(), "text/html") > 0


async def _resolve(request: Request, service: Service, link_type: str | None) -> Response:
    raw = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    identifier = service.parse_identifier(raw)
    resolved = await run_in_threadpool(service.resolve_identifier, identifier)
    url = identifier.url(service.settings.public_url)
    headers = {
        "Link": f'<{url}?linkType=linkset>; rel="linkset"; type="{LINKSET_JSON}"',
        "Vary": "Accept",
    }
    accept = request.headers.get("accept", "")
    if link_type in WHOLE or (link_type is None and _wants_linkset(accept)):
        return LinksetResponse(resolved.linkset, headers=headers)
    if link_type is None and _wants_html(accept):
        return RedirectResponse(resolved.page, 303, headers=headers)
    target = default_link(resolved.linkset, link_type)
    if target is None:
        raise NotFoundError(f"{identifier.path} has no {link_type} link")
    return RedirectResponse(target, 307, headers=headers)


_RESOLVE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The RFC 9264 linkset (asked by linkType=linkset or by Accept)",
        "content": {LINKSET_JSON: {"schema": _LINKSET_SCHEMA}},
    },
    303: {"description": "A browser (Accept: text/html): the buyer page", "headers": _LOCATION},
    307: {"description": "The link of the type asked, or the default link", "headers": _LOCATION},
    **problem_responses(
        400,
        404,
        422,
        503,
        described={
            400: "Not an identifier: a GS1 key with a wrong check digit, qualifiers out of "
            "order, or a path that is not qualifier/value pairs",
            404: "No such identifier is registered here, or it has no link of that type",
        },
    ),
}


def _resolve_route(prefix: str, what: str) -> None:
    async def resolve(
        request: Request,
        service: ServiceDep,
        path: Annotated[str, Path(max_length=1024)],
        link_type: Annotated[
            Literal["linkset", "all"] | LinkTypeName | None,
            Query(alias="linkType"),
        ] = None,
    ) -> Response:
        return await _resolve(request, service, link_type)

    router.add_api_route(
        f"/{prefix}/{{path:path}}",
        resolve,
        methods=["GET"],
        summary=f"Resolve {what} to its linkset, its passport, or the buyer page",
        response_class=Response,
        response_model=None,
        responses=_RESOLVE_RESPONSES,
    )


for _key, _what in (
    ("01", "a GTIN (GS1 Digital Link: /01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}])"),
    ("414", "a location GLN (GS1 Digital Link: /414/{gln}[/254/{extension}])"),
    ("417", "a party GLN (GS1 Digital Link: /417/{gln})"),
    (ID_PREFIX, "an ISO/IEC 18975 identifier (/id/{qualifier}/{value}...)"),
):
    _resolve_route(_key, _what)
