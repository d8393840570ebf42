"""Fixtures for DID tests: a fake clock and did:web resolvers over ``httpx.MockTransport``.

No test here touches the network except ``test_didweb_loopback.py``, which starts its own
server on 127.0.0.1. A "host" is a handler function; every request it sees is recorded so tests
can assert how many fetches happened and what was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.fakes import FakeClock, Handler, Host
from vcservice.dids import DidWebResolver


def document_for(did: str, **extra: Any) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/did/v1"], "id": did, **extra}


def serve_documents(documents: dict[str, dict[str, Any]]) -> Handler:
    """A handler serving ``{url: document}`` as JSON, 404 for anything else."""

    def handler(request: httpx.Request) -> httpx.Response:
        document = documents.get(str(request.url))
        if document is None:
            return httpx.Response(404, text="not found")
        return httpx.Response(200, json=document)

    return handler


MakeResolver = Callable[..., tuple[DidWebResolver, Host]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_resolver(clock: FakeClock) -> Iterator[MakeResolver]:
    """``make_resolver(handler, client_options={...}, **resolver_options)``.

    The resolver gets the test's fake clock unless ``clock=`` is passed; clients are closed at
    teardown.
    """
    clients: list[httpx.Client] = []

    def make(
        handler: Handler, *, client_options: dict[str, Any] | None = None, **options: Any
    ) -> tuple[DidWebResolver, Host]:
        host = Host(handler)
        client = httpx.Client(transport=httpx.MockTransport(host), **(client_options or {}))
        clients.append(client)
        options.setdefault("clock", clock)
        return DidWebResolver(client, **options), host

    yield make
    for client in clients:
        client.close()
