"""The published forms of the vocabulary, read once from the files shipped in the package."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

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


@lru_cache(maxsize=1)
def published() -> Published:
    """HTML, Turtle, the bundled (pinned) context and the profile schemas, as served."""
    package = resources.files("vcservice.vocab")
    return Published(
        html=(package / "source" / HTML_FILE).read_bytes(),
        turtle=(package / "source" / TURTLE_FILE).read_bytes(),
        context=(resources.files("vcservice.jsonld") / "contexts" / CONTEXT_FILE).read_bytes(),
        schemas={name: (package / "schemas" / schema_file(name)).read_bytes() for name in PROFILES},
    )
