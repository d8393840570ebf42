"""What the buyer handed the page, turned into a root, a bundle and trust anchors."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vcservice.credits import links_of
from vcservice.errors import DigestError, InputError, JsonTooLargeError
from vcservice.graph import BUNDLE_TYPE, Bundle, bundle_from_json
from vcservice.graph._model import follows, types_of
from vcservice.ingress import (
    DEFAULT_LIMITS,
    Enveloped,
    JsonDocument,
    Limits,
    credential_input,
    read_credential_input,
    read_json,
)
from vcservice.links import digest_bytes, link_digests, served_bytes
from vcservice.securing.jose import decode_unverified
from vcservice.securing.sdjwt import decode_unverified_sd_jwt


@dataclass(frozen=True)
class Request:
    root: Any
    bundle: Bundle
    #: Empty when the buyer gave none, the bundle names none and no default is set: the graph
    #: is verified anyway and the page says the certifiers could not be checked.
    anchors: tuple[str, ...]
    #: The address the buyer gave as the input (not a bundle's root), for a link that
    #: verifies again with an anchor chosen.
    url: str | None = None


def _anchor_list(text: str) -> tuple[str, ...]:
    anchors = tuple(a for a in re.split(r"[\s,]+", text.strip()) if a)
    for anchor in anchors:
        if not anchor.startswith("did:"):
            raise InputError(f"a trust anchor is a DID (did:…), not {anchor!r}")
    return anchors


def parse_input(
    text: str,
    url: str,
    anchors_text: str,
    *,
    default_anchors: tuple[str, ...],
    max_depth: int,
    max_items: int,
    max_bytes: int | None = DEFAULT_LIMITS.max_bytes,
) -> Request:
    """InputError with a message meant for the buyer when the input is unusable. JSON is read
    by :func:`vcservice.ingress.read_json`, as on every other surface; a compact JWS or
    ``data:`` URL is left to the verifier, which recognises it through the same module."""
    text, url = text.strip(), url.strip()
    bundle = Bundle()
    root: Any
    if text.startswith(("{", "[")):
        limits = Limits(max_bytes=max_bytes, max_depth=max_depth, max_items=max_items)
        try:
            value = read_json(text, limits)
        except InputError as exc:
            raise type(exc)(f"{exc.title}: {exc.detail}") from None
        if not isinstance(value, dict):
            raise InputError("a credential or a graph bundle is a JSON object, not a list")
        if value.get("type") == BUNDLE_TYPE:
            bundle = bundle_from_json(value)
            root = bundle.start
            if root is None:
                raise InputError("the graph bundle has no root: say which credential to verify")
        else:
            root = value
    elif text.startswith(("https://", "http://")):
        root = text
    elif text:
        root = text  # a compact JWS or data: URL; the verifier says if it is neither
    elif url:
        if not url.startswith(("https://", "http://")):
            raise InputError("the address must start with https:// (or http://)")
        root = url
    else:
        raise InputError("paste a credential, upload a file or give the credential's address")
    given = _anchor_list(anchors_text)
    if given:  # the buyer's anchors replace the bundle's (the verifier would add them up)
        bundle = replace(bundle, trust_anchors=())
    # No anchor at all is not an input error: the field is optional, and everything but the
    # certifiers' accreditation can still be checked (the graph verifier reports those "could
    # not check").
    anchors = given or bundle.trust_anchors or default_anchors
    address = root if isinstance(root, str) and root.startswith(("https://", "http://")) else None
    return Request(root=root, bundle=bundle, anchors=anchors, url=None if bundle.start else address)


# --- several files at once ------------------------------------------------------------------
#: How many files one upload may hold: a long chain has a few dozen credentials and DID
#: documents; the request's byte limit bounds their total size.
MAX_FILES = 50
_NAMES_SHOWN = 8
_PASSPORT = "DigitalProductPassport"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name (for messages only) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Assembled:
    """The uploads as one ProvenanceGraphBundle JSON text, and what the buyer should be told
    about how it was put together (which file was verified, which were left out)."""

    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Node:
    """A credential among the uploads (``file`` is None for one found inside a bundle)."""

    served: Any
    document: Mapping[str, Any]
    data: bytes
    file: str | None


def assemble_uploads(uploads: Sequence[Upload], limits: Limits) -> Assembled:
    """Several uploaded files as the one bundle a buyer would otherwise have to write.

    A credential's address is not in its file, so links are mapped by *content*: for every
    link the walk would follow (the walker's own :func:`links_of` and :func:`follows`), the
    upload whose bytes match the link's digest becomes ``documents[linkURL]``. DID documents
    go to ``didDocuments``, a status list credential under its own ``id`` (the URL a status
    entry names), a bundle's members are merged and ``{"trustAnchors": […]}`` adds anchors.
    The root is the credential no other upload links to (see :func:`_root` for several).

    Nothing here judges: a file that is not linked is left out with a note, never dropped
    silently, and every check runs on the result as on a pasted bundle. InputError (naming
    the file) for a file that is none of these.
    """
    if not uploads:
        raise InputError("choose at least one file")
    if len(uploads) > MAX_FILES:
        raise InputError(f"{len(uploads)} files were given; at most {MAX_FILES} are read at once")
    bundle, files = Bundle(), list[_Node]()
    for upload in uploads:
        part = _read_upload(upload, limits)
        if isinstance(part, Bundle):
            bundle = _combined(bundle, part)
        elif all(part.data != node.data for node in files):  # the same file twice is one
            files.append(part)
    nodes = files + _bundle_nodes(bundle)
    documents, edges = dict(bundle.documents), _link_targets(nodes)
    for targets in edges.values():
        for url, target in targets:
            documents.setdefault(url, nodes[target].served)
    lists = {i for i, node in enumerate(files) if _status_list_url(node) is not None}
    for i in lists:
        documents.setdefault(str(_status_list_url(files[i])), files[i].served)
    root, notes = _root(files, bundle, edges, lists)
    start = _index_of(nodes, root, documents)
    reached = _reachable(start, edges) if start is not None else set()
    left_out = [str(node.file) for i, node in enumerate(files) if i not in reached | lists]
    if left_out:
        notes.append(_left_out_note(left_out, _name_of(files, root)))
    return Assembled(_bundle_text(bundle, documents, root), tuple(notes))


def _read_upload(upload: Upload, limits: Limits) -> _Node | Bundle:
    """One file as a credential, or as a bundle (a bundle, DID document or anchor list).
    Read through the one strict reader; every refusal names the file."""
    name = _display(upload.name)
    try:
        given = read_credential_input(upload.data, limits)
        if isinstance(given, JsonDocument):
            other = _not_a_credential(given.value)
            if other is not None:
                return other
        document = _decoded(given.value)
        if "VerifiablePresentation" in types_of(document):
            raise InputError(
                "it is a presentation; upload the credentials it carries as separate files"
            )
        if "credentialSubject" not in document and "VerifiableCredential" not in types_of(document):
            raise InputError("it is neither a credential, a DID document nor a graph bundle")
        return _Node(given.value, document, served_bytes(given.value), name)
    except InputError as exc:
        kind = JsonTooLargeError if isinstance(exc, JsonTooLargeError) else InputError
        raise kind(f"the file “{name}” cannot be used: {exc.detail}") from None


def _not_a_credential(value: Any) -> Bundle | None:
    """A JSON file that is a bundle, a DID document or an anchor list, as a bundle (checked
    by :func:`bundle_from_json`, so its messages are a pasted bundle's); None for anything
    that may be a credential."""
    if not isinstance(value, dict):
        raise InputError("it is a JSON list, not a credential")
    if value.get("type") == BUNDLE_TYPE:
        return bundle_from_json(value)
    if "credentialSubject" in value or types_of(value):
        return None
    did = value.get("id")
    if isinstance(did, str) and did.startswith("did:"):
        return bundle_from_json({"type": BUNDLE_TYPE, "didDocuments": {did: value}})
    if "trustAnchors" in value:
        return bundle_from_json({"type": BUNDLE_TYPE, "trustAnchors": value["trustAnchors"]})
    return None


def _decoded(served: Any) -> dict[str, Any]:
    """The credential a served value carries, unverified (only its links and types are read
    here; the verifier judges it later): a JWS's payload, an envelope's JWS's payload."""
    given = credential_input(served)
    if isinstance(given, JsonDocument):
        if not isinstance(given.value, dict):
            raise InputError("a credential is a JSON object")
        return given.value
    if isinstance(given, Enveloped):
        if given.media_type.endswith("vc+sd-jwt"):
            return decode_unverified_sd_jwt(given.payload)
        if not given.media_type.endswith("vc+jwt"):
            raise InputError(
                f"an envelope of {given.media_type} is not read here (vc+jwt and vc+sd-jwt are)"
            )
        return decode_unverified(given.payload)
    if "~" in given.token:  # only an SD-JWT's outline admits a tilde
        return decode_unverified_sd_jwt(given.token)
    return decode_unverified(given.token)


def _combined(first: Bundle, then: Bundle) -> Bundle:
    """Two bundles as one; the first that names a root, a time or a description keeps it."""
    merged = first.merged(then)
    keep = first if first.start is not None else then
    return replace(
        merged,
        root=keep.root,
        root_document=keep.root_document,
        at=first.at or then.at,
        options={**then.options, **first.options},
        description=first.description or then.description,
        expected_check=first.expected_check or then.expected_check,
    )


def _bundle_nodes(bundle: Bundle) -> list[_Node]:
    """The credentials inside uploaded bundles, so links from and to them count too."""
    nodes = []
    inline = [] if bundle.root_document is None else [bundle.root_document]
    for served in [*bundle.documents.values(), *inline]:
        try:
            nodes.append(_Node(served, _decoded(served), served_bytes(served), None))
        except InputError:  # the walk reports what is wrong with it
            continue
    return nodes


def _links(node: _Node) -> list[Mapping[str, Any]]:
    """The links the graph walk follows from this credential (its own extractor)."""
    subject = node.document.get("credentialSubject")
    return [
        link
        for link, _ in links_of(subject, "/credentialSubject")
        if follows(link) and str(link["linkURL"]).startswith(("https://", "http://"))
    ]


def _link_targets(nodes: Sequence[_Node]) -> dict[int, list[tuple[str, int]]]:
    """For each node, its links' (URL, node) pairs where a node's bytes match the digest."""
    by_sha256: dict[str, int] = {}
    for i, node in enumerate(nodes):  # a file first, before the same credential in a bundle
        by_sha256.setdefault(digest_bytes(node.data), i)
    edges: dict[int, list[tuple[str, int]]] = {}
    for source, node in enumerate(nodes):
        for link in _links(node):
            target = _match(link, nodes, by_sha256)
            if target is not None:
                edges.setdefault(source, []).append((str(link["linkURL"]), target))
    return edges


def _match(
    link: Mapping[str, Any], nodes: Sequence[_Node], by_sha256: dict[str, int]
) -> int | None:
    """The upload whose bytes match every digest the link carries (a sha2-256 one, the kind
    made here, looked up by value; any other hash tried on each upload)."""
    try:
        digests = link_digests(link)
    except DigestError:  # malformed: the walk reports it
        return None
    if not digests:
        return None
    if digests[0].algorithm == "sha2-256":
        found = by_sha256.get(digests[0].multibase)
        candidates = [found] if found is not None else []
    else:
        candidates = list(range(len(nodes)))
    return next((i for i in candidates if all(d.matches(nodes[i].data) for d in digests)), None)


def _status_list_url(node: _Node) -> str | None:
    """A status list credential is found by its ``id``, the URL a status entry names."""
    url = node.document.get("id")
    is_list = any(t.endswith("StatusListCredential") for t in types_of(node.document))
    return (
        url
        if is_list and isinstance(url, str) and url.startswith(("https://", "http://"))
        else None
    )


def _root(
    files: Sequence[_Node],
    bundle: Bundle,
    edges: Mapping[int, Sequence[tuple[str, int]]],
    lists: set[int],
) -> tuple[Any, list[str]]:
    """What to verify: the one uploaded credential no upload links to. Among several (or,
    when they link in a circle, among all), the one leading to the most uploads, a passport
    on a tie, else the first uploaded, with a note naming it; with none, a bundle's root."""
    linked = {target for targets in edges.values() for _, target in targets}
    tops = [i for i in range(len(files)) if i not in linked and i not in lists]
    if len(tops) == 1:
        return files[tops[0]].served, []
    if not tops and bundle.start is not None:
        return bundle.start, []
    pool = tops or [i for i in range(len(files)) if i not in lists]
    if not pool:
        raise InputError("none of the files is a credential to verify: add the passport")

    def passport(i: int) -> bool:
        return _PASSPORT in types_of(files[i].document)

    chosen = min(pool, key=lambda i: (-len(_reachable(i, edges)), not passport(i), i))
    kind = " (a product passport)" if passport(chosen) else ""
    where = "are linked from no other file" if tops else "link to each other in a circle"
    return files[chosen].served, [
        f"Several files {where}; “{files[chosen].file}”{kind}, which leads to the most of "
        "them, was verified."
    ]


def _index_of(nodes: Sequence[_Node], root: Any, documents: Mapping[str, Any]) -> int | None:
    served = documents.get(root) if isinstance(root, str) and root in documents else root
    return next((i for i, node in enumerate(nodes) if node.served is served), None)


def _reachable(start: int, edges: Mapping[int, Sequence[tuple[str, int]]]) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        for _, target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _name_of(files: Sequence[_Node], root: Any) -> str:
    return next((str(n.file) for n in files if n.served is root), "the bundle's root")


def _left_out_note(names: Sequence[str], root: str) -> str:
    shown = ", ".join(f"“{n}”" for n in names[:_NAMES_SHOWN])
    more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
    verb = "is" if len(names) == 1 else "are"
    return (
        f"{shown}{more} {verb} not linked from “{root}” (nor from what it links to), so "
        f"{'it was' if len(names) == 1 else 'they were'} not checked."
    )


def _display(name: str) -> str:
    """A file name short enough for a sentence (the page escapes it)."""
    name = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip() or "unnamed"
    return name if len(name) <= 60 else name[:57] + "…"


def _bundle_text(bundle: Bundle, documents: Mapping[str, Any], root: Any) -> str:
    """The assembled bundle as compact JSON: what is verified, stored and shared."""
    value: dict[str, Any] = {
        "type": BUNDLE_TYPE,
        "root": root,
        "documents": dict(documents),
        "didDocuments": dict(bundle.did_documents),
        "trustAnchors": list(bundle.trust_anchors),
    }
    if bundle.did_logs:
        value["didLogs"] = {did: log for did, (log, _) in bundle.did_logs.items()}
        witnesses = {did: w for did, (_, w) in bundle.did_logs.items() if w is not None}
        if witnesses:
            value["didWitnesses"] = witnesses
    if bundle.at is not None:
        value["verificationTime"] = bundle.at.isoformat().replace("+00:00", "Z")
    if bundle.options:
        value["options"] = dict(bundle.options)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
