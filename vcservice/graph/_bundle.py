"""Graph bundles: the credentials (and DID documents, status lists) a verifier is handed.

A buyer verifying a passport usually has the upstream credentials already (sent with the
goods, or in a presentation), and a verifier that can check a whole graph offline is one that
can be tested and audited. A bundle maps each URL to exactly what is served there, so a hash
link is checked against the same bytes whether they came from the bundle or over the network.

Two spellings, one :class:`Bundle`:

* a JSON file ``{"type": "ProvenanceGraphBundle", "root", "documents": {url: served},
  "didDocuments": {did: document}, "didLogs": {did: did.jsonl text}, "didWitnesses": {did:
  did-witness.json text}, "trustAnchors", "verificationTime", "options", "decryptionKeys": {url:
  hex key}}``; everything but ``documents`` is optional. ``decryptionKeys`` open the links to
  credentials published encrypted (``vcservice.confidential``). The example chains'
  ``negative/`` variants are such files.
* a directory laid out like ``examples/<chain>/``: ``index.json`` (``credentials[]`` with
  ``file`` and ``linkURL``), the files it names, ``dids/*.json`` (DID documents),
  ``dids/*.jsonl`` (did:webvh logs, each with its witness file, if any, beside it as
  ``<same name>.did-witness.json``) and, if present, ``trust-anchors.json``
  (``{"trustAnchors": [{"did": ...}]}``). A log's file name is free: its DID is the ``id`` of
  the state of its last entry (the DID as it is now, which a moved DID's first entry is not).

A did:webvh DID comes with its whole log rather than a document, so a credential signed by a
key the issuer has since rotated out still verifies offline, against the version in effect when
it was signed. The logs are verified where the bundle becomes a resolver (:meth:`Bundle.resolver`),
when a proof first names their DID: a broken log fails those proofs, not the whole bundle.

A VerifiablePresentation is a bundle too (:func:`bundle_from_presentation`): its credentials
are matched to links by digest, since a presentation carries no URLs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from vcservice.confidential import parse_key
from vcservice.dids import DIDResolver, StaticResolver
from vcservice.errors import InputError
from vcservice.graph._model import as_list
from vcservice.ingress import FILE_LIMITS, is_data_url, parse_data_url, read_file, read_json
from vcservice.links import DigestError, digest_document
from vcservice.model import parse_datetime_stamp
from vcservice.securing.jose import decode_unverified

BUNDLE_TYPE = "ProvenanceGraphBundle"
_WITNESS_SUFFIX = ".did-witness.json"


@dataclass(frozen=True)
class Bundle:
    """Documents by URL, DID documents by DID, and what the bundle says about its own use."""

    documents: Mapping[str, Any] = field(default_factory=dict)
    did_documents: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    #: did:webvh DID → (did.jsonl text, did-witness.json text or None), verified when used.
    did_logs: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    root: str | None = None
    #: A root given as the credential itself rather than its URL.
    root_document: Any = None
    trust_anchors: tuple[str, ...] = ()
    at: datetime | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    expected_check: str | None = None
    #: Credentials without a URL (from a presentation), found by the digest of a link.
    by_digest: Mapping[str, Any] = field(default_factory=dict)
    #: Decryption keys (hex) by URL, for links to credentials published encrypted.
    keys: Mapping[str, str] = field(default_factory=dict)

    @property
    def start(self) -> Any:
        """What the bundle says to verify: its root credential if given inline, else its URL."""
        return self.root_document if self.root_document is not None else self.root

    def url_of(self, served: Any) -> str | None:
        """The URL under which ``served`` appears in the bundle (by digest), if any."""
        try:
            wanted = digest_document(served)
        except DigestError:
            return None
        for url, value in self.documents.items():
            try:
                if digest_document(value) == wanted:
                    return url
            except DigestError:
                continue
        return None

    def resolver(self, fallback: DIDResolver) -> StaticResolver:
        """The bundle's DID documents and did:webvh logs (with their history), then
        ``fallback``."""
        return StaticResolver(self.did_documents, fallback=fallback, logs=self.did_logs)

    def merged(self, extra: Bundle) -> Bundle:
        """This bundle and ``extra`` as one: every document, DID document, trust anchor and
        digest-found credential of both. ``extra`` wins where both name the same URL, DID or
        digest, and its root, time, options and description are the merged bundle's, since
        the CLI adds the bundle (or DID documents) given later on top of what it has."""
        return replace(
            extra,
            documents={**self.documents, **extra.documents},
            did_documents={**self.did_documents, **extra.did_documents},
            did_logs={**self.did_logs, **extra.did_logs},
            trust_anchors=tuple(dict.fromkeys([*self.trust_anchors, *extra.trust_anchors])),
            by_digest={**self.by_digest, **extra.by_digest},
            keys={**self.keys, **extra.keys},
        )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InputError(message)


def _did_map(value: Any, where: str) -> dict[str, dict[str, Any]]:
    _require(isinstance(value, Mapping), f"{where} must be an object of DID → DID document")
    out: dict[str, dict[str, Any]] = {}
    for did, document in value.items():
        _require(
            isinstance(did, str) and did.startswith("did:") and isinstance(document, dict),
            f"{where}: {did!r} must be a DID mapped to a DID document object",
        )
        _require(
            document.get("id") == did,
            f"{where}: the document given for {did} has id {document.get('id')!r}",
        )
        out[did] = document
    return out


def _did_logs(logs: Any, witnesses: Any) -> dict[str, tuple[str, str | None]]:
    """``didLogs`` and ``didWitnesses`` as one map; both are the files' text, as served."""
    _require(isinstance(logs, Mapping), "didLogs must be an object of DID → did.jsonl text")
    _require(
        isinstance(witnesses, Mapping),
        "didWitnesses must be an object of DID → did-witness.json text",
    )
    for where, value in (("didLogs", logs), ("didWitnesses", witnesses)):
        for did, text in value.items():
            _require(
                isinstance(did, str) and did.startswith("did:webvh:") and isinstance(text, str),
                f"{where}: {did!r} must be a did:webvh DID mapped to the file's text",
            )
    stray = sorted(set(witnesses) - set(logs))
    _require(not stray, f"didWitnesses: {', '.join(stray)} has no log in didLogs")
    return {did: (log, witnesses.get(did)) for did, log in logs.items()}


