"""Settings for tests of did:webvh tenants: a public URL whose host has a dot (did:webvh, like
the library every resolver builds on, refuses a bare ``localhost``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from vcservice.settings import Settings

PUBLIC_URL = "http://issuer.localhost:8000"


def webvh_settings(tmp_path: Path, **extra: Any) -> Settings:
    """A service on a fresh SQLite file in ``tmp_path``, at :data:`PUBLIC_URL`."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url=PUBLIC_URL,
        secret_key=SecretStr("A" * 43),  # 32 bytes of base64url: tests only
        **extra,
    )
