"""UNTP 0.7.0 base schemas, bundled byte for byte, and validation against them (``schema.untp``).

Public API: :func:`validate_untp` (a report), :func:`schema_failures` (the violations of any
schema, resolved against the bundled ones), :func:`schema_for_type`, :func:`untp_registry` and
the constants below. See ``_schemas`` for pinning and ``$ref`` resolution, ``_validate`` for
how failures become checks, ``_formats`` for :data:`FORMAT_CHECKER`, the one format checker of
every JSON Schema validation in vcservice.
"""

from vcservice.untp._formats import FORMAT_CHECKER, REQUIRED_FORMATS
from vcservice.untp._schemas import (
    BUNDLED_SCHEMAS,
    SCHEMA_BASE,
    UNTP_TYPES,
    BundledSchema,
    bundled_schemas,
    schema_for_type,
    untp_registry,
)
from vcservice.untp._validate import (
    MAX_ERRORS,
    UNTP_CHECK,
    SchemaFailure,
    SchemaUnusableError,
    credential_types,
    json_pointer,
    report_failures,
    schema_failures,
    validate_untp,
)

__all__ = [
    "BUNDLED_SCHEMAS",
    "FORMAT_CHECKER",
    "MAX_ERRORS",
    "REQUIRED_FORMATS",
    "SCHEMA_BASE",
    "UNTP_CHECK",
    "UNTP_TYPES",
    "BundledSchema",
    "SchemaFailure",
    "SchemaUnusableError",
    "bundled_schemas",
    "credential_types",
    "json_pointer",
    "report_failures",
    "schema_failures",
    "schema_for_type",
    "untp_registry",
    "validate_untp",
]
