"""Server-rendered HTML pages, with no external assets and no JavaScript.

``/verify``: the buyer-facing verification page. A buyer pastes or uploads a credential or a
graph bundle, or gives a URL (``/verify?url=`` is what a QR code on the goods links to); the
service verifies the provenance graph below it and answers in plain language, with the graph
drawn as an SVG picture.

``/console``: the issuer console. A certifier signs in with the tenant's API key, lists the
credentials it issued, revokes, suspends or reinstates them, and issues new attestations from
forms generated from the profile JSON Schemas, and sees its DID, keys and key audit trail
(rotating, retiring, deactivating a did:webvh).

The stylesheet is inlined and a strict Content-Security-Policy forbids every other origin.
"""

from fastapi import APIRouter

from vcservice.web import console, console_identifiers, console_issue, console_keys
from vcservice.web.pages import router

console_router = APIRouter(include_in_schema=False)
console_router.include_router(console.router)
console_router.include_router(console_issue.router)
console_router.include_router(console_keys.router)
console_router.include_router(console_identifiers.router)

__all__ = ["console_router", "router"]
