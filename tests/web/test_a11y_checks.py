"""The accessibility checks themselves (:mod:`tests.web._a11y`, :mod:`tests.web._axe`), on
small pages made to fail one way each, so a check that silently passes everything is caught.

What the hand-written checks used to do for HTML text contrast and control names is now axe's:
the first tests show axe failing such a page, which is why those checks were removed. SVG text
contrast is not judged by axe (it skips SVG ``<text>``), so the kept check is tried on the
cases a graph picture has: text on the page, on a filled shape, with a halo, faded, scaled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web._a11y import keyboard_failures, overflow, svg_contrast_failures
from tests.web._axe import SERIOUS, violations
from tests.web._live import require_browser

pytestmark = pytest.mark.network
require_browser()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    opened = browser.new_page(viewport={"width": 360, "height": 740})
    yield opened
    opened.close()


def _html(body: str) -> str:
    head = '<!doctype html><html lang="en"><head><title>t</title></head>'
    return f"{head}<body><main>{body}</main></body></html>"


def _serious(page: Any) -> set[str]:
    return {v["id"] for v in violations(page) if v.get("impact") in SERIOUS}


def test_axe_judges_html_contrast_and_names(page: Any) -> None:
    page.set_content(
        _html(
            '<h1>t</h1><p style="color:#bbb">pale text</p><label>x</label><input id="i">'
            '<a href="/x"></a><button></button>'
        )
    )
    assert {"color-contrast", "label", "link-name", "button-name"} <= _serious(page)


def test_axe_does_not_judge_svg_text_so_the_kept_check_does(page: Any) -> None:
    page.set_content(
        _html(
            '<h1>t</h1><svg width="300" height="60" role="img" aria-label="picture">'
            '<rect width="300" height="60" fill="#fff"/>'
            '<text x="10" y="40" fill="#ccc">pale label</text></svg>'
        )
    )
    assert "color-contrast" not in _serious(page)
    (failure,) = svg_contrast_failures(page)
    assert 'svg text "pale label": 1.61:1 < 4.5:1' in failure


@pytest.mark.parametrize(
    ("shapes", "text", "fails"),
    [
        pytest.param("", '<text x="10" y="40" fill="#333">t</text>', False, id="dark-on-page"),
        pytest.param("", '<text x="10" y="40" fill="#999">t</text>', True, id="grey-on-page"),
        pytest.param(
            '<rect width="200" height="60" fill="#123"/>',
            '<text x="10" y="40" fill="#fff">t</text>',
            False,
            id="white-on-navy-shape",
        ),
        pytest.param(
            '<rect width="200" height="60" fill="#123"/>',
            '<text x="10" y="40" fill="#000">t</text>',
            True,
            id="black-on-navy-shape",
        ),
        pytest.param(
            '<rect x="100" width="100" height="60" fill="#000"/>',
            '<text x="10" y="40" fill="#333">t</text>',
            False,
            id="shape-not-under-the-text",
        ),
        pytest.param(
            '<rect width="200" height="60" fill="#000"/>',
            '<text x="10" y="40" fill="#666" stroke="#fff" stroke-width="4" '
            'style="paint-order:stroke">t</text>',
            False,
            id="halo",
        ),
        pytest.param(
            "",
            '<g opacity="0.3"><text x="10" y="40" fill="#000">t</text></g>',
            True,
            id="faded-group",
        ),
        pytest.param(
            '<rect width="200" height="60" fill="#000" fill-opacity="0.1"/>',
            '<text x="10" y="40" fill="#000">t</text>',
            False,
            id="translucent-shape",
        ),
    ],
)
def test_svg_text_contrast_against_what_is_painted_behind(
    page: Any, shapes: str, text: str, fails: bool
) -> None:
    page.set_content(_html(f'<svg width="200" height="60">{shapes}{text}</svg>'))
    assert bool(svg_contrast_failures(page)) is fails


def test_svg_text_size_is_measured_as_rendered(page: Any) -> None:
    """Grey at 3.5:1 passes as large text only: 10 user units scaled by 4 are 40 px."""
    grey = '<text x="2" y="50" font-size="10" fill="#888">big</text>'
    page.set_content(_html(f'<svg viewBox="0 0 100 100" width="400" height="400">{grey}</svg>'))
    assert svg_contrast_failures(page) == []
    page.set_content(_html(f'<svg viewBox="0 0 100 100" width="100" height="100">{grey}</svg>'))
    assert svg_contrast_failures(page) != []


def test_svg_text_scrolled_out_of_its_box_is_still_measured(page: Any) -> None:
    far = '<text x="1100" y="40" fill="#bbb">far right</text>'
    page.set_content(
        _html(f'<div style="overflow-x:auto"><svg width="1200" height="60">{far}</svg></div>')
    )
    assert len(svg_contrast_failures(page)) == 1


def test_overflow_and_keyboard_focus(page: Any) -> None:
    page.set_content(_html('<div style="width:500px">wide</div><a href="#x">link</a>'))
    assert overflow(page) > 100
    page.set_content(
        _html('<style>a:focus { outline: none }</style><p><a href="#x">no ring</a></p>')
    )
    assert keyboard_failures(page) == ['no focus indicator: a "no ring"']
    page.set_content(_html('<p><a href="#x">ring</a></p>'))
    assert keyboard_failures(page) == []
