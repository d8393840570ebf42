"""Forms generated from the profile JSON Schemas: the no-JavaScript way for a certification body
to write an attestation, with every validation finding shown next to the field it is about.

Why generated: the profile schemas (ours merged with the UNTP 0.7.0 base schema of the type)
are the one statement of what a credential must hold; a hand-written form would drift from
them. The form is only a convenience for *writing* the JSON: whether the result is valid is
decided by :func:`vcservice.schema_validation.validate_document`, never here, so a form that is
less strict than the schemas is harmless and the findings come back to the right field through
:meth:`Draft.with_findings`.

How a schema becomes a form
---------------------------
Node by node, our extension schema is merged with the base schema (properties and ``required``
unioned, ``$ref`` resolved in its own document, ``allOf`` merged; ``if``/``then``/``not`` are
validation-only and ignored; of an ``anyOf``/``oneOf`` the first object branch, else the first
branch, is used). Values that are fixed by the schemas (``const``; ``type`` and ``@context``
arrays given by ``prefixItems``/``contains``) are filled in, not asked for. The credential's
``id``, ``issuer``, status, proof and rendering are the issuing service's business and are not
in the form. Required fields and optional scalars are shown; optional objects and arrays are
offered collapsed. A depth limit guards against recursive schemas.

Field names are RFC 6901 JSON pointers into the credential (``/credentialSubject/name``), so a
finding's pointer *is* a field name. Arrays grow and shrink without scripts through a submit
button named ``_action`` (``add:/ptr`` or ``remove:/ptr/3``); each array also submits its length
as ``/ptr/-`` so that items with nothing filled in survive a round trip.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from vcservice.report import VerificationReport
from vcservice.untp import SCHEMA_BASE as UNTP_SCHEMA_BASE
from vcservice.untp._schemas import BUNDLED_SCHEMAS, untp_registry
from vcservice.vocab._schemas import load_schema
from vcservice.vocab.profiles import COUNTRY_PATTERN, DIGEST_PATTERN
from vcservice.vocab.profiles import PROFILES as MODEL_PROFILES

__all__ = [
    "KINDS",
    "PROFILES",
    "SERVICE_MEMBERS",
    "Draft",
    "ErrorLink",
    "FormKind",
    "SchemaForm",
    "Widget",
    "element_id",
    "findings",
    "form_for",
    "humanize",
]


@dataclass(frozen=True)
class FormKind:
    """One kind of credential a certifier can issue from a form, said in plain words.

    ``profile`` is the vocabulary profile (schema file stem) the credential must pass;
    ``event`` narrows a traceability event to one kind (the profile's schema picks the event's
    shape by its ``type`` with ``if``/``then``, which a generated form cannot follow, so each
    event kind is a form of its own). ``technical`` is the small print for those who know UNTP.
    """

    title: str
    description: str
    technical: str
    profile: str
    event: tuple[str, str] | None = None  # (our $defs name, the UNTP base $defs name)


#: Every form, in display order: each profile of the extension vocabulary (a traceability event
#: per event kind).
KINDS: Mapping[str, FormKind] = {
    "chain-of-custody-certificate": FormKind(
        "Chain-of-custody certificate",
        "Certify that a company runs a chain-of-custody system for a material at named sites.",
        "UNTP DigitalConformityCredential · ChainOfCustodyCertificate (ISO 22095)",
        "chain-of-custody-certificate",
    ),
    "product-carbon-footprint": FormKind(
        "Product carbon footprint attestation",
        "Attest the carbon footprint you verified for a product, per kilogram or tonne.",
        "UNTP DigitalConformityCredential · ProductCarbonFootprintAttestation (PACT)",
        "product-carbon-footprint",
    ),
    "recycled-content": FormKind(
        "Recycled content attestation",
        "Attest the share of recycled material you verified in a product.",
        "UNTP DigitalConformityCredential · RecycledContentAttestation (ISO 14021)",
        "recycled-content",
    ),
    "accreditation": FormKind(
        "Accreditation (identity anchor)",
        "As an accreditation body, confirm that a certifier is accredited for a scheme.",
        "UNTP DigitalIdentityAnchor · Accreditation",
        "accreditation",
    ),
    "product-passport": FormKind(
        "Product passport",
        "Describe a batch of product with its claims and the credentials that back them.",
        "UNTP DigitalProductPassport",
        "product-passport",
    ),
    "make-event": FormKind(
        "Production record",
        "Record that input batches were turned into a new batch at a site.",
        "UNTP DigitalTraceabilityEvent · MakeEvent",
        "traceability-event",
        ("MakeEvent", "MakeEvent"),
    ),
    "move-event": FormKind(
        "Shipment record",
        "Record that a batch was handed over from one site or company to another.",
        "UNTP DigitalTraceabilityEvent · MoveEvent",
        "traceability-event",
        ("MoveEvent", "MoveEvent"),
    ),
    "claim-event": FormKind(
        "Final claim on an end product",
        "Use up certified credits for an end product, so they cannot be claimed again.",
        "UNTP DigitalTraceabilityEvent · ModifyEvent (ClaimEvent)",
        "traceability-event",
        ("ClaimEvent", "ModifyEvent"),
    ),
    "stocktake-event": FormKind(
        "Stocktake",
        "Record the stock of a material at a site on a date, with its certified share.",
        "UNTP DigitalTraceabilityEvent · ModifyEvent (StocktakeEvent)",
        "traceability-event",
        ("StocktakeEvent", "ModifyEvent"),
    ),
    "facility-record": FormKind(
        "Site mass-balance record",
        "Declare the material a site used and its mass-balance accounts for a period.",
        "UNTP DigitalFacilityRecord · MassBalanceAccount",
        "facility-record",
    ),
}
#: The forms a certification body can issue from: name → plain title, in display order.
PROFILES: Mapping[str, str] = {name: kind.title for name, kind in KINDS.items()}

#: Top-level members the issuing service and console set; never asked for, never kept.
SERVICE_MEMBERS = frozenset(
    {
        "@context",
        "id",
        "issuer",
        "credentialStatus",
        "proof",
        "credentialSchema",
        "renderMethod",
        "issuingSoftware",
        "evidence",
        "termsOfUse",
        "refreshService",
    }
)
#: Optional objects and arrays deeper than this many objects are left out (UNTP nests deeply).
MAX_OPTIONAL_DEPTH = 6
#: A submitted form never makes an array longer than this (the size is the client's to say).
MAX_ITEMS = 100
#: Nothing deeper than this is generated, required or not (a guard against recursive schemas).
MAX_DEPTH = 12

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOCAL_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?")
_ZONED_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[a-z)][.!?])\s+(?=[A-Z])")
_REQUIRED_MESSAGE = re.compile(r"'((?:[^'\\]|\\.)*)' is a required property")
_GROUPING = str.maketrans("", "", " \u00a0\u202f'_")
_WORD = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|\d|$|[^A-Za-z])|[A-Z]?[a-z]+|[A-Z]+|\d+[A-Za-z]*")
_LONG_TEXT = ("description", "Description", "Information", "Statement", "statement")
_PATTERN_HINTS = {
    COUNTRY_PATTERN: "An ISO 3166-1 alpha-2 country code in capitals, for example SE.",
    DIGEST_PATTERN: "The sha2-256 multihash of the linked bytes in base58btc (zQm… 47 chars).",
}
_LINK_HINT = (
    "Pick one of your credentials, or give the web address of one you received: the service "
    "fetches it and computes its digest."
)
_ACRONYMS = {"id": "ID", "url": "URL", "pcf": "PCF", "ghg": "GHG", "cab": "CAB", "uri": "URI"}

Kind = Literal[
    "object",
    "array",
    "choices",  # an array of enum values: a group of checkboxes
    "text",
    "textarea",
    "number",
    "integer",
    "boolean",
    "enum",
    "date",
    "datetime",
    "fixed",
    "link",  # a digest link to another credential: picked, its digest computed by the service
]
#: A form's raw state: what the user typed, shaped like the credential (strings at the leaves).
Raw = dict[str, "Raw"] | list["Raw"] | str


# -- Schema merging -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    """A subschema and the resolver of the document it sits in (its ``$ref``s are relative)."""

    schema: Mapping[str, Any]
    resolver: Any
    ext: bool  # from our extension schema (its descriptions win: they are the vocabulary's)


@dataclass
class _Merged:
    type: str | None = None
    description: str = ""
    properties: dict[str, list[_Located]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: list[_Located] = field(default_factory=list)
    enum: list[Any] | None = None
    const: list[Any] = field(default_factory=list)
    fixed_items: list[Any] = field(default_factory=list)
    default: Any = None
    format: str | None = None
    pattern: str | None = None
    min_items: int = 0
    refs: frozenset[str] = frozenset()


def _expand(sources: Sequence[_Located], chain: frozenset[str]) -> tuple[list[_Located], set[str]]:
    """Every schema that applies at this node: ``$ref`` and ``allOf`` followed, one branch of
    ``anyOf``/``oneOf`` taken. A ``$ref`` already on the path is not followed again."""
    out: list[_Located] = []
    refs: set[str] = set()
    todo = list(sources)
    while todo:
        loc = todo.pop(0)
        schema = loc.schema
        out.append(loc)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            resolved = loc.resolver.lookup(ref)
            key = str(id(resolved.contents))
            if key not in chain and key not in refs:
                refs.add(key)
                todo.append(_Located(resolved.contents, resolved.resolver, loc.ext))
        for sub in schema.get("allOf", ()):
            if isinstance(sub, Mapping) and not ({"if", "then", "else", "not"} & set(sub)):
                todo.append(_Located(sub, loc.resolver, loc.ext))
        for keyword in ("anyOf", "oneOf"):
            branches = [b for b in schema.get(keyword, ()) if isinstance(b, Mapping)]
            if branches:
                objects = [b for b in branches if b.get("type") == "object" or "properties" in b]
                todo.append(_Located((objects or branches)[0], loc.resolver, loc.ext))
    return out, refs


def _consts(contains: Any) -> list[Any]:
    if isinstance(contains, Mapping) and "const" in contains:
        return [contains["const"]]
    return []


def _merge(sources: Sequence[_Located], chain: frozenset[str]) -> _Merged:
    expanded, refs = _expand(sources, chain)
    merged = _Merged(refs=chain | refs)
    # Descriptions: the property's own (beside its $ref) over its definition's, ours over UNTP's.
    for loc in sorted(expanded, key=lambda s: (not s.ext, s not in sources)):
        text = loc.schema.get("description")
        if isinstance(text, str) and text.strip():
            merged.description = " ".join(text.split())
            break
    prefix: list[Any] = []
    contains: list[Any] = []
    # Property order: UNTP's first (the familiar reading order), then what our profile adds.
    for loc in sorted(expanded, key=lambda s: s.ext):
        schema = loc.schema
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if isinstance(kind, str) and merged.type is None:
            merged.type = kind
        for name, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, Mapping):
                merged.properties.setdefault(name, []).append(_Located(sub, loc.resolver, loc.ext))
        merged.required.update(r for r in schema.get("required", ()) if isinstance(r, str))
        items = schema.get("items")
        if isinstance(items, Mapping):
            merged.items.append(_Located(items, loc.resolver, loc.ext))
        if isinstance(schema.get("enum"), list):
            values = list(schema["enum"])
            merged.enum = values if merged.enum is None else [v for v in merged.enum if v in values]
        if "const" in schema:
            merged.const.append(schema["const"])
        for item in schema.get("prefixItems", ()):
            prefix += _consts(item)
        contains += _consts(schema.get("contains"))
        for sub in schema.get("allOf", ()):
            if isinstance(sub, Mapping) and "contains" in sub:
                contains += _consts(sub["contains"])
        if merged.default is None and "default" in schema:
            merged.default = schema["default"]
        merged.format = merged.format or schema.get("format")
        merged.pattern = merged.pattern or schema.get("pattern")
        min_items = schema.get("minItems")
        if isinstance(min_items, int):
            merged.min_items = max(merged.min_items, min_items)
    merged.fixed_items = list(dict.fromkeys([*prefix, *_ordered_consts(contains)]))
    if merged.type is None and merged.properties:
        merged.type = "object"
    return merged


def _ordered_consts(values: list[Any]) -> list[Any]:
    """``contains`` values in first-seen order, ours first: that is the order our examples and
    issuers write ``type`` in (``["ConformityAttestation", "RecycledContentAttestation"]``)."""
    return list(dict.fromkeys(v for v in values if isinstance(v, str | int | float | bool)))


# -- The field tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """One field of the form, independent of any value (an array item is described once)."""

    key: str
    label: str
    kind: Kind
    required: bool = False
    description: str = ""
    hint: str = ""
    options: tuple[str, ...] = ()
    fixed: Any = None
    children: tuple[_Spec, ...] = ()
    item: _Spec | None = None
    min_items: int = 0
    verbatim: bool = False  # an identifier or code: no spellcheck, no capitalisation

    def child(self, key: str) -> _Spec | None:
        return next((c for c in self.children if c.key == key), None)


#: UNTP's Country (ISO 3166), for the profiles that leave a country an open object.
_COUNTRY_FIELDS = (
    _Spec(
        key="countryCode",
        label="Country code",
        kind="text",
        required=True,
        hint=_PATTERN_HINTS[COUNTRY_PATTERN],
        verbatim=True,
    ),
    _Spec(key="countryName", label="Country name", kind="text"),
)


def humanize(name: str) -> str:
    """``pcfExcludingBiogenicUptake`` → "PCF excluding biogenic uptake" (labels from terms)."""
    words = _WORD.findall(name) or [name]
    out: list[str] = []
    for word in words:
        low = word.lower()
        if low in _ACRONYMS:
            out.append(_ACRONYMS[low])
        elif word.isupper() and len(word) > 1:
            out.append(word)
        else:
            out.append(low)
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def _hint(merged: _Merged, kind: Kind) -> str:
    if merged.pattern in _PATTERN_HINTS:
        return _PATTERN_HINTS[merged.pattern]
    if kind == "datetime":
        return "Date and time in UTC."
    if kind == "date":
        return "A date, YYYY-MM-DD."
    if kind in ("number", "integer"):
        return "A number; a point or a comma as decimal mark."
    if merged.format == "uri":
        return "A URI (https://…, did:…, urn:…)."
    return ""


def _scalar_kind(merged: _Merged, key: str) -> Kind:
    if merged.enum:
        return "enum"
    if merged.type == "boolean":
        return "boolean"
    if merged.type == "number":
        return "number"
    if merged.type == "integer":
        return "integer"
    if merged.format == "date":
        return "date"
    if merged.format == "date-time":
        return "datetime"
    if merged.format == "uri":
        return "text"
    if any(word in key for word in _LONG_TEXT):
        return "textarea"
    return "text"


def _build_spec(
    key: str, sources: Sequence[_Located], required: bool, depth: int, chain: frozenset[str]
) -> _Spec | None:
    """The spec of one node, or None when it is not offered (too deep, or not writable)."""
    merged = _merge(sources, chain)
    label = humanize(key) if key else ""
    common: dict[str, Any] = {"key": key, "label": label, "required": required}
    common["description"] = merged.description
    if len(merged.const) == 1 or (merged.enum is not None and len(merged.enum) == 1 and required):
        return _Spec(kind="fixed", fixed=(merged.const or merged.enum or [None])[0], **common)
    if merged.type == "array":
        if merged.fixed_items:
            return _Spec(kind="fixed", fixed=list(merged.fixed_items), **common)
        if isinstance(merged.default, list) and any("readOnly" in s.schema for s in sources):
            return _Spec(kind="fixed", fixed=list(merged.default), **common)
        if not merged.items or depth >= MAX_DEPTH or (not required and depth > MAX_OPTIONAL_DEPTH):
            return None
        item = _build_spec("", merged.items, True, depth, merged.refs)
        if item is None or item.kind == "fixed":
            return None
        min_items = max(merged.min_items, 1) if required else merged.min_items
        if item.kind == "enum":
            return _Spec(kind="choices", options=item.options, min_items=min_items, **common)
        item = replace(item, label=label)
        return _Spec(kind="array", item=item, min_items=min_items, **common)
    if merged.type == "object" or merged.properties:
        if depth >= MAX_DEPTH or (not required and depth >= MAX_OPTIONAL_DEPTH):
            return None
        if {"linkURL", "digestMultibase"} <= merged.required:
            return _Spec(kind="link", hint=_LINK_HINT, verbatim=True, **common)
        children = []
        for name, subs in merged.properties.items():
            if depth == 0 and name in SERVICE_MEMBERS and name != "@context":
                continue
            if name == "digestMultibase" and "linkURL" in merged.properties:
                continue  # a digest is computed, never typed: an optional one is left out
            child = _build_spec(name, subs, name in merged.required, depth + 1, merged.refs)
            if child is not None:
                children.append(child)
        if not children and key.endswith("Country"):
            children = list(_COUNTRY_FIELDS)  # an open object where UNTP means its Country
        if not any(c.kind != "fixed" for c in children):
            return None
        return _Spec(kind="object", children=tuple(children), **common)
    kind = _scalar_kind(merged, key)
    options = tuple(str(v) for v in merged.enum or ())
    verbatim = merged.format == "uri" or merged.pattern is not None
    return _Spec(kind=kind, options=options, hint=_hint(merged, kind), verbatim=verbatim, **common)


# -- Pointers and ids -----------------------------------------------------------------------


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _join(pointer: str, part: str | int) -> str:
    return f"{pointer}/{_escape(part)}"


def _split(pointer: str) -> list[str]:
    return [_unescape(p) for p in pointer.split("/")[1:]] if pointer else []


def element_id(pointer: str) -> str:
    """A valid, unique HTML id for a pointer: ``/a/b-c/0`` → ``f-a-b_2dc-0``. Only ``-`` joins
    segments, so ids of different pointers differ, and ``--`` suffixes (``--hint``) are free."""

    def segment(part: str) -> str:
        return "".join(ch if ch.isascii() and ch.isalnum() else f"_{ord(ch):x}" for ch in part)

    return "f" + "".join("-" + segment(p) for p in _split(pointer))


# -- Raw values -------------------------------------------------------------------------------


def _blank(spec: _Spec) -> Raw:
    if spec.kind == "object":
        return {c.key: _blank(c) for c in spec.children if c.kind != "fixed"}
    if spec.kind == "array":
        assert spec.item is not None
        return [_blank(spec.item) for _ in range(spec.min_items)]
    if spec.kind == "choices":
        return []
    return ""


def _format_scalar(spec: _Spec, value: Any) -> str | None:
    """A document value as the text its input shows; None if it cannot be shown there."""
    if spec.kind == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else None
    if spec.kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return None
    if spec.kind == "datetime":
        return _datetime_for_input(value)
    if spec.kind == "enum" and value not in spec.options:
        return None
    return value


def _datetime_for_input(value: str) -> str:
    """``datetime-local`` has no zone: a UTC time is shown without its ``Z``, any other
    offset converted to UTC first; a value that is no date-time is shown as it is."""
    if not _ZONED_DATETIME.fullmatch(value):
        return value
    if value.upper().endswith("Z"):
        return value[:-1]
    moment = datetime.fromisoformat(value).astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat()


def _from_document(
    spec: _Spec, value: Any, pointer: str, dropped: list[str], *, root: bool = False
) -> Raw:
    if spec.kind == "object":
        if not isinstance(value, Mapping):
            if value is not None:
                dropped.append(pointer)
            return _blank(spec)
        raw_obj: dict[str, Raw] = {}
        for child in spec.children:
            if child.kind == "fixed":
                if child.key in value and value[child.key] != child.fixed:
                    dropped.append(_join(pointer, child.key))
                continue
            raw_obj[child.key] = _from_document(
                child, value.get(child.key), _join(pointer, child.key), dropped
            )
        known = {c.key for c in spec.children}
        for name in value:
            if name not in known and not (root and name in SERVICE_MEMBERS):
                dropped.append(_join(pointer, name))
        return raw_obj
    if spec.kind in ("array", "choices"):
        if not isinstance(value, list):
            if value is not None:
                dropped.append(pointer)
            return _blank(spec)
        if spec.kind == "choices":
            for i, v in enumerate(value):
                if v not in spec.options:
                    dropped.append(_join(pointer, i))
            return [v for v in spec.options if v in value]
        assert spec.item is not None
        return [
            _from_document(spec.item, v, _join(pointer, i), dropped) for i, v in enumerate(value)
        ]
    if value is None:
        return ""
    if spec.kind == "link":  # only the address: name, type and digest come from the target
        url = value.get("linkURL") if isinstance(value, Mapping) else None
        if not isinstance(url, str):
            dropped.append(pointer)
            return ""
        return url
    text = _format_scalar(spec, value)
    if text is None:
        dropped.append(pointer)
        return ""
    return text


def _count(values: Mapping[str, str], pointer: str, default: int) -> int:
    prefix = pointer + "/"
    seen = -1
    for name in values:
        if name.startswith(prefix):
            head = name[len(prefix) :].split("/", 1)[0]
            if head.isdigit():
                seen = max(seen, int(head))
    stated = values.get(prefix + "-", "")
    if stated.isdigit():
        return min(max(int(stated), seen + 1), MAX_ITEMS)
    return default if seen < 0 else min(seen + 1, MAX_ITEMS)


def _from_values(spec: _Spec, values: Mapping[str, str], pointer: str) -> Raw:
    if spec.kind == "object":
        return {
            c.key: _from_values(c, values, _join(pointer, c.key))
            for c in spec.children
            if c.kind != "fixed"
        }
    if spec.kind == "choices":
        chosen = {values.get(_join(pointer, i)) for i in range(len(spec.options))}
        return [option for option in spec.options if option in chosen]
    if spec.kind == "array":
        assert spec.item is not None
        n = _count(values, pointer, spec.min_items)
        return [_from_values(spec.item, values, _join(pointer, i)) for i in range(n)]
    if spec.kind == "link":  # the picker (a select named by the pointer), else the typed URL
        return values.get(pointer, "").strip() or values.get(_join(pointer, "linkURL"), "")
    return values.get(pointer, "")


def _locate(spec: _Spec, raw: Raw, parts: list[str]) -> tuple[_Spec, Raw] | None:
    """The spec and raw value at ``parts`` (a path of keys and indexes), if the form has it."""
    for part in parts:
        if spec.kind == "object" and isinstance(raw, dict):
            child = spec.child(part)
            if child is None or child.kind == "fixed" or part not in raw:
                return None
            spec, raw = child, raw[part]
        elif spec.kind == "array" and isinstance(raw, list) and part.isdigit():
            if int(part) >= len(raw) or spec.item is None:
                return None
            spec, raw = spec.item, raw[int(part)]
        else:
            return None
    return spec, raw


def _apply(spec: _Spec, raw: Raw, action: str) -> bool:
    """Applies ``add:/ptr`` or ``remove:/ptr/i`` to ``raw`` in place; False if it names no array."""
    verb, _, pointer = action.partition(":")
    parts = _split(pointer)
    if verb == "add":
        found = _locate(spec, raw, parts)
        if found is None or found[0].kind != "array" or not isinstance(found[1], list):
            return False
        assert found[0].item is not None
        found[1].append(_blank(found[0].item))
        return True
    if verb == "remove" and parts and parts[-1].isdigit():
        found = _locate(spec, raw, parts[:-1])
        if found is None or found[0].kind != "array" or not isinstance(found[1], list):
            return False
        index = int(parts[-1])
        if index >= len(found[1]):
            return False
        del found[1][index]
        return True
    return False


# -- Raw values → credential ------------------------------------------------------------------


def _has_input(spec: _Spec, raw: Raw) -> bool:
    """Whether the user filled in anything here (fixed values and unchecked boxes do not count)."""
    if isinstance(raw, dict):
        return any(_has_input(c, raw.get(c.key, "")) for c in spec.children if c.kind != "fixed")
    if isinstance(raw, list):
        if spec.kind == "choices":
            return bool(raw)
        assert spec.item is not None
        return any(_has_input(spec.item, r) for r in raw)
    if spec.kind == "boolean" and spec.required:
        return raw == "true"
    return raw.strip() != ""


_MISSING = object()


def _parse_number(text: str, integer: bool) -> int | float | None:
    compact = text.translate(_GROUPING)
    if integer:
        return int(compact) if _INTEGER.fullmatch(compact) else None
    if not _NUMBER.fullmatch(compact):
        return None
    compact = compact.replace(",", ".")
    if _INTEGER.fullmatch(compact):
        return int(compact)
    number = float(compact)
    return number if math.isfinite(number) else None


def _convert(spec: _Spec, text: str) -> tuple[Any, str | None]:
    """(JSON value or _MISSING, conversion error)."""
    text = text.replace("\r\n", "\n").strip() if spec.kind == "textarea" else text.strip()
    if spec.kind == "boolean":
        if text in ("true", "false"):
            return text == "true", None
        return (False, None) if spec.required else (_MISSING, None)
    if not text:
        return _MISSING, None
    if spec.kind in ("number", "integer"):
        number = _parse_number(text, spec.kind == "integer")
        if number is None:
            whole = "a whole number" if spec.kind == "integer" else "a number"
            return _MISSING, f"Enter {whole}, for example 12 or 0.5."
        return number, None
    if spec.kind == "enum" and text not in spec.options:
        return _MISSING, "Choose one of the options."
    if spec.kind == "link":
        return {"linkURL": text}, None
    if spec.kind == "date" and not _DATE.fullmatch(text):
        return _MISSING, "Enter a date as YYYY-MM-DD, for example 2026-01-15."
    if spec.kind == "datetime":
        if _ZONED_DATETIME.fullmatch(text):
            return text[:-1] + "Z" if text.endswith("z") else text, None
        local = _LOCAL_DATETIME.fullmatch(text)
        if local is None:
            return _MISSING, "Enter a date and time, for example 2026-01-15T09:30 (UTC)."
        return f"{local[1]}T{local[2]}{local[3] or ':00'}Z", None
    return text, None


def _to_document(
    spec: _Spec, raw: Raw, pointer: str, keep: bool, errors: dict[str, list[str]]
) -> Any:
    """The JSON value of a node, or _MISSING. ``keep``: emit even when nothing was entered
    (a required node of an emitted parent), so that the schema's findings point inside it."""
    if spec.kind == "fixed":
        return spec.fixed
    if not keep and not _has_input(spec, raw):
        return _MISSING
    if spec.kind == "object":
        assert isinstance(raw, dict)
        out: dict[str, Any] = {}
        for child in spec.children:
            value = _to_document(
                child, raw.get(child.key, ""), _join(pointer, child.key), child.required, errors
            )
            if value is not _MISSING:
                out[child.key] = value
        return out
    if spec.kind == "choices":
        assert isinstance(raw, list)
        return list(raw)
    if spec.kind == "array":
        assert isinstance(raw, list)
        assert spec.item is not None
        items = (
            _to_document(spec.item, r, _join(pointer, i), spec.required, errors)
            for i, r in enumerate(raw)
        )
        return [item for item in items if item is not _MISSING]
    assert isinstance(raw, str)
    value, error = _convert(spec, raw)
    if error is not None:
        errors.setdefault(pointer, []).append(error)
    return value


