"""Selective-disclosure primitives (W3C vc-di-ecdsa, "Selective Disclosure Functions").

ecdsa-sd-2023 signs a credential quad by quad, so a holder can later reveal some quads and keep
the rest. Three problems shape these functions, as they shape the spec's:

* **Blank-node labels would leak.** RDFC-1.0 labels (``c14n0``...) depend on the whole
  dataset, so a revealed subset would be labelled differently from the signed whole, and the
  labels themselves would say something about what was withheld. Every canonical label is
  therefore replaced by ``u`` + base64url(HMAC-SHA-256(key, label)): stable for the issuer's
  secret HMAC key, meaningless to anyone else.
* **JSON pointers select JSON, signatures cover quads.** To tell which quads a pointer selects,
  every blank node is first *skolemized* (given a ``urn:bnid:`` IRI), so a selection made from
  the JSON keeps the identity of its nodes; its quads, turned back into blank nodes and
  relabelled, are then found among the canonical quads of the whole document by equality.
* **Quads are compared as text.** Every quad here is one N-Quads line (with its newline), the
  form the signatures cover; a group of quads is a map from its index in the sorted canonical
  list of the whole document, so mandatory and selective groups can be told apart by index.

The canonicalization runs under the same work limits as every other RDFC-1.0 in the service.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyld import jsonld

from vcservice.errors import CanonicalizationError, InputError, VCServiceError
from vcservice.jsonld import StaticDocumentLoader, expand
from vcservice.jsonld._budget import metered
from vcservice.jsonld._canon import CanonLimits, _BoundedURDNA2015
from vcservice.keys import b64url_encode

#: Skolem IRIs: a blank node ``_:x`` of the document is ``urn:bnid:x`` while it is selected.
_SKOLEM = "urn:bnid:"
#: Labels given to nodes that had none; the leading ``_`` keeps them apart from any ``_:bN``.
_FRESH = "_sd"
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")

#: A dataset as pyld holds it: graph name -> triples (each a dict of term dicts).
Dataset = dict[str, list[dict[str, Any]]]
#: Maps the canonical label map (input label -> ``c14nN``) to the labels to write instead.
LabelMapFactory = Callable[[Mapping[str, str]], dict[str, str]]


def hmac_label_factory(key: bytes) -> LabelMapFactory:
    """Labels ``u`` + base64url(HMAC-SHA-256(key, c14n label)) (createHmacIdLabelMapFunction)."""

    def factory(canonical: Mapping[str, str]) -> dict[str, str]:
        return {
            source: "u" + b64url_encode(hmac.new(key, label.encode(), hashlib.sha256).digest())
            for source, label in canonical.items()
        }

    return factory


def given_label_factory(label_map: Mapping[str, str]) -> LabelMapFactory:
    """Labels taken from a derived proof's map, keyed by c14n label (createLabelMapFunction)."""

    def factory(canonical: Mapping[str, str]) -> dict[str, str]:
        missing = sorted(set(canonical.values()) - set(label_map))
        if missing:
            raise InputError(f"the proof's label map has no label for {', '.join(missing)}")
        return {source: label_map[label] for source, label in canonical.items()}

    return factory


# --- RDF -------------------------------------------------------------------------------------


def _options(loader: StaticDocumentLoader) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": loader.context_resolver(),
        "base": "",
        "processingMode": "json-ld-1.1",
    }


def _pyld(operation: Callable[[], Any]) -> Any:
    """Run a pyld operation metered, with its failures as CanonicalizationError."""
    try:
        with metered(CanonLimits().work):
            return operation()
    except VCServiceError:
        raise
    except Exception as exc:
        raise CanonicalizationError(f"JSON-LD processing failed: {exc}") from exc


def _terms(triple: dict[str, Any]) -> list[dict[str, Any]]:
    return [triple[key] for key in ("subject", "object", "name") if key in triple]


def _deskolemized(dataset: Any) -> Dataset:
    """The dataset with every ``urn:bnid:`` IRI turned back into the blank node it stands for."""
    result: Dataset = {}
    for graph, triples in dict(dataset).items():
        name = "_:" + graph[len(_SKOLEM) :] if graph.startswith(_SKOLEM) else graph
        result[name] = []
        for triple in triples:
            triple = copy.deepcopy(triple)
            for term in _terms(triple):
                if term["type"] == "IRI" and term["value"].startswith(_SKOLEM):
                    term["type"] = "blank node"
                    term["value"] = "_:" + term["value"][len(_SKOLEM) :]
            result[name].append(triple)
    return result


