"""RFC 9457 problem details: one response shape for every error the API returns.

:func:`problem` builds the responses; :func:`problem_responses` declares them in OpenAPI (as
``application/problem+json`` with the :class:`~vcservice.http.models.ProblemDetails` schema) and
:func:`document_problems` adds that schema to the published document.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vcservice.errors import (
    PROBLEM_BASE,
    BusyError,
    CanonicalizationError,
    ConsistencyError,
    ContextNotAllowedError,
    DidLogError,
    HomeRefusedError,
    HomeUnavailableError,
    InputError,
    KeyFormatError,
    ResolutionError,
    SchemaUnusableError,
    SigningError,
    StaleWitnessError,
    VCServiceError,
    VerificationMethodError,
)
from vcservice.http.models import ProblemDetails
from vcservice.issuing import CredentialRejectedError
from vcservice.ledger import UnbalanceableError
from vcservice.store import ConflictError, KeyVaultError, NotFoundError, StoreUnavailableError

PROBLEM_JSON = "application/problem+json"
#: Seconds a client should wait before retrying a 503 (the database restarting, or busy): sent
#: as ``Retry-After`` with every 503, so an outage reads as "try again", never as a verdict.
RETRY_AFTER = "5"
log = logging.getLogger("vcservice.api")

#: Most specific class first.
_STATUS: tuple[tuple[type[VCServiceError], int], ...] = (
    (CredentialRejectedError, 422),
    (UnbalanceableError, 422),
    (ContextNotAllowedError, 422),
    (NotFoundError, 404),
    (ConflictError, 409),
    (SigningError, 403),
    (CanonicalizationError, 422),
    (KeyFormatError, 400),
    (DidLogError, 422),
    (VerificationMethodError, 400),
    (ConsistencyError, 400),
    (InputError, 400),
    (ResolutionError, 502),
    (StoreUnavailableError, 503),
    (HomeUnavailableError, 503),
    (BusyError, 503),
    (KeyVaultError, 500),
    (SchemaUnusableError, 500),
    (VCServiceError, 400),  # the base, should one be raised bare
)

#: What each status means, unless an operation says more precisely.
_MEANING: dict[int, str] = {
    400: "Unusable request: malformed JSON (or not Unicode text), a bad Content-Length, too "
    "deep or too many items, or input the service cannot use",
    401: "No API key, or one that is not valid",
    403: "Not allowed",
    404: "Not found",
    409: "Conflicts with stored state",
    413: "The request body is larger than the configured limit",
    415: "A request body that is not application/json (or application/*+json)",
    422: "The request does not match this operation's schema",
    503: "The database is unavailable or busy; try again",
}

_REF = "#/components/schemas/"

#: Every operation with a request body: the request limits answer before the operation does.
BODY_PROBLEMS = (400, 413, 415, 422)


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + (slug or f"http-{status}"),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    sent = dict(headers or {})
    if status == 401:
        sent.setdefault("WWW-Authenticate", "Bearer")
    if status == 503:
        sent.setdefault("Retry-After", RETRY_AFTER)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=sent or None)


def problem_responses(
    *codes: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries: problem details for each of ``codes``."""
    described = described or {}
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {
            "description": described.get(code) or _MEANING[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": _REF + ProblemDetails.__name__}}},
        }
        if code == 401:
            entry["headers"] = {
                "WWW-Authenticate": {
                    "description": "Always `Bearer`",
                    "schema": {"type": "string"},
                }
            }
        if code == 503:
            entry["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "string"},
                }
            }
        responses[code] = entry
    return responses


def document_problems(openapi: dict[str, Any]) -> None:
    """Add :class:`ProblemDetails` (and the models it uses) to ``components.schemas``."""
    schema = ProblemDetails.model_json_schema(ref_template=_REF + "{model}", mode="serialization")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas[ProblemDetails.__name__] = schema


def status_for(error: VCServiceError) -> int:
    return next((code for cls, code in _STATUS if isinstance(error, cls)), 400)


def _extra(exc: VCServiceError) -> dict[str, Any]:
    """The members of the problem details of ``exc`` beyond the standard ones."""
    extra: dict[str, Any] = {}
    if isinstance(exc, CredentialRejectedError):
        extra["errors"] = [c.to_dict() for c in exc.report.errors]
    if isinstance(exc, HomeRefusedError) and exc.home_problem:
        extra["homeProblem"] = exc.home_problem  # the home's own problem detail, unchanged
    if isinstance(exc, StaleWitnessError):
        extra["knownSize"] = exc.known_size
    return extra


def problem_details(exc: VCServiceError) -> dict[str, Any]:
    """The problem details the API answers ``exc`` with, as a JSON object (for an answer
    that carries several, such as a batch's items); a 500's says nothing more, as above."""
    status = status_for(exc)
    if status == 500:
        log.error("service error", exc_info=exc)
        return {
            "type": PROBLEM_BASE + "http-500",
            "title": "Internal error",
            "status": 500,
            "detail": "an unexpected error occurred; it has been logged",
        }
    body = {
        "type": PROBLEM_BASE + (exc.slug or f"http-{status}"),
        "title": exc.title,
        "status": status,
        "detail": exc.detail,
    }
    return {**body, **_extra(exc)}


def install(app: FastAPI) -> None:
    @app.exception_handler(VCServiceError)
    async def _service_error(request: Request, exc: VCServiceError) -> JSONResponse:
        extra = _extra(exc)
        status = status_for(exc)
        if status == 500:  # the operator's fault (a wrong secret key): say nothing more
            log.error("service error", exc_info=exc, extra={"path": request.url.path})
            return _internal_error()
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, BusyError) else None
        return problem(status, exc.title, exc.detail, slug=exc.slug, headers=headers, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"pointer": "/" + "/".join(str(p) for p in e.get("loc", ())[1:]), "detail": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors) or "invalid request"
        return problem(422, "Invalid request", detail, slug="invalid-request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The headers matter: Allow on a 405, for one.
        return problem(exc.status_code, str(exc.detail), str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return _internal_error()


def _internal_error() -> JSONResponse:
    return problem(500, "Internal error", "an unexpected error occurred; it has been logged")
