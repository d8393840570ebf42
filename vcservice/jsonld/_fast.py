"""A fast, exact JSON-LD → RDF path for compacted credentials, with RDFC-1.0 by pyoxigraph.

Why it exists: on UNTP credentials (a 105 KB context with 217 scoped contexts) pyld spends
almost all of a canonicalization in context processing and expansion — mostly hashing every
scoped context (RFC 8785) to find it in its cache, then cloning active contexts — while the
RDF itself is a few hundred quads. Here pyld still processes every context (it stays the
reference for that), but each processed active context is cached by the identity of the
context it was derived from, and the walk from the compacted document to quads is done
directly, mirroring pyld's ``_expand``/``_expand_object``/``_create_node_map``/``_graph_to_rdf``
rule by rule so that the dataset is the one pyld builds (blank node labels aside, which
RDFC-1.0 replaces anyway).

Anything outside what credentials use (``@reverse``, ``@nest``, ``@included``, ``@graph``
on a node, index, language, id and type maps, lists of lists and ``@set`` in lists, ``@base``,
blank node types and predicates, values pyld's node map would merge or would keep apart as one
quad twice, ...) raises :class:`Unsupported`, and the
caller runs pyld instead: falling back is always correct, only slower.

RDFC-1.0 then runs in pyoxigraph, except where its output could differ from pyld's or its
work is not provably bounded (control characters and U+FFFE/U+FFFF, which pyld 3.3 does not
escape; a blank node twice in one quad, which pyld hashes its own way, see
:class:`FastDataset`; symmetric blank nodes, see :func:`first_degree_is_bounded`): there
pyld's bounded RDFC-1.0 runs over this dataset, still skipping pyld's expansion.
``_canon.rdfc_traced`` chooses.
"""

from __future__ import annotations

import copy
import re
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pyoxigraph
from c14n.Canonicalize import canonicalize as _pyld_jcs  # type: ignore[import-untyped]
from cachetools import LRUCache
from pyld.jsonld import (
    KEYWORDS,
    JsonLdProcessor,
)
from pyld.nquads import escape as _nquads_escape

from vcservice.jsonld._loader import StaticDocumentLoader

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE_IRI = f"{RDF}type"
_RDF_TYPE = f"<{_RDF_TYPE_IRI}>"
_RDF_FIRST = f"<{RDF}first>"
_RDF_REST = f"<{RDF}rest>"
_RDF_NIL = f"<{RDF}nil>"
_RDF_JSON = f"{RDF}JSON"
_RDF_LANGSTRING = f"{RDF}langString"
_XSD_STRING = f"{XSD}string"
_XSD_BOOLEAN = f"{XSD}boolean"
_XSD_DOUBLE = f"{XSD}double"
_XSD_INTEGER = f"{XSD}integer"

_KEYWORDS = frozenset(KEYWORDS)
_PROCESSOR = JsonLdProcessor()  # stateless for the methods used here
# pyld's own tests, copied so that what it drops (relative IRIs) is dropped here too.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
# pyld 3.3 writes these raw in N-Quads; pyoxigraph (and RDFC-1.0) escape them, so hashes differ.
# The noncharacters U+FFFE and U+FFFF are among them (pyoxigraph writes \uFFFE, \uFFFF).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# What pyld's N-Quads escape() rewrites; text without any of it goes out as it is.
_ESCAPED = re.compile(r'[\\\t\n\r"]')
# Either of the two: text without any goes out as it is, and is plain.
_SPECIAL = re.compile('[\x00-\x1f\x7f\\\\"\ufffe\uffff]')

#: Processed active contexts kept per loader. The UNTP battery passport needs about a hundred;
#: one UNTP active context holds a copy of ~500 term definitions (tens of KB).
_CONTEXT_CACHE_SIZE = 1024


class Unsupported(Exception):  # noqa: N818 - a signal to fall back, not an error
    """The document uses JSON-LD this path does not reproduce; use the pyld reference."""


@dataclass(frozen=True, slots=True)
class _Term:
    """What a key means in one active context (pyld's lookups, done once)."""

    expanded: str | None
    scoped: Any
    container: tuple[Any, ...]
    coerce: Any
    language: Any
    reverse: bool


def _term(ctx: Any, key: str) -> _Term:
    container = _ctx_value(ctx, key, "@container")
    mapping = ctx["mappings"].get(key)
    return _Term(
        _expand_key(ctx, key),
        _ctx_value(ctx, key, "@context"),
        tuple(container) if isinstance(container, list) else (container,),
        _ctx_value(ctx, key, "@type"),
        _ctx_value(ctx, key, "@language"),
        bool(mapping and mapping.get("reverse")),
    )


# --- processed-context cache -------------------------------------------------------------


def _local_key(local: Any) -> tuple[Any, ...]:
    """A hashable key for a local context written in a document (keyed by value).

    Unambiguous by construction: every value is a tuple tagged with its kind, so no value of
    one kind (a list of strings, say) can spell the key of another (an object). Scoped
    contexts are keyed ``("scoped", id)`` (see :meth:`_ContextCache.process`), a tag no
    document value gets.
    """
    if local is None:
        return ("null",)
    if type(local) is str:
        return ("url", local)
    if type(local) is bool:
        return ("bool", local)
    if type(local) is list:
        return ("list", tuple(_local_key(item) for item in local))
    if type(local) is dict:
        return ("object", _frozen(local))
    raise Unsupported(f"context value of type {type(local).__name__}")


def _frozen(value: Any) -> tuple[Any, ...]:
    """A JSON value as a tagged, hashable tuple that equals another exactly when pyld could
    not tell the two values apart (1, 1.0 and True differ; so do -0.0 and 0.0)."""
    kind = type(value)
    if value is None:
        return ("null",)
    if kind is str:
        return ("str", value)
    if kind is bool:
        return ("bool", value)
    if kind is int:
        return ("int", value)
    if kind is float:
        return ("float", repr(value))
    if kind is list:
        return ("list", tuple(_frozen(item) for item in value))
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise Unsupported("context object with a key that is not a string")
        return ("object", tuple(sorted((key, _frozen(item)) for key, item in value.items())))
    raise Unsupported(f"context value of type {kind.__name__}")


