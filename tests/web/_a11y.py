"""Accessibility of a Playwright page: axe-core for everything it judges, and the three checks
it leaves out, written here.

axe-core (:mod:`tests.web._axe`, the kept engine) judges names and labels of controls and
links, the contrast of HTML text, landmarks, headings, ARIA and the rest of WCAG 2.x A/AA that
a machine can decide. What it does not decide, and so is checked here:

* :func:`svg_contrast_failures`: the contrast of SVG text. axe skips ``<text>`` in an SVG
  (at best it lists it as "needs review", never as a violation), so a pale label on a graph
  node would pass unseen. Here each SVG text's fill is measured against what is painted behind
  it: the SVG shapes under its centre, in paint order, over the page background.
* :func:`keyboard_failures`: Tab reaches every interactive element, and each shows a focus
  indicator (an outline or a box shadow) when it has focus (WCAG 2.4.7; axe has no rule).
* :func:`overflow`: the page does not scroll sideways (a phone at 360 px; WCAG 1.4.10 reflow,
  which axe cannot see).

:func:`assert_accessible` runs axe and these. Each ``*_failures`` function returns descriptions
rather than asserting, so a caller can combine or report them.
"""

from __future__ import annotations

from typing import Any

from tests.web._axe import assert_no_serious

#: WCAG 2.x contrast of every visible SVG text against its effective backdrop: 4.5:1, or 3:1
#: for large text (24 px, or 18.66 px bold, as rendered: the SVG's scaling counts). The
#: backdrop is the page background behind the <svg> (ancestors' backgrounds composited), then
#: every filled shape painted before the text whose fill covers the text's centre, then the
#: text's own stroke when it is painted under the fill as a halo (paint-order: stroke).
_SVG_CONTRAST_JS = """
() => {
  const parse = (text) => {
    const m = (text || '').match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const fade = (colour, alpha) => [colour[0], colour[1], colour[2], colour[3] * alpha];
  const channel = (v) => {
    v /= 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const htmlBackdrop = (element) => {
    const chain = [];
    for (let e = element; e; e = e.parentElement) chain.unshift(e);
    let colour = [255, 255, 255, 1];
    for (const e of chain) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) colour = over(c, colour);
    }
    return colour;
  };
  const opacity = (element, root) => {
    let alpha = 1;
    for (let e = element; e && e !== root.parentElement; e = e.parentElement) {
      alpha *= parseFloat(getComputedStyle(e).opacity);
    }
    return alpha;
  };
  const painted = (element) => element.checkVisibility({visibilityProperty: true})
    && !element.closest('defs, clipPath, mask, pattern, marker, symbol');
  const failures = [];
  const seen = new Set();
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.parentElement && svg.parentElement.closest('svg')) continue;  // nested: via its root
    const shapes = Array.from(svg.querySelectorAll(
      'rect, circle, ellipse, polygon, polyline, path, line'));
    const walker = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const element = node.parentElement;
      if (!node.textContent.trim() || !element || seen.has(element)) continue;
      seen.add(element);
      if (!element.closest('text') || element.closest('[aria-hidden="true"]')) continue;
      if (!painted(element)) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const style = getComputedStyle(element);
      const fill = parse(style.fill);
      if (!fill) {
        failures.push(`svg text "${node.textContent.trim().slice(0, 50)}": fill ${style.fill} `
          + 'is not a plain colour, its contrast cannot be measured');
        continue;
      }
      const cx = rect.left + rect.width / 2;
      const cy = rect.top + rect.height / 2;
      let background = htmlBackdrop(svg);
      for (const shape of shapes) {
        if (!(shape.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        if (shape.closest('text') || !painted(shape)) continue;
        const shapeStyle = getComputedStyle(shape);
        const shapeFill = parse(shapeStyle.fill);
        if (!shapeFill || shapeFill[3] === 0) continue;
        const matrix = shape.getScreenCTM();
        if (!matrix) continue;
        const point = new DOMPoint(cx, cy).matrixTransform(matrix.inverse());
        if (!shape.isPointInFill(point)) continue;
        const alpha = parseFloat(shapeStyle.fillOpacity) * opacity(shape, svg);
        background = over(fade(shapeFill, alpha), background);
      }
      const stroke = parse(style.stroke);
      const halo = stroke && parseFloat(style.strokeWidth) >= 1
        && style.paintOrder.trim().startsWith('stroke');
      if (halo) background = over(fade(stroke, parseFloat(style.strokeOpacity)), background);
      const alpha = parseFloat(style.fillOpacity) * opacity(element, svg);
      const foreground = over(fade(fill, alpha), background);
      const [hi, lo] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const ctm = element.getScreenCTM();
      const scale = ctm ? Math.sqrt(Math.abs(ctm.a * ctm.d - ctm.b * ctm.c)) : 1;
      const size = parseFloat(style.fontSize) * scale;
      const bold = (parseInt(style.fontWeight, 10) || 400) >= 700;
      const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
      if (ratio + 1e-9 < needed) {
        const text = node.textContent.trim().slice(0, 50);
        const rgb = (c) => `rgb(${c.slice(0, 3).map(Math.round)})`;
        failures.push(`svg ${element.tagName} "${text}": ${ratio.toFixed(2)}:1 < ${needed}:1 `
          + `(${rgb(foreground)} on ${rgb(background)}, ${size.toFixed(1)}px)`);
      }
    }
  }
  return failures;
}
"""

