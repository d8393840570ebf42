"""RFC 9457 problem details: one response shape for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vcservice.errors import (
    PROBLEM_BASE,
    CanonicalizationError,
    ContextNotAllowedError,
    InputError,
    KeyFormatError,
    ResolutionError,
    SigningError,
    VCServiceError,
)
from vcservice.issuing import CredentialRejectedError
from vcservice.store import ConflictError, NotFoundError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("vcservice.api")

#: Most specific class first.
_STATUS: tuple[tuple[type[VCServiceError], int], ...] = (
    (CredentialRejectedError, 422),
    (ContextNotAllowedError, 422),
    (NotFoundError, 404),
    (ConflictError, 409),
    (SigningError, 403),
    (CanonicalizationError, 422),
    (KeyFormatError, 400),
    (InputError, 400),
    (ResolutionError, 502),
)


def problem(
    status: int, title: str, detail: str, *, slug: str | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + (slug or f"http-{status}"),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_for(error: VCServiceError) -> int:
    return next((code for cls, code in _STATUS if isinstance(error, cls)), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(VCServiceError)
    async def _service_error(request: Request, exc: VCServiceError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if isinstance(exc, CredentialRejectedError):
            extra["errors"] = [c.to_dict() for c in exc.report.errors]
        return problem(status_for(exc), exc.title, exc.detail, slug=exc.slug, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"pointer": "/" + "/".join(str(p) for p in e.get("loc", ())[1:]), "detail": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors) or "invalid request"
        return problem(422, "Invalid request body", detail, slug="invalid-request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged")
