"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), working offline.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so on a machine without Internet
access ``/docs`` is blank, and every visit tells a third party that someone reads this API.
Here the pages load only files this service serves under ``/docs/assets/``: the Swagger UI and
ReDoc bundles that the ``fastapi-offline`` package ships (kept up to date there, installed with
the service, so the wheel needs no copies of its own), and the few lines that start Swagger UI.
That start script is a file rather than an inline ``<script>`` so that the pages' CSP can allow
scripts from this origin alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from vcservice.http.problems import problem
from vcservice.web.render import page

router = APIRouter(include_in_schema=False)

ASSETS_PATH = "/docs/assets"

#: The service's own origin only. Swagger UI's and ReDoc's stylesheets embed their icons as
#: ``data:`` images; ReDoc's styled-components insert ``<style>`` elements at run time and its
#: search index runs in a worker made from a ``blob:`` URL, both created by its own script.
_COMMON = (
    "default-src 'none'; script-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SWAGGER_CSP = f"{_COMMON}; style-src 'self'"
REDOC_CSP = f"{_COMMON}; style-src 'self' 'unsafe-inline'; worker-src blob:"

#: Swagger UI's start, with FastAPI's defaults; the document's address comes from the page.
#: ``validatorUrl: null``: no badge asking swagger.io to validate the document.
SWAGGER_INIT = b"""\
"use strict";
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


@dataclass(frozen=True)
class Asset:
    media_type: str
    packaged: str | None  # file name in fastapi_offline/static, or None for SWAGGER_INIT
    #: Addresses elsewhere that the file would load by itself, blanked when served.
    off_site: tuple[bytes, ...] = ()


_JS = "text/javascript; charset=utf-8"
ASSETS = {
    "swagger-ui-bundle.js": Asset(_JS, "swagger-ui-bundle.js"),
    "swagger-ui.css": Asset("text/css; charset=utf-8", "swagger-ui.css"),
    "swagger-init.js": Asset(_JS, None),
    # ReDoc's side menu always shows Redocly's logo from their CDN (no option turns it off);
    # with an empty address the image fails at once and ReDoc drops it, the credit line stays.
    "redoc.standalone.js": Asset(
        _JS, "redoc.standalone.js", off_site=(b"https://cdn.redoc.ly/redoc/logo-mini.svg",)
    ),
    "favicon.png": Asset("image/png", "favicon.png"),
}


@cache
def _content(name: str) -> tuple[bytes, str]:
    """The asset's bytes and a strong ETag, read once per process."""
    asset = ASSETS[name]
    if asset.packaged is None:
        data = SWAGGER_INIT
    else:
        data = files("fastapi_offline").joinpath("static", asset.packaged).read_bytes()
    for address in asset.off_site:
        data = data.replace(address, b"")
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _page(request: Request, template: str, csp: str) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return page(
        template,
        headers={"Content-Security-Policy": csp},
        title=request.app.title,
        openapi_url=f"{root}{request.app.openapi_url}",
        assets=f"{root}{ASSETS_PATH}",
    )


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return _page(request, "docs_swagger.html", SWAGGER_CSP)


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return _page(request, "docs_redoc.html", REDOC_CSP)


@router.get(ASSETS_PATH + "/{name}")
async def asset(request: Request, name: str) -> Response:
    """One of :data:`ASSETS` (any other name is a 404 problem); cached, revalidated by ETag."""
    if name not in ASSETS:
        return problem(404, "Not Found", f"no documentation asset {name}")
    data, etag = _content(name)
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=ASSETS[name].media_type, headers=headers)