_TAG_FOCUSABLE_JS = """
() => {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  const closedDetails = (element) => {
    let d = element.closest('details');
    for (; d; d = d.parentElement && d.parentElement.closest('details')) {
      const ownSummary = element.tagName === 'SUMMARY' && element.parentElement === d;
      if (!d.open && !ownSummary) return true;
    }
    return false;
  };
  const names = [];
  let n = 0;
  for (const element of document.querySelectorAll(selector)) {
    element.removeAttribute('data-a11y-focus');
    if (element.disabled || element.tabIndex < 0 || closedDetails(element)) continue;
    if (!element.checkVisibility({visibilityProperty: true})) continue;
    if (element.tagName === 'SUMMARY' && element.parentElement.tagName !== 'DETAILS') continue;
    element.setAttribute('data-a11y-focus', String(n++));
    const text = (element.innerText || element.name || element.id || '').trim().slice(0, 40);
    names.push(`${element.tagName.toLowerCase()} "${text}"`);
  }
  return names;
}
"""

_FOCUSED_JS = """
() => {
  const element = document.activeElement;
  if (!element || element === document.body || element === document.documentElement) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return {index: element.getAttribute('data-a11y-focus'), indicator: Boolean(outline || shadow)};
}
"""

#: Focus the body, so that sequential (Tab) navigation starts from the top of the document.
_FOCUS_START_JS = """
() => {
  const body = document.body;
  body.tabIndex = -1;
  body.focus();
  body.removeAttribute('tabindex');
}
"""


def svg_contrast_failures(page: Any) -> list[str]:
    """SVG texts below the WCAG contrast they need (axe does not measure SVG text)."""
    failures: list[str] = page.evaluate(_SVG_CONTRAST_JS)
    return failures


def keyboard_failures(page: Any) -> list[str]:
    """Press Tab until focus comes round again; every tagged element must have been focused,
    with a visible indicator. Focus starts from the page's top (the skip link comes first)."""
    names: list[str] = page.evaluate(_TAG_FOCUSABLE_JS)
    if not names:
        return []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.evaluate(_FOCUS_START_JS)
    reached: dict[int, bool] = {}
    outside = 0
    previous = None
    for _ in range(len(names) * 3 + 60):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED_JS)
        if focused is None or focused["index"] is None:
            outside += 1
            if outside > 3:
                break
            continue
        index = int(focused["index"])
        if index == previous:  # Tab between the parts of one control (date and time inputs)
            continue
        if index in reached:
            break
        reached[index] = focused["indicator"]
        previous = index
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    failures = [
        f"not reachable with Tab: {names[i]}" for i in range(len(names)) if i not in reached
    ]
    failures += [f"no focus indicator: {names[i]}" for i, shown in reached.items() if not shown]
    return failures


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    excess: int = page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
    return excess


def assert_accessible(page: Any, *, keyboard: bool = True) -> None:
    """axe (no serious or critical violation), then what axe leaves out: SVG text contrast,
    sideways scrolling and, unless ``keyboard=False`` (the Tab walk is slow on very long
    forms), keyboard reach and visible focus. The page is left as it was found, but for the
    focus, which ends on no element."""
    assert_no_serious(page)
    problems = [f"contrast: {f}" for f in svg_contrast_failures(page)]
    excess = overflow(page)
    if excess > 1:  # sub-pixel rounding
        problems.append(f"overflow: the page scrolls {excess}px sideways")
    if keyboard:
        problems += [f"keyboard: {f}" for f in keyboard_failures(page)]
    assert not problems, "\n".join(problems)