def to_dataset(document: Any, loader: StaticDocumentLoader) -> Dataset:
    """The RDF dataset of a (possibly skolemized) JSON-LD document, deskolemized."""
    options = {**_options(loader), "produceGeneralizedRdf": False}
    return _deskolemized(_pyld(lambda: jsonld.JsonLdProcessor().to_rdf(document, options)))


def canonical_labels(dataset: Dataset, limits: CanonLimits | None = None) -> dict[str, str]:
    """RDFC-1.0's canonical issuer: input blank-node label -> ``c14nN`` (both without ``_:``)."""
    limits = limits or CanonLimits()
    quads = sum(len(triples) for triples in dataset.values())
    if quads > limits.max_quads:
        raise CanonicalizationError(
            f"document has {quads} RDF quads; the limit is {limits.max_quads}"
        )
    try:
        with metered(limits.work) as meter:
            canon = _BoundedURDNA2015(limits, meter)
            canon.main(copy.deepcopy(dataset), {"format": "application/n-quads"})
    except VCServiceError:
        raise
    except Exception as exc:
        raise CanonicalizationError(f"RDFC-1.0 failed: {exc}") from exc
    existing: dict[str, str] = canon.canonical_issuer.existing
    return {source[2:]: label[2:] for source, label in existing.items()}


def relabelled_quads(dataset: Dataset, labels: Mapping[str, str]) -> list[str]:
    """Each quad as an N-Quads line with its blank nodes relabelled (unsorted, input order).

    Raises InputError for a blank node ``labels`` does not know: a quad the signer did not see.
    """
    lines = []
    for graph, triples in dataset.items():
        for triple in triples:
            triple = copy.deepcopy(triple)
            for term in _terms(triple):
                if term["type"] == "blank node":
                    term["value"] = "_:" + _label(labels, term["value"][2:])
            name = None if graph == "@default" else graph
            if name is not None and name.startswith("_:"):
                name = "_:" + _label(labels, name[2:])
            lines.append(str(jsonld.JsonLdProcessor.to_nquad(triple, name)))
    return lines


def _label(labels: Mapping[str, str], source: str) -> str:
    try:
        return labels[source]
    except KeyError:
        raise InputError(
            f"blank node _:{source} has no label (it is not in the signed set)"
        ) from None


def label_replaced(dataset: Dataset, factory: LabelMapFactory) -> tuple[list[str], dict[str, str]]:
    """labelReplacementCanonicalizeNQuads: sorted relabelled quads, and input label -> label."""
    labels = factory(canonical_labels(dataset))
    return sorted(relabelled_quads(dataset, labels)), labels


# --- skolemization and selection -------------------------------------------------------------


def _skolemize(value: Any, counter: list[int]) -> Any:
    """Give every node object of expanded JSON-LD an ``@id`` (``urn:bnid:``)."""
    if isinstance(value, list):
        return [_skolemize(item, counter) for item in value]
    if not isinstance(value, dict) or "@value" in value:
        return value
    result = {key: _skolemize(item, counter) for key, item in value.items() if key != "@id"}
    if "@list" in value or "@set" in value:
        return result
    node_id = value.get("@id")
    if node_id is None:
        node_id = f"{_SKOLEM}{_FRESH}{counter[0]}"
        counter[0] += 1
    elif isinstance(node_id, str) and node_id.startswith("_:"):
        node_id = _SKOLEM + node_id[2:]
    result["@id"] = node_id
    return result


def skolemized_compact(document: Mapping[str, Any], loader: StaticDocumentLoader) -> dict[str, Any]:
    """The document compacted back under its own ``@context``, every node with an ``id``.

    JSON pointers written against the document still address the same values (compaction
    keeps its shape), and a selection carries the node identities with it.
    """
    expanded = _skolemize(expand(dict(document), loader), [0])
    context = {"@context": copy.deepcopy(document.get("@context"))}
    compact = _pyld(lambda: jsonld.compact(expanded, context, _options(loader)))
    return dict(compact)


