"""Strict JSON parsing for bytes that come from outside (JWS segments, DID documents).

A repeated member makes a document ambiguous (two parsers may keep different values), and
NaN/Infinity are not JSON, so both are refused. Raises ValueError (UnicodeDecodeError and
JSONDecodeError are ValueErrors) or RecursionError on absurd nesting; callers translate.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate member name {key!r}")
        obj[key] = value
    return obj


def loads_strict(data: bytes, *, unique_members: bool = True) -> Any:
    """Parse UTF-8 JSON bytes; ``unique_members=False`` skips the (costlier) duplicate check."""
    return json.loads(
        data.decode("utf-8"),
        parse_constant=_reject_constant,
        object_pairs_hook=_unique_members if unique_members else None,
    )
