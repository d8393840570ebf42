"""Issuer-console sessions: signing in with an API key, the session behind a cookie, and the
key the console's CSRF tokens are made with. The rules (lifetimes, throttling, cookies) are
the console's (:mod:`vcservice.web.sessions`); this is what it needs from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from vcservice.store import ConsoleSession, Store


@dataclass(frozen=True)
class Sessions:
    store: Store

    def open(
        self, api_key: str, *, lifetime: timedelta, idle: timedelta
    ) -> tuple[str, ConsoleSession] | None:
        """A new session (its cookie token and record), or None for an API key not valid."""
        return self.store.open_console_session(api_key, lifetime=lifetime, idle=idle)

    def get(self, token: str, *, idle: timedelta) -> ConsoleSession | None:
        return self.store.console_session(token, idle=idle)

    def touch(self, session_id: str) -> bool:
        return self.store.touch_console_session(session_id)

    def close(self, token: str) -> None:
        self.store.close_console_session(token)

    def secret(self, purpose: bytes) -> bytes:
        """A 32-byte key for ``purpose``, stable across restarts and replicas."""
        return self.store.derive_secret(purpose)
