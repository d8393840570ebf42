"""``name`` and ``description``: a string or language value objects (VC-DM 2.0 §4.6, §11.1).

A language value object may carry only ``@value`` (a string, required), ``@language`` and
``@direction``. Anything else (the W3C fixtures add a ``url``) is rejected here, by name,
rather than left to JSON-LD, whose error for it ("an element containing @value may only have
...") does not say which property is wrong. ``@language`` must be a non-empty string; its
BCP 47 well-formedness is only a SHOULD in the specification, so it is not enforced.
"""

from __future__ import annotations

from typing import Any

from vcservice.model._checks import LANGUAGE, Findings
from vcservice.model._json import show

_ALLOWED = frozenset({"@value", "@language", "@direction"})
_DIRECTIONS = frozenset({"ltr", "rtl"})
_PROPERTIES = ("name", "description")


def check_names(node: dict[str, Any], out: Findings, *, where: str, owner: str = "") -> None:
    """Checks ``name``/``description`` of ``node`` (a credential, presentation or issuer);
    ``owner`` (``"issuer."``) prefixes the property in problem details."""
    for prop in _PROPERTIES:
        if prop not in node:
            continue
        out.ran(LANGUAGE)
        value = node[prop]
        items = value if isinstance(value, list) else [value]
        if not items:
            out.fail(LANGUAGE, f"{owner}{prop} must not be an empty array", where=where)
        for item in items:
            problem = _problem(item)
            if problem is not None:
                out.fail(LANGUAGE, f"{owner}{prop}: {problem}", where=where)


def _problem(item: Any) -> str | None:
    if isinstance(item, str):
        return None
    if not isinstance(item, dict):
        return f"must be a string or a language value object, found {show(item)}"
    extra = sorted(str(key) for key in item if key not in _ALLOWED)
    if extra:
        return (
            "a language value object may only contain @value, @language and @direction; "
            f"found {', '.join(extra)}"
        )
    if not isinstance(item.get("@value"), str):
        return f"@value must be a string, found {show(item.get('@value'))}"
    language = item.get("@language")
    if "@language" in item and not (isinstance(language, str) and language):
        return f"@language must be a language tag, found {show(language)}"
    direction = item.get("@direction")
    if "@direction" in item and not (isinstance(direction, str) and direction in _DIRECTIONS):
        return f"@direction must be 'ltr' or 'rtl', found {show(direction)}"
    return None
