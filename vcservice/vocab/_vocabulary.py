"""The extension vocabulary, read from its single source ``vocab/vocabulary.json``.

The file ships inside the package (``vcservice/vocab/source`` is a link to the top-level
``vocab/`` directory, so a wheel carries a copy and a checkout reads the original). Everything
else about terms (the JSON-LD context, Turtle, HTML, schema descriptions) is derived from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

SOURCE_FILE = "vocabulary.json"


@dataclass(frozen=True)
class ReusedTerm:
    """A term of another vocabulary that nodes of one of our classes use (``serviceEndpoint``
    of DID Core on a CreditRegistry): defined, protected, in the property-scoped context of
    every property whose range is that class, never at the top level of ours."""

    term: str
    iri: str  # compact (``did:serviceEndpoint``) or absolute
    type: str | None
    definition: str


@dataclass(frozen=True)
class Term:
    """A class, property or enumeration value of the vocabulary."""

    term: str
    label: str
    definition: str
    kind: str  # "class" | "property" | "value"
    iri_local: str
    sub_class_of: str | None = None
    enumeration: bool = False
    domain: tuple[str, ...] = ()
    range: str | None = None
    equivalent: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    member_of: str | None = None
    #: JSON-LD ``@container`` of a property (``@set``), when it has one.
    container: str | None = None
    #: Terms of other vocabularies a node of this class uses (classes only).
    reused: tuple[ReusedTerm, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    title: str
    version: str
    namespace: str
    prefix: str
    context_url: str
    description: str
    prefixes: dict[str, str]
    shapes: dict[str, tuple[str, ...]]
    classes: tuple[Term, ...]
    properties: tuple[Term, ...]
    enumerations: dict[str, tuple[Term, ...]]
    unit_codes: dict[str, str]
    #: Conventions the terms rely on (e.g. how hash links are computed): (id, title, text).
    conventions: tuple[tuple[str, str, str], ...] = ()

    def iri(self, compact: str) -> str:
        """Expands ``prefix:local`` with the vocabulary's prefixes (absolute IRIs pass)."""
        prefix, sep, local = compact.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return compact

    def term_iri(self, term: Term) -> str:
        return self.namespace + term.iri_local

    @property
    def terms(self) -> dict[str, Term]:
        """Every class and property by its JSON term (enumeration values excluded)."""
        return {t.term: t for t in (*self.classes, *self.properties)}

    def values(self, enumeration: str) -> tuple[str, ...]:
        return tuple(v.term for v in self.enumerations[enumeration])

    @property
    def reused_terms(self) -> dict[str, ReusedTerm]:
        """Every term reused from another vocabulary by one of our classes, by its JSON term."""
        return {r.term: r for c in self.classes for r in c.reused}


def read_source_bytes() -> bytes:
    return (resources.files("vcservice.vocab") / "source" / SOURCE_FILE).read_bytes()


def parse_vocabulary(data: dict[str, Any]) -> Vocabulary:
    classes = tuple(
        Term(
            term=c["term"],
            label=c["label"],
            definition=c["definition"],
            kind="class",
            iri_local=c["term"],
            sub_class_of=c.get("subClassOf"),
            enumeration=bool(c.get("enumeration", False)),
            equivalent=tuple(c.get("equivalent", ())),
            reused=tuple(
                ReusedTerm(
                    term=r["term"], iri=r["iri"], type=r.get("type"), definition=r["definition"]
                )
                for r in c.get("reusedTerms", ())
            ),
        )
        for c in data["classes"]
    )
    properties = tuple(
        Term(
            term=p["term"],
            label=p["label"],
            definition=p["definition"],
            kind="property",
            iri_local=p["term"],
            domain=tuple(p["domain"]),
            range=p["range"],
            equivalent=tuple(p.get("equivalent", ())),
            related=tuple(p.get("related", ())),
            container=p.get("container"),
        )
        for p in data["properties"]
    )
    enumerations = {
        name: tuple(
            Term(
                term=v["term"],
                label=v["label"],
                definition=v["definition"],
                kind="value",
                iri_local=v["iri"],
                member_of=name,
            )
            for v in values
        )
        for name, values in data["enumerations"].items()
    }
    return Vocabulary(
        title=data["title"],
        version=data["version"],
        namespace=data["namespace"],
        prefix=data["prefix"],
        context_url=data["context"],
        description=data["description"],
        prefixes=dict(data["prefixes"]),
        shapes={k: tuple(v) for k, v in data["shapes"].items() if not k.startswith("_")},
        classes=classes,
        properties=properties,
        enumerations=enumerations,
        unit_codes={k: v for k, v in data["unitCodes"].items() if not k.startswith("_")},
        conventions=tuple((c["id"], c["title"], c["text"]) for c in data.get("conventions", [])),
    )


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The bundled vocabulary (parsed once; immutable)."""
    return parse_vocabulary(json.loads(read_source_bytes()))
