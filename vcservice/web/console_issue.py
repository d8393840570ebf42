"""Issuing from the console: start from a template, pick upstream credentials, read a preview,
then sign.

The form (:mod:`vcservice.web.schema_form`) is generated from a profile's JSON Schemas and
starts filled (:mod:`vcservice.web.issue_start`: the kind's example or the tenant's last
credential of that kind, dated today). Links to upstream credentials are picked, and the
service writes them with their digests (:mod:`vcservice.web.issue_links`). Submitting the form
validates it (:func:`vcservice.schema_validation.validate_document`, the same checks as an API
client's pre-flight) and shows a preview (:mod:`vcservice.web.issue_preview`); nothing is
signed until "Sign and issue" on that preview is pressed (``confirm=sign``), and then the form
is validated and its links resolved once more, so the preview is never trusted as input; a
linked credential whose digest is no longer the one the preview showed stops the signing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from vcservice.errors import BusyError, VCServiceError
from vcservice.http.problems import status_for
from vcservice.http.scheduling import run_graph_verification
from vcservice.ledger import postings_of
from vcservice.schema_validation import validate_document
from vcservice.service import IssueCommand, Service, StatusPurpose
from vcservice.store import StoreUnavailableError, Tenant
from vcservice.web import issue_links, issue_start, schema_form
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
from vcservice.web.issue_preview import preview
from vcservice.web.render import page

router = APIRouter(prefix="/console", include_in_schema=False)
log = logging.getLogger("vcservice.console")

#: Generous for the deepest profile with many array items, still a bound on parsing work.
MAX_FIELDS = 2000
#: The console's own controls beside the generated fields (whose names are JSON pointers).
CONTROLS = ("csrf", "format", "revocable", "suspendable", "publish", "confirm")
#: The most credentials from other addresses one form may link to: each is fetched and
#: verified on every check of the form (preview, then signing), so their number is the cost.
MAX_RECEIVED = 20
#: What a link field beyond :data:`MAX_RECEIVED` says.
TOO_MANY_RECEIVED = (
    f"At most {MAX_RECEIVED} credentials from other addresses can be linked in one credential; "
    "this one was not fetched. Link your own credentials, or split the credential."
)
#: Where a form may start (``?start=``): the kind's example, the tenant's last one, or empty.
Start = Literal["example", "last", "blank"]
STARTS: tuple[Start, ...] = ("example", "last", "blank")


@dataclass(frozen=True)
class Options:
    """How to issue: the securing format and the status entries to allocate."""

    format: str
    revocable: bool = True
    suspendable: bool = True
    publish: bool = False

    def command(self, credential: dict[str, Any], sources: tuple[Any, ...] = ()) -> IssueCommand:
        """Issue ``credential`` as these options say; ``sources``: the received upstream
        credentials it links to, as served (the ledger posts what they certify)."""
        wanted: tuple[tuple[StatusPurpose, bool], ...] = (
            ("revocation", self.revocable),
            ("suspension", self.suspendable),
        )
        return IssueCommand(
            credential,
            format=self.format,
            status_purposes=tuple(p for p, on in wanted if on),
            publish=self.publish,
            source_credentials=sources,
        )


def _form(profile: str) -> schema_form.SchemaForm | None:
    try:
        return schema_form.form_for(profile)
    except KeyError:
        return None


@dataclass(frozen=True)
class Setting:
    """What every issue page of one kind needs: its form, the formats the tenant can sign,
    the credentials its link pickers offer, and the tenant's stored credentials (newest
    first: where "start from your last one" looks)."""

    form: schema_form.SchemaForm
    formats: list[str]
    candidates: list[issue_links.Candidate]
    stored: list[Any]

    @property
    def by_url(self) -> dict[str, issue_links.Candidate]:
        return {c.url: c for c in self.candidates}


def _render(
    user: SignedIn,
    draft: schema_form.Draft,
    setting: Setting,
    options: Options,
    *,
    status: int = 200,
    error: str | None = None,
    start: str | None = None,
    has_last: bool = False,
) -> HTMLResponse:
    kind = schema_form.KINDS[draft.name]
    return page(
        "console_issue_form.html",
        status,
        draft=draft,
        kind=kind,
        formats=setting.formats,
        options=options,
        error=error,
        links=setting.candidates,
        start=start,
        has_last=has_last,
        **user.context("issue"),
    )


@router.get("/issue", response_class=HTMLResponse)
async def choose(request: Request) -> Response:
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    return page("console_issue_choose.html", kinds=schema_form.KINDS, **user.context("issue"))


async def _setting(request: Request, user: SignedIn, profile: str) -> Setting | Response:
    """The kind's setting, or the page saying why there is none."""
    form = _form(profile)
    if form is None:
        return error_page(
            404, "No such form", "There is no form for this kind of credential.", user
        )
    service, tenant = service_of(request), user.session.tenant

    def load() -> Setting:
        formats = service.formats(tenant)
        records = service.credentials(tenant, limit=issue_links.MAX_CANDIDATES, offset=0)
        public_url = str(service.settings.public_url)
        offered = issue_links.candidates(records, public_url, tenant.name)
        return Setting(form, formats, offered, [r.document for r in records])

    try:
        return await run_in_threadpool(load)
    except StoreUnavailableError as exc:
        return store_trouble(exc, user)


