"""Fixtures for status-list tests: a fake clock, recording MockTransport hosts, list builders.

Nothing here touches the network: remote lists are served by ``httpx.MockTransport`` handlers,
and every request a handler sees is recorded so tests can count fetches and inspect headers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.fakes import FakeClock, Handler, Host
from vcservice.status import HttpStatusListFetcher, set_status, status_list_credential

LIST_URL = "https://status.example/lists/1"
ISSUER = "did:example:issuer"
LIST_BYTES = 16384  # the spec's minimum: 131072 one-bit entries


def bits_with(*indexes: int, length: int = LIST_BYTES) -> bytes:
    """A bitstring of ``length`` bytes with the given one-bit entries set."""
    bits = bytearray(length)
    for index in indexes:
        set_status(bits, index, 1)
    return bytes(bits)


def list_credential(
    *set_indexes: int,
    url: str = LIST_URL,
    issuer: str = ISSUER,
    purpose: str = "revocation",
    **options: Any,
) -> dict[str, Any]:
    """An unsigned list credential (tests with a fake ``verify_list`` need no proof)."""
    return status_list_credential(url, issuer, purpose, bits_with(*set_indexes), **options)


MakeFetcher = Callable[..., tuple[HttpStatusListFetcher, Host]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_fetcher(clock: FakeClock) -> Iterator[MakeFetcher]:
    """``make_fetcher(handler, client_options={...}, **fetcher_options)``; clients closed after."""
    clients: list[httpx.Client] = []

    def make(
        handler: Handler, *, client_options: dict[str, Any] | None = None, **options: Any
    ) -> tuple[HttpStatusListFetcher, Host]:
        host = Host(handler)
        client = httpx.Client(transport=httpx.MockTransport(host), **(client_options or {}))
        clients.append(client)
        options.setdefault("clock", clock)
        return HttpStatusListFetcher(client, **options), host

    yield make
    for client in clients:
        client.close()
