"""The provenance graph as nested cards (``vcservice.web.graph_view``, ``_graph.html``).

Over the example chains and every negative variant: the product is drawn first, every credential
exactly once and every link exactly once, a credential reached twice is referenced where it
was already drawn (above); the walk runs straight down to the first problem (so it is on the
first screen); groups along a problem path are open; units are named, not coded. A synthetic
chain 40 links deep and a cycle show the walk needs no recursion and cannot loop.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from vcservice.graph import Edge, GraphReport, GraphVerifier, Node, load_bundle
from vcservice.web.graph_view import INDENT_CAP, MAX_NEST, OPEN_DEPTH, graph_model
from vcservice.web.render import ENV

EXAMPLES = REPO / "examples"
BUNDLES = sorted(EXAMPLES.glob("*/bundle.json"))
NEGATIVES = sorted(EXAMPLES.glob("*/negative/*.json"))
COPPER = EXAMPLES / "copper" / "bundle.json"
PAGE = ENV.from_string(
    '{% extends "base.html" %}{% block main %}{% include "_graph.html" %}{% endblock %}'
)


def _name(path: Path) -> str:
    return (
        f"{path.parent.parent.name}-{path.stem}"
        if path.parent.name == "negative"
        else (path.parent.name)
    )


@cache
def report_of(path: Path) -> GraphReport:
    """The example verified offline, as ``verify-graph`` does (cached: verifying is the cost)."""
    bundle = load_bundle(path)
    assert bundle.root is not None
    return GraphVerifier().verify(bundle.root, trust_anchors=bundle.trust_anchors, bundle=bundle)


def items(tree: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every place of the tree in page order (pre-order)."""
    for item in tree:
        yield item
        yield from items(item.get("children", []))