# -- Widgets: the render model ----------------------------------------------------------------


@dataclass(frozen=True)
class Widget:
    """One element of the rendered form; the template only lays these out.

    ``kind`` is the spec's (``object``, ``array``, ``choices``, ``text``, ``textarea``,
    ``number``, ``integer``, ``boolean``, ``enum``, ``date``, ``datetime``) or ``item`` (one
    entry of an array). ``name`` is the field's pointer; ``id`` its element id.
    """

    kind: str
    pointer: str
    id: str
    label: str
    required: bool
    description: str = ""
    hint: str = ""
    value: str = ""
    values: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    children: tuple[Widget, ...] = ()
    collapsed: bool = False
    open: bool = True
    remove_action: str = ""
    add_action: str = ""
    add_label: str = ""
    count: int = 0
    verbatim: bool = False
    filled: bool = False

    @property
    def name(self) -> str:
        return self.pointer

    @property
    def hint_id(self) -> str:
        return self.id + "--hint"

    @property
    def error_id(self) -> str:
        return self.id + "--error"

    @property
    def count_name(self) -> str:
        return self.pointer + "/-"

    @property
    def has_hint(self) -> bool:
        return bool(self.description or self.hint)

    @property
    def help(self) -> str:
        """The description's first sentence and the format hint, as one text (the schemas'
        descriptions run on; one sentence says what the field is, and keeps the form short)."""
        text = _SENTENCE_END.split(self.description, maxsplit=1)[0]
        if text and self.hint and text[-1] not in ".!?:":
            text += "."
        return " ".join(t for t in (text, self.hint) if t)

    @property
    def describedby(self) -> str:
        ids = [self.hint_id] if self.has_hint else []
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def input_mode(self) -> str:
        return {"number": "decimal", "integer": "numeric"}.get(self.kind, "")

    def option_id(self, index: int) -> str:
        return f"{self.id}--{index}"

    def option_name(self, index: int) -> str:
        return _join(self.pointer, index)

    def walk(self) -> Iterator[Widget]:
        yield self
        for child in self.children:
            yield from child.walk()


