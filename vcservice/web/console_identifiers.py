"""The console's part of the identity resolver: registering a published credential as the
passport of a product identifier, and showing the identifier's QR code to print.

The form is on the credential's detail page; it posts with the console's CSRF token and is
answered by a redirect with a fixed notice, like every state change of the console. The
service refuses what the API refuses (a malformed identifier, one another tenant holds, a
credential that is not published), and the page says why in its words.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from vcservice.errors import VCServiceError
from vcservice.service import Service
from vcservice.service.identifiers import Registration
from vcservice.store import StoreUnavailableError
from vcservice.web.console import error_page, guarded_form, redirect, store_trouble
from vcservice.web.console_view import detail_href

router = APIRouter(prefix="/console", include_in_schema=False)
log = logging.getLogger("vcservice.console")
#: The longest identifier and credential id the form takes.
_MAX_FIELD = 2048


@router.post("/credential/identifier", response_class=HTMLResponse)
async def register_identifier(request: Request) -> Response:
    guarded = await guarded_form(request, max_fields=4)
    if isinstance(guarded, Response):
        return guarded
    user, fields = guarded
    credential_id = fields.get("id", "")
    text = fields.get("identifier", "").strip()
    if not 0 < len(credential_id) <= _MAX_FIELD or not 0 < len(text) <= _MAX_FIELD:
        return error_page(400, "Identifier not registered", "Give the product's identifier.", user)
    service: Service = request.app.state.service
    registration = Registration(text, "dpp", credential_id=credential_id)
    try:
        await run_in_threadpool(service.register_identifier, user.session.tenant, registration)
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)
    except VCServiceError as exc:
        return error_page(400, "Identifier not registered", exc.detail, user)
    log.info(
        "console identifier registered",
        extra={"tenant": user.session.tenant.name, "credential": credential_id},
    )
    return redirect(detail_href(credential_id, "registered"))
