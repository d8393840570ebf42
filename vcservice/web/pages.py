"""``GET /verify`` (the form, or ``?url=`` from a QR code), ``POST /verify`` (the result) and
the result links: ``/verify/r/{id}`` re-runs a stored input, with its JSON and PDF reports.

Every result goes through :func:`_graph_report`, the one verifier wiring of the page: a result
link, a report and the first run can never disagree because another path judged them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from vcservice.errors import BusyError, InputError, JsonTooLargeError, VCServiceError
from vcservice.graph import GraphReport
from vcservice.http.deps import VerifierAccess
from vcservice.http.problems import RETRY_AFTER, problem
from vcservice.http.scheduling import run_graph_verification
from vcservice.ingress import Limits
from vcservice.service import Service
from vcservice.store import StoreUnavailableError
from vcservice.web import report_pdf, share
from vcservice.web.inputs import MAX_FILES, Upload, assemble_uploads, parse_input
from vcservice.web.inputs import Request as VerifyRequest
from vcservice.web.render import page
from vcservice.web.share import SharedInput
from vcservice.web.view import anchor_source, page_model

router = APIRouter(include_in_schema=False, dependencies=[VerifierAccess])
_MAX_FIELD = 1 << 20
_BUSY = (
    "The service is busy or restarting, so nothing was checked. Please try again in a few seconds."
)
T = TypeVar("T")


def _form(error: str | None = None, status: int = 200, **values: str) -> HTMLResponse:
    return page("verify.html", status, error=error, values=values)


def _unknown_link(service: Service) -> HTMLResponse:
    days = service.settings.shared_result_days
    return _form(
        "This result link is not known here: it may be mistyped, or older than the "
        f"{days} days results are kept. Verify the credential again below to get a new one.",
        404,
    )


def _limits(service: Service) -> Limits:
    settings = service.settings
    return Limits(
        max_bytes=settings.max_body_bytes,
        max_depth=settings.max_json_depth,
        max_items=settings.max_json_items,
    )


def _parse(service: Service, given: SharedInput) -> VerifyRequest:
    settings = service.settings
    return parse_input(
        given.text,
        given.url,
        given.anchors,
        default_anchors=settings.default_trust_anchors,
        max_depth=settings.max_json_depth,
        max_items=settings.max_json_items,
        max_bytes=settings.max_body_bytes,
    )


def _graph_report(service: Service, request: VerifyRequest) -> GraphReport:
    return service.graph_verifier().verify(
        request.root,
        trust_anchors=request.anchors,
        bundle=request.bundle,
        at=request.bundle.at,
        options=dict(request.bundle.options),
    )


def _verify(
    service: Service,
    request: VerifyRequest,
    given: SharedInput,
    result_id: str | None,
    notes: tuple[str, ...] = (),
) -> HTMLResponse:
    """The result page. A first run stores the input (``result_id`` None) after judging it;
    a store that is out of order costs the page its share section, never the verdict.
    ``notes`` say how several uploaded files were put together (first run only)."""
    source = anchor_source(request, given.anchors, linked=result_id is not None)
    report = _graph_report(service, request)
    if result_id is None:
        result_id = share.remember(service, given)
    shared = (
        None
        if result_id is None
        else share.share_model(
            service, report, given, result_id, service.clock(), pinned_at=request.bundle.at
        )
    )
    model = page_model(report, request.url, source)
    return page("result.html", 200, **model, share=shared, upload_notes=notes)


def _json_report(
    service: Service, request: VerifyRequest, given: SharedInput, result_id: str
) -> Response:
    report = _graph_report(service, request)
    data = share.json_report(service, report, given, result_id, service.clock())
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(body, media_type="application/json", headers=_attachment(result_id, "json"))


def _pdf_report(
    service: Service, request: VerifyRequest, given: SharedInput, result_id: str
) -> Response:
    report = _graph_report(service, request)
    return report_pdf.report_response(service, report, request, given, result_id)


_attachment = report_pdf.attachment


async def _scheduled(service: Service, work: Callable[[], T]) -> T:
    return await run_graph_verification(service, work)


async def _run(
    service: Service, given: SharedInput, values: dict[str, str], notes: tuple[str, ...] = ()
) -> HTMLResponse:
    try:
        parsed = _parse(service, given)
        return await _scheduled(service, lambda: _verify(service, parsed, given, None, notes))
    except (StoreUnavailableError, BusyError) as exc:
        return _busy(exc, values)
    except VCServiceError as exc:
        return _form(f"This could not be verified: {exc}", 400, **values)


def _busy(exc: VCServiceError, values: dict[str, str]) -> HTMLResponse:
    """Our own outage or load says nothing about the credential: no verdict, "try again"."""
    retry = str(exc.retry_after) if isinstance(exc, BusyError) else RETRY_AFTER
    return page("verify.html", 503, {"Retry-After": retry}, error=_BUSY, values=values)


@router.get("/verify", response_class=HTMLResponse)
async def verify_form(request: Request, url: str = "", anchors: str = "") -> HTMLResponse:
    """The form, or the verdict for ``url``: a credential's address, or a product identifier
    scanned from its QR code, resolved first to the passport its linkset names (UNTP IDR:
    identifier -> linkset -> passport -> graph)."""
    if not url:
        return _form(url="", anchors=anchors)
    service: Service = request.app.state.service
    values = {"url": url, "anchors": anchors}
    try:
        found = await run_in_threadpool(service.passport_of, url)
    except (StoreUnavailableError, BusyError) as exc:
        return _busy(exc, values)
    except VCServiceError as exc:
        return _form(f"This product identifier could not be resolved: {exc}", 400, **values)
    if found is None:
        return await _run(service, SharedInput(text="", url=url, anchors=anchors), values)
    identifier, passport = found
    ours = identifier.url(service.settings.public_url)
    # Another host's identifier is named as given: its linkset, not ours, chose the passport.
    scanned = ours if url.startswith(service.settings.public_url + "/") else url
    note = f"The identifier {scanned} led to its product passport {passport}."
    given = SharedInput(text="", url=passport, anchors=anchors)
    return await _run(service, given, values, (note,))


def refused_form(status: int, max_bytes: int) -> HTMLResponse:
    """The form again, for a post the request limits refused before it was read (the
    middleware's answer on ``/verify``): too large, or not a form at all."""
    if status == 413:
        size = f"{max_bytes / (1 << 20):.3g} MB" if max_bytes >= 1 << 20 else f"{max_bytes} bytes"
        return _form(
            f"Too large: the files (or the pasted text) may hold at most {size} together. "
            "Upload fewer files at once, or give the credential's address instead.",
            413,
        )
    return _form("The form could not be read; please submit it again.", status)


_TOO_MANY = (
    f"Too many files: at most {MAX_FILES} can be verified at once. Upload the passport and "
    "the credentials it links to, or one graph bundle holding them all."
)


@router.post("/verify", response_class=HTMLResponse)
async def verify_submit(request: Request) -> HTMLResponse:
    """One file or pasted text is read as before; several files are put together into one
    bundle (:func:`assemble_uploads`), which is then verified, stored and shared like a pasted
    bundle, so the result link and the reports need to know nothing about uploads."""
    service: Service = request.app.state.service
    try:
        form = await request.form(max_files=MAX_FILES, max_fields=8, max_part_size=_MAX_FIELD)
    except HTTPException as exc:
        if str(exc.detail).startswith("Too many files"):
            return _form(_TOO_MANY, 400)
        return _form("The form could not be read; please submit it again.", 400)
    except Exception:  # noqa: BLE001  (a malformed form is the buyer's input, never a 500)
        return _form("The form could not be read; please submit it again.", 400)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        chosen = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
        uploads = [Upload(str(f.filename), await f.read()) for f in chosen]
    finally:
        await form.close()
    url, anchors = fields.get("url", ""), fields.get("anchors", "")
    values = {"credential": fields.get("credential", ""), "url": url, "anchors": anchors}
    text = fields.get("credential", "")
    notes: tuple[str, ...] = ()
    if len(uploads) == 1:
        try:
            text = uploads[0].data.decode("utf-8")
        except UnicodeDecodeError:
            return _form("The uploaded file is not UTF-8 text (JSON or a JWS).", 400, **values)
    elif uploads:
        try:
            assembled = assemble_uploads(uploads, _limits(service))
        except InputError as exc:
            status = 413 if isinstance(exc, JsonTooLargeError) else 400
            return _form(f"These files could not be verified: {exc.detail}", status, **values)
        text, notes = assembled.text, assembled.notes
    return await _run(service, SharedInput(text=text, url=url, anchors=anchors), values, notes)


# --- result links -------------------------------------------------------------------------
Work = Callable[[Service, VerifyRequest, SharedInput, str], Any]


async def _rerun(request: Request, result_id: str, work: Work, *, as_json: bool) -> Response:
    """Load a stored input and run ``work`` on it, answering every failure in plain words:
    an HTML page, or problem details for the JSON report."""
    service: Service = request.app.state.service
    try:
        given = share.recall(service, result_id)
        if given is None:
            if as_json:
                return _problem_unknown(service)
            return _unknown_link(service)
        parsed = _parse(service, given)
        response: Response = await _scheduled(
            service, lambda: work(service, parsed, given, result_id)
        )
        return response
    except (StoreUnavailableError, BusyError) as exc:
        if as_json:
            return problem(503, "Service busy", _BUSY, slug="store-unavailable")
        return _busy(exc, {})
    except VCServiceError as exc:
        if as_json:
            return problem(400, "Could not be verified", str(exc), slug="input")
        return _form(f"This could not be verified: {exc}", 400)


def _problem_unknown(service: Service) -> JSONResponse:
    days = service.settings.shared_result_days
    return problem(
        404,
        "Unknown result link",
        f"No result is stored under this link: mistyped, or older than {days} days.",
        slug="not-found",
    )


@router.get("/verify/r/{result_id}", response_class=HTMLResponse)
async def shared_result(request: Request, result_id: str) -> Response:
    return await _rerun(request, result_id, _verify, as_json=False)


@router.get("/verify/r/{result_id}/report.json")
async def shared_json_report(request: Request, result_id: str) -> Response:
    return await _rerun(request, result_id, _json_report, as_json=True)


@router.get("/verify/r/{result_id}/report.pdf")
async def shared_pdf_report(request: Request, result_id: str) -> Response:
    return await _rerun(request, result_id, _pdf_report, as_json=False)