def _widget(
    spec: _Spec, raw: Raw, pointer: str, errors: Mapping[str, list[str]], label: str
) -> Widget:
    common: dict[str, Any] = {
        "pointer": pointer,
        "id": element_id(pointer),
        "label": label,
        "required": spec.required,
        "description": spec.description,
        "hint": spec.hint,
        "verbatim": spec.verbatim,
        "errors": tuple(errors.get(pointer, ())),
    }
    if spec.kind == "object":
        assert isinstance(raw, dict)
        children = tuple(
            _widget(c, raw.get(c.key, ""), _join(pointer, c.key), errors, c.label)
            for c in spec.children
            if c.kind != "fixed"
        )
        return _group(spec, "object", raw, pointer, errors, children, common)
    if spec.kind == "array":
        assert isinstance(raw, list)
        assert spec.item is not None
        item = spec.item
        items = []
        for i, entry in enumerate(raw):
            inner = _widget(item, entry, _join(pointer, i), errors, f"{label} {i + 1}")
            items.append(
                replace(
                    inner,
                    kind="item" if item.kind == "object" else inner.kind,
                    required=item.kind != "object" and spec.required,
                    description="" if item.kind == "object" else inner.description,
                    remove_action=f"remove:{_join(pointer, i)}",
                )
            )
        noun = label[:1].lower() + label[1:]
        common.update(add_action=f"add:{pointer}", add_label=f"Add {'another ' if raw else 'a '}")
        common["add_label"] += noun
        return _group(spec, "array", raw, pointer, errors, tuple(items), common, count=len(raw))
    if spec.kind == "choices":
        assert isinstance(raw, list)
        chosen = tuple(str(r) for r in raw)
        return _group(
            spec, "choices", raw, pointer, errors, (), common, values=chosen, options=spec.options
        )
    assert isinstance(raw, str)
    return Widget(
        kind=spec.kind, value=raw, options=spec.options, filled=bool(raw.strip()), **common
    )


