"""The JSON-LD half of the data-model check: one expansion, then a scan of its output.

What "strict" means here, and why:

* **Undefined terms.** Every property must expand to an IRI some context defines. The bundled
  VC 2.0 base context (the final Recommendation's) has no ``@vocab``, so an undefined term is
  simply *dropped* by JSON-LD, and the ``on_dropped`` callback reports it. Drafts of that
  context (and the opt-in ``undefined-terms/v2`` context) instead mapped such terms into
  ``https://www.w3.org/ns/credentials/issuer-dependent#`` or ``.../undefined-term#``; an IRI
  in either namespace is "defined" only in name, so it counts as undefined too. A ``@vocab``
  an issuer declares in its own context is a real definition and is accepted.
* **Types** must expand to absolute IRIs: a relative or undefined type says nothing.
* **Identifiers** (``@id`` anywhere) must be absolute URLs (VC-DM 2.0 §4.4).
* ``proof`` objects are left out: Data Integrity canonicalizes the unsecured document and
  the proof configuration separately, and judging proof terms (which depend on the
  cryptosuite's context) is the securing layer's job. Proofs are still checked for a ``type``
  by the JSON-level rules.

Two details of pyld 3.3 shape the input. It resolves relative IRIs against
``http://example.org/base/`` when no base is given, which would turn the unmapped type
``Example`` into an absolute IRI; and ``{"@vocab": null}`` crashes it (``KeyError``) when no
vocabulary is set. So the copy we expand starts with ``{"@base": null, "@vocab": SENTINEL}``:
relative IRIs stay relative (and are caught), ``@vocab: null`` has something to remove, and a
term no context defines expands into the sentinel namespace, where the scan finds it. The
copy is shallow (top level and credential entries only), so this costs microseconds.

That expansion costs pyld tens of milliseconds on a UNTP credential, so it runs only when it
has something to report. The fast JSON-LD walk (:mod:`vcservice.jsonld._fast`) expands the
document under its own contexts and keeps an audit of what the expansion holds; when the
audit says that expansion is the guarded one and that every IRI in it passes, there is
nothing to report and pyld is not needed (:class:`~vcservice.jsonld._fast.Audit` says why
that is exact). Anything else, including every document with a finding, runs the expansion
above, so the findings themselves always come from pyld. Within
:func:`~vcservice.jsonld.shared_walks` the walk is the one the RDFC canonicalization of the
same document already made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from vcservice.errors import ContextNotAllowedError, VCServiceError, WorkLimitError
from vcservice.jsonld import StaticDocumentLoader, expand, fast_dataset
from vcservice.model._checks import CONTEXT, ID, JSON_LD, TYPE, UNDEFINED_TERMS, Findings
from vcservice.model._context import context_entries
from vcservice.model._iri import is_url
from vcservice.model._json import as_list
from vcservice.model._reserved import reserved_terms

#: Where terms no context defines land in the copy we expand (never in any real document).
SENTINEL = "urn:vcservice:undefined-term:"
UNDEFINED_NAMESPACES = (
    SENTINEL,
    "https://www.w3.org/ns/credentials/issuer-dependent#",
    "https://www.w3.org/ns/credentials/undefined-term#",
)
_CONTAINERS = frozenset({"@graph", "@list", "@set", "@included", "@reverse"})
_SHOWN = 12
#: Shown for a dropped key pyld cannot name: keyword-shaped (``@foo``) or mapped to null.
NAMELESS = "(a key that is keyword-shaped or that @context maps to null)"


def check_expansion(
    document: dict[str, Any], loader: StaticDocumentLoader, out: Findings, *, fast: bool = True
) -> None:
    """Expands ``document`` once and records json-ld, context, undefined-terms, type and id.

    ``fast=False`` always runs pyld's expansion (the reference the fast audit is tested
    against).
    """
    reserved = reserved_terms(document)
    if reserved:
        out.fail(
            JSON_LD,
            "the @context uses keyword-shaped terms, which JSON-LD reserves and ignores: "
            + _listed(reserved),
        )
        return
    if fast and passes_fast(document, loader):
        out.ran(JSON_LD)
        out.ran(UNDEFINED_TERMS)
        return
    dropped: list[str] = []
    try:
        expanded = expand(
            _prepared(document), loader, on_dropped=lambda term: dropped.append(_dropped(term))
        )
    except ContextNotAllowedError as exc:
        out.fail(CONTEXT, exc.detail)
        return
    except WorkLimitError:
        raise  # too costly to process: a refusal of the input, not a finding about it
    except VCServiceError as exc:
        out.fail(JSON_LD, exc.detail)
        return
    out.ran(JSON_LD)
    out.ran(UNDEFINED_TERMS)
    scan = _Scan()
    scan.walk(expanded)
    undefined = list(dict.fromkeys([*dropped, *scan.undefined]))
    if undefined:
        out.fail(
            UNDEFINED_TERMS,
            f"not defined by any @context (strict JSON-LD drops them): {_listed(undefined)}",
        )
    if scan.types:
        out.fail(TYPE, f"types that do not map to an absolute IRI: {_listed(scan.types)}")
    if scan.ids:
        out.fail(ID, f"identifiers that are not URLs: {_listed(scan.ids)}")


def passes_fast(document: dict[str, Any], loader: StaticDocumentLoader) -> bool:
    """True when the fast walk shows the guarded expansion would find nothing (see above)."""
    # Inside the verifier's shared_walks() block this is the walk the proof's canonicalization
    # made of the same entries (see Verifier.verify_credential for why it is not an argument).
    dataset = fast_dataset(_unsecured(document), loader)
    if dataset is None or not dataset.audit.exact:
        return False
    unknown = dataset.audit.iris - _ACCEPTED  # most are vocabulary seen before
    if not all(_acceptable(iri) for iri in unknown):
        return False
    if len(_ACCEPTED) < _ACCEPTED_MAX:
        _ACCEPTED.update(iri for iri in unknown if len(iri) <= 256)
    return True


#: IRIs already judged acceptable, so that those a document shares with earlier ones (its
#: vocabulary, types, issuer) are set aside in one set difference rather than a cache lookup
#: each. Bounded: once full, new IRIs are judged by :func:`_acceptable` alone.
_ACCEPTED: set[str] = set()
_ACCEPTED_MAX = 4096


def _acceptable(iri: str) -> bool:
    """What the scan accepts as a property, type, datatype or ``@id`` IRI.

    Vocabulary IRIs repeat across documents and ``is_url`` is a few microseconds, so results
    are cached; only for short strings, so that what the cache holds stays small.
    """
    return _acceptable_cached(iri) if len(iri) <= 256 else _judged(iri)


def _judged(iri: str) -> bool:
    return is_url(iri) and not _undefined(iri)


_acceptable_cached = lru_cache(maxsize=4096)(_judged)


def _unsecured(document: dict[str, Any]) -> dict[str, Any]:
    """The shallow copy we check: proofs removed (the document's own, and its credentials')."""
    copy = {key: value for key, value in document.items() if key != "proof"}
    if "verifiableCredential" in copy:
        copy["verifiableCredential"] = [
            {key: value for key, value in entry.items() if key != "proof"}
            if isinstance(entry, dict)
            else entry
            for entry in as_list(copy["verifiableCredential"])
        ]
    return copy


def _prepared(document: dict[str, Any]) -> dict[str, Any]:
    """The shallow copy we expand: proofs removed, the guard context in front."""
    copy = _unsecured(document)
    copy["@context"] = [{"@base": None, "@vocab": SENTINEL}, *(context_entries(document) or [])]
    return copy


@dataclass
class _Scan:
    """Walks expanded JSON-LD without recursion (depth is untrusted) collecting problems."""

    undefined: dict[str, None] = field(default_factory=dict)
    types: dict[str, None] = field(default_factory=dict)
    ids: dict[str, None] = field(default_factory=dict)

    def walk(self, expanded: Any) -> None:
        stack = [expanded]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                stack.extend(reversed(self._visit(node)))

    def _visit(self, node: dict[str, Any]) -> list[Any]:
        if "@value" in node:
            datatype = node.get("@type")
            if isinstance(datatype, str):
                self._type(datatype)
            return []
        children = []
        for key, value in node.items():
            if key == "@id":
                self._id(value)
            elif key == "@type":
                for item in as_list(value):
                    self._type(item)
            elif key in _CONTAINERS:
                children.append(value)
            elif not key.startswith("@"):
                self._property(key)
                children.append(value)
        return children

    def _property(self, iri: str) -> None:
        if _undefined(iri) or not is_url(iri):
            self.undefined[_term(iri)] = None

    def _type(self, iri: Any) -> None:
        if isinstance(iri, str) and iri.startswith("@"):
            return
        if not isinstance(iri, str) or _undefined(iri) or not is_url(iri):
            self.types[_term(iri)] = None

    def _id(self, iri: Any) -> None:
        if isinstance(iri, str) and _undefined(iri):
            self.undefined[_term(iri)] = None
        elif not is_url(iri):
            self.ids[_term(iri)] = None


def _dropped(term: str | None) -> str:
    """pyld passes the *expanded* key, which is None when there is nothing to name."""
    return term if term is not None else NAMELESS


def _undefined(iri: str) -> bool:
    return iri.startswith(UNDEFINED_NAMESPACES)


def _term(iri: Any) -> str:
    """How a finding is shown: the bare term for the sentinel, the IRI otherwise."""
    text = str(iri)
    return text[len(SENTINEL) :] if text.startswith(SENTINEL) else text


def _listed(found: Iterable[str]) -> str:
    items = list(found)
    shown = ", ".join(repr(item[:80]) for item in items[:_SHOWN])
    more = len(items) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")