def visible_text(html: str) -> str:
    """The page's words: tags, and the raw credentials (``<pre>``, one click away), removed."""
    html = re.sub(r"<pre[^>]*>.*?</pre>", " ", html, flags=re.S)
    html = re.sub(r"<(style|title)>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def render(graph: dict[str, Any]) -> str:
    return PAGE.render(graph=graph)


# --- the copper chain ---------------------------------------------------------------------------


def test_the_product_is_first_and_every_credential_and_link_is_drawn_once() -> None:
    report = report_of(COPPER)
    graph = graph_model(report)
    places = list(items(graph["tree"]))
    assert places[0]["card"]["key"] == report.root
    assert places[0]["edge"] is None
    cards = [p["card"]["key"] for p in places if p["what"] == "node"]
    assert sorted(cards) == sorted(report.nodes)  # each once
    pairs = {(e.source, e.target) for e in report.edges}
    assert len(graph["edges"]) == len(pairs)
    assert sum(1 for p in places if p["edge"]) == len(pairs)  # each link once, in its place
    assert [n["anchor"] for n in graph["nodes"]] == [f"node-{i}" for i in range(len(report.nodes))]
    assert graph["problems"] == []
    assert graph["missing"] == []


def test_a_credential_reached_twice_is_drawn_once_and_referenced_above() -> None:
    graph = graph_model(report_of(COPPER))
    seen: set[str] = set()
    refs: dict[str, int] = {}
    for place in items(graph["tree"]):
        key = place["card"]["key"]
        if place["what"] == "ref":
            assert key in seen, "a reference points to a card further up the page"
            refs[key] = refs.get(key, 0) + 1
        else:
            seen.add(key)
    accreditation = "https://credentials.accreditation.example.se/accreditation"
    assert refs[accreditation] >= 5  # six certificates, one accreditation card
    html = render(graph)
    assert html.count(f'data-key="{accreditation}"') == 1 + refs[accreditation]
    assert html.count('data-testid="graph-node"') == len(graph["nodes"])
    assert "(see above)" in html


def test_material_comes_before_the_certificates_about_it() -> None:
    """Under a make event its inputs (events, passports) come first, then the certificates."""
    graph = graph_model(report_of(COPPER))
    make = next(p for p in items(graph["tree"]) if p["card"]["key"].endswith("/make-cathode"))
    kinds = [c["card"]["kind"] for c in make["children"] if c["what"] == "node"]
    first_certificate = kinds.index("Certificate")
    assert set(kinds[:first_certificate]) <= {"Traceability event", "Product passport"}
    assert "Traceability event" not in kinds[first_certificate:]


def test_deep_levels_collapse_when_nothing_is_wrong_in_them() -> None:
    graph = graph_model(report_of(COPPER))
    for place in items(graph["tree"]):
        if place["what"] == "node" and place.get("children"):
            expected = place["depth"] < OPEN_DEPTH or place["size"] == 0  # only references
            assert place["open"] is expected, place["card"]["name"]
        assert place["indent"] is (0 < place["depth"] <= INDENT_CAP)


def test_the_cards_carry_kind_issuer_and_key_figures_in_words() -> None:
    graph = graph_model(report_of(COPPER))
    cards = {n["key"].rsplit("/", 1)[-1]: n for n in graph["nodes"]}
    wire = cards["dpp-wire-cu80"]
    assert wire["kind"] == "Product passport"
    assert wire["issuer_name"] == "Mälar Kabel AB"
    assert wire["word"] == "verified"
    assert wire["icon"] == "✓"
    assert "8 kg CO2e per kg" in wire["facts"]
    assert cards["pcf-cathode-cu80"]["kind"] == "Certificate"
    assert "certifies 8 kg CO2e per kg" in cards["pcf-cathode-cu80"]["facts"]
    assert "certifies 100 % recycled" in cards["recycled-content-scrap"]["facts"]
    assert cards["accreditation"]["kind"] == "Accreditation"
    assert cards["make-wire"]["facts"] == ["8 kg CO2e per kg"]  # rolled up; 0 % recycled left out


def test_a_footprint_per_kwh_is_not_called_per_kg() -> None:
    graph = graph_model(report_of(EXAMPLES / "battery" / "bundle.json"))
    pack = next(n for n in graph["nodes"] if n["key"].endswith("/dpp-pack"))
    assert "8.81 kg CO2e per kWh" in pack["facts"]
    assert not any(f.startswith("8.81 kg CO2e per kg") for f in pack["facts"])


@pytest.mark.parametrize("path", BUNDLES + NEGATIVES, ids=_name)
def test_units_are_named_and_nothing_reads_as_a_code(path: Path) -> None:
    text = visible_text(render(graph_model(report_of(path))))
    for code in ("H87", "TNE", "KGM", "KWH", "C62", "urn:uuid", "DigitalProductPassport"):
        assert not re.search(rf"\b{code}\b", text), code
    assert "(DTE)" not in text
    assert "(DCC)" not in text


# --- the negative variants ----------------------------------------------------------------------


@pytest.mark.parametrize("path", NEGATIVES, ids=_name)
def test_the_walk_runs_straight_down_to_the_first_problem(path: Path) -> None:
    """Along the way to the first problem every card is the first child of the one above, so
    nothing is drawn before it but its own ancestors: it is as high up the page as it can be."""
    report = report_of(path)
    graph = graph_model(report)
    assert graph["problems"], "a failed chain names where the problem is"
    places = list(items(graph["tree"]))
    first = next(
        i
        for i, p in enumerate(places)
        if p["what"] in ("node", "missing") and p["card"]["outcome"] != "passed"
    )
    assert first == places[first]["depth"], [p["card"]["name"] for p in places[: first + 1]]
    assert places[first]["card"] in graph["problems"] or graph["more_problems"]
    for place in places[:first]:  # every group on the way is open
        assert place["open"]


@pytest.mark.parametrize("path", NEGATIVES, ids=_name)
def test_a_negative_variant_renders_its_problem_in_words(path: Path) -> None:
    graph = graph_model(report_of(path))
    html = render(graph)
    text = visible_text(html)
    assert "Problem found in:" in text
    first = graph["problems"][0]
    assert f'href="#{first["anchor"]}"' in html
    assert f'id="{first["anchor"]}"' in html
    assert 'data-outcome="failed"' in html or 'data-testid="graph-missing"' in html


def test_a_tampered_link_is_broken_in_words() -> None:
    html = render(graph_model(report_of(EXAMPLES / "copper" / "negative" / "links.digest.json")))
    assert re.search(r'data-testid="graph-edge"\s+data-digest="failed"', html)
    assert 'data-testid="broken-link">✗ broken link</strong>' in html
    assert "its fingerprint does not match" in html


def test_a_credential_out_of_reach_is_not_available() -> None:
    path = EXAMPLES / "copper" / "negative" / "links.unreachable.json"
    graph = graph_model(report_of(path))
    html = render(graph)
    assert len(graph["missing"]) == 1
    assert 'data-testid="graph-missing"' in html
    assert "? not available" in html
    assert 'data-digest="unreachable"' in html
    assert "could not be fetched" in html


def test_a_cycle_is_a_broken_link_back_up() -> None:
    graph = graph_model(report_of(EXAMPLES / "copper" / "negative" / "graph.cycle.json"))
    cycle = [p for p in items(graph["tree"]) if p["edge"] and p["edge"]["digest"] == "cycle"]
    assert cycle
    assert all(p["what"] == "ref" for p in cycle)
    assert "loops back" in render(graph)


def test_a_chain_cut_short_shows_what_was_not_followed() -> None:
    graph = graph_model(report_of(EXAMPLES / "copper" / "negative" / "graph.node-limit.json"))
    assert graph["missing"]
    assert graph["problems"][0]["anchor"].startswith("missing-")
    assert "not followed" in render(graph)


# --- synthetic graphs: depth, cycles, hostile names --------------------------------------------


def _report(links: list[tuple[str, str]], names: dict[str, str] | None = None) -> GraphReport:
    keys = list(dict.fromkeys(k for pair in links for k in pair))
    report = GraphReport(root=keys[0], at=datetime(2026, 6, 1, tzinfo=UTC), trust_anchors=())
    for depth, key in enumerate(keys):
        document = {
            "type": ["VerifiableCredential", "DigitalTraceabilityEvent"],
            "name": (names or {}).get(key, f"Step {key}"),
            "issuer": {"id": "did:web:x.example", "name": "X AB"},
        }
        report.nodes[key] = Node(key=key, served=None, depth=depth, document=document)
    for source, target in links:
        digest = "cycle" if keys.index(target) <= keys.index(source) else "passed"
        report.edges.append(
            Edge(source, target, "/x", {"linkName": "next"}, digest, {"value": 1, "unit": "TNE"})
        )
    return report


def test_a_chain_deeper_than_the_nesting_limit_continues_below() -> None:
    chain = [f"https://x.example/{i}" for i in range(40)]
    report = _report(list(itertools.pairwise(chain)))
    graph = graph_model(report)
    places = list(items(graph["tree"]))
    assert max(p["depth"] for p in places) <= MAX_NEST
    drawn = [p["card"]["key"] for p in places if p["what"] == "node"]
    assert sorted(drawn) == sorted(chain)
    assert len(graph["tree"]) >= 3  # continued twice
    assert any(p.get("continued") for p in places)
    html = render(graph)
    assert html.count('data-testid="graph-node"') == 40
    assert "(continues below)" in html


def test_a_cycle_is_drawn_once_and_does_not_loop() -> None:
    a, b, c = (f"https://x.example/{k}" for k in "abc")
    graph = graph_model(_report([(a, b), (b, c), (c, a)]))
    places = list(items(graph["tree"]))
    assert [p["what"] for p in places] == ["node", "node", "node", "ref"]
    assert places[-1]["edge"]["broken"]


def test_names_are_escaped_and_wrap_instead_of_being_cut() -> None:
    a, b = "https://x.example/a", "https://x.example/b"
    long = "Lot " + "X" * 300
    graph = graph_model(_report([(a, b)], {a: "<script>alert(1)</script>", b: long}))
    html = render(graph)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert long in html  # whole, never truncated


def test_no_graph_without_credentials() -> None:
    report = GraphReport(root="https://x.example/a", at=datetime(2026, 6, 1, tzinfo=UTC),
                         trust_anchors=())  # fmt: skip
    graph = graph_model(report)
    assert graph["tree"] == []
    assert 'data-testid="graph"' not in render(graph)
