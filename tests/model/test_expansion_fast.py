"""The data-model expansion check gives the same findings with the fast audit as with pyld.

The fast path may only ever say "nothing to report" (every finding is still pyld's), so what
must hold is: whenever it says so, pyld's guarded expansion finds nothing either, and on
real credentials (the examples, decoded vc+jwt payloads, the UNTP samples) it does say so,
or the speed-up would be an illusion. Every input is checked both ways and the findings
compared whole (checks run, failures and their order): the W3C VC-DM 2.0 suite inputs and
vectors, the examples, the UNTP samples, the generated corpus of the fast-identity test, and
documents made here to hit each way an expansion can differ from the guarded one.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vcservice.dids import DidKeyResolver
from vcservice.issuing import issue_credential
from vcservice.jsonld import (
    StaticDocumentLoader,
    _fast,
    bundled_loader,
    fast_dataset,
    shared_walks,
)
from vcservice.keys import KeyPair, Signer
from vcservice.model import _expansion
from vcservice.model._checks import Findings
from vcservice.verify import Verifier

from ..conftest import VCDM_INPUT, load_json
from ..jsonld.test_fast_identity import (
    CORPUS_CHUNKS,
    CORPUS_SIZE,
    EXAMPLE_INPUTS,
    UNTP_INPUTS,
    VECTOR_INPUTS,
    _corpus_item,
)

V2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://www.w3.org/ns/credentials/examples/v2"
LOADER = bundled_loader()


def _run(document: Any, loader: StaticDocumentLoader, *, fast: bool) -> Findings | type:
    out = Findings()
    try:
        _expansion.check_expansion(document, loader, out, fast=fast)
    except Exception as exc:  # compared by type
        return type(exc)
    return out


def _compared(
    document: Any, loader: StaticDocumentLoader = LOADER, *, both: bool = True
) -> tuple[bool, Findings | type]:
    """Both ways agree; returns whether the fast audit answered, and pyld's findings.

    ``both=False`` runs the whole fast check only where the audit answered: elsewhere it is
    the reference code itself, so running it again proves nothing (the corpus is large).
    """
    reference = _run(document, loader, fast=False)
    passed = isinstance(document, dict) and _expansion.passes_fast(document, loader)
    if passed:  # soundness: the fast path only ever stands in for "nothing found"
        assert isinstance(reference, Findings)
        assert not reference.failed
    if passed or both:
        assert _run(document, loader, fast=True) == reference
    return passed, reference


def _same(document: Any, loader: StaticDocumentLoader = LOADER) -> bool:
    return _compared(document, loader)[0]


def _clean(findings: Findings | type) -> bool:
    return isinstance(findings, Findings) and not findings.failed


def _suite_inputs() -> list[tuple[str, Any]]:
    return [
        (path.name, document)
        for path in sorted(VCDM_INPUT.glob("*.json"))
        if isinstance(document := load_json(path), dict)
    ]


SUITE_INPUTS = _suite_inputs()
#: Credentials, not proof configurations (the check never sees one of those).
DOCUMENT_INPUTS = [
    (name, document)
    for name, document in EXAMPLE_INPUTS + UNTP_INPUTS
    if not name.endswith("#proof-configuration")
]


def test_inputs_were_found() -> None:
    assert len(SUITE_INPUTS) >= 90
    assert len(DOCUMENT_INPUTS) >= 60


@pytest.mark.parametrize(("name", "document"), SUITE_INPUTS, ids=[n for n, _ in SUITE_INPUTS])
def test_w3c_suite_inputs(name: str, document: Any) -> None:
    _same(document)


@pytest.mark.parametrize(("name", "document"), VECTOR_INPUTS, ids=[n for n, _ in VECTOR_INPUTS])
def test_w3c_vectors(name: str, document: Any) -> None:
    _same(document)


@pytest.mark.parametrize(("name", "document"), DOCUMENT_INPUTS, ids=[n for n, _ in DOCUMENT_INPUTS])
def test_examples_and_untp_samples_take_the_fast_path(name: str, document: Any) -> None:
    passed, reference = _compared(document)
    if name.split("/")[-2:-1] == ["dids"]:  # DID documents need a context we do not bundle
        return
    # Wherever pyld finds nothing, the fast audit must have said so without it. (Some UNTP
    # samples do use undefined terms, e.g. the DIA's renderTemplate2024 entries.)
    assert passed == _clean(reference)


def test_most_examples_and_samples_are_clean() -> None:
    """Guards the test above: it proves the fast path ran only where pyld finds nothing."""
    # DID documents need a context we do not bundle (and the chains' registries add some).
    credentials = [(n, d) for n, d in DOCUMENT_INPUTS if n.split("/")[-2:-1] != ["dids"]]
    clean = [name for name, doc in credentials if _clean(_run(doc, LOADER, fast=False))]
    assert len(clean) >= 0.8 * len(credentials)


@pytest.mark.parametrize("chunk", range(CORPUS_CHUNKS))
def test_generated_corpus(chunk: int) -> None:
    answered = clean = 0
    for index in range(chunk, CORPUS_SIZE, CORPUS_CHUNKS):
        passed, reference = _compared(_corpus_item(index), both=False)
        answered += passed
        clean += _clean(reference)
    # The corpus adds undefined terms to most documents (and the fast path never answers
    # for those); where pyld finds nothing, it should nearly always have answered.
    assert clean >= 5, clean
    assert answered >= clean - 2, (answered, clean)


# --- documents made to differ from the guarded expansion ---------------------------------


def _vc(context: list[Any] | None = None, /, **subject: Any) -> dict[str, Any]:
    return {
        "@context": [V2, *(context or [])],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", **subject},
    }


_KNOWS = {
    "knows": {"@id": "https://ex.example/knows"},
    "label": "https://ex.example/label",
    "Thing": {
        "@id": "https://ex.example/Thing",
        "@context": {"size": {"@id": "https://ex.example/size", "@type": "@id"}},
    },
}


def _nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    node = leaf
    for level in range(depth):
        node = {"id": f"did:example:n{level}", "label": f"n{level}", "knows": node}
    return node


HANDMADE: list[tuple[str, dict[str, Any], bool]] = [
    # (name, document, whether the fast audit should answer)
    ("clean", _vc([_KNOWS], label="s", knows=_nested(3, {"label": "leaf"})), True),
    ("undefined-top", {**_vc(), "favouriteColour": "blue"}, False),
    ("undefined-subject", _vc(favouriteColour="blue"), False),
    ("undefined-depth-2", _vc([_KNOWS], knows=_nested(1, {"colour": "red"})), False),
    ("undefined-depth-5", _vc([_KNOWS], knows=_nested(4, {"colour": "red", "k": {"x": 1}})), False),
    (
        "undefined-many",
        _vc(**{f"term{i}": i for i in range(15)}, nested={"inner": {"deeper": 1}}),
        False,
    ),
    ("relative-type", {**_vc(), "type": ["VerifiableCredential", "LocalType"]}, False),
    ("relative-subject-type", _vc(type="LocalType"), False),
    ("relative-id", {**_vc(), "credentialSubject": {"id": "relative/thing"}}, False),
    ("relative-issuer", {**_vc(), "issuer": "fake-issuer"}, False),
    ("blank-node-id", {**_vc(), "credentialSubject": {"id": "_:b0"}}, False),
    ("http-without-authority", {**_vc(), "id": "http:x"}, False),
    ("unknown-prefix-key", _vc(**{"foo:bar": "x"}), True),
    ("issuer-vocab", _vc([{"@vocab": "https://ex.example/v#"}], colour="red", Local=1), True),
    (
        "issuer-vocab-types",
        {**_vc([{"@vocab": "https://ex.example/v#"}]), "type": ["VerifiableCredential", "Mine"]},
        True,
    ),
    ("relative-vocab", _vc([{"@vocab": "rel#"}], colour="red"), False),
    ("empty-vocab", _vc([{"@vocab": ""}], colour="red"), False),
    ("vocab-null", _vc([{"@vocab": None}], colour="red"), False),
    # pyld cannot process @vocab: null with no vocabulary set (KeyError): pyld decides.
    ("vocab-null-clean", _vc([{"@vocab": None}, _KNOWS], label="x"), False),
    ("base", {**_vc([{"@base": "https://ex.example/"}]), "id": "relative"}, False),
    ("base-absolute-ids", _vc([{"@base": "https://ex.example/"}, _KNOWS], label="x"), False),
    ("null-mapped", _vc([{"colour": None}], colour="red"), False),
    ("keyword-shaped-key", _vc(**{"@colour": "red"}), False),
    ("keyword-shaped-term", _vc([{"@colour": "https://ex.example/colour"}]), False),
    ("keyword-shaped-iri", _vc([{"colour": "@colour"}], colour="red"), False),
    ("protected-redefinition", _vc([{"type": "https://ex.example/type"}]), False),
    ("type-scoped", _vc([_KNOWS], type="Thing", size="https://ex.example/big"), True),
    ("type-scoped-undefined", _vc([_KNOWS], type="Thing", size="big", colour="red"), False),
    ("type-scoped-not-propagated", _vc([_KNOWS], type="Thing", knows={"size": "x"}), False),
    (
        "undefined-namespace-key",
        _vc(**{"https://www.w3.org/ns/credentials/issuer-dependent#colour": "red"}),
        False,
    ),
    (
        "undefined-namespace-type",
        _vc(type="https://www.w3.org/ns/credentials/undefined-term#Thing"),
        False,
    ),
    (
        "relative-datatype",
        _vc([_KNOWS], label={"@value": "x", "@type": "LocalDatatype"}),
        False,
    ),
    (
        "absolute-datatype",
        _vc([_KNOWS], label={"@value": "x", "@type": "https://ex.example/dt"}),
        True,
    ),
    (
        "coerced-vocab-relative",
        _vc([{"colour": {"@id": "https://ex.example/colour", "@type": "@vocab"}}], colour="red"),
        False,
    ),
    (
        "coerced-relative-datatype",
        _vc([{"size": {"@id": "https://ex.example/size", "@type": "Number"}}], size=3),
        False,
    ),
    ("term-without-id", _vc([{"colour": {"@type": "@id"}}], colour="red"), False),
    (
        "json-literal",
        _vc([{"blob": {"@id": "https://ex.example/blob", "@type": "@json"}}], blob={"any": [1]}),
        True,
    ),
    (
        "list",
        _vc([{"seq": {"@id": "https://ex.example/seq", "@container": "@list"}}], seq=[1, "a"]),
        True,
    ),
    ("examples-context", _vc([EX], anything={"goes": "here"}), True),
]


@pytest.mark.parametrize(
    ("name", "document", "answered"), HANDMADE, ids=[name for name, _, _ in HANDMADE]
)
def test_handmade_documents(name: str, document: dict[str, Any], answered: bool) -> None:
    assert _same(document) == answered


def test_contexts_the_loader_serves_are_audited_too() -> None:
    """A served context setting @base, or an undefined-term vocabulary, is never passed over."""
    url = "https://ex.example/context"
    for served in (
        {"@context": {"@base": "https://ex.example/", "colour": "https://ex.example/colour"}},
        {"@context": {"@vocab": "relative#"}},
    ):
        loader = bundled_loader().with_document(url, served)
        assert not _same(_vc([url], colour="red"), loader)
        assert not _same(_vc(), loader)  # the loader serves it: any document might use it
    undefined = {"@context": {"@vocab": "https://www.w3.org/ns/credentials/undefined-term#"}}
    loader = bundled_loader().with_document(url, undefined)
    assert not _same(_vc([url], colour="red"), loader)
    assert _same(_vc(), loader)
    assert _same(_vc(), bundled_loader().with_document(url, {"@context": {}}))


def test_embedded_credentials_are_audited() -> None:
    good = _vc([_KNOWS], label="x")
    odd = _vc(colour="red")
    proof = {"type": "DataIntegrityProof", "undefinedProofTerm": 1}
    presentation: dict[str, Any] = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [{**good, "proof": proof}, copy.deepcopy(good)],
    }
    assert _same(presentation)
    presentation["verifiableCredential"].append(odd)
    assert not _same(presentation)


# --- one walk for the proof and the data model ---------------------------------------------


class _CountingWalks:
    def __init__(self) -> None:
        self.documents: list[Any] = []

    def __call__(self, document: Any, loader: StaticDocumentLoader) -> Any:
        self.documents.append(document)
        return _REAL_TO_DATASET(document, loader)


_REAL_TO_DATASET = _fast.to_dataset


def test_a_verification_walks_the_credential_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """eddsa-rdfc-2022: the proof's canonicalization and the data-model check share a walk."""
    signer = Signer.did_key(KeyPair.generate("ed25519"))
    document = {k: v for k, v in _vc([_KNOWS], label="x").items() if k != "issuer"}
    secured = issue_credential(document, signer, "eddsa-rdfc-2022", loader=LOADER)
    walks = _CountingWalks()
    monkeypatch.setattr(_fast, "to_dataset", walks)
    report = Verifier(resolver=DidKeyResolver()).verify_credential(secured)
    assert report.verified, report.to_dict()
    # The document and the proof configuration; the data-model check reused the first.
    assert len(walks.documents) == 2
    assert "proof" not in walks.documents[0]


def test_walks_are_shared_only_within_the_block_and_for_the_same_entries() -> None:
    document = _vc([_KNOWS], label="x")
    first = fast_dataset(document, LOADER)
    assert first is not None
    assert fast_dataset(document, LOADER) is not first
    with shared_walks():
        shared = fast_dataset(document, LOADER)
        assert fast_dataset(dict(document), LOADER) is shared
        changed = {**document, "credentialSubject": {"id": "did:example:other"}}
        assert fast_dataset(changed, LOADER) is not shared
        assert fast_dataset(document, bundled_loader().with_document("https://x/", {})) is not (
            shared
        )
    assert fast_dataset(document, LOADER) is not shared
