"""``report.html``: one self-contained page, readable offline.

Inline CSS, no script, no external resource of any kind (a Content-Security-Policy of
``default-src 'none'`` says so to the browser too); expanding is done with ``<details>``. It
shows the run summary, the issuer × verifier matrix (a real table; each cell says its outcome in
words and with a symbol, not only by colour, and links to its checks), then every check, per
suite and per implementation, with its evidence. Every string from a run goes through
:func:`html.escape` (implementations are untrusted) and secrets are redacted.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance.model import Outcome, Result, Run
from conformance.report._common import (
    ERROR,
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    cell_status,
    counts,
    implementation_names,
    matrix_axes,
    redact,
    safe_text,
    suite_order,
    wall_seconds,
)

#: Symbol and words for a matrix cell's status (never colour alone).
CELL_LABELS = {
    PASSED: ("✓", "All passed"),
    FAILED: ("✗", "Some failed"),
    ERROR: ("!", "Error"),
    NOT_APPLICABLE: ("–", "Not applicable"),
}
OUTCOME_LABELS = {
    Outcome.PASSED: ("✓", "Passed"),
    Outcome.FAILED: ("✗", "Failed"),
    Outcome.ERROR: ("!", "Error"),
    Outcome.SKIPPED: ("–", "Skipped"),
}

# Colours: dark text on light backgrounds, every pair above 7:1 (WCAG AAA).
_CSS = """
:root { color-scheme: light; --fg: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1rem; max-width: 72rem; color: var(--fg); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; } h2 { font-size: 1.3rem; margin-top: 2rem;
  border-bottom: 2px solid var(--line); } h3 { font-size: 1.1rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .875rem; }
pre { background: #f4f4f4; border: 1px solid var(--line); padding: .5rem; overflow-x: auto;
  white-space: pre-wrap; word-break: break-word; }