class _ContextCache:
    """Bounded, thread-safe map (active context, local context, flags) → processed context.

    One per loader (see :func:`_cache_for`), so a context one loader allows never answers a
    lookup made through another. Entries pin the objects whose ids make up their key.
    """

    def __init__(self, loader: StaticDocumentLoader) -> None:
        self._loader_ref = weakref.ref(loader)
        self._lock = threading.Lock()
        self._entries: LRUCache[Any, tuple[Any, ...]] = LRUCache(maxsize=_CONTEXT_CACHE_SIZE)
        self._terms: dict[int, tuple[Any, dict[Any, Any]]] = {}
        self._served_taints: bool | None = None

    def _options(self) -> dict[str, Any]:
        """pyld options for one context processing, as ``_canon._options`` builds them.

        A fresh ``ContextResolver`` each time: its per-operation cache is unbounded, while the
        loader's per-thread cache of resolved contexts behind it is bounded and shared.
        """
        loader = self._loader_ref()
        if loader is None:  # pragma: no cover - the caller holds the loader
            raise Unsupported("loader is gone")
        return {
            "documentLoader": loader,
            "contextResolver": loader.context_resolver(),
            "base": "",
            "processingMode": "json-ld-1.1",
            "isFrame": False,
            "keepFreeFloatingNodes": False,
        }

    def terms(self, ctx: Any) -> dict[Any, Any]:
        """Per active context, what each key means (memoized: contexts are never mutated)."""
        found = self._terms.get(id(ctx))
        if found is not None and found[0] is ctx:
            return found[1]
        table: dict[Any, Any] = {}
        with self._lock:
            if len(self._terms) >= _CONTEXT_CACHE_SIZE:
                self._terms.clear()
            self._terms[id(ctx)] = (ctx, table)  # pins ctx, so its id stays unique
        return table

    def taints(self, local: Any) -> bool:
        """Whether processing ``local`` may set ``@base`` or a relative ``@vocab``.

        Those are the only context entries whose effect depends on the base and vocabulary a
        context is processed under (see :class:`Audit`). Remote contexts can only come from
        the loader, so every document it serves is looked at once.
        """
        if self._served_taints is None:
            loader = self._loader_ref()
            if loader is None:  # pragma: no cover - the caller holds the loader
                return True
            self._served_taints = any(_sets_base(loader(url)["document"]) for url in loader.urls)
        return self._served_taints or _sets_base(local)

    def initial(self) -> Any:
        return _PROCESSOR._get_initial_context({"processingMode": "json-ld-1.1"})

    def process(
        self,
        active: Any,
        local: Any,
        *,
        override_protected: bool = False,
        propagate: bool = True,
        scoped: bool = False,
    ) -> Any:
        """``scoped``: ``local`` is a term definition's ``@context``.

        Those come out of cached, never-mutated active contexts, so their identity is a sound
        key: the entry pins the object, so its ``id`` cannot be reused while the entry lives.
        Contexts written in a document are keyed by value.
        """
        local_key = ("scoped", id(local)) if scoped else _local_key(local)
        key = (id(active), local_key, override_protected, propagate)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            return entry[0]
        if not scoped and not isinstance(local, str):
            # pyld keeps references to the context it processes (term definitions hold their
            # scoped contexts; its resolver caches the object by value, shared per loader):
            # a private copy, so that nothing cached aliases the caller's document, which
            # may be modified later.
            local = copy.deepcopy(local)
        pins: list[Any] = [active, local]
        try:
            result = JsonLdProcessor()._process_context(
                active,
                local,
                self._options(),
                override_protected=override_protected,
                propagate=propagate,
            )
        except Exception as exc:
            # The reference path raises the proper error for an invalid context.
            raise Unsupported(f"context processing failed: {exc}") from exc
        with self._lock:
            self._entries[key] = (result, pins, local)
        return result


