"""The configured status-list length: refused at start-up unless valid, taken by new lists
only (the open list keeps its own until it is full)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from vcservice.keys import KeyType
from vcservice.service import Service
from vcservice.settings import Settings


@pytest.mark.parametrize("length", [8, 131_064, 131_076, (1 << 24) + 8])
def test_invalid_lengths_are_a_startup_error(length: int) -> None:
    with pytest.raises(ValidationError, match="status_list_length"):
        Settings(status_list_length=length)


def test_env_sets_the_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCSERVICE_STATUS_LIST_LENGTH", "262144")
    assert Settings().status_list_length == 262_144
    assert Settings.model_fields["status_list_length"].default == 131_072


def test_new_lists_take_the_configured_length(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        secret_key=SecretStr("A" * 43),
    )
    service = Service.from_settings(settings)
    try:
        tenant, _ = service.store.create_tenant("acme", "did:web:acme.example", KeyType.ED25519)
        lists = service._status_lists  # the resource the issuing path uses
        first = lists.allocate(tenant.id, "revocation")
        service.settings = settings.model_copy(update={"status_list_length": 262_144})
        same = service._status_lists.allocate(tenant.id, "revocation")
        suspension = service._status_lists.allocate(tenant.id, "suspension")
        lengths = [
            service.store.status_list(entry.list_id).length  # type: ignore[union-attr]
            for entry in (first, same, suspension)
        ]
        assert same.list_id == first.list_id
        assert lengths == [131_072, 131_072, 262_144]
    finally:
        service.close()
