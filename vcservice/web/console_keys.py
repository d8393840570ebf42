"""The console's Keys page: the tenant's DID, its signing keys, rotation, and the audit trail.

A certification body's officer sees here which key signs now, which keys were retired and
when, how many signatures each made, and every key operation in the hash-chained audit trail
(:mod:`vcservice.keys.audit`), newest first, with a line saying whether the whole trail still
verifies. The trail is read in batches of :data:`CHECK_BATCH` and rechecked on every view: the
length that newest-first paging needs comes from the same pass, and a database edit shows on
the next look rather than at the next audit.

Rotate, retire and (did:webvh) deactivate are POST forms with the console's CSRF token, each
answered by a redirect with a fixed notice; deactivation is permanent, so like revocation it
needs a ticked confirmation, checked again here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from vcservice.errors import VCServiceError
from vcservice.http.problems import status_for
from vcservice.keys import KeyType
from vcservice.keys.audit import GENESIS, first_break
from vcservice.service import Service
from vcservice.store import KeyEvent, KeyRecord, StoreUnavailableError, Tenant
from vcservice.web.console import (
    MAX_PAGES,
    SignedIn,
    guarded_form,
    notice,
    redirect,
    service_of,
    signed_in,
    store_trouble,
    to_login,
)
from vcservice.web.render import page

router = APIRouter(prefix="/console", include_in_schema=False)
log = logging.getLogger("vcservice.console")

#: Audit events shown per page.
EVENTS_PER_PAGE = 25
#: Events read per query while the trail is checked.
CHECK_BATCH = 1000
#: By :class:`~vcservice.keys.KeyType` value, as keys and audit details name them.
KEY_TYPE_NAMES: Mapping[str, str] = {
    KeyType.ED25519.value: "Ed25519",
    KeyType.P256.value: "P-256 (ECDSA)",
    KeyType.P384.value: "P-384 (ECDSA)",
}
METHOD_NAMES: Mapping[str, str] = {
    "web": "did:web: hosted here; keys can rotate",
    "webvh": "did:webvh: hosted here, with a verifiable history of every key change",
    "key": "did:key: derived from its one key, which can never rotate",
}
BACKEND_NAMES: Mapping[str, str] = {
    "vault": "Vault: encrypted in the service's database",
    "pkcs11": "Hardware token (PKCS#11): generated in it, never out of it",
}


@dataclass(frozen=True)
class TrailCheck:
    """The whole trail, rechecked: its last seq, its length, and the first seq that does not
    chain (None: it all verifies)."""

    last_seq: int
    count: int
    broken_at: int | None


@dataclass(frozen=True)
class KeyRow:
    fragment: str
    type: str
    active: bool
    retired: str | None
    backend: str
    signatures: int


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: str
    at_iso: str
    event: str
    key: str
    summary: str


def check_trail(service: Service, tenant: Tenant) -> TrailCheck:
    """Read the whole trail a batch at a time, chaining each batch onto the hash the one
    before ended with (not the one the store offers), so an edit, a removal or a reordering
    anywhere is found. Cutting events off the end is not: nothing outside the trail
    remembers its length."""
    previous, last_seq, count, broken = GENESIS, 0, 0, None
    while events := service.key_events(tenant, after=last_seq, limit=CHECK_BATCH)[0]:
        if broken is None:
            broken = first_break(events, previous)
        previous, last_seq, count = events[-1].chain_hash, events[-1].seq, count + len(events)
    return TrailCheck(last_seq, count, broken)


def summary(event: KeyEvent) -> str:
    """One line saying what an event records, from its detail."""
    detail = event.detail
    if event.event == "created":
        kind = KEY_TYPE_NAMES.get(str(detail.get("keyType")), "")
        update = detail.get("purpose") == "update"
        purpose = "update key (signs the DID's log)" if update else "signing key"
        return f"{kind} {purpose}, {detail.get('backend', 'vault')}"
    if event.event == "rotated":
        retired = ", ".join(str(k) for k in detail.get("retired", [])) or "none"
        return f"took over; retired: {retired}"
    if event.event == "signed":
        what = detail.get("credential") or detail.get("statusList") or ""
        fmt = f" ({detail['format']})" if "format" in detail else ""
        return f"signed {what}{fmt}"
    if event.event == "did-updated":
        return f"DID version {detail.get('versionId', '')}"
    version = detail.get("didVersion")
    return f"DID version {version}" if version else ""


def event_row(event: KeyEvent) -> EventRow:
    return EventRow(
        seq=event.seq,
        at=event.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        at_iso=event.at.isoformat(),
        event=event.event,
        key=event.key or "—",
        summary=summary(event),
    )


def key_row(record: KeyRecord, signatures: Mapping[str, int]) -> KeyRow:
    return KeyRow(
        fragment=record.fragment,
        type=KEY_TYPE_NAMES[record.key_type.value],
        active=record.active,
        retired=record.retired_at.strftime("%Y-%m-%d %H:%M UTC") if record.retired_at else None,
        backend=record.backend,
        signatures=signatures.get(record.fragment, 0),
    )


def keys_href(number: int, done: str | None = None) -> str:
    params: dict[str, Any] = {"page": number} if number > 1 else {}
    if done:
        params["done"] = done
    return "/console/keys" + ("?" + urlencode(params) if params else "")


def _page_number(request: Request) -> int:
    try:
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGES)


async def _render(
    request: Request, user: SignedIn, *, status: int = 200, error: str | None = None
) -> Response:
    service, tenant = service_of(request), user.session.tenant
    number = _page_number(request)

    def load() -> tuple[list[KeyRecord], dict[str, int], TrailCheck, list[KeyEvent]]:
        trail = check_trail(service, tenant)
        newest = trail.last_seq - (number - 1) * EVENTS_PER_PAGE
        events: list[KeyEvent] = []
        if newest > 0:
            after = max(0, newest - EVENTS_PER_PAGE)
            events = service.key_events(tenant, after=after, limit=newest - after)[0]
        return service.keys(tenant), service.signature_counts(tenant), trail, events

    records, counts, trail, events = await run_in_threadpool(load)
    method = tenant.did_method
    active = [r for r in records if r.active]
    pages = max(1, -(-trail.last_seq // EVENTS_PER_PAGE))
    return page(
        "console_keys.html",
        status,
        method=method,
        method_name=METHOD_NAMES[method],
        backend_name=BACKEND_NAMES[tenant.key_backend],
        options=tenant.did_options or {},
        keys=[key_row(r, counts) for r in records],
        deactivated=method == "webvh" and not active,
        can_rotate=method != "key" and bool(active),
        can_retire=len(active) > 1,
        key_types=list(KEY_TYPE_NAMES.items()),
        current_type=(active[-1].key_type if active else KeyType.ED25519).value,
        trail=trail,
        events=[event_row(e) for e in reversed(events)],
        page_number=number,
        pages=pages,
        newer=keys_href(number - 1) if number > 1 else None,
        older=keys_href(number + 1) if number < pages else None,
        error=error,
        notice=notice(request) if status == 200 else None,
        **user.context("keys"),
    )


@router.get("/keys", response_class=HTMLResponse)
async def keys(request: Request) -> Response:
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    try:
        return await _render(request, user)
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)


async def _change(request: Request, done: str) -> Response:
    """One key change from a guarded form (``done``: rotated, retired or deactivated); on
    refusal, the page again with the reason."""
    guarded = await guarded_form(request, max_fields=4)
    if isinstance(guarded, Response):
        return guarded
    user, fields = guarded
    service, tenant = service_of(request), user.session.tenant
    if done == "deactivated" and fields.get("confirm") != "yes":
        error = "Tick “I understand deactivation is permanent” to deactivate this DID."
        return await _render(request, user, status=400, error=error)
    try:
        if done == "rotated":
            key_type = KeyType(fields.get("key_type", ""))
            await run_in_threadpool(service.add_key, tenant, key_type)
        elif done == "retired":
            await run_in_threadpool(service.retire_key, tenant, fields.get("fragment", "")[:64])
        else:
            await run_in_threadpool(service.deactivate_did, tenant)
    except ValueError:  # a key type the form does not offer
        return await _render(request, user, status=400, error="Choose a key type from the list.")
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)
    except VCServiceError as exc:
        status = status_for(exc)
        if status >= 500:  # the key store's set-up: for the operator's log, not the page
            log.error("console key change failed", exc_info=exc, extra={"tenant": tenant.name})
            message = "The key store cannot be used right now. Ask the service's operator."
        else:
            message = f"{exc.detail[:1].upper()}{exc.detail[1:]}."
        return await _render(request, user, status=status, error=message)
    log.info("console key change", extra={"tenant": tenant.name, "done": done})
    return redirect(keys_href(1, done))


@router.post("/keys/rotate", response_class=HTMLResponse)
async def rotate(request: Request) -> Response:
    return await _change(request, "rotated")


@router.post("/keys/retire", response_class=HTMLResponse)
async def retire(request: Request) -> Response:
    return await _change(request, "retired")


@router.post("/keys/deactivate", response_class=HTMLResponse)
async def deactivate(request: Request) -> Response:
    return await _change(request, "deactivated")