def parse_pointer(pointer: str) -> list[str | int]:
    """An RFC 6901 JSON pointer as path segments (digits stay strings: the value decides)."""
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise InputError(f"{pointer!r} is not a JSON pointer")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def _step(value: Any, segment: str | int, pointer: str) -> tuple[Any, str | int]:
    if isinstance(value, list):
        if not isinstance(segment, str) or not _ARRAY_INDEX.fullmatch(segment):
            raise InputError(f"JSON pointer {pointer!r} does not match the document")
        index = int(segment)
        if index >= len(value):
            raise InputError(f"JSON pointer {pointer!r} does not match the document")
        return value[index], index
    if isinstance(value, dict) and segment in value:
        return value[segment], segment
    raise InputError(f"JSON pointer {pointer!r} does not match the document")


def _initial(source: Any) -> Any:
    """A selected object starts with its identity (a non-blank ``id``) and its ``type``."""
    if isinstance(source, list):
        return _SparseList()
    selection: dict[str, Any] = {}
    node_id = source.get("id")
    if isinstance(node_id, str) and not node_id.startswith("_:"):
        selection["id"] = node_id
    if "type" in source:
        selection["type"] = copy.deepcopy(source["type"])
    return selection


class _SparseList(dict[int, Any]):
    """An array under construction: only the selected indexes, in document order later."""


def _dense(value: Any) -> Any:
    if isinstance(value, _SparseList):
        return [_dense(value[index]) for index in sorted(value)]
    if isinstance(value, dict):
        return {key: _dense(item) for key, item in value.items()}
    return value


def select_json_ld(pointers: Sequence[str], document: Mapping[str, Any]) -> dict[str, Any] | None:
    """selectJsonLd: the parts of ``document`` the pointers name, with their ids and types.

    None for no pointers. InputError for a pointer that names nothing in the document.
    """
    if not pointers:
        return None
    root: dict[str, Any] = _initial(document)
    if "@context" in document:
        root["@context"] = copy.deepcopy(document["@context"])
    for pointer in pointers:
        paths = parse_pointer(pointer)
        value: Any = document
        selected: Any = root
        parent: Any = None
        key: str | int = ""
        for segment in paths:
            value, key = _step(value, segment, pointer)
            parent = selected
            if key not in parent:
                parent[key] = _initial(value) if isinstance(value, dict | list) else None
            selected = parent[key]
        if parent is None:  # the empty pointer: the whole document
            root.update(copy.deepcopy(dict(document)))
        elif isinstance(value, dict):
            parent[key] = {**selected, **copy.deepcopy(value)}
        elif isinstance(value, list):  # sparse still, so a later pointer may go inside
            parent[key] = _SparseList(enumerate(copy.deepcopy(value)))
        else:
            parent[key] = copy.deepcopy(value)
    result: dict[str, Any] = _dense(root)
    return result


# --- grouping --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The canonical quads one set of pointers selects, and the rest, by canonical index."""

    matching: dict[int, str]
    non_matching: dict[int, str]
    #: The selection's own quads (deskolemized, not relabelled), for the derived label map.
    dataset: Dataset


@dataclass(frozen=True)
class Grouped:
    groups: dict[str, Group]
    #: Input (skolem) label -> the label written in the quads.
    labels: dict[str, str]
    quads: list[str]


def canonicalize_and_group(
    document: Mapping[str, Any],
    factory: LabelMapFactory,
    groups: Mapping[str, Sequence[str]],
    loader: StaticDocumentLoader,
) -> Grouped:
    """canonicalizeAndGroup: the relabelled canonical quads, split by each set of pointers."""
    compact = skolemized_compact(document, loader)
    quads, labels = label_replaced(to_dataset(compact, loader), factory)
    result = {}
    for name, pointers in groups.items():
        selection = select_json_ld(pointers, compact)
        dataset = to_dataset(selection, loader) if selection is not None else {}
        chosen = set(relabelled_quads(dataset, labels))
        result[name] = Group(
            matching={i: quad for i, quad in enumerate(quads) if quad in chosen},
            non_matching={i: quad for i, quad in enumerate(quads) if quad not in chosen},
            dataset=dataset,
        )
    return Grouped(result, labels, quads)
