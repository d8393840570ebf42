"""Run didwebvh-ts (conformance/adapters/didwebvh-ts), the DIF's did:webvh implementation.

Installed from the npm registry into a temporary directory (``npm ci`` against the committed
lock file) once, then run as a command per call: it creates logs for us to verify and resolves
ours. Without Node.js and npm the caller skips, saying so.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import REPO
from tests.node import node_unavailable, npm_install

ADAPTER = REPO / "conformance" / "adapters" / "didwebvh-ts"


def unavailable() -> str | None:
    """Why the adapter cannot run here, or None."""
    return node_unavailable("did:webvh interop with didwebvh-ts is not checked")


class DidWebvhTsError(RuntimeError):
    """didwebvh-ts refused what it was asked (its message says why)."""


@dataclass(frozen=True)
class DidWebvhTs:
    """The installed adapter; every call is one ``node webvh.mjs`` process."""

    directory: Path

    def create(self, domain: str, seed: str, *, rotate: bool = False) -> tuple[str, str]:
        """A new DID made by didwebvh-ts, and its log (``did.jsonl`` text)."""
        args = ["create", "--domain", domain, "--seed", seed]
        result = self._run([*args, "--rotate"] if rotate else args)
        return str(result["did"]), str(result["log"])

    def resolve(
        self, did: str, log: str, *, witness: str | None = None, version_number: int | None = None
    ) -> dict[str, Any]:
        """didwebvh-ts's resolution of ``log``: ``{"did", "doc", "meta"}``."""
        log_file = self.directory / "resolve.jsonl"
        log_file.write_text(log, encoding="utf-8")
        args = ["resolve", "--did", did, "--log", str(log_file)]
        if witness is not None:
            witness_file = self.directory / "resolve-witness.json"
            witness_file.write_text(witness, encoding="utf-8")
            args += ["--witness", str(witness_file)]
        if version_number is not None:
            args += ["--version-number", str(version_number)]
        return self._run(args)

    def _run(self, args: list[str]) -> dict[str, Any]:
        done = subprocess.run(
            ["node", "webvh.mjs", *args],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        try:
            output: dict[str, Any] = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise DidWebvhTsError(f"no JSON from didwebvh-ts: {done.stderr[-2000:]}") from None
        if done.returncode != 0 or "error" in output:
            raise DidWebvhTsError(str(output.get("error", done.stderr[-2000:])))
        return output


def install(workdir: Path) -> DidWebvhTs:
    """Copy the adapter to ``workdir`` and install its locked dependencies there."""
    return DidWebvhTs(npm_install(ADAPTER, workdir / "didwebvh-ts"))
