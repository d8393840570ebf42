"""Canonicalization: RDFC-1.0 (via pyld, with work limits) and RFC 8785 JCS.

RDFC-1.0 is exponential in the worst case: a handful of blank nodes wired into symmetric
cliques makes the N-degree hash permute forever ("dataset poisoning", pyld issue 179). Real
credentials almost never reach the N-degree step at all, so a budget of the work itself (hash
computations, permutations, context applications; see :mod:`vcservice.jsonld._budget`) costs
legitimate documents nothing and makes an adversarial one fail fast with a clear error.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import rfc8785
from pyld import jsonld
from pyld.canon import URDNA2015

from vcservice.errors import CanonicalizationError, VCServiceError, WorkLimitError
from vcservice.jsonld import _fast
from vcservice.jsonld._budget import Meter, WorkLimits, metered
from vcservice.jsonld._loader import StaticDocumentLoader

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CanonLimits:
    """Work limits for one JSON-LD operation (a canonicalization, an expansion).

    The defaults leave a wide margin over every honest credential measured (the example
    chains in examples/ and the UNTP samples in tests/fixtures/untp; held by
    tests/jsonld/test_cost_bounds.py): the costliest, the UNTP battery passport, needs 109
    hash computations, 10 permutations and 420 context applications on the pyld reference,
    and a charged bound of 1,189 hashes on the fast path.
    """

    max_blank_nodes: int = 10_000
    max_quads: int = 100_000
    max_deep_iterations: int = 2_000
    #: Every RDFC-1.0 hash computation: first-degree, related and N-degree.
    max_hashes: int = 20_000
    #: Permutations N-degree calls would explore, charged before each call starts.
    max_permutations: int = 10_000
    #: Every context applied (top-level, scoped, repeated, in either path).
    max_context_applications: int = 4_000

    @property
    def work(self) -> WorkLimits:
        return WorkLimits(self.max_hashes, self.max_permutations, self.max_context_applications)


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]
    """pyld's RDFC-1.0, charging each hash and each permutation to ``meter`` as it goes."""

    def __init__(self, limits: CanonLimits, meter: Meter) -> None:
        super().__init__()
        self._limits = limits
        self._meter = meter
        self._deep_calls = 0

    def create_hash(self) -> Any:
        self._meter.hashes()
        return super().create_hash()

    def create_hash_to_related(self, id_: str, issuer: Any) -> Any:
        related = super().create_hash_to_related(id_, issuer)
        # Charged before the permutations start: a group of k nodes is k! of them, so a
        # clique is refused before its first factorial loop rather than somewhere inside it.
        for nodes in related.values():
            self._meter.permutations(_factorial_capped(len(nodes), self._limits.max_permutations))
        return related

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._deep_calls += 1
        if self._deep_calls > self._limits.max_deep_iterations:
            raise WorkLimitError(
                "RDFC-1.0 work limit exceeded: more than "
                f"{self._limits.max_deep_iterations} N-degree hash iterations (the document's "
                "blank nodes are too symmetric; possible dataset poisoning)"
            )
        return super().hash_n_degree_quads(id_, issuer)


def _factorial_capped(n: int, cap: int) -> int:
    """``n!``, or ``cap + 1`` once it exceeds ``cap`` (never computing a huge factorial)."""
    result = 1
    for k in range(2, n + 1):
        result *= k
        if result > cap:
            return cap + 1
    return result


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
    """JSON-LD expansion offline; ``on_dropped`` is called for every property pyld drops.

    Metered (context applications, the deadline) with the default :class:`CanonLimits`.
    """
    try:
        with metered(CanonLimits().work):
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


def _check_quads(quads: int, limits: CanonLimits) -> None:
    if quads > limits.max_quads:
        raise WorkLimitError(f"document has {quads} RDF quads; the limit is {limits.max_quads}")


def _check_blank_nodes(count: int, limits: CanonLimits) -> None:
    if count > limits.max_blank_nodes:
        raise WorkLimitError(
            f"document has {count} blank nodes; the limit is {limits.max_blank_nodes}"
        )


def _canonicalize_dataset(dataset: dict[str, list[Any]], limits: CanonLimits) -> str:
    quads = sum(len(triples) for triples in dataset.values())
    _check_quads(quads, limits)
    blank = {
        term["value"]
        for triples in dataset.values()
        for triple in triples
        for term in (triple["subject"], triple["object"])
        if term["type"] == "blank node"
    }
    blank.update(name for name in dataset if name.startswith("_:"))
    _check_blank_nodes(len(blank), limits)
    try:
        with metered(limits.work) as meter:
            result = _BoundedURDNA2015(limits, meter).main(
                dataset, {"format": "application/n-quads"}
            )
    except VCServiceError:
        raise
    except Exception as exc:
        raise _translate(exc) from exc
    return str(result)


