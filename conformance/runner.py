"""Runs suites over implementations, shows progress, collects a :class:`Run`, writes reports.

Exit codes (:func:`exit_code`): ``0`` every result passed or was skipped; ``1`` any ``failed``
or ``error`` result (an error is not a verdict, but neither is it a pass: it is listed and fails
the run); ``2`` the run could not start (unusable configuration, unknown suite or
implementation). A suite that crashes half-way is recorded as an ``error`` result
(``<suite>.crashed``) and the run goes on with the next suite.
"""

from __future__ import annotations

import platform
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

import httpx
from rich.console import Console
from rich.live import Live
from rich.text import Text

from conformance import suites as registry
from conformance.config import ROLES, Config, ConfigError, Implementation, load_config
from conformance.context import Suite, SuiteContext
from conformance.model import Outcome, Result, Run
from conformance.report import write_reports
from conformance.report._common import redact, safe_text

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
#: The repository's examples/ (chains, bundles, negatives), when running from a checkout.
DEFAULT_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_MARK = {
    Outcome.PASSED: ("PASS", "green"),
    Outcome.FAILED: ("FAIL", "red"),
    Outcome.SKIPPED: ("SKIP", "yellow"),
    Outcome.ERROR: ("ERR ", "magenta"),
}


class Progress(Protocol):
    def suite(self, name: str) -> None: ...
    def result(self, result: Result) -> None: ...
    def close(self, run: Run) -> None: ...


def _secrets(config: Config) -> list[str]:
    """The configured tokens, longest first (so a token containing another is hidden whole)."""
    tokens = {
        endpoint.token
        for implementation in config.implementations
        for endpoint in (getattr(implementation, role) for role in ROLES)
        if endpoint is not None and endpoint.token and len(endpoint.token) >= 6
    }
    return sorted(tokens, key=len, reverse=True)


def _hide(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "[redacted]")
        return value
    if isinstance(value, dict):
        return {key: _hide(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_hide(item, secrets) for item in value]
    return value


def _scrub(result: Result, secrets: list[str]) -> Result:
    """A result with every configured token removed, whatever an implementation echoed."""
    if not secrets:
        return result
    return replace(
        result,
        title=_hide(result.title, secrets),
        detail=_hide(result.detail, secrets),
        evidence=_hide(result.evidence, secrets),
    )


def _line(result: Result) -> str:
    who = result.implementation
    if result.issuer and result.verifier:
        who = f"{result.issuer} → {result.verifier}"
    text = f"{_MARK[result.outcome][0]} {result.check} [{who}]"
    if result.detail and result.outcome != Outcome.PASSED:
        text = f"{text} {result.detail}"
    # What an implementation answered reaches the terminal: no escape sequences, no secrets.
    return safe_text(redact(text))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[o.value]} {o.value}" for o in Outcome)


class PlainProgress:
    """One line per result (for logs and CI), a summary line at the end."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._counts = {o.value: 0 for o in Outcome}

    def suite(self, name: str) -> None:
        print(f"== suite {name}", file=self._stream, flush=True)

    def result(self, result: Result) -> None:
        self._counts[result.outcome.value] += 1
        print(_line(result), file=self._stream, flush=True)

    def close(self, run: Run) -> None:
        print(f"== {_counts(run.counts())}", file=self._stream, flush=True)


class LiveProgress:
    """A live status line with the counts; failures and errors are printed above it."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._counts = {o.value: 0 for o in Outcome}
        self._suite = ""
        self._check = ""
        self._live = Live(self._render(), console=console, refresh_per_second=8, transient=True)
        self._live.start()

    def _render(self) -> Text:
        text = Text()
        text.append(f"{self._suite or 'starting'} ", style="bold")
        for outcome in Outcome:
            style = _MARK[outcome][1]
            text.append(f" {self._counts[outcome.value]} {outcome.value}", style=style)
        if self._check:
            text.append(f"  {self._check}", style="dim")
        return text

    def suite(self, name: str) -> None:
        self._suite = name
        self._live.update(self._render())

    def result(self, result: Result) -> None:
        self._counts[result.outcome.value] += 1
        self._check = result.check
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            self._live.console.print(Text(_line(result), style=_MARK[result.outcome][1]))
        self._live.update(self._render())

    def close(self, run: Run) -> None:
        self._live.stop()
        style = "bold green" if run.ok else "bold red"
        self._console.print(Text(_counts(run.counts()), style=style))


