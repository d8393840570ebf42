"""Verification as the service does it: the online wiring of :mod:`vcservice.verifiers`, with
the service's own DIDs and status lists answered from its database.

The service is self-sufficient: its own did:web, its tenants' DIDs and the status lists it
hosts never cost an HTTP round trip to itself; everything else goes through the bounded
network resolvers on the service's one outbound client.
"""

from __future__ import annotations

from typing import Any, Protocol

from vcservice.errors import ResolutionError


class Hosted(Protocol):
    """What the service hosts, as :class:`Local` reads it (the service facade)."""

    @property
    def service_did(self) -> str: ...

    @property
    def did_prefix(self) -> str: ...

    @property
    def status_list_prefix(self) -> str: ...

    def service_did_document(self) -> dict[str, Any]: ...

    def did_document(self, name: str) -> dict[str, Any] | None: ...

    def did_log(self, name: str) -> tuple[str, str | None] | None: ...

    def webvh_name(self, did: str) -> str | None: ...

    def local_webvh_document(self, did: str) -> dict[str, Any] | None: ...

    def status_list_credential(self, list_id: str) -> tuple[Any, str] | None: ...


class Local:
    """This service's own DID, its tenants' DIDs and the status lists it hosts, answered from
    the store (a :class:`~vcservice.verifiers.LocalSource`); None for anything else.

    It reads ``hosted`` on every call, never a copy: the store behind it may be replaced.
    """

    def __init__(self, hosted: Hosted) -> None:
        self._hosted = hosted

    def did_document(self, did: str) -> dict[str, Any] | None:
        hosted = self._hosted
        if did == hosted.service_did:
            return hosted.service_did_document()
        if did.startswith("did:webvh:"):
            self.did_log(did)  # ours but unknown: could not check
            return hosted.local_webvh_document(did)
        prefix = hosted.did_prefix
        if not did.startswith(prefix):
            return None
        document = hosted.did_document(did[len(prefix) :])
        if document is None:
            raise ResolutionError(f"{did} is not a tenant of this service")
        return document

    def did_log(self, did: str) -> tuple[str, str | None] | None:
        """A did:webvh tenant's log as hosted here; None for a DID not hosted here."""
        name = self._hosted.webvh_name(did)
        if name is None:
            return None
        log = self._hosted.did_log(name)
        if log is None:
            raise ResolutionError(f"{did} is not a tenant of this service")
        if not log[0]:
            raise ResolutionError(f"{did} has no version approved by its witnesses yet")
        return log

    def status_list(self, url: str) -> Any | None:
        prefix = self._hosted.status_list_prefix
        if not url.startswith(prefix):
            return None
        signed = self._hosted.status_list_credential(url[len(prefix) :])
        if signed is None:
            raise ResolutionError(f"no status list at {url}")
        return signed[0]
