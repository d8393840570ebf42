"""The key audit trail: per tenant, every key operation and every signature, hash-chained.

A certification body's certificates outlive its keys, so "which key was in force, and what did
it sign" must be answerable years later, and an edit of that record detectable. Each tenant has
its own chain, built like the ledger's (:mod:`vcservice.ledger.entries`): an event's hash is
``SHA-256(prev_hash || JCS(content))`` with 32 zero bytes before the first, where the content
is the event's kind, key, time and detail. The position is fixed by ``prev_hash``, so removing,
reordering or editing an event breaks every hash after it; :func:`first_break` finds where.

Kinds: ``created`` (a key made; detail: type, backend, purpose, public key), ``rotated`` (a new
signing key took over; detail: the keys retired by it), ``retired``, ``deactivated`` (the DID
itself, did:webvh), ``did-updated`` (a did:webvh log entry; detail: versionId) and ``signed`` (one
signature; detail: the credential or status list, its format and the SHA-256 of what was
issued).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from vcservice.jsonld import jcs
from vcservice.ledger.entries import GENESIS, timestamp

KeyEventKind = Literal["created", "rotated", "retired", "deactivated", "did-updated", "signed"]
KEY_EVENT_KINDS: tuple[KeyEventKind, ...] = (
    "created",
    "rotated",
    "retired",
    "deactivated",
    "did-updated",
    "signed",
)

__all__ = ["GENESIS", "KEY_EVENT_KINDS", "KeyEventKind", "event_hash", "first_break"]


class ChainedEvent(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def event(self) -> str: ...
    @property
    def key(self) -> str | None: ...
    @property
    def detail(self) -> dict[str, Any]: ...
    @property
    def chain_hash(self) -> str: ...


def event_hash(
    prev_hash: str, event: str, key: str | None, at: datetime, detail: dict[str, Any]
) -> str:
    """The hash (hex) of an event that follows ``prev_hash`` (hex)."""
    content = {"event": event, "key": key, "at": timestamp(at), "detail": detail}
    return hashlib.sha256(bytes.fromhex(prev_hash) + jcs(content)).hexdigest()


def first_break(events: Sequence[ChainedEvent], prev_hash: str = GENESIS) -> int | None:
    """The ``seq`` of the first event that is not where the chain says (a gap in the numbers,
    or a hash that its content and predecessor do not give), or None when all hold.
    ``prev_hash`` is the hash before ``events[0]`` (GENESIS when they start the trail)."""
    expected_seq = events[0].seq if events else 1
    for item in events:
        computed = event_hash(prev_hash, item.event, item.key, item.at, item.detail)
        if item.seq != expected_seq or item.chain_hash != computed:
            return item.seq
        prev_hash, expected_seq = item.chain_hash, expected_seq + 1
    return None
