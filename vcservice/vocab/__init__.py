"""The extension vocabulary (single source: ``vocab/vocabulary.json``), its renderings (JSON-LD
context, Turtle, HTML), the pydantic models of our credential profiles and the JSON Schemas
generated from them (``schemas/``).

Profiles: chain-of-custody-certificate, product-carbon-footprint, recycled-content (DCC),
traceability-event (DTE: make, move, claim), product-passport (DPP), accreditation (DIA).
A credential of a profile must pass the UNTP 0.7.0 base schema of its type *and*
:func:`validate_profile`.
"""

from vcservice.vocab._published import Published, published
from vcservice.vocab._render import context_bytes, render_context, render_html, render_turtle
from vcservice.vocab._schemas import (
    SchemaFinding,
    generate_schema,
    load_schema,
    schema_bytes,
    schema_file,
    validate_profile,
)
from vcservice.vocab._select import extension_schemas_for, profiles_for
from vcservice.vocab._vocabulary import Term, Vocabulary, load_vocabulary
from vcservice.vocab.profiles import CONTEXT_URL, PROFILES

__all__ = [
    "CONTEXT_URL",
    "PROFILES",
    "Published",
    "SchemaFinding",
    "Term",
    "Vocabulary",
    "context_bytes",
    "extension_schemas_for",
    "generate_schema",
    "load_schema",
    "load_vocabulary",
    "profiles_for",
    "published",
    "render_context",
    "render_html",
    "render_turtle",
    "schema_bytes",
    "schema_file",
    "validate_profile",
]
