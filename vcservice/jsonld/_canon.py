"""Canonicalization: RDFC-1.0 (via pyld, with work limits) and RFC 8785 JCS.

RDFC-1.0 is exponential in the worst case: a handful of blank nodes wired into symmetric
cliques makes the N-degree hash permute forever ("dataset poisoning", pyld issue 179). Real
credentials almost never reach the N-degree step at all, so a small budget of N-degree calls
costs legitimate documents nothing and makes an adversarial one fail fast with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rfc8785
from pyld import jsonld
from pyld.canon import URDNA2015

from vcservice.errors import CanonicalizationError, VCServiceError
from vcservice.jsonld._loader import StaticDocumentLoader


@dataclass(frozen=True)
class CanonLimits:
    """Work limits for RDFC-1.0; defaults fit every real credential we have seen by far."""

    max_blank_nodes: int = 10_000
    max_quads: int = 100_000
    max_deep_iterations: int = 2_000


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]
    def __init__(self, limits: CanonLimits) -> None:
        super().__init__()
        self._limits = limits
        self._deep_calls = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._deep_calls += 1
        if self._deep_calls > self._limits.max_deep_iterations:
            raise CanonicalizationError(
                "RDFC-1.0 work limit exceeded: more than "
                f"{self._limits.max_deep_iterations} N-degree hash iterations (the document's "
                "blank nodes are too symmetric; possible dataset poisoning)"
            )
        return super().hash_n_degree_quads(id_, issuer)


def _translate(exc: Exception) -> VCServiceError:
    """Map a pyld error to ours, surfacing a refused context URL wherever pyld wrapped it."""
    seen: Exception | None = exc
    while seen is not None:
        if isinstance(seen, VCServiceError):
            return seen
        details = getattr(seen, "details", None)
        cause = getattr(seen, "cause", None) or seen.__cause__
        if isinstance(details, dict) and isinstance(details.get("cause"), Exception):
            cause = details["cause"]
        seen = cause if isinstance(cause, Exception) else None
    message = getattr(exc, "args", [str(exc)])[0] if getattr(exc, "args", None) else str(exc)
    code = getattr(exc, "code", None)
    return CanonicalizationError(
        f"JSON-LD processing failed: {message}" + (f" ({code})" if code else "")
    )


def _options(loader: StaticDocumentLoader) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": loader.context_resolver(),
        "base": "",
        "processingMode": "json-ld-1.1",
    }


def expand(
    document: Any,
    loader: StaticDocumentLoader,
    *,
    on_dropped: Callable[[str], None] | None = None,
) -> list[Any]:
    """JSON-LD expansion offline; ``on_dropped`` is called for every property pyld drops."""
    try:
        result = jsonld.expand(
            document,
            _options(loader),
            on_property_dropped=on_dropped or (lambda _key: None),
        )
    except VCServiceError:
        raise
    except Exception as exc:
        raise _translate(exc) from exc
    return list(result)


def _dataset(document: Any, loader: StaticDocumentLoader) -> dict[str, list[Any]]:
    options = _options(loader)
    options["produceGeneralizedRdf"] = False
    try:
        dataset = jsonld.JsonLdProcessor().to_rdf(document, options)
    except VCServiceError:
        raise
    except Exception as exc:
        raise _translate(exc) from exc
    return dict(dataset)


def _canonicalize_dataset(dataset: dict[str, list[Any]], limits: CanonLimits) -> str:
    quads = sum(len(triples) for triples in dataset.values())
    if quads > limits.max_quads:
        raise CanonicalizationError(
            f"document has {quads} RDF quads; the limit is {limits.max_quads}"
        )
    blank = {
        term["value"]
        for triples in dataset.values()
        for triple in triples
        for term in (triple["subject"], triple["object"])
        if term["type"] == "blank node"
    }
    blank.update(name for name in dataset if name.startswith("_:"))
    if len(blank) > limits.max_blank_nodes:
        raise CanonicalizationError(
            f"document has {len(blank)} blank nodes; the limit is {limits.max_blank_nodes}"
        )
    try:
        result = _BoundedURDNA2015(limits).main(dataset, {"format": "application/n-quads"})
    except VCServiceError:
        raise
    except Exception as exc:
        raise _translate(exc) from exc
    return str(result)


def rdfc(document: Any, loader: StaticDocumentLoader, limits: CanonLimits | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (compacted or expanded)."""
    return _canonicalize_dataset(_dataset(document, loader), limits or CanonLimits())


def rdfc_nquads(nquads: str, limits: CanonLimits | None = None) -> str:
    """RDFC-1.0 over N-Quads input (no JSON-LD processing involved)."""
    try:
        dataset = jsonld.JsonLdProcessor.parse_nquads(nquads)
    except Exception as exc:
        raise CanonicalizationError(f"malformed N-Quads: {exc}") from exc
    return _canonicalize_dataset(dict(dataset), limits or CanonLimits())


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes."""
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(f"cannot canonicalize as RFC 8785 JSON: {exc}") from exc
    except (OverflowError, RecursionError) as exc:
        raise CanonicalizationError(f"cannot canonicalize as RFC 8785 JSON: {exc}") from exc