def _sets_base(value: Any) -> bool:
    """An ``@base``, or an ``@vocab`` that is not an absolute IRI, anywhere in ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, Mapping):
            if "@base" in item:
                return True
            vocab = item.get("@vocab")
            if vocab is not None and not (isinstance(vocab, str) and _ABSOLUTE_IRI.match(vocab)):
                return True
            stack.extend(item.values())
    return False


_caches: weakref.WeakKeyDictionary[StaticDocumentLoader, _ContextCache] = (
    weakref.WeakKeyDictionary()
)
_caches_lock = threading.Lock()


def _cache_for(loader: StaticDocumentLoader) -> _ContextCache:
    with _caches_lock:
        cache = _caches.get(loader)
        if cache is None:
            cache = _caches[loader] = _ContextCache(loader)
        return cache


# --- context lookups, as pyld's JsonLdProcessor.get_context_value ------------------------


def _ctx_value(ctx: Any, key: str | None, kind: str) -> Any:
    if key is None:
        return None
    value = None
    if (kind == "@language" or kind == "@direction") and kind in ctx:
        value = ctx[kind]
    mappings = ctx["mappings"]
    if key in mappings:
        entry = mappings[key]
        if entry is None:
            return None
        if kind in entry:
            value = entry[kind]
    return value


def _revert(ctx: Any) -> Any:
    if "previousContext" not in ctx:
        return ctx
    return ctx["previousContext"]


def _expand_key(ctx: Any, value: str) -> str | None:
    """pyld ``_expand_iri(ctx, value, vocab=True)`` with no base (property names): a name
    neither a term, a compact IRI nor @vocab can expand stays as it is."""
    expanded = _expand_ref(ctx, value, vocab=True)
    return value if isinstance(expanded, _BaseRelative) else expanded


class _BaseRelative:
    """What :func:`_expand_ref` returns for a value only the base can resolve."""


_BASE_RELATIVE = _BaseRelative()


def _expand_ref(ctx: Any, value: str, *, vocab: bool) -> str | _BaseRelative | None:
    """pyld ``_expand_iri(ctx, value, vocab=vocab, base='')`` (ids and vocabulary values) up
    to the base step: :data:`_BASE_RELATIVE` where that step would decide."""
    if value in _KEYWORDS:
        return value
    mappings = ctx["mappings"]
    if _KEYWORD_LIKE.match(value):
        return None
    if vocab and value in mappings:
        entry = mappings[value]
        return None if entry is None else str(entry["@id"])
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1 :]
        if prefix == "_" or suffix.startswith("//"):
            return value
        entry = mappings.get(prefix)
        if entry and entry["_prefix"]:
            return str(entry["@id"]) + suffix
        if _ABSOLUTE_IRI.match(value):
            return value
    if vocab and "@vocab" in ctx:
        return str(ctx["@vocab"]) + value
    return _BASE_RELATIVE


def _against_base(ctx: Any, value: str, *, vocab: bool) -> str | None:
    """The last step of ``_expand_iri``: resolution against the base."""
    if "@base" in ctx:
        raise Unsupported("@base")
    # Resolved against pyld's default base; pyld's own resolver does it, so it is exact.
    resolved = _PROCESSOR._expand_iri(ctx, value, base="", vocab=vocab)
    return None if resolved is None else str(resolved)


def _double(value: float) -> str:
    """pyld's ``_canonicalize_double`` (``re.sub(r'(\\d)0*E\\+?(-)?0*(\\d)', r'\\1E\\2\\3',
    f'{value:1.15E}')``) without the regular expression: trailing zeros of the mantissa go
    (one digit stays after the point), and the exponent loses its plus sign and leading
    zeros (one digit stays)."""
    mantissa, exponent = f"{value:1.15E}".split("E")
    mantissa = mantissa.rstrip("0")
    if mantissa[-1] == ".":
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the walk ----------------------------------------------------------------------------

Quad = tuple[str, str, str, str]


@dataclass(slots=True)
class _Value:
    """An expanded value object (pyld ``{'@value': ...}``) awaiting RDF conversion."""

    value: Any
    type: str | None = None
    language: str | None = None


class _Walker:
    """Emits the quads of pyld's ``to_rdf`` directly from the compacted document."""

    def __init__(self, cache: _ContextCache) -> None:
        self.cache = cache
        self.quads: list[Quad] = []
        self.labels: dict[str, str] = {}
        self._fresh = count()
        self.plain_literals = True  # no control characters (see _CONTROL)
        self.literals: dict[str, tuple[str, str, str | None]] = {}
        self._values: dict[tuple[Any, ...], str] = {}
        self._json_values: dict[tuple[Any, ...], list[tuple[Any, str]]] = {}
        self._origins: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._lists = count()
        self._tables: dict[int, tuple[Any, dict[Any, Any]]] = {}
        # For the data-model check (see Audit).
        self.exact = True
        self.iris: set[str] = set()

    def table(self, ctx: Any) -> dict[Any, Any]:
        """:meth:`_ContextCache.terms`, looked up once per context per walk (the entry here
        pins ``ctx``, so its id stays unique for the walk)."""
        found = self._tables.get(id(ctx))
        if found is None:
            found = self._tables[id(ctx)] = (ctx, self.cache.terms(ctx))
        return found[1]

    def term(self, ctx: Any, key: str) -> _Term:
        table = self.table(ctx)
        found = table.get(key)
        if found is None:
            found = table[key] = _term(ctx, key)
        return found

    def ref(self, ctx: Any, value: str, *, vocab: bool, datatype: bool = False) -> str:
        """An ``@id``, type or vocabulary value, expanded and noted for the audit."""
        iri = _expand_ref(ctx, value, vocab=vocab)
        if isinstance(iri, _BaseRelative):
            self.exact = False
            iri = _against_base(ctx, value, vocab=vocab)
        if iri is None:
            raise Unsupported(f"{value!r} expands to nothing")
        if not (datatype and iri.startswith("@")):
            self.iris.add(iri)
        return iri

    def local_context(self, local: Any) -> None:
        if self.exact and self.cache.taints(local):
            self.exact = False

    # -- terms --

    def bnode(self) -> str:
        return f"_:f{next(self._fresh)}"

    def label(self, name: str) -> str:
        term = self.labels.get(name)
        if term is None:
            term = self.labels[name] = self.bnode()
        return term

    def node_term(self, iri: str) -> str | None:
        """An expanded ``@id`` as an N-Quads term; None where pyld would skip it (relative)."""
        if iri.startswith("_:"):
            return self.label(iri)
        if not _ABSOLUTE_IRI.match(iri):
            return None
        if ">" in iri or "\\" in iri:
            raise Unsupported("IRI that N-Quads cannot carry")
        return f"<{iri}>"

    def literal(self, item: _Value) -> str:
        """pyld ``_object_to_rdf`` for a value object (rdfDirection unset)."""
        try:
            return self._literal(item)
        except (OverflowError, ValueError) as exc:
            # Numbers no float can hold (or too many digits for str()): pyld decides.
            raise Unsupported(f"number formatting: {exc}") from exc

    def _literal(self, item: _Value) -> str:
        value, datatype = item.value, item.type
        language = None
        if type(value) is str and datatype != "@json" and datatype != _XSD_DOUBLE:
            # The commonest case first; the chain below treats it the same way.
            text = value
            if item.language is not None:
                language = item.language
                datatype = datatype or _RDF_LANGSTRING
            else:
                datatype = datatype or _XSD_STRING
        elif datatype == "@json":
            text = _pyld_jcs(value).decode("utf-8")
            datatype = _RDF_JSON
        elif value is True or value is False:
            text = "true" if value else "false"
            datatype = datatype or _XSD_BOOLEAN
        elif type(value) is float:
            if value != value or value in (float("inf"), float("-inf")):
                raise Unsupported("non-finite number")
            if not value.is_integer() or abs(value) >= 1e21:
                text = _double(value)
                datatype = datatype or _XSD_DOUBLE
            elif datatype == _XSD_DOUBLE:
                text = _double(float(value))
            else:
                text = str(int(value))
                datatype = datatype or _XSD_INTEGER
        elif datatype == _XSD_DOUBLE:
            if type(value) is int:
                text = _double(float(value))
            else:
                raise Unsupported("xsd:double from a non-number")
        elif type(value) is int:
            if abs(value) >= 1e21:
                text = _double(value)
                datatype = datatype or _XSD_DOUBLE
            else:
                text = str(value)
                datatype = datatype or _XSD_INTEGER
        elif type(value) is str:
            text = value
            if item.language is not None:
                language = item.language
                datatype = datatype or _RDF_LANGSTRING
            else:
                datatype = datatype or _XSD_STRING
        else:
            raise Unsupported(f"value of type {type(value).__name__}")
        if _SPECIAL.search(text) is None:
            quoted = '"' + text + '"'
        else:
            if _CONTROL.search(text):
                self.plain_literals = False
            quoted = '"' + (str(_nquads_escape(text)) if _ESCAPED.search(text) else text) + '"'
        if datatype == _RDF_LANGSTRING:
            if not language or language != language.lower():
                raise Unsupported("language tag")
            term = quoted + "@" + language
        elif language is not None:
            raise Unsupported("typed language-tagged string")
        elif datatype == _XSD_STRING:
            term = quoted
        elif not _ABSOLUTE_IRI.match(datatype) or ">" in datatype or datatype.startswith("_:"):
            raise Unsupported("datatype IRI")
        else:
            term = quoted + "^^<" + datatype + ">"
        self.literals[term] = (text, datatype, language)
        return term

    def emit(self, subject: str | None, predicate: str, obj: str | None, graph: str) -> None:
        if subject is not None and obj is not None:
            self.quads.append((subject, predicate, obj, graph))

    def rdf_list(self, items: list[str | None], graph: str) -> str:
        """pyld ``_list_to_rdf``: one fresh blank node per item, ending in rdf:nil."""
        if not items:
            return _RDF_NIL
        head = subject = self.bnode()
        for index, item in enumerate(items):
            if item is None:
                raise Unsupported("relative IRI in a list")
            self.quads.append((subject, _RDF_FIRST, item, graph))
            rest = self.bnode() if index < len(items) - 1 else _RDF_NIL
            self.quads.append((subject, _RDF_REST, rest, graph))
            subject = rest
        return head

    # -- expansion --

    def document(self, element: Any) -> None:
        if not isinstance(element, dict):
            raise Unsupported("top-level value that is not an object")
        ctx = self.cache.initial()
        keys = [k for k in element if k != "@context"]
        if "@context" in element:
            local = element["@context"]
            if isinstance(local, dict) and len(local) == 1 and "@context" in local:
                raise Unsupported("keyword redefinition")
            self.local_context(local)
            ctx = self.cache.process(ctx, local)
        if len(keys) == 1 and _expand_key(ctx, keys[0]) == "@graph":
            # A top-level object holding only @graph: its nodes are the default graph.
            # pyld reaches the nodes with active property '@graph' (free-floating rules).
            graph_key = keys[0]
            term_ctx = ctx
            scoped = _ctx_value(ctx, graph_key, "@context")
            if scoped is not None:
                term_ctx = self.cache.process(
                    ctx, scoped, propagate=True, override_protected=True, scoped=True
                )
            for item in self._flatten(element[graph_key]):
                if isinstance(item, dict):
                    result = self.node(term_ctx, graph_key, item, "", free_floating=True)
                    if result is not None and not isinstance(result, str):
                        raise Unsupported("free-floating value or list")
            return
        result = self.node(ctx, None, element, "", free_floating=True, context_done=True)
        if result is not None and not isinstance(result, str):
            raise Unsupported("free-floating value or list at top level")

    def _flatten(self, value: Any) -> Iterable[Any]:
        if isinstance(value, list):
            for item in value:
                yield from self._flatten(item)
        elif value is not None:
            yield value

    def values(
        self,
        ctx: Any,
        key: str,
        value: Any,
        graph: str,
        inside_list: bool,
        term: _Term | None = None,
    ) -> list[str | _Value | list[Any] | None]:
        """pyld ``_expand(term_ctx, key, value)`` for a property value, flattened.

        Returns, per expanded item: a node term (str, or None for a skipped relative IRI),
        a :class:`_Value`, or a list (an ``@list`` object's items, already converted).
        ``term``: ``self.term(ctx, key)``, where the caller has it.
        """
        out: list[Any] = []
        if value is not None:
            if term is None:
                term = self.term(ctx, key)
            self._values_into(ctx, key, term, value, graph, inside_list, out)
        return out

    def _values_into(
        self,
        ctx: Any,
        key: str,
        term: _Term,
        value: Any,
        graph: str,
        inside_list: bool,
        out: list[Any],
    ) -> None:
        """:meth:`values` for a value that is not None, appended to ``out``."""
        if isinstance(value, list):
            in_list = inside_list or "@list" in term.container
            for item in value:
                if isinstance(item, list):
                    if in_list:
                        raise Unsupported("list of lists")
                    self._values_into(ctx, key, term, item, graph, in_list, out)
                elif item is not None:
                    self._values_into(ctx, key, term, item, graph, in_list, out)
            return
        if isinstance(value, dict):
            result = self.node(ctx, key, value, graph, inside_list=inside_list)
            if isinstance(result, tuple):  # @set
                if inside_list or "@list" in term.container:
                    # pyld expands a @set in a list to an array, which it then nests as a
                    # list of its own (or, directly under a list container, may or may not):
                    # never spliced into the enclosing list as the items are here.
                    raise Unsupported("@set in a list")
                out.extend(result)
            elif result is not _DROPPED:
                out.append(result)
            return
        out.append(self.scalar(ctx, term, value))

    def scalar(self, ctx: Any, term: _Term, value: Any) -> str | _Value | None:
        """pyld ``_expand_value`` followed by ``_object_to_rdf``'s choice of term (``term``:
        what the property's key means in ``ctx``)."""
        expanded = term.expanded
        if expanded is None or expanded in _KEYWORDS:
            raise Unsupported("scalar under a keyword")
        coerce = term.coerce
        if isinstance(value, str):
            if coerce == "@id":
                return self.node_term(self.ref(ctx, value, vocab=False))
            if coerce == "@vocab":
                return self.node_term(self.ref(ctx, value, vocab=True))
        if coerce is not None and coerce not in ("@id", "@vocab", "@none"):
            if coerce == "@json":
                raise Unsupported("@json coercion on a nested value")
            if not str(coerce).startswith("@"):
                self.iris.add(str(coerce))
            return _Value(value, str(coerce))
        if isinstance(value, str):
            language = term.language
            if language is not None and not isinstance(language, str):
                raise Unsupported("language")
            return _Value(value, None, language)
        return _Value(value)

    def _prelude(
        self, ctx: Any, active_property: str | None, element: dict[str, Any], context_done: bool
    ) -> Any:
        """pyld ``_expand`` up to ``_prepare_nested_context``: revert, scoped, local contexts."""
        if not context_done:
            property_scoped = (
                None if active_property is None else self.term(ctx, active_property).scoped
            )
            type_scoped: Any = ctx if ctx.get("previousContext") else None
            must_revert = True
            if type_scoped is not None and len(element) <= 2 and "@context" not in element:
                for key in sorted(element):
                    expanded = self.term(type_scoped, key).expanded
                    if expanded == "@value":
                        must_revert = False
                        ctx = type_scoped
                        break
                    if expanded == "@id" and len(element) == 1:
                        must_revert = False
                        break
            if must_revert:
                ctx = _revert(ctx)
            if property_scoped is not None:
                ctx = self.cache.process(ctx, property_scoped, override_protected=True, scoped=True)
            if "@context" in element:
                local = element["@context"]
                if isinstance(local, dict) and len(local) == 1 and "@context" in local:
                    raise Unsupported("keyword redefinition")
                self.local_context(local)
                ctx = self.cache.process(ctx, local)
        return ctx

    def _shape(
        self, ctx: Any, element: dict[str, Any], keys: tuple[str, ...]
    ) -> tuple[
        tuple[
            Any,
            Any,
            list[tuple[str, str]],
            bool,
            int,
            tuple[str, ...],
            tuple[tuple[str, str], ...],
            dict[Any, Any],
            frozenset[str],
        ],
        list[str],
    ]:
        """pyld ``_prepare_nested_context`` and the key expansions of ``_expand_object``.

        Type-scoped contexts are looked up in the context before any of them applies, while
        @type keys are found with the one being built.
        """
        type_scoped = ctx
        used: list[str] = []
        for key in keys:
            if self.term(ctx, key).expanded != "@type":
                continue
            used.append(key)
            types = [t for t in _as_list(element[key]) if isinstance(t, str)]
            for name in sorted(types):
                scoped = _ctx_value(type_scoped, name, "@context")
                if scoped is not None and scoped is not False:
                    ctx = self.cache.process(ctx, scoped, propagate=False, scoped=True)
        expanded_keys: list[tuple[str, str]] = []
        dropped = False
        for key in keys:
            expanded = self.term(ctx, key).expanded
            if expanded is None or not (expanded in _KEYWORDS or _ABSOLUTE_IRI.match(expanded)):
                dropped = True
                continue  # pyld drops it
            expanded_keys.append((key, expanded))
        keywords = [e for _k, e in expanded_keys if e in _KEYWORDS]
        if any(keywords.count(e) > 1 for e in keywords if e != "@type"):
            raise Unsupported("colliding keywords")
        present = frozenset(keywords)
        if present - _NODE_KEYWORDS:
            raise Unsupported(f"keyword among {sorted(present)}")
        if "@value" in present:
            kind = _VALUE_OBJECT
        elif "@list" in present or "@set" in present:
            kind = _LIST_OR_SET
        elif "@language" in present or "@direction" in present:
            kind = _LANGUAGE_ON_NODE
        else:
            kind = _NODE_OBJECT
        id_keys = tuple(key for key, expanded in expanded_keys if expanded == "@id")
        properties = tuple((key, e) for key, e in expanded_keys if e != "@id")
        if kind == _NODE_OBJECT:
            for _key, expanded in properties:
                if expanded.startswith("_:"):
                    raise Unsupported("blank node predicate")
                if expanded == _RDF_TYPE_IRI:
                    # pyld keeps it apart from @type in its node map, and emits a type given
                    # both ways twice (see value()).
                    raise Unsupported("rdf:type as a property")
        property_iris = frozenset(e for _key, e in properties if e != "@type")
        return (
            ctx,
            type_scoped,
            expanded_keys,
            dropped,
            kind,
            id_keys,
            properties,
            self.table(ctx),
            property_iris,
        ), used

    def node(
        self,
        ctx: Any,
        active_property: str | None,
        element: dict[str, Any],
        graph: str,
        *,
        inside_list: bool = False,
        free_floating: bool = False,
        context_done: bool = False,
    ) -> Any:
        """pyld ``_expand`` for an object, then the node map and RDF for what it became."""
        ordered = sorted(element)
        if "@context" in element:
            ordered.remove("@context")
        keys = tuple(ordered)
        if context_done or "@context" in element:
            ctx = self._prelude(ctx, active_property, element, context_done)
            type_keys = [k for k in keys if self.term(ctx, k).expanded == "@type"]
            table = self.table(ctx)
        else:
            # The context a node's shape leads to depends only on the incoming context, the
            # property and the keys, so it is memoized with the incoming context.
            table = self.table(ctx)
            memo_key = ("prelude", active_property, keys)
            found = table.get(memo_key)
            if found is None:
                pre = self._prelude(ctx, active_property, element, False)
                found = table[memo_key] = (
                    pre,
                    [k for k in keys if self.term(pre, k).expanded == "@type"],
                    self.table(pre),
                )
            ctx, type_keys, table = found
        type_values = (
            tuple(tuple(t for t in _as_list(element[k]) if isinstance(t, str)) for k in type_keys)
            if type_keys
            else ()
        )
        shape_key = ("shape", keys, type_values)
        shape = table.get(shape_key)
        if shape is None:
            shape, used = self._shape(ctx, element, keys)
            if used == type_keys:  # the key says all the shape depended on
                table[shape_key] = shape
        (
            ctx,
            type_scoped,
            expanded_keys,
            dropped,
            kind,
            id_keys,
            properties,
            table,
            property_iris,
        ) = shape
        type_table = self.table(type_scoped)
        if dropped:
            self.exact = False
        if kind != _NODE_OBJECT:
            if kind == _VALUE_OBJECT:
                return self._value_object(ctx, type_scoped, element, expanded_keys, free_floating)
            if kind == _LIST_OR_SET:
                return self._list_or_set(
                    ctx, active_property, element, expanded_keys, graph, free_floating
                )
            raise Unsupported("@language/@direction on a node")

        # A node object.
        subject: str | None
        iri: str | None = None
        for key in id_keys:
            value = element[key]
            if not isinstance(value, str):
                raise Unsupported("@id that is not a string")
            iri = self.ref(ctx, value, vocab=False)
        subject = self.bnode() if iri is None else self.node_term(iri)
        if free_floating and not properties:
            return None
        # Every property's IRI (checked in _shape: none is a blank node or rdf:type).
        self.iris.update(property_iris)
        for key, expanded in properties:
            value = element[key]
            if expanded == "@type":
                if value is None:
                    raise Unsupported("null @type")
                names = _as_list(value)
                if not all(isinstance(t, str) for t in names):
                    raise Unsupported("@type value")
                for name in names:
                    type_key = ("@type", name)
                    found = type_table.get(type_key)
                    if found is None:
                        found = self._type(type_scoped, name)
                        if found[2]:  # not resolved against the base: a function of both
                            type_table[type_key] = found
                    type_iri, type_term, _memo = found
                    self.iris.add(type_iri)
                    if subject is not None and type_term is not None:
                        self.quads.append((subject, _RDF_TYPE, type_term, graph))
                continue
            self._property(ctx, table, subject, key, expanded, value, graph)
        return subject

    def _type(self, type_scoped: Any, name: str) -> tuple[str, str | None, bool]:
        """A ``@type`` value: its IRI, its N-Quads term (None where pyld skips it), and
        whether it was found without the base (so that it may be memoized)."""
        exact = not isinstance(_expand_ref(type_scoped, name, vocab=True), _BaseRelative)
        type_iri = self.ref(type_scoped, name, vocab=True)
        if type_iri is None or type_iri.startswith("_:") or type_iri in _KEYWORDS:
            raise Unsupported("@type that is not an IRI")
        return type_iri, self.node_term(type_iri), exact

    def _property_plan(
        self, ctx: Any, key: str, expanded: str
    ) -> tuple[Any, str, bool, int, _Term]:
        """What a property key means in ``ctx``, all but its value's shape: the term's own
        context, the predicate term, whether a map container refuses an object value, and
        the kind of container (see :meth:`_property`), and what the key means in the term's
        context."""
        term = self.term(ctx, key)
        term_ctx = ctx
        if term.scoped is not None:
            term_ctx = self.cache.process(
                ctx, term.scoped, propagate=True, override_protected=True, scoped=True
            )
        if self.term(term_ctx, key).reverse:
            raise Unsupported("reverse property")
        container = term.container
        maps = (
            "@language" in container
            or "@index" in container
            or "@id" in container
            or "@type" in container
        )
        if not set(container) <= {"@set", "@list", "@graph", None}:
            raise Unsupported(f"container {container}")
        predicate = f"<{expanded}>"
        if ">" in expanded or "\\" in expanded:
            raise Unsupported("IRI that N-Quads cannot carry")
        if term.coerce == "@json":
            if not set(container) <= {"@set", None}:
                raise Unsupported("@json in a container")
            mode = _JSON
        elif "@graph" in container:
            if "@list" in container:
                raise Unsupported("@graph with @list")
            mode = _GRAPH
        elif "@list" in container:
            mode = _LIST
        else:
            mode = _PLAIN
        return term_ctx, predicate, maps, mode, self.term(term_ctx, key)

    def _property(
        self,
        ctx: Any,
        table: dict[Any, Any],
        subject: str | None,
        key: str,
        expanded: str,
        value: Any,
        graph: str,
    ) -> None:
        """``table``: ``self.table(ctx)``."""
        plan_key = ("property", key)
        plan = table.get(plan_key)
        if plan is None:
            # A function of the context and the key (``expanded`` is the key's expansion in
            # ``ctx``), so memoized with the context.
            plan = table[plan_key] = self._property_plan(ctx, key, expanded)
        term_ctx, predicate, maps, mode, value_term = plan
        if maps and isinstance(value, dict):
            raise Unsupported("map container")
        if mode == _JSON:
            # pyld keeps the JSON value as it is, null included.
            self.emit(subject, predicate, self.value(subject, predicate, graph, value), graph)
            return
        if mode == _GRAPH:
            # Each expanded value becomes the only node of a fresh blank-node named graph.
            for item in self._flatten(value):
                graph_name = self.bnode()
                results = self.values(term_ctx, key, item, graph_name, False, value_term)
                if len(results) > 1:
                    raise Unsupported("@graph container around several nodes")
                for result in results:
                    if not isinstance(result, str) and result is not None:
                        raise Unsupported("@graph container around a non-node")
                    self.emit(subject, predicate, graph_name, graph)
            return
        results = self.values(term_ctx, key, value, graph, False, value_term)
        if mode == _LIST:
            if isinstance(value, dict) and len(results) == 1 and type(results[0]) is _ListObject:
                pass  # already an @list object (values() refuses a @set here)
            elif value is None:
                return
            else:
                if any(isinstance(r, list) for r in results):
                    raise Unsupported("list of lists")
                results = [results]
        if subject is None:
            # pyld skips a relative subject's triples, lists included (their items' own nodes,
            # walked above, stay).
            return
        origins = self._origins
        for result in results:
            obj: str | None
            if isinstance(result, str):
                # A node reference: what _object() and _claim() below do with it.
                quad = (graph, subject, predicate, result)
                if origins.setdefault(quad, ()) != ():
                    raise Unsupported("one quad from values pyld's node map keeps apart")
                self.quads.append((subject, predicate, result, graph))
                continue
            if isinstance(result, _Value):
                obj = self.value(subject, predicate, graph, result)
            else:
                obj = self._object(result, graph)
                if obj is not None:
                    # pyld merges node references with the same @id, never two lists: two
                    # empty lists (or one and a reference to rdf:nil) are one quad twice.
                    origin = ("list", next(self._lists)) if isinstance(result, list) else ()
                    self._claim((graph, subject, predicate, obj), origin)
            self.emit(subject, predicate, obj, graph)

    def _claim(self, quad: tuple[Any, ...], origin: tuple[Any, ...]) -> None:
        """Note which of pyld's node-map values gives ``quad``; refuse a second one.

        pyld's dataset holds a quad once per value its node map keeps (see :meth:`value`),
        and its RDFC-1.0 hashes every copy, while this walk keeps a set of quads.
        """
        first = self._origins.setdefault(quad, origin)
        if first != origin:
            raise Unsupported("one quad from values pyld's node map keeps apart")

    def value(self, subject: str | None, predicate: str, graph: str, item: Any) -> str:
        """A property's literal, refusing what pyld's node map would merge into another, and
        what it would keep apart although both give the same quad.

        pyld adds a value to a node only if no equal one is there (``compare_values``), and
        its equality is Python's: 0 and -0.0, or 5 and 5.0, are "equal" although their
        canonical forms can differ (under xsd:double, "0.0E0" and "-0.0E0"), so pyld keeps
        whichever came first. Conversely, values it finds different can give the same quad
        (5 and ``{"@value": "5", "@type": xsd:integer}``): pyld then has that quad twice in
        its dataset and its RDFC-1.0 hashes both, while this walk's set of quads holds one.
        """
        if not isinstance(item, _Value):
            item = _Value(item, "@json")
        term = self.literal(item)
        raw = item.value
        origin: tuple[Any, ...]
        if type(raw) is str:
            # Equal strings with the same type and language give the same term: nothing for
            # pyld's node map to merge differently (the general case below, without the check).
            origin = ("value", item.type, item.language, ("other", raw))
        elif isinstance(raw, dict | list):
            # Unhashable: compared pairwise, with pyld's (Python's) equality.
            siblings = self._json_values.setdefault((graph, subject, predicate), [])
            for index, (other, seen) in enumerate(siblings):
                if other == raw:
                    if seen != term:
                        raise Unsupported("values pyld's node map would merge")
                    origin = ("json", index)
                    break
            else:
                origin = ("json", len(siblings))
                siblings.append((raw, term))
        else:
            same = ("bool", raw) if isinstance(raw, bool) else ("other", raw)
            origin = ("value", item.type, item.language, same)
            seen = self._values.setdefault((graph, subject, predicate, *origin), term)
            if seen != term:
                raise Unsupported("values pyld's node map would merge")
        origin = ("value", origin)
        if self._origins.setdefault((graph, subject, predicate, term), origin) != origin:
            raise Unsupported("one quad from values pyld's node map keeps apart")
        return term

    def _object(self, result: Any, graph: str) -> str | None:
        if result is None or isinstance(result, str):
            return result
        if isinstance(result, _Value):
            return self.literal(result)
        if isinstance(result, list):
            return self.rdf_list([self._object(r, graph) for r in result], graph)
        raise Unsupported("unexpected expansion result")  # pragma: no cover

    def _value_object(
        self,
        ctx: Any,
        type_scoped: Any,
        element: dict[str, Any],
        expanded_keys: list[tuple[str, str]],
        free_floating: bool,
    ) -> Any:
        fields: dict[str, Any] = {}
        for key, expanded in expanded_keys:
            if expanded not in ("@value", "@type", "@language", "@direction"):
                raise Unsupported("invalid value object")
            fields[expanded] = element[key]
        if free_floating:
            raise Unsupported("free-floating value")
        raw = fields.get("@value")
        datatype = fields.get("@type")
        if datatype is not None:
            if not isinstance(datatype, str):
                raise Unsupported("@type of a value")
            datatype = self.ref(type_scoped, datatype, vocab=True, datatype=True)
            if "@language" in fields or "@direction" in fields:
                raise Unsupported("typed value with language")
            if datatype == "@json":
                return _Value(raw, "@json")
            if datatype is None or datatype.startswith("_:") or datatype in _KEYWORDS:
                raise Unsupported("datatype")
        if isinstance(raw, dict | list):
            raise Unsupported("@value that is an object or array")
        if raw is None:
            return _DROPPED
        language = fields.get("@language")
        if language is not None:
            if not isinstance(language, str) or not isinstance(raw, str):
                raise Unsupported("language-tagged non-string")
            language = language.lower()
        direction = fields.get("@direction")
        if direction is not None and direction not in ("ltr", "rtl"):
            raise Unsupported("@direction")
        return _Value(raw, datatype, language)

    def _list_or_set(
        self,
        ctx: Any,
        active_property: str | None,
        element: dict[str, Any],
        expanded_keys: list[tuple[str, str]],
        graph: str,
        free_floating: bool,
    ) -> Any:
        if len(expanded_keys) != 1 or free_floating:
            raise Unsupported("@list/@set object with other keys")
        key, expanded = expanded_keys[0]
        if active_property is None:
            raise Unsupported("@list/@set without a property")
        if _expand_key(ctx, active_property) == "@graph":
            raise Unsupported("@list in @graph")
        items = self.values(ctx, active_property, element[key], graph, expanded == "@list")
        if expanded == "@set":
            return tuple(items)
        if any(isinstance(item, list) for item in items):
            raise Unsupported("list of lists")
        return _ListObject(items)


