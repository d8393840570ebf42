"""The reports of a run: ``report.json`` (machines), ``junit.xml`` (CI systems) and
``report.html`` (people; one self-contained page, readable with no network)."""

from __future__ import annotations

from pathlib import Path

from conformance.model import Run
from conformance.report.html import render_html, write_html
from conformance.report.json_report import render_json, write_json
from conformance.report.junit import render_junit, write_junit

JSON_NAME, JUNIT_NAME, HTML_NAME = "report.json", "junit.xml", "report.html"

__all__ = [
    "HTML_NAME",
    "JSON_NAME",
    "JUNIT_NAME",
    "render_html",
    "render_json",
    "render_junit",
    "write_reports",
]


def write_reports(run: Run, directory: Path) -> list[Path]:
    """Write the three reports into ``directory`` (created if needed); their paths, in the
    order JSON, JUnit XML, HTML."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        write_json(run, directory / JSON_NAME),
        write_junit(run, directory / JUNIT_NAME),
        write_html(run, directory / HTML_NAME),
    ]