def make_progress(console: Console | None = None) -> Progress:
    """Live display on a terminal, plain lines otherwise."""
    console = console or Console()
    if console.is_terminal:
        return LiveProgress(console)
    return PlainProgress(cast(TextIO, console.file))


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("vcservice", "httpx"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def resolve_suites(names: Sequence[str] | None) -> list[str]:
    """The suites to run, in run order; ConfigError for an unknown one."""
    known = registry.available()
    if not names:
        return known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"unknown suite {', '.join(unknown)}; available: {', '.join(known)}")
    return [n for n in known if n in names]


def execute(
    config: Config,
    *,
    suites: Sequence[str] | None = None,
    implementations: Sequence[str] | None = None,
    http: httpx.Client | None = None,
    fixtures: Path | None = None,
    examples: Path | None = DEFAULT_EXAMPLES,
    files: Sequence[Path] = (),
    progress: Progress | None = None,
) -> Run:
    """Run ``suites`` (all available by default) over the named implementations (all by
    default). Raises ConfigError before anything runs if a name is unknown."""
    chosen: tuple[Implementation, ...] = config.named(list(implementations or []))
    names = resolve_suites(suites)
    fixtures = fixtures or config.fixtures
    own_http = http is None
    client = http or httpx.Client(timeout=config.timeout, follow_redirects=False)
    run = Run(
        started=_now(),
        implementations=[i.summary() for i in chosen],
        suites=names,
        versions=versions(),
    )
    secrets = _secrets(config)
    context = SuiteContext(
        config=config,
        implementations=chosen,
        http=client,
        fixtures=fixtures if fixtures is not None and fixtures.is_dir() else None,
        examples=examples if examples is not None and examples.is_dir() else None,
        files=tuple(files),
    )
    try:
        for name in names:
            if progress is not None:
                progress.suite(name)
            for found in _guarded(name, registry.get(name), context):
                result = _scrub(found, secrets)
                run.results.append(result)
                if progress is not None:
                    progress.result(result)
    finally:
        if own_http:
            client.close()
        run.finished = _now()
        if progress is not None:
            progress.close(run)
    return run


def _guarded(name: str, suite: Suite, context: SuiteContext) -> Iterator[Result]:
    """The suite's results; a crash inside it becomes one ``<suite>.crashed`` error."""
    try:
        yield from suite(context)
    except Exception as exc:  # noqa: BLE001 - reported as a result, the run goes on
        where = traceback.extract_tb(exc.__traceback__)
        last = f" ({where[-1].filename.rsplit('/', 1)[-1]}:{where[-1].lineno})" if where else ""
        yield Result(
            check=f"{name}.crashed",
            suite=name,
            outcome=Outcome.ERROR,
            implementation=", ".join(i.name for i in context.implementations) or "-",
            title=f"The {name} suite stopped",
            detail=f"{type(exc).__name__}: {exc}{last}",
            tags=(name, "harness"),
        )


def exit_code(run: Run) -> int:
    return EXIT_OK if run.ok else EXIT_FAILED


def problems(run: Run) -> list[Result]:
    """Every failed and error result, for the closing list."""
    return [r for r in run.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]


def run_from_config(
    config_path: Path,
    *,
    suites: Sequence[str] | None = None,
    implementations: Sequence[str] | None = None,
    report: Path | None = None,
    fixtures: Path | None = None,
    examples: Path | None = DEFAULT_EXAMPLES,
    files: Sequence[Path] = (),
    console: Console | None = None,
    http: httpx.Client | None = None,
) -> int:
    """What ``vcservice-conformance run`` does; returns the exit code."""
    console = console or Console()
    err = Console(stderr=True) if console.file is sys.stdout else console
    try:
        config = load_config(config_path)
        config.named(list(implementations or []))
        resolve_suites(suites)
    except ConfigError as exc:
        err.print(f"configuration error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return EXIT_CONFIG
    run = execute(
        config,
        suites=suites,
        implementations=implementations,
        http=http,
        fixtures=fixtures,
        examples=examples,
        files=files,
        progress=make_progress(console),
    )
    return finish(run, report, console)


def finish(run: Run, report: Path | None, console: Console) -> int:
    """List the problems, write the reports, return the exit code."""
    bad = problems(run)
    if bad:
        console.print(f"{len(bad)} not ok:", markup=False, highlight=False, soft_wrap=True)
        for result in bad:
            console.print(f"  {_line(result)}", markup=False, highlight=False, soft_wrap=True)
    if report is not None:
        for path in write_reports(run, report):
            console.print(f"report: {path}", markup=False, highlight=False, soft_wrap=True)
    return exit_code(run)
