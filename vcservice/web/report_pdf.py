"""The PDF report: the result page's own HTML, printed by WeasyPrint, fetching nothing.

Why the page itself: one template says what the verdict and the figures are, so the PDF a
buyer files can never say something the page did not. ``css/share.css`` has the print rules
(no forms, no navigation, the report facts open).

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

from vcservice.errors import UrlRefusedError
from vcservice.ingress import is_data_url, parse_data_url

log = logging.getLogger(__name__)

#: What the PDF route says when WeasyPrint cannot load.
MISSING = (
    "The PDF report cannot be made on this server: its PDF renderer needs the Pango "
    "libraries (on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). The JSON "
    "report and the result page work without them."
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
