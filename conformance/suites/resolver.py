"""``resolver``: a platform's identity resolver (UNTP IDR, ISO/IEC 18975, GS1 Digital Link).

For each implementation declaring ``resolver = {endpoint = BASE, identifiers = [...]}``:

* ``resolver.description``: ``GET BASE/.well-known/resolver`` is a JSON object (the resolver
  description ISO/IEC 18975 asks for);
* ``resolver.linkset``: each identifier, asked with ``Accept: application/linkset+json``, is
  answered ``200`` with an RFC 9264 linkset in JSON whose contexts include one anchored at the
  identifier's URL;
* ``resolver.targets``: the linkset has at least one UNTP credential link (``dpp``, ``dcc``,
  ``dfr``, ``dte``, ``dia``; GS1's full names read too), and every one is fetchable: ``200``
  and a credential (a JSON credential, a compact JWS or an enveloped one);
* ``resolver.html``: asked with ``Accept: text/html`` (a phone that scanned the QR code), the
  resolver redirects (3xx with ``Location``) to a page for people.

An identifier is a path under ``BASE`` (``/01/09506000164908/10/LOT1``) or a whole URL, asked
as it is. Without configured identifiers, an implementation that also has an issuer gets one
registered on issue (``options.publish`` and ``options.registerIdentifiers``: vcservice's
extension of the VC API; a platform that ignores it answers 404, reported as ``error``).
Skipped for implementations without a ``resolver`` endpoint.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import partial
from typing import Any

from conformance.client import ImplementationError
from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites._common import (
    Check,
    Verdict,
    document_of,
    excerpt,
    failed,
    judge,
    passed,
    skip_all,
)
from conformance.suites.disclosure import plain_format
from conformance.suites.interop import CREDENTIAL_V2
from vcservice.errors import InputError
from vcservice.ingress import FETCHED_LIMITS, read_json
from vcservice.resolver import LINKSET_JSON, read_linkset

DESCRIPTION = Check("resolver.description", "The resolver describes itself", ("resolver",))
LINKSET = Check("resolver.linkset", "An identifier resolves to its linkset", ("resolver", "untp"))
TARGETS = Check(
    "resolver.targets", "The linkset's UNTP links lead to credentials", ("resolver", "untp")
)
HTML = Check("resolver.html", "A browser is redirected to a page", ("resolver",))
CHECKS = [DESCRIPTION, LINKSET, TARGETS, HTML]
#: The link types whose targets are credentials (``pip`` is a page for people).
CREDENTIAL_LINKS = ("dpp", "dcc", "dfr", "dte", "dia")
#: A GTIN of GS1's examples (valid check digit); a fresh lot makes each registration new.
GTIN = "09506000164908"


def run(context: SuiteContext) -> Iterator[Result]:
    for implementation in context.implementations:
        endpoint = implementation.resolver
        if endpoint is None:
            yield from skip_all(CHECKS, implementation, "no resolver endpoint")
            continue
        name = implementation.name
        yield judge(DESCRIPTION, name, partial(_description, context, implementation))
        if not endpoint.identifiers and implementation.issuer is None:
            why = "no resolver.identifiers configured, and no issuer to register one"
            yield from skip_all(CHECKS[1:], implementation, why)
            continue
        try:
            identifiers = list(endpoint.identifiers) or _register(context, implementation)
        except ImplementationError as exc:
            for check in CHECKS[1:]:
                yield judge(check, name, partial(Verdict, Outcome.ERROR, str(exc)))
            continue
        base = endpoint.url.rstrip("/")
        for identifier in identifiers:
            url = (
                identifier if identifier.startswith(("http://", "https://")) else base + identifier
            )
            for check, fn in ((LINKSET, _linkset), (TARGETS, _targets), (HTML, _html)):
                yield judge(check, name, partial(fn, context, implementation, url))


def _register(context: SuiteContext, implementation: Implementation) -> list[str]:
    """A fresh identifier registered by issuing a published credential as its passport."""
    path = f"/01/{GTIN}/10/C{secrets.token_hex(4).upper()}"
    context.client(implementation).issued(
        dict(CREDENTIAL_V2),
        fmt=plain_format(implementation),
        publish=True,
        registerIdentifiers=[path],
    )
    return [path]


def _get(context: SuiteContext, implementation: Implementation, url: str, accept: str) -> Any:
    """``(status, headers, JSON body or None)`` of a GET; 5xx is ImplementationError."""
    status, headers, data = context.client(implementation).get(url, accept)
    if status >= 500:
        raise ImplementationError(f"GET {url} answered HTTP {status}")
    try:
        body = read_json(data, FETCHED_LIMITS) if data.strip() else None
    except InputError:
        body = data[:300].decode("utf-8", "replace")
    return status, headers, body


def _description(context: SuiteContext, implementation: Implementation) -> Verdict:
    assert implementation.resolver is not None
    url = implementation.resolver.url.rstrip("/") + "/.well-known/resolver"
    status, _, body = _get(context, implementation, url, "application/json")
    if status != 200 or not isinstance(body, dict):
        return failed(f"GET {url}: HTTP {status}, not a JSON object", response=excerpt(body))
    return passed(f"members: {', '.join(sorted(body))[:200]}")


def _read(context: SuiteContext, implementation: Implementation, url: str) -> dict[str, Any]:
    """The linkset of ``url`` (reduced to the link types known), or ValueError saying why."""
    status, headers, body = _get(context, implementation, url, LINKSET_JSON)
    if status == 404:
        raise ImplementationError(f"{url} is not registered there (HTTP 404)")
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if status != 200 or media not in (LINKSET_JSON, "application/json"):
        raise ValueError(f"HTTP {status} ({media or 'no media type'}): {excerpt(body, 300)}")
    found = read_linkset(body)
    if found is None:
        raise ValueError(f"not an RFC 9264 linkset: {excerpt(body, 300)}")
    return found


def _linkset(context: SuiteContext, implementation: Implementation, url: str) -> Verdict:
    try:
        found = _read(context, implementation, url)
    except ValueError as exc:
        return failed(f"{url}: {exc}")
    anchors = [c.get("anchor") for c in found["linkset"]]
    if url.split("?")[0] not in anchors:
        return failed(f"{url}: no context is anchored at the identifier (anchors: {anchors})")
    return passed(f"{url}: {len(anchors)} context(s)", linkset=excerpt(found))


def _targets(context: SuiteContext, implementation: Implementation, url: str) -> Verdict:
    try:
        found = _read(context, implementation, url)
    except ValueError as exc:
        return failed(f"{url}: {exc}")
    hrefs = [
        target["href"]
        for anchor in found["linkset"]
        for name in CREDENTIAL_LINKS
        for target in anchor.get(name, [])
    ]
    if not hrefs:
        return failed(f"{url}: the linkset has no {'/'.join(CREDENTIAL_LINKS)} link")
    for href in dict.fromkeys(hrefs):
        status, _, body = _get(context, implementation, href, "application/vc, application/json")
        try:
            if status != 200:
                raise ValueError(f"HTTP {status}")
            document_of(body)
        except ValueError as exc:
            return failed(f"{href} (linked from {url}): not a credential: {exc}")
    return passed(f"{url}: {len(set(hrefs))} credential link(s), each fetched")


def _html(context: SuiteContext, implementation: Implementation, url: str) -> Verdict:
    status, headers, _ = _get(context, implementation, url, "text/html")
    location = headers.get("location")
    if 300 <= status < 400 and location:
        return passed(f"HTTP {status} to {location}")
    return failed(f"{url} with Accept: text/html answered HTTP {status} without a redirect")
