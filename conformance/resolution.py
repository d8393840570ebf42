"""Which JSON-LD contexts a credential names, and whether each resolves without the network.

A credential is only as readable as its ``@context``: a verifier that cannot load a context
cannot expand the credential, and vcservice (like the harness) never fetches one. So the
harness checks (``*.contexts-resolvable``) that every context a credential names, at any depth
(top level, embedded and scoped contexts, ``@import``), is one of

* the contexts vcservice bundles, each pinned by SHA-256 (:data:`vcservice.jsonld.BUNDLED_CONTEXTS`:
  W3C VC, Data Integrity, UNTP 0.7.0, ``https://w3id.org/critical-minerals/v1``...), or
* the run's **registry**: context files named in ``platforms.toml``, ``[settings] contexts``
  (URL → file, relative to the configuration), for the contexts a platform under test uses that
  vcservice does not bundle. A registry file is read as given (it is its own pin) and the
  contexts it names must resolve too.

The same registry extends the document loader of the harness's local judgments
(:meth:`ContextRegistry.loader`), so a context that resolves here also expands there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from vcservice.errors import ConfigError
from vcservice.jsonld import StaticDocumentLoader, bundled_loader


def named_contexts(value: Any) -> list[str]:
    """Every context URL ``value`` names, in order of first appearance, without repeats: the
    string entries of each ``@context`` anywhere in it, ``@import`` in an embedded context,
    and the contexts scoped to terms of an embedded context."""
    found: list[str] = []

    def context(entry: Any) -> None:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, list):
            for item in entry:
                context(item)
        elif isinstance(entry, dict):
            imported = entry.get("@import")
            if isinstance(imported, str):
                found.append(imported)
            for definition in entry.values():
                if isinstance(definition, dict) and "@context" in definition:
                    context(definition["@context"])

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, item in node.items():
                if key == "@context":
                    context(item)
                else:
                    walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    return list(dict.fromkeys(found))


def read_context_file(url: str, path: Path) -> Any:
    """A registry file's JSON, which must be a JSON-LD context document (ConfigError if not)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"settings.contexts: cannot read {path} for {url}: {exc.strerror or exc}"
        ) from None
    except ValueError as exc:
        raise ConfigError(f"settings.contexts: {path} ({url}) is not JSON: {exc}") from None
    if not isinstance(document, dict) or "@context" not in document:
        raise ConfigError(f"settings.contexts: {path} ({url}) is not a JSON-LD context document")
    return document


def parse_contexts(value: Any, base: Path) -> tuple[tuple[str, Path], ...]:
    """``[settings] contexts``: a table of context URL → file (relative to ``base``)."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError("settings.contexts must be a table of context URL = file path")
    bundled = bundled_loader().urls
    out = []
    for url, name in value.items():
        if not url.startswith(("https://", "http://", "urn:")):
            raise ConfigError(f"settings.contexts: {url!r} is not an absolute context URL")
        if url in bundled:
            raise ConfigError(f"settings.contexts: {url} is bundled with vcservice already")
        path = base / name
        read_context_file(url, path)
        out.append((url, path))
    return tuple(out)


@dataclass(frozen=True)
class Resolution:
    """Where each context named resolves, and which do not (with who named them)."""

    bundled: tuple[str, ...] = ()
    registry: tuple[str, ...] = ()
    #: Unresolvable URL → where it was named (a credential label, or the registry file).
    missing: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ContextRegistry:
    """The bundled contexts plus the run's configured ones (URL → file)."""

    files: Mapping[str, Path] = field(default_factory=dict)

    @cached_property
    def documents(self) -> dict[str, Any]:
        return {url: read_context_file(url, path) for url, path in self.files.items()}

    @cached_property
    def _loader(self) -> StaticDocumentLoader:
        loader = bundled_loader()
        for url, document in self.documents.items():
            loader = loader.with_document(url, document)
        return loader

    def loader(self) -> StaticDocumentLoader:
        """vcservice's bundled loader, serving the registry's contexts too (one per registry,
        so pyld's cache of resolved contexts is shared by its judgments)."""
        return self._loader

    def resolve(self, named: Iterable[tuple[str, Any]]) -> Resolution:
        """Resolve every context each ``(label, credential)`` names, and what the registry
        files those lead to name in turn."""
        bundled_urls = bundled_loader().urls
        bundled: dict[str, None] = {}
        registry: dict[str, None] = {}
        missing: dict[str, list[str]] = {}
        queue = [(url, label) for label, value in named for url in named_contexts(value)]
        while queue:
            url, label = queue.pop(0)
            if url in bundled_urls:
                bundled[url] = None
            elif url in self.documents:
                if url not in registry:
                    registry[url] = None
                    queue += [(u, f"registry file of {url}") for u in named_contexts(
                        self.documents[url])]  # fmt: skip
            else:
                where = missing.setdefault(url, [])
                if label not in where:
                    where.append(label)
        return Resolution(tuple(bundled), tuple(registry), missing)