def _start(asked: str, has_last: bool) -> Start:
    """Where the form starts: as asked, else from the tenant's last one, else the example."""
    for start in STARTS:
        if asked == start and (start != "last" or has_last):
            return start
    return "last" if has_last else "example"


def _today(service: Service) -> date:
    return issue_start.today_utc(service.clock())


@router.get("/issue/{profile}", response_class=HTMLResponse)
async def issue_form(request: Request, profile: str) -> Response:
    user = await signed_in(request)
    if user is None:
        return to_login(request)
    setting = await _setting(request, user, profile)
    if isinstance(setting, Response):
        return setting
    today = _today(service_of(request))
    last = issue_start.last_of(profile, setting.stored, today)
    start = _start(request.query_params.get("start", ""), last is not None)
    if start == "last" and last is not None:
        draft = last
    elif start == "example":
        draft = issue_start.example(profile, today)
    else:
        draft = setting.form.blank()
    options = Options(setting.formats[0])
    return _render(user, draft, setting, options, start=start, has_last=last is not None)


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


@dataclass(frozen=True)
class Checked:
    """A submitted form with its links resolved and every finding placed."""

    draft: schema_form.Draft
    links: dict[str, issue_links.Resolved]


def _check(service: Service, tenant: Tenant, setting: Setting, draft: schema_form.Draft) -> Checked:
    """Resolves the draft's links (own credentials from the store; others fetched and
    verified), completes them in the credential, then validates it: each problem goes to its
    field, and a link that cannot be made says so at its picker."""
    fetcher = service.network_links or service.wiring.links
    fetch = fetcher.fetch if fetcher is not None else None
    resolved: dict[str, issue_links.Resolved] = {}
    failed: dict[str, str] = {}
    own = setting.by_url
    # each address is fetched and verified once per check, and at most MAX_RECEIVED of them
    outcomes: dict[str, issue_links.Resolved | str] = {}
    for pointer, url in draft.links():
        outcome = outcomes.get(url)
        if outcome is None:
            received = sum(1 for u in outcomes if u not in own)
            if url not in own and received >= MAX_RECEIVED:
                failed[pointer] = TOO_MANY_RECEIVED
                continue
            outcome = issue_links.resolve(url, own, fetch, service.verify_credential)
            outcomes[url] = outcome
        if isinstance(outcome, str):
            failed[pointer] = outcome
        else:
            resolved[pointer] = outcome
    draft = draft.with_links({p: r.link for p, r in resolved.items()})
    document = draft.document
    document["issuer"] = {"type": ["CredentialIssuer"], "id": tenant.did, "name": tenant.name}
    document.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
    report = validate_document(document, loader=service.loader)
    draft = draft.with_findings(schema_form.findings(report))
    if failed:
        errors = {
            k: v
            for k, v in draft.errors.items()
            if not any(k == p or k.startswith(p + "/") for p in failed)
        }
        errors.update({p: [message] for p, message in failed.items()})
        draft = replace(draft, errors=errors)
    return Checked(draft, resolved)


