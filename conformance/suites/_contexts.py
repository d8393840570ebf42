"""``<suite>.contexts-resolvable``: every context the credentials name resolves offline, from
vcservice's bundle or the run's registry (:mod:`conformance.resolution`)."""

from __future__ import annotations

from typing import Any

from conformance.resolution import ContextRegistry
from conformance.suites._common import Verdict, document_of, failed, passed, skipped

#: How many unresolvable contexts a failure names (the evidence lists them all).
SHOWN = 5


def views(credential: Any) -> list[Any]:
    """What of ``credential`` names contexts: the JSON as given (an envelope included) and,
    for a vc+jwt, its payload."""
    out = [credential] if isinstance(credential, dict) else []
    try:
        payload = document_of(credential)
    except ValueError:
        return out
    return out if payload is credential else [*out, payload]


def contexts_verdict(
    registry: ContextRegistry, named: list[tuple[str, Any]], nothing: str
) -> Verdict:
    """The verdict on the credentials ``named`` (``(label, credential)``); skipped with the
    reason ``nothing`` when there are none."""
    if not named:
        return skipped(nothing)
    resolution = registry.resolve(
        (label, view) for label, credential in named for view in views(credential)
    )
    if resolution.missing:
        shown = [
            f"{url} (named by {', '.join(where[:3])}{', …' if len(where) > 3 else ''})"
            for url, where in list(resolution.missing.items())[:SHOWN]
        ]
        more = len(resolution.missing) - SHOWN
        return failed(
            "unresolvable JSON-LD context, neither bundled with vcservice nor in "
            "settings.contexts: " + "; ".join(shown) + (f" (+{more} more)" if more > 0 else ""),
            unresolvable=resolution.missing,
        )
    where = [*resolution.bundled, *(f"{url} (registry)" for url in resolution.registry)]
    return passed(
        f"{len(named)} credential(s) name {len(where)} context(s), all resolvable offline: "
        + ", ".join(where)
    )
