"""Issuing from the console: a form generated from a profile's JSON Schemas, checked by the
same validation an API client's pre-flight runs, then issued like ``POST /credentials/issue``.

The form (:mod:`vcservice.web.schema_form`) only helps to write the JSON; whether it is valid is
decided by :func:`vcservice.schema_validation.validate_document`, and each finding comes back
next to the field it is about. Nothing is issued while any finding stands, so a certifier sees
every problem at once instead of one refusal at a time.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from vcservice.errors import VCServiceError
from vcservice.http.problems import status_for
from vcservice.schema_validation import validate_document
from vcservice.service import IssueCommand, Service, StatusPurpose
from vcservice.store import StoreUnavailableError, Tenant
from vcservice.web import schema_form
from vcservice.web.console import (
    SignedIn,
    error_page,
    guarded_form,
    redirect,
    service_of,
    signed_in,
    store_trouble,
    to_login,
)
from vcservice.web.console_view import detail_href
from vcservice.web.render import page

router = APIRouter(prefix="/console", include_in_schema=False)
log = logging.getLogger("vcservice.console")

#: Generous for the deepest profile with many array items, still a bound on parsing work.
MAX_FIELDS = 2000
#: The console's own controls beside the generated fields (whose names are JSON pointers).
CONTROLS = ("csrf", "format", "revocable", "suspendable", "publish")


@dataclass(frozen=True)
class Options:
    """How to issue: the securing format and the status entries to allocate."""

    format: str
    revocable: bool = True
    suspendable: bool = True
    publish: bool = False

    def command(self, credential: dict[str, Any]) -> IssueCommand:
        """Issue ``credential`` as these options say."""
        wanted: tuple[tuple[StatusPurpose, bool], ...] = (
            ("revocation", self.revocable),
            ("suspension", self.suspendable),
        )
        return IssueCommand(
            credential,
            format=self.format,
            status_purposes=tuple(p for p, on in wanted if on),
            publish=self.publish,
        )


def _form(profile: str) -> schema_form.SchemaForm | None:
    try:
        return schema_form.form_for(profile)
    except KeyError:
        return None


def _render(
    user: SignedIn,
    draft: schema_form.Draft,
    formats: list[str],
    options: Options,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    return page(
        "console_issue_form.html",
        status,
        draft=draft,
        formats=formats,
        options=options,
        error=error,
        **user.context("issue"),
    )


@router.get("/issue", response_class=HTMLResponse)
async def choose(request: Request) -> Response:
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    return page("console_issue_choose.html", profiles=schema_form.PROFILES, **user.context("issue"))


async def _setting(
    request: Request, user: SignedIn, profile: str
) -> tuple[schema_form.SchemaForm, list[str]] | Response:
    """The profile's form and the formats this tenant can sign, or the page saying why not."""
    form = _form(profile)
    if form is None:
        return error_page(
            404, "No such form", "There is no form for this kind of credential.", user
        )
    try:
        formats = await run_in_threadpool(service_of(request).formats, user.session.tenant)
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)
    return form, formats


@router.get("/issue/{profile}", response_class=HTMLResponse)
async def issue_form(request: Request, profile: str) -> Response:
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    setting = await _setting(request, user, profile)
    if isinstance(setting, Response):
        return setting
    form, formats = setting
    return _render(user, form.blank(), formats, Options(formats[0]))


def _options(fields: Mapping[str, str], formats: list[str]) -> Options | None:
    fmt = fields.get("format", formats[0])
    if fmt not in formats:
        return None
    return Options(
        fmt,
        revocable=fields.get("revocable") == "yes",
        suspendable=fields.get("suspendable") == "yes",
        publish=fields.get("publish") == "yes",
    )


def _prepare(service: Service, tenant: Tenant, draft: schema_form.Draft) -> schema_form.Draft:
    """The draft with the service's members set and every validation finding placed."""
    document = draft.document
    document["issuer"] = {"type": ["CredentialIssuer"], "id": tenant.did, "name": tenant.name}
    document.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
    report = validate_document(document, loader=service.loader)
    return draft.with_findings(schema_form.findings(report))


@router.post("/issue/{profile}", response_class=HTMLResponse)
async def issue(request: Request, profile: str) -> Response:
    guarded = await guarded_form(request, max_fields=MAX_FIELDS)
    if isinstance(guarded, Response):
        return guarded
    user, fields = guarded
    setting = await _setting(request, user, profile)
    if isinstance(setting, Response):
        return setting
    form, formats = setting
    service, tenant = service_of(request), user.session.tenant
    draft = form.read({k: v for k, v in fields.items() if k not in CONTROLS})
    options = _options(fields, formats)
    if options is None:
        error = "Choose one of the offered formats."
        return _render(user, draft, formats, Options(formats[0]), status=400, error=error)
    if draft.action is not None and draft.action.split(":", 1)[0] in ("add", "remove"):
        return _render(user, draft, formats, options)  # the form was edited: issue nothing
    draft = await run_in_threadpool(_prepare, service, tenant, draft)
    if draft.action is not None:  # "check the form" (what Enter in a field presses)
        return _render(user, draft, formats, options)
    if not draft.valid:  # the form's own summary lists the problems and links to each field
        return _render(user, draft, formats, options, status=422)
    try:
        await run_in_threadpool(service.issue, tenant, options.command(draft.document))
    except VCServiceError as exc:
        error = f"The credential was not issued. {exc.title}: {exc.detail}"
        return _render(user, draft, formats, options, status=status_for(exc), error=error)
    credential_id = draft.document["id"]
    log.info(
        "console issue",
        extra={"tenant": tenant.name, "credential": credential_id, "profile": profile},
    )
    return redirect(detail_href(credential_id, "issued"))
