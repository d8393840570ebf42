"""The extension vocabulary, published: HTML page, JSON-LD context, Turtle, JSON-LD and profile
schemas.

Everything is served from the files shipped in the package (the context is the bundled, pinned
one), so what the service publishes is byte for byte what it validates against. These routes
are the stable home that ``https://w3id.org/critical-minerals/`` redirects to
(``vocab/w3id/critical-minerals/.htaccess``, docs/vocabulary.md), so they answer as a
vocabulary host must:

* each document with its registered media type: the context as ``application/ld+json`` with the
  JSON-LD 1.1 ``#context`` profile, Turtle as ``text/turtle``, the page as ``text/html``, the
  vocabulary graph as ``application/ld+json`` (``#expanded`` profile), schemas as
  ``application/schema+json``;
* ``/vocab/`` negotiates on ``Accept`` (HTML by default, Turtle, JSON-LD; ``Vary: Accept``);
* public and read-only, so readable from any origin: ``Access-Control-Allow-Origin: *`` on
  every answer, and a preflight (``OPTIONS``) answered for requests that need one (an
  ``Accept`` carrying a quoted ``profile`` parameter is not CORS-safelisted);
* a strong ``ETag`` (of the bytes), ``If-None-Match`` answered with 304, ``Cache-Control``.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from vcservice.http.negotiation import negotiate
from vcservice.http.problems import problem_responses
from vcservice.store import NotFoundError
from vcservice.vocab import PROFILES, published

router = APIRouter(prefix="/vocab", tags=["vocabulary"])

JSONLD = "application/ld+json"
#: JSON-LD 1.1 §9.1: the profile of a context document, and of expanded document form.
CONTEXT_MEDIA_TYPE = f'{JSONLD}; profile="http://www.w3.org/ns/json-ld#context"'
EXPANDED_MEDIA_TYPE = f'{JSONLD}; profile="http://www.w3.org/ns/json-ld#expanded"'
HTML = "text/html; charset=utf-8"
TURTLE = "text/turtle; charset=utf-8"
SCHEMA = "application/schema+json"
#: What ``GET /vocab/`` can answer, the default first, each with the media type it is sent as.
_PAGE_OFFERS = {
    "text/html": HTML,
    "text/turtle": TURTLE,
    JSONLD: EXPANDED_MEDIA_TYPE,
    "application/json": EXPANDED_MEDIA_TYPE,
}
#: Answers to a CORS preflight: any origin, read-only methods, the headers a reader sends.
PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}

_HEADERS = {
    name: {"schema": {"type": "string"}}
    for name in ("Cache-Control", "ETag", "Access-Control-Allow-Origin")
}
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match matched the ETag)"}
}


def _ok(
    description: str, content: dict[str, str], extra_headers: tuple[str, ...] = ()
) -> dict[int | str, dict[str, Any]]:
    headers = {**_HEADERS, **{name: {"schema": {"type": "string"}} for name in extra_headers}}
    return {
        200: {
            "description": description,
            "content": {media: {"schema": {"type": kind}} for media, kind in content.items()},
            "headers": headers,
        },
        **_NOT_MODIFIED,
    }


def etag(data: bytes) -> str:
    """A strong validator of exactly these bytes."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 §13.1.2: ``*`` or any listed tag equal to ``tag`` (weak comparison)."""
    if not if_none_match:
        return False
    listed = [item.strip().removeprefix("W/") for item in if_none_match.split(",")]
    return "*" in listed or tag in listed


def _send(request: Request, data: bytes, media_type: str, *, vary: bool = False) -> Response:
    tag = etag(data)
    headers = {
        "ETag": tag,
        "Cache-Control": "public, max-age=3600",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag",
        "X-Content-Type-Options": "nosniff",
    }
    if vary:
        headers["Vary"] = "Accept"
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


@router.get(
    "/",
    summary="The extension vocabulary: a web page, or Turtle or JSON-LD by Accept",
    response_class=Response,
    responses=_ok(
        "Every class, property and enumeration value, with definitions: HTML unless `Accept` "
        "prefers Turtle or JSON-LD (the vocabulary graph, expanded form)",
        {"text/html": "string", "text/turtle": "string", JSONLD: "array"},
        ("Vary",),
    ),
)
@router.head("/", include_in_schema=False)
async def vocabulary_page(request: Request) -> Response:
    chosen = negotiate(request.headers.get("accept"), list(_PAGE_OFFERS))
    documents = published()
    data = {"text/html": documents.html, "text/turtle": documents.turtle}.get(
        chosen, documents.jsonld
    )
    return _send(request, data, _PAGE_OFFERS[chosen], vary=True)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context https://w3id.org/critical-minerals/v1",
    response_class=Response,
    responses=_ok("The bundled context (pinned by SHA-256)", {JSONLD: "object"}),
)
@router.head("/context.jsonld", include_in_schema=False)
async def vocabulary_context(request: Request) -> Response:
    return _send(request, published().context, CONTEXT_MEDIA_TYPE)


@router.get(
    "/vocab.ttl",
    summary="The extension vocabulary in Turtle",
    response_class=Response,
    responses=_ok("RDFS/OWL/SKOS description of every term", {"text/turtle": "string"}),
)
@router.head("/vocab.ttl", include_in_schema=False)
async def vocabulary_turtle(request: Request) -> Response:
    return _send(request, published().turtle, TURTLE)


@router.get(
    "/vocab.jsonld",
    summary="The extension vocabulary as JSON-LD (expanded form)",
    response_class=Response,
    responses=_ok(
        "The same graph as the Turtle, as expanded JSON-LD (no context to fetch)",
        {JSONLD: "array"},
    ),
)
@router.head("/vocab.jsonld", include_in_schema=False)
async def vocabulary_jsonld(request: Request) -> Response:
    return _send(request, published().jsonld, EXPANDED_MEDIA_TYPE)


@router.get(
    "/schemas/{profile}",
    summary="The JSON Schema (2020-12) of one credential profile",
    response_class=Response,
    responses={
        **_ok("The extension schema of the profile", {SCHEMA: "object"}),
        **problem_responses(404, 422, described={404: "No such profile"}),
    },
)
@router.head("/schemas/{profile}", include_in_schema=False)
async def profile_schema(
    request: Request,
    profile: Annotated[
        str,
        Path(
            pattern=r"^[a-z][a-z-]{0,63}$",
            description="One of: " + ", ".join(PROFILES),
        ),
    ],
) -> Response:
    schema = published().schemas.get(profile)
    if schema is None:
        raise NotFoundError(f"no profile {profile}; known: {', '.join(PROFILES)}")
    return _send(request, schema, SCHEMA)


@router.options("/{path:path}", include_in_schema=False)
async def preflight() -> Response:
    """A CORS preflight for any vocabulary document: what a cross-origin reader may send."""
    return Response(status_code=204, headers=PREFLIGHT)
