"""The issuer console: sign in with an API key, list credentials, revoke, suspend, reinstate.

The list shows each credential by name, product, kind, date and status, a page at a time, and
searches them with a GET form (``?q=copper wire&page=2``): the matching is done by the store in
SQL over words extracted at issue time (see :mod:`vcservice.store._credentials`), so a tenant
with many credentials never has them all read into Python.

Pages under ``/console`` are server-rendered like the buyer page (no JavaScript, the same CSP)
and never cached. Every POST is answered with a redirect (post/redirect/get) carrying a
one-time notice from a fixed list (``?done=revoked``), never text from the request. The
issuing pages are in :mod:`vcservice.web.console_issue`; sessions, CSRF and the sign-in
throttle in :mod:`vcservice.web.sessions`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vcservice.errors import InputError, VCServiceError
from vcservice.service import Service, StatusChange, StatusPurpose
from vcservice.store import ConsoleSession, NotFoundError, StoreUnavailableError
from vcservice.web.console_view import (
    CredentialView,
    credential_view,
    detail_href,
    identifier_views,
)
from vcservice.web.render import page
from vcservice.web.sessions import (
    CSRF_PURPOSE,
    IDLE,
    LIFETIME,
    SESSION_COOKIE,
    TOUCH_EVERY,
    LoginThrottle,
    clear_session_cookie,
    client_address,
    csrf_token,
    csrf_valid,
    same_origin,
    secure_cookies,
    set_session_cookie,
    tried_key_bucket,
)

router = APIRouter(prefix="/console", include_in_schema=False)
#: An audit trail of sign-ins and status changes (never a key, token or credential content).
log = logging.getLogger("vcservice.console")

PAGE_SIZE = 25
MAX_PAGES = 40_000
#: The one-time notices a redirect may ask for; anything else in ``done`` is ignored.
NOTICES: Mapping[str, str] = {
    "signed-out": "You have signed out.",
    "expired": "Your session has ended. Please sign in again.",
    "issued": "The credential was issued.",
    "revoked": "The credential is revoked. Verifiers will now reject it.",
    "suspended": "The credential is suspended. Verifiers will reject it until it is reinstated.",
    "reinstated": "The credential is reinstated. Its suspension is lifted.",
    "registered": "The identifier is registered: scanning its QR code now leads to this "
    "credential.",
    "rotated": "A new signing key is in use. Your older keys are retired; what they signed "
    "still verifies.",
    "retired": "The key is retired. What it signed still verifies.",
    "deactivated": "Your DID is deactivated: it can sign nothing more. What it signed before "
    "still verifies.",
}
#: What a status form may ask for: (purpose, bit value, notice).
ACTIONS: Mapping[str, tuple[StatusPurpose, bool, str]] = {
    "revoke": ("revocation", True, "revoked"),
    "suspend": ("suspension", True, "suspended"),
    "reinstate": ("suspension", False, "reinstated"),
}
_MAX_VALUE = 1 << 20
_MAX_ID = 4096


@dataclass(frozen=True)
class SignedIn:
    """A request made within a live session, with what its pages need."""

    session: ConsoleSession
    token: str
    csrf: str

    def context(self, section: str) -> dict[str, Any]:
        return {"console": {"tenant": self.session.tenant, "csrf": self.csrf, "section": section}}


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def throttle_of(request: Request) -> LoginThrottle:
    throttle = getattr(request.app.state, "console_throttle", None)
    if not isinstance(throttle, LoginThrottle):
        throttle = LoginThrottle()
        request.app.state.console_throttle = throttle
    return throttle


def _csrf_key(service: Service) -> bytes:
    return service.derive_secret(CSRF_PURPOSE)


def notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def to_login(request: Request, done: str | None = None) -> RedirectResponse:
    """To the sign-in page; "your session has ended" only for a browser that had one."""
    if done is None and request.cookies.get(SESSION_COOKIE):
        done = "expired"
    return redirect("/console/login" + ("?" + urlencode({"done": done}) if done else ""))


async def signed_in(request: Request) -> SignedIn | None:
    """The live session of this request's cookie; None without one (or a dead one)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    service = service_of(request)
    session = await run_in_threadpool(service.session, token, idle=IDLE)
    if session is None:
        return None
    if datetime.now(UTC) - session.last_seen >= TOUCH_EVERY:
        await run_in_threadpool(service.touch_session, session.id)
    return SignedIn(session, token, csrf_token(_csrf_key(service), token))


async def read_form(request: Request, *, max_fields: int) -> dict[str, str] | None:
    """The text fields of a posted form, or None when it cannot be read (never a 500)."""
    try:
        form = await request.form(max_files=0, max_fields=max_fields, max_part_size=_MAX_VALUE)
    except Exception:  # noqa: BLE001  (a malformed form is the client's, never a 500)
        return None
    try:
        return {k: v for k, v in form.multi_items() if isinstance(v, str)}
    finally:
        await form.close()


