"""The FastAPI application factory.

Tests build apps with their own settings and an injected :class:`Service`; nothing is created at
import time. ``vcservice serve`` (and so ``make run`` and the Docker image) calls
:func:`create_app` with settings from the environment.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from vcservice import __version__, logs
from vcservice.api.observability import Metrics, Observability
from vcservice.api.routers import (
    derive,
    docs,
    graphs,
    identifiers,
    issuer,
    landing,
    ledger,
    ops,
    public,
    registry,
    resolver,
    tenant_keys,
    verifier,
    vocab,
)
from vcservice.http import problems
from vcservice.http.limits import RequestLimits
from vcservice.service import Service
from vcservice.service.registry import COSE
from vcservice.settings import Settings
from vcservice.web import console_router
from vcservice.web import router as web_router
from vcservice.web.examples import router as examples_router
from vcservice.web.pages import refused_form
from vcservice.web.sessions import LoginThrottle


class _App(FastAPI):
    """FastAPI with the finishing touches on its OpenAPI document (built once, on first use)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        document = super().openapi()  # FastAPI caches it as self.openapi_schema
        problems.document_problems(document)
        if self.state.settings.verify_requires_auth:
            _require_auth(document, tag=verifier.TAG)
        return document


def _require_auth(document: dict[str, Any], *, tag: str) -> None:
    """Drop the empty (anonymous) security requirement from the operations tagged ``tag``."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if tag in operation.get("tags", ()) and "security" in operation:
                operation["security"] = [s for s in operation["security"] if s]


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or (service.settings if service else Settings())
    owned = service is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            app.state.service.close()

    app = _App(
        title="vcservice",
        version=__version__,
        summary="Issue and verify hash-linked W3C Verifiable Credentials for minerals traceability",
        # /docs and /redoc come from routers.docs: FastAPI's own load their assets from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = service or Service.from_settings(settings)
    app.state.metrics = Metrics()
    app.state.console_throttle = LoginThrottle()
    problems.install(app)
    for router in (
        issuer.router,
        tenant_keys.router,
        verifier.router,
        derive.router,
        graphs.router,
        identifiers.router,
        ledger.router,
        registry.router,
        resolver.router,
        public.router,
        vocab.router,
        ops.router,
        landing.router,
        docs.router,
        web_router,
        examples_router,
        console_router,
    ):
        app.include_router(router)
    app.add_middleware(
        RequestLimits,
        max_bytes=settings.max_body_bytes,
        max_depth=settings.max_json_depth,
        max_items=settings.max_json_items,
        form_paths=frozenset({"/verify"}),
        form_refusal=lambda status: refused_form(status, settings.max_body_bytes),
        form_prefixes=("/console/",),
        raw_paths={"/registry/entries": frozenset({COSE})},
    )
    app.add_middleware(Observability, metrics=app.state.metrics)
    return app


#: Seconds between GIL handoffs in a served worker (see :func:`create_app_from_env`).
SWITCH_INTERVAL = 0.0005


def create_app_from_env() -> FastAPI:
    """Entry point for uvicorn's ``--factory``: settings from the environment, JSON logs."""
    settings = Settings()
    logs.configure(settings.log_level)
    # A served worker runs verifications on threads (http/scheduling.py) beside its event loop.
    # CPython hands the GIL to a waiting thread only every switch interval (5 ms by default),
    # so a cheap request would wait 5 ms per handoff behind a costly one; 0.5 ms keeps the
    # loop and the light lane responsive (bench/hostile_http.py) for a few % of throughput.
    sys.setswitchinterval(SWITCH_INTERVAL)
    return create_app(settings)
