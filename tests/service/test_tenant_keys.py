"""Issue 18's acceptance, at the service: a did:webvh tenant rotates twice and everything it
ever issued still verifies; a PKCS#11 tenant signs in both formats with a key that never
leaves the token, also after a restart; every key operation and signature is on the trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from sqlalchemy import text

from tests.keys.softhsm import softhsm  # noqa: F401
from tests.webvh import webvh_settings
from vcservice.errors import InputError
from vcservice.keys import KeyType
from vcservice.keys._pkcs11 import Pkcs11Config
from vcservice.keys.audit import first_break
from vcservice.report import VerificationReport
from vcservice.service import IssueCommand, IssuedCredential, Service
from vcservice.store import ConflictError, Tenant


class Clock:
    """A clock the test moves: rotations and signatures minutes apart, as in real life."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int = 5) -> None:
        self.now += timedelta(minutes=minutes)


def credential(n: int) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": f"urn:example:lot:{n}", "name": f"Lot {n}"},
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path: Path, clock: Clock) -> Iterator[Service]:
    svc = Service.from_settings(webvh_settings(tmp_path), clock=clock)
    yield svc
    svc.close()


def issue_both(service: Service, tenant: Tenant, n: int) -> list[IssuedCredential]:
    """vc+jwt and the Data Integrity suite of the tenant's current key."""
    (key,) = [k for k in service.keys(tenant) if k.active]
    suite = "eddsa-rdfc-2022" if key.key_type is KeyType.ED25519 else "ecdsa-rdfc-2019"
    return [
        service.issue(tenant, IssueCommand(credential=credential(n), format=fmt))
        for fmt in ("vc+jwt", suite)
    ]


def warnings(report: VerificationReport) -> list[str]:
    return [check.id for check in report.warnings]


@pytest.mark.parametrize("pre_rotation", [False, True], ids=["plain", "pre-rotation"])
def test_a_webvh_tenant_rotates_twice_and_all_it_issued_verifies(
    service: Service, clock: Clock, pre_rotation: bool
) -> None:
    created = service.create_tenant("certifier", did_method="webvh", pre_rotation=pre_rotation)
    assert created["did"].startswith("did:webvh:")
    tenant = service.tenant_by_api_key(created["api_key"])
    assert tenant is not None
    issued: list[list[IssuedCredential]] = []
    for rotation in range(3):
        clock.advance()
        issued.append(issue_both(service, tenant, rotation))
        clock.advance()
        if rotation < 2:
            service.add_key(tenant, KeyType.P256 if rotation == 0 else KeyType.ED25519)

    log, witness = service.did_log("certifier") or ("", None)
    assert len(log.splitlines()) == 3
    assert witness is None
    document = service.did_document("certifier")  # the parallel did:web lists only key-3
    assert document is not None
    assert [m["id"].split("#")[1] for m in document["verificationMethod"]] == ["key-3", "key-3-jwk"]
    for generation, credentials in enumerate(issued):
        for item in credentials:
            report = service.verify_credential(item.secured)
            assert report.verified, (item.format, report.to_dict())
            rotated_out = generation < 2
            assert ("proof.key-history" in warnings(report)) is rotated_out, item.format

    events, previous = service.key_events(tenant, limit=1000)
    assert first_break(events, previous) is None
    kinds = [event.event for event in events]
    assert kinds.count("rotated") == 2
    assert kinds.count("did-updated") == 3
    assert service.signature_counts(tenant) == {"key-1": 2, "key-2": 2, "key-3": 2}


def test_deactivation_stops_signing_but_not_verifying(service: Service, clock: Clock) -> None:
    created = service.create_tenant("closing", did_method="webvh", pre_rotation=True)
    tenant = service.tenant_by_api_key(created["api_key"])
    assert tenant is not None
    clock.advance()
    before = issue_both(service, tenant, 1)
    clock.advance()
    service.deactivate_did(tenant)
    with pytest.raises(ConflictError, match="deactivated"):
        service.issue(tenant, IssueCommand(credential=credential(2)))
    for item in before:
        report = service.verify_credential(item.secured)
        assert report.verified
        assert "proof.key-history" in warnings(report)
    assert service.key_events(tenant, limit=1000)[0][-1].event == "deactivated"


def test_a_tampered_log_in_the_database_fails_verification(service: Service, clock: Clock) -> None:
    created = service.create_tenant("tampered", did_method="webvh")
    tenant = service.tenant_by_api_key(created["api_key"])
    assert tenant is not None
    clock.advance()
    item = service.issue(tenant, IssueCommand(credential=credential(1), format="eddsa-rdfc-2022"))
    with service.store.engine.begin() as connection:  # an edit behind the service's back
        connection.execute(
            text("UPDATE did_log_entries SET entry = replace(entry, 'key-1', 'key-9')")
        )
    report = service.verify_credential(item.secured)
    assert not report.verified
    (check,) = [c for c in report.checks if c.id == "proof.verification-method"]
    assert check.problem is not None
    assert "invalid did:webvh log" in check.problem.detail


