"""Finds keyword-shaped terms (``@foo``) in the document's own ``@context`` objects.

JSON-LD reserves terms of the form ``@`` + letters and tells processors to ignore them with a
warning; pyld does so with ``warnings.warn``. What that warning then does depends on the
process's global warning filters: ignored in production, an exception under ``-W error``
(as in our tests), so the same document could fail for two different reasons. Filters are
process-wide and not thread-safe to change per call, so instead we find such terms ourselves,
before expanding, and report them as a JSON-LD problem every time. Bundled contexts are
trusted and not scanned; only what the document carries is.
"""

from __future__ import annotations

import re
from typing import Any

#: The keywords pyld knows (JSON-LD 1.1 plus framing); anything else shaped like one is
#: reserved.
_KEYWORDS = frozenset(
    {
        "@base", "@container", "@context", "@default", "@direction", "@embed", "@explicit",
        "@first", "@graph", "@id", "@import", "@included", "@index", "@json", "@language",
        "@list", "@nest", "@none", "@omitDefault", "@propagate", "@protected", "@preserve",
        "@requireAll", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
    }
)  # fmt: skip
_KEYWORD_SHAPE = re.compile(r"@[a-zA-Z]+")


def reserved_terms(document: dict[str, Any]) -> list[str]:
    """Keyword-shaped term names or IRI mappings in any inline ``@context`` of ``document``."""
    found: dict[str, None] = {}
    contexts: list[Any] = []
    level: list[Any] = [document] if isinstance(document, dict | list) else []
    while level:  # level by level, containers only (scalars are most of a document)
        children: list[Any] = []
        for node in level:
            if isinstance(node, list):
                children.extend(node)
            elif "@context" in node:
                contexts.append(node["@context"])
                children.extend(value for key, value in node.items() if key != "@context")
            else:
                children.extend(node.values())
        level = [child for child in children if isinstance(child, dict | list)]
    while contexts:
        context = contexts.pop()
        if isinstance(context, list):
            contexts.extend(context)
        elif isinstance(context, dict):
            contexts.extend(_scan_definitions(context, found))
    return list(found)


def _scan_definitions(context: dict[str, Any], found: dict[str, None]) -> list[Any]:
    """Records reserved names in one context object; returns its scoped contexts."""
    scoped = []
    for term, definition in context.items():
        if _reserved(term):
            found[term] = None
        if isinstance(definition, str) and _reserved(definition):
            found[definition] = None
        if isinstance(definition, dict):
            for key in ("@id", "@reverse"):
                if _reserved(definition.get(key)):
                    found[definition[key]] = None
            if "@context" in definition:
                scoped.append(definition["@context"])
    return scoped


def _reserved(value: Any) -> bool:
    return (
        isinstance(value, str) and value not in _KEYWORDS and bool(_KEYWORD_SHAPE.fullmatch(value))
    )
