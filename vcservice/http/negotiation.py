"""Content negotiation on ``Accept`` (RFC 9110 §12.5.1), for the few routes that offer more
than one representation of the same resource (the landing page, the vocabulary)."""

from __future__ import annotations

from collections.abc import Sequence


def quality(accept: str, media_type: str) -> float:
    """The q-value ``accept`` gives ``media_type``: from its most specific matching range."""
    major = media_type.split("/", 1)[0]
    best, specificity = 0.0, -1
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        kind = kind.lower()
        rank = {media_type: 2, f"{major}/*": 1, "*/*": 0}.get(kind)
        if rank is None or rank < specificity:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best, specificity = q, rank
    return best


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The offered media type ``accept`` prefers; ties, no ``Accept`` at all, and an ``Accept``
    that rules out everything offered go to the first one (serving the default representation
    rather than a 406 is what RFC 9110 allows, and what a person following a link wants)."""
    if not accept:
        return offered[0]
    best, chosen = 0.0, offered[0]
    for media_type in offered:
        q = quality(accept, media_type)
        if q > best:
            best, chosen = q, media_type
    return chosen
