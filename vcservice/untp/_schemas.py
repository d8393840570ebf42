"""The bundled UNTP 0.7.0 JSON Schemas: loading (hash-pinned), lookup by credential type, and a
``referencing`` registry that never retrieves anything.

The files in ``schemas/`` are byte-for-byte copies of the UNTP v0.7.0 release schemas (see
THIRD_PARTY_NOTICES.md). Each is pinned by SHA-256, like the bundled JSON-LD contexts: a changed
byte means we would be validating against a schema nobody reviewed, so loading refuses.

The release schemas carry no ``$id``. They are registered under the URLs UNTP publishes them at,
so an extension schema can reuse UNTP definitions with e.g.
``{"$ref": "https://untp.unece.org/artefacts/schema/v0.7.0/dpp/DigitalProductPassport.json#/$defs/Link"}``
and the reference resolves to the bundled copy. Any other ``$ref`` target is unresolvable:
the registry has no ``retrieve`` hook, so nothing is ever fetched from the network.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from vcservice.errors import InputError

SCHEMA_BASE = "https://untp.unece.org/artefacts/schema/v0.7.0/"


@dataclass(frozen=True)
class BundledSchema:
    """One bundled schema: the credential type it validates (None for helper schemas), its
    file, the URL it is registered under, and the SHA-256 of the file."""

    credential_type: str | None
    filename: str
    url: str
    sha256: str


BUNDLED_SCHEMAS: tuple[BundledSchema, ...] = (
    BundledSchema(
        "DigitalProductPassport",
        "DigitalProductPassport.json",
        SCHEMA_BASE + "dpp/DigitalProductPassport.json",
        "f5525904979500f3e5500d819cda063c46faf6aee765e72aae47203d6584843f",
    ),
    BundledSchema(
        "DigitalConformityCredential",
        "ConformityCredential.json",
        SCHEMA_BASE + "dcc/ConformityCredential.json",
        "713178a525b3a10ef17c06540e517d7c0b86fede44305ffc369c38086bddbdec",
    ),
    BundledSchema(
        "DigitalTraceabilityEvent",
        "DigitalTraceabilityEvent.json",
        SCHEMA_BASE + "dte/DigitalTraceabilityEvent.json",
        "69ef83fc3cc5fe2707cf5445c0564b23fad76f40e4e8709772298b030169f834",
    ),
    BundledSchema(
        "DigitalFacilityRecord",
        "DigitalFacilityRecord.json",
        SCHEMA_BASE + "dfr/DigitalFacilityRecord.json",
        "371a03b95e74b8cc1c985062df1724b7ab740ad9d69303d6e44f93f765cb714d",
    ),
    BundledSchema(
        "DigitalIdentityAnchor",
        "DigitalIdentityAnchor.json",
        SCHEMA_BASE + "dia/DigitalIdentityAnchor.json",
        "e26ec4543b29b353e720b345671ccf4926d472c2c5e1c65ecb6f5e9dd6e2a71d",
    ),
    # Identity-resolver linksets (draft-07, has its own $id); not a credential schema, bundled
    # so that references to it resolve locally.
    BundledSchema(
        None,
        "LinksetSchema.json",
        "https://untp.unece.org/schema/idr/linkset-schema",
        "d59d543577ebe110284471f45165d920e95fcbf64f504eaa62564c966eda1f62",
    ),
)

#: The UNTP 0.7.0 credential types we have a base schema for, in a stable order.
UNTP_TYPES: tuple[str, ...] = tuple(
    s.credential_type for s in BUNDLED_SCHEMAS if s.credential_type is not None
)


def _read_pinned(entry: BundledSchema) -> dict[str, Any]:
    data = (resources.files("vcservice.untp") / "schemas" / entry.filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        raise InputError(
            f"bundled schema {entry.filename} has SHA-256 {digest}, expected {entry.sha256}; "
            "refusing to validate against it"
        )
    schema = json.loads(data)
    if not isinstance(schema, dict):
        raise InputError(f"bundled schema {entry.filename} is not a JSON object")
    return schema


@cache
def bundled_schemas() -> Mapping[str, dict[str, Any]]:
    """URL → parsed schema for every bundled file, each hash-checked once (cached: six
    immutable entries; callers must not mutate the returned schemas)."""
    return {entry.url: _read_pinned(entry) for entry in BUNDLED_SCHEMAS}


def schema_for_type(credential_type: str) -> tuple[str, dict[str, Any]] | None:
    """(name, schema) of the UNTP 0.7.0 base schema for a credential type, or None."""
    for entry in BUNDLED_SCHEMAS:
        if entry.credential_type == credential_type:
            return f"untp-0.7.0/{entry.filename}", bundled_schemas()[entry.url]
    return None


@cache
def untp_registry() -> Registry[Any]:
    """A registry of the bundled schemas under their published URLs, with no retrieval:
    an unknown ``$ref`` raises ``referencing.exceptions.Unresolvable`` instead of fetching."""
    resources_ = [
        (url, Resource.from_contents(schema, default_specification=DRAFT202012))
        for url, schema in bundled_schemas().items()
    ]
    return Registry().with_resources(resources_).crawl()
