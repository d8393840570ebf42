"""What users install works: the sdist and wheel built from exactly what the Dockerfile copies,
installed into a fresh virtual environment outside the checkout, serve every route family.

A checkout hides missing package data (an editable install reads the source tree; a symlink from
the package to a top-level folder resolves); a wheel does not. This test builds the sdist from a
copy holding only the Dockerfile's ``COPY`` set, the wheel from that sdist, installs the wheel
with its declared dependencies into a new venv, starts ``vcservice serve`` from it on SQLite in
an empty folder and runs :mod:`tests.smoke.routes` against it (the same requests as
``make docker-smoke``).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serve import free_port
from tests.smoke.routes import exercise

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.network


def dockerfile_copy_set(dockerfile: Path) -> list[str]:
    """The paths the Dockerfile copies from the build context (``COPY --from`` excluded)."""
    sources: list[str] = []
    lines = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    for line in lines:
        words = shlex.split(line, comments=True)
        if not words or words[0].upper() != "COPY":
            continue
        if any(w.startswith("--from") for w in words[1:]):
            continue  # from another stage, not from the build context
        args = [w for w in words[1:] if not w.startswith("--")]
        sources.extend(a.rstrip("/") or "." for a in args[:-1])
    return sources


def tracked_files(sources: list[str]) -> list[str]:
    """Files a clone would have under ``sources``: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *sources],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return sorted(p for p in set(listed.split("\0")) if p and (REPO / p).is_file())


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        shown = " ".join(map(str, command))
        pytest.fail(f"{shown} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout's venv or any VCSERVICE_ setting."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VCSERVICE_", "PYTHON", "VIRTUAL_ENV", "PYTEST", "COV_"))
    }
    return {**keep, **extra}


def test_the_dockerfile_copies_the_package_and_its_metadata() -> None:
    copied = dockerfile_copy_set(REPO / "Dockerfile")
    assert {"pyproject.toml", "README.md", "vcservice"} <= set(copied), copied


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bin/`` of a fresh venv with the wheel built from the Dockerfile's copy set."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in tracked_files(dockerfile_copy_set(REPO / "Dockerfile")):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    dist = work / "dist"
    # sdist first, then the wheel from the sdist: both artefacts are proven complete.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, source, cwd=work)
    wheels = sorted(dist.glob("vcservice-*.whl"))
    assert len(wheels) == 1, sorted(dist.iterdir())
    assert sorted(dist.glob("vcservice-*.tar.gz")), sorted(dist.iterdir())
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheels[0], cwd=work)
    return venv / "bin"


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, API key) of ``vcservice serve`` from the installed wheel, on SQLite."""
    home = tmp_path_factory.mktemp("served")  # an empty folder: nothing to import from here
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(
        VCSERVICE_DATABASE_URL=f"sqlite:///{home / 'vcservice.db'}", VCSERVICE_PUBLIC_URL=url
    )
    where = run(
        installed / "python", "-c", "import vcservice; print(vcservice.__file__)", cwd=home, env=env
    )
    assert Path(where.strip()).is_relative_to(installed.parent), where
    created = run(installed / "vcservice", "tenants", "create", "smoke", cwd=home, env=env)
    tenant = json.loads(created)
    log = (home / "serve.log").open("w")
    server = subprocess.Popen(
        [installed / "vcservice", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the installed service did not start:\n{_tail(home / 'serve.log')}")
            time.sleep(0.2)
        yield url, tenant["api_key"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-3000:]


def test_every_route_family_answers_from_the_installed_wheel(served: tuple[str, str]) -> None:
    url, api_key = served
    checked = exercise(url, api_key)
    assert len(checked) >= 20, checked
