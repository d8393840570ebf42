"""The bundled loader is fail-closed, hash-pinned and isolated from pyld's global cache."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path
from typing import Any

import pytest

from vcservice.errors import ContextNotAllowedError, InputError
from vcservice.jsonld import BUNDLED_CONTEXTS, bundled_loader, expand, rdfc

from ..conftest import W3C

V2 = "https://www.w3.org/ns/credentials/v2"
FOREIGN = "https://contexts.example.net/minerals/v9"


def _credential(*contexts: str) -> dict[str, Any]:
    return {
        "@context": [V2, *contexts],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }


def test_every_bundled_context_loads_and_matches_its_pin() -> None:
    loader = bundled_loader()
    for entry in BUNDLED_CONTEXTS:
        remote = loader(entry.url, {})
        assert remote["documentUrl"] == entry.url
        assert "@context" in remote["document"]
    assert len(loader.urls) == len(BUNDLED_CONTEXTS)


def test_bundled_w3c_contexts_are_byte_identical_to_the_fixtures() -> None:
    package = Path(__file__).resolve().parents[2] / "vcservice" / "jsonld" / "contexts"
    for name in (
        "credentials-v2.jsonld",
        "credentials-v1.jsonld",
        "bitstring-status-list-v1.jsonld",
    ):
        assert (package / name).read_bytes() == (W3C / "contexts" / name).read_bytes()


def test_unknown_url_is_refused_by_name() -> None:
    with pytest.raises(ContextNotAllowedError) as info:
        bundled_loader()(FOREIGN, {})
    assert info.value.url == FOREIGN
    assert FOREIGN in str(info.value)


@pytest.mark.parametrize("operation", [rdfc, expand])
def test_processing_a_foreign_context_names_it_and_opens_no_socket(
    operation: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def guard(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    with pytest.raises(ContextNotAllowedError) as info:
        operation(_credential(FOREIGN), bundled_loader())
    assert FOREIGN in info.value.detail
    assert attempts == []


def test_registered_context_requires_matching_hash(tmp_path: Path) -> None:
    path = tmp_path / "ctx.jsonld"
    path.write_bytes(b'{"@context": {"ore": "https://minerals.example/ore#"}}')
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    loader = bundled_loader().with_context(FOREIGN, path, digest)
    assert FOREIGN in loader
    assert FOREIGN not in bundled_loader(), "registration must not leak into the default loader"
    with pytest.raises(InputError, match="SHA-256"):
        bundled_loader().with_context(FOREIGN, path, "00" * 32)


def test_context_cache_does_not_leak_between_loaders(tmp_path: Path) -> None:
    """pyld caches resolved contexts by URL; a context allowed in one loader must not become
    usable through another loader that never allowed it."""
    path = tmp_path / "ctx.jsonld"
    path.write_bytes(b'{"@context": {"grade": "https://minerals.example/grade"}}')
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    permissive = bundled_loader().with_context(FOREIGN, path, digest)
    document = {**_credential(FOREIGN), "credentialSubject": {"id": "did:ex:s", "grade": "A"}}
    assert "minerals.example/grade" in rdfc(document, permissive)
    with pytest.raises(ContextNotAllowedError):
        rdfc(document, bundled_loader())


def test_conflicting_registration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v2.jsonld"
    path.write_bytes(b'{"@context": {}}')
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(InputError, match="already registered"):
        bundled_loader().with_context(V2, path, digest)
