"""Reusable accessibility checks for Playwright pages (no axe: nothing is fetched or injected
but these functions, which ``page.evaluate`` runs despite the pages' CSP).

* :func:`contrast_failures`: WCAG 2.x contrast of every visible text against its effective
  background (ancestors' backgrounds composited), 4.5:1, or 3:1 for large text (24 px, or
  18.66 px bold).
* :func:`keyboard_failures`: Tab reaches every interactive element, and each shows a focus
  indicator (an outline or a box shadow) when it has focus.
* :func:`overflow`: the page does not scroll sideways (phones).
* :func:`unlabelled`: every form control, button and link has an accessible name.

:func:`assert_accessible` runs them all. Each ``*_failures`` function returns descriptions
rather than asserting, so a caller can combine or report them.
"""

from __future__ import annotations

from typing import Any

_CONTRAST_JS = """
() => {
  const parse = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const backdrop = (element) => {
    const chain = [];
    for (let e = element; e; e = e.parentElement) chain.unshift(e);
    let colour = [255, 255, 255, 1];
    for (const e of chain) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) colour = over(c, colour);
    }
    return colour;
  };
  const failures = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || seen.has(element)) continue;
    seen.add(element);
    if (element.closest('[aria-hidden="true"], svg, script, style, option')) continue;
    if (!element.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const rect = element.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(element);
    const background = backdrop(element);
    const foreground = over(parse(style.color), background);
    const [hi, lo] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const bold = (parseInt(style.fontWeight, 10) || 400) >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    if (ratio + 1e-9 < needed) {
      const text = node.textContent.trim().slice(0, 50);
      const behind = `rgb(${background.slice(0, 3).map(Math.round)})`;
      failures.push(`${element.tagName.toLowerCase()} "${text}": ${ratio.toFixed(2)}:1 < `
        + `${needed}:1 (${style.color} on ${behind})`);
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

_UNLABELLED_JS = """
() => {
  const name = (element) => {
    if (element.getAttribute('aria-label')) return element.getAttribute('aria-label').trim();
    const by = element.getAttribute('aria-labelledby');
    const text = (elements) => elements.map((e) => (e ? e.textContent : '')).join(' ').trim();
    if (by) return text(by.split(/\\s+/).map((id) => document.getElementById(id)));
    if (element.labels && element.labels.length) return text(Array.from(element.labels));
    if (['A', 'BUTTON', 'SUMMARY'].includes(element.tagName)) return element.textContent.trim();
    return element.getAttribute('title') || '';
  };
  const controls = document.querySelectorAll(
    'input:not([type="hidden"]), select, textarea, button, a[href], summary');
  return Array.from(controls).filter((element) => !name(element))
    .map((element) => element.outerHTML.slice(0, 120));
}
"""


def contrast_failures(page: Any) -> list[str]:
    failures: list[str] = page.evaluate(_CONTRAST_JS)
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


def unlabelled(page: Any) -> list[str]:
    controls: list[str] = page.evaluate(_UNLABELLED_JS)
    return controls


def assert_accessible(page: Any, *, keyboard: bool = True) -> None:
    """All four checks; ``keyboard=False`` skips the Tab walk (slow on very long forms)."""
    problems = [f"contrast: {f}" for f in contrast_failures(page)]
    problems += [f"label: {c}" for c in unlabelled(page)]
    excess = overflow(page)
    if excess > 1:  # sub-pixel rounding
        problems.append(f"overflow: the page scrolls {excess}px sideways")
    if keyboard:
        problems += [f"keyboard: {f}" for f in keyboard_failures(page)]
    assert not problems, "\n".join(problems)