#: What an object expands to (see :meth:`_Walker._shape`).
_NODE_OBJECT, _VALUE_OBJECT, _LIST_OR_SET, _LANGUAGE_ON_NODE = range(4)
#: The kinds of property (see :meth:`_Walker._property_plan`).
_PLAIN, _LIST, _GRAPH, _JSON = range(4)


class _ListObject(list[Any]):
    """The converted items of an ``@list`` object (as told apart from other lists)."""


_DROPPED = object()
#: Keywords this path reproduces on an object; any other one means the pyld reference.
_NODE_KEYWORDS = frozenset({"@id", "@type", "@value", "@language", "@direction", "@list", "@set"})


# --- public entry points -----------------------------------------------------------------


@dataclass(frozen=True)
class Audit:
    """What the data-model check needs to know from a walk, so that it need not expand again.

    That check (``vcservice.model._expansion``) expands the document with
    ``{"@base": null, "@vocab": SENTINEL}`` in front of its contexts and reports keys JSON-LD
    drops, and property, type, datatype and ``@id`` IRIs that are not URLs or fall in an
    undefined-term namespace. This walk expanded the document under its own contexts. When
    ``exact`` holds, both expansions are the same:

    * no context involved sets ``@base`` or a relative ``@vocab`` (the two context entries
      whose result depends on the base or vocabulary already in force), so every context
      processes to the same definitions under either front: a definition that would need the
      sentinel vocabulary fails without it, and this walk would not have got here;
    * no key was dropped, so none would have needed the sentinel vocabulary;
    * no IRI was resolved against the base, so none would have stayed relative.

    What is left is the same set of IRIs, ``iris`` (types and datatypes that are keywords,
    which the check skips, left out): the check finds nothing exactly when ``exact`` holds
    and every one of them is a URL outside the undefined-term namespaces. Otherwise the
    caller must run the check's own expansion.
    """

    exact: bool
    iris: frozenset[str]