def _group(
    spec: _Spec,
    kind: str,
    raw: Raw,
    pointer: str,
    errors: Mapping[str, list[str]],
    children: tuple[Widget, ...],
    common: dict[str, Any],
    **extra: Any,
) -> Widget:
    """A fieldset; optional ones are collapsed unless they hold an error (one that holds
    values says so in its summary), so that the first screen shows what must be filled in.
    Required children come first, in schema order, then the optional ones."""
    prefix = pointer + "/"
    flagged = any(p == pointer or p.startswith(prefix) for p, m in errors.items() if m)
    collapsed = not spec.required
    ordered = tuple(sorted(children, key=lambda w: not w.required))
    return Widget(
        kind=kind,
        children=ordered if kind == "object" else children,
        collapsed=collapsed,
        open=not collapsed or flagged,
        filled=_has_input(spec, raw),
        **common,
        **extra,
    )


# -- Drafts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorLink:
    """One entry of the error summary: a link to the field (``href`` empty: no field)."""

    href: str
    label: str
    message: str


@dataclass(frozen=True)
class Draft:
    """A form as filled in: the values as typed, the credential they make, and the messages.

    ``dropped``: pointers of what :meth:`SchemaForm.from_document` could not put in the form
    (members the schemas do not describe, values of the wrong shape); they are not in
    ``document``. ``action``: the ``_action`` that was applied (``add``, ``remove``) or
    received (anything else, e.g. ``check``), None for a plain submit: a console must not
    issue a credential when a button other than its own submit button was pressed.
    """

    form: SchemaForm
    raw: Raw
    document: dict[str, Any]
    errors: Mapping[str, list[str]]
    general: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    action: str | None = None

    @property
    def valid(self) -> bool:
        return not any(self.errors.values()) and not self.general

    @property
    def name(self) -> str:
        return self.form.name

    @property
    def title(self) -> str:
        return self.form.title

    def widgets(self) -> Widget:
        """The root of the render tree (its children are the top-level fields)."""
        return _widget(self.form.spec, self.raw, "", self.errors, self.form.title)

    def field_pointers(self) -> set[str]:
        """Pointers of every rendered field and fieldset (the root excluded)."""
        return {w.pointer for w in self.widgets().walk() if w.pointer}

    def summary(self) -> list[ErrorLink]:
        """The error summary, in page order: general messages first, then each field's."""
        links = [ErrorLink("", "", message) for message in self.general]
        for widget, context in _walk_labelled(self.widgets(), ()):
            for message in widget.errors:
                links.append(ErrorLink("#" + widget.id, " › ".join(context), message))
        return links

    def links(self) -> list[tuple[str, str]]:
        """(pointer, address) of every filled-in link to another credential, in page order:
        what the console must resolve (fetch, check, digest) before anything is shown as final."""
        return list(_link_addresses(self.form.spec, self.raw, ""))

    def with_links(self, resolved: Mapping[str, Mapping[str, Any]]) -> Draft:
        """A copy whose credential carries, at each link pointer of ``resolved``, that link as
        the service completed it (``linkURL``, ``linkName``, ``digestMultibase``…)."""
        document = copy.deepcopy(self.document)
        for pointer, link in resolved.items():
            *parents, last = _split(pointer)
            node: Any = document
            try:
                for part in parents:
                    node = node[int(part)] if isinstance(node, list) else node[part]
                if isinstance(node, list):
                    node[int(last)] = dict(link)
                else:
                    node[last] = dict(link)
            except (KeyError, IndexError, ValueError, TypeError):
                continue  # not in the credential (nothing typed around it): nothing to complete
        return replace(self, document=document)

    def with_findings(self, findings: Iterable[tuple[str, str]]) -> Draft:
        """A copy with validation findings (pointer, message) placed at the deepest rendered
        field or fieldset the pointer is in; findings about what the user does not edit, or
        about the whole credential, go to ``general``. A jsonschema "'x' is a required
        property" at an object is moved to its field ``x`` when the form has one. A field
        that already failed conversion keeps only that message (it is the precise one)."""
        rendered = self.field_pointers()
        errors = {k: list(v) for k, v in self.errors.items()}
        converted = {k for k, v in self.errors.items() if v}
        general = list(self.general)
        for pointer, message in findings:
            target = _target(pointer, message, rendered)
            if target is None:
                text = f"{pointer}: {message}" if pointer else message
                if text not in general:
                    general.append(text)
                continue
            where, text = target
            if where in converted:
                continue
            bucket = errors.setdefault(where, [])
            if text not in bucket:
                bucket.append(text)
        return replace(self, errors=errors, general=general)