def rdfc(document: Any, loader: StaticDocumentLoader, limits: CanonLimits | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (compacted or expanded).

    Fast where it provably gives pyld's bytes (see :mod:`vcservice.jsonld._fast`), the pyld
    reference otherwise; tests/jsonld/test_fast_identity.py holds the two to the same output.
    """
    return rdfc_traced(document, loader, limits)[0]


def rdfc_reference(
    document: Any, loader: StaticDocumentLoader, limits: CanonLimits | None = None
) -> str:
    """RDFC-1.0 by pyld alone (JSON-LD to RDF and the bounded RDFC-1.0): the reference."""
    limits = limits or CanonLimits()
    with metered(limits.work):
        return _canonicalize_dataset(_dataset(document, loader), limits)


#: Which way :func:`rdfc_traced` went: our walk with pyoxigraph's RDFC-1.0, our walk with
#: pyld's bounded RDFC-1.0, or the pyld reference throughout.
RdfcPath = Literal["fast", "fast+pyld-rdfc", "reference"]


@dataclass
class _Walks:
    """The fast walks of one :func:`shared_walks` block, each with the entries it walked."""

    done: list[tuple[StaticDocumentLoader, dict[str, Any], _fast.FastDataset | None]] = field(
        default_factory=list
    )


_WALKS: ContextVar[_Walks | None] = ContextVar("vcservice_jsonld_walks", default=None)
#: A verification walks one credential (and its proof configurations); a few is plenty.
_WALKS_KEPT = 4


@contextmanager
def shared_walks() -> Iterator[None]:
    """Within the block, a document walked again is not walked again.

    Verifying a credential secured with an RDFC suite canonicalizes it without its proof, and
    the data-model check then audits the same document without its proof: one walk serves
    both. A document matches an earlier one when it has the same keys with the very same
    values (``is``); the block holds those values, so no identity can be reused meanwhile,
    and it is meant to span one verification, during which nothing modifies the document.
    """
    token = _WALKS.set(_Walks())
    try:
        yield
    finally:
        _WALKS.reset(token)


def _same_entries(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.keys() == b.keys() and all(a[key] is b[key] for key in a)


#: Exception types the fast path has already logged a traceback for (see _log_fast_failure).
_FAST_FAILURES_LOGGED: set[type[BaseException]] = set()


def _log_fast_failure(exc: Exception) -> None:
    """Log a defect of the fast path: a WARNING with the traceback once per exception type
    (documents that trigger it could otherwise flood the log), DEBUG after that."""
    kind = type(exc)
    if kind in _FAST_FAILURES_LOGGED:
        _log.debug("fast JSON-LD path failed again (%s: %s)", kind.__name__, exc)
        return
    _FAST_FAILURES_LOGGED.add(kind)
    _log.warning(
        "fast JSON-LD path failed; using the pyld reference (further %s failures are logged "
        "at DEBUG level)",
        kind.__name__,
        exc_info=exc,
    )


def fast_dataset(document: Any, loader: StaticDocumentLoader) -> _fast.FastDataset | None:
    """The fast path's dataset (with its :class:`~vcservice.jsonld._fast.Audit`), or None
    where only the pyld reference can process ``document``."""
    walks = _WALKS.get()
    if walks is not None and isinstance(document, Mapping):
        for walked_loader, entries, dataset in walks.done:
            if walked_loader is loader and _same_entries(entries, document):
                return dataset
    try:
        found: _fast.FastDataset | None = _fast.to_dataset(document, loader)
    except _fast.Unsupported:
        found = None
    except Exception as exc:  # noqa: BLE001 - a defect here must not cost a verification
        _log_fast_failure(exc)
        found = None
    if walks is not None and isinstance(document, Mapping):
        walks.done = [*walks.done[-(_WALKS_KEPT - 1) :], (loader, dict(document), found)]
    return found


def rdfc_traced(
    document: Any, loader: StaticDocumentLoader, limits: CanonLimits | None = None
) -> tuple[str, RdfcPath]:
    """:func:`rdfc`, also saying which path produced the result (for tests and benchmarks)."""
    limits = limits or CanonLimits()
    with metered(limits.work) as meter:
        return _rdfc_traced(document, loader, limits, meter)


def _rdfc_traced(
    document: Any, loader: StaticDocumentLoader, limits: CanonLimits, meter: Meter
) -> tuple[str, RdfcPath]:
    dataset = fast_dataset(document, loader)
    if dataset is None:
        return rdfc_reference(document, loader, limits), "reference"
    # The same counts and messages as the reference's (no need to expand again to refuse).
    _check_quads(len(dataset.quads), limits)
    _check_blank_nodes(len(dataset.blank_nodes), limits)
    # pyoxigraph has no N-degree budget: use it only where the N-degree work is provably at
    # most quadratic in the colliding blank nodes, capped so that pyld's budget would not
    # have been exceeded either (see _fast.first_degree_is_bounded).
    # Blank nodes referring to themselves within a quad: pyld's RDFC-1.0 hashes them its own
    # way (see _fast.FastDataset), and pyld is the reference.
    # pyoxigraph cannot be interrupted: its work is charged before it starts, as the upper
    # bound of the hashes it can compute here (see _fast.rdfc_hash_bound); past the remaining
    # budget, pyld's RDFC-1.0 runs instead, charging as it goes.
    max_colliding = math.isqrt(limits.max_deep_iterations)
    bound = (
        _fast.rdfc_hash_bound(dataset, max_colliding)
        if dataset.plain_literals and not dataset.self_referencing
        else None
    )
    if bound is not None and meter.work.hashes + bound <= limits.max_hashes:
        meter.hashes(bound)
        try:
            return _fast.oxigraph_rdfc(dataset), "fast"
        except _fast.Unsupported:
            pass
    return _canonicalize_dataset(dataset.pyld_dataset(), limits), "fast+pyld-rdfc"


def rdfc_nquads(nquads: str, limits: CanonLimits | None = None) -> str:
    """RDFC-1.0 over N-Quads input (no JSON-LD processing involved)."""
    try:
        dataset = jsonld.JsonLdProcessor.parse_nquads(nquads)
    except Exception as exc:
        raise CanonicalizationError(f"malformed N-Quads: {exc}") from exc
    limits = limits or CanonLimits()
    with metered(limits.work):
        return _canonicalize_dataset(dict(dataset), limits)


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes."""
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(f"cannot canonicalize as RFC 8785 JSON: {exc}") from exc
    except (OverflowError, RecursionError) as exc:
        raise CanonicalizationError(f"cannot canonicalize as RFC 8785 JSON: {exc}") from exc
