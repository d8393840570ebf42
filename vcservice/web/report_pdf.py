"""The PDF report: the result page's own HTML, printed by WeasyPrint, fetching nothing.

Why the page itself: one template says what the verdict and the figures are, so the PDF a
buyer files can never say something the page did not. ``css/share.css`` has the print rules
(no forms, no navigation, the report facts open). Two parts of the page are left out of the
print: the provenance graph (its cards fold, which paper cannot; the JSON report has every
credential and link) and, in the table of checks, the ones that passed (counted by outcome
instead; the JSON report lists every one).

Why a bound: WeasyPrint lays out every row it is given, in memory, with no deadline of its
own (the graph lane's deadline is checked by the JSON-LD and RDFC-1.0 loops, not by it). A
graph of 500 credentials and 5,000 checks took 21 s and 865 MB. So a graph of more than
:data:`MAX_CREDENTIALS` credentials gets no PDF (a 413 page pointing to the JSON report), and
none is started once the verification has used up the lane's deadline.

WeasyPrint is imported on first use: it needs Pango from the system, and a machine without
it should still serve everything else (the PDF route then answers 503 naming the packages,
see :data:`MISSING`). It is given a URL fetcher that serves ``data:`` URLs (the QR code is
one; inline bytes, nothing is fetched) and refuses every other URL, so a hostile credential
whose text ended up in the page can never make the renderer reach the network or the disk.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from types import ModuleType
from typing import Any

from fastapi.responses import Response

from vcservice.errors import UrlRefusedError
from vcservice.graph import GraphReport
from vcservice.ingress import is_data_url, parse_data_url
from vcservice.jsonld._budget import current_deadline
from vcservice.service import Service
from vcservice.web import share
from vcservice.web.inputs import Request as VerifyRequest
from vcservice.web.render import ENV, SECURITY_HEADERS, page
from vcservice.web.view import anchor_source, page_model

log = logging.getLogger(__name__)

#: What the PDF route says when WeasyPrint cannot load.
MISSING = (
    "The PDF report cannot be made on this server: its PDF renderer needs the Pango "
    "libraries (on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). The JSON "
    "report and the result page work without them."
)
#: The most credentials a graph may have for a PDF report (see the module doc).
MAX_CREDENTIALS = 300


def too_large(credentials: int) -> str | None:
    """Why a graph of ``credentials`` gets no PDF report, in words; None when it may."""
    if credentials <= MAX_CREDENTIALS:
        return None
    return (
        f"This result is too large for a PDF report: its chain has {credentials} credentials, "
        f"and a PDF is made for at most {MAX_CREDENTIALS}. Download the JSON report instead: "
        "it names every credential and every check."
    )


#: Why no PDF is started when the verification used up the time it had.
OUT_OF_TIME = (
    "The verification took all the time this service gives one request, so no PDF report was "
    "made. Download the JSON report instead, or try again later."
)


@cache
def weasyprint() -> ModuleType | None:
    """WeasyPrint, or None when it or the system libraries it loads are missing."""
    try:
        module = importlib.import_module("weasyprint")  # lazy on purpose: see the module doc
    except (ImportError, OSError) as exc:
        log.warning("PDF reports disabled: %s", exc)
        return None
    # It warns of every screen-only CSS rule of the page (media queries, SVG paint) on every
    # report: expected, and noise in the service's log. Errors still get through.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return module


def _fetcher(module: ModuleType) -> Any:
    class InlineOnly(module.URLFetcher):  # type: ignore[name-defined,misc]
        """Serves ``data:`` URLs from their own bytes; refuses every other URL."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not is_data_url(url):
                raise UrlRefusedError(f"the PDF report fetches nothing ({url[:80]})")
            inline = parse_data_url(url)
            return module.urls.URLFetcherResponse(
                url, inline.data, {"Content-Type": inline.media_type}, status=200
            )

    return InlineOnly(allowed_protocols=("data",))


def render_pdf(html: str) -> bytes | None:
    """``html`` as a PDF, or None when WeasyPrint is unavailable here."""
    module = weasyprint()
    if module is None:
        return None
    document = module.HTML(string=html, base_url=None, url_fetcher=_fetcher(module))
    pdf: bytes = document.write_pdf()
    return pdf


def attachment(result_id: str, extension: str) -> dict[str, str]:
    """The headers of a report download, named after the result."""
    name = f"verification-report-{result_id[:16]}.{extension}"
    return {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}


def _refused(result_id: str, reason: str, status: int) -> Response:
    return page(
        "report_refused.html",
        status,
        reason=reason,
        json=f"/verify/r/{result_id}/report.json",
        result=f"/verify/r/{result_id}",
    )


def report_response(
    service: Service,
    report: GraphReport,
    request: VerifyRequest,
    given: share.SharedInput,
    result_id: str,
) -> Response:
    """The PDF report of a result link (``report`` judged from ``request``, the stored
    ``given``), or a page saying why there is none: too large (413), out of time (503), or
    no renderer on this server (503). Runs in the graph lane, after the verification."""
    refusal = too_large(len(report.nodes))
    if refusal is not None:
        return _refused(result_id, refusal, 413)
    deadline = current_deadline()
    if deadline is not None and deadline.expired():
        return _refused(result_id, OUT_OF_TIME, 503)
    shared = share.share_model(
        service,
        report,
        given,
        result_id,
        service.clock(),
        printed=True,
        pinned_at=request.bundle.at,
    )
    source = anchor_source(request, given.anchors, linked=True)
    model = page_model(report, request.url, source)
    pdf = render_pdf(ENV.get_template("result.html").render(**model, share=shared))
    if pdf is None:
        return page("verify.html", 503, error=MISSING, values={})
    return Response(pdf, media_type="application/pdf", headers=attachment(result_id, "pdf"))
