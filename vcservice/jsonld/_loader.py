"""A document loader that serves only bundled contexts, each pinned by SHA-256.

Any URL not in the map raises :class:`ContextNotAllowedError` naming it; there is no network
fallback at all (peers that fall back to ``requests.get`` turn every verification into a
server-side request forgery and a liveness dependency on w3id.org).

pyld keeps a process-wide cache of resolved contexts keyed only by URL. Sharing it between
loaders would let a context allowed by one loader leak into another, so each loader owns its
own cache and hands pyld a ``ContextResolver`` over it (see :meth:`context_resolver`). That
cache is kept per thread: pyld's resolved contexts carry their own unsynchronized LRU caches of
processed contexts, and threads sharing them (the service expands in a thread pool) corrupt
them now and then, which pyld reports as "invalid scoped context" on a valid credential.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

from vcservice.errors import ContextNotAllowedError, InputError
from vcservice.jsonld._budget import charge_contexts


@dataclass(frozen=True)
class BundledContext:
    url: str
    filename: str
    sha256: str


#: The contexts shipped in ``vcservice/jsonld/contexts`` (see THIRD_PARTY_NOTICES.md).
BUNDLED_CONTEXTS: tuple[BundledContext, ...] = (
    BundledContext(
        "https://www.w3.org/2018/credentials/v1",
        "credentials-v1.jsonld",
        "ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc",
    ),
    BundledContext(
        "https://www.w3.org/ns/credentials/v2",
        "credentials-v2.jsonld",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ),
    BundledContext(
        "https://www.w3.org/2018/credentials/examples/v1",
        "credentials-examples-v1.jsonld",
        "2070ae4e75bc3b4c2cfe2b8b6e86ec45119672bbb5da283f0399ea96c60a0104",
    ),
    BundledContext(
        "https://www.w3.org/ns/credentials/examples/v2",
        "credentials-examples-v2.jsonld",
        "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
    ),
    BundledContext(
        "https://w3id.org/security/data-integrity/v1",
        "data-integrity-v1.jsonld",
        "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
    ),
    BundledContext(
        "https://w3id.org/security/data-integrity/v2",
        "data-integrity-v2.jsonld",
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    ),
    BundledContext(
        "https://w3id.org/security/multikey/v1",
        "multikey-v1.jsonld",
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    ),
    BundledContext(
        "https://w3id.org/security/jwk/v1",
        "jwk-v1.jsonld",
        "0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece",
    ),
    BundledContext(
        "https://www.w3.org/ns/credentials/status/v1",
        "bitstring-status-list-v1.jsonld",
        "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7",
    ),
    BundledContext(
        "https://vocabulary.uncefact.org/untp/0.7.0/context/",
        "untp-0.7.0.jsonld",
        "fbd4824e30d3cfc5cba949e1efe19b4c9ebaee056abe7aaf1c6b139a7bf91b0c",
    ),
    # Legacy (pre-Data Integrity 1.0) suite contexts, read only to verify what other platforms
    # still emit (Ed25519Signature2020, JsonWebSignature2020); see THIRD_PARTY_NOTICES.md.
    BundledContext(
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "ed25519-signature-2020-v1.jsonld",
        "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
    ),
    BundledContext(
        "https://w3id.org/security/suites/jws-2020/v1",
        "jws-2020-v1.jsonld",
        "d648e05ddc6577827ca2bfd5e931f53e9ebc6e52a57a8da81df4ec8c46ffcd1e",
    ),
    # The project's own extension vocabulary, generated from vocab/vocabulary.json by
    # `make vocab` (tests/vocab checks that regenerating reproduces these bytes).
    BundledContext(
        "https://w3id.org/critical-minerals/v1",
        "critical-minerals-v1.jsonld",
        "9627fb6fcbe000187d9ced8fa7eaecac70c466456d4b49ee39b1f72017290845",
    ),
)

_RESOLVED_CACHE_SIZE = 256


def _parse_pinned(url: str, data: bytes, sha256: str) -> Any:
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256.lower():
        raise InputError(
            f"context for {url!r} has SHA-256 {digest}, expected {sha256}; refusing to load it"
        )
    try:
        return json.loads(data)
    except ValueError as exc:
        raise InputError(f"context for {url!r} is not valid JSON: {exc}") from exc


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _reapplies_as_noop(document: Any) -> bool:
    """See :meth:`StaticDocumentLoader.reapplies_as_noop`."""
    context = document.get("@context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        return False
    if {"@base", "@import", "@propagate"} & context.keys():
        return False
    vocab = context.get("@vocab")
    if vocab is None:
        return True
    if not isinstance(vocab, str) or not _ABSOLUTE.match(vocab):
        return False
    return vocab.split(":", 1)[0] not in context


class _MeteredResolver(ContextResolver):  # type: ignore[misc]
    """pyld's resolver, counting applications and collapsing immediate repetitions.

    pyld applies every entry of an ``@context`` array, so a credential naming one context
    10,000 times costs 10,000 applications (tens of seconds). An immediate repetition of a
    URL whose reapplication provably changes nothing is dropped before pyld sees it; whatever
    is left is charged to the current work meter, which refuses a document past its limit.
    Only top-level calls (``cycles`` None) are charged: nested ones resolve what a remote
    context contains, as part of the same application.
    """

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if isinstance(context, list) and len(context) > 1:
            loader = self.document_loader
            kept: list[Any] = []
            for item in context:
                if (
                    kept
                    and isinstance(item, str)
                    and item == kept[-1]
                    and item in loader
                    and loader.reapplies_as_noop(item)
                ):
                    continue
                kept.append(item)
            context = kept
        resolved = super().resolve(active_ctx, context, base, cycles)
        if cycles is None:
            charge_contexts(len(resolved))
        return resolved


class StaticDocumentLoader:
    """Immutable URL → parsed-context map usable as a pyld ``documentLoader``.

    ``with_context`` returns a new loader; the documents are never mutated in place and the
    resolved-context cache is per thread, so a loader can be shared between threads and
    requests without locks.
    """

    def __init__(self, documents: dict[str, Any]) -> None:
        self._documents = dict(documents)
        self._local = threading.local()
        self._noop: dict[str, bool] = {}

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            document = self._documents[url]
        except KeyError:
            raise ContextNotAllowedError(url) from None
        # "static" lets pyld reuse the processed context (about 30 % faster on UNTP documents).
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    def __contains__(self, url: object) -> bool:
        return url in self._documents

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self._documents)

    def context_resolver(self) -> ContextResolver:
        """A pyld context resolver whose cache belongs to this loader, in this thread, alone.

        It also charges every context application to the current work meter and applies a
        context URL named several times in a row once (see :class:`_MeteredResolver`).
        """
        resolved: LRUCache[str, Any] | None = getattr(self._local, "resolved", None)
        if resolved is None:
            resolved = self._local.resolved = LRUCache(maxsize=_RESOLVED_CACHE_SIZE)
        return _MeteredResolver(resolved, self)

    def reapplies_as_noop(self, url: str) -> bool:
        """Whether applying the context at ``url`` right after itself changes nothing.

        True when its document is one context object without ``@base``, ``@import`` or
        ``@propagate`` and with no ``@vocab`` or an absolute one whose prefix it does not
        define: then every entry it sets is computed from itself and from terms it does not
        redefine, so a second application recomputes the very same definitions (a protected
        term may be redefined identically). Memoized per URL (documents never change).
        """
        known = self._noop.get(url)
        if known is None:
            known = self._noop[url] = _reapplies_as_noop(self(url)["document"])
        return known

    def with_context(self, url: str, path: str | Path, sha256: str) -> StaticDocumentLoader:
        """A copy of this loader that also serves ``path`` as ``url``, if its hash matches."""
        data = Path(path).read_bytes()
        document = _parse_pinned(url, data, sha256)
        if url in self._documents and self._documents[url] != document:
            raise InputError(f"context {url!r} is already registered with different content")
        return StaticDocumentLoader({**self._documents, url: document})

    def with_document(self, url: str, document: Any) -> StaticDocumentLoader:
        """A copy that also serves an in-memory document (for tests and generated contexts)."""
        return StaticDocumentLoader({**self._documents, url: document})


@lru_cache(maxsize=1)
def bundled_loader() -> StaticDocumentLoader:
    """The default loader: exactly the bundled contexts, each hash-checked once."""
    package = resources.files("vcservice.jsonld") / "contexts"
    documents = {
        entry.url: _parse_pinned(entry.url, (package / entry.filename).read_bytes(), entry.sha256)
        for entry in BUNDLED_CONTEXTS
    }
    return StaticDocumentLoader(documents)