@dataclass(frozen=True)
class FastDataset:
    """The dataset of a document, as N-Quads lines (blank node labels arbitrary).

    ``self_referencing``: some quad holds one blank node twice (subject and object, or either
    and the graph name). pyld's RDFC-1.0 then counts that quad once per occurrence when
    hashing the node (its first-degree hash lists it twice), while pyoxigraph counts it once,
    which is what the RDFC-1.0 text says (the quads that *mention* the node). pyld is the
    reference here (signatures made with it must keep verifying), so such datasets go to
    pyld's RDFC-1.0.
    """

    quads: frozenset[Quad]
    blank_nodes: frozenset[str]
    plain_literals: bool
    literals: Mapping[str, tuple[str, str, str | None]]
    audit: Audit
    self_referencing: bool = False
    #: Per blank node, its quads as :func:`first_degree_is_bounded` compares them, unsorted
    #: (computed there when absent).
    marked: Mapping[str, list[Quad]] | None = field(default=None, compare=False, repr=False)

    def nquads(self) -> str:
        return "".join(
            f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n" for s, p, o, g in self.quads
        )

    def pyld_dataset(self) -> dict[str, list[dict[str, Any]]]:
        """The dataset in pyld's own shape, for its bounded RDFC-1.0 (no text round trip)."""

        def node(term: str) -> dict[str, Any]:
            if term[:2] == "_:":
                return {"type": "blank node", "value": term}
            return {"type": "IRI", "value": term[1:-1]}

        dataset: dict[str, list[dict[str, Any]]] = {}
        for s, p, o, g in self.quads:
            if o[:1] == '"':
                value, datatype, language = self.literals[o]
                obj: dict[str, Any] = {"type": "literal", "value": value, "datatype": datatype}
                if language is not None:
                    obj["language"] = language
            else:
                obj = node(o)
            name = "@default" if not g else (g if g[:2] == "_:" else g[1:-1])
            dataset.setdefault(name, []).append(
                {"subject": node(s), "predicate": node(p), "object": obj}
            )
        return dataset


