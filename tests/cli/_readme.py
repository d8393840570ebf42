"""Run the README's shell blocks as a user would: read from the README text itself, so a command
the README shows is a command the tests run, and the two cannot drift apart.

Commands run with bash in a temporary directory laid out like the repository root (``.venv``
and the example files it names), never in the checkout: running them there would leave keys,
signed files and a database in the working tree.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"

_FENCE = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)


def section(title: str) -> str:
    """The README text under ``## title`` up to the next heading of level 2 or 3 (the service's
    section goes on with Docker commands that are not part of its walk-through)."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^#{{2,3}} |\Z)", text, re.S | re.M)
    assert match, f"README.md has no section '## {title}'"
    return match.group(1)


def sh_blocks(title: str) -> list[list[str]]:
    """Each ```sh block of the section as its commands: lines joined while a backslash continues
    them or a quotation is open (a JSON request body spans lines), lines that are only comments
    (the README's aligned explanations) and blank lines dropped."""
    blocks = []
    for body in _FENCE.findall(section(title)):
        commands: list[str] = []
        pending = ""
        for line in body.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending += line + "\n"
            if not line.endswith("\\") and _complete(pending):
                commands.append(pending.rstrip("\n"))
                pending = ""
        assert not pending, f"unterminated continuation in {title!r}: {pending}"
        blocks.append(commands)
    return blocks


def _complete(text: str) -> bool:
    try:
        shlex.split(text, comments=True)
    except ValueError:  # "No closing quotation"
        return False
    return True


@dataclass
class Result:
    command: str
    returncode: int
    stdout: str
    stderr: str


def user_environment() -> dict[str, str]:
    """The environment of a fresh shell: no VCSERVICE_* setting leaking in from the test run,
    so every command uses the defaults the README describes (e.g. ``./vcservice.db``)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("VCSERVICE_")}


def forget_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drop VCSERVICE_* from this process too, so a service the test starts reads the same
    defaults (database, development key file) as the commands it runs beside."""
    for name in list(os.environ):
        if name.startswith("VCSERVICE_"):
            monkeypatch.delenv(name)


def workspace(root: Path, commands: list[str]) -> Path:
    """``root`` laid out like the repository root for ``commands``: ``.venv`` is the environment
    running the tests (a symbolic link, so activating it works as in the checkout), and every
    ``examples/...`` path the commands name is copied in."""
    prefix = Path(sys.prefix)
    if (prefix / "bin" / "activate").is_file():
        (root / ".venv").symlink_to(prefix, target_is_directory=True)
    else:  # not a virtual environment: a stand-in whose activate puts this Python's bin first
        bin_dir = root / ".venv" / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "activate").write_text(f'PATH="{Path(sys.executable).parent}:$PATH"\n')
        (bin_dir / "vcservice").symlink_to(Path(sys.executable).parent / "vcservice")
    for name in sorted(set(re.findall(r"\bexamples/[\w./-]+", "\n".join(commands)))):
        source = REPO / name
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif not target.exists():
            shutil.copy2(source, target)
    return root


def run(
    commands: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> list[Result]:
    """Run ``commands`` in order in one bash process (so ``. .venv/bin/activate`` holds for the
    rest), each one's output and exit status captured on its own. A failing command does not
    stop the rest: the test names every command that did not do what the README says."""
    out = cwd / ".readme-run"
    out.mkdir()
    script = []
    for n, command in enumerate(commands):
        # A group keeps the command's own redirections (`> signed.json`) working.
        script.append(f'{{\n{command}\n}} >"{out}/{n}.out" 2>"{out}/{n}.err"\n')
        script.append(f'echo $? >"{out}/{n}.rc"\n')
    subprocess.run(
        ["bash", "-c", "".join(script)],
        cwd=cwd,
        env=env if env is not None else user_environment(),
        check=False,
        timeout=timeout,
    )
    results = []
    for n, command in enumerate(commands):
        rc = out / f"{n}.rc"
        assert rc.is_file(), f"the shell stopped before {command!r}"
        results.append(
            Result(
                command,
                int(rc.read_text()),
                (out / f"{n}.out").read_text(encoding="utf-8", errors="replace"),
                (out / f"{n}.err").read_text(encoding="utf-8", errors="replace"),
            )
        )
    shutil.rmtree(out)
    return results
