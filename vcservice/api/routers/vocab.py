"""The extension vocabulary, published: HTML page, JSON-LD context, Turtle and profile schemas.

Everything is served from the files shipped in the package (the context is the bundled, pinned
one), so what the service publishes is byte for byte what it validates against.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from vcservice.http.problems import problem_responses
from vcservice.store import NotFoundError
from vcservice.vocab import PROFILES, published

router = APIRouter(prefix="/vocab", tags=["vocabulary"])

_CACHE = {"Cache-Control": "public, max-age=3600"}
_CACHE_HEADER = {"Cache-Control": {"schema": {"type": "string"}}}


def _ok(
    media_type: str, description: str, schema_type: str = "string"
) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": {"type": schema_type}}},
            "headers": _CACHE_HEADER,
        }
    }


@router.get(
    "/",
    summary="The extension vocabulary as a web page",
    response_class=Response,
    responses=_ok("text/html", "Every class, property and enumeration value, with definitions"),
)
async def vocabulary_page() -> Response:
    return Response(published().html, media_type="text/html; charset=utf-8", headers=_CACHE)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context https://w3id.org/critical-minerals/v1",
    response_class=Response,
    responses=_ok("application/ld+json", "The bundled context (pinned by SHA-256)", "object"),
)
async def vocabulary_context() -> Response:
    return Response(published().context, media_type="application/ld+json", headers=_CACHE)


@router.get(
    "/vocab.ttl",
    summary="The extension vocabulary in Turtle",
    response_class=Response,
    responses=_ok("text/turtle", "RDFS/OWL/SKOS description of every term"),
)
async def vocabulary_turtle() -> Response:
    return Response(published().turtle, media_type="text/turtle; charset=utf-8", headers=_CACHE)


@router.get(
    "/schemas/{profile}",
    summary="The JSON Schema (2020-12) of one credential profile",
    response_class=Response,
    responses={
        **_ok("application/schema+json", "The extension schema of the profile", "object"),
        **problem_responses(404, 422, described={404: "No such profile"}),
    },
)
async def profile_schema(
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
    return Response(schema, media_type="application/schema+json", headers=_CACHE)
