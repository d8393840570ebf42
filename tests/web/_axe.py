"""axe-core (Deque, the kept accessibility engine) run in the page under test.

``axe-playwright-python`` carries ``axe.min.js`` (axe-core 4.x) in its wheel, so nothing is
downloaded; it is evaluated through Playwright's DevTools channel, which the pages' strict
Content-Security-Policy does not govern, so the pages keep their CSP while being checked.

:func:`assert_no_serious` fails on any violation axe rates *serious* or *critical* (WCAG 2.x
A and AA rules, best practices included) and names the rule, the help text and the first
offending nodes, so a failure says what to mend without opening a browser.
"""

from __future__ import annotations

from typing import Any

#: axe's impact levels that fail a test (``minor`` and ``moderate`` are reported, not failed).
SERIOUS = frozenset({"serious", "critical"})


def violations(page: Any) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (after the caller's navigation/clicks)."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    result = Axe().run(page)
    found: list[dict[str, Any]] = result.response.get("violations", [])
    return found


def describe(found: list[dict[str, Any]]) -> list[str]:
    """One line per violation: impact, rule id, help, and up to three offending selectors."""
    lines = []
    for item in found:
        targets = [", ".join(map(str, node.get("target", []))) for node in item["nodes"][:3]]
        lines.append(
            f"{item.get('impact')} {item['id']}: {item.get('help')} — {'; '.join(targets)}"
        )
    return lines


def assert_no_serious(page: Any) -> None:
    """Fail when axe finds a serious or critical violation on ``page``."""
    bad = [v for v in violations(page) if v.get("impact") in SERIOUS]
    assert not bad, "axe found serious or critical violations:\n" + "\n".join(describe(bad))
