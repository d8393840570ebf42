"""``GET /``: where a newcomer lands (the address ``vcservice serve`` prints).

A browser gets a short HTML page saying what the service is, offering each example chain (and a
few failing variants) as one link to its verdict page, and linking to everything a person can
open; a client asking for ``application/json`` gets the same links as data. Both come from
:data:`LINKS` and :mod:`vcservice.web.examples`, so the page and the JSON cannot drift apart.
The route is left out of the OpenAPI document like the other HTML pages: it describes the
service, it is not part of the VC API contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from vcservice import __version__
from vcservice.http.negotiation import quality
from vcservice.web.examples import CATALOGUE, CHAINS, FAILURES
from vcservice.web.render import page

router = APIRouter(include_in_schema=False)

SUMMARY = (
    "vcservice issues and verifies signed, hash-linked W3C Verifiable Credentials for the "
    "traceability of critical minerals and metals."
)


@dataclass(frozen=True)
class Link:
    key: str  # the member name in the JSON form
    href: str
    title: str
    description: str


#: Everything a person can open, in the order the page lists it.
LINKS = (
    Link(
        "verify",
        "/verify",
        "Verify a product passport",
        "For buyers: check a credential and everything it links back to.",
    ),
    Link(
        "console",
        "/console",
        "Issuer console",
        "For certifiers: sign in with an API key to issue, list and revoke credentials.",
    ),
    Link("docs", "/docs", "API documentation", "The VC API, interactive (Swagger UI)."),
    Link("redoc", "/redoc", "API reference", "The same API as a readable reference (ReDoc)."),
    Link("openapi", "/openapi.json", "OpenAPI document", "The API contract, machine-readable."),
    Link(
        "vocabulary",
        "/vocab/",
        "Vocabulary",
        "The extension terms, their JSON-LD context and the profile schemas.",
    ),
    Link("health", "/healthz", "Health", "Liveness of this service."),
)


def wants_json(accept: str | None) -> bool:
    """JSON only when the client prefers it to HTML: a browser, ``*/*`` or no ``Accept`` at
    all get the page, so following the printed address always shows something readable."""
    if not accept:
        return False
    return quality(accept, "application/json") > quality(accept, "text/html")


@router.get("/")
async def landing(request: Request) -> Response:
    vary = {"Vary": "Accept"}
    if wants_json(request.headers.get("accept")):
        return JSONResponse(
            {
                "name": "vcservice",
                "version": __version__,
                "description": SUMMARY,
                "links": {link.key: link.href for link in LINKS},
                "examples": {example.name: example.href for example in CATALOGUE.values()},
            },
            headers=vary,
        )
    return page(
        "landing.html",
        summary=SUMMARY,
        links=LINKS,
        chains=CHAINS,
        failures=FAILURES,
        version=__version__,
        headers=vary,
    )
