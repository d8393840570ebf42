"""The vocabulary is the single source of truth: every rendering regenerates byte for byte,
the bundled context is the pinned one, and its terms can never collide with UNTP's."""

from __future__ import annotations

import hashlib
import json
import typing
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from vcservice.jsonld import BUNDLED_CONTEXTS, bundled_loader
from vcservice.vocab import load_vocabulary, render_context
from vcservice.vocab.__main__ import outputs
from vcservice.vocab._render import untp_context
from vcservice.vocab.profiles import ENUMERATIONS, PROFILES, UnitCode

CONTEXT_URL = "https://w3id.org/critical-minerals/v1"
GENERATED = outputs(REPO)


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: str(p.relative_to(REPO)))
def test_regenerating_reproduces_the_committed_bytes(path: Path) -> None:
    assert path.read_bytes() == GENERATED[path], f"stale: run `make vocab` ({path})"


def test_the_bundled_context_is_the_generated_one_and_pinned() -> None:
    (entry,) = [c for c in BUNDLED_CONTEXTS if c.url == CONTEXT_URL]
    bundled = REPO / "vcservice" / "jsonld" / "contexts" / entry.filename
    assert hashlib.sha256(bundled.read_bytes()).hexdigest() == entry.sha256
    assert bundled.read_bytes() == (REPO / "vocab" / entry.filename).read_bytes()
    assert bundled_loader()(CONTEXT_URL)["document"] == render_context(load_vocabulary())


def _terms(context: dict[str, Any], found: dict[str, set[str]]) -> None:
    for key, value in context.items():
        if key.startswith("@"):
            continue
        iri = value if isinstance(value, str) else value.get("@id")
        found.setdefault(key, set()).add(str(iri))
        if isinstance(value, dict) and isinstance(value.get("@context"), dict):
            _terms(value["@context"], found)


def test_context_is_protected_and_has_no_vocab() -> None:
    body = render_context(load_vocabulary())["@context"]
    assert body["@protected"] is True
    assert body["@version"] == 1.1
    assert "@vocab" not in body
    for term, definition in body.items():
        if isinstance(definition, dict) and "@context" in definition:
            # Scopes list their terms; only UNTP's copied Measure scope keeps its unit-code
            # @vocab, nested under "unit" (values map into UnitMeasureCode#, as in UNTP).
            assert "@vocab" not in definition["@context"], term


def test_our_top_level_terms_never_collide_with_untp_or_vc_terms() -> None:
    """A protected term redefined by a UNTP type-scoped context is a JSON-LD error; a shared
    name would also be confusing. Ours are disjoint from every UNTP and VC 2.0 term name."""
    untp: dict[str, set[str]] = {}
    _terms(untp_context(), untp)
    vc: dict[str, set[str]] = {}
    _terms(bundled_loader()("https://www.w3.org/ns/credentials/v2")["document"]["@context"], vc)
    ours = set(render_context(load_vocabulary())["@context"]) - {"@version", "@protected"}
    assert not ours & set(untp), ours & set(untp)
    assert not ours & set(vc), ours & set(vc)


def test_every_term_is_documented() -> None:
    vocab = load_vocabulary()
    known_classes = {f"cm:{c.term}" for c in vocab.classes}
    for term in vocab.terms.values():
        assert term.label, term.term
        assert len(term.definition) > 20, term.term
    for prop in vocab.properties:
        assert prop.domain, prop.term
        assert prop.range, prop.term
        for ref in (*prop.domain, prop.range):
            assert ref is not None
            known = ref in known_classes or ref.split(":")[0] in {"untp", "xsd", "sec"}
            assert known, (prop.term, ref)
        for ref in (*prop.equivalent, *prop.related):
            assert ref.split(":")[0] in vocab.prefixes, (prop.term, ref)
    for cls in vocab.classes:
        assert (cls.term in vocab.enumerations) == cls.enumeration, cls.term
    for reused in vocab.reused_terms.values():
        assert len(reused.definition) > 20, reused.term
        assert reused.iri.split(":")[0] in vocab.prefixes, reused.term


def test_model_enumerations_list_exactly_the_vocabulary_values() -> None:
    vocab = load_vocabulary()
    assert set(ENUMERATIONS) == set(vocab.enumerations)
    for name, alias in ENUMERATIONS.items():
        assert typing.get_args(alias) == vocab.values(name), name
    assert typing.get_args(UnitCode) == tuple(vocab.unit_codes)


def _field_names(model: Any, seen: set[type], out: set[str]) -> None:
    if not isinstance(model, type) or model in seen or not hasattr(model, "model_fields"):
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        out.add(info.alias or name)
        for arg in _flatten(info.annotation):
            _field_names(arg, seen, out)


def _flatten(annotation: Any) -> list[Any]:
    found = [annotation]
    for arg in typing.get_args(annotation):
        found.extend(_flatten(arg))
    return found


def test_every_profile_property_is_ours_untp_or_vc() -> None:
    names: set[str] = set()
    for model, _ in PROFILES.values():
        _field_names(model, set(), names)
    untp: dict[str, set[str]] = {}
    _terms(untp_context(), untp)
    vc = {"@context", "id", "type", "issuer", "name", "validFrom", "validUntil"}
    vc |= {"credentialSubject", "description"}
    vocab = load_vocabulary()
    unknown = names - set(vocab.terms) - set(vocab.reused_terms) - set(untp) - vc
    assert not unknown


def test_turtle_parses_and_describes_every_term() -> None:
    pyoxigraph = pytest.importorskip("pyoxigraph")
    data = (REPO / "vocab" / "critical-minerals.ttl").read_bytes()
    store = pyoxigraph.Store()
    store.load(data, format=pyoxigraph.RdfFormat.TURTLE)
    vocab = load_vocabulary()
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    subjects = {q.subject.value for q in store.quads_for_pattern(None, label, None)}
    expected = {vocab.term_iri(t) for t in vocab.terms.values()}
    expected |= {vocab.term_iri(v) for values in vocab.enumerations.values() for v in values}
    assert expected <= subjects


def test_html_page_anchors_every_term() -> None:
    page = (REPO / "vocab" / "index.html").read_text(encoding="utf-8")
    vocab = load_vocabulary()
    for term in vocab.terms.values():
        assert f'id="{term.iri_local}"' in page, term.term
    assert json.loads((REPO / "vocab" / "vocabulary.json").read_text())["namespace"] in page


def test_the_hash_link_rule_is_on_the_vocabulary_page() -> None:
    """Issue 4: the digestMultibase rule is part of the vocabulary's published page."""
    page = (Path(__file__).resolve().parents[2] / "vocab" / "index.html").read_text()
    assert '<h2 id="hash-links">' in page
    for phrase in (
        "sha2-256 multihash",
        "base58btc",
        "compact JWS",
        "RFC 8785",
        "vcservice digest",
    ):
        assert phrase in page
