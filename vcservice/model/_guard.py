"""Refuses documents too deeply nested to process safely, before anything recurses into them.

JSON-LD expansion is recursive (several Python frames per level), so a document nested a few
hundred levels deep would end in ``RecursionError`` somewhere inside pyld, and a Python object
that contains itself would never end at all. Real credentials are shallow (the UNTP samples
nest 9 levels; a presentation adds 2), so a generous fixed limit costs nothing and turns both
cases into one clear problem. The walk is iterative and stops at the limit.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 64


def too_deep(document: Any, limit: int = MAX_DEPTH) -> bool:
    """True if ``document`` nests arrays/objects more than ``limit`` levels deep.

    Level by level, keeping only containers: it runs on every credential verified, and
    scalars (most of a document) then cost one ``isinstance`` each and no stack entry.
    """
    level = [document] if isinstance(document, dict | list) else []
    depth = 0
    while level:
        if depth >= limit:
            return True
        children: list[Any] = []
        for value in level:
            children.extend(value.values() if isinstance(value, dict) else value)
        level = [child for child in children if isinstance(child, dict | list)]
        depth += 1
    return False
