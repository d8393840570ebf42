"""``make docker-smoke``: the route smoke against the container image, then against compose.

1. builds the image from the Dockerfile (``--base-image`` is its ``BASE_IMAGE``);
2. runs it on a free loopback port with SQLite in its ``/data`` volume, creates a tenant inside it
   (``vcservice tenants create``) and runs :func:`tests.smoke.routes.exercise` against it;
3. the same with ``compose.yaml`` (the image just built, PostgreSQL from ``--postgres-image``).

Containers, volumes and the compose project are removed whatever happens; the image stays tagged
(``--tag``) so that the next build is cached. One line per step, then the verdict; exit 0 when
everything passed, 1 when a step failed, 2 when no Docker daemon (or no compose) is reachable.
Run from the repository root with the project's virtual environment:

    .venv/bin/python tests/smoke/docker/docker_smoke.py --base-image python:3.11-slim
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import cast

REPO = Path(__file__).resolve().parents[3]
Exercise = Callable[[str, str], list[str]]


class StepError(Exception):
    """A step of the smoke failed; the message says what happened."""


def say(line: str) -> None:
    print(f"docker-smoke: {line}", flush=True)


def run(*command: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run ``command`` in the repository; its stdout, or :class:`StepError` with its output."""
    try:
        done = subprocess.run(
            command,
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise StepError(f"{' '.join(command)} did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()[-25:]
        raise StepError(
            f"{' '.join(command)} exited {done.returncode}:\n    " + "\n    ".join(output)
        )
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=3) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            raise StepError(f"{url}/healthz did not answer 200 within {timeout:.0f} s")
        time.sleep(0.5)


def api_key(tenant_json: str) -> str:
    try:
        return str(json.loads(tenant_json)["api_key"])
    except (ValueError, KeyError, TypeError) as exc:
        raise StepError(f"tenants create printed no api_key: {tenant_json[:300]!r}") from exc


def smoke_routes(exercise: Exercise, url: str, key: str) -> str:
    try:
        checked = exercise(url, key)
    except AssertionError as exc:
        raise StepError(f"route smoke: {exc}") from exc
    except Exception as exc:  # any error of the HTTP client is a failed smoke
        raise StepError(f"route smoke: {type(exc).__name__}: {exc}") from exc
    return f"{len(checked)} checks: " + "; ".join(checked)


def compose_command() -> list[str]:
    """``docker compose`` (v2 plugin) when it works, else ``docker-compose`` (v1)."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return command
    raise StepError("neither `docker compose` nor `docker-compose` works here")


class Smoke:
    def __init__(self, args: argparse.Namespace, exercise: Exercise, compose: list[str]) -> None:
        self.args = args
        self.compose_command = compose
        self.exercise = exercise
        self.name = f"vcservice-smoke-{os.getpid()}"
        self.passed: list[str] = []

    def step(self, what: str, result: str = "ok") -> None:
        self.passed.append(what)
        say(f"ok   {what}: {result}")

    def build(self) -> None:
        run(
            "docker",
            "build",
            "--build-arg",
            f"BASE_IMAGE={self.args.base_image}",
            "--tag",
            self.args.tag,
            ".",
            timeout=1800,
        )
        size = run("docker", "image", "inspect", "--format", "{{.Size}}", self.args.tag)
        self.step(
            f"build {self.args.tag} FROM {self.args.base_image}",
            f"{int(size) / 1e6:.0f} MB",
        )

    @contextmanager
    def container(self) -> Iterator[str]:
        try:
            yield self.name
        finally:
            subprocess.run(["docker", "rm", "--force", "--volumes", self.name], capture_output=True)

    def image(self) -> None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with self.container() as name:
            run(
                "docker",
                "run",
                "--detach",
                "--name",
                name,
                "--publish",
                f"127.0.0.1:{port}:8000",
                "--env",
                f"VCSERVICE_PUBLIC_URL={url}",
                self.args.tag,
            )
            try:
                wait_healthy(url)
                self.step("image: container serves on SQLite", url)
                user = run("docker", "exec", name, "id", "-un").strip()
                if user != "vcservice":
                    raise StepError(f"the container runs as {user!r}, not vcservice")
                self.step("image: runs as an unprivileged user", user)
                created = run("docker", "exec", name, "vcservice", "tenants", "create", "smoke")
                key = api_key(created)
                self.step("image: vcservice tenants create smoke", "api_key printed")
                self.step("image: route smoke", smoke_routes(self.exercise, url, key))
                self.wait_docker_health(name)
            except StepError:
                logs = subprocess.run(["docker", "logs", "--tail", "30", name], capture_output=True)
                say("container log (last 30 lines):\n" + (logs.stdout + logs.stderr).decode())
                raise

    def wait_docker_health(self, name: str, timeout: float = 75) -> None:
        deadline = time.monotonic() + timeout
        status = ""
        while time.monotonic() < deadline:
            status = run("docker", "inspect", "--format", "{{.State.Health.Status}}", name).strip()
            if status in ("healthy", "unhealthy"):
                break
            time.sleep(2)
        if status != "healthy":
            raise StepError(f"the image's HEALTHCHECK reports {status!r}, not healthy")
        self.step("image: Docker HEALTHCHECK", status)

    def compose(self) -> None:
        command = self.compose_command
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory(prefix="vcservice-smoke-") as tmp:
            secret = Path(tmp) / "secret.txt"
            secret.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
            secret.chmod(0o644)  # read by the container's unprivileged user
            env = {
                **os.environ,
                "BASE_IMAGE": self.args.base_image,
                "POSTGRES_IMAGE": self.args.postgres_image,
                "VCSERVICE_IMAGE": self.args.tag,
                "VCSERVICE_PORT": str(port),
                "VCSERVICE_PUBLIC_URL": url,
                "VCSERVICE_SECRET_FILE": str(secret),
            }
            project = [*command, "--project-name", self.name.replace("-", ""), "-f", "compose.yaml"]
            try:
                run(*project, "up", "--detach", "--no-build", env=env, timeout=300)
                wait_healthy(url)
                self.step(f"compose: vcservice + {self.args.postgres_image} up", url)
                created = run(
                    *project, "exec", "-T", "vcservice", "vcservice", "tenants", "create", "smoke",
                    env=env,
                )  # fmt: skip
                key = api_key(created)
                self.step("compose: vcservice tenants create smoke", "api_key printed")
                self.step("compose: route smoke", smoke_routes(self.exercise, url, key))
            except StepError:
                logs = subprocess.run(
                    [*project, "logs", "--no-color", "--tail", "30"], env=env, capture_output=True
                )
                say("compose log (last 30 lines each):\n" + (logs.stdout + logs.stderr).decode())
                raise
            finally:
                subprocess.run(
                    [*project, "down", "--volumes", "--remove-orphans"],
                    env=env,
                    capture_output=True,
                )


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the clean-ups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="make docker-smoke")
    parser.add_argument("--base-image", default="python:3.11-slim")
    parser.add_argument("--postgres-image", default="postgres:16")
    parser.add_argument("--tag", default="vcservice:smoke", help="the image built")
    parser.add_argument("--routes-module", default="tests.smoke.routes")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)

    probe = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True
    ) if shutil.which("docker") else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        why = "no docker command" if probe is None else probe.stderr.strip().replace("\n", " ")
        say(f"FAILED: no Docker daemon reachable ({why}); start dockerd or set DOCKER_HOST")
        return 2
    try:
        compose = compose_command()
    except StepError as exc:
        say(f"FAILED: {exc}")
        return 2
    say(f"ok   Docker daemon {probe.stdout.strip()} reachable; compose: {' '.join(compose)}")

    sys.path.insert(0, str(REPO))
    try:
        exercise = cast(Exercise, importlib.import_module(args.routes_module).exercise)
    except (ImportError, AttributeError) as exc:
        say(f"FAILED: no route smoke {args.routes_module}.exercise ({exc})")
        return 2
    smoke = Smoke(args, exercise, compose)
    current = "build"
    try:
        smoke.build()
        current = "image"
        smoke.image()
        current = "compose"
        smoke.compose()
    except StepError as exc:
        say(f"FAIL {current}: {exc}")
        say(f"FAILED at {current} ({len(smoke.passed)} steps passed before)")
        return 1
    say(f"PASSED: {len(smoke.passed)} steps (image and compose with {args.postgres_image})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
