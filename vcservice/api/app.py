"""The FastAPI application factory.

Tests build apps with their own settings and dependencies; nothing is created at import time.
"""

from __future__ import annotations

from fastapi import FastAPI

from vcservice import __version__
from vcservice.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="vcservice",
        version=__version__,
        summary="Issue and verify hash-linked W3C Verifiable Credentials for minerals traceability",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings

    @app.get("/healthz", tags=["operations"], summary="Liveness probe")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
