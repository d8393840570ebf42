"""Tenants, their DIDs and their signing keys.

A tenant is an issuer, identified one of three ways (``did_method``):

``web``
    ``did:web:<host>:tenants:<name>``, hosted here; keys rotate, and retired keys stay in the
    document (assertionMethod only) so what they signed keeps verifying.
``webvh``
    ``did:webvh:<SCID>:<host>:tenants:<name>``: a did:web with verifiable history. Every change
    of its keys is a new entry of its log (``did.jsonl``), signed by an *update key* (kept like
    the signing keys, in the vault or the token) and chained by hash to the one before. The
    current document lists only the keys in force; a verifier checks an older credential
    against the version that was in force when it was signed. Pre-rotation (the tenant's
    choice): each entry commits to the hash of the next update key, so a stolen update key
    cannot rewrite the DID. Witnesses (the service's setting when the tenant is created): each
    entry also needs their approval. The parallel did:web document is served too.
``key``
    The did:key of the tenant's one key, resolved by anyone without us; it never changes.

Every key operation and every signature is appended to the tenant's audit trail
(:mod:`vcservice.keys.audit`) in the transaction that makes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from vcservice.dids import (
    MethodForm,
    did_document,
    did_key_for,
    did_web_for,
    verification_method_id,
)
from vcservice.dids._didwebvh import split_did, verify_log, without_relationships
from vcservice.dids._webvh_log import (
    WitnessRule,
    check_witness_proof,
    create_did,
    deactivate_entry,
    did_web_alias,
    next_entry,
    next_key_hash,
    parallel_did_web,
    witness_file,
)
from vcservice.errors import DidLogWitnessError, InputError, ResolutionError
from vcservice.keys import KeyPair, KeyType, Signer, SigningKey
from vcservice.securing.registry import format_names, formats_for_key
from vcservice.service.commands import DID_METHODS, DidMethod, NewTenant
from vcservice.service.key_backends import KeyBackends
from vcservice.settings import Settings
from vcservice.store import (
    ConflictError,
    DidLogEntry,
    KeyBackend,
    KeyEvent,
    KeyRecord,
    NewKey,
    NotFoundError,
    Store,
    Tenant,
    Transaction,
    refuse_fixed_key,
)

#: How far ahead of the clock a did:webvh entry may be dated (each must follow the last by a
#: second; resolvers refuse entries more than five minutes ahead).
MAX_AHEAD = timedelta(minutes=1)
#: Each key is listed in both forms: Multikey for Data Integrity verifiers, JWK for JOSE ones.
FORMS: tuple[MethodForm, ...] = ("Multikey", "JsonWebKey")


@dataclass(frozen=True)
class Tenants:
    store: Store
    settings: Settings
    backends: KeyBackends
    clock: Callable[[], datetime]

    @property
    def did_prefix(self) -> str:
        """What every hosted did:web tenant DID starts with (the name follows)."""
        return did_web_for(self.settings.public_host, ["tenants"]) + ":"

    def did_of(self, name: str) -> str:
        return did_web_for(self.settings.public_host, ["tenants", name])

    # --- creation ------------------------------------------------------------------------------
    def create(
        self,
        name: str,
        key_type: KeyType = KeyType.ED25519,
        did_method: DidMethod = "web",
        key: KeyPair | None = None,
        *,
        key_backend: str = "vault",
        pre_rotation: bool = False,
    ) -> NewTenant:
        # Checked here, not only by the CLI's choices: the name becomes part of a DID.
        if not name or not all(c.isalnum() or c in "-_" for c in name) or len(name) > 64:
            raise InputError(
                "a tenant name is 1-64 letters, digits, '-' or '_' (it becomes part of its DID)"
            )
        if did_method not in DID_METHODS:
            raise InputError(f"unknown DID method {did_method!r}; expected one of web, webvh, key")
        if key is not None and did_method != "key":
            raise InputError("a tenant brings its own key only as a did:key (--did-method key)")
        if pre_rotation and did_method != "webvh":
            raise InputError("pre-rotation is a did:webvh feature (--did-method webvh)")
        backend = self.backends.check(key_backend)
        if key is not None and backend != "vault":
            raise InputError("a key brought from a file is kept in the vault, not a token")
        if did_method == "webvh":
            return self._create_webvh(name, key_type, backend, pre_rotation)
        first = (
            NewKey.in_vault(key)
            if key is not None
            else self.backends.new_key(backend, key_type, label=f"{name}/key-1")
        )
        with self.store.transaction() as tx:
            tenant, api_key = tx.create_tenant(
                name,
                self.did_of(name) if did_method == "web" else did_key_for,
                first.key_type,
                default_format=self.settings.default_format,
                keys=[first],
                key_backend=backend,
            )
            _created_events(tx, tenant.id, tx.keys(tenant.id))
        return {"tenant": tenant.name, "did": tenant.did, "api_key": api_key}

    def _create_webvh(
        self, name: str, key_type: KeyType, backend: KeyBackend, pre_rotation: bool
    ) -> NewTenant:
        assertion = self.backends.new_key(backend, key_type, label=f"{name}/key-1")
        update = self.backends.new_key(
            backend, KeyType.ED25519, purpose="update", label=f"{name}/update-1"
        )
        keys = [assertion, update]
        if pre_rotation:
            keys.append(self._pending_update_key(name, backend, 2))
        witnesses = self._witness_rule()
        domain_path = self.did_of(name).removeprefix("did:web:")
        did, line = create_did(
            domain_path,
            lambda did: self._webvh_document(did, [("key-1", assertion)]),
            self.backends.signing_key(update),
            next_key_hashes=[next_key_hash(keys[2].public)] if pre_rotation else (),
            witnesses=witnesses,
            now=self.clock(),
        )
        options: dict[str, Any] = {"preRotation": pre_rotation}
        if witnesses is not None:
            options["witness"] = witnesses.parameter()
        with self.store.transaction() as tx:
            tenant, api_key = tx.create_tenant(
                name,
                did,
                key_type,
                default_format=self.settings.default_format,
                keys=keys,
                key_backend=backend,
                did_options=options,
            )
            _created_events(tx, tenant.id, [*tx.keys(tenant.id), *tx.keys(tenant.id, "update")])
            self._append_log(tx, tenant, line)
        return {"tenant": tenant.name, "did": tenant.did, "api_key": api_key}

    # --- lookups -----------------------------------------------------------------------------
    def by_api_key(self, api_key: str) -> Tenant | None:
        return self.store.tenant_by_api_key(api_key)

    def did_document(self, name: str) -> dict[str, Any] | None:
        """The did:web document hosted for tenant ``name`` (a did:webvh tenant's parallel
        did:web); None for unknown and did:key tenants."""
        tenant = self.store.tenant_by_name(name)
        if tenant is None or tenant.did_method == "key":
            return None
        if tenant.did_method == "webvh":
            published = self.did_log(name)
            return parallel_did_web(published[0]) if published and published[0] else None
        records = self.store.keys(tenant.id)
        return did_document(
            tenant.did,
            [(k.fragment, k.public) for k in records if k.active],
            retired=[(k.fragment, k.public) for k in records if not k.active],
            forms=FORMS,
        )

    def did_log(self, name: str) -> tuple[str, str | None] | None:
        """A did:webvh tenant's published ``did.jsonl`` and ``did-witness.json`` (None without
        witnesses); None for unknown tenants and those of other methods.

        With witnesses, an entry is published once it has the approvals its rule requires (and
        with it every entry before): until then resolvers would refuse the whole log, so the
        log served ends at the last approved entry. An empty text: nothing approved yet.
        """
        tenant = self.store.tenant_by_name(name)
        if tenant is None or tenant.did_method != "webvh":
            return None
        _, published, witness = self._log_view(tenant)
        return published, witness

    def _log_view(self, tenant: Tenant) -> tuple[list[DidLogEntry], str, str | None]:
        """The stored entries, the log as published (see :meth:`did_log`), the witness file."""
        entries = self.store.did_log(tenant.id)
        witness = self._witness_text(tenant)
        lines = tuple(e.entry + "\n" for e in entries)
        return entries, _published(tenant.did, lines, witness), witness

    def webvh_name(self, did: str) -> str | None:
        """The tenant name a did:webvh hosted here would have (None: not one of ours)."""
        if not did.startswith("did:webvh:"):
            return None
        try:
            _, rest = split_did(did)
        except (InputError, ResolutionError):
            return None
        web = "did:web:" + rest
        prefix = self.did_prefix
        return web[len(prefix) :] if web.startswith(prefix) else None

    def local_webvh_document(self, did: str) -> dict[str, Any] | None:
        """The current document of a did:webvh hosted here, from its verified log (None: not
        ours). The log is verified like anyone's: the database is not trusted more than a
        host would be."""
        name = self.webvh_name(did)
        if name is None:
            return None
        log = self.did_log(name)
        if log is None:
            return None
        if not log[0]:
            raise ResolutionError(f"{did} has no version approved by its witnesses yet")
        return _current_document(did, *log)

    def verification_method(self, tenant: Tenant, key: KeyRecord) -> str:
        """The id of ``key`` in the tenant's DID document, the one its proofs name.

        did:key: ``did:key:<mb>#<mb>`` (what did:key resolves to); did:web and did:webvh:
        ``<did>#key-<n>``, its Multikey form in the document.
        """
        if tenant.did_method == "key":
            return f"{tenant.did}#{key.public.multibase}"
        return verification_method_id(tenant.did, key.fragment, "Multikey", forms=FORMS)

    def active_signer(self, tenant: Tenant) -> tuple[Signer, KeyRecord]:
        """The tenant's signer and the key behind it.

        A did:webvh tenant with witnesses signs only when its whole log is approved: a version
        takes effect from its versionTime once approved, so a signature made meanwhile with
        the key it retired would stop verifying then, and one with its new key would not
        verify until then. Refusing (409) is the answer that never changes afterwards.
        """
        if (tenant.did_options or {}).get("witness"):
            self._refuse_unapproved(tenant)
        try:
            record, pair = self.store.active_key(tenant.id)
        except NotFoundError:
            if tenant.did_method == "webvh":
                raise ConflictError(
                    f"{tenant.did} has been deactivated: this tenant can no longer sign"
                ) from None
            raise
        key = self.backends.signing_key(record, pair)
        return Signer(key, self.verification_method(tenant, record)), record

    def _refuse_unapproved(self, tenant: Tenant) -> None:
        entries, published, _ = self._log_view(tenant)
        shown = len(published.splitlines())
        if shown < len(entries):
            pending = entries[shown].version_id
            raise ConflictError(
                f"version {pending} of {tenant.did} awaits its witnesses' approval; it can sign "
                "again once approved (POST /tenants/me/did/witness-proofs)"
            )

    def signer(self, tenant: Tenant) -> Signer:
        return self.active_signer(tenant)[0]

    def keys(self, tenant: Tenant) -> list[KeyRecord]:
        return self.store.keys(tenant.id)

    def formats(self, tenant: Tenant) -> list[str]:
        """The formats the tenant's active signing keys can produce, its default first."""
        key_types = {k.key_type for k in self.store.keys(tenant.id) if k.active}
        signable = {f for key_type in key_types for f in formats_for_key(key_type)}
        formats = [f for f in format_names() if f in signable]
        if tenant.default_format in formats:
            formats.remove(tenant.default_format)
            formats.insert(0, tenant.default_format)
        return formats

    # --- key changes -----------------------------------------------------------------------
    def add_key(self, tenant: Tenant, key_type: KeyType) -> KeyRecord:
        """Rotate: a new signing key takes over, the others are retired (did:web: still listed;
        did:webvh: left out of the new version, kept in the log's history)."""
        # Refused before a token makes a key nobody would use (the store refuses it too).
        refuse_fixed_key(tenant.name, tenant.did, fixed_key=tenant.fixed_key)
        self._refuse_if_deactivated(tenant)
        number = len(self.store.keys(tenant.id)) + 1
        new = self.backends.new_key(
            tenant.key_backend, key_type, label=f"{tenant.name}/key-{number}"
        )
        pending = self._next_pending(tenant)
        with self.store.transaction() as tx:
            before = [k.fragment for k in tx.keys(tenant.id) if k.active]
            record = tx.add_key(tenant.id, new)
            version = self._publish(tx, tenant, pending)
            detail: dict[str, Any] = {**_key_detail(record), "retired": before}
            if version is not None:
                detail["didVersion"] = version
            tx.append_key_event(tenant.id, "rotated", record.fragment, detail)
        return record

    def retire_key(self, tenant: Tenant, fragment: str) -> KeyRecord:
        """Retire a signing key (did:webvh: a new version without it)."""
        self._refuse_if_deactivated(tenant)
        active = any(k.fragment == fragment and k.active for k in self.store.keys(tenant.id))
        pending = self._next_pending(tenant) if active else None
        with self.store.transaction() as tx:
            was_active = any(k.fragment == fragment and k.active for k in tx.keys(tenant.id))
            record = tx.retire_key(tenant.id, fragment)
            if was_active:
                version = self._publish(tx, tenant, pending)
                detail = {} if version is None else {"didVersion": version}
                tx.append_key_event(tenant.id, "retired", fragment, detail)
        return record

    def deactivate(self, tenant: Tenant) -> str:
        """Deactivate a did:webvh tenant's DID: a last log entry marks it deactivated and
        leaves no key that may update it; every key is retired. What it signed before keeps
        verifying against the versions then in force. Returns the last versionId."""
        if tenant.did_method != "webvh":
            raise ConflictError("only a did:webvh tenant's DID can be deactivated here")
        self._refuse_if_deactivated(tenant)
        with self.store.transaction() as tx:
            tx.lock_tenant(tenant.id)
            log, now = self._open_log(tx, tenant)
            # Under pre-rotation the committed key signs; nothing is committed to after it.
            pre_rotation = bool((tenant.did_options or {}).get("preRotation"))
            key = self._update_signer(tx, tenant, None, pre_rotation=pre_rotation)[0]
            version = ""
            for line in deactivate_entry(log, key, now=now).splitlines():
                version = self._append_log(tx, tenant, line)
            for record in [*tx.keys(tenant.id), *tx.keys(tenant.id, "update")]:
                if record.active or record.retired_at is None:
                    tx.retire_key(tenant.id, record.fragment, last=True)
            tx.append_key_event(tenant.id, "deactivated", None, {"didVersion": version})
        return version

    def add_witness_proof(self, tenant: Tenant, version_id: str, proof: dict[str, Any]) -> None:
        """Store a witness's approval of one of the tenant's versions, once the proof itself
        verifies: by a listed witness, over a version in the log (DidLogWitnessError, 422,
        otherwise). It replaces that witness's earlier approval of the version."""
        rule = (tenant.did_options or {}).get("witness") or {}
        listed = [w["id"] for w in rule.get("witnesses", []) if isinstance(w, dict) and "id" in w]
        if tenant.did_method != "webvh" or not listed:
            raise ConflictError("this tenant's DID has no witnesses")
        with self.store.transaction() as tx:
            tx.lock_tenant(tenant.id)
            witness_did = check_witness_proof(_log(tx, tenant), version_id, proof, listed)
            tx.add_witness_proof(
                tenant.id, version_id, witness_did, json.dumps(proof, separators=(",", ":"))
            )

    def key_events(
        self, tenant: Tenant, *, after: int = 0, limit: int = 100
    ) -> tuple[list[KeyEvent], str]:
        return self.store.key_events(tenant.id, after=after, limit=limit)

    def signature_counts(self, tenant: Tenant) -> dict[str, int]:
        return self.store.signature_counts(tenant.id)

    # --- did:webvh internals ---------------------------------------------------------------
    def _webvh_document(
        self, did: str, keys: Sequence[tuple[str, NewKey | KeyRecord]]
    ) -> dict[str, Any]:
        document = did_document(did, [(f, k.public) for f, k in keys], forms=FORMS)
        document["alsoKnownAs"] = [did_web_alias(did)]
        return document

    def _witness_rule(self) -> WitnessRule | None:
        witnesses = self.settings.webvh_witness_dids
        threshold = self.settings.webvh_witness_threshold
        if not witnesses or threshold == 0:
            return None
        return WitnessRule(threshold, witnesses)

    def _pending_update_key(self, name: str, backend: KeyBackend, number: int) -> NewKey:
        return self.backends.new_key(
            backend,
            KeyType.ED25519,
            purpose="update",
            label=f"{name}/update-{number}",
            active=False,
        )

    def _next_pending(self, tenant: Tenant) -> NewKey | None:
        """Under pre-rotation, the update key to commit to next (made before the transaction:
        a token key cannot be made inside one)."""
        if not (tenant.did_options or {}).get("preRotation"):
            return None
        number = len(self.store.keys(tenant.id, "update")) + 1
        return self._pending_update_key(tenant.name, tenant.key_backend, number)

    def _update_signer(
        self,
        tx: Transaction,
        tenant: Tenant,
        pending: NewKey | None,
        *,
        pre_rotation: bool | None = None,
    ) -> tuple[SigningKey, list[str]]:
        """The update key that signs the next entry, and the next-key hashes to commit.

        Without pre-rotation, the active update key. Under it (``pending`` given, or
        ``pre_rotation``), the committed key becomes the active one and signs, and
        ``pending`` (a new key), if any, is committed to next.
        """
        if not (pre_rotation if pre_rotation is not None else pending is not None):
            record, pair = tx.active_key(tenant.id, "update")
            return self.backends.signing_key(record, pair), []
        committed = next(
            k for k in tx.keys(tenant.id, "update") if not k.active and k.retired_at is None
        )
        tx.activate_key(tenant.id, committed.fragment)
        record, pair = tx.active_key(tenant.id, "update")
        if pending is None:
            return self.backends.signing_key(record, pair), []
        stored = tx.add_key(tenant.id, pending)
        tx.append_key_event(tenant.id, "created", stored.fragment, _key_detail(stored))
        return self.backends.signing_key(record, pair), [next_key_hash(pending.public)]

    def _publish(self, tx: Transaction, tenant: Tenant, pending: NewKey | None) -> str | None:
        """A did:webvh tenant's next version, listing its active keys (None: not webvh)."""
        if tenant.did_method != "webvh":
            return None
        log, now = self._open_log(tx, tenant)
        key, hashes = self._update_signer(tx, tenant, pending)
        active = [(k.fragment, k) for k in tx.keys(tenant.id) if k.active]
        line = next_entry(
            log,
            self._webvh_document(tenant.did, active),
            key,
            next_key_hashes=hashes if pending is not None else None,
            now=now,
        )
        return self._append_log(tx, tenant, line)

    def _refuse_if_deactivated(self, tenant: Tenant) -> None:
        """Refused before a token makes a key for a DID that can no longer change."""
        if tenant.did_method == "webvh":
            _refuse_deactivated(tenant, self.store.did_log(tenant.id))

    def _open_log(self, tx: Transaction, tenant: Tenant) -> tuple[str, datetime]:
        """The log a new entry follows, and that entry's time: now, or a second after the
        last entry's, as versionTime (whole seconds) must increase from entry to entry."""
        entries = tx.did_log(tenant.id)
        _refuse_deactivated(tenant, entries)
        clock = self.clock().astimezone(UTC).replace(microsecond=0)
        now = max(clock, entries[-1].version_time + timedelta(seconds=1))
        if now - clock > MAX_AHEAD:  # resolvers refuse entries dated too far ahead
            wait = int((now - clock - MAX_AHEAD).total_seconds()) + 1
            raise ConflictError(f"too many changes of {tenant.did} at once: retry in {wait} s")
        return "".join(e.entry + "\n" for e in entries), now

    def _append_log(self, tx: Transaction, tenant: Tenant, line: str) -> str:
        entry = json.loads(line)
        version_id = str(entry["versionId"])
        tx.append_did_log(
            tenant.id, version_id, _parse_time(entry["versionTime"]), line.rstrip("\n")
        )
        detail = {"versionId": version_id, "versionTime": entry["versionTime"]}
        tx.append_key_event(tenant.id, "did-updated", None, detail)
        return version_id

    def _witness_text(self, tenant: Tenant) -> str | None:
        if not (tenant.did_options or {}).get("witness"):
            return None
        return witness_file(_proofs_by_version(self.store.witness_proofs(tenant.id)))


