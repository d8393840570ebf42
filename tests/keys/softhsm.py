"""A throwaway SoftHSM2 token for tests: one per pytest process, made on first use.

SoftHSM2 reads its configuration (``$SOFTHSM2_CONF``, naming the token directory) once, when
the library is first loaded, and python-pkcs11 keeps one loaded library per path for the whole
process. So the configuration cannot change per test: the session fixture ``softhsm`` writes a
``softhsm2.conf`` pointing into a fresh temporary directory, sets ``SOFTHSM2_CONF`` before
anything loads the library, initialises one token with ``softhsm2-util`` and keeps it in the
run's ``config.stash`` (as ``tests/pg.py`` does), so every conftest importing it shares it.
Tests make keys with unique labels and never need a token of their own; each pytest-xdist worker
is its own process with its own directory. Any test that loads the SoftHSM2 library must go
through this fixture, or the library would read the wrong configuration.

``make test-deps`` installs Debian's ``softhsm2``; without it the fixture skips, saying so.
Make the fixture visible with ``from tests.keys.softhsm import softhsm  # noqa: F401``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from pydantic import SecretStr

from vcservice.keys._pkcs11 import Pkcs11Config

TOKEN_LABEL = "vcservice-test"
PIN = "1234"
SO_PIN = "12345678"
NOT_FOUND = "SoftHSM2 not found: run `make test-deps` (Debian softhsm2)"
_STASH = pytest.StashKey[Pkcs11Config]()


def find_module() -> str | None:
    """The SoftHSM2 PKCS#11 module Debian installs (plain or multiarch directory), or None."""
    candidates = [
        "/usr/lib/softhsm/libsofthsm2.so",
        *glob.glob("/usr/lib/*/softhsm/libsofthsm2.so"),
    ]
    return next((path for path in candidates if os.path.isfile(path)), None)


def _make_token(module: str, util: str, directory: Path) -> Pkcs11Config:
    tokens = directory / "tokens"
    tokens.mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [util, "--init-token", "--free", "--label", TOKEN_LABEL, "--so-pin", SO_PIN, "--pin", PIN],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )
    return Pkcs11Config(module, TOKEN_LABEL, SecretStr(PIN))


@pytest.fixture(scope="session")
def softhsm(request: pytest.FixtureRequest) -> Pkcs11Config:
    """The configuration of this process's SoftHSM2 token (user PIN ``PIN``)."""
    config = request.config
    if _STASH not in config.stash:
        module, util = find_module(), shutil.which("softhsm2-util")
        if module is None or util is None:
            pytest.skip(NOT_FOUND)
        directory = Path(tempfile.mkdtemp(prefix="vcs-softhsm-"))
        config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))
        config.stash[_STASH] = _make_token(module, util, directory)
    return config.stash[_STASH]
