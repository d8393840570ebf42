"""A result to keep and share: the input stored by its digest, the link and QR code to re-run
it, and the facts every report names (input digests, times, every check, service version).

Why the *input* is stored and not the result: opening the link re-runs the verification, so
whoever scans the QR code sees what the credentials say now (a certificate revoked since shows
as revoked), and nothing kept here can pass for a statement signed by this service. A bundle
that names a ``verificationTime`` is judged as of that time on every re-run (the page's
verifier is given the bundle's ``at``), and the share section says so rather than "now". The
section also says that the input is kept, and for how many days (``shared_result_days``).

The input is encoded canonically (sorted-key JSON of the text or the address, whichever was
verified, and the trust anchors as a list), so pasting the same bundle twice, or with other
whitespace around it, gives the same id (the SHA-256 of that encoding) and one row.

Everything here is pure except :func:`remember` and :func:`recall`, which reach the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import segno
from sqlalchemy.exc import SQLAlchemyError

import vcservice
from vcservice.confidential import split_key
from vcservice.errors import DigestError, StoreUnavailableError
from vcservice.graph import GraphReport
from vcservice.links import digest_bytes, digest_document
from vcservice.service import Service
from vcservice.store._shared import shared_result_id
from vcservice.web.inputs import _anchor_list
from vcservice.web.words import CHECK_WORDS, outcome_words

log = logging.getLogger(__name__)

#: A result id as :func:`result_id` makes it: SHA-256, lowercase hex.
RESULT_ID = re.compile(r"[0-9a-f]{64}")
#: The id of an encoded input: the store's own function, so the two can never differ.
result_id = shared_result_id
_VERSION = 1
_FIRST = {"failed": 0, "indeterminate": 1, "warning": 2}
#: The most rows the printed table of checks holds: a forged graph may fail thousands of
#: checks, and each row is layout work for the PDF renderer; the JSON report has the rest.
MAX_PRINTED_ROWS = 200


@dataclass(frozen=True)
class SharedInput:
    """What the buyer gave the page: the pasted or uploaded text, or else the address, and
    the trust anchors as typed (blank: the bundle's or the service's)."""

    text: str
    url: str
    anchors: str

    @property
    def verified(self) -> str:
        """The text or address the verification read (the page reads the text if any)."""
        return self.text.strip() or self.url.strip()


def encode_input(shared: SharedInput, max_bytes: int) -> bytes | None:
    """The canonical encoding of ``shared``, or None when what was given is larger than
    ``max_bytes`` (the service's request limit: nothing larger is kept)."""
    text, url = shared.text.strip(), shared.url.strip()
    if text:
        url = ""  # the page verified the text; an address typed beside it played no part
    anchors = list(_anchor_list(shared.anchors))  # as the page read them (it checked them)
    size = len(text.encode("utf-8")) + len(url.encode("utf-8")) + sum(len(a) for a in anchors)
    if size > max_bytes:
        return None
    document = {"v": _VERSION, "text": text, "url": url, "anchors": anchors}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def decode_input(encoded: bytes) -> SharedInput | None:
    """The input back from its encoding; None for bytes no version of :func:`encode_input`
    wrote (a row written by hand, or a future format)."""
    try:
        document = json.loads(encoded.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict) or document.get("v") != _VERSION:
        return None
    text, url, anchors = document.get("text"), document.get("url"), document.get("anchors")
    if not (isinstance(text, str) and isinstance(url, str) and isinstance(anchors, list)):
        return None
    if not all(isinstance(a, str) for a in anchors):
        return None
    return SharedInput(text=text, url=url, anchors=" ".join(anchors))


def _keep(service: Service) -> timedelta:
    return timedelta(days=service.settings.shared_result_days)


def remember(service: Service, shared: SharedInput) -> str | None:
    """Store ``shared`` and return its result id; None when it is too large to keep or the
    store is out of order. Never raises for the store: the verdict matters more than its
    link, so an outage costs the page its share section and nothing else. An input that
    carries a decryption key (a link's ``decryptionKey``, a bundle's ``decryptionKeys``) is
    not kept either: the service stores no key (docs/hash-links.md), so it gets no link."""
    if split_key(shared.url)[1] is not None or "decryptionKeys" in shared.text:
        return None
    encoded = encode_input(shared, service.settings.max_body_bytes)
    if encoded is None:
        return None
    try:
        return service.store.save_shared_result(
            encoded, keep=_keep(service), most=service.settings.shared_result_max
        )
    except (StoreUnavailableError, SQLAlchemyError) as exc:
        log.warning("result link not stored (%s): the verdict is shown without one", exc)
        return None


def recall(service: Service, result_id_: str) -> SharedInput | None:
    """The input stored under a result id; None for a malformed, unknown or expired one.
    A store outage or any other database error raises StoreUnavailableError (the caller
    answers "try again"), never a 500."""
    if not RESULT_ID.fullmatch(result_id_):
        return None
    try:
        encoded = service.store.shared_result(result_id_, keep=_keep(service))
    except SQLAlchemyError as exc:
        log.warning("result link not read (%s)", exc)
        raise StoreUnavailableError("the stored result could not be read; try again") from exc
    return None if encoded is None else decode_input(encoded)


# --- what a report names ------------------------------------------------------------------
def _credential_digest(served: Any, known: str | None) -> str | None:
    if known:
        return known
    try:
        return digest_document(served)
    except (DigestError, TypeError, ValueError):
        return None


def _time(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def input_digests(report: GraphReport, shared: SharedInput) -> dict[str, Any]:
    """The digests that pin what was verified: SHA-256 of the text (or address) as read, and
    the ``digestMultibase`` of every credential in the graph (what a hash link to it says)."""
    verified = shared.verified.encode("utf-8")
    credentials = [
        {
            "key": node.key,
            "name": (node.document or {}).get("name") or node.key,
            "digestMultibase": _credential_digest(node.served, node.digest),
        }
        for node in report.nodes.values()
    ]
    return {
        "kind": "text" if shared.text.strip() else "address",
        **({"url": shared.url.strip()} if not shared.text.strip() else {}),
        "sha256": hashlib.sha256(verified).hexdigest(),
        "digestMultibase": digest_bytes(verified),
        "trustAnchors": list(report.trust_anchors),
        "credentials": credentials,
    }


def service_facts(service: Service) -> dict[str, str]:
    return {
        "name": "vcservice",
        "version": vcservice.__version__,
        "url": service.settings.public_url,
    }


def json_report(
    service: Service, report: GraphReport, shared: SharedInput, rid: str, now: datetime
) -> dict[str, Any]:
    """``POST /graphs/verify``'s report (``problemDetails`` included, made the way that route
    makes it) plus what a kept report must name: the input digests, when it was run, every
    check (passed ones too) and the service that ran it."""
    result = report.to_dict()
    return {
        **result,
        "problemDetails": [c["problem"] for c in result["errors"] + result["warnings"]],
        "resultId": rid,
        "resultUrl": link_of(service, rid),
        "input": input_digests(report, shared),
        "checkedAt": _time(now),
        "allChecks": [check.to_dict() for check in report.all_checks()],
        "service": service_facts(service),
    }


def _where(path: str | None, numbers: dict[str, int]) -> str:
    """Where a check looked, by the credential's number in the report's list (a URL per row
    would fill the table), then the place inside it; blank: the chain as a whole."""
    if not path:
        return "the whole chain"
    key, _, pointer = path.partition("#")
    number = numbers.get(key)
    if number is None:
        return path
    return f"no. {number}" + (f", at {pointer}" if pointer else "")


def _check_row(check: dict[str, Any], numbers: dict[str, int]) -> dict[str, str]:
    problem = check.get("problem") or {}
    detail = ": ".join(p for p in (problem.get("title"), problem.get("detail")) if p)
    return {
        "id": check["id"],
        "outcome": check["outcome"],
        "word": outcome_words(check["outcome"]),
        "where": _where(check.get("path"), numbers),
        "problem": detail,
    }


def outcome_counts(outcomes: list[str]) -> str:
    """ "474 checks: 470 passed, 3 failed, 1 could not be checked" (worst last, none omitted)."""
    counts = Counter(outcomes)
    order = ["passed", "warning", "indeterminate", "failed"]
    order += sorted(k for k in counts if k not in order)
    words = {**CHECK_WORDS, "indeterminate": "could not be checked"}
    parts = [
        f"{counts[k]} {words.get(k, k)}{'s' if k == 'warning' and counts[k] != 1 else ''}"
        for k in order
        if counts[k]
    ]
    total = len(outcomes)
    return f"{total} check{'s' if total != 1 else ''}" + (f": {', '.join(parts)}" if parts else "")


def report_facts(data: dict[str, Any], *, printed: bool = False) -> dict[str, Any]:
    """The facts section of the page and the PDF, read from the JSON report: one source.
    ``printed``: the table lists only the checks that did not pass (a PDF of thousands of
    passed rows costs seconds and hundreds of MB to lay out, and nobody reads it); the
    counts by outcome say how many there were, and the JSON report has every one."""
    numbers = {c["key"]: n for n, c in enumerate(data["input"]["credentials"], start=1)}
    every = data["allChecks"]
    shown = [c for c in every if c["outcome"] != "passed"] if printed else every
    rows = [_check_row(check, numbers) for check in shown]
    # what went wrong first: a reader of a long report should not have to search for it
    checks = sorted(rows, key=lambda row: _FIRST.get(row["outcome"], len(_FIRST)))
    left_out = max(0, len(checks) - MAX_PRINTED_ROWS) if printed else 0
    if left_out:
        checks = checks[:MAX_PRINTED_ROWS]
    passed = sum(1 for c in every if c["outcome"] == "passed")
    return {
        "input": data["input"],
        "verification_time": data["verificationTime"],
        "checked_at": data["checkedAt"],
        "checks": checks,
        "total": len(every),
        "passed": passed,
        "counts": outcome_counts([str(c["outcome"]) for c in every]),
        "only_problems": printed,
        "left_out": left_out,
        "service": data["service"],
    }


# --- the share section ----------------------------------------------------------------------
def link_of(service: Service, rid: str) -> str:
    """The absolute result link, on the service's public address (as tenant DIDs are)."""
    return f"{service.settings.public_url}/verify/r/{rid}"


def qr_data_uri(link: str) -> str:
    """A QR code of ``link`` as an SVG ``data:`` URI (the page's CSP allows ``data:``
    images and nothing fetched); black on white, a quiet zone of two modules."""
    code = segno.make(link, error="m", micro=False)
    uri: str = code.svg_data_uri(scale=4, border=2, dark="#000", light="#fff")
    return uri


def share_model(
    service: Service,
    report: GraphReport,
    shared: SharedInput,
    rid: str,
    now: datetime,
    *,
    printed: bool = False,
    pinned_at: datetime | None = None,
) -> dict[str, Any]:
    """The ``share`` context of ``_share.html``: link, QR code, report links and facts.

    ``pinned_at``: the ``verificationTime`` the input carries (the bundle's ``at``), which
    every re-run judges at again; None when it carries none. When the caller does not say,
    a report judged more than a minute away from ``now`` is taken to be pinned."""
    link = link_of(service, rid)
    if pinned_at is None and abs((report.at - now).total_seconds()) > 60:
        pinned_at = report.at
    return {
        "id": rid,
        "link": link,
        "qr": qr_data_uri(link),
        "pdf": f"/verify/r/{rid}/report.pdf",
        "json": f"/verify/r/{rid}/report.json",
        "facts": report_facts(json_report(service, report, shared, rid, now), printed=printed),
        "printed": printed,
        "days": service.settings.shared_result_days,
        "pinned_at": None
        if pinned_at is None
        else _time(pinned_at).replace("T", " ").replace("Z", " UTC"),
    }