def test_a_pkcs11_tenant_signs_with_a_key_that_never_leaves_the_token(
    tmp_path: Path,
    clock: Clock,
    softhsm: Pkcs11Config,  # noqa: F811
) -> None:
    token_settings = webvh_settings(
        tmp_path,
        pkcs11_module=softhsm.module,
        pkcs11_token_label=softhsm.token_label,
        pkcs11_pin=softhsm.pin,
    )
    first = Service.from_settings(token_settings, clock=clock)
    try:
        created = first.create_tenant(
            "hsm", KeyType.P256, did_method="webvh", key_backend="pkcs11", pre_rotation=True
        )
        tenant = first.tenant_by_api_key(created["api_key"])
        assert tenant is not None
        assert tenant.key_backend == "pkcs11"
        clock.advance()
        issued = [
            first.issue(tenant, IssueCommand(credential=credential(1), format=fmt))
            for fmt in ("vc+jwt", "ecdsa-rdfc-2019")
        ]
        (record,) = first.keys(tenant)
        assert record.backend == "pkcs11"
        assert record.token_ref is not None
        _assert_unextractable(softhsm, record.token_ref)
    finally:
        first.close()

    clock.advance()
    second = Service.from_settings(token_settings, clock=clock)  # a restart
    try:
        tenant = second.tenant_by_api_key(created["api_key"])
        assert tenant is not None
        issued.append(second.issue(tenant, IssueCommand(credential=credential(2))))
        second.add_key(tenant, KeyType.ED25519)  # rotation: the update key is in the token too
        clock.advance()
        issued.append(
            second.issue(tenant, IssueCommand(credential=credential(3), format="eddsa-rdfc-2022"))
        )
        for item in issued:
            report = second.verify_credential(item.secured)
            assert report.verified, (
                item.format,
                [c.to_dict() for c in report.checks if c.outcome.value != "passed"],
            )
        assert all(k.backend == "pkcs11" for k in second.store.keys(tenant.id, "update"))
    finally:
        second.close()


def _assert_unextractable(config: Pkcs11Config, ref: str) -> None:
    """Asked for its value, the token refuses: sensitive, never extractable, made inside."""
    lib = pkcs11.lib(config.module)
    token = lib.get_token(token_label=config.token_label)
    with token.open(user_pin=None) as session:
        (private,) = session.get_objects(
            {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: bytes.fromhex(ref)}
        )
        assert private[Attribute.SENSITIVE] is True
        assert private[Attribute.EXTRACTABLE] is False
        assert private[Attribute.NEVER_EXTRACTABLE] is True
        with pytest.raises(pkcs11.AttributeSensitive):
            private[Attribute.VALUE]


def test_a_token_tenant_needs_a_configured_token(service: Service) -> None:
    with pytest.raises(InputError, match="VCSERVICE_PKCS11_MODULE"):
        service.create_tenant("nohsm", key_backend="pkcs11")


def test_with_witnesses_a_version_is_published_and_used_once_approved(
    tmp_path: Path, clock: Clock
) -> None:
    from vcservice.dids import witness_proof
    from vcservice.keys import KeyPair

    witnesses = [KeyPair.generate(KeyType.ED25519) for _ in range(2)]
    listed = ",".join(f"did:key:{w.public.multibase}" for w in witnesses)
    svc = Service.from_settings(
        webvh_settings(tmp_path, webvh_witnesses=listed, webvh_witness_threshold=2), clock=clock
    )
    try:
        created = svc.create_tenant("witnessed", did_method="webvh")
        tenant = svc.tenant_by_api_key(created["api_key"])
        assert tenant is not None

        def approve() -> None:
            log = "".join(e.entry + "\n" for e in svc.store.did_log(tenant.id))
            version = svc.store.did_log(tenant.id)[-1].version_id
            before = (svc.did_log("witnessed") or ("", None))[0]
            first, second = (witness_proof(log, version, w) for w in witnesses)
            svc.add_witness_proof(tenant, version, first)
            assert (svc.did_log("witnessed") or ("", None))[0] == before  # one of two: not yet
            svc.add_witness_proof(tenant, version, second)
            assert (svc.did_log("witnessed") or ("", None))[0] == log

        assert svc.did_log("witnessed") == ("", "[]")  # nothing approved, nothing published
        with pytest.raises(ConflictError, match="awaits its witnesses"):
            svc.issue(tenant, IssueCommand(credential=credential(0)))
        approve()
        clock.advance()
        first = svc.issue(tenant, IssueCommand(credential=credential(1)))
        svc.add_key(tenant, KeyType.ED25519)  # version 2, not yet approved: not served
        clock.advance()
        with pytest.raises(ConflictError, match="awaits its witnesses"):
            svc.issue(tenant, IssueCommand(credential=credential(2)))
        published = svc.did_log("witnessed")
        assert published is not None
        assert len(published[0].splitlines()) == 1
        assert svc.verify_credential(first.secured).verified
        approve()
        clock.advance()
        second = svc.issue(tenant, IssueCommand(credential=credential(3)))
        published = svc.did_log("witnessed")
        assert published is not None
        assert len(published[0].splitlines()) == 2
        for item in (first, second):
            report = svc.verify_credential(item.secured)
            assert report.verified, [c.to_dict() for c in report.errors]
        assert svc.signature_counts(tenant) == {"key-1": 1, "key-2": 1}
    finally:
        svc.close()


def test_a_rotation_while_issuing_stores_nothing(
    service: Service, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key read before signing is checked again under the tenant's lock: a rotation that
    committed in between refuses the credential rather than store one signed by a retired key."""
    from vcservice.service.tenants import Tenants

    created = service.create_tenant("racing", did_method="webvh")
    tenant = service.tenant_by_api_key(created["api_key"])
    assert tenant is not None
    clock.advance()
    real = Tenants.active_signer

    def then_rotate(self: Tenants, which: Tenant) -> Any:
        found = real(self, which)
        monkeypatch.setattr(Tenants, "active_signer", real)
        service.add_key(which, KeyType.ED25519)
        return found

    monkeypatch.setattr(Tenants, "active_signer", then_rotate)
    with pytest.raises(ConflictError, match="changed while"):
        service.issue(tenant, IssueCommand(credential=credential(1)))
    assert service.credentials(tenant, limit=10, offset=0) == []
    assert service.signature_counts(tenant) == {}
