"""What every suite receives: the implementations, their clients, fixtures, and how to report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import httpx

from conformance.client import VcApiClient
from conformance.config import Config, Implementation
from conformance.model import Result
from conformance.resolution import ContextRegistry


@dataclass
class SuiteContext:
    config: Config
    implementations: tuple[Implementation, ...]
    http: httpx.Client
    #: Root of the shared fixtures (W3C and UNTP inputs), when configured and present.
    fixtures: Path | None = None
    #: The repository's examples/ directory (chains, bundles, negative variants), if present.
    examples: Path | None = None
    #: Credential files for the ``files`` suite (``--file``); it is skipped without any.
    files: tuple[Path, ...] = ()
    _clients: dict[str, VcApiClient] = field(default_factory=dict)

    @cached_property
    def contexts(self) -> ContextRegistry:
        """The bundled JSON-LD contexts and the configured ones (``[settings] contexts``)."""
        return ContextRegistry(dict(self.config.contexts))

    def client(self, implementation: Implementation) -> VcApiClient:
        if implementation.name not in self._clients:
            self._clients[implementation.name] = VcApiClient(implementation, self.http)
        return self._clients[implementation.name]


#: A suite: yields results as it goes (the runner shows live counts).
Suite = Callable[[SuiteContext], Iterator[Result]]