def _sources(
    document: dict[str, Any], links: Mapping[str, issue_links.Resolved]
) -> tuple[Any, ...]:
    """The received credentials this one draws certified credit from (the ledger posts them
    first); a received credential that is only cited (an accreditation) is not one."""
    try:
        postings = postings_of(document)
    except VCServiceError:
        return ()  # the issuing call refuses the same document with its own message
    drawn = {source.digest for charge in postings.charges for source in charge.sources}
    return tuple(r.fetched for r in links.values() if r.fetched is not None and r.digest in drawn)


#: The prefix of the preview's record of each link's digest (a name that is no pointer).
SEEN = "seen:"
CHANGED = (
    "The credential at this address changed after the preview. Preview the credential again "
    "and check the link."
)


def _hidden(
    form: schema_form.SchemaForm,
    draft: schema_form.Draft,
    links: Mapping[str, issue_links.Resolved],
) -> dict[str, str]:
    """The form's values, to carry through the preview as hidden fields (never trusted:
    signing reads and checks them again), and the digest each link had when previewed."""
    return {**form.values(draft), **{SEEN + p: r.digest for p, r in links.items()}}


def _changed(fields: Mapping[str, str], links: Mapping[str, issue_links.Resolved]) -> list[str]:
    """Links whose target's digest differs from the one the preview showed (a received
    credential replaced at its address between preview and signing)."""
    return [
        pointer
        for pointer, resolved in links.items()
        if fields.get(SEEN + pointer, resolved.digest) != resolved.digest
    ]


@router.post("/issue/{profile}", response_class=HTMLResponse)
async def issue(request: Request, profile: str) -> Response:
    guarded = await guarded_form(request, max_fields=MAX_FIELDS)
    if isinstance(guarded, Response):
        return guarded
    user, fields = guarded
    setting = await _setting(request, user, profile)
    if isinstance(setting, Response):
        return setting
    service, tenant = service_of(request), user.session.tenant
    form, formats = setting.form, setting.formats
    draft = form.read({k: v for k, v in fields.items() if k not in CONTROLS})
    options = _options(fields, formats)
    if options is None:
        error = "Choose one of the offered formats."
        return _render(user, draft, setting, Options(formats[0]), status=400, error=error)
    confirm = fields.get("confirm", "")
    if confirm == "edit" or (
        draft.action is not None and draft.action.split(":", 1)[0] in ("add", "remove")
    ):
        return _render(user, draft, setting, options)  # back to the form: issue nothing
    try:  # fetching and verifying received credentials is verification work: its lane
        checked = await run_graph_verification(service, _check, service, tenant, setting, draft)
    except BusyError:
        error = "The service is busy, so the form was not checked. Please submit it again."
        return _render(user, draft, setting, options, status=503, error=error)
    draft = checked.draft
    if draft.action is not None:  # "check the form" (what Enter in a field presses)
        return _render(user, draft, setting, options)
    if not draft.valid:  # the form's own summary lists the problems and links to each field
        return _render(user, draft, setting, options, status=422)
    if confirm != "sign":  # the preview: nothing is signed before it is confirmed
        return page(
            "console_issue_preview.html",
            preview=preview(draft, checked.links),
            draft=draft,
            hidden=_hidden(form, draft, checked.links),
            options=options,
            **user.context("issue"),
        )
    changed = _changed(fields, checked.links)
    if changed:  # what was previewed is not what would be signed: show it again first
        draft = draft.with_findings((p, CHANGED) for p in changed)
        return _render(user, draft, setting, options, status=409)
    sources = _sources(draft.document, checked.links)
    try:
        await run_in_threadpool(service.issue, tenant, options.command(draft.document, sources))
    except VCServiceError as exc:
        error = f"The credential was not issued. {exc.title}: {exc.detail}"
        return _render(user, draft, setting, options, status=status_for(exc), error=error)
    credential_id = draft.document["id"]
    log.info(
        "console issue",
        extra={"tenant": tenant.name, "credential": credential_id, "profile": profile},
    )
    return redirect(detail_href(credential_id, "issued"))