def to_dataset(document: Any, loader: StaticDocumentLoader) -> FastDataset:
    """The RDF dataset pyld's ``to_rdf`` would produce; :class:`Unsupported` otherwise."""
    walker = _Walker(_cache_for(loader))
    try:
        walker.document(document)
    except Unsupported:
        raise
    except RecursionError as exc:
        raise Unsupported("document nested too deeply") from exc
    quads = frozenset(walker.quads)
    marked, self_referencing = _marked(quads)
    audit = Audit(walker.exact, frozenset(walker.iris))
    return FastDataset(
        quads,
        frozenset(marked),
        walker.plain_literals,
        walker.literals,
        audit,
        self_referencing,
        marked,
    )


def _marked(quads: Iterable[Quad]) -> tuple[dict[str, list[Quad]], bool]:
    """Each blank node's quads, with itself written ``_:a`` and other blank nodes ``_:z`` (a
    quad counted once per node it mentions, however often it mentions it); and whether some
    quad mentions a blank node twice."""
    marked: dict[str, list[Quad]] = {}
    self_referencing = False
    for s, p, o, g in quads:
        s_blank = s[:2] == "_:"
        o_blank = o[:2] == "_:"
        g_blank = g[:2] == "_:"
        if not (s_blank or o_blank or g_blank):
            continue
        if s_blank + o_blank + g_blank == 1:
            if s_blank:
                marked.setdefault(s, []).append(("_:a", p, o, g))
            elif o_blank:
                marked.setdefault(o, []).append((s, p, "_:a", g))
            else:
                marked.setdefault(g, []).append((s, p, o, "_:a"))
            continue
        in_quad = {term for term in (s, o, g) if term[:2] == "_:"}
        if len(in_quad) < s_blank + o_blank + g_blank:
            self_referencing = True
        for node in in_quad:
            marked.setdefault(node, []).append((_mark(s, node), p, _mark(o, node), _mark(g, node)))
    return marked, self_referencing