a { color: #0645ad; } a:focus-visible, summary:focus-visible, .scroll:focus-visible {
  outline: 3px solid #0645ad; outline-offset: 2px; }
.verdict { display: inline-block; padding: .25rem .75rem; border-radius: .25rem;
  font-weight: 700; border: 2px solid currentColor; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .4rem .6rem; text-align: left;
  vertical-align: top; }
thead th { background: #eaeaea; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.summary dt { font-weight: 600; } dl.summary dd { margin: 0; }
.matrix td { min-width: 9rem; } .matrix td a { display: block; color: inherit; }
.sym { font-weight: 700; margin-right: .25rem; }
.status-passed, .outcome-passed { background: #e3f4e7; color: #0b3d1b; }
.status-failed, .outcome-failed { background: #fde4e6; color: #6b0010; }
.status-error, .outcome-error { background: #fff1c2; color: #4a3500; }
.status-not-applicable, .outcome-skipped { background: #f0f0f0; color: #333; }
.status-failed, .outcome-failed { border-left: 4px solid #6b0010; }
.status-error, .outcome-error { border-left: 4px dashed #4a3500; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
.legend li { padding: .2rem .5rem; border: 1px solid var(--line); }
.counts { color: var(--muted); font-size: .9rem; }
.checks { list-style: none; padding: 0; margin: 0; }
.checks > li { margin: .25rem 0; border: 1px solid var(--line); }
.checks > li > details > summary, .checks > li > .line { padding: .35rem .5rem;
  cursor: pointer; }
.checks .body { padding: .25rem .75rem .75rem; background: #fff; color: var(--fg); }
.badge { display: inline-block; min-width: 5.5rem; font-weight: 700; }
.tag { display: inline-block; border: 1px solid var(--line); border-radius: 1rem;
  padding: 0 .5rem; margin: 0 .25rem .25rem 0; font-size: .85rem; background: #fafafa; }
.group > summary { font-weight: 600; padding: .25rem 0; cursor: pointer; }
@media (max-width: 40rem) {
  body { padding: .5rem; font-size: 15px; }
  dl.summary { grid-template-columns: 1fr; } dl.summary dd { margin-bottom: .5rem; }
  .matrix td { min-width: 7rem; } .badge { min-width: 0; display: block; }
  th, td { padding: .3rem .4rem; }
}
@media print { details > * { display: block; } .scroll { overflow: visible; } }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def esc(value: object) -> str:
    """Escaped text (or attribute value) for the page: XML-safe, secrets redacted."""
    return html.escape(safe_text(redact(value)), quote=True)


def _counts_text(tally: dict[str, int]) -> str:
    parts = [f"{tally[o.value]} {o.value}" for o in Outcome if tally[o.value]]
    return ", ".join(parts) or "no checks"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def _summary(run: Run) -> str:
    tally = run.counts()
    verdict = ("status-passed", "✓ OK: no failure, no error") if run.ok else (
        "status-failed", "✗ NOT OK: failures or errors")  # fmt: skip
    rows = [
        ("Started", esc(run.started) or "–"),
        ("Finished", esc(run.finished) or "–"),
    ]
    wall = wall_seconds(run)
    if wall is not None:
        rows.append(("Duration", esc(_seconds(wall))))
    rows.append(("Checks", f"{len(run.results)} ({esc(_counts_text(tally))})"))
    rows.append(("Suites", esc(", ".join(suite_order(run))) or "–"))
    versions = ", ".join(f"{name} {version}" for name, version in run.versions.items())
    rows.append(("Versions", esc(versions) or "–"))
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    out = [
        '<section aria-labelledby="summary"><h2 id="summary">Summary</h2>',
        f'<p class="verdict {verdict[0]}">{esc(verdict[1])}</p>',
        '<div class="scroll"><table><caption>Outcomes</caption><thead><tr>',
        *(f'<th scope="col">{esc(o.value)}</th>' for o in Outcome),
        "</tr></thead><tbody><tr>",
        *(f'<td class="outcome-{o.value}">{tally[o.value]}</td>' for o in Outcome),
        "</tr></tbody></table></div>",
        f'<dl class="summary">{items}</dl>',
        _implementations(redact(run.implementations)),
        "</section>",
    ]
    return "\n".join(out)


def _roles(impl: dict[str, Any]) -> str:
    parts = []
    for role, value in impl.items():
        if role in ("name", "dataModel"):
            continue
        if isinstance(value, dict):
            line = f"<strong>{esc(role)}</strong>: <code>{esc(value.get('endpoint', ''))}</code>"
            for key, item in value.items():
                if key == "endpoint":
                    continue
                shown = ", ".join(map(str, item)) if isinstance(item, list) else item
                line += f" <span class='counts'>{esc(key)}: {esc(shown)}</span>"
            parts.append(f"<li>{line}</li>")
        else:
            parts.append(f"<li><strong>{esc(role)}</strong>: {esc(value)}</li>")
    return f"<ul>{''.join(parts)}</ul>" if parts else "–"


def _implementations(implementations: list[dict[str, Any]]) -> str:
    if not implementations:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{esc(impl.get("name", "?"))}</th>'
        f"<td>{esc(impl.get('dataModel', ''))}</td><td>{_roles(impl)}</td></tr>"
        for impl in implementations
    )
    return (
        '<div class="scroll"><table><caption>Implementations</caption><thead><tr>'
        '<th scope="col">Name</th><th scope="col">Data model</th>'
        f'<th scope="col">Endpoints</th></tr></thead><tbody>{rows}</tbody></table></div>'
    )


def _cell_id(row: int, column: int) -> str:
    return f"cell-{row}-{column}"


def _matrix(run: Run) -> str:
    head = '<section aria-labelledby="matrix"><h2 id="matrix">Interop matrix</h2>'
    issuers, verifiers = matrix_axes(run)
    if not issuers:
        return f"{head}<p>No interop results in this run.</p></section>"
    cells = run.matrix()
    out = [
        head,
        "<p>Each row is the implementation that issued the credential; each column the one "
        "that verified it.</p>",
        '<div class="scroll" role="region" aria-labelledby="matrix-caption" tabindex="0">',
        '<table class="matrix"><caption id="matrix-caption">Issuer (rows) × verifier (columns)'
        '</caption><thead><tr><th scope="col">Issuer \\ Verifier</th>',
        *(f'<th scope="col">{esc(v)}</th>' for v in verifiers),
        "</tr></thead><tbody>",
    ]
    for row, issuer in enumerate(issuers):
        out.append(f'<tr><th scope="row">{esc(issuer)}</th>')
        for column, verifier in enumerate(verifiers):
            results = cells.get((issuer, verifier), [])
            status = cell_status(results)
            symbol, words = CELL_LABELS[status]
            label = f'<span class="sym" aria-hidden="true">{symbol}</span>{esc(words)}'
            if results:
                detail = esc(_counts_text(counts(results)))
                label = (f'<a href="#{_cell_id(row, column)}">{label}'
                         f'<br><span class="counts">{detail}</span></a>')  # fmt: skip
            out.append(f'<td class="cell status-{status}">{label}</td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    out.append(
        '<ul class="legend" aria-label="Legend">'
        + "".join(
            f'<li class="status-{status}"><span class="sym" aria-hidden="true">{symbol}</span>'
            f"{esc(words)}</li>"
            for status, (symbol, words) in CELL_LABELS.items()
        )
        + "</ul>"
    )
    out.append("<h3>Cell details</h3>")
    for row, issuer in enumerate(issuers):
        for column, verifier in enumerate(verifiers):
            results = cells.get((issuer, verifier), [])
            if not results:
                continue
            status = cell_status(results)
            out.append(
                f'<section id="{_cell_id(row, column)}"><h4>{esc(issuer)} → {esc(verifier)}: '
                f"{esc(CELL_LABELS[status][1])} "
                f'<span class="counts">({esc(_counts_text(counts(results)))})</span></h4>'
                f"{_checks(results, show_suite=True)}"
                '<p><a href="#matrix">Back to the matrix</a></p></section>'
            )
    out.append("</section>")
    return "\n".join(out)


def _check(result: Result, *, show_suite: bool) -> str:
    symbol, words = OUTCOME_LABELS[result.outcome]
    line = (
        f'<span class="badge"><span class="sym" aria-hidden="true">{symbol}</span>'
        f"{esc(words)}</span> <code>{esc(result.check)}</code>"
        + (f" {esc(result.title)}" if result.title else "")
    )
    if result.seconds:
        line += f' <span class="counts">({esc(_seconds(result.seconds))})</span>'
    body = []
    if show_suite:
        body.append(f"<p>Suite <code>{esc(result.suite)}</code></p>")
    if result.detail:
        body.append(f"<pre>{esc(result.detail)}</pre>")
    if result.tags:
        tags = "".join(f'<span class="tag">{esc(t)}</span>' for t in result.tags)
        body.append(f"<p>Tags: {tags}</p>")
    if result.evidence:
        evidence = json.dumps(redact(result.evidence), indent=2, ensure_ascii=False, default=str)
        body.append(f"<details><summary>Evidence</summary><pre>{esc(evidence)}</pre></details>")
    if not body:
        return f'<li class="outcome-{result.outcome.value}"><div class="line">{line}</div></li>'
    opened = " open" if result.outcome in (Outcome.FAILED, Outcome.ERROR) else ""
    return (
        f'<li class="outcome-{result.outcome.value}"><details{opened}><summary>{line}</summary>'
        f'<div class="body">{"".join(body)}</div></details></li>'
    )


def _checks(results: Iterable[Result], *, show_suite: bool = False) -> str:
    return (
        '<ul class="checks">' + "".join(_check(r, show_suite=show_suite) for r in results) + "</ul>"
    )


def _suites(run: Run) -> str:
    out = ['<section aria-labelledby="checks"><h2 id="checks">Checks</h2>']
    order = implementation_names(run)
    for index, suite in enumerate(suite_order(run)):
        results = [r for r in run.results if r.suite == suite]
        own = [r for r in results if r.issuer is None or r.verifier is None]
        interop = len(results) - len(own)
        out.append(
            f'<section id="suite-{index}"><h3>Suite <code>{esc(suite)}</code> '
            f'<span class="counts">({esc(_counts_text(counts(results)))})</span></h3>'
        )
        if interop:
            out.append(
                f"<p>{interop} interop check{'s' if interop != 1 else ''}: see the "
                '<a href="#matrix">matrix</a> and its cell details.</p>'
            )
        names = [n for n in order if any(r.implementation == n for r in own)]
        names += list(dict.fromkeys(r.implementation for r in own if r.implementation not in names))
        for position, name in enumerate(names):
            group = [r for r in own if r.implementation == name]
            tally = counts(group)
            opened = " open" if tally[Outcome.FAILED] or tally[Outcome.ERROR] else ""
            out.append(
                f'<details class="group" id="suite-{index}-impl-{position}"{opened}><summary>'
                f'{esc(name)} <span class="counts">({esc(_counts_text(tally))})</span>'
                f"</summary>{_checks(group)}</details>"
            )
        if not results:
            out.append("<p>No checks ran.</p>")
        out.append("</section>")
    out.append("</section>")
    return "\n".join(out)


def render_html(run: Run) -> str:
    title = "Conformance report"
    when = f" – {run.started}" if run.started else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{esc(title + when)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<header><h1>{esc(title)}</h1>"
            '<nav aria-label="Contents"><a href="#summary">Summary</a> · '
            '<a href="#matrix">Interop matrix</a> · <a href="#checks">Checks</a></nav></header>',
            "<main>",
            _summary(run),
            _matrix(run),
            _suites(run),
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def write_html(run: Run, path: Path) -> Path:
    path.write_text(render_html(run), encoding="utf-8")
    return path