def _link_addresses(spec: _Spec, raw: Raw, pointer: str) -> Iterator[tuple[str, str]]:
    if spec.kind == "link" and isinstance(raw, str) and raw.strip():
        yield pointer, raw.strip()
    elif spec.kind == "object" and isinstance(raw, dict):
        for child in spec.children:
            if child.kind != "fixed":
                yield from _link_addresses(child, raw.get(child.key, ""), _join(pointer, child.key))
    elif spec.kind == "array" and isinstance(raw, list) and spec.item is not None:
        for i, entry in enumerate(raw):
            yield from _link_addresses(spec.item, entry, _join(pointer, i))


def _walk_labelled(
    widget: Widget, context: tuple[str, ...]
) -> Iterator[tuple[Widget, tuple[str, ...]]]:
    """Each widget with the labels that locate it ("Credential subject › Authorisation 1 ›
    Name"): many fields are called "Name" or "ID", a summary entry must say which one."""
    if widget.pointer:
        context = (*context, widget.label)
        yield widget, context
    for child in widget.children:
        # An item's label ("Authorisation 1") already names its array.
        inner = context[:-1] if widget.kind == "array" else context
        yield from _walk_labelled(child, inner)


def _target(pointer: str, message: str, rendered: set[str]) -> tuple[str, str] | None:
    if pointer and not pointer.startswith("/"):
        return None
    parts = _split(pointer)
    if parts and parts[0] in SERVICE_MEMBERS:
        return None
    missing = _REQUIRED_MESSAGE.search(message)
    if missing is not None:
        child = _join(pointer, missing[1].replace("\\'", "'"))
        if child in rendered:
            return child, "This field is required."
    if message.endswith("[] should be non-empty"):
        message = "Add at least one."
    for end in range(len(parts), 0, -1):
        candidate = "".join("/" + _escape(p) for p in parts[:end])
        if candidate in rendered:
            return candidate, message
    return None


