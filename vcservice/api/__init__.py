"""HTTP API (FastAPI). Built by :func:`create_app`; no app object exists at import time."""

from vcservice.api.app import create_app

__all__ = ["create_app"]