def error_page(
    status: int,
    title: str,
    message: str,
    user: SignedIn | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    context = user.context("") if user else {}
    return page("console_error.html", status, headers, title=title, message=message, **context)


def forbidden(user: SignedIn | None = None) -> HTMLResponse:
    return error_page(
        403,
        "Request refused",
        "This form did not come from a page of this console, or it is out of date. Go back, "
        "reload the page and try again.",
        user,
    )


def unreadable(user: SignedIn | None = None) -> HTMLResponse:
    return error_page(
        400, "Form not readable", "The form could not be read; please try again.", user
    )


async def guarded_form(
    request: Request, *, max_fields: int
) -> tuple[SignedIn, dict[str, str]] | Response:
    """A state-changing POST's session and fields, or the response refusing it: sign-in for
    a dead session, 403 for a foreign origin or a bad CSRF token, 400 for an unreadable form."""
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    if not same_origin(request, service_of(request).settings.public_url):
        return forbidden(user)
    fields = await read_form(request, max_fields=max_fields)
    if fields is None:
        return unreadable(user)
    if not csrf_valid(_csrf_key(service_of(request)), user.token, fields.get("csrf", "")):
        return forbidden(user)
    return user, fields


def store_trouble(exc: StoreUnavailableError, user: SignedIn | None) -> HTMLResponse:
    return error_page(503, "Try again shortly", exc.detail, user, {"Retry-After": "5"})


# --- sign-in and sign-out ---------------------------------------------------------------------
def _login_page(
    request: Request, status: int = 200, error: str | None = None, **headers: str
) -> HTMLResponse:
    return page("console_login.html", status, headers, error=error, notice=notice(request))


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    if await signed_in(request) is not None:
        return redirect("/console")
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    service = service_of(request)
    if not same_origin(request, service.settings.public_url):
        return forbidden()
    throttle, client = throttle_of(request), client_address(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        return _too_many(request, wait)
    fields = await read_form(request, max_fields=4)
    if fields is None:
        return _login_page(request, 400, "The form could not be read; please try again.")
    api_key = fields.get("api_key", "").strip()
    # The second throttle key: the tenant key being tried (see tried_key_bucket), so guesses
    # at one key from many addresses are locked out together.
    bucket = tried_key_bucket(api_key)
    wait = throttle.retry_after(bucket) if bucket is not None else None
    if wait is not None:
        log.warning("console sign-in locked out (key)", extra={"client": client})
        return _too_many(request, wait, "with this key")
    opened = None
    if api_key:
        try:
            opened = await run_in_threadpool(
                service.open_session, api_key, lifetime=LIFETIME, idle=IDLE
            )
        except StoreUnavailableError as exc:
            return store_trouble(exc, None)
    if opened is None:
        throttle.failed(client)
        if bucket is not None:
            throttle.failed(bucket)
        log.warning("console sign-in refused", extra={"client": client})
        await asyncio.sleep(0.2)  # a little friction for a guesser, none for a typo
        wait = throttle.retry_after(client)
        if wait is not None:
            log.warning("console sign-in locked out", extra={"client": client})
            return _too_many(request, wait)
        wait = throttle.retry_after(bucket) if bucket is not None else None
        if wait is not None:
            log.warning("console sign-in locked out (key)", extra={"client": client})
            return _too_many(request, wait, "with this key")
        return _login_page(request, 401, "That API key is not valid. Check it and try again.")
    throttle.succeeded(client)
    if bucket is not None:
        throttle.succeeded(bucket)
    token, session = opened
    log.info("console sign-in", extra={"client": client, "tenant": session.tenant.name})
    previous = request.cookies.get(SESSION_COOKIE, "")
    if previous:  # signing in again replaces the session this browser had
        await run_in_threadpool(service.close_session, previous)
    response = redirect("/console")
    set_session_cookie(response, token, secure=secure_cookies(request, service.settings.public_url))
    return response


def _too_many(request: Request, wait: int, whence: str = "from your address") -> HTMLResponse:
    minutes = max(1, (wait + 59) // 60)
    return _login_page(
        request,
        429,
        f"Too many failed sign-ins {whence}. Try again in {minutes} "
        f"minute{'s' if minutes > 1 else ''}.",
        **{"Retry-After": str(wait)},
    )


@router.post("/logout")
async def logout(request: Request) -> Response:
    guarded = await guarded_form(request, max_fields=4)
    if isinstance(guarded, Response):
        return guarded
    user, _ = guarded
    service = service_of(request)
    await run_in_threadpool(service.close_session, user.token)
    response = to_login(request, "signed-out")
    clear_session_cookie(response, secure=secure_cookies(request, service.settings.public_url))
    return response


# --- credentials --------------------------------------------------------------------------
def _page_number(request: Request) -> int:
    try:
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGES)


def list_href(query: str, number: int) -> str:
    """The list's URL for page ``number`` of the search ``query`` (none when blank)."""
    params = {"q": query} if query else {}
    return "/console?" + urlencode({**params, "page": number})


@dataclass(frozen=True)
class Paging:
    """Where a page sits in a search's results: "21–40 of 63", and the links either side."""

    first: int
    last: int
    total: int
    previous: str | None
    next: str | None

    @property
    def range(self) -> str:
        return f"{self.first}–{self.last} of {self.total}"


def paging(query: str, number: int, shown: int, total: int) -> Paging:
    """The paging of page ``number`` (1-based) showing ``shown`` of ``total`` results."""
    first = (number - 1) * PAGE_SIZE + 1
    return Paging(
        first=first if shown else 0,
        last=first + shown - 1 if shown else 0,
        total=total,
        previous=list_href(query, number - 1) if number > 1 and total else None,
        next=list_href(query, number + 1) if number * PAGE_SIZE < total else None,
    )


@router.get("", response_class=HTMLResponse)
async def credentials(request: Request) -> Response:
    """The tenant's credentials, newest first, a page at a time; ``?q=`` keeps only those
    whose name, product, kind or id contain every word (searched in the store, in SQL)."""
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    service, tenant = service_of(request), user.session.tenant
    number = _page_number(request)
    query = " ".join(request.query_params.get("q", "").split())

    def load() -> tuple[list[CredentialView], int]:
        records, total = service.search_credentials(
            tenant, query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
        statuses = service.credential_statuses(tenant, [r.id for r in records])
        return [credential_view(r, statuses[r.id]) for r in records], total

    status, error = 200, None
    views: list[CredentialView] = []
    total = 0
    try:
        views, total = await run_in_threadpool(load)
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)
    except InputError as exc:  # a search too long or of too many words
        status, error = 400, f"{exc.detail[:1].upper()}{exc.detail[1:]}. Shorten it and try again."
    return page(
        "console_list.html",
        status,
        credentials=views,
        query=query,
        page_number=number,
        paging=paging(query, number, len(views), total),
        first_page=list_href(query, 1),
        error=error,
        notice=notice(request),
        **user.context("credentials"),
    )


async def _detail(
    request: Request,
    user: SignedIn,
    credential_id: str,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    service, tenant = service_of(request), user.session.tenant

    def load() -> Any:
        record = service.own_credential(tenant, credential_id)
        if record is None:
            return None
        statuses = service.credential_statuses(tenant, [record.id])[record.id]
        identifiers = service.credential_identifiers(tenant, record.id)
        return credential_view(record, statuses, full=True), identifiers

    loaded = await run_in_threadpool(load) if 0 < len(credential_id) <= _MAX_ID else None
    if loaded is None:  # another tenant's credential is as absent as one that never existed
        return error_page(
            404, "No such credential", "You have issued no credential with this id.", user
        )
    view, identifiers = loaded
    return page(
        "console_detail.html",
        status,
        credential=view,
        identifiers=identifier_views(service.settings.public_url, identifiers),
        error=error,
        notice=notice(request) if status == 200 else None,
        **user.context("credentials"),
    )


@router.get("/credential", response_class=HTMLResponse)
async def credential(request: Request) -> Response:
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    try:
        return await _detail(request, user, request.query_params.get("id", ""))
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)


@router.post("/credential/status", response_class=HTMLResponse)
async def change_status(request: Request) -> Response:
    guarded = await guarded_form(request, max_fields=8)
    if isinstance(guarded, Response):
        return guarded
    user, fields = guarded
    credential_id = fields.get("id", "")
    action = ACTIONS.get(fields.get("action", ""))
    if action is None or not 0 < len(credential_id) <= _MAX_ID:
        return error_page(400, "Unknown request", "The console cannot do that.", user)
    purpose, value, done = action
    if purpose == "revocation" and fields.get("confirm") != "yes":
        return await _detail(
            request,
            user,
            credential_id,
            status=400,
            error="Tick “I understand revocation is permanent” to revoke this credential.",
        )
    service = service_of(request)
    change = StatusChange(purpose, value)
    try:
        await run_in_threadpool(service.update_status, user.session.tenant, credential_id, [change])
    except NotFoundError:
        return error_page(
            404,
            "No such status entry",
            f"This credential has no {purpose} status entry, or is not one you issued.",
            user,
        )
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)
    except VCServiceError as exc:
        return error_page(400, "Status not changed", exc.detail, user)
    log.info(
        "console status change",
        extra={"tenant": user.session.tenant.name, "credential": credential_id, "done": done},
    )
    return redirect(detail_href(credential_id, done))
