"""The published forms of the vocabulary, read once from the files shipped in the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pyoxigraph

from vcservice.vocab._schemas import schema_file
from vcservice.vocab.profiles import PROFILES

CONTEXT_FILE = "critical-minerals-v1.jsonld"
TURTLE_FILE = "critical-minerals.ttl"
HTML_FILE = "index.html"


@dataclass(frozen=True)
class Published:
    html: bytes
    turtle: bytes
    context: bytes
    schemas: dict[str, bytes]
    #: The vocabulary itself (the Turtle's graph) as expanded JSON-LD: what a JSON-LD client
    #: gets from the vocabulary URL. Not the context, which only maps terms to IRIs.
    jsonld: bytes


def turtle_as_jsonld(turtle: bytes) -> bytes:
    """The graph of ``turtle`` as expanded JSON-LD (no context to fetch), indented."""
    triples = pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)
    expanded = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.JSON_LD)
    assert expanded is not None  # no output file given: the bytes are returned
    return (json.dumps(json.loads(expanded), indent=2, ensure_ascii=False) + "\n").encode()


@lru_cache(maxsize=1)
def published() -> Published:
    """HTML, Turtle, the bundled (pinned) context, the profile schemas and the vocabulary as
    JSON-LD (from the Turtle), as served."""
    package = resources.files("vcservice.vocab")
    turtle = (package / "source" / TURTLE_FILE).read_bytes()
    return Published(
        html=(package / "source" / HTML_FILE).read_bytes(),
        turtle=turtle,
        context=(resources.files("vcservice.jsonld") / "contexts" / CONTEXT_FILE).read_bytes(),
        schemas={name: (package / "schemas" / schema_file(name)).read_bytes() for name in PROFILES},
        jsonld=turtle_as_jsonld(turtle),
    )
