"""The extension JSON Schemas (2020-12): generated from :mod:`vcservice.vocab.profiles`,
shipped in ``schemas/`` (inside the package as ``vcservice/vocab/schemas``), and used to
validate credentials with a JSON pointer for every finding.

Generation post-processes pydantic's output in four ways, each mirroring a rule the models
also enforce: optional properties are not nullable (the models reject ``null``), ``default: null``
and pydantic's generated titles are dropped, the property descriptions come from the vocabulary
(one wording everywhere), and the traceability-event subject union is written as
``if``/``then`` on the event type, so an error in a MakeEvent points into the MakeEvent instead
of at a ``oneOf`` that failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from vcservice.untp import FORMAT_CHECKER, json_pointer
from vcservice.vocab._vocabulary import Vocabulary, load_vocabulary
from vcservice.vocab.profiles import PROFILES

SCHEMA_BASE = "https://w3id.org/critical-minerals/schemas/v1/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        # Optional fields may be absent but never null (the models' _no_nulls rule).
        return self.generate_inner(schema["schema"])


def _clean(node: Any, vocab: Vocabulary, *, in_properties: bool = False) -> Any:
    if isinstance(node, list):
        return [_clean(item, vocab) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if not in_properties and key == "title" and isinstance(value, str):
            continue
        if not in_properties and key == "default" and value is None:
            continue
        if in_properties:
            cleaned = _clean(value, vocab)
            term = vocab.terms.get(key)
            reused = vocab.reused_terms.get(key)
            if isinstance(cleaned, dict) and term is not None and term.kind == "property":
                cleaned = {"description": term.definition, **cleaned}
            elif isinstance(cleaned, dict) and reused is not None:
                cleaned = {"description": reused.definition, **cleaned}
            out[key] = cleaned
        else:
            out[key] = _clean(value, vocab, in_properties=key in ("properties", "$defs"))
    return out


def _has(kind: str) -> dict[str, Any]:
    return {
        "properties": {"type": {"type": "array", "contains": {"const": kind}}},
        "required": ["type"],
    }


def _event_subjects(schema: dict[str, Any]) -> None:
    """Replace the discriminated ``oneOf`` of event subjects by if/then on the type."""
    items = schema["properties"]["credentialSubject"]["items"]
    assert "oneOf" in items, "pydantic no longer writes the event union as oneOf"
    # Most specific first, as _event_kind reads them (a claim or a stocktake is a ModifyEvent).
    kinds = ["ClaimEvent", "StocktakeEvent", "MakeEvent", "MoveEvent"]
    rules: list[dict[str, Any]] = [
        {
            "properties": {"type": {"type": "array", "contains": {"enum": kinds}}},
            "required": ["type"],
        }
    ]
    for index, kind in enumerate(kinds):
        earlier = [{"not": _has(other)} for other in kinds[:index]]
        rule: dict[str, Any] = {
            "if": {"allOf": [_has(kind), *earlier]} if earlier else _has(kind),
            "then": {"$ref": f"#/$defs/{kind}"},
        }
        rules.append(rule)
    schema["properties"]["credentialSubject"]["items"] = {"type": "object", "allOf": rules}


def generate_schema(name: str, vocab: Vocabulary | None = None) -> dict[str, Any]:
    vocab = vocab or load_vocabulary()
    model, base = PROFILES[name]
    raw = model.model_json_schema(by_alias=True, mode="validation", schema_generator=_Generator)
    body = _clean(raw, vocab)
    if name == "traceability-event":
        _event_subjects(body)
    header = {
        "$schema": DIALECT,
        "$id": f"{SCHEMA_BASE}{name}.schema.json",
        "title": f"{name} (extension profile of UNTP 0.7.0 {base.removesuffix('.json')})",
        "description": (model.__doc__ or "").strip()
        + f" Validate with this schema and with the UNTP 0.7.0 base schema {base}.",
    }
    body.pop("description", None)
    return {**header, **body}


def schema_bytes(name: str, vocab: Vocabulary | None = None) -> bytes:
    text = json.dumps(generate_schema(name, vocab), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def schema_file(name: str) -> str:
    return f"{name}.schema.json"


@lru_cache(maxsize=len(PROFILES))
def _validator(name: str) -> Draft202012Validator:
    if name not in PROFILES:
        raise KeyError(f"no profile {name!r}; known: {', '.join(PROFILES)}")
    data = (resources.files("vcservice.vocab") / "schemas" / schema_file(name)).read_bytes()
    schema = json.loads(data)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def load_schema(name: str) -> dict[str, Any]:
    """The bundled extension schema of profile ``name`` (a copy)."""
    schema: dict[str, Any] = json.loads(json.dumps(_validator(name).schema))
    return schema


@dataclass(frozen=True, order=True)
class SchemaFinding:
    """One schema violation: where (RFC 6901 pointer) and what."""

    pointer: str
    message: str


def _findings(error: ValidationError) -> list[SchemaFinding]:
    if error.context and error.validator in ("anyOf", "oneOf"):
        return [f for sub in error.context for f in _findings(sub)]
    base = json_pointer(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [k for k in error.validator_value if k not in error.instance]
        return [SchemaFinding(base + json_pointer([k]), f"{k!r} is required") for k in missing]
    if error.validator == "not" and error.validator_value == {}:
        return [SchemaFinding(base, "this property is not allowed here")]
    return [SchemaFinding(base, error.message)]


def validate_profile(document: Any, name: str) -> list[SchemaFinding]:
    """Validates ``document`` against our extension schema ``name``, formats asserted (the
    shared :data:`vcservice.untp.FORMAT_CHECKER`); [] when it conforms.

    A missing property is reported at the pointer it should have had (``/a/b/missing``), so
    every finding points at the offending field.
    """
    found = {f for error in _validator(name).iter_errors(document) for f in _findings(error)}
    return sorted(found)
