"""``GET /verify`` (the form, or ``?url=`` from a QR code) and ``POST /verify`` (the result)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from vcservice.errors import BusyError, VCServiceError
from vcservice.http.deps import VerifierAccess
from vcservice.http.problems import RETRY_AFTER
from vcservice.http.scheduling import run_graph_verification
from vcservice.service import Service
from vcservice.store import StoreUnavailableError
from vcservice.web.inputs import Request as VerifyRequest
from vcservice.web.inputs import parse_input
from vcservice.web.render import page
from vcservice.web.view import page_model

router = APIRouter(include_in_schema=False, dependencies=[VerifierAccess])
_MAX_FIELD = 1 << 20


def _form(error: str | None = None, status: int = 200, **values: str) -> HTMLResponse:
    return page("verify.html", status, error=error, values=values)


def _verify(service: Service, request: VerifyRequest) -> HTMLResponse:
    report = service.graph_verifier().verify(
        request.root,
        trust_anchors=request.anchors,
        bundle=request.bundle,
        at=request.bundle.at,
        options=dict(request.bundle.options),
    )
    return page("result.html", 200, **page_model(report))


async def _run(
    service: Service, text: str, url: str, anchors: str, values: dict[str, str]
) -> HTMLResponse:
    settings = service.settings
    try:
        parsed = parse_input(
            text,
            url,
            anchors,
            default_anchors=settings.default_trust_anchors,
            max_depth=settings.max_json_depth,
            max_items=settings.max_json_items,
            max_bytes=settings.max_body_bytes,
        )
        return await run_graph_verification(service, _verify, service, parsed)
    except (StoreUnavailableError, BusyError) as exc:
        # Our own outage or load says nothing about the credential: no verdict, "try again".
        retry = str(exc.retry_after) if isinstance(exc, BusyError) else RETRY_AFTER
        return page(
            "verify.html",
            503,
            {"Retry-After": retry},
            error="The service is busy or restarting, so nothing was checked. Please try "
            "again in a few seconds.",
            values=values,
        )
    except VCServiceError as exc:
        return _form(f"This could not be verified: {exc}", 400, **values)


@router.get("/verify", response_class=HTMLResponse)
async def verify_form(request: Request, url: str = "", anchors: str = "") -> HTMLResponse:
    if not url:
        return _form(url="", anchors=anchors)
    service: Service = request.app.state.service
    return await _run(service, "", url, anchors, {"url": url, "anchors": anchors})


@router.post("/verify", response_class=HTMLResponse)
async def verify_submit(request: Request) -> HTMLResponse:
    service: Service = request.app.state.service
    try:
        form = await request.form(max_files=1, max_fields=8, max_part_size=_MAX_FIELD)
    except Exception:  # noqa: BLE001  (a malformed form is the buyer's input, never a 500)
        return _form("The form could not be read; please submit it again.", 400)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        text = fields.get("credential", "")
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            try:
                text = (await upload.read()).decode("utf-8")
            except UnicodeDecodeError:
                return _form("The uploaded file is not UTF-8 text (JSON or a JWS).", 400)
    finally:
        await form.close()
    url, anchors = fields.get("url", ""), fields.get("anchors", "")
    values = {"credential": fields.get("credential", ""), "url": url, "anchors": anchors}
    return await _run(service, text, url, anchors, values)