class SchemaForm:
    """The form of one profile. Build with :func:`form_for` (cached; the spec is immutable)."""

    def __init__(self, name: str, title: str, spec: _Spec) -> None:
        self.name = name
        self.title = title
        self.spec = spec

    def __repr__(self) -> str:
        return f"SchemaForm({self.name!r})"

    def _draft(self, raw: Raw, **extra: Any) -> Draft:
        errors: dict[str, list[str]] = {}
        document = _to_document(self.spec, raw, "", True, errors)
        assert isinstance(document, dict)
        return Draft(self, raw, document, errors, **extra)

    def blank(self) -> Draft:
        """The empty form: required arrays show their minimum number of items."""
        return self._draft(_blank(self.spec))

    def read(self, values: Mapping[str, str]) -> Draft:
        """The draft the submitted ``values`` make. Names that are no pointer (csrf token,
        format, …) are ignored; ``_action`` adds or removes an array item first."""
        fields = {k: v for k, v in values.items() if k.startswith("/") and isinstance(v, str)}
        raw = _from_values(self.spec, fields, "")
        action = values.get("_action") or None
        general: list[str] = []
        verb = (action or "").split(":", 1)[0]
        if action and verb in ("add", "remove") and not _apply(self.spec, raw, action):
            general.append("That button no longer matches the form; nothing was changed.")
        return self._draft(raw, general=general, action=action)

    def from_document(self, document: Mapping[str, Any]) -> Draft:
        """The form prefilled from an unsigned credential (``id``, ``issuer`` and the like are
        ignored: the service sets them)."""
        dropped: list[str] = []
        raw = _from_document(self.spec, document, "", dropped, root=True)
        return self._draft(raw, dropped=dropped)

    def values(self, draft: Draft) -> dict[str, str]:
        """The field values a browser would submit for ``draft`` (for tests and redirects)."""
        out: dict[str, str] = {}
        for widget in draft.widgets().walk():
            if widget.kind == "array":
                out[widget.count_name] = str(widget.count)
            elif widget.kind == "choices":
                for i, option in enumerate(widget.options):
                    if option in widget.values:
                        out[widget.option_name(i)] = option
            elif widget.kind == "boolean" and widget.required:
                if widget.value == "true":
                    out[widget.name] = "true"
            elif widget.kind not in ("object", "item") and widget.pointer:
                out[widget.name] = widget.value
        return out


