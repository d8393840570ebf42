"""What the three reports share: the matrix summary, safe text, and secret redaction."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from conformance.model import Outcome, Result, Run

#: A cell's overall status, in the order a reader should worry about them.
PASSED, FAILED, ERROR, NOT_APPLICABLE = "passed", "failed", "error", "not-applicable"

# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF;
# HTML treats the same code points as parse errors. Lone surrogates cannot even be encoded.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

#: Keys whose values never leave the harness (bearer tokens in evidence, cookies).
_SECRET_KEYS = frozenset(
    {"authorization", "proxy-authorization", "token", "access_token", "refresh_token",
     "id_token", "password", "secret", "client_secret", "api_key", "apikey", "x-api-key",
     "cookie", "set-cookie"}
)  # fmt: skip
#: A whole header value (``Bearer abc…``), or an ``Authorization:`` line in a raw HTTP excerpt.
_CREDENTIAL = re.compile(r"(?i)\b((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{6,}")
_HEADER_LINE = re.compile(r"(?im)^(\s*(?:proxy-)?authorization\s*:\s*).*?$")
REDACTED = "[redacted]"


def safe_text(value: object) -> str:
    """``value`` as text an XML 1.0 / HTML document can carry: control characters, lone
    surrogates and non-characters become visible escapes (``\\x1b``, ``\\ud800``)."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                       else f"\\u{ord(m[0]):04x}", str(value))  # fmt: skip


def redact(value: Any) -> Any:
    """A copy of ``value`` (JSON-like) with secrets replaced: values under secret-looking keys
    strings that are a ``Bearer …`` / ``Basic …`` credential, ``Authorization:`` lines."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and key.lower() in _SECRET_KEYS and item not in (None, "")
            else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        value = _CREDENTIAL.sub(lambda m: f"{m[1]}{REDACTED}", value)
        return _HEADER_LINE.sub(lambda m: f"{m[1]}{REDACTED}", value)
    return value


def counts(results: Iterable[Result]) -> dict[str, int]:
    out = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        out[result.outcome.value] += 1
    return out


def cell_status(results: Iterable[Result]) -> str:
    """``failed`` if any check failed, else ``error`` if any could not run, else ``passed`` if
    any passed, else ``not-applicable`` (every check skipped, or none at all)."""
    tally = counts(results)
    if tally[Outcome.FAILED]:
        return FAILED
    if tally[Outcome.ERROR]:
        return ERROR
    if tally[Outcome.PASSED]:
        return PASSED
    return NOT_APPLICABLE


def implementation_names(run: Run) -> list[str]:
    names = [impl.get("name") for impl in run.implementations]
    return [name for name in names if isinstance(name, str)]


def matrix_axes(run: Run) -> tuple[list[str], list[str]]:
    """Rows (issuers) and columns (verifiers) of the interop matrix, in configuration order:
    every implementation with an issuer / verifier endpoint, plus any name the cells use.
    Empty when the run has no interop results."""
    cells = run.matrix()
    if not cells:
        return [], []
    issuers: list[str] = []
    verifiers: list[str] = []
    for impl in run.implementations:
        name = impl.get("name")
        if isinstance(name, str):
            if impl.get("issuer") is not None and name not in issuers:
                issuers.append(name)
            if impl.get("verifier") is not None and name not in verifiers:
                verifiers.append(name)
    for issuer, verifier in cells:
        if issuer not in issuers:
            issuers.append(issuer)
        if verifier not in verifiers:
            verifiers.append(verifier)
    return issuers, verifiers


def matrix_summary(run: Run) -> dict[str, dict[str, dict[str, Any]]]:
    """issuer → verifier → counts, status, the failed check ids (``cells``) and the check ids
    that could not run (``errors``); only pairs with at least one result."""
    cells = run.matrix()
    issuers, verifiers = matrix_axes(run)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for issuer in issuers:
        for verifier in verifiers:
            results = cells.get((issuer, verifier))
            if results is None:
                continue
            out.setdefault(issuer, {})[verifier] = counts(results) | {
                "status": cell_status(results),
                "cells": [r.check for r in results if r.outcome is Outcome.FAILED],
                "errors": [r.check for r in results if r.outcome is Outcome.ERROR],
            }
    return out


def suite_order(run: Run) -> list[str]:
    """The run's suites, then any suite only the results name."""
    order = list(dict.fromkeys(run.suites))
    for result in run.results:
        if result.suite not in order:
            order.append(result.suite)
    return order


def subject(result: Result) -> str:
    """Who a result is about: ``issuer→verifier`` for an interop cell, else the implementation."""
    if result.issuer is not None and result.verifier is not None:
        return f"{result.issuer}→{result.verifier}"
    return result.implementation


def wall_seconds(run: Run) -> float | None:
    """Seconds from ``started`` to ``finished``, when both are ISO 8601 timestamps."""
    try:
        started = datetime.fromisoformat(run.started)
        finished = datetime.fromisoformat(run.finished)
        return (finished - started).total_seconds()
    except (TypeError, ValueError):
        return None
