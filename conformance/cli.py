"""``vcservice-conformance`` (also ``python -m conformance``).

``run --config platforms.toml [--suite S]... [--implementation NAME]... [--report DIR]`` runs the
suites over the implementations in the configuration; ``files PATH...`` checks credential files
directly (the ``files`` suite: data model, UNTP and extension schemas, offline signatures, hash
links between the files), no endpoint needed. Exit codes: 0 all passed (skips are fine), 1 a
check failed or could not run (``error``), 2 the configuration or a name is unusable.

With ``--report DIR``, ``--sign-with KEYFILE`` (a key file as ``vcservice keys generate --out``
writes) also writes ``DIR/conformance-credential.json``: the results as a UNTP 0.7.0
DigitalConformityCredential, vc+jwt, signed by that key and binding ``report.json`` by digest
(:mod:`conformance.report.credential`). An unusable key file, ``--sign-with`` without
``--report`` or a ``--report-url`` that is not an absolute http(s) URL exit 2 before anything
runs; a credential that could not be written after the run makes the exit code 1.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console

from conformance import runner
from conformance.model import Run
from conformance.report.credential import DEFAULT_OPERATOR, CredentialError, write_credential
from conformance.suites import available
from conformance.suites.files import check_files

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Conformance harness: W3C VC 2.0, VC API, UNTP 0.7.0 and provenance graphs.",
)

SignWith = Annotated[
    Path | None,
    typer.Option(
        "--sign-with",
        help="Also write conformance-credential.json beside the reports: the results as a UNTP "
        "DigitalConformityCredential (vc+jwt) signed with this key file ('vcservice keys "
        "generate --out'). Needs --report.",
    ),
]
Operator = Annotated[
    str, typer.Option("--operator", help="The credential's issuer name (the harness operator).")
]
ReportUrl = Annotated[
    str | None,
    typer.Option(
        "--report-url",
        help="Where report.json will be published; the credential links it there "
        "(default: its file: URL).",
    ),
]


def _signer(sign_with: Path | None, report: Path | None, report_url: str | None) -> Any:
    """The operator's signer for ``--sign-with``, or None; exit 2 (nothing has run yet) when
    the key file, or what goes with it, is unusable."""
    from vcservice.errors import VCServiceError
    from vcservice.keys import read_key_file

    err = Console(stderr=True)
    if sign_with is None:
        if report_url is not None:
            err.print("--report-url needs --sign-with", markup=False, highlight=False)
            raise typer.Exit(runner.EXIT_CONFIG)
        return None
    if report is None:
        err.print("--sign-with needs --report DIR (the credential binds report.json)",
                  markup=False, highlight=False)  # fmt: skip
        raise typer.Exit(runner.EXIT_CONFIG)
    if report_url is not None:
        parts = urlsplit(report_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            err.print(f"--report-url must be an absolute http(s) URL, not {report_url!r}",
                      markup=False, highlight=False)  # fmt: skip
            raise typer.Exit(runner.EXIT_CONFIG)
    try:
        return read_key_file(sign_with)
    except VCServiceError as exc:
        err.print(f"unusable key file for --sign-with: {exc.detail}", markup=False,
                  highlight=False, soft_wrap=True)  # fmt: skip
        raise typer.Exit(runner.EXIT_CONFIG) from None


def _sign(code: int, report: Path | None, signer: Any, operator: str, url: str | None) -> int:
    """After a run that wrote its reports (exit 0 or 1), write the signed credential; the exit
    code (1 when the credential could not be written)."""
    if signer is None or report is None or code not in (runner.EXIT_OK, runner.EXIT_FAILED):
        return code
    try:
        path = write_credential(report, signer, operator=operator, report_url=url)
    except (CredentialError, OSError) as exc:
        Console(stderr=True).print(f"conformance credential not written: {exc}",
                                   markup=False, highlight=False, soft_wrap=True)  # fmt: skip
        return runner.EXIT_FAILED
    Console().print(f"report: {path}", markup=False, highlight=False, soft_wrap=True)
    return code


@app.command()
def run(
    config: Annotated[Path, typer.Option("--config", "-c", help="platforms.toml")],
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", "-s", help="A suite to run (repeatable; default: all)."),
    ] = None,
    implementation: Annotated[
        list[str] | None,
        typer.Option("--implementation", "-i", help="Only this implementation (repeatable)."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", "-r", help="Write JSON, JUnit and HTML reports here.")
    ] = None,
    fixtures: Annotated[
        Path | None, typer.Option(help="The shared fixtures (overrides settings.fixtures).")
    ] = None,
    examples: Annotated[
        Path, typer.Option(help="The example chains (graph and untp suites).")
    ] = runner.DEFAULT_EXAMPLES,
    file: Annotated[
        list[Path] | None, typer.Option("--file", help="A credential file for the files suite.")
    ] = None,
    sign_with: SignWith = None,
    operator: Operator = DEFAULT_OPERATOR,
    report_url: ReportUrl = None,
) -> None:
    """Run the suites over the implementations of a configuration."""
    signer = _signer(sign_with, report, report_url)
    code = runner.run_from_config(
        config,
        suites=suite,
        implementations=implementation,
        report=report,
        fixtures=fixtures,
        examples=examples,
        files=file or (),
    )
    raise typer.Exit(_sign(code, report, signer, operator, report_url))


@app.command()
def files(
    paths: Annotated[list[Path], typer.Argument(help="Credential files (JSON or vc+jwt).")],
    report: Annotated[
        Path | None, typer.Option("--report", "-r", help="Write reports here.")
    ] = None,
    sign_with: SignWith = None,
    operator: Operator = DEFAULT_OPERATOR,
    report_url: ReportUrl = None,
) -> None:
    """Check credential files directly: no endpoint needed."""
    signer = _signer(sign_with, report, report_url)
    console = Console()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        Console(stderr=True).print(f"not a file: {', '.join(missing)}", markup=False)
        raise typer.Exit(runner.EXIT_CONFIG)
    started = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    run = Run(started=started, suites=["files"], versions=runner.versions())
    progress = runner.make_progress(console)
    progress.suite("files")
    try:
        for result in check_files(paths):
            run.results.append(result)
            progress.result(result)
    finally:
        run.finished = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        progress.close(run)
    code = runner.finish(run, report, console)
    raise typer.Exit(_sign(code, report, signer, operator, report_url))


@app.command("suites")
def list_suites() -> None:
    """List the suites available here."""
    for name in available():
        typer.echo(name)


def main() -> None:
    app(prog_name="vcservice-conformance")
