"""XML Schema 1.1 ``dateTimeStamp`` parsing for ``validFrom`` and ``validUntil``.

VC-DM 2.0 §4.9 requires both to be a ``dateTimeStamp``: a ``dateTime`` whose time zone is
*required*. ``datetime.fromisoformat`` is the wrong tool: it accepts values without a zone
(naive, so comparisons later raise or silently assume local time), week dates and spaces
instead of ``T``. The pattern below is the one VC-DM 2.0 ("Representing Time") reproduces
from XML Schema, matched in full; values it allows that are not real instants (31 February)
are then refused by ``datetime`` itself.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

_DATE_TIME = (
    r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))"
    r"-(?P<month>0[1-9]|1[0-2])"
    r"-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])"
    r"(?:\.(?P<fraction>[0-9]+))?"
    r"|(?P<midnight>24:00:00(?:\.0+)?))"
)
_ZONE = r"(?P<zone>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_STAMP = re.compile(_DATE_TIME + _ZONE)
#: ``dateTime`` (VC 1.1 ``issuanceDate``/``expirationDate``): the time zone is optional.
_DATE_TIME_OPTIONAL_ZONE = re.compile(_DATE_TIME + f"(?:{_ZONE})?")


def parse_datetime_stamp(value: object) -> datetime | None:
    """The instant a ``dateTimeStamp`` denotes, as an aware ``datetime``; ``None`` if invalid.

    Values outside ``datetime``'s years 1–9999 (year 0000, negative or five-digit years) are
    lexically valid but return ``None``: they cannot be compared with the clock, and a
    validity window nobody can evaluate must fail closed rather than be skipped. Fractions
    beyond microseconds are truncated, never rounded, so a value is never moved later.
    ``24:00:00`` is the first instant of the next day, as XML Schema defines it. Any value
    that is not a string (the pipeline passes raw JSON values) is simply invalid.
    """
    if not isinstance(value, str):
        return None
    return _stamp_cached(value) if len(value) <= 64 else _stamp(value)


def _stamp(value: str) -> datetime | None:
    match = _STAMP.fullmatch(value)
    return None if match is None else _instant(match)


#: The data-model check and the validity step both read ``validFrom``/``validUntil``, and a
#: verifier sees the same few instants again and again; a ``datetime`` is immutable, so the
#: parse of a short string is cached (about 3 µs a value otherwise).
_stamp_cached = lru_cache(maxsize=4096)(_stamp)


def parse_datetime(value: object) -> datetime | None:
    """Like :func:`parse_datetime_stamp` for an XML Schema ``dateTime``, whose time zone is
    optional (VC 1.1 ``issuanceDate`` and ``expirationDate``).

    A value without a zone is read as UTC. XML Schema leaves such a value's instant open by
    up to 14 hours either way; VC 1.1 recommends ``Z`` and every issuer we have seen uses it,
    so UTC is the reading that matches intent, and it keeps the value comparable with the
    clock (a window nobody could evaluate would have to fail closed).
    """
    if not isinstance(value, str):
        return None
    match = _DATE_TIME_OPTIONAL_ZONE.fullmatch(value)
    return None if match is None else _instant(match)


def _instant(match: re.Match[str]) -> datetime | None:
    year = int(match["year"])
    if not 1 <= year <= 9999:
        return None
    zone = _zone(match["zone"]) if match["zone"] is not None else UTC
    try:
        if match["midnight"] is not None:
            day = datetime(year, int(match["month"]), int(match["day"]), tzinfo=zone)
            return day + timedelta(days=1)
        fraction = (match["fraction"] or "")[:6].ljust(6, "0")
        return datetime(
            year,
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            int(fraction),
            tzinfo=zone,
        )
    except (ValueError, OverflowError):
        return None


def _zone(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = text[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
