"""``python -m vcservice.vocab [ROOT]``: regenerate everything derived from the vocabulary.

Writes, under ROOT (default: the current directory, a checkout): ``vocab/critical-minerals-v1
.jsonld``, ``vocab/critical-minerals.ttl``, ``vocab/index.html``, ``schemas/*.schema.json`` and
the bundled context ``vcservice/jsonld/contexts/critical-minerals-v1.jsonld``, then prints the
context's SHA-256 (the pin in ``vcservice/jsonld/_loader.py`` must equal it; a test checks).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from vcservice.vocab._published import CONTEXT_FILE, HTML_FILE, TURTLE_FILE
from vcservice.vocab._render import context_bytes, render_html, render_turtle
from vcservice.vocab._schemas import schema_bytes, schema_file
from vcservice.vocab._vocabulary import load_vocabulary
from vcservice.vocab.profiles import PROFILES


def outputs(root: Path) -> dict[Path, bytes]:
    """Every generated file under ``root`` with its exact bytes."""
    vocab = load_vocabulary()
    context = context_bytes(vocab)
    files = {
        root / "vocab" / CONTEXT_FILE: context,
        root / "vcservice" / "jsonld" / "contexts" / CONTEXT_FILE: context,
        root / "vocab" / TURTLE_FILE: render_turtle(vocab).encode("utf-8"),
        root / "vocab" / HTML_FILE: render_html(vocab).encode("utf-8"),
    }
    for name in PROFILES:
        files[root / "schemas" / schema_file(name)] = schema_bytes(name, vocab)
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