def _anchors(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        did = item.get("did") if isinstance(item, Mapping) else item
        _require(
            isinstance(did, str) and did.startswith("did:"),
            f"{where}: each trust anchor is a DID (or an object with 'did'), not {did!r}",
        )
        out.append(str(did))
    return tuple(out)


def bundle_from_json(value: Any) -> Bundle:
    """A bundle from its JSON form; InputError naming the member that is wrong."""
    _require(isinstance(value, Mapping), "a graph bundle is a JSON object")
    kind = value.get("type", BUNDLE_TYPE)
    _require(kind == BUNDLE_TYPE, f"a graph bundle has type {BUNDLE_TYPE!r}, not {kind!r}")
    documents = value.get("documents", {})
    _require(isinstance(documents, Mapping), "documents must be an object of URL → credential")
    for url, served in documents.items():
        _require(
            isinstance(url, str) and url.startswith(("https://", "http://")),
            f"documents: {url!r} is not an http(s) URL",
        )
        _require(
            isinstance(served, dict | str),
            f"documents[{url!r}] must be a credential (JSON object or compact JWS)",
        )
    root = value.get("root")
    _require(root is None or isinstance(root, str | dict), "root must be a URL or a credential")
    at = None
    if "verificationTime" in value:
        at = parse_datetime_stamp(value["verificationTime"])
        _require(at is not None, "verificationTime must be an RFC 3339 date-time with offset")
    options = value.get("options", {})
    _require(isinstance(options, Mapping), "options must be an object")
    description, expected = value.get("description"), value.get("expectedCheck")
    keys = value.get("decryptionKeys", {})
    _require(isinstance(keys, Mapping), "decryptionKeys must be an object of URL → key")
    for url, key in keys.items():
        _require(isinstance(url, str) and isinstance(key, str), "decryptionKeys: URL → hex key")
        parse_key(key)
    return Bundle(
        documents=dict(documents),
        did_documents=_did_map(value.get("didDocuments", {}), "didDocuments"),
        did_logs=_did_logs(value.get("didLogs", {}), value.get("didWitnesses", {})),
        root=root if isinstance(root, str) else None,
        root_document=root if isinstance(root, dict) else None,
        trust_anchors=_anchors(value.get("trustAnchors", []), "trustAnchors"),
        at=at,
        options=dict(options),
        description=description if isinstance(description, str) else None,
        expected_check=expected if isinstance(expected, str) else None,
        keys=dict(keys),
    )


def _read_json(path: Path) -> Any:
    try:
        return read_json(read_file(path, FILE_LIMITS), FILE_LIMITS)
    except InputError as exc:  # the same refusal, naming the file
        raise type(exc)(f"{path}: {exc.detail}") from None


def _read_text(path: Path) -> str:
    try:
        return read_file(path, FILE_LIMITS).decode("utf-8")
    except InputError as exc:
        raise type(exc)(f"{path}: {exc.detail}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None


def read_did_log(file: Path) -> tuple[str, tuple[str, str | None]]:
    """A ``dids/*.jsonl`` did:webvh log: its DID (the last entry's state ``id``) and texts."""
    log = _read_text(file)
    lines = log.strip().splitlines()
    last = read_json(lines[-1], FILE_LIMITS) if lines else None
    state = last.get("state") if isinstance(last, Mapping) else None
    did = state.get("id") if isinstance(state, Mapping) else None
    _require(
        isinstance(did, str) and did.startswith("did:webvh:"),
        f"{file} is not a did:webvh log (its last entry's state has no did:webvh id)",
    )
    witness_file = file.with_name(file.name.removesuffix(".jsonl") + _WITNESS_SUFFIX)
    witness = _read_text(witness_file) if witness_file.is_file() else None
    return str(did), (log, witness)


def load_bundle(path: Path) -> Bundle:
    """A bundle file, or a chain directory with ``index.json`` (see the module docstring)."""
    if not path.is_dir():
        return bundle_from_json(_read_json(path))
    index = _read_json(path / "index.json")
    entries = index.get("credentials") if isinstance(index, Mapping) else None
    if not isinstance(entries, list):
        raise InputError(f"{path / 'index.json'} has no 'credentials' list")
    documents: dict[str, Any] = {}
    for entry in entries:
        _require(
            isinstance(entry, Mapping)
            and isinstance(entry.get("file"), str)
            and isinstance(entry.get("linkURL"), str),
            f"{path / 'index.json'}: each entry needs 'file' and 'linkURL'",
        )
        file = (path / entry["file"]).resolve()
        _require(file.parent == path.resolve(), f"index entry {entry['file']!r} leaves {path}")
        documents[entry["linkURL"]] = _read_json(file)
    dids = {}
    logs: dict[str, tuple[str, str | None]] = {}
    if (path / "dids").is_dir():
        for file in sorted((path / "dids").glob("*.json")):
            if file.name.endswith(_WITNESS_SUFFIX):
                continue  # a did:webvh log's witness file, read with its log
            document = _read_json(file)
            _require(
                isinstance(document, dict) and isinstance(document.get("id"), str),
                f"{file} is not a DID document",
            )
            dids[document["id"]] = document
        logs = dict(read_did_log(file) for file in sorted((path / "dids").glob("*.jsonl")))
    anchors: tuple[str, ...] = ()
    if (path / "trust-anchors.json").is_file():
        anchors_doc = _read_json(path / "trust-anchors.json")
        _require(isinstance(anchors_doc, Mapping), "trust-anchors.json must be an object")
        anchors = _anchors(anchors_doc.get("trustAnchors", []), "trust-anchors.json")
    return Bundle(documents=documents, did_documents=dids, did_logs=logs, trust_anchors=anchors)


def bundle_from_presentation(presentation: Any) -> Bundle:
    """The credentials a presentation carries, as a bundle found by digest.

    The presentation's own proof is not what makes them trustworthy here: each credential is
    verified on its own when a link reaches it, and a link reaches it only by its digest. So a
    vp+jwt (compact JWS, ``data:`` URL or envelope) is read without checking its signature.
    """
    if isinstance(presentation, str) or (
        isinstance(presentation, Mapping)
        and "EnvelopedVerifiablePresentation" in as_list(presentation.get("type"))
    ):
        text = presentation if isinstance(presentation, str) else presentation.get("id", "")
        _require(isinstance(text, str), "an enveloped presentation's id is a data: URL")
        if is_data_url(text):
            text = parse_data_url(text).text()
        presentation = decode_unverified(text)
    _require(isinstance(presentation, Mapping), "a presentation is a JSON object or a vp+jwt")
    credentials = presentation.get("verifiableCredential", [])
    items = credentials if isinstance(credentials, list) else [credentials]
    by_digest: dict[str, Any] = {}
    for item in items:
        if isinstance(item, dict | str):
            try:
                by_digest[digest_document(item)] = item
            except DigestError:
                continue
    return Bundle(by_digest=by_digest)
