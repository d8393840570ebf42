"""The one JSON Schema format checker of vcservice: every schema validation (UNTP base schemas,
our profile schemas, extension schemas, the conformance harness) asserts ``format`` with it.

Draft 2020-12 makes ``format`` an annotation unless the validator is given a checker. UNTP's own
test suite (tests-untp, AJV with ajv-formats) asserts formats, so a credential we called valid
failed there: ``MoveEvent.consignmentId`` is ``format: uri`` and ``"SHP-1"`` is no URI.

jsonschema checks ``uri`` and ``date-time`` only when optional packages are importable
(rfc3986-validator, rfc3339-validator: the ``jsonschema[format-nongpl]`` extra, a declared
dependency). A checker that silently skipped a format when a package is missing would be the
same bug again, so building this one refuses (ImportError) when any format of
:data:`REQUIRED_FORMATS`, every format the bundled schemas use, has no checker.

``byte`` is not a JSON Schema format but OpenAPI's (base64-encoded characters, RFC 4648 §4); the
UNTP schemas use it for ``imageData``, and ajv-formats asserts it, so it is checked here too,
with padding, as ajv-formats does.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

#: Every format the bundled schemas (UNTP 0.7.0 and our profile schemas) use: each must have a
#: checker (tests/untp/test_formats.py keeps this list complete).
REQUIRED_FORMATS: tuple[str, ...] = ("byte", "date", "date-time", "uri")

_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def is_byte(instance: object) -> bool:
    """OpenAPI ``byte``: base64 (RFC 4648 §4, padded). Non-strings are not this format's
    business (JSON Schema: a format applies to the instance types it is defined for)."""
    return not isinstance(instance, str) or _BASE64.fullmatch(instance) is not None


def _build() -> Any:
    checker = FormatChecker(formats=())
    # A copy: jsonschema's own FORMAT_CHECKER is shared with every other user of the library.
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("byte")(is_byte)
    missing = [name for name in REQUIRED_FORMATS if name not in checker.checkers]
    if missing:
        raise ImportError(
            f"no JSON Schema format checker for {', '.join(missing)}: install "
            "'jsonschema[format-nongpl]' (a dependency of vcservice); schemas would otherwise "
            "be validated without asserting these formats"
        )
    return checker


#: The shared checker (a ``jsonschema.FormatChecker``): Draft 2020-12's formats plus ``byte``.
FORMAT_CHECKER: Any = _build()