def _refuse_deactivated(
    tenant: Tenant, entries: Sequence[DidLogEntry], *, signing: bool = False
) -> None:
    """ConflictError once the DID's log ends in its deactivation: nothing may follow it."""
    if not entries:
        raise ConflictError(f"{tenant.did} has no log here")
    parameters = json.loads(entries[-1].entry).get("parameters")
    if isinstance(parameters, dict) and parameters.get("deactivated") is True:
        what = "this tenant can no longer sign" if signing else "its keys can no longer change"
        raise ConflictError(f"{tenant.did} has been deactivated: {what}")


@lru_cache(maxsize=256)
def _published(did: str, lines: tuple[str, ...], witness: str | None) -> str:
    """The longest start of the log that verifies with the witnesses' approvals at hand (the
    whole log when there are no witnesses: each entry was checked as it was written)."""
    if witness is None:
        return "".join(lines)
    for end in range(len(lines), 0, -1):
        text = "".join(lines[:end])
        try:
            verify_log(did, text, witness)
        except DidLogWitnessError:
            continue
        return text
    return ""


def _log(tx: Transaction, tenant: Tenant) -> str:
    return "".join(e.entry + "\n" for e in tx.did_log(tenant.id))


def _proofs_by_version(rows: Sequence[tuple[str, str, str]]) -> dict[str, list[dict[str, Any]]]:
    proofs: dict[str, list[dict[str, Any]]] = {}
    for version_id, _, proof in rows:
        proofs.setdefault(version_id, []).append(json.loads(proof))
    return proofs


def _key_detail(record: KeyRecord) -> dict[str, Any]:
    return {
        "keyType": record.key_type.value,
        "purpose": record.purpose,
        "backend": record.backend,
        "publicKeyMultibase": record.public.multibase,
    }


def _created_events(tx: Transaction, tenant_id: str, records: Sequence[KeyRecord]) -> None:
    for record in records:
        tx.append_key_event(tenant_id, "created", record.fragment, _key_detail(record))


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _current_document(did: str, log: str, witness: str | None) -> dict[str, Any]:
    """The current document of a verified log (verify_log remembers logs that verified)."""
    current = verify_log(did, log, witness).current
    document = current.document
    return without_relationships(document) if current.deactivated else document
