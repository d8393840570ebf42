"""The buyer-facing verification page (``/verify``): server-rendered HTML, no external assets.

A buyer pastes or uploads a credential or a graph bundle, or gives a URL (``/verify?url=`` is
what a QR code on the goods links to); the service verifies the provenance graph below it and
answers in plain language, with the graph drawn as an SVG picture. No JavaScript, no CDN: the
stylesheet is inlined and a strict Content-Security-Policy forbids every other origin.
"""

from vcservice.web.pages import router

__all__ = ["router"]
