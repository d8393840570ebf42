"""The provenance graph in a real browser (Debian's chromium driven by Playwright), at a laptop's
1280×900 and a phone's 360×740.

For every example chain and every negative variant the graph section (``_graph.html`` over
:func:`vcservice.web.graph_view.graph_model`) is rendered in the page layout and checked as
the buyer meets it: the page never scrolls sideways, every card lies within the width (also
with every group and card opened), the first problem card starts on the first screen of the
graph, the "Problem found in" link and a "see above" reference land on their card, and axe
finds no serious or critical violation. Screenshots go to ``test-artifacts/web/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.web._axe import assert_no_serious
from tests.web._live import ARTIFACTS, VIEWPORTS, opened, require_browser
from vcservice.graph import GraphReport, GraphVerifier, load_bundle
from vcservice.web.graph_view import graph_model
from vcservice.web.render import ENV

pytestmark = pytest.mark.network
require_browser()

EXAMPLES = REPO / "examples"
BUNDLES = sorted(EXAMPLES.glob("*/bundle.json"))
NEGATIVES = sorted(EXAMPLES.glob("*/negative/*.json"))
COPPER = EXAMPLES / "copper" / "bundle.json"
#: Negative variants also checked with every card and group opened (one of each kind of defect
#: the graph draws: a broken link, a missing credential, a cycle, a cut-short chain, many fails).
OPENED = [
    EXAMPLES / "copper" / "negative" / f"{stem}.json"
    for stem in ("links.digest", "links.unreachable", "graph.cycle", "graph.node-limit")
] + [EXAMPLES / "battery" / "negative" / "trust.expired.json"]
PAGE = ENV.from_string(
    '{% extends "base.html" %}{% block title %}Graph{% endblock %}'
    '{% block main %}<h1>Graph</h1>{% include "_graph.html" %}{% endblock %}'
)
#: The boxes of every card, reference and missing credential, and the page's scroll width.
_BOXES = """() => {
  const nodes = document.querySelectorAll(
    "[data-testid=graph-node], [data-testid=graph-missing], .pg-ref, [data-testid=graph-edge]");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    boxes: [...nodes].filter((n) => n.getClientRects().length).map((n) => {
      const r = n.getBoundingClientRect();
      return {key: n.dataset.key || n.textContent.trim().slice(0, 40), left: r.left,
              right: r.right};
    }),
  };
}"""
_OPEN_ALL = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def _name(path: Path) -> str:
    chain = path.parent.parent.name if path.parent.name == "negative" else path.parent.name
    return f"{chain}-{path.stem}" if path.parent.name == "negative" else chain


@cache
def _html(path: Path) -> str:
    bundle = load_bundle(path)
    assert bundle.root is not None
    report: GraphReport = GraphVerifier().verify(
        bundle.root, trust_anchors=bundle.trust_anchors, bundle=bundle
    )
    return PAGE.render(graph=graph_model(report))


@contextmanager
def _rendered(chromium: Any, path: Path, viewport: tuple[int, int]) -> Iterator[Any]:
    """A page at ``viewport`` showing the graph of the bundle at ``path``."""
    with opened(chromium, viewport) as page:
        page.set_content(_html(path))
        yield page


def _fits(page: Any, width: int) -> None:
    found = page.evaluate(_BOXES)
    assert found["scrollWidth"] <= width, "the page scrolls sideways"
    outside = [b for b in found["boxes"] if b["left"] < 0 or b["right"] > width + 0.5]
    assert not outside, outside[:3]


def _graph_top(page: Any) -> float:
    top: float = page.locator("[data-testid=graph]").bounding_box()["y"]
    return top


def _viewports() -> list[Any]:
    return [pytest.param(v.values[0], v.values[1], id=v.id) for v in VIEWPORTS]


@pytest.mark.parametrize(("viewport", "label"), _viewports())
@pytest.mark.parametrize("path", BUNDLES, ids=_name)
def test_a_verified_chain_reads_product_first_and_fits_the_width(
    chromium: Any, path: Path, viewport: tuple[int, int], label: str
) -> None:
    with _rendered(chromium, path, viewport) as page:
        cards = page.locator("[data-testid=graph-node]")
        first = cards.first
        assert first.get_attribute("data-outcome") == "passed"
        assert page.locator("[data-testid=graph-problem]").count() == 0
        assert first.bounding_box()["y"] - _graph_top(page) < 200  # the product leads
        _fits(page, viewport[0])
        assert_no_serious(page)
        page.screenshot(path=str(ARTIFACTS / f"graph-{_name(path)}-{label}.png"), full_page=True)
        # every card, opened with its raw credential, still fits: nothing needs sideways scrolling
        page.evaluate(_OPEN_ALL)
        _fits(page, viewport[0])
        assert cards.count() == page.locator("[data-testid=graph-node]:visible").count()
        assert_no_serious(page)


def _first_screen_cases() -> list[Any]:
    """Every variant on the phone, where the first screen is smallest (360 x 740: cards wrap
    most and the least fits); on the laptop (wider, taller) one variant per chain. The copper
    variants' phone case is test_acceptance_browser.py's, on the real page."""
    phone, desktop = _viewports()[1], _viewports()[0]
    cases = [
        pytest.param(path, *phone.values, id=f"{_name(path)}-phone")
        for path in NEGATIVES
        if path.parent.parent.name != "copper"
    ]
    firsts = {path.parent.parent.name: path for path in reversed(NEGATIVES)}
    cases += [
        pytest.param(path, *desktop.values, id=f"{_name(path)}-desktop")
        for path in sorted(firsts.values())
    ]
    return cases


@pytest.mark.parametrize(("path", "viewport", "label"), _first_screen_cases())
def test_the_problem_is_on_the_first_screen_of_the_graph(
    chromium: Any, path: Path, viewport: tuple[int, int], label: str
) -> None:
    with _rendered(chromium, path, viewport) as page:
        problem = page.locator(
            "[data-testid=graph-node][data-outcome=failed], "
            "[data-testid=graph-node][data-outcome=indeterminate], [data-testid=graph-missing]"
        ).first
        top = _graph_top(page)
        box = problem.bounding_box()
        assert box is not None, "the first problem card is shown, not folded away"
        assert box["y"] - top <= viewport[1] - 40, f"{box['y'] - top:.0f} px below the graph's top"
        line = page.get_by_test_id("graph-problem")
        assert line.inner_text().startswith("✗ Problem found in:")
        _fits(page, viewport[0])
        page.evaluate("window.scrollTo(0, document.querySelector('[data-testid=graph]').offsetTop)")
        page.screenshot(path=str(ARTIFACTS / f"graph-{_name(path)}-{label}.png"))
        if label == "desktop" or path in OPENED:  # the same markup: axe on one of each kind
            assert_no_serious(page)
        # the line at the top leads to the card it names
        link = line.get_by_role("link").first
        target = (link.get_attribute("href") or "#")[1:]
        link.click()
        card = page.locator(f"[id='{target}']")
        card.wait_for(state="visible")
        assert card.evaluate("(el) => el.getBoundingClientRect().top < window.innerHeight")


@pytest.mark.parametrize(("viewport", "label"), _viewports())
@pytest.mark.parametrize("path", OPENED, ids=_name)
def test_a_failed_chain_opened_fits_the_width(
    chromium: Any, path: Path, viewport: tuple[int, int], label: str
) -> None:
    with _rendered(chromium, path, viewport) as page:
        page.evaluate(_OPEN_ALL)
        _fits(page, viewport[0])
        if "links.digest" in path.name:
            broken = page.get_by_test_id("broken-link").first
            assert broken.is_visible()
            assert "broken link" in broken.inner_text()
        if "unreachable" in path.name:
            assert "not available" in page.get_by_test_id("graph-missing").first.inner_text()
        page.screenshot(
            path=str(ARTIFACTS / f"graph-{_name(path)}-opened-{label}.png"), full_page=True
        )
        assert_no_serious(page)


def test_a_reference_leads_to_the_card_even_inside_a_folded_group(chromium: Any) -> None:
    """A credential reached twice is drawn once; the other link says "see above" and goes to
    it, and the browser unfolds the group the card sits in (no script needed)."""
    with _rendered(chromium, COPPER, (360, 740)) as page:
        hidden = page.evaluate(
            """() => [...document.querySelectorAll('.pg-ref a')].map((a) => a.getAttribute('href'))
              .find((href) => !document.querySelector(href).checkVisibility())"""
        )
        assert hidden, "some reference points into a folded group"
        page.locator(f".pg-ref a[href='{hidden}']:visible").first.click()
        card = page.locator(hidden)
        card.wait_for(state="visible")
        assert card.evaluate("(el) => el.getBoundingClientRect().top < window.innerHeight")
        _fits(page, 360)
        assert_no_serious(page)
