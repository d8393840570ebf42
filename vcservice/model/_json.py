"""Small helpers for looking at untrusted JSON values without ever raising."""

from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list[Any]:
    """JSON-LD's "one or more": a lone value is a set of one."""
    return list(value) if isinstance(value, list) else [value]


def show(value: Any) -> str:
    """A short rendering of a JSON value for a problem detail (never the whole document)."""
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
