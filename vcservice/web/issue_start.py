"""Where an issue form starts: a filled example of its kind, or the tenant's last credential of
that kind, dated today.

Why: a blank chain-of-custody form asks for dozens of values whose shape a certifier has to
guess; a filled one shows what each field is for, and most of a certifier's credentials repeat
the last one with a new period. Either way the dates move to today, keeping their distances
(a validity of three years stays three years), and the links to upstream credentials of an
example are left for the certifier to pick (the example's own links point at example hosts).

The examples are packaged with the service (``issue_templates/<form>.json``, copies of
``examples/`` payloads without id, issuer, status or proof; a test keeps them equal).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from vcservice.errors import VCServiceError
from vcservice.schema_validation import unwrap_credential
from vcservice.vocab import profiles_for
from vcservice.web.schema_form import KINDS, SERVICE_MEMBERS, Draft, form_for

__all__ = ["EVENT_FORMS", "example", "form_of", "last_of", "shifted", "unsigned"]

#: The event type each traceability-event form writes (the profile's own discriminator order).
EVENT_FORMS: Mapping[str, str] = {
    "ClaimEvent": "claim-event",
    "StocktakeEvent": "stocktake-event",
    "MakeEvent": "make-event",
    "MoveEvent": "move-event",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))")


@cache
def _packaged(name: str) -> str:
    return resources.files("vcservice.web").joinpath("issue_templates", f"{name}.json").read_text()


def unsigned(document: Mapping[str, Any]) -> dict[str, Any]:
    """What a form is filled from: the credential without what the service sets."""
    keep = {"@context", "type"}
    return {k: v for k, v in document.items() if k not in SERVICE_MEMBERS or k in keep}


def _anchor(document: Mapping[str, Any]) -> date | None:
    valid_from = document.get("validFrom")
    if isinstance(valid_from, str) and _DATE.match(valid_from):
        try:
            return date.fromisoformat(valid_from[:10])
        except ValueError:
            return None
    return None


def _shift_text(text: str, days: timedelta) -> str:
    try:
        if _DATE.fullmatch(text):
            return (date.fromisoformat(text) + days).isoformat()
        moment = _DATETIME.fullmatch(text)
        if moment:
            return (date.fromisoformat(moment[1]) + days).isoformat() + moment[2]
    except ValueError:
        return text
    return text


def _shift(value: Any, days: timedelta) -> Any:
    if isinstance(value, str):
        return _shift_text(value, days)
    if isinstance(value, list):
        return [_shift(v, days) for v in value]
    if isinstance(value, dict):
        return {k: _shift(v, days) for k, v in value.items()}
    return value


def shifted(document: Mapping[str, Any], today: date) -> dict[str, Any]:
    """``document`` with every date and date-time moved so that ``validFrom`` falls on
    ``today`` (all by the same number of days, so periods keep their length)."""
    anchor = _anchor(document)
    if anchor is None:
        return dict(document)
    moved = _shift(dict(document), today - anchor)
    assert isinstance(moved, dict)
    return moved


def example(name: str, today: date) -> Draft:
    """The form ``name`` filled with its packaged example, dated ``today``, links unpicked."""
    form = form_for(name)
    document = shifted(json.loads(_packaged(name)), today)
    draft = form.from_document(document)
    values = form.values(draft)
    for pointer, _ in draft.links():
        values[pointer] = ""
    return form.read(values)


def form_of(document: Mapping[str, Any]) -> str | None:
    """The form a credential would be written with, or None when none fits."""
    profiles = profiles_for(document)
    if not profiles:
        return None
    profile = profiles[0]
    if profile == "traceability-event":
        subjects = document.get("credentialSubject")
        first = subjects[0] if isinstance(subjects, list) and subjects else None
        types = first.get("type") if isinstance(first, dict) else None
        for event, name in EVENT_FORMS.items():
            if isinstance(types, list) and event in types:
                return name
        return None
    return next((name for name, kind in KINDS.items() if kind.profile == profile), None)


def last_of(name: str, stored: Iterable[Any], today: date) -> Draft | None:
    """The form ``name`` filled from the newest of ``stored`` (secured credentials, newest
    first) written with that form, dated ``today``; None when there is none."""
    for secured in stored:
        try:
            document, _ = unwrap_credential(secured)
        except VCServiceError:
            continue
        if isinstance(document, dict) and form_of(document) == name:
            return form_for(name).from_document(shifted(unsigned(document), today))
    return None


def today_utc(now: datetime) -> date:
    """The day a form is dated (the service clock's, in UTC)."""
    return now.date()