@cache
def _registry(name: str) -> tuple[Registry[Any], str, str]:
    """(registry, our schema's URL, the UNTP base schema's URL) of profile ``name``."""
    ours = load_schema(name)
    base_file = MODEL_PROFILES[name][1]
    base_url = next(s.url for s in BUNDLED_SCHEMAS if s.filename == base_file)
    assert base_url.startswith(UNTP_SCHEMA_BASE)
    resource = Resource.from_contents(ours, default_specification=DRAFT202012)
    return untp_registry().with_resource(ours["$id"], resource), ours["$id"], base_url


def _one_event(schema: Mapping[str, Any], definition: str) -> dict[str, Any]:
    """``schema`` with its events narrowed to one kind (``credentialSubject`` items the
    ``$defs`` entry ``definition``): the form of one event kind, not of their union."""
    subject = dict(schema["properties"]["credentialSubject"])
    subject["items"] = {"$ref": f"#/$defs/{definition}"}
    return {**schema, "properties": {**schema["properties"], "credentialSubject": subject}}


@cache
def form_for(name: str) -> SchemaForm:
    """The form of ``name`` (one of :data:`PROFILES`); KeyError for any other."""
    if name not in KINDS:
        raise KeyError(f"no form for profile {name!r}; offered: {', '.join(PROFILES)}")
    kind = KINDS[name]
    registry, ours_url, base_url = _registry(kind.profile)
    base, ours = registry.contents(base_url), registry.contents(ours_url)
    if kind.event is not None:
        ours, base = _one_event(ours, kind.event[0]), _one_event(base, kind.event[1])
    sources = [
        _Located(base, registry.resolver(base_url), False),
        _Located(ours, registry.resolver(ours_url), True),
    ]
    spec = _build_spec("", sources, True, 0, frozenset())
    assert spec is not None
    assert spec.kind == "object"
    return SchemaForm(name, kind.title, spec)


#: How the schema checks label their details ("<schema name>: <message>"), to strip it.
_LABELS = tuple(
    [f"untp-0.7.0/{s.filename}: " for s in BUNDLED_SCHEMAS] + [f"{p}: " for p in MODEL_PROFILES]
)


def findings(report: VerificationReport) -> list[tuple[str, str]]:
    """(pointer, message) of every failed or indeterminate check, for :meth:`Draft.with_findings`.
    Checks without a JSON pointer get ``""`` (they go to the general messages)."""
    out: list[tuple[str, str]] = []
    for check in report.errors:
        path = check.path if check.path and check.path.startswith("/") else ""
        message = check.problem.detail if check.problem else check.id
        for label in _LABELS:
            if message.startswith(label):
                message = message[len(label) :]
                break
        out.append((path, message))
    return out
