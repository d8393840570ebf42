"""``vcservice-conformance`` (also ``python -m conformance``).

``run --config platforms.toml [--suite S]... [--implementation NAME]... [--report DIR]`` runs the
suites over the implementations in the configuration; ``files PATH...`` checks credential files
directly (the ``files`` suite: data model, UNTP and extension schemas, offline signatures, hash
links between the files), no endpoint needed. Exit codes: 0 all passed (skips are fine), 1 a
check failed or could not run (``error``), 2 the configuration or a name is unusable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from conformance import runner
from conformance.model import Run
from conformance.suites import available
from conformance.suites.files import check_files

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Conformance harness: W3C VC 2.0, VC API, UNTP 0.7.0 and provenance graphs.",
)


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
) -> None:
    """Run the suites over the implementations of a configuration."""
    raise typer.Exit(
        runner.run_from_config(
            config,
            suites=suite,
            implementations=implementation,
            report=report,
            fixtures=fixtures,
            examples=examples,
            files=file or (),
        )
    )


@app.command()
def files(
    paths: Annotated[list[Path], typer.Argument(help="Credential files (JSON or vc+jwt).")],
    report: Annotated[
        Path | None, typer.Option("--report", "-r", help="Write reports here.")
    ] = None,
) -> None:
    """Check credential files directly: no endpoint needed."""
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
    raise typer.Exit(runner.finish(run, report, console))


@app.command("suites")
def list_suites() -> None:
    """List the suites available here."""
    for name in available():
        typer.echo(name)


def main() -> None:
    app(prog_name="vcservice-conformance")