def _signatures(marked: Mapping[str, list[Quad]]) -> dict[str, tuple[Quad, ...]]:
    """Per blank node, its marked quads in order: equal exactly when the nodes' first-degree
    hashes are (see :func:`first_degree_is_bounded`)."""
    return {node: tuple(sorted(quads)) for node, quads in marked.items()}


def _mark(term: str, node: str) -> str:
    if term[:2] != "_:":
        return term
    return "_:a" if term == node else "_:z"


def first_degree_is_bounded(dataset: FastDataset, max_colliding: int) -> bool:
    """Whether RDFC-1.0 provably needs only polynomial work on this dataset.

    pyoxigraph has no budget for the N-degree hash, which runs only for blank nodes whose
    first-degree hashes collide. Two blank nodes have equal first-degree hashes exactly when
    the multisets of their quads, with themselves written ``_:a`` and other blank nodes
    ``_:z``, are equal, which is computed here without hashing. When no colliding node has two
    related entries that could fall in the same related-hash group (same position, predicate
    and — for a colliding related node — first-degree class), every group in every N-degree
    call is a single entry: one permutation each, and each call recurses into each colliding
    node at most once, so the work is at most quadratic in the colliding nodes, which are
    also capped. Otherwise the caller uses pyld's bounded implementation.
    """
    return rdfc_hash_bound(dataset, max_colliding) is not None


