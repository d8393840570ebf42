"""``python -m vcservice.vocab [ROOT]``: regenerate everything derived from the vocabulary.

Reads ``vocab/vocabulary.json`` under ROOT (default: the current directory, a checkout) and
writes, under ROOT: ``vocab/critical-minerals-v1.jsonld``, ``vocab/critical-minerals.ttl``,
``vocab/index.html``, ``schemas/*.schema.json`` and the bundled context
``vcservice/jsonld/contexts/critical-minerals-v1.jsonld``, then prints the context's SHA-256 (the
pin in ``vcservice/jsonld/_loader.py`` must equal it; a test checks).

The package carries its own copies of the source, the Turtle and HTML renderings and the schemas
(``vcservice/vocab/source/``, ``vcservice/vocab/schemas/``), written here too: a wheel or image
built from ``vcservice/`` alone is complete, and the top-level ``vocab/`` and ``schemas/`` stay
the published artefacts a reader of the repository finds. ``tests/vocab`` checks every copy.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from vcservice.vocab._published import CONTEXT_FILE, HTML_FILE, TURTLE_FILE
from vcservice.vocab._render import context_bytes, render_html, render_turtle
from vcservice.vocab._schemas import schema_bytes, schema_file
from vcservice.vocab._vocabulary import SOURCE_FILE, parse_vocabulary
from vcservice.vocab.profiles import PROFILES


def outputs(root: Path) -> dict[Path, bytes]:
    """Every generated file under ``root`` with its exact bytes (package copies included)."""
    source = (root / "vocab" / SOURCE_FILE).read_bytes()
    vocab = parse_vocabulary(json.loads(source))
    package = root / "vcservice" / "vocab"
    context = context_bytes(vocab)
    turtle = render_turtle(vocab).encode("utf-8")
    html = render_html(vocab).encode("utf-8")
    files = {
        root / "vocab" / CONTEXT_FILE: context,
        root / "vcservice" / "jsonld" / "contexts" / CONTEXT_FILE: context,
        root / "vocab" / TURTLE_FILE: turtle,
        root / "vocab" / HTML_FILE: html,
        package / "source" / SOURCE_FILE: source,
        package / "source" / TURTLE_FILE: turtle,
        package / "source" / HTML_FILE: html,
    }
    for name in PROFILES:
        schema = schema_bytes(name, vocab)
        files[root / "schemas" / schema_file(name)] = schema
        files[package / "schemas" / schema_file(name)] = schema
    return files


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path.cwd()
    for path, data in outputs(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path}")
    digest = hashlib.sha256(outputs(root)[root / "vocab" / CONTEXT_FILE]).hexdigest()
    print(f"context sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
