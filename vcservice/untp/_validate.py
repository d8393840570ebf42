"""JSON Schema validation reported as checks: each failure at its JSON pointer, with a reason.

``schema.untp`` validates a credential against the UNTP 0.7.0 base schema of each UNTP type it
declares (``DigitalProductPassport`` → the DPP schema, and so on; the schema is chosen by
``type``, never by trying them all, so a DPP is never "valid" because it happens to satisfy
the DFR schema). A credential with no UNTP type gets a ``schema.untp`` *warning*: nothing was
wrong, but nothing UNTP-specific was checked either.

One erratum is applied, openly: every UNTP 0.7.0 schema types
``BitstringStatusListEntry.statusListIndex`` as an integer, while its own description, the W3C
Bitstring Status List v1.0 recommendation and every verifier (ours included) require "an
integer ... expressed as a string in base 10". No credential can satisfy both, so a base-10
string there is accepted with the warning ``schema.untp-erratum`` instead of failing; any other
value still fails.

Draft 2020-12 with formats asserted (``format: uri``, ``date-time``, ``date``, ...), by the one
shared checker of :mod:`vcservice.untp._formats`, as UNTP's own test suite asserts them: a
``consignmentId`` that is no URI fails here as it fails there. A format violation is a failure
like any other, at its JSON pointer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import (  # type: ignore[import-untyped]
    SchemaError,
    ValidationError,
    best_match,
)
from referencing import Registry
from referencing.exceptions import Unresolvable

from vcservice.errors import SchemaUnusableError as SchemaUnusableError
from vcservice.report import Check, Outcome, Problem, VerificationReport
from vcservice.untp._formats import FORMAT_CHECKER
from vcservice.untp._schemas import UNTP_TYPES, schema_for_type, untp_registry

UNTP_CHECK = "schema.untp"
ERRATUM_CHECK = "schema.untp-erratum"
_STATUS_INDEX = re.compile(r"/credentialStatus(?:/\d+)?/statusListIndex")
_BASE10 = re.compile(r"0|[1-9][0-9]*")
#: At most this many failures are listed per schema; the count of the rest is reported.
MAX_ERRORS = 50


@dataclass(frozen=True)
class SchemaFailure:
    """One schema violation: where (RFC 6901 JSON pointer into the instance) and why."""

    pointer: str
    message: str


def json_pointer(path: Iterable[Any]) -> str:
    """RFC 6901 pointer for a jsonschema path (``~`` → ``~0``, ``/`` → ``~1``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, the middle elided (a message's head and tail both say
    something: "{the instance} is not valid under any of the given schemas")."""
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return f"{text[:half]} ... {text[len(text) - half :]}"


def _closest(errors: Iterable[ValidationError]) -> ValidationError:
    """The most relevant failure under an anyOf/oneOf: from the branch with the fewest failures
    (the one the instance nearly matches: a MoveEvent whose only fault is its consignmentId,
    not the MakeEvent branch that misses three properties), best_match among those."""
    branches: dict[Any, list[ValidationError]] = {}
    for error in errors:
        branch = error.relative_schema_path[0] if error.relative_schema_path else None
        branches.setdefault(branch, []).append(error)
    return best_match(min(branches.values(), key=len))


def _reason(error: ValidationError) -> str:
    """The error's message; for anyOf/oneOf, also the most relevant branch failure, since
    "is not valid under any of the given schemas" alone does not say what to fix. The
    instance a message quotes is elided first, so the closest failure always fits."""
    message = str(error.message)
    if error.context:
        best = _closest(error.context)
        where = json_pointer(best.absolute_path)
        closest = _clip(best.message, 240) + (f" at {where}" if where else "")
        message = f"{_clip(message, 490 - len(closest))} (closest: {closest})"
    return _clip(message, 500)


@cache
def _validator(schema_key: str) -> Any:
    """Validators of the bundled schemas, built once (five entries)."""
    found = schema_for_type(schema_key)
    assert found is not None
    return Draft202012Validator(found[1], registry=untp_registry(), format_checker=FORMAT_CHECKER)


#: Schemas already checked against the metaschema, by identity (the object is kept, so an id
#: is never reused while its entry lives). The check costs ~100 ms for our profile schemas,
#: far more than validating a credential, and providers hand out the same objects each time.
_CHECKED: dict[int, tuple[Mapping[str, Any], str | None]] = {}
_CHECKED_MAX = 256


def _check_schema(schema: Mapping[str, Any]) -> None:
    hit = _CHECKED.get(id(schema))
    if hit is None or hit[0] is not schema:
        try:
            Draft202012Validator.check_schema(schema)
            problem = None
        except SchemaError as exc:
            problem = f"the schema is not a valid JSON Schema: {exc}"
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        hit = _CHECKED[id(schema)] = (schema, problem)
    if hit[1] is not None:
        raise SchemaUnusableError(hit[1])


def schema_failures(
    document: Any,
    schema: Mapping[str, Any],
    *,
    registry: Registry[Any] | None = None,
    validator: Any = None,
) -> list[SchemaFailure]:
    """Every violation of ``schema`` by ``document``, sorted by pointer, formats asserted by
    the shared checker (a prebuilt ``validator`` must be built with it too).

    Raises SchemaUnusableError if the schema is invalid or references something the registry
    (default: the bundled UNTP schemas) does not hold.
    """
    if validator is None:
        _check_schema(schema)
        validator = Draft202012Validator(
            schema, registry=registry or untp_registry(), format_checker=FORMAT_CHECKER
        )
    try:
        errors = list(validator.iter_errors(document))
    except Unresolvable as exc:
        raise SchemaUnusableError(
            f"the schema references {exc.ref!r}, which is not bundled (schemas are never "
            "fetched from the network)"
        ) from None
    failures = [SchemaFailure(json_pointer(e.absolute_path), _reason(e)) for e in errors]
    return sorted(failures, key=lambda f: (f.pointer, f.message))


def report_failures(
    report: VerificationReport,
    check_id: str,
    title: str,
    failures: list[SchemaFailure],
    *,
    label: str,
) -> None:
    """One passed check, or one failed check per failure with ``path`` = its JSON pointer."""
    if not failures:
        report.passed(check_id)
        return
    for failure in failures[:MAX_ERRORS]:
        problem = Problem.for_check(check_id, title, f"{label}: {failure.message}")
        report.checks.append(Check(check_id, Outcome.FAILED, problem, failure.pointer))
    if len(failures) > MAX_ERRORS:
        report.failed(
            check_id, title, f"{label}: {len(failures) - MAX_ERRORS} more violations not listed"
        )


def credential_types(document: Mapping[str, Any]) -> list[str]:
    """The string members of ``type`` (a malformed ``type`` is the data model's to report)."""
    value = document.get("type", [])
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def _status_index_erratum(document: Mapping[str, Any], failure: SchemaFailure) -> bool:
    """Whether ``failure`` is only the integer-typed statusListIndex meeting a base-10 string."""
    if not _STATUS_INDEX.fullmatch(failure.pointer):
        return False
    value: Any = document
    for part in failure.pointer.strip("/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value.get(part)
    return isinstance(value, str) and _BASE10.fullmatch(value) is not None


def validate_untp(document: Any) -> VerificationReport:
    """``schema.untp``: the credential against the UNTP 0.7.0 base schema of its type(s)."""
    report = VerificationReport()
    if not isinstance(document, Mapping):
        report.failed(UNTP_CHECK, "Not a credential", "a credential is a JSON object")
        return report
    types = [t for t in credential_types(document) if t in UNTP_TYPES]
    if not types:
        report.warn(
            UNTP_CHECK,
            "Not a UNTP credential",
            f"type declares none of {', '.join(UNTP_TYPES)}; no UNTP base schema applies",
        )
        return report
    for credential_type in types:
        found = schema_for_type(credential_type)
        assert found is not None
        name = found[0]
        failures = schema_failures(document, found[1], validator=_validator(credential_type))
        errata = [f for f in failures if _status_index_erratum(document, f)]
        if errata:
            report.warn(
                ERRATUM_CHECK,
                "UNTP schema erratum applied",
                f"{name} types statusListIndex as an integer; it is a base-10 string in W3C "
                f"Bitstring Status List v1.0 (and in the schema's own description), so "
                f"{', '.join(f.pointer for f in errata)} is accepted",
            )
            failures = [f for f in failures if f not in errata]
        report_failures(
            report,
            UNTP_CHECK,
            f"Not a valid UNTP 0.7.0 {credential_type}",
            failures,
            label=name,
        )
    return report