def rdfc_hash_bound(dataset: FastDataset, max_colliding: int) -> int | None:
    """An upper bound of the hash computations RDFC-1.0 makes on this dataset, or None where
    :func:`first_degree_is_bounded` says the work is not provably polynomial.

    pyoxigraph's canonicalization cannot be interrupted, so its work is charged before it
    starts: one first-degree hash per blank node, and for ``c`` colliding nodes at most
    ``c * c`` N-degree calls (each top-level call recurses into each colliding node at most
    once), each hashing every blank node its quads mention, plus its own hash and one path.
    """
    marked = dataset.marked
    if marked is None:
        marked = _marked(dataset.quads)[0]
    signature = _signatures(marked)
    classes: dict[tuple[Quad, ...], int] = {}
    for sig in signature.values():
        classes[sig] = classes.get(sig, 0) + 1
    colliding = {node for node, sig in signature.items() if classes[sig] > 1}
    if not colliding:
        return len(signature)
    if len(colliding) > max_colliding:
        return None
    mentions: dict[str, list[Quad]] = {node: [] for node in colliding}
    for quad in dataset.quads:
        for term in {quad[0], quad[2], quad[3]}:
            if term in mentions:
                mentions[term].append(quad)
    for node in colliding:
        groups: set[tuple[str, str, Any]] = set()
        for s, p, o, g in mentions[node]:
            for position, term in (("s", s), ("o", o), ("g", g)):
                if term[:2] != "_:" or term == node:
                    continue
                related: Any = signature[term] if term in colliding else term
                group = (position, p if position != "g" else "", related)
                if group in groups:
                    return None
                groups.add(group)
    widest = max(len(mentions[node]) for node in colliding)
    return len(signature) + len(colliding) ** 2 * (3 * widest + 2)


def oxigraph_rdfc(dataset: FastDataset) -> str:
    """RDFC-1.0 canonical N-Quads by pyoxigraph, sorted as pyld sorts them."""
    try:
        parsed = pyoxigraph.Dataset(
            pyoxigraph.parse(dataset.nquads(), format=pyoxigraph.RdfFormat.N_QUADS)
        )
    except Exception as exc:  # e.g. lone surrogates (not UTF-8): pyld decides
        raise Unsupported(f"pyoxigraph refused the N-Quads: {exc}") from exc
    parsed.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    # str() is pyoxigraph's N-Quads serialization (one "<quad> .\n" per quad, the terms
    # written as its N-Quads serializer writes them), without the round trip through bytes.
    # Split on LF only: literals may hold U+2028 and friends, which splitlines() breaks on.
    lines = [line + "\n" for line in str(parsed).split("\n") if line]
    lines.sort()
    return "".join(lines)


__all__ = [
    "Audit",
    "FastDataset",
    "Unsupported",
    "first_degree_is_bounded",
    "oxigraph_rdfc",
    "rdfc_hash_bound",
    "to_dataset",
]
