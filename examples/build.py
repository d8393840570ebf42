# ruff: noqa: E501  (the example data carries long descriptive strings)
"""Generate the signed, hash-linked example chains in ``examples/<chain>/`` (``make examples``).

Everything is fixed: keys (Ed25519 secrets = SHA-256 of a label), the clock, ids and dates, so
two runs write byte-identical files. Credentials are issued in dependency order and each link's
``digestMultibase`` is :func:`vcservice.links.digest_document` of the *signed* target as served
(the JWS bytes of a vc+jwt, the JCS bytes of a Data Integrity credential).

Every party that opens credits issues on a platform whose credit registry is their home
(:class:`Registry`): the opening credential names it (``creditRegistry``), and each debit of a
homed credit is registered there, by the ledger's own rules, before the debiting credential is
signed with the home's receipt on its event (``creditReceipt``, cosigned by the chain's
:class:`Witness`).

Per chain this writes the credentials, the DID documents of their issuers, registries and
witness (a :class:`WebvhOrg` issuer's did:webvh log instead), ``index.json`` (what is served
at which URL), ``trust-anchors.json``, ``bundle.json`` (the whole chain as one
provenance-graph bundle) and ``negative/<variant>.json``: the chain
rebuilt with one defect (see ``VARIANTS``; a variant is a check id, or ``<check id>.<case>``),
everything downstream of the defect re-signed so that only that check can fail.

Written in place (no OUT_DIR), it also copies the bundles the landing page offers into
``vcservice/web/examples/`` (see :func:`package`), so the wheel carries them.

Usage: ``python examples/build.py [OUT_DIR]`` (default: the directory of this file).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from vcservice.dids import create_did, did_document, did_web_for, next_entry
from vcservice.errors import ConflictError, EquivocationError
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader, jcs
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import GENESIS, Checkpoint, Entry, Postings, chain_hash, entry_leaf, merkle
from vcservice.ledger.postings import Charge, postings_of
from vcservice.ledger.rules import Account, AccountKey, Book, Credential, post, register
from vcservice.links import digest_bytes, digest_document
from vcservice.registry import (
    RECEIPT_PROPERTY,
    Home,
    encode_receipt_text,
    judge,
    make_receipt,
    name_home,
    registration_digest,
    sign_cosignature,
)
from vcservice.status import MIN_LIST_LENGTH, set_status, status_entry, status_list_credential

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
    "https://w3id.org/critical-minerals/v1",
]
LINK_TYPES = "https://test.uncefact.org/vocabulary/linkTypes/"
HS = "https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/hs-nomenclature-2022-edition.aspx"
IUPAC = "https://iupac.org/what-we-do/periodic-table-of-elements/"
FACILITIES = "https://facilities.example.org"
BIZSTEP = "https://ref.gs1.org/cbv/BizStep"
TOPIC = "https://vocabulary.uncefact.org/conformity-topic/"
METRIC = "https://vocabulary.uncefact.org/performance-metric/"
CLOCK = datetime(2026, 1, 15, tzinfo=UTC)
VALID_FROM = "2026-01-15T00:00:00Z"
VERIFICATION_TIME = "2026-06-01T00:00:00Z"
ACCREDITED = {"startDate": "2024-06-01", "endDate": "2028-05-31"}
#: The accreditation period of the trust.expired variant: it ends before the attestations' validFrom.
LAPSED = {"startDate": "2024-06-01", "endDate": "2025-12-31"}
STATUS_LIST = "status/revocation-1"
#: The did:webvh certifier's log: created with key-1, which it rotates out for key-2 (see
#: :class:`WebvhOrg`). Its credentials signed before the rotation keep verifying, against the
#: version of its DID in effect when they were signed.
WEBVH_CREATED = datetime(2025, 12, 1, tzinfo=UTC)
WEBVH_ROTATED = datetime(2026, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Org:
    host: str
    name: str
    registered_id: str
    register: tuple[str, str]

    @property
    def did(self) -> str:
        return did_web_for(self.host)

    def signer(self, at: datetime = CLOCK) -> Signer:
        """The key that signs at ``at``: a did:web party has one key, whatever the time."""
        return Signer(_key(self.host), f"{self.did}#key-1")

    def did_document(self) -> dict[str, Any]:
        return did_document(self.did, [("key-1", self.signer().key.public)])

    def party(self) -> dict[str, Any]:
        return {
            "type": ["Party"],
            "id": self.did,
            "name": self.name,
            "registeredId": self.registered_id,
            "idScheme": {
                "type": ["IdentifierScheme"],
                "id": self.register[0],
                "name": self.register[1],
            },
        }

    def issuer(self) -> dict[str, Any]:
        return {"type": ["CredentialIssuer"], "id": self.did, "name": self.name}


@dataclass(frozen=True)
class WebvhOrg(Org):
    """An organisation whose DID is a did:webvh (a certification body, whose certificates
    outlive its keys): its log's first version lists key-1, the second (``WEBVH_ROTATED``)
    lists only key-2. It signs with the key of the version in effect at the signing time, so
    a credential signed before the rotation verifies against the DID's history, with a
    ``proof.key-history`` warning. Its log (``dids/<host>.jsonl``, ``didLogs``) replaces a
    DID document."""

    @property
    def did(self) -> str:
        return _webvh_log(self.host)[0]

    @property
    def log(self) -> str:
        return _webvh_log(self.host)[1]

    def signer(self, at: datetime = CLOCK) -> Signer:
        fragment = "key-1" if at < WEBVH_ROTATED else "key-2"
        return Signer(_webvh_key(self.host, fragment), f"{self.did}#{fragment}")


def _key(host: str) -> KeyPair:
    """The fixed example key of ``host``: its secret is SHA-256 of a public label."""
    secret = hashlib.sha256(f"vcservice example key {host}".encode()).digest()
    return KeyPair.from_secret(KeyType.ED25519, secret)


def _webvh_key(host: str, name: str) -> KeyPair:
    """A did:webvh party's fixed keys: ``key-1`` (its host's key), ``key-2``, ``update``."""
    return _key(host if name == "key-1" else f"{host} {name}")


@cache
def _webvh_log(host: str) -> tuple[str, str]:
    """(DID, ``did.jsonl``) of the did:webvh at ``host``: version 1 lists key-1, version 2
    only key-2; both entries are signed by its update key (fixed keys and times: the SCID
    and the proofs come out the same on every run)."""
    update = _webvh_key(host, "update")

    def version(did: str, fragment: str) -> dict[str, Any]:
        return did_document(did, [(fragment, _webvh_key(host, fragment).public)])

    did, log = create_did(host, lambda d: version(d, "key-1"), update, now=WEBVH_CREATED)
    return did, log + next_entry(log, version(did, "key-2"), update, now=WEBVH_ROTATED)


#: A registry's log: (entry hash, entry JSON bytes) per entry, in order.
Log = list[tuple[str, bytes]]


@dataclass
class Witness:
    """A witness of the chain's registries (run by the certification scheme): it cosigns each
    checkpoint a registry shows it once :func:`vcservice.registry.judge` finds it consistent
    with the last one of that log it cosigned, and refuses a second tree of a size it has seen."""

    host: str
    name: str
    seen: dict[str, Checkpoint] = field(default_factory=dict)
    #: (log DID, tree size) → the cosignature given for that size
    given: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def did(self) -> str:
        return did_web_for(self.host)

    def did_document(self) -> dict[str, Any]:
        return did_document(self.did, [("key-1", _key(self.host).public)])

    def cosign(self, log: str, hashes: list[str]) -> str:
        """Cosign ``log``'s tree of ``hashes`` (EquivocationError when it cannot extend the
        last tree of that log this witness cosigned)."""
        leaves = [entry_leaf(h) for h in hashes]
        new = Checkpoint(log, len(hashes), hashes[-1], merkle.root(leaves).hex(), VALID_FROM)
        seen = self.seen.get(log)
        old = 0 if seen is None else seen.count
        judge(seen, old, new, merkle.consistency_proof(leaves, old, new.count) if old else [])
        self.seen[log] = new
        cosignature = sign_cosignature(new, Signer(_key(self.host), f"{self.did}#key-1"), CLOCK)
        self.given[(log, new.count)] = cosignature
        return cosignature


@dataclass
class Registry:
    """A party's platform as a credit registry: the home of the credits its credentials open
    (they name it as ``creditRegistry``), keeping their accounts in an in-memory hash-chained
    log by the ledger's own rules (:func:`vcservice.ledger.rules.post` opens the accounts,
    :func:`vcservice.ledger.rules.register` judges the debits registered there), and answering
    each registration with a receipt: a COSE Receipt of the new entries in the log's Merkle
    tree, signed by the registry's key and cosigned by the chain's witness."""

    host: str
    name: str
    log: Log = field(default_factory=list)
    accounts: dict[AccountKey, Account] = field(default_factory=dict)
    #: the tree size of every receipt issued, in order
    sizes: list[int] = field(default_factory=list)

    @property
    def did(self) -> str:
        return did_web_for(self.host)

    @property
    def home(self) -> Home:
        return Home(self.did, f"https://{self.host}/registry")

    def signer(self) -> Signer:
        return Signer(_key(self.host), f"{self.did}#key-1")

    def did_document(self) -> dict[str, Any]:
        return did_document(self.did, [("key-1", self.signer().key.public)])

    def fitting(self, digest: str, charge: Charge) -> list[Account]:
        """The accounts kept here that ``charge`` draws on in the credential of ``digest``."""
        return sorted(
            (
                a
                for a in self.accounts.values()
                if a.digest == digest
                and a.kind == charge.kind
                and (charge.product is None or a.product == charge.product)
            ),
            key=lambda a: (a.product, a.kind),
        )

    def open(self, credential: Credential, postings: Postings, tenant: str) -> None:
        """Post the accounts a credential issued on this platform opens (no receipt)."""
        book = Book(accounts=tuple(self.accounts.values()))
        opened = post(
            book,
            credential,
            Postings((), postings.openings),
            tenant_id=tenant,
            now=CLOCK,
            first_seq=len(self.log) + 1,
        )
        self._append(self.log, opened.entries, commit=True)

    def debits(
        self, drawer: Credential, charges: list[Charge], *, judged: bool = True
    ) -> list[Entry]:
        """The entries registering ``charges``: judged by the ledger's rules (ConflictError
        when the home refuses), or recorded as asked when not ``judged``."""
        if judged:
            book = Book(accounts=tuple(self.accounts.values()))
            return list(
                register(book, drawer, charges, now=CLOCK, first_seq=len(self.log) + 1).entries
            )
        entries = []
        for charge in charges:
            accounts = next(
                found for s in charge.sources if (found := self.fitting(s.digest, charge))
            )
            remaining = charge.amount_mg
            for n, account in enumerate(accounts):
                last = n == len(accounts) - 1
                take = remaining if last else min(account.balance_mg, remaining)
                if not take:
                    continue
                remaining -= take
                entries.append(
                    Entry(
                        kind="debit",
                        digest=account.digest,
                        product=account.product,
                        property_kind=charge.kind,
                        amount_mg=take,
                        credential_id=drawer.credential_id,
                        credential_digest=drawer.digest,
                        tenant_id=None,
                        created_at=CLOCK,
                        holder=drawer.issuer,
                        issuer=drawer.issuer,
                    )
                )
        return entries

    def prove(
        self,
        entries: list[Entry],
        witness: Witness | None,
        *,
        forger: Signer | None = None,
        fork: bool = False,
    ) -> str:
        """Append ``entries`` to the log and return the receipt of them (``creditReceipt``
        text). ``forger``: a receipt in this registry's name, signed by another key, of a log
        the registry never kept. ``fork``: the entries end a second log of the size of the
        last receipt, which the witness refuses; the receipt carries the witness's
        cosignature of that size (of the other root)."""
        log = self.log[: self.sizes[-1] - len(entries)] if fork else list(self.log)
        first = len(log)
        honest = forger is None and not fork
        self._append(log, entries, commit=honest)
        hashes = [h for h, _ in log]
        leaves = [entry_leaf(h) for h in hashes]
        proven = [
            (
                seq,
                hashes[seq - 2] if seq > 1 else GENESIS,
                log[seq - 1][1],
                merkle.inclusion_proof(seq - 1, leaves),
            )
            for seq in range(first + 1, len(log) + 1)
        ]
        cosignatures = []
        if forger is None and witness is not None:
            try:
                cosignatures.append(witness.cosign(self.did, hashes))
            except EquivocationError:
                if not fork:
                    raise
                cosignatures.append(witness.given[(self.did, len(log))])
        if honest:
            self.log = log
            self.sizes.append(len(log))
        receipt = make_receipt(
            forger or self.signer(), CLOCK, len(log), merkle.root(leaves), proven, cosignatures
        )
        return encode_receipt_text(receipt)

    def _append(self, log: Log, entries: tuple[Entry, ...] | list[Entry], *, commit: bool) -> None:
        for entry in entries:
            log.append((chain_hash(log[-1][0] if log else GENESIS, entry), jcs(entry.content())))
            key = (entry.digest, entry.product or "", entry.property_kind)
            if not commit:
                continue
            if entry.kind == "credit":
                self.accounts[key] = Account(*key, entry.holder, entry.amount_mg, entry.amount_mg)
            elif key in self.accounts:
                account = self.accounts[key]
                self.accounts[key] = replace(
                    account, balance_mg=account.balance_mg - entry.amount_mg
                )


@dataclass(frozen=True)
class ReceiptDefect:
    """What is wrong with the receipts of ``stem`` in a ``massbalance.unregistered.<kind>``
    variant. ``holder`` is the drawer a wrong-holder receipt names; ``platform`` the registry
    of the drawer's own platform, which answers in the home's place for a second spend."""

    stem: str
    kind: str
    holder: str
    platform: Registry


SE = ("https://www.bolagsverket.se", "Swedish Companies Registration Office (organisation number)")
DE = ("https://www.handelsregister.de", "German commercial register")
FI = ("https://www.prh.fi", "Finnish Patent and Registration Office (business ID)")
AT = ("https://www.justiz.gv.at", "Austrian commercial register")


def classification(
    code: str, name: str, scheme: str = HS, scheme_name: str = "Harmonized System 2022"
) -> dict[str, Any]:
    return {"code": code, "name": name, "schemeId": scheme, "schemeName": scheme_name}


def element(code: str, name: str) -> dict[str, Any]:
    return classification(code, name, IUPAC, "IUPAC element symbols")


def facility(code: str, name: str, country: tuple[str, str]) -> dict[str, Any]:
    return {
        "type": ["Facility"],
        "id": f"{FACILITIES}/{code}",
        "name": name,
        "registeredId": code,
        "idScheme": {
            "type": ["IdentifierScheme"],
            "id": FACILITIES,
            "name": "Example Global Facility Register",
        },
        "countryOfOperation": {"countryCode": country[0], "countryName": country[1]},
    }


def measure(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def scheme(url: str, name: str) -> dict[str, Any]:
    return {"type": ["ConformityScheme"], "id": url, "name": name}


def topic(slug: str, name: str) -> dict[str, Any]:
    return {"type": ["ConformityTopic"], "id": TOPIC + slug, "name": name}


def metric(slug: str, name: str) -> dict[str, Any]:
    return {"type": ["PerformanceMetric"], "id": METRIC + slug, "name": name}


def criterion(ref: dict[str, Any], slug: str, name: str) -> dict[str, Any]:
    """A criterion of the conformity scheme ``ref``: the id a passport's claim and the
    assessments that attest it share (UNTP confirms a claim through this id)."""
    return {"type": ["Criterion"], "id": f"{ref['id']}/criteria/{slug}", "name": name}


def pcf_criterion(ref: dict[str, Any], boundary: str = "cradleToGate") -> dict[str, Any]:
    if boundary == "gateToGate":
        return criterion(
            ref, "gate-to-gate-footprint", "Verified gate-to-gate process emissions (ISO 14067)"
        )
    return criterion(
        ref,
        "cradle-to-gate-footprint",
        "Verified cradle-to-gate product carbon footprint (ISO 14067)",
    )


def recycled_criterion(ref: dict[str, Any]) -> dict[str, Any]:
    return criterion(ref, "recycled-content", "Verified recycled content (ISO 14021)")


def coc_criterion(ref: dict[str, Any]) -> dict[str, Any]:
    return criterion(
        ref, "mass-balance", "Mass-balance chain of custody, site level, credit method (ISO 22095)"
    )


COC_TOPIC = ("chain-of-custody", "Chain of custody")


@dataclass
class Issued:
    """One served document: where, what, by whom, and the unsigned credential it secures."""

    stem: str
    org: Org
    url: str
    file: str
    type: str
    fmt: str
    credential: dict[str, Any]
    secured: Any
    #: when it was signed (its validFrom, and the proof's ``created``)
    at: datetime = CLOCK


@dataclass
class Chain:
    """The credentials of one chain (or of one negative variant of it), issued in order.

    ``variant`` is "" for the chain itself, else the check id the variant must trip.
    """

    name: str
    variant: str = ""
    issued: dict[str, Issued] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    #: certifier host → accreditation stem (the DIA its attestations cite)
    accreditations: dict[str, str] = field(default_factory=dict)
    #: certifier host → {stem: index in its revocation list}
    status: dict[str, dict[str, int]] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    #: party host → the registry of its platform, the home of the credits it opens
    platforms: dict[str, Registry] = field(default_factory=dict)
    #: the witness of the registries' checkpoints (every receipt carries its cosignature)
    witness: Witness | None = None
    #: the receipt defect of a massbalance.unregistered.<kind> variant
    defect: ReceiptDefect | None = None
    #: False: the homes record debits without judging them (the holder and balance are then
    #: the graph's to judge: the massbalance.overallocated and not-holder variants)
    homes_judge: bool = True
    #: bundle options the variant needs
    options: dict[str, Any] = field(default_factory=dict)

    def platform(self, org: Org, name: str) -> Registry:
        """Give ``org`` a platform whose registry (``registry.<host>``) homes its credits."""
        registry = Registry(f"registry.{org.host}", name)
        self.platforms[org.host] = registry
        return registry

    def url(self, stem: str) -> str:
        return self.issued[stem].url

    def link(self, stem: str, name: str, kind: str) -> dict[str, Any]:
        item = self.issued[stem]
        return {
            "linkURL": item.url,
            "linkName": name,
            "linkType": LINK_TYPES + kind,
            "mediaType": "application/vc+jwt" if item.fmt == "vc+jwt" else "application/vc",
            "digestMultibase": digest_document(item.secured),
        }

    def issue(
        self,
        stem: str,
        org: Org,
        types: str,
        name: str,
        subject: Any,
        *,
        fmt: str = "vc+jwt",
        status_index: int | None = None,
        at: datetime = CLOCK,
    ) -> None:
        """Issue ``stem``, signed (and valid from) ``at``: the build's clock unless the
        credential predates a key rotation of its issuer (:class:`WebvhOrg`)."""
        credential = self._draft(stem, org, types, name, subject, at)
        if status_index is not None:
            list_url = f"https://credentials.{org.host}/{STATUS_LIST}"
            credential["credentialStatus"] = status_entry(list_url, status_index, "revocation")
            self.status.setdefault(org.host, {})[stem] = status_index
        postings = self._register(stem, org, credential)
        self._add(
            stem, org, types, fmt, credential, f"https://credentials.{org.host}/{stem}", at=at
        )
        if postings.openings:
            signed = Credential(
                credential["id"], org.did, digest_document(self.issued[stem].secured)
            )
            self.platforms[org.host].open(signed, postings, org.host)

    def register_elsewhere(self, stem: str, org: Org, types: str, name: str, subject: Any) -> None:
        """Register the debits of a credential issued into another graph (not this one)."""
        self._register(stem, org, self._draft(stem, org, types, name, subject))

    def _draft(
        self, stem: str, org: Org, types: str, name: str, subject: Any, at: datetime = CLOCK
    ) -> dict[str, Any]:
        return {
            "@context": CONTEXT,
            "type": [types, "VerifiableCredential"],
            "id": "urn:uuid:" + _uuid(f"{self.name}/{stem}"),
            "issuer": org.issuer(),
            "validFrom": _stamp(at),
            "name": name,
            "credentialSubject": subject,
        }

    def _register(self, stem: str, org: Org, credential: dict[str, Any]) -> Postings:
        """Before signing: name the home of the credits ``credential`` opens (its issuer's
        platform), register its debits of homed credits at their homes, and carry the
        receipts on its event. The registration digest is taken once the home is named and
        before the receipts are in (they are left out of it)."""
        postings = postings_of(credential)
        if postings.openings:
            name_home(credential, self.platforms[org.host].home)
        if not postings.charges:
            return postings
        drawer = Credential(credential["id"], org.did, registration_digest(credential))
        homes: dict[str, tuple[Registry, list[Charge]]] = {}
        for charge in postings.charges:
            home = next(
                (
                    r
                    for s in charge.sources
                    for r in self.platforms.values()
                    if r.fitting(s.digest, charge)
                ),
                None,
            )
            if home is not None:  # else an origin: its source opens no homed credit
                homes.setdefault(home.host, (home, []))[1].append(charge)
        receipts = [self._receipt(stem, home, drawer, charges) for home, charges in homes.values()]
        if any(receipts):
            credential["credentialSubject"][0][RECEIPT_PROPERTY] = [r for r in receipts if r]
        return postings

    def _receipt(
        self, stem: str, home: Registry, drawer: Credential, charges: list[Charge]
    ) -> str | None:
        """Register ``charges`` at ``home``: its receipt, as the variant's defect has it."""
        defect = self.defect if self.defect is not None and self.defect.stem == stem else None
        kind = "" if defect is None else defect.kind
        if kind == "no-receipt":
            return None
        if kind == "wrong-amount":
            charges = [replace(c, amount_mg=c.amount_mg - 5 * TONNE_MG) for c in charges]
        if defect is not None and kind == "wrong-holder":
            drawer = replace(drawer, issuer=defect.holder)
        judged = self.homes_judge and kind != "wrong-holder"
        try:
            entries = home.debits(drawer, charges, judged=judged)
        except ConflictError:
            if defect is None or kind != "second-spend":
                raise
            # The home refuses a second spend: the drawer's own platform answers instead.
            entries = home.debits(drawer, charges, judged=False)
            return defect.platform.prove(entries, self.witness)
        forger = None
        if kind == "forged-receipt":
            forger = Signer(_key(f"forged {home.host}"), home.signer().verification_method)
        return home.prove(entries, self.witness, forger=forger, fork=kind == "equivocation")

    def _add(
        self,
        stem: str,
        org: Org,
        types: str,
        fmt: str,
        credential: dict[str, Any],
        url: str,
        file: str | None = None,
        *,
        at: datetime = CLOCK,
    ) -> None:
        assert stem not in self.issued, stem
        secured = _sign(credential, org, fmt, at)
        item = Issued(stem, org, url, file or f"{stem}.json", types, fmt, credential, secured, at)
        self.issued[stem] = item
        self.orgs[org.host] = org

    def reissue(self, stem: str, **changes: Any) -> None:
        """Serve a copy of ``stem`` re-signed by its issuer with ``changes``: links made
        earlier keep the digest of the original."""
        item = self.issued[stem]
        item.credential = dict(item.credential, **changes)
        item.secured = _sign(item.credential, item.org, item.fmt, item.at)

    def publish_status_lists(self) -> None:
        """Issue each certifier's revocation list (bits set for ``revoked``), once all is issued."""
        for host, members in sorted(self.status.items()):
            org = self.orgs[host]
            bits = bytearray(MIN_LIST_LENGTH // 8)
            for stem, index in members.items():
                if stem in self.revoked:
                    set_status(bits, index, 1)
            url = f"https://credentials.{host}/{STATUS_LIST}"
            credential = status_list_credential(
                url, org.did, "revocation", bits, valid_from=VALID_FROM
            )
            self._add(
                f"{host}/{STATUS_LIST}",
                org,
                "BitstringStatusListCredential",
                "vc+jwt",
                credential,
                url,
                STATUS_LIST.replace("/", "-") + ".json",
            )

    def bundle(
        self,
        root: str,
        trust_anchors: list[Org],
        description: str,
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The chain as one ProvenanceGraphBundle (what the graph verifier is posted)."""
        out: dict[str, Any] = {"type": "ProvenanceGraphBundle", "description": description}
        if self.variant:
            out["expectedCheck"] = check_of(self.variant)
        out.update(
            {
                "root": self.url(root),
                "verificationTime": VERIFICATION_TIME,
                "trustAnchors": sorted(o.did for o in trust_anchors),
                "options": {**(options or {}), **self.options},
                "documents": {
                    i.url: i.secured for i in sorted(self.issued.values(), key=lambda i: i.url)
                },
                "didDocuments": {
                    did: document
                    for _, did, document in sorted(self.identities(), key=lambda i: i[1])
                },
            }
        )
        if logs := self.logs():
            out["didLogs"] = {did: log for _, did, log in sorted(logs, key=lambda i: i[1])}
        return out

    def identities(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(host, DID, DID document) of every did:web issuer, registry and the witness."""
        parties: list[Org | Registry | Witness] = [
            *(o for o in self.orgs.values() if not isinstance(o, WebvhOrg)),
            *self.platforms.values(),
        ]
        if self.witness is not None:
            parties.append(self.witness)
        return [(p.host, p.did, p.did_document()) for p in parties]

    def logs(self) -> list[tuple[str, str, str]]:
        """(host, DID, ``did.jsonl``) of every did:webvh issuer."""
        return [(o.host, o.did, o.log) for o in self.orgs.values() if isinstance(o, WebvhOrg)]

    def write(self, out: Path, trust_anchors: list[Org], bundle: dict[str, Any]) -> None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "dids").mkdir(exist_ok=True)
        files = [i.file for i in self.issued.values()]
        assert len(set(files)) == len(files), files
        for item in self.issued.values():
            _dump(out / item.file, item.secured)
        for host, _, document in sorted(self.identities()):
            _dump(out / "dids" / f"{host}.json", document)
        for host, _, log in sorted(self.logs()):
            (out / "dids" / f"{host}.jsonl").write_text(log, encoding="utf-8")
        index = [
            {
                "file": i.file,
                "linkURL": i.url,
                "type": i.type,
                "issuer": i.org.did,
                "format": i.fmt,
            }
            for i in self.issued.values()
        ]
        _dump(out / "index.json", {"chain": self.name, "credentials": index})
        _dump(
            out / "trust-anchors.json",
            {
                "trustAnchors": [
                    {"did": o.did, "name": o.name, "role": "accreditation body"}
                    for o in trust_anchors
                ]
            },
        )
        _dump(out / "bundle.json", bundle)


#: Signed credentials by (credential, issuer, format, time). Keys and clock are fixed, so
#: signing is deterministic (Ed25519), and most variants re-issue most of their chain unchanged:
#: reusing the result makes `make examples` several times faster without changing a byte.
_SIGNED: dict[tuple[str, str, str, datetime], Any] = {}


def _sign(credential: dict[str, Any], org: Org, fmt: str, at: datetime) -> Any:
    key = (json.dumps(credential, sort_keys=True), org.host, fmt, at)
    if key not in _SIGNED:
        _SIGNED[key] = issue_credential(
            credential, org.signer(at), fmt, loader=bundled_loader(), clock=lambda: at
        )
    return copy.deepcopy(_SIGNED[key])


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


#: The check the massbalance.unregistered.<kind> variants trip.
UNREGISTERED = "massbalance.unregistered"
TONNE_MG = 1_000_000_000


def check_of(variant: str) -> str:
    """The check id a variant must trip (its ``expectedCheck``): check ids are
    ``<group>.<name>``, and a variant named ``<check id>.<case>`` is one case of that check."""
    return ".".join(variant.split(".")[:2])


def _uuid(label: str) -> str:
    h = hashlib.sha256(label.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- profile builders -------------------------------------------------------------------------
def accredit(
    chain: Chain,
    stem: str,
    ab: Org,
    cb: Org,
    schemes: list[dict[str, Any]],
    commodities: list[dict[str, Any]],
    countries: list[str],
    period: dict[str, str] = ACCREDITED,
) -> None:
    """Issue the accreditation (DIA) of ``cb`` by ``ab``; ``cb``'s attestations cite it."""
    subject = {
        "type": ["RegisteredIdentity", "Accreditation"],
        "id": cb.did,
        "registeredName": cb.name,
        "registeredId": cb.registered_id,
        "registeredDate": period["startDate"],
        "publicInformation": f"https://{ab.host}/register/{cb.registered_id}",
        "idScheme": {
            "type": ["IdentifierScheme"],
            "id": f"https://{ab.host}/register",
            "name": f"{ab.name} register of accredited bodies",
        },
        "registrar": ab.party(),
        "registerType": "accreditation",
        "registrationScope": [s["id"] for s in schemes],
        "accreditedScheme": schemes,
        "accreditedCommodity": commodities,
        "accreditedCountry": countries,
        "validityPeriod": dict(period),
        "accreditationStandard": "ISO/IEC 17065:2012",
    }
    chain.issue(stem, ab, "DigitalIdentityAnchor", f"Accreditation of {cb.name}", subject)
    chain.accreditations[cb.host] = stem


def _attestation(
    chain: Chain,
    cb: Org,
    holder: Org,
    kind: str,
    ident: str,
    name: str,
    attestation_type: str,
    ref: dict[str, Any],
) -> dict[str, Any]:
    stem = chain.accreditations[cb.host]
    ab = chain.issued[stem].org
    return {
        "type": ["ConformityAttestation", kind],
        "id": f"https://{cb.host}/attestations/{ident}",
        "name": name,
        "assessorLevel": "3rdParty",
        "assessmentLevel": "scheme-cab",
        "attestationType": attestation_type,
        "issuedToParty": holder.party(),
        "authorisation": [
            {
                "name": f"Accredited by {ab.name} (ISO/IEC 17065)",
                "issuingAuthority": ab.party(),
                "endorsementEvidence": chain.link(stem, f"Accreditation of {cb.name} (DIA)", "dia"),
            }
        ],
        "referenceScheme": ref,
    }


def coc_certificate(
    chain: Chain,
    cb: Org,
    holder: Org,
    ident: str,
    ref: dict[str, Any],
    scope: list[dict[str, Any]],
    site: dict[str, Any],
    description: str,
    covered: list[dict[str, Any]],
) -> dict[str, Any]:
    """A site's chain-of-custody certificate; its one assessment is of the scheme's
    mass-balance criterion, for the certified ``covered`` products made at the site."""
    subject = _attestation(
        chain,
        cb,
        holder,
        "ChainOfCustodyCertificate",
        ident,
        "Chain-of-custody certificate (mass balance, site level, credit method)",
        "certification",
        ref,
    )
    subject.update(
        {
            "description": description,
            "conformityCertificate": {
                "linkURL": f"https://{cb.host}/certificates/{ident}.pdf",
                "linkName": f"Certificate {ident} (PDF)",
                "mediaType": "application/pdf",
                "linkType": LINK_TYPES + "certificate",
            },
            "certificateNumber": ident,
            "validityPeriod": {"startDate": "2026-01-15", "endDate": "2029-01-14"},
            "chainOfCustodyModel": "massBalance",
            "massBalanceLevel": "site",
            "massBalanceMethod": "creditMethod",
            "materialScope": scope,
            "certifiedFacility": [site],
        }
    )
    tpc = topic(*COC_TOPIC)
    subject["conformityAssessment"] = [
        {
            "type": ["ConformityAssessment"],
            "id": f"https://{cb.host}/assessments/{ident}",
            "name": "Mass-balance chain of custody (site level, credit method)",
            "assessmentCriteria": [dict(coc_criterion(ref), conformityTopic=[tpc])],
            "assessmentDate": "2026-01-10",
            "assessedPerformance": [
                {
                    "score": {
                        "code": "conformant",
                        "definition": "The site's mass-balance system meets every requirement of the standard.",
                    }
                }
            ],
            "assessedProduct": [{"product": p, "idVerifiedByCAB": True} for p in covered],
            "assessedFacility": [{"facility": site, "idVerifiedByCAB": True}],
            "conformityTopic": [tpc],
            "conformance": True,
        }
    ]
    return subject


def _assessment(
    cb: Org,
    ident: str,
    name: str,
    crit: dict[str, Any],
    tpc: dict[str, Any],
    perf: dict[str, Any],
    product: dict[str, Any],
) -> dict[str, Any]:
    return {
        "type": ["ConformityAssessment"],
        "id": f"https://{cb.host}/assessments/{ident}",
        "name": name,
        "assessmentCriteria": [dict(crit, conformityTopic=[tpc])],
        "assessmentDate": "2026-01-10",
        "assessedPerformance": [perf],
        "assessedProduct": [{"product": product, "idVerifiedByCAB": True}],
        "conformityTopic": [tpc],
        "conformance": True,
    }


GHG = ("greenhouse-gas-emissions", "Greenhouse Gas Emissions")
CIRC = ("circularity", "Circularity and recycled content")
PCF_METRIC = ("product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)")


def pcf_attestation(
    chain: Chain,
    cb: Org,
    holder: Org,
    ident: str,
    ref: dict[str, Any],
    product: dict[str, Any],
    pcf: float,
    fossil: float,
    country: str,
    pcr: tuple[str, str],
    *,
    assessment_name: str,
    name: str | None = None,
    boundary: str = "cradleToGate",
    unit: str = "KGM",
    pcf_metric: tuple[str, str] = PCF_METRIC,
) -> dict[str, Any]:
    """A PCF attestation of ``product``: cradle-to-gate (the product's footprint) or
    gate-to-gate (one process's own emissions per kg of its output, added in a roll-up).
    ``unit`` is the declared unit (KGM; KWH for a battery's footprint per kWh)."""
    subject = _attestation(
        chain,
        cb,
        holder,
        "ProductCarbonFootprintAttestation",
        ident,
        name or f"Product carbon footprint verification, {product['name']}",
        "verification",
        ref,
    )
    assessment = _assessment(
        cb,
        ident,
        assessment_name,
        pcf_criterion(ref, boundary),
        topic(*GHG),
        {"metric": metric(*pcf_metric), "measure": measure(pcf, unit)},
        product,
    )
    assessment["carbonFootprint"] = {
        "declaredUnitOfMeasurement": unit,
        "declaredUnitAmount": 1,
        "pcfExcludingBiogenicUptake": pcf,
        "pcfIncludingBiogenicUptake": pcf,
        "fossilGhgEmissions": fossil,
        "primaryDataShare": 0.82,
        "systemBoundary": boundary,
        "referencePeriod": {"startDate": "2025-01-01", "endDate": "2025-12-31"},
        "geographyCountry": country,
        "crossSectoralStandard": ["ISO14067", "GHGProtocolProductStandard"],
        "productCategoryRule": [{"linkURL": pcr[0], "linkName": pcr[1], "mediaType": "text/html"}],
        "exemptedEmissionsShare": 0.01,
        "exemptedEmissionsDescription": "Capital goods and business travel (below 1 % of the total).",
        "characterizationFactors": "AR6",
        "assuranceLevel": "limited",
        "assuranceStandard": "ISO 14064-3:2019",
    }
    subject["conformityAssessment"] = [assessment]
    return subject


def recycled_attestation(
    chain: Chain,
    cb: Org,
    holder: Org,
    ident: str,
    ref: dict[str, Any],
    product: dict[str, Any],
    material: dict[str, Any],
    pre: float,
    post: float,
    fraction: float = 1.0,
) -> dict[str, Any]:
    subject = _attestation(
        chain,
        cb,
        holder,
        "RecycledContentAttestation",
        ident,
        f"Recycled content verification, {product['name']}",
        "verification",
        ref,
    )
    assessment = _assessment(
        cb,
        ident,
        f"Recycled {material['name'].lower()} content (mass-balance allocation)",
        recycled_criterion(ref),
        topic(*CIRC),
        {
            "metric": metric("recycled-content", "Recycled content (mass fraction)"),
            "measure": measure(fraction, "C62"),
        },
        product,
    )
    assessment["recycledContent"] = [
        {
            "material": material,
            "recycledFraction": fraction,
            "preConsumerFraction": pre,
            "postConsumerFraction": post,
            "recycledContentStandard": "ISO14021",
            "chainOfCustodyModel": "massBalance",
            "massBalanceLevel": "site",
            "massBalanceMethod": "creditMethod",
            "referencePeriod": {"startDate": "2025-01-01", "endDate": "2025-12-31"},
            "assuranceLevel": "limited",
            "assuranceStandard": "ISO 14064-3:2019",
        }
    ]
    subject["conformityAssessment"] = [assessment]
    return subject


def product(
    org: Org,
    gtin: str,
    batch: str,
    name: str,
    category: dict[str, Any],
    country: tuple[str, str],
) -> dict[str, Any]:
    return {
        "type": ["Product"],
        "id": f"https://id.{org.host}/01/{gtin}/10/{batch}",
        "name": name,
        "idGranularity": "batch",
        "batchNumber": batch,
        "productCategory": [category],
        "countryOfProduction": {"countryCode": country[0], "countryName": country[1]},
    }


def credit(
    kind: str,
    tonnes: float,
    attested: list[dict[str, Any]],
    *,
    pcf: float | None = None,
    recycled: float = 1.0,
    source: list[dict[str, Any]] | None = None,
    material: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A certified quantity in tonnes of the certified metal (Cu, Fe); ``pcf`` is kg CO2e per
    kg of that metal. ``material``: the element the credit is of, when it is one account per
    element (the battery chain's recycled content)."""
    out: dict[str, Any] = {"propertyKind": kind}
    if material is not None:
        out["material"] = material
    out |= {
        "creditQuantity": measure(tonnes, "TNE"),
        "chainOfCustodyModel": "massBalance",
        "massBalanceLevel": "site",
        "massBalanceMethod": "creditMethod",
    }
    if pcf is not None:
        out.update({"pcfExcludingBiogenicUptake": pcf, "declaredUnitOfMeasurement": "KGM"})
    else:
        out["recycledFraction"] = recycled
    out["attestedBy"] = attested
    if source:
        out["sourceCredential"] = source
    return out


def activity(code: str, name: str) -> dict[str, Any]:
    return {"code": code, "name": name, "schemeId": BIZSTEP, "schemeName": "GS1 CBV Business Step"}


def event(
    kind: list[str],
    ident: str,
    name: str,
    date: str,
    act: dict[str, Any],
    parties: list[tuple[str, Org]],
    body: dict[str, Any],
) -> list[dict[str, Any]]:
    subject = {
        "type": kind,
        "id": ident,
        "name": name,
        "eventDate": date,
        "activityType": act,
        "relatedParty": [{"role": role, "party": org.party()} for role, org in parties],
    }
    subject.update(body)
    return [subject]


def move(
    chain: Chain,
    stem: str,
    sender: Org,
    receiver: Org,
    item: dict[str, Any],
    qty: float,
    date: str,
    frm: dict[str, Any],
    to: dict[str, Any],
    transfer: str,
    name: str,
) -> None:
    subject = event(
        ["MoveEvent", "LifecycleEvent"],
        f"https://{sender.host}/events/{stem}",
        name,
        date,
        activity("shipping", "Shipping"),
        [("consignor", sender), ("consignee", receiver)],
        {
            "movedProduct": [
                {"product": item, "quantity": measure(qty, "TNE"), "disposition": "inTransit"}
            ],
            "fromFacility": frm,
            "toFacility": to,
            # format: uri; no resolvable waybill URL, so the URN the UNTP schema suggests
            # ("urn:carrier:waybillNumber"), in the consignor's namespace
            "consignmentId": f"urn:carrier:{sender.host}:SHP-{stem.upper()}",
            "transferKind": transfer,
        },
    )
    chain.issue(stem, sender, "DigitalTraceabilityEvent", name, subject)


def passport(
    org: Org,
    item: dict[str, Any],
    description: str,
    model: str,
    category: dict[str, Any],
    site: dict[str, Any],
    date: str,
    materials: list[dict[str, Any]],
    source: list[dict[str, Any]],
    claims: list[dict[str, Any]],
) -> dict[str, Any]:
    subject = dict(item)
    categories = list(item["productCategory"])
    if category not in categories:
        categories.append(category)
    subject.update(
        {
            "description": description,
            "idScheme": {
                "type": ["IdentifierScheme"],
                "id": "https://id.gs1.org/01",
                "name": "GS1 GTIN",
            },
            "modelNumber": model,
            "productCategory": categories,
            "producedAtFacility": site,
            "productionDate": date,
            "materialProvenance": materials,
            "sourceCredential": source,
            "performanceClaim": claims,
        }
    )
    return subject


def claim(
    org: Org,
    ident: str,
    name: str,
    mtr: dict[str, Any],
    value: dict[str, Any],
    tpc: dict[str, Any],
    kind: str,
    evidence: list[dict[str, Any]],
    *,
    criteria: list[dict[str, Any]],
    material: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A performance claim of the scheme ``criteria`` that the ``evidence`` assesses: the
    claim's criterion ids are those of the assessments that attest it. ``material``: the
    element whose value it claims (a recycled share of cobalt)."""
    out: dict[str, Any] = {
        "type": ["Claim"],
        "id": f"https://{org.host}/claims/{ident}",
        "name": name,
        "referenceCriteria": criteria,
        "claimDate": "2026-01-15",
        "applicablePeriod": {"startDate": "2025-01-01", "endDate": "2025-12-31"},
        "claimedPerformance": [{"metric": mtr, "measure": value}],
        "conformityTopic": [tpc],
        "propertyKind": kind,
        "chainOfCustodyModel": "massBalance",
        "massBalanceLevel": "site",
        "massBalanceMethod": "creditMethod",
        "evidence": evidence,
    }
    if material is not None:
        out["material"] = material
    return out


def material(
    name: str,
    country: tuple[str, str],
    el: dict[str, Any],
    fraction: float,
    tonnes: float,
    recycled: float | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "originCountry": {"countryCode": country[0], "countryName": country[1]},
        "materialType": el,
        "massFraction": fraction,
        "mass": measure(tonnes, "TNE"),
    }
    if recycled is not None:
        out["recycledMassFraction"] = recycled
    return out


def retire_sold_credits(
    chain: Chain,
    seller: Org,
    lot: dict[str, Any],
    got: list[dict[str, Any]],
    retired: list[dict[str, Any]],
    site: dict[str, Any],
    date: str,
    stem: str,
    statement: str,
) -> str:
    """Issue the root of a massbalance.not-holder variant, and the status lists; its stem.

    ``seller``, having moved ``lot`` with its credits to a consignee (``got`` links to that
    move), retires those ``retired`` credits itself, into the very lot it sold.
    """
    tonnes = sum(r["creditQuantity"]["value"] for r in retired)
    chain.issue(
        stem,
        seller,
        "DigitalTraceabilityEvent",
        f"{lot['name']}, batch {lot['batchNumber']}: {tonnes:g} t of certified material claimed, "
        "credits used up",
        event(
            ["ModifyEvent", "LifecycleEvent", "ClaimEvent"],
            f"https://{seller.host}/events/{stem}",
            f"Claim record, {lot['batchNumber']}",
            date,
            activity("commissioning", "Commissioning"),
            [("brandOwner", seller)],
            {
                "modifiedProduct": [
                    {
                        "product": dict(lot, sourceCredential=got),
                        "quantity": measure(tonnes, "TNE"),
                        "disposition": "active",
                    }
                ],
                "modifiedAtFacility": site,
                "retiredCredit": retired,
                "claimStatement": statement,
            },
        ),
    )
    chain.publish_status_lists()
    return stem


def receipts_of(c: Chain, v: str, stem: str, other: Org, drawer: Org) -> None:
    """Set up the receipts of variant ``v``: a massbalance.unregistered.<kind> variant breaks
    those of ``stem`` (issued by ``drawer``; ``other`` is the drawer a wrong-holder receipt
    names); in the variants whose defect is the graph's own to find, the homes register
    without judging."""
    if v.startswith(UNREGISTERED + "."):
        kind = v.removeprefix(UNREGISTERED + ".")
        c.defect = ReceiptDefect(stem, kind, other.did, c.platforms[drawer.host])
    if v in ("massbalance.overallocated", "massbalance.not-holder"):
        c.homes_judge = False
    if v == UNREGISTERED + ".equivocation":
        assert c.witness is not None
        c.options = {"requiredWitnesses": 1, "trustedWitnesses": [c.witness.did]}


# --- copper (Svemin 2019 worked example) ------------------------------------------------------
SWEDEN = ("SE", "Sweden")
CU = element("Cu", "Copper")
FE = element("Fe", "Iron")
#: A link to a credential that is served nowhere (the links.unreachable variants).
GONE = "https://credentials.gone.example"


def _gone_link(stem: str, name: str) -> dict[str, Any]:
    return {
        "linkURL": f"{GONE}/{stem}",
        "linkName": name,
        "linkType": LINK_TYPES + "dcc",
        "mediaType": "application/vc+jwt",
        "digestMultibase": digest_bytes(f"{GONE}/{stem} (withdrawn)".encode()),
    }


@dataclass(frozen=True)
class Built:
    """A chain as built: its credentials, its trust anchors and the stem of its root."""

    chain: Chain
    trust_anchors: list[Org]
    root: str


def copper(variant: str = "", base: Chain | None = None) -> Built:
    """Mine and scrap → smelter (cathode) → wire mill → computer maker, after Svemin (2019).

    Footprints are kg CO2e per kg of copper; credits are tonnes of copper. Own-mine
    concentrate 1.9 + smelting and refining 6.1 (gate to gate) = Cu 8.0 MIX cathode 8.0; wire
    drawing adds no attested emissions, so the wire carries 8.0 too. Scrap (recycled fraction
    1.0) becomes Cu RE MIX cathode (1.0).
    """
    c = Chain("copper", variant)
    v = variant
    ab = Org("accreditation.example.se", "Nordic Accreditation Authority", "202100-0000", SE)
    cb = Org(
        "certification.nordicmetals.example", "Nordic Metals Certification AB", "556000-1111", SE
    )
    smelter = Org("boreal-copper.example", "Boreal Copper AB", "556000-2222", SE)
    trader = Org("andes-trading.example", "Andes Concentrate Trading AB", "556000-4444", SE)
    scrap = Org("norrscrap.example", "Norrland Metallåtervinning AB", "556000-5555", SE)
    wire = Org("malar-kabel.example", "Mälar Kabel AB", "556000-6666", SE)
    brand = Org("nordlys-computers.example", "Nordlys Computers AB", "556000-7777", SE)
    anchors = [ab]
    c.platform(scrap, "Norrland Metallåtervinning credit registry")
    c.platform(smelter, "Boreal Copper credit registry")
    c.platform(wire, "Mälar Kabel credit registry")
    c.witness = Witness("witness.nordicmetals.example", "Nordic Metals registry witness")
    receipts_of(c, v, "make-wire", smelter, wire)
    coc_s = scheme(
        "https://schemes.example.org/nordic-metals-coc",
        "Nordic Metals Chain of Custody Standard v2 (ISO 22095 mass balance)",
    )
    pcf_s = scheme(
        "https://schemes.example.org/nordic-metals-pcf",
        "Nordic Metals Product Carbon Footprint Verification Programme",
    )
    rc_s = scheme(
        "https://schemes.example.org/nordic-metals-recycled",
        "Nordic Metals Recycled Content Verification Programme",
    )
    conc = classification("260300", "Copper ores and concentrates")
    cath = classification("740311", "Refined copper cathodes and sections of cathodes")
    scr = classification("740400", "Copper waste and scrap")
    wir = classification("740811", "Wire of refined copper, cross-section over 6 mm")
    pcs = classification(
        "847141",
        "Automatic data-processing machines with processing, input and output units in one housing",
    )
    smelter_site = facility("SE-BCS-001", "Boreal Copper smelter and refinery, Skellefteå", SWEDEN)
    mine_site = facility("SE-BCM-002", "Boreal Copper mine and concentrator, Aitik", SWEDEN)
    wire_site = facility("SE-MK-004", "Mälar Kabel wire mill, Västerås", SWEDEN)
    brand_site = facility("SE-NC-005", "Nordlys Computers assembly plant, Linköping", SWEDEN)
    port = facility("SE-LLA-900", "Port of Luleå bulk terminal", SWEDEN)
    yard = facility("SE-NMA-901", "Norrland Metallåtervinning scrap yard, Umeå", SWEDEN)
    pcr = ("https://environdec.example/pcr/basic-metals-2019-14", "c-PCR for basic copper products")

    if v == "trust.unanchored":
        # The accreditation is issued by a body no verifier has been told to trust.
        registrar = Org(
            "accreditation.example.net", "Global Accreditation Registry Ltd", "202100-9999", SE
        )
    else:
        registrar = ab
    accredit(
        c,
        "accreditation",
        registrar,
        cb,
        [coc_s, pcf_s, rc_s],
        [conc, cath, scr, wir],
        ["SE", "FI", "NO"],
        LAPSED if v == "trust.expired" else ACCREDITED,
    )
    smelter_cb = cb
    if v == "trust.scope":
        # The smelter's certificate comes from a certifier accredited (by a second, trusted
        # accreditation body) for steel commodities only.
        ab2 = Org(
            "accreditation.example.fi", "Finnish Accreditation Service (example)", "0245000-1", FI
        )
        smelter_cb = Org(
            "certification.balticsteel.example", "Baltic Steel Certification Oy", "3100000-2", FI
        )
        anchors = [ab, ab2]
        accredit(
            c,
            "accreditation-balticsteel",
            ab2,
            smelter_cb,
            [coc_s],
            [
                classification("260112", "Agglomerated iron ores and concentrates (pellets)"),
                classification("720449", "Ferrous waste and scrap"),
                classification(
                    "720839", "Flat-rolled iron or steel, hot-rolled, in coils, under 3 mm"
                ),
            ],
            ["SE", "FI"],
        )
    plain = product(
        smelter, "07350000000033", "CU-2026-011", "Copper cathode grade A", cath, SWEDEN
    )
    cu80 = product(
        smelter,
        "07350000000019",
        "CU80-2026-011",
        "Copper cathode grade A, Cu 8.0 MIX",
        cath,
        SWEDEN,
    )
    cure = product(
        smelter,
        "07350000000026",
        "CURE-2026-011",
        "Copper cathode grade A, Cu RE MIX",
        cath,
        SWEDEN,
    )

    def wire_product(batch: str) -> dict[str, Any]:
        return product(wire, "07350000000061", batch, "Copper wire 8 mm, Cu 8.0 MIX", wir, SWEDEN)

    c.issue(
        "coc-certificate-smelter",
        smelter_cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate NMC-COC-2026-0042 — {smelter.name}",
        coc_certificate(
            c,
            smelter_cb,
            smelter,
            "NMC-COC-2026-0042",
            coc_s,
            [conc, scr, cath],
            smelter_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Skellefteå smelter for concentrates, scrap and cathodes, after the Svemin (2019) concept.",
            [cu80, cure],
        ),
        status_index=42,
    )
    c.issue(
        "coc-certificate-wire",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate NMC-COC-2026-0051 — {wire.name}",
        coc_certificate(
            c,
            cb,
            wire,
            "NMC-COC-2026-0051",
            coc_s,
            [cath, wir],
            wire_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Västerås wire mill for cathode and wire.",
            [wire_product("MKW-2026-031")],
        ),
        status_index=51,
    )
    if v == "status.revocation":
        # The wire mill's certificate backs no passport claim, so only its status fails.
        c.revoked.add("coc-certificate-wire")
    concentrate = product(
        smelter,
        "07350000000002",
        "BCM-2026-019",
        "Own-mine copper concentrate (certified footprint)",
        conc,
        SWEDEN,
    )
    c.issue(
        "pcf-concentrate-own-mine",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — own-mine copper concentrate, per kg of contained copper",
        pcf_attestation(
            c,
            cb,
            smelter,
            "NMC-PCF-2026-0101",
            pcf_s,
            concentrate,
            1.9,
            1.8,
            "SE",
            pcr,
            assessment_name="Cradle-to-gate carbon footprint of own-mine copper concentrate, per kg of contained copper",
        ),
    )
    pcf_conc = c.link(
        "pcf-concentrate-own-mine", "Verified footprint of own-mine concentrate (DCC)", "dcc"
    )
    c.issue(
        "dpp-concentrate-own-mine",
        smelter,
        "DigitalProductPassport",
        "Digital product passport — own-mine copper concentrate, lot BCM-2026-019",
        passport(
            smelter,
            concentrate,
            "Copper concentrate (22.5 % Cu) from the Aitik mine, with a verified cradle-to-gate footprint of 1.9 kg CO2e per kg of contained copper.",
            "CU-CONC-25",
            conc,
            mine_site,
            "2026-01-05",
            [material("Copper in concentrate", SWEDEN, CU, 0.225, 45)],
            [pcf_conc],
            [
                claim(
                    smelter,
                    "bcm-2026-019-pcf",
                    "Product carbon footprint 1.9 kg CO2e per kg of contained copper",
                    metric(*PCF_METRIC),
                    measure(1.9, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf_conc],
                    criteria=[pcf_criterion(pcf_s)],
                )
            ],
        ),
    )
    imported = product(
        trader,
        "07350000000040",
        "IMP-2026-007",
        "Imported copper concentrate (no footprint data)",
        conc,
        ("PE", "Peru"),
    )
    peru = [material("Copper in concentrate", ("PE", "Peru"), CU, 0.225, 45)]
    imported["materialProvenance"] = peru
    imported["sourceCredential"] = [
        c.link(
            "coc-certificate-smelter",
            "Mass-balance system the lot enters as an uncertified input (DCC)",
            "dcc",
        )
    ]
    move(
        c,
        "move-import-concentrate",
        trader,
        smelter,
        imported,
        200,
        "2026-01-08T07:00:00Z",
        port,
        smelter_site,
        "custody",
        "Delivery of 200 t imported concentrate to Boreal Copper",
    )
    scrap_lot = product(
        scrap,
        "07350000000057",
        "SCR-2026-044",
        "Copper scrap (post- and pre-consumer)",
        scr,
        SWEDEN,
    )
    c.issue(
        "recycled-content-scrap",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — copper scrap lot SCR-2026-044",
        recycled_attestation(c, cb, scrap, "NMC-RC-2026-0029", rc_s, scrap_lot, CU, 0.3, 0.7),
    )
    rc_scrap = c.link(
        "recycled-content-scrap", "Verified recycled content of scrap lot (DCC)", "dcc"
    )
    scrap_moved = dict(
        scrap_lot,
        sourceCredential=[rc_scrap],
        materialProvenance=[material("Copper in scrap", SWEDEN, CU, 0.2, 10, 1.0)],
        certifiedProperty=[credit("recycledContent", 10, [rc_scrap])],
    )
    move(
        c,
        "move-scrap",
        scrap,
        smelter,
        scrap_moved,
        50,
        "2026-01-09T10:00:00Z",
        yard,
        smelter_site,
        "custodyAndCredit",
        "Delivery of 50 t copper scrap to Boreal Copper",
    )

    c.issue(
        "pcf-cathode-cu80",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — copper cathode Cu 8.0 MIX",
        pcf_attestation(
            c,
            cb,
            smelter,
            "NMC-PCF-2026-0107",
            pcf_s,
            cu80,
            8.0,
            7.6,
            "SE",
            pcr,
            assessment_name="Cradle-to-gate carbon footprint of copper cathode grade A, Cu 8.0 MIX (mass-balance allocation)",
        ),
    )
    process_pcf = 4.1 if v == "rollup.footprint" else 6.1
    c.issue(
        "pcf-smelting-process",
        cb,
        "DigitalConformityCredential",
        "Verified gate-to-gate carbon footprint — Skellefteå smelting and refining",
        pcf_attestation(
            c,
            cb,
            smelter,
            "NMC-PCF-2026-0106",
            pcf_s,
            cu80,
            process_pcf,
            {6.1: 5.8, 4.1: 3.8}[process_pcf],
            "SE",
            pcr,
            name="Process carbon footprint verification, smelting and electrolytic refining at Skellefteå",
            assessment_name=f"Gate-to-gate emissions of smelting and electrolytic refining at Skellefteå: {process_pcf} kg CO2e per kg of cathode copper",
            boundary="gateToGate",
        ),
    )
    re_fraction = 0.9 if v == "rollup.recycled" else 1.0
    c.issue(
        "recycled-content-cathode-re",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — copper cathode Cu RE MIX",
        recycled_attestation(
            c,
            cb,
            smelter,
            "NMC-RC-2026-0031",
            rc_s,
            cure,
            CU,
            round(0.3 * re_fraction, 4),
            round(0.7 * re_fraction, 4),
            re_fraction,
        ),
    )
    pcf80 = c.link("pcf-cathode-cu80", "Verified footprint, Cu 8.0 MIX (DCC)", "dcc")
    own = dict(
        concentrate,
        sourceCredential=[
            c.link(
                "dpp-concentrate-own-mine",
                "Passport of own-mine concentrate lot BCM-2026-019 (DPP)",
                "dpp",
            )
        ],
        materialProvenance=[material("Copper in concentrate", SWEDEN, CU, 0.225, 45)],
        certifiedProperty=[credit("carbonFootprint", 45, [pcf_conc], pcf=1.9)],
    )
    imported_in = dict(
        imported,
        sourceCredential=[
            c.link("move-import-concentrate", "Receipt of imported concentrate (DTE)", "dte")
        ],
    )
    scrap_in = dict(
        scrap_moved, sourceCredential=[c.link("move-scrap", "Receipt of copper scrap (DTE)", "dte")]
    )
    coc_smelter = c.link(
        "coc-certificate-smelter", "Chain-of-custody certificate NMC-COC-2026-0042 (DCC)", "dcc"
    )
    related = [
        coc_smelter,
        c.link(
            "pcf-smelting-process",
            "Verified gate-to-gate footprint of smelting and refining (DCC)",
            "dcc",
        ),
    ]
    if v == "links.unreachable":
        related.append(
            _gone_link(
                "energy-attestation-2026", "Attestation of the smelter's electricity supply (DCC)"
            )
        )
    cu80_t = 60 if v == "massbalance.conservation" else 45
    c.issue(
        "make-cathode",
        smelter,
        "DigitalTraceabilityEvent",
        "Smelting and refining of campaign 2026-011 into copper cathode",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{smelter.host}/events/make-cathode-2026-011",
            "Smelting and electrolytic refining, campaign 2026-011",
            "2026-01-12T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", smelter)],
            {
                "description": f"Svemin (2019) worked example: 200 t imported concentrate (45 t Cu, no footprint data), 200 t own-mine concentrate (45 t Cu, certified footprint 1.9 kg CO2e per kg Cu) and 50 t scrap (10 t Cu) make 100 t cathode: {90 - cu80_t} t uncertified, {cu80_t} t Cu 8.0 MIX (1.9 kg CO2e per kg from the concentrate credits + 6.1 for smelting and refining = 8.0 kg CO2e per kg, mass balance) and 10 t Cu RE MIX.",
                "inputProduct": [
                    {
                        "product": imported_in,
                        "quantity": measure(200, "TNE"),
                        "disposition": "consumed",
                    },
                    {"product": own, "quantity": measure(200, "TNE"), "disposition": "consumed"},
                    {
                        "product": scrap_in,
                        "quantity": measure(50, "TNE"),
                        "disposition": "consumed",
                    },
                ],
                "outputProduct": [
                    {
                        "product": plain,
                        "quantity": measure(90 - cu80_t, "TNE"),
                        "disposition": "new",
                    },
                    {
                        "product": dict(
                            cu80,
                            certifiedProperty=[credit("carbonFootprint", cu80_t, [pcf80], pcf=8.0)],
                        ),
                        "quantity": measure(cu80_t, "TNE"),
                        "disposition": "new",
                    },
                    {
                        "product": dict(
                            cure,
                            certifiedProperty=[
                                credit(
                                    "recycledContent",
                                    10,
                                    [
                                        c.link(
                                            "recycled-content-cathode-re",
                                            "Verified recycled content, Cu RE MIX (DCC)",
                                            "dcc",
                                        )
                                    ],
                                    recycled=re_fraction,
                                )
                            ],
                        ),
                        "quantity": measure(10, "TNE"),
                        "disposition": "new",
                    },
                ],
                "madeAtFacility": smelter_site,
                "conversionFactor": [{"material": CU, "factor": 1.0}],
                "relatedDocument": related,
            },
        ),
    )
    make = c.link("make-cathode", "Make event, campaign 2026-011 (DTE)", "dte")
    coc_claim = claim(
        smelter,
        "cu80-2026-011-coc",
        "Certified chain of custody (mass balance)",
        metric("certified-material", "Certified material quantity"),
        measure(45, "TNE"),
        topic("chain-of-custody", "Chain of custody"),
        "responsibleSourcing",
        [coc_smelter],
        criteria=[coc_criterion(coc_s)],
    )
    c.issue(
        "dpp-cathode-cu80",
        smelter,
        "DigitalProductPassport",
        "Digital product passport — copper cathode Cu 8.0 MIX, batch CU80-2026-011",
        passport(
            smelter,
            cu80,
            "LME grade A copper cathode (Cu-CATH-1) from campaign 2026-011, allocated Cu 8.0 MIX footprint credits under mass balance.",
            "Cu-CATH-1",
            classification(
                "41521",
                "Unwrought copper",
                "https://unstats.un.org/unsd/classifications/Econ/cpc/",
                "UN Central Product Classification (CPC)",
            ),
            smelter_site,
            "2026-01-12",
            [material("Copper", SWEDEN, CU, 0.9999, 45)],
            [make],
            [
                claim(
                    smelter,
                    "cu80-2026-011-pcf",
                    "Product carbon footprint 8.0 kg CO2e per kg (Cu 8.0 MIX)",
                    metric(*PCF_METRIC),
                    measure(8.0, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf80],
                    criteria=[pcf_criterion(pcf_s)],
                ),
                coc_claim,
            ],
        ),
    )
    moved = dict(
        cu80,
        sourceCredential=[
            make,
            c.link("dpp-cathode-cu80", "Passport, Cu 8.0 MIX cathode (DPP)", "dpp"),
        ],
        certifiedProperty=[credit("carbonFootprint", 45, [pcf80], pcf=8.0)],
    )
    move(
        c,
        "move-cathode-cu80",
        smelter,
        wire,
        moved,
        45,
        "2026-01-20T09:30:00Z",
        smelter_site,
        wire_site,
        "custodyAndCredit",
        "Sale of 45 t Cu 8.0 MIX cathode with its credits to Mälar Kabel",
    )
    received = c.link("move-cathode-cu80", "Receipt of Cu 8.0 MIX cathode and credits (DTE)", "dte")
    coc_wire = c.link(
        "coc-certificate-wire", "Chain-of-custody certificate NMC-COC-2026-0051 (DCC)", "dcc"
    )

    def make_wire(stem: str, batch: str, date: str, *, elsewhere: bool = False) -> dict[str, Any]:
        """Draw the 45 t of Cu 8.0 MIX cathode received into wire lot ``batch`` (into another
        graph, registered at the home but not issued here, when ``elsewhere``)."""
        lot = wire_product(batch)
        (c.register_elsewhere if elsewhere else c.issue)(
            stem,
            wire,
            "DigitalTraceabilityEvent",
            "Drawing of 45 t Cu 8.0 MIX cathode into wire",
            event(
                ["MakeEvent", "LifecycleEvent"],
                f"https://{wire.host}/events/{stem}-{batch[4:].lower()}",
                f"Continuous casting and drawing, lot {batch}",
                date,
                activity("commissioning", "Commissioning"),
                [("manufacturer", wire)],
                {
                    "inputProduct": [
                        {
                            "product": dict(
                                cu80,
                                sourceCredential=[received],
                                certifiedProperty=[credit("carbonFootprint", 45, [pcf80], pcf=8.0)],
                            ),
                            "quantity": measure(45, "TNE"),
                            "disposition": "consumed",
                        }
                    ],
                    "outputProduct": [
                        {
                            "product": dict(
                                lot,
                                certifiedProperty=[
                                    credit(
                                        "carbonFootprint", 45, [pcf80], pcf=8.0, source=[received]
                                    )
                                ],
                            ),
                            "quantity": measure(45, "TNE"),
                            "disposition": "new",
                        }
                    ],
                    "madeAtFacility": wire_site,
                    "conversionFactor": [{"material": CU, "factor": 1.0}],
                    "relatedDocument": [coc_wire],
                },
            ),
        )
        return lot

    def move_wire(stem: str, lot: dict[str, Any], source: list[dict[str, Any]]) -> None:
        move(
            c,
            stem,
            wire,
            brand,
            dict(
                lot,
                sourceCredential=source,
                certifiedProperty=[credit("carbonFootprint", 45, [pcf80], pcf=8.0)],
            ),
            45,
            "2026-02-02T08:00:00Z",
            wire_site,
            brand_site,
            "custodyAndCredit",
            f"Sale of 45 t Cu 8.0 MIX wire (lot {lot['batchNumber']}) with its credits to Nordlys Computers",
        )

    if v == UNREGISTERED + ".second-spend":
        # The first spend of the cathode credits, into another graph, registered at the home.
        make_wire("make-wire-a", "MKW-2026-030", "2026-01-26T06:00:00Z", elsewhere=True)
    wire_lot = make_wire("make-wire", "MKW-2026-031", "2026-01-27T06:00:00Z")
    made_wire = c.link("make-wire", "Make event, wire lot MKW-2026-031 (DTE)", "dte")
    wire_claims = [
        claim(
            wire,
            "mkw-2026-031-pcf",
            "Product carbon footprint 8.0 kg CO2e per kg copper (Cu 8.0 MIX)",
            metric(*PCF_METRIC),
            measure(8.0, "KGM"),
            topic(*GHG),
            "carbonFootprint",
            [pcf80],
            criteria=[pcf_criterion(pcf_s)],
        )
    ]
    retirement = []
    if v == "graph.cycle":
        # The passport links to the claim event that retires its credits, the root, which
        # links (through the wire's move) back to the passport: a hash link cannot point
        # forward, so its digest is that of a draft of the claim event (the valid chain's).
        assert base is not None
        retirement.append(base.link("claim-computers", "Retirement of these credits (DTE)", "dte"))
    if v == "claims.unattested":
        # A recycled-content claim whose only evidence is a carbon-footprint attestation.
        wire_claims.append(
            claim(
                wire,
                "mkw-2026-031-rc",
                "Recycled copper content 100 %",
                metric("recycled-content", "Recycled content (mass fraction)"),
                measure(1.0, "C62"),
                topic(*CIRC),
                "recycledContent",
                [pcf80],
                criteria=[recycled_criterion(rc_s)],
            )
        )
    c.issue(
        "dpp-wire-cu80",
        wire,
        "DigitalProductPassport",
        "Digital product passport — copper wire Cu 8.0 MIX, lot MKW-2026-031",
        passport(
            wire,
            wire_lot,
            "8 mm copper wire rod drawn from Cu 8.0 MIX cathode without loss; carries the 45 t of Cu 8.0 MIX credits.",
            "MK-CU-8",
            wir,
            wire_site,
            "2026-01-27",
            [material("Copper", SWEDEN, CU, 0.9999, 45)],
            [made_wire, *retirement],
            wire_claims,
        ),
        fmt="eddsa-rdfc-2022",
    )
    move_wire(
        "move-wire-cu80",
        wire_lot,
        [made_wire, c.link("dpp-wire-cu80", "Passport, Cu 8.0 MIX wire (DPP)", "dpp")],
    )
    got = [c.link("move-wire-cu80", "Receipt of Cu 8.0 MIX wire and credits (DTE)", "dte")]
    if v == "massbalance.overallocated":
        # A second wire lot drawn from the same 45 t of cathode credits, also sold and retired.
        lot_b = make_wire("make-wire-b", "MKW-2026-032", "2026-01-28T06:00:00Z")
        move_wire(
            "move-wire-cu80-b",
            lot_b,
            [c.link("make-wire-b", "Make event, wire lot MKW-2026-032 (DTE)", "dte")],
        )
        got.append(
            c.link("move-wire-cu80-b", "Receipt of Cu 8.0 MIX wire lot MKW-2026-032 (DTE)", "dte")
        )
    if v == "massbalance.not-holder":
        # Mälar Kabel sold the wire lot with its credits to Nordlys Computers (the consignee
        # of move-wire-cu80), then retires those credits itself.
        root = retire_sold_credits(
            c,
            wire,
            wire_lot,
            got,
            [credit("carbonFootprint", 45, [pcf80], pcf=8.0, source=got)],
            wire_site,
            "2026-03-31T16:00:00Z",
            "claim-wire",
            "The copper of wire lot MKW-2026-031 is allocated Cu 8.0 MIX credits: 8.0 kg CO2e per kg copper (mass balance, site level, credit method); the 45 t of credits are retired.",
        )
        return Built(c, anchors, root)
    computers = product(
        brand,
        "07350000001016",
        "NC-2026-Q1",
        "Nordlys workstation, production quarter 2026-Q1",
        pcs,
        SWEDEN,
    )
    computers["sourceCredential"] = got
    retired = [credit("carbonFootprint", 45, [pcf80], pcf=8.0, source=[g]) for g in got]
    tonnes = 45 * len(got)
    c.issue(
        "claim-computers",
        brand,
        "DigitalTraceabilityEvent",
        f"Computers: {tonnes} t of low-carbon copper claimed (Cu 8.0 MIX credits used up)",
        event(
            ["ModifyEvent", "LifecycleEvent", "ClaimEvent"],
            f"https://{brand.host}/events/claim-computers-2026-q1",
            "Claim record, computers 2026-Q1",
            "2026-03-31T16:00:00Z",
            activity("commissioning", "Commissioning"),
            [("brandOwner", brand)],
            {
                "modifiedProduct": [
                    {
                        "product": computers,
                        "quantity": measure(90000, "H87"),
                        "disposition": "active",
                    }
                ],
                "modifiedAtFacility": brand_site,
                "retiredCredit": retired,
                "claimStatement": f"The {tonnes / 90:g} kg of copper in each of the 90 000 computers of 2026-Q1 is allocated Cu 8.0 MIX credits: 8.0 kg CO2e per kg copper (mass balance, site level, credit method); the {tonnes} t of credits are retired.",
            },
        ),
    )
    if v == "links.digest":
        c.reissue(
            "recycled-content-scrap",
            name="Verified recycled content — copper scrap lot SCR-2026-044 (corrected wording)",
        )
    c.publish_status_lists()
    return Built(c, anchors, "claim-computers")


# --- steel: pellets (mine) -> hot-rolled coil (mill) -> truck chassis (vehicle maker) ----------
def steel(variant: str = "", base: Chain | None = None) -> Built:
    """Pellets and scrap → hot-rolled coil → truck chassis.

    Footprints are kg CO2e per kg of iron; credits are tonnes of iron. Pellet iron 0.06 + the
    low-carbon route's own emissions 0.64 (gate to gate) = low-carbon coil 0.7, carried into
    the chassis frames. Scrap (recycled fraction 1.0) becomes recycled-scrap-route coil (1.0).

    The certifier is a did:webvh (:class:`WebvhOrg`): it signs the pellets' footprint
    attestation on 2026-01-05 with key-1, rotates to key-2 on 2026-01-12 and signs the rest,
    among them the low-carbon coil's footprint attestation (both Data Integrity, whose
    ``created`` dates the signature).
    """
    c = Chain("steel", variant)
    v = variant
    ab = Org(
        "accreditation.example.de", "Deutsche Akkreditierungsstelle (example)", "HRB-000001", DE
    )
    cb: Org = WebvhOrg(
        "certification.steelcert.example", "SteelCert Zertifizierung GmbH", "HRB-000002", DE
    )
    mine = Org("norrbotten-iron.example", "Norrbotten Iron AB", "556000-8888", SE)
    dealer = Org("ruhr-schrott.example", "Ruhr Schrott GmbH", "HRB-000003", DE)
    mill = Org("rheinstahl.example", "Rheinstahl AG", "HRB-000004", DE)
    oem = Org("nordtruck.example", "Nordtruck AB", "556000-9999", SE)
    anchors = [ab]
    c.platform(mine, "Norrbotten Iron credit registry")
    c.platform(dealer, "Ruhr Schrott credit registry")
    c.platform(mill, "Rheinstahl credit registry")
    c.platform(oem, "Nordtruck credit registry")
    c.witness = Witness("witness.steelcert.example", "SteelCert registry witness")
    receipts_of(c, v, "make-chassis", mill, oem)
    coc_s = scheme(
        "https://schemes.example.org/steelcert-coc",
        "SteelCert Chain of Custody Standard (ISO 22095 mass balance)",
    )
    pcf_s = scheme(
        "https://schemes.example.org/steelcert-pcf",
        "SteelCert Product Carbon Footprint Verification",
    )
    rc_s = scheme(
        "https://schemes.example.org/steelcert-recycled", "SteelCert Recycled Content Verification"
    )
    pel = classification("260112", "Agglomerated iron ores and concentrates (pellets)")
    hrc = classification("720839", "Flat-rolled iron or steel, hot-rolled, in coils, under 3 mm")
    scr = classification("720449", "Ferrous waste and scrap")
    chs = classification("870600", "Chassis fitted with engines, for motor vehicles")
    germany = ("DE", "Germany")
    sweden = ("SE", "Sweden")
    mine_site = facility("SE-NI-010", "Norrbotten Iron pelletising plant, Malmberget", sweden)
    yard = facility("DE-RS-011", "Ruhr Schrott scrap yard, Duisburg", germany)
    mill_site = facility(
        "DE-RS-012", "Rheinstahl integrated works and hot strip mill, Duisburg", germany
    )
    oem_site = facility("SE-NT-013", "Nordtruck chassis plant, Södertälje", sweden)
    pcr = (
        "https://environdec.example/pcr/basic-iron-steel-2019-14",
        "PCR 2019:14 Basic iron or steel products",
    )

    if v == "trust.unanchored":
        registrar = Org(
            "accreditation.example.net", "Global Accreditation Registry Ltd", "HRB-999999", DE
        )
    else:
        registrar = ab
    accredit(
        c,
        "accreditation",
        registrar,
        cb,
        [coc_s, pcf_s, rc_s],
        [pel, scr, hrc, chs],
        ["DE", "SE"],
        LAPSED if v == "trust.expired" else ACCREDITED,
    )
    mill_cb = cb
    if v == "trust.scope":
        # The mill's certificate comes from a certifier accredited (by a second, trusted
        # accreditation body) for copper commodities only.
        ab2 = Org("accreditation.example.at", "Akkreditierung Austria (example)", "FN-000001", AT)
        mill_cb = Org(
            "certification.alpenkupfer.example", "Alpenkupfer Zertifizierung GmbH", "FN-000002", AT
        )
        anchors = [ab, ab2]
        accredit(
            c,
            "accreditation-alpenkupfer",
            ab2,
            mill_cb,
            [coc_s],
            [
                classification("260300", "Copper ores and concentrates"),
                classification("740311", "Refined copper cathodes and sections of cathodes"),
                classification("740400", "Copper waste and scrap"),
            ],
            ["DE", "AT"],
        )
    coil = product(mill, "04000000000028", "HRC-2026-051", "Hot-rolled coil S355MC", hrc, germany)
    low = product(
        mill,
        "04000000000035",
        "HRC-LC-2026-051",
        "Hot-rolled coil S355MC, low-carbon route",
        hrc,
        germany,
    )
    rec = product(
        mill,
        "04000000000042",
        "HRC-RS-2026-051",
        "Hot-rolled coil S355MC, recycled-scrap route",
        hrc,
        germany,
    )

    def chassis_product(batch: str) -> dict[str, Any]:
        return product(
            oem, "07350000003003", batch, f"Truck chassis NT-400, series {batch[6:]}", chs, sweden
        )

    c.issue(
        "coc-certificate-mill",
        mill_cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate SC-COC-2026-0007 — {mill.name}",
        coc_certificate(
            c,
            mill_cb,
            mill,
            "SC-COC-2026-0007",
            coc_s,
            [pel, scr, hrc],
            mill_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Duisburg works for pellets, scrap and hot-rolled coil, with a low-carbon and a recycled-scrap route.",
            [low, rec],
        ),
        status_index=7,
    )
    c.issue(
        "coc-certificate-vehicle",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate SC-COC-2026-0012 — {oem.name}",
        coc_certificate(
            c,
            cb,
            oem,
            "SC-COC-2026-0012",
            coc_s,
            [hrc, chs],
            oem_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Södertälje chassis plant for coil and chassis.",
            [chassis_product("NT-CH-2026-02")],
        ),
        status_index=12,
    )
    if v == "status.revocation":
        # The chassis plant's certificate backs no passport claim, so only its status fails.
        c.revoked.add("coc-certificate-vehicle")
    pellets = product(
        mine,
        "07350000002006",
        "NIP-2026-004",
        "Blast-furnace iron ore pellets (certified footprint)",
        pel,
        sweden,
    )
    c.issue(
        "pcf-pellets",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — iron ore pellets, per kg of contained iron",
        pcf_attestation(
            c,
            cb,
            mine,
            "SC-PCF-2026-0020",
            pcf_s,
            pellets,
            0.06,
            0.05,
            "SE",
            pcr,
            assessment_name="Cradle-to-gate carbon footprint of blast-furnace iron ore pellets, per kg of contained iron",
        ),
        fmt="eddsa-rdfc-2022",
        at=datetime(2026, 1, 5, tzinfo=UTC),  # before the certifier's key rotation
    )
    pcf_pel = c.link("pcf-pellets", "Verified footprint of pellets (DCC)", "dcc")
    ore = [material("Iron in pellets", sweden, FE, 0.65, 910)]
    c.issue(
        "dpp-pellets",
        mine,
        "DigitalProductPassport",
        "Digital product passport — iron ore pellets, lot NIP-2026-004",
        passport(
            mine,
            pellets,
            "Blast-furnace pellets (65 % Fe) from Malmberget, with a verified cradle-to-gate footprint of 0.06 kg CO2e per kg of contained iron.",
            "NI-BF-65",
            pel,
            mine_site,
            "2026-01-03",
            ore,
            [pcf_pel],
            [
                claim(
                    mine,
                    "nip-2026-004-pcf",
                    "Product carbon footprint 0.06 kg CO2e per kg of contained iron",
                    metric(*PCF_METRIC),
                    measure(0.06, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf_pel],
                    criteria=[pcf_criterion(pcf_s)],
                )
            ],
        ),
    )
    moved_pellets = dict(
        pellets,
        sourceCredential=[
            c.link("dpp-pellets", "Passport of pellet lot NIP-2026-004 (DPP)", "dpp")
        ],
        materialProvenance=ore,
        certifiedProperty=[credit("carbonFootprint", 910, [pcf_pel], pcf=0.06)],
    )
    move(
        c,
        "move-pellets",
        mine,
        mill,
        moved_pellets,
        1400,
        "2026-01-06T08:00:00Z",
        mine_site,
        mill_site,
        "custodyAndCredit",
        "Shipment of 1400 t pellets (910 t Fe) to Rheinstahl",
    )
    scrap_lot = product(
        dealer,
        "04000000000011",
        "RS-2026-118",
        "Sorted steel scrap (E3/E8 grades)",
        scr,
        germany,
    )
    c.issue(
        "recycled-content-scrap",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — steel scrap lot RS-2026-118",
        recycled_attestation(c, cb, dealer, "SC-RC-2026-0044", rc_s, scrap_lot, FE, 0.4, 0.6),
    )
    rc_scrap = c.link(
        "recycled-content-scrap", "Verified recycled content of scrap lot (DCC)", "dcc"
    )
    scrap_moved = dict(
        scrap_lot,
        sourceCredential=[rc_scrap],
        materialProvenance=[material("Iron in scrap", germany, FE, 0.98, 100, 1.0)],
        certifiedProperty=[credit("recycledContent", 100, [rc_scrap])],
    )
    move(
        c,
        "move-scrap",
        dealer,
        mill,
        scrap_moved,
        102,
        "2026-01-07T10:00:00Z",
        yard,
        mill_site,
        "custodyAndCredit",
        "Delivery of 102 t steel scrap to Rheinstahl",
    )

    c.issue(
        "pcf-coil-lowcarbon",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — hot-rolled coil, low-carbon route",
        pcf_attestation(
            c,
            cb,
            mill,
            "SC-PCF-2026-0031",
            pcf_s,
            low,
            0.7,
            0.68,
            "DE",
            pcr,
            assessment_name="Cradle-to-gate carbon footprint of hot-rolled coil S355MC, low-carbon route (mass-balance allocation)",
        ),
        fmt="eddsa-rdfc-2022",  # after the rotation: signed with key-2
    )
    process_pcf = 0.44 if v == "rollup.footprint" else 0.64
    c.issue(
        "pcf-lowcarbon-process",
        cb,
        "DigitalConformityCredential",
        "Verified gate-to-gate carbon footprint — low-carbon iron and steelmaking route, Duisburg",
        pcf_attestation(
            c,
            cb,
            mill,
            "SC-PCF-2026-0030",
            pcf_s,
            low,
            process_pcf,
            {0.64: 0.62, 0.44: 0.42}[process_pcf],
            "DE",
            pcr,
            name="Process carbon footprint verification, low-carbon iron and steelmaking and hot rolling at Duisburg",
            assessment_name=f"Gate-to-gate emissions of the low-carbon route (hydrogen direct reduction, electric arc furnace, hot rolling): {process_pcf} kg CO2e per kg of coil",
            boundary="gateToGate",
        ),
    )
    rc_fraction = 0.9 if v == "rollup.recycled" else 1.0
    c.issue(
        "recycled-content-coil",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — hot-rolled coil, recycled-scrap route",
        recycled_attestation(
            c,
            cb,
            mill,
            "SC-RC-2026-0047",
            rc_s,
            rec,
            FE,
            round(0.4 * rc_fraction, 4),
            round(0.6 * rc_fraction, 4),
            rc_fraction,
        ),
    )
    pcf_low = c.link("pcf-coil-lowcarbon", "Verified footprint, low-carbon coil (DCC)", "dcc")
    coc_mill = c.link(
        "coc-certificate-mill", "Chain-of-custody certificate SC-COC-2026-0007 (DCC)", "dcc"
    )
    related = [
        coc_mill,
        c.link(
            "pcf-lowcarbon-process",
            "Verified gate-to-gate footprint of the low-carbon route (DCC)",
            "dcc",
        ),
    ]
    if v == "links.unreachable":
        related.append(
            _gone_link("hydrogen-attestation-2026", "Attestation of the renewable hydrogen (DCC)")
        )
    c.issue(
        "make-coil",
        mill,
        "DigitalTraceabilityEvent",
        "Iron and steelmaking and hot rolling, campaign 2026-051",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{mill.host}/events/make-coil-2026-051",
            "Steelmaking and hot rolling, campaign 2026-051",
            "2026-01-14T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", mill)],
            {
                "description": "1400 t pellets (910 t Fe, certified footprint 0.06 kg CO2e per kg Fe) and 102 t scrap (100 t Fe) make 1000 t hot-rolled coil: 700 t standard, 200 t low-carbon route (0.06 kg CO2e per kg from the pellet credits + 0.64 for the route = 0.7 kg CO2e per kg, mass balance) and 100 t recycled-scrap route.",
                "inputProduct": [
                    {
                        "product": dict(
                            moved_pellets,
                            sourceCredential=[
                                c.link("move-pellets", "Receipt of pellets (DTE)", "dte")
                            ],
                        ),
                        "quantity": measure(1400, "TNE"),
                        "disposition": "consumed",
                    },
                    {
                        "product": dict(
                            scrap_moved,
                            sourceCredential=[
                                c.link("move-scrap", "Receipt of steel scrap (DTE)", "dte")
                            ],
                        ),
                        "quantity": measure(102, "TNE"),
                        "disposition": "consumed",
                    },
                ],
                "outputProduct": [
                    {"product": coil, "quantity": measure(700, "TNE"), "disposition": "new"},
                    {
                        "product": dict(
                            low,
                            certifiedProperty=[credit("carbonFootprint", 200, [pcf_low], pcf=0.7)],
                        ),
                        "quantity": measure(200, "TNE"),
                        "disposition": "new",
                    },
                    {
                        "product": dict(
                            rec,
                            certifiedProperty=[
                                credit(
                                    "recycledContent",
                                    100,
                                    [
                                        c.link(
                                            "recycled-content-coil",
                                            "Verified recycled content, recycled-scrap coil (DCC)",
                                            "dcc",
                                        )
                                    ],
                                    recycled=rc_fraction,
                                )
                            ],
                        ),
                        "quantity": measure(100, "TNE"),
                        "disposition": "new",
                    },
                ],
                "madeAtFacility": mill_site,
                "conversionFactor": [{"material": FE, "factor": 1.0}],
                "relatedDocument": related,
            },
        ),
    )
    make = c.link("make-coil", "Make event, campaign 2026-051 (DTE)", "dte")
    c.issue(
        "dpp-coil-lowcarbon",
        mill,
        "DigitalProductPassport",
        "Digital product passport — hot-rolled coil, low-carbon route, batch HRC-LC-2026-051",
        passport(
            mill,
            low,
            "S355MC hot-rolled coil from campaign 2026-051, allocated low-carbon-route footprint credits under mass balance.",
            "S355MC",
            hrc,
            mill_site,
            "2026-01-14",
            [material("Iron", sweden, FE, 0.98, 196)],
            [make],
            [
                claim(
                    mill,
                    "hrc-lc-2026-051-pcf",
                    "Product carbon footprint 0.7 kg CO2e per kg (low-carbon route)",
                    metric(*PCF_METRIC),
                    measure(0.7, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf_low],
                    criteria=[pcf_criterion(pcf_s)],
                ),
                claim(
                    mill,
                    "hrc-lc-2026-051-coc",
                    "Certified chain of custody (mass balance)",
                    metric("certified-material", "Certified material quantity"),
                    measure(200, "TNE"),
                    topic("chain-of-custody", "Chain of custody"),
                    "responsibleSourcing",
                    [coc_mill],
                    criteria=[coc_criterion(coc_s)],
                ),
            ],
        ),
    )
    moved = dict(
        low,
        sourceCredential=[
            make,
            c.link("dpp-coil-lowcarbon", "Passport, low-carbon coil (DPP)", "dpp"),
        ],
        certifiedProperty=[credit("carbonFootprint", 200, [pcf_low], pcf=0.7)],
    )
    move(
        c,
        "move-coil-lowcarbon",
        mill,
        oem,
        moved,
        200,
        "2026-01-21T07:00:00Z",
        mill_site,
        oem_site,
        "custodyAndCredit",
        "Sale of 200 t low-carbon coil with its credits to Nordtruck",
    )
    got = c.link("move-coil-lowcarbon", "Receipt of low-carbon coil and credits (DTE)", "dte")
    coc_vehicle = c.link(
        "coc-certificate-vehicle", "Chain-of-custody certificate SC-COC-2026-0012 (DCC)", "dcc"
    )

    def make_chassis(
        stem: str, batch: str, date: str, tonnes: float, *, elsewhere: bool = False
    ) -> dict[str, Any]:
        """Build a chassis series from the 200 t of low-carbon coil received; ``tonnes`` of
        low-carbon credits come out (into another graph, registered at the home but not issued
        here, when ``elsewhere``)."""
        series = chassis_product(batch)
        (c.register_elsewhere if elsewhere else c.issue)(
            stem,
            oem,
            "DigitalTraceabilityEvent",
            f"Frame and chassis assembly, series {batch[6:]}",
            event(
                ["MakeEvent", "LifecycleEvent"],
                f"https://{oem.host}/events/make-chassis-{batch[6:]}",
                f"Frame rail forming and chassis assembly, series {batch[6:]}",
                date,
                activity("commissioning", "Commissioning"),
                [("manufacturer", oem)],
                {
                    "inputProduct": [
                        {
                            "product": dict(
                                low,
                                sourceCredential=[got],
                                certifiedProperty=[
                                    credit("carbonFootprint", 200, [pcf_low], pcf=0.7)
                                ],
                            ),
                            "quantity": measure(200, "TNE"),
                            "disposition": "consumed",
                        }
                    ],
                    "outputProduct": [
                        {
                            "product": dict(
                                series,
                                certifiedProperty=[
                                    credit(
                                        "carbonFootprint", tonnes, [pcf_low], pcf=0.7, source=[got]
                                    )
                                ],
                            ),
                            "quantity": measure(500, "H87"),
                            "disposition": "new",
                        }
                    ],
                    "madeAtFacility": oem_site,
                    "conversionFactor": [{"material": FE, "factor": 1.0}],
                    "relatedDocument": [coc_vehicle],
                },
            ),
        )
        return series

    if v == UNREGISTERED + ".second-spend":
        # The first spend of the coil credits, into another graph, registered at the home.
        make_chassis("make-chassis-a", "NT-CH-2026-01", "2026-02-03T06:00:00Z", 200, elsewhere=True)
    chassis = make_chassis(
        "make-chassis",
        "NT-CH-2026-02",
        "2026-02-10T06:00:00Z",
        250 if v == "massbalance.conservation" else 200,
    )
    make_ch = c.link("make-chassis", "Make event, chassis series 2026-02 (DTE)", "dte")
    chassis_claims = [
        claim(
            oem,
            "nt-ch-2026-02-pcf",
            "Frame steel at 0.7 kg CO2e per kg (low-carbon route)",
            metric(*PCF_METRIC),
            measure(0.7, "KGM"),
            topic(*GHG),
            "carbonFootprint",
            [pcf_low],
            criteria=[pcf_criterion(pcf_s)],
        )
    ]
    retirement = []
    if v == "graph.cycle":
        # The passport links to the claim event (the root) that links back to it; the digest
        # is that of a draft of the claim event (the valid chain's).
        assert base is not None
        retirement.append(base.link("claim-chassis", "Retirement of these credits (DTE)", "dte"))
    if v == "claims.unattested":
        # A recycled-content claim whose only evidence is a carbon-footprint attestation.
        chassis_claims.append(
            claim(
                oem,
                "nt-ch-2026-02-rc",
                "Frame steel with 100 % recycled iron",
                metric("recycled-content", "Recycled content (mass fraction)"),
                measure(1.0, "C62"),
                topic(*CIRC),
                "recycledContent",
                [pcf_low],
                criteria=[recycled_criterion(rc_s)],
            )
        )
    c.issue(
        "dpp-chassis",
        oem,
        "DigitalProductPassport",
        "Digital product passport — truck chassis NT-400, series 2026-02",
        passport(
            oem,
            chassis,
            "500 truck chassis NT-400 whose 0.4 t of frame steel each is allocated low-carbon-route coil credits.",
            "NT-400",
            chs,
            oem_site,
            "2026-02-10",
            [material("Iron in frame steel", sweden, FE, 0.6, 196)],
            [make_ch, *retirement],
            chassis_claims,
        ),
        fmt="eddsa-rdfc-2022",
    )
    if v == "massbalance.not-holder":
        # Rheinstahl sold the low-carbon coil with its credits to Nordtruck (the consignee of
        # move-coil-lowcarbon), then retires those credits itself.
        root = retire_sold_credits(
            c,
            mill,
            low,
            [got],
            [credit("carbonFootprint", 200, [pcf_low], pcf=0.7, source=[got])],
            mill_site,
            "2026-02-28T16:00:00Z",
            "claim-coil",
            "The iron of coil batch HRC-LC-2026-051 is allocated low-carbon-route credits: 0.7 kg CO2e per kg steel (mass balance, site level, credit method); the 200 t of credits are retired.",
        )
        return Built(c, anchors, root)
    sources = [make_ch, c.link("dpp-chassis", "Passport, chassis series 2026-02 (DPP)", "dpp")]
    retired = [credit("carbonFootprint", 200, [pcf_low], pcf=0.7, source=[make_ch])]
    if v == "massbalance.overallocated":
        # A second series built from the same 200 t of coil credits, retired by the same claim.
        make_chassis("make-chassis-b", "NT-CH-2026-03", "2026-02-17T06:00:00Z", 200)
        make_b = c.link("make-chassis-b", "Make event, chassis series 2026-03 (DTE)", "dte")
        sources.append(make_b)
        retired.append(credit("carbonFootprint", 200, [pcf_low], pcf=0.7, source=[make_b]))
    tonnes = 200 * len(retired)
    c.issue(
        "claim-chassis",
        oem,
        "DigitalTraceabilityEvent",
        f"Truck chassis: {tonnes} t of low-carbon steel coil claimed (credits used up)",
        event(
            ["ModifyEvent", "LifecycleEvent", "ClaimEvent"],
            f"https://{oem.host}/events/claim-chassis-2026-02",
            "Claim record, chassis series 2026-02",
            "2026-02-28T16:00:00Z",
            activity("commissioning", "Commissioning"),
            [("brandOwner", oem)],
            {
                "modifiedProduct": [
                    {
                        "product": dict(chassis, sourceCredential=sources),
                        "quantity": measure(500, "H87"),
                        "disposition": "active",
                    }
                ],
                "modifiedAtFacility": oem_site,
                "retiredCredit": retired,
                "claimStatement": f"The 0.4 t of frame steel in each of the 500 chassis of series 2026-02 is allocated low-carbon-route credits: 0.7 kg CO2e per kg steel (mass balance, site level, credit method); the {tonnes} t of credits are retired.",
            },
        ),
    )
    if v == "links.digest":
        c.reissue(
            "recycled-content-scrap",
            name="Verified recycled content — steel scrap lot RS-2026-118 (corrected wording)",
        )
    c.publish_status_lists()
    return Built(c, anchors, "claim-chassis")


# --- battery: nickel, cobalt (mine) and recycled salts -> cathode material -> cells -> pack ----
NI = element("Ni", "Nickel")
CO = element("Co", "Cobalt")
LI = element("Li", "Lithium")
FINLAND = ("FI", "Finland")
BATTERY_PCF_METRIC = (
    "battery-carbon-footprint",
    "Battery carbon footprint (kg CO2e per kWh, Regulation (EU) 2023/1542, Article 7)",
)
#: Recycled credits per element (tonnes of the element) and the element's mass in the cathode
#: material lot (tonnes): the recycled share per element is their ratio; (pre, post) consumer.
RECYCLED_T = {"Ni": 9.6, "Co": 2.4, "Li": 1.4}
IN_CAM_T = {"Ni": 96.0, "Co": 12.0, "Li": 14.0}
#: Rated energy of one pack (kWh), declared on make-pack's output (``characteristics``): the
#: graph derives the pack's footprint per kWh from the credits, 22.0 kg CO2e per kg × 50 t ÷
#: (1 600 × 78 kWh) = 8.8141, which the passport claims (8.81; overstated in a variant).
PACK_KWH = 78
PACK_PCF_KWH = 8.81
PRE_POST = {"Ni": (0.4, 0.6), "Co": (0.4, 0.6), "Li": (0.4, 0.6)}


def battery(variant: str = "", base: Chain | None = None) -> Built:
    """Nickel and cobalt sulfate (mine) and recycled nickel, cobalt and lithium salts (recycler)
    → NMC811 cathode active material → cells → 78 kWh EV battery packs.

    Footprint credits are tonnes of the mine's nickel and cobalt (kg CO2e per kg of that
    metal): 45 t Ni at 12.0 and 5 t Co at 24.0 (illustrative figures, see examples/README.md)
    roll up to 13.2, + 2.8 for precursor and cathode synthesis (gate to gate) = 16.0 for the
    cathode material, + 6.0 for cell manufacturing = 22.0 for the cells and the packs. Recycled
    credits are tonnes of each element (recycled fraction 1.0): 9.6 t Ni, 2.4 t Co, 1.4 t Li in a
    lot holding 96 t Ni, 12 t Co and 14 t Li, so recycled shares of 10 %, 20 % and 10 %. The
    packs declare their energy (78 kWh each, ``characteristics.energyCapacity``), so the graph
    rolls the footprint up per kWh too: 22.0 × 50 000 kg ÷ (1 600 × 78 kWh) = 8.8141 kg CO2e
    per kWh, which the passport claims (8.81) and ``pcf-pack`` attests.
    """
    c = Chain("battery", variant)
    v = variant
    ab = Org("accreditation.example.fi", "Finnish Accreditation Service (example)", "0245000-1", FI)
    cb = Org(
        "certification.batterymetals.example",
        "Nordic Battery Metals Certification Oy",
        "3100000-5",
        FI,
    )
    mine = Org("kainuu-nickel.example", "Kainuu Nickel Oy", "3100000-6", FI)
    recycler = Org("kierto-recycling.example", "Kierto Battery Recycling Oy", "3100000-7", FI)
    cam = Org("hame-cathode.example", "Häme Cathode Materials Oy", "3100000-8", FI)
    maker = Org("nordcell.example", "Nordcell AB", "556000-3333", SE)
    anchors = [ab]
    c.platform(mine, "Kainuu Nickel credit registry")
    c.platform(recycler, "Kierto Battery Recycling credit registry")
    c.platform(cam, "Häme Cathode Materials credit registry")
    c.platform(maker, "Nordcell credit registry")
    c.witness = Witness("witness.batterymetals.example", "Nordic Battery Metals registry witness")
    receipts_of(c, v, "make-cell", cam, maker)
    coc_s = scheme(
        "https://schemes.example.org/battery-metals-coc",
        "Nordic Battery Metals Chain of Custody Standard (ISO 22095 mass balance)",
    )
    pcf_s = scheme(
        "https://schemes.example.org/battery-metals-pcf",
        "Nordic Battery Metals Carbon Footprint Verification Programme",
    )
    rc_s = scheme(
        "https://schemes.example.org/battery-metals-recycled",
        "Nordic Battery Metals Recycled Content Verification (Regulation (EU) 2023/1542, Article 8)",
    )
    nis = classification("283324", "Sulphates of nickel")
    cos = classification(
        "283329", "Sulphates (other than of copper, iron or nickel): cobalt sulphate"
    )
    salts = classification("382499", "Chemical products n.e.s.: recycled metal sulphate solution")
    cathode = classification(
        "284190",
        "Salts of oxometallic or peroxometallic acids (lithium nickel manganese cobalt oxide)",
    )
    liion = classification("850760", "Lithium-ion accumulators")
    mine_site = facility("FI-KN-020", "Kainuu Nickel mine and metals refinery, Sotkamo", FINLAND)
    recycler_site = facility(
        "FI-KR-021", "Kierto hydrometallurgical battery recycling plant, Harjavalta", FINLAND
    )
    cam_site = facility(
        "FI-HC-022", "Häme precursor and cathode material plant, Hämeenlinna", FINLAND
    )
    cell_site = facility("SE-NCE-023", "Nordcell cell and pack plant, Skellefteå", SWEDEN)
    pcr = (
        "https://environdec.example/pcr/rechargeable-batteries-2023",
        "PEFCR for high-specific-energy rechargeable batteries for mobile applications (example)",
    )

    if v == "trust.unanchored":
        registrar = Org(
            "accreditation.example.net", "Global Accreditation Registry Ltd", "202100-9999", FI
        )
    else:
        registrar = ab
    accredit(
        c,
        "accreditation",
        registrar,
        cb,
        [coc_s, pcf_s, rc_s],
        [nis, cos, salts, cathode, liion],
        ["FI", "SE"],
        LAPSED if v == "trust.expired" else ACCREDITED,
    )
    cam_cb = cb
    if v == "trust.scope":
        # The cathode plant's certificate comes from a certifier accredited (by a second,
        # trusted accreditation body) for steel commodities only.
        ab2 = Org("accreditation.example.se", "Nordic Accreditation Authority", "202100-0000", SE)
        cam_cb = Org(
            "certification.balticsteel.example", "Baltic Steel Certification Oy", "3100000-2", FI
        )
        anchors = [ab, ab2]
        accredit(
            c,
            "accreditation-balticsteel",
            ab2,
            cam_cb,
            [coc_s],
            [
                classification("260112", "Agglomerated iron ores and concentrates (pellets)"),
                classification("720449", "Ferrous waste and scrap"),
            ],
            ["SE", "FI"],
        )
    ni_lot = product(
        mine,
        "06400000000013",
        "KN-NI-2026-003",
        "Nickel sulphate hexahydrate, battery grade",
        nis,
        FINLAND,
    )
    co_lot = product(
        mine,
        "06400000000020",
        "KN-CO-2026-003",
        "Cobalt sulphate heptahydrate, battery grade",
        cos,
        FINLAND,
    )
    salts_lot = product(
        recycler,
        "06400000000037",
        "KR-2026-012",
        "Recycled nickel, cobalt and lithium sulphate solution (from black mass)",
        salts,
        FINLAND,
    )
    cam_lot = product(
        cam,
        "06400000000044",
        "HC-NMC811-2026-007",
        "Cathode active material NMC811",
        cathode,
        FINLAND,
    )
    cells = product(
        maker, "07350000004000", "NC-CELL-2026-02", "Prismatic NMC811 cell, 0.78 kWh", liion, SWEDEN
    )
    packs = product(
        maker, "07350000004017", "NC-PACK-2026-02", "EV battery pack NC-78, 78 kWh", liion, SWEDEN
    )

    # The Hämeenlinna cathode plant (FI-HC-022, make-cam) keeps its chain-of-custody
    # (responsibleSourcing) account on the rolling-average percentage method (ISO 22095-2):
    # its cathode lots claim at most the certified share of the site's inputs over January
    # 2026 (conversion factors to NMC811, stocktakes at the period's start and end), declared
    # in its facility record (dfr-cam-2026-01). Footprint and recycled content stay on the
    # credit method. The mine's sulphates carry their certified chain of custody (share 1.0).
    c.issue(
        "coc-certificate-mine",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate NBM-COC-2026-0020 — {mine.name}",
        coc_certificate(
            c,
            cb,
            mine,
            "NBM-COC-2026-0020",
            coc_s,
            [nis, cos],
            mine_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Sotkamo mine and metals refinery for battery-grade nickel and cobalt sulphate.",
            [ni_lot, co_lot],
        ),
        status_index=20,
    )
    coc_mine = c.link(
        "coc-certificate-mine", "Chain-of-custody certificate NBM-COC-2026-0020 (DCC)", "dcc"
    )

    def coc_share(
        tonnes: float, share: float, attested: list[dict[str, Any]], method: str
    ) -> dict[str, Any]:
        """A certified chain-of-custody (responsibleSourcing) quantity and its share."""
        return {
            "propertyKind": "responsibleSourcing",
            "creditQuantity": measure(tonnes, "TNE"),
            "certifiedShare": share,
            "chainOfCustodyModel": "massBalance",
            "massBalanceLevel": "site",
            "massBalanceMethod": method,
            "attestedBy": attested,
        }

    c.issue(
        "coc-certificate-cam",
        cam_cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate NBM-COC-2026-0022 — {cam.name}",
        coc_certificate(
            c,
            cam_cb,
            cam,
            "NBM-COC-2026-0022",
            coc_s,
            [nis, cos, salts, cathode],
            cam_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Hämeenlinna plant for nickel, cobalt and recycled metal sulphates and NMC cathode active material.",
            [cam_lot],
        ),
        status_index=22,
    )
    c.issue(
        "coc-certificate-cells",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate NBM-COC-2026-0023 — {maker.name}",
        coc_certificate(
            c,
            cb,
            maker,
            "NBM-COC-2026-0023",
            coc_s,
            [cathode, liion],
            cell_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Skellefteå plant for cathode active material, cells and battery packs.",
            [cells, packs],
        ),
        status_index=23,
    )
    if v == "status.revocation":
        # The cathode plant's certificate backs no passport claim, so only its status fails.
        c.revoked.add("coc-certificate-cam")

    # Origins: the mine's sulphates (footprint) and the recycler's salts (recycled content).
    for stem, lot, metal, pcf, fossil, ident in (
        ("pcf-nickel-sulphate", ni_lot, NI, 12.0, 11.6, "NBM-PCF-2026-0201"),
        ("pcf-cobalt-sulphate", co_lot, CO, 24.0, 23.1, "NBM-PCF-2026-0202"),
    ):
        c.issue(
            stem,
            cb,
            "DigitalConformityCredential",
            f"Verified product carbon footprint — {lot['name'].lower()}, per kg of contained {metal['name'].lower()}",
            pcf_attestation(
                c,
                cb,
                mine,
                ident,
                pcf_s,
                lot,
                pcf,
                fossil,
                "FI",
                pcr,
                assessment_name=f"Cradle-to-gate carbon footprint of {lot['name'].lower()}, per kg of contained {metal['name'].lower()} (illustrative figure)",
            ),
        )
    pcf_ni = c.link("pcf-nickel-sulphate", "Verified footprint of nickel sulphate (DCC)", "dcc")
    pcf_co = c.link("pcf-cobalt-sulphate", "Verified footprint of cobalt sulphate (DCC)", "dcc")
    ni_moved = dict(
        ni_lot,
        sourceCredential=[pcf_ni],
        materialProvenance=[material("Nickel in sulphate", FINLAND, NI, 0.223, 45)],
        certifiedProperty=[
            credit("carbonFootprint", 45, [pcf_ni], pcf=12.0),
            coc_share(202, 1.0, [coc_mine], "creditMethod"),
        ],
    )
    co_moved = dict(
        co_lot,
        sourceCredential=[pcf_co],
        materialProvenance=[material("Cobalt in sulphate", FINLAND, CO, 0.21, 5)],
        certifiedProperty=[
            credit("carbonFootprint", 5, [pcf_co], pcf=24.0),
            coc_share(24, 1.0, [coc_mine], "creditMethod"),
        ],
    )
    c.issue(
        "move-sulphates",
        mine,
        "DigitalTraceabilityEvent",
        "Delivery of nickel and cobalt sulphate with their footprint and chain-of-custody credits to Häme Cathode Materials",
        event(
            ["MoveEvent", "LifecycleEvent"],
            f"https://{mine.host}/events/move-sulphates",
            "Delivery of 202 t nickel sulphate (45 t Ni) and 24 t cobalt sulphate (5 t Co)",
            "2026-01-06T08:00:00Z",
            activity("shipping", "Shipping"),
            [("consignor", mine), ("consignee", cam)],
            {
                "movedProduct": [
                    {
                        "product": ni_moved,
                        "quantity": measure(202, "TNE"),
                        "disposition": "inTransit",
                    },
                    {
                        "product": co_moved,
                        "quantity": measure(24, "TNE"),
                        "disposition": "inTransit",
                    },
                ],
                "fromFacility": mine_site,
                "toFacility": cam_site,
                "consignmentId": f"urn:carrier:{mine.host}:SHP-MOVE-SULPHATES",
                "transferKind": "custodyAndCredit",
            },
        ),
    )
    co_fraction = 0.9 if v == "rollup.recycled" else 1.0
    fractions = {"Ni": 1.0, "Co": co_fraction, "Li": 1.0}
    elements = {"Ni": NI, "Co": CO, "Li": LI}
    rc_salts = recycled_attestation(
        c, cb, recycler, "NBM-RC-2026-0301", rc_s, salts_lot, NI, 0.4, 0.6
    )
    rc_salts["conformityAssessment"][0]["name"] = (
        "Recycled nickel, cobalt and lithium content (hydrometallurgical recycling of black mass)"
    )
    template = rc_salts["conformityAssessment"][0]["recycledContent"][0]
    rc_salts["conformityAssessment"][0]["recycledContent"] = [
        dict(
            template,
            material=elements[el],
            recycledFraction=fractions[el],
            preConsumerFraction=round(PRE_POST[el][0] * fractions[el], 4),
            postConsumerFraction=round(PRE_POST[el][1] * fractions[el], 4),
        )
        for el in ("Ni", "Co", "Li")
    ]
    rc_salts["conformityAssessment"][0]["assessedPerformance"][0]["measure"] = measure(
        1.0 if v != "rollup.recycled" else 0.98, "C62"
    )
    c.issue(
        "recycled-content-salts",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — recycled metal sulphate lot KR-2026-012",
        rc_salts,
    )
    rc_up = c.link(
        "recycled-content-salts", "Verified recycled content of the recycled salts (DCC)", "dcc"
    )
    salts_moved = dict(
        salts_lot,
        sourceCredential=[rc_up],
        materialProvenance=[
            material(
                f"{elements[el]['name']} in recycled sulphate",
                FINLAND,
                elements[el],
                share,
                RECYCLED_T[el],
                fractions[el],
            )
            for el, share in (("Ni", 0.12), ("Co", 0.03), ("Li", 0.0175))
        ],
        certifiedProperty=[
            credit(
                "recycledContent",
                RECYCLED_T[el],
                [rc_up],
                recycled=fractions[el],
                material=elements[el],
            )
            for el in ("Ni", "Co", "Li")
        ],
    )
    move(
        c,
        "move-recycled-salts",
        recycler,
        cam,
        salts_moved,
        80,
        "2026-01-07T10:00:00Z",
        recycler_site,
        cam_site,
        "custodyAndCredit",
        "Delivery of 80 t recycled metal sulphate solution with its recycled-content credits to Häme Cathode Materials",
    )

    # The cathode plant: precursor co-precipitation and lithiation into NMC811.
    c.issue(
        "pcf-cam",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — cathode active material NMC811, per kg of certified nickel and cobalt",
        pcf_attestation(
            c,
            cb,
            cam,
            "NBM-PCF-2026-0211",
            pcf_s,
            cam_lot,
            16.0,
            15.2,
            "FI",
            pcr,
            assessment_name="Cradle-to-gate carbon footprint of NMC811 cathode active material, per kg of the nickel and cobalt credited to it (mass-balance allocation)",
        ),
    )
    c.issue(
        "pcf-cam-process",
        cb,
        "DigitalConformityCredential",
        "Verified gate-to-gate carbon footprint — precursor and cathode synthesis, Hämeenlinna",
        pcf_attestation(
            c,
            cb,
            cam,
            "NBM-PCF-2026-0210",
            pcf_s,
            cam_lot,
            2.8,
            2.5,
            "FI",
            pcr,
            name="Process carbon footprint verification, precursor co-precipitation and lithiation at Hämeenlinna",
            assessment_name="Gate-to-gate emissions of precursor co-precipitation and lithiation at Hämeenlinna: 2.8 kg CO2e per kg of nickel and cobalt",
            boundary="gateToGate",
        ),
    )
    names = {"Ni": "nickel", "Co": "cobalt", "Li": "lithium"}
    for el in ("Ni", "Co", "Li"):
        share = round(RECYCLED_T[el] / IN_CAM_T[el], 4)
        c.issue(
            f"recycled-content-cam-{el.lower()}",
            cb,
            "DigitalConformityCredential",
            f"Verified recycled {names[el]} content — cathode active material NMC811",
            recycled_attestation(
                c,
                cb,
                cam,
                {"Ni": "NBM-RC-2026-0311", "Co": "NBM-RC-2026-0312", "Li": "NBM-RC-2026-0313"}[el],
                rc_s,
                cam_lot,
                elements[el],
                round(PRE_POST[el][0] * share, 4),
                round(PRE_POST[el][1] * share, 4),
                share,
            ),
        )
    rc_cam = {
        el: c.link(
            f"recycled-content-cam-{el.lower()}",
            f"Verified recycled {names[el]} content of NMC811 (DCC)",
            "dcc",
        )
        for el in ("Ni", "Co", "Li")
    }
    pcf_cam = c.link("pcf-cam", "Verified footprint, NMC811 (DCC)", "dcc")
    coc_cam = c.link(
        "coc-certificate-cam", "Chain-of-custody certificate NBM-COC-2026-0022 (DCC)", "dcc"
    )
    related = [
        coc_cam,
        c.link(
            "pcf-cam-process",
            "Verified gate-to-gate footprint of precursor and cathode synthesis (DCC)",
            "dcc",
        ),
    ]
    if v == "links.unreachable":
        related.append(
            _gone_link(
                "lithium-attestation-2026", "Attestation of the lithium hydroxide supply (DCC)"
            )
        )

    def recycled_credits(
        tonnes: dict[str, float], source: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """One recycledContent credit per element, attested by the element's attestation."""
        return [
            credit(
                "recycledContent", tonnes[el], [rc_cam[el]], source=source, material=elements[el]
            )
            for el in ("Ni", "Co", "Li")
        ]

    made_rc = dict(RECYCLED_T)
    if v == "massbalance.conservation":
        made_rc["Co"] = 3.4
    # The site's rolling average over January 2026 (the facility record below): inputs and
    # stocks converted to t of NMC811 by their nickel (cobalt) content, the cathode holding
    # 48 % Ni and 6 % Co. The cathode lot claims 0.85 of the 0.86466 the period gives.
    cam_factors = {
        "nis": round(0.223 / 0.48, 4),  # nickel sulphate hexahydrate, 22.3 % Ni: 0.4646
        "cos": round(0.21 / 0.06, 4),  # cobalt sulphate heptahydrate, 21 % Co: 3.5
        "salts": round(0.12 / 0.48, 4),  # recycled sulphate solution, 12 % Ni: 0.25
    }
    cam_share = 0.95 if v == "massbalance.rolling-average" else 0.85
    c.issue(
        "make-cam",
        cam,
        "DigitalTraceabilityEvent",
        "Precursor co-precipitation and lithiation of campaign 2026-007 into NMC811",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{cam.host}/events/make-cam-2026-007",
            "Precursor co-precipitation and lithiation, campaign 2026-007",
            "2026-01-12T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", cam)],
            {
                "description": "Nickel sulphate (45 t Ni, certified footprint 12.0 kg CO2e per kg Ni), cobalt sulphate (5 t Co, 24.0), recycled sulphate solution (9.6 t Ni, 2.4 t Co, 1.4 t Li, recycled fraction 1.0) and uncertified nickel, cobalt, manganese and lithium feed make 200 t NMC811 holding 96 t Ni, 12 t Co and 14 t Li: 50 t of nickel and cobalt credits at 13.2 (mass-weighted) + 2.8 for the process = 16.0 kg CO2e per kg, and the recycled credits per element (mass balance, credit method). Its certified chain-of-custody share is on the site's rolling average for January 2026 (facility record dfr-cam-2026-01).",
                "inputProduct": [
                    {
                        "product": dict(
                            ni_moved,
                            sourceCredential=[
                                c.link(
                                    "move-sulphates",
                                    "Receipt of nickel and cobalt sulphate (DTE)",
                                    "dte",
                                )
                            ],
                        ),
                        "quantity": measure(202, "TNE"),
                        "disposition": "consumed",
                    },
                    {
                        "product": dict(
                            co_moved,
                            sourceCredential=[
                                c.link(
                                    "move-sulphates",
                                    "Receipt of nickel and cobalt sulphate (DTE)",
                                    "dte",
                                )
                            ],
                        ),
                        "quantity": measure(24, "TNE"),
                        "disposition": "consumed",
                    },
                    {
                        "product": dict(
                            salts_moved,
                            sourceCredential=[
                                c.link(
                                    "move-recycled-salts",
                                    "Receipt of recycled sulphate solution (DTE)",
                                    "dte",
                                )
                            ],
                        ),
                        "quantity": measure(80, "TNE"),
                        "disposition": "consumed",
                    },
                ],
                "outputProduct": [
                    {
                        "product": dict(
                            cam_lot,
                            materialProvenance=[
                                material(
                                    f"{elements[el]['name']} in NMC811",
                                    FINLAND,
                                    elements[el],
                                    round(IN_CAM_T[el] / 200, 4),
                                    IN_CAM_T[el],
                                )
                                for el in ("Ni", "Co", "Li")
                            ],
                            certifiedProperty=[
                                credit("carbonFootprint", 50, [pcf_cam], pcf=16.0),
                                *recycled_credits(made_rc),
                                coc_share(
                                    round(200 * cam_share, 6),
                                    cam_share,
                                    [coc_cam],
                                    "rollingAveragePercentage",
                                ),
                            ],
                        ),
                        "quantity": measure(200, "TNE"),
                        "disposition": "new",
                    }
                ],
                "madeAtFacility": cam_site,
                "conversionFactor": [
                    {"material": NI, "factor": 1.0},
                    {"material": CO, "factor": 1.0},
                    {"material": LI, "factor": 1.0},
                ],
                "relatedDocument": related,
            },
        ),
    )
    made_cam = c.link("make-cam", "Make event, campaign 2026-007 (DTE)", "dte")

    # The period's stocktakes and the facility record declaring the rolling-average account.
    def stocktake(stem: str, day: str, name: str, ni_t: float, ni_share: float) -> None:
        stock = {
            "type": ["Product"],
            "id": f"https://id.{cam.host}/stock/nickel-sulphate",
            "name": "Nickel sulphate hexahydrate in stock",
            "idGranularity": "batch",
            "productCategory": [nis],
            "certifiedProperty": [
                coc_share(ni_t * ni_share, ni_share, [coc_cam], "rollingAveragePercentage")
            ],
        }
        subject = {
            "type": ["ModifyEvent", "LifecycleEvent", "StocktakeEvent"],
            "id": f"https://{cam.host}/events/{stem}",
            "name": name,
            "eventDate": f"{day}T00:00:00Z",
            "activityType": {
                "code": "stocktake",
                "name": "Stocktake",
                "schemeId": "https://vocabulary.uncefact.org/untp/",
                "schemeName": "UNTP Mass Balance pattern business step",
            },
            "modifiedAtFacility": cam_site,
            "modifiedProduct": [{"product": stock, "quantity": measure(ni_t, "TNE")}],
        }
        c.issue(stem, cam, "DigitalTraceabilityEvent", f"{name}: nickel sulphate", [subject])

    stocktake("stocktake-cam-2026-01-01", "2026-01-01", "Opening stocktake, January 2026", 60, 0.5)
    stocktake("stocktake-cam-2026-01-31", "2026-01-31", "Closing stocktake, January 2026", 20, 0.5)
    factor_of = {"nis": nis, "cos": cos, "salts": salts}
    c.issue(
        "dfr-cam-2026-01",
        cam,
        "DigitalFacilityRecord",
        "Facility record January 2026: rolling-average chain-of-custody account, Hämeenlinna",
        dict(
            cam_site,
            processCategory=[cathode],
            locationInformation={
                "plusCode": "https://plus.codes/9GG6X9XF+22",
                "geoLocation": {"latitude": 60.9972, "longitude": 24.4725},
            },
            address={
                "streetAddress": "Tehtaankatu 22 (example)",
                "postalCode": "13100",
                "addressLocality": "Hämeenlinna",
                "addressRegion": "Kanta-Häme",
                "addressCountry": {"countryCode": "FI", "countryName": "Finland"},
            },
            materialUsage={
                "applicablePeriod": {"startDate": "2026-01-01", "endDate": "2026-01-31"},
                "materialConsumed": [
                    material("Nickel sulphate hexahydrate", FINLAND, nis, 0.6994, 242),
                    material("Cobalt sulphate heptahydrate", FINLAND, cos, 0.0694, 24),
                    material("Recycled metal sulphate solution", FINLAND, salts, 0.2312, 80, 1.0),
                ],
            },
            massBalanceAccount=[
                {
                    "type": ["MassBalanceAccount"],
                    "propertyKind": "responsibleSourcing",
                    "chainOfCustodyModel": "massBalance",
                    "massBalanceLevel": "site",
                    "massBalanceMethod": "rollingAveragePercentage",
                    "geographicBoundary": ["FI"],
                    "conversionFactor": [
                        {"material": factor_of[k], "factor": f} for k, f in cam_factors.items()
                    ],
                    "periodRecord": [
                        c.link(
                            "stocktake-cam-2026-01-01", "Opening stocktake 2026-01-01 (DTE)", "dte"
                        ),
                        made_cam,
                        c.link(
                            "stocktake-cam-2026-01-31", "Closing stocktake 2026-01-31 (DTE)", "dte"
                        ),
                    ],
                }
            ],
        ),
    )
    dfr_cam = c.link(
        "dfr-cam-2026-01", "Facility record of the cathode plant, January 2026 (DFR)", "dfr"
    )
    cam_credits = [
        credit("carbonFootprint", 50, [pcf_cam], pcf=16.0),
        *recycled_credits(RECYCLED_T),
    ]
    move(
        c,
        "move-cam",
        cam,
        maker,
        dict(cam_lot, sourceCredential=[made_cam], certifiedProperty=cam_credits),
        200,
        "2026-01-20T09:30:00Z",
        cam_site,
        cell_site,
        "custodyAndCredit",
        "Sale of 200 t NMC811 with its footprint and recycled-content credits to Nordcell",
    )
    received = c.link("move-cam", "Receipt of NMC811 and its credits (DTE)", "dte")

    # The cell and pack plant.
    cell_pcf = 4.0 if v == "rollup.footprint" else 6.0
    c.issue(
        "pcf-cells",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — NMC811 cells, per kg of certified nickel and cobalt",
        pcf_attestation(
            c,
            cb,
            maker,
            "NBM-PCF-2026-0221",
            pcf_s,
            cells,
            22.0,
            20.9,
            "SE",
            pcr,
            assessment_name="Cradle-to-gate carbon footprint of prismatic NMC811 cells, per kg of the nickel and cobalt credited to them (mass-balance allocation)",
        ),
    )
    c.issue(
        "pcf-cell-process",
        cb,
        "DigitalConformityCredential",
        "Verified gate-to-gate carbon footprint — cell manufacturing, Skellefteå",
        pcf_attestation(
            c,
            cb,
            maker,
            "NBM-PCF-2026-0220",
            pcf_s,
            cells,
            cell_pcf,
            {6.0: 5.4, 4.0: 3.6}[cell_pcf],
            "SE",
            pcr,
            name="Process carbon footprint verification, electrode coating, cell assembly and formation at Skellefteå",
            assessment_name=f"Gate-to-gate emissions of cell manufacturing at Skellefteå: {cell_pcf} kg CO2e per kg of the cells' certified nickel and cobalt",
            boundary="gateToGate",
        ),
    )
    pcf_cells = c.link("pcf-cells", "Verified footprint, NMC811 cells (DCC)", "dcc")
    coc_cells = c.link(
        "coc-certificate-cells", "Chain-of-custody certificate NBM-COC-2026-0023 (DCC)", "dcc"
    )
    c.issue(
        "make-cell",
        maker,
        "DigitalTraceabilityEvent",
        "Manufacture of 160 000 NMC811 cells from 200 t cathode active material",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{maker.host}/events/make-cell-2026-02",
            "Electrode coating, cell assembly and formation, lot NC-CELL-2026-02",
            "2026-01-27T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", maker)],
            {
                "inputProduct": [
                    {
                        "product": dict(
                            cam_lot, sourceCredential=[received], certifiedProperty=cam_credits
                        ),
                        "quantity": measure(200, "TNE"),
                        "disposition": "consumed",
                    }
                ],
                "outputProduct": [
                    {
                        "product": dict(
                            cells,
                            certifiedProperty=[
                                credit(
                                    "carbonFootprint", 50, [pcf_cells], pcf=22.0, source=[received]
                                ),
                                *recycled_credits(RECYCLED_T, [received]),
                            ],
                        ),
                        "quantity": measure(160000, "H87"),
                        "disposition": "new",
                    }
                ],
                "madeAtFacility": cell_site,
                "conversionFactor": [
                    {"material": NI, "factor": 1.0},
                    {"material": CO, "factor": 1.0},
                    {"material": LI, "factor": 1.0},
                ],
                "relatedDocument": [
                    coc_cells,
                    c.link(
                        "pcf-cell-process",
                        "Verified gate-to-gate footprint of cell manufacturing (DCC)",
                        "dcc",
                    ),
                ],
            },
        ),
    )
    made_cell = c.link("make-cell", "Make event, cell lot NC-CELL-2026-02 (DTE)", "dte")
    cell_credits = [
        credit("carbonFootprint", 50, [pcf_cells], pcf=22.0),
        *recycled_credits(RECYCLED_T),
    ]
    c.issue(
        "make-pack",
        maker,
        "DigitalTraceabilityEvent",
        "Assembly of 1 600 battery packs NC-78 from 160 000 cells",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{maker.host}/events/make-pack-2026-02",
            "Module and pack assembly, lot NC-PACK-2026-02",
            "2026-02-03T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", maker)],
            {
                "inputProduct": [
                    {
                        "product": dict(
                            cells, sourceCredential=[made_cell], certifiedProperty=cell_credits
                        ),
                        "quantity": measure(160000, "H87"),
                        "disposition": "consumed",
                    }
                ],
                "outputProduct": [
                    {
                        "product": dict(
                            packs,
                            characteristics={"energyCapacity": measure(PACK_KWH, "KWH")},
                            certifiedProperty=[
                                credit(
                                    "carbonFootprint", 50, [pcf_cells], pcf=22.0, source=[made_cell]
                                ),
                                *recycled_credits(RECYCLED_T, [made_cell]),
                            ],
                        ),
                        "quantity": measure(1600, "H87"),
                        "disposition": "new",
                    }
                ],
                "madeAtFacility": cell_site,
                "conversionFactor": [
                    {"material": NI, "factor": 1.0},
                    {"material": CO, "factor": 1.0},
                    {"material": LI, "factor": 1.0},
                ],
                "relatedDocument": [coc_cells],
            },
        ),
    )
    made_pack = c.link("make-pack", "Make event, pack lot NC-PACK-2026-02 (DTE)", "dte")
    pack_pcf = 12.0 if v == "rollup.footprint.per-kwh" else PACK_PCF_KWH
    c.issue(
        "pcf-pack",
        cb,
        "DigitalConformityCredential",
        "Verified battery carbon footprint — EV battery pack NC-78, per kWh",
        pcf_attestation(
            c,
            cb,
            maker,
            "NBM-PCF-2026-0231",
            pcf_s,
            packs,
            pack_pcf,
            round(pack_pcf * 0.95, 2),
            "SE",
            pcr,
            assessment_name="Cradle-to-gate carbon footprint of the EV battery pack NC-78, per kWh of rated energy (illustrative figure)",
            unit="KWH",
            pcf_metric=BATTERY_PCF_METRIC,
        ),
    )
    pcf_pack = c.link("pcf-pack", "Verified battery carbon footprint per kWh (DCC)", "dcc")
    pack_claims = [
        claim(
            maker,
            "nc-pack-2026-02-pcf",
            f"Battery carbon footprint {pack_pcf} kg CO2e per kWh",
            metric(*BATTERY_PCF_METRIC),
            measure(pack_pcf, "KWH"),
            topic(*GHG),
            "carbonFootprint",
            [pcf_pack],
            criteria=[pcf_criterion(pcf_s)],
        ),
        claim(
            maker,
            "nc-pack-2026-02-coc",
            "Certified chain of custody (mass balance)",
            metric("certified-material", "Certified material quantity"),
            measure(50, "TNE"),
            topic(*COC_TOPIC),
            "responsibleSourcing",
            [coc_cells],
            criteria=[coc_criterion(coc_s)],
        ),
    ]
    for el in ("Co", "Li", "Ni"):
        share = round(RECYCLED_T[el] / IN_CAM_T[el], 4)
        evidence = [rc_cam[el]]
        if v == "claims.unattested" and el == "Li":
            # The lithium share's only evidence is a carbon-footprint attestation.
            evidence = [pcf_pack]
        pack_claims.append(
            claim(
                maker,
                f"nc-pack-2026-02-rc-{el.lower()}",
                f"Recycled {names[el]} in active materials {share:.0%} (pre-consumer {PRE_POST[el][0] * share:.0%}, post-consumer {PRE_POST[el][1] * share:.0%})",
                metric("recycled-content", "Recycled content (mass fraction)"),
                measure(share, "C62"),
                topic(*CIRC),
                "recycledContent",
                evidence,
                criteria=[recycled_criterion(rc_s)],
                material=elements[el],
            )
        )
    c.issue(
        "dpp-pack",
        maker,
        "DigitalProductPassport",
        "Digital product passport — EV battery pack NC-78, lot NC-PACK-2026-02",
        passport(
            maker,
            packs,
            "78 kWh NMC811 EV battery packs of 100 cells each, allocated 50 t of nickel and cobalt footprint credits and recycled nickel, cobalt and lithium credits under mass balance.",
            "NC-78",
            liion,
            cell_site,
            "2026-02-03",
            [
                material(
                    f"{names[el].capitalize()} in cathode active material",
                    FINLAND,
                    elements[el],
                    round(IN_CAM_T[el] / 1600 / 0.6, 4),
                    IN_CAM_T[el],
                    round(RECYCLED_T[el] / IN_CAM_T[el], 4),
                )
                for el in ("Ni", "Co", "Li")
            ],
            [made_pack, dfr_cam],
            pack_claims,
        ),
        fmt="eddsa-rdfc-2022",
    )
    sources = [
        made_pack,
        c.link("dpp-pack", "Passport, battery pack lot NC-PACK-2026-02 (DPP)", "dpp"),
    ]
    c.issue(
        "claim-packs",
        maker,
        "DigitalTraceabilityEvent",
        "Battery packs: certified nickel, cobalt and recycled content claimed for 1 600 packs "
        "(credits used up)",
        event(
            ["ModifyEvent", "LifecycleEvent", "ClaimEvent"],
            f"https://{maker.host}/events/claim-packs-2026-02",
            "Claim record, battery packs NC-PACK-2026-02",
            "2026-02-28T16:00:00Z",
            activity("commissioning", "Commissioning"),
            [("brandOwner", maker)],
            {
                "modifiedProduct": [
                    {
                        "product": dict(packs, sourceCredential=sources),
                        "quantity": measure(1600, "H87"),
                        "disposition": "active",
                    }
                ],
                "modifiedAtFacility": cell_site,
                "retiredCredit": [
                    credit("carbonFootprint", 50, [pcf_cells], pcf=22.0, source=[made_pack]),
                    *recycled_credits(RECYCLED_T, [made_pack]),
                ],
                "claimStatement": "The 1 600 packs NC-78 of lot NC-PACK-2026-02 are allocated 50 t of nickel and cobalt footprint credits (22.0 kg CO2e per kg) and 9.6 t of recycled nickel, 2.4 t of recycled cobalt and 1.4 t of recycled lithium (recycled shares 10 %, 20 % and 10 %; mass balance, site level, credit method); the credits are retired.",
            },
        ),
    )
    if v == "links.digest":
        c.reissue(
            "recycled-content-salts",
            name="Verified recycled content — recycled metal sulphate lot KR-2026-012 (corrected wording)",
        )
    c.publish_status_lists()
    return Built(c, anchors, "claim-packs")


# --- negative variants ------------------------------------------------------------------------
#: check id → (what is wrong, in the words of the bundle's description; bundle options).
#: Every variant is built for both chains; the ``{placeholders}`` come from WORDS[chain].
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "links.digest": (
        "The {rc_up} served at its URL is a copy re-issued by the same certifier with only its name changed: its signature is valid, but its digest no longer matches the digestMultibase of the links to it.",
        {},
    ),
    "status.revocation": (
        "The {revoked} has been revoked: its bit is set in the certifier's revocation status list.",
        {},
    ),
    "trust.scope": (
        "The {coc} is issued by a certifier whose accreditation (by a second accreditation body, also a trust anchor) covers {other} commodities only, not the materials the certificate covers.",
        {},
    ),
    "trust.expired": (
        "The certifier's accreditation ended on 2025-12-31, before the validFrom (2026-01-15) of the attestations it issued.",
        {},
    ),
    "trust.unanchored": (
        "The certifier's accreditation is issued by an accreditation body that is not a trust anchor of this bundle.",
        {},
    ),
    "claims.unattested": (
        "The {dpp} carries a recycledContent claim whose only evidence is a product carbon footprint attestation, which does not attest recycled content.",
        {},
    ),
    "rollup.footprint": (
        "The gate-to-gate attestation of {process} states {low} kg CO2e per kg instead of {high}: the inputs and the process roll up to {sum} kg CO2e per kg, while the output credits claim {claimed}.",
        {},
    ),
    "rollup.recycled": (
        "The recycled-content attestation of {rec} (and its output credit) states a recycled fraction of 0.9, while the only recycled-content credits going into {make} have a fraction of 1.0.",
        {},
    ),
    "massbalance.conservation": (
        "{conservation}",
        {},
    ),
    "massbalance.overallocated": (
        "{overallocated}",
        {},
    ),
    "graph.cycle": (
        "The {dpp} links to the claim event that retires its credits, the root of this graph, which links (through the move of the product) back to the passport: the links form a cycle. The passport's link carries the digest of a draft of the claim event.",
        {},
    ),
    "graph.node-limit": (
        "The valid chain, verified with a limit of 5 credentials per graph: the graph has more.",
        {"maxNodes": 5},
    ),
    "links.unreachable": (
        "{make} links (with a digest) to a credential at {gone}, which is served nowhere: not in this bundle's documents.",
        {},
    ),
    "massbalance.not-holder": (
        "{not_holder}",
        {},
    ),
    UNREGISTERED + ".no-receipt": ("{no_receipt}", {}),
    UNREGISTERED + ".forged-receipt": ("{forged_receipt}", {}),
    UNREGISTERED + ".wrong-amount": ("{wrong_amount}", {}),
    UNREGISTERED + ".wrong-holder": ("{wrong_holder}", {}),
    UNREGISTERED + ".second-spend": ("{second_spend}", {}),
    UNREGISTERED + ".equivocation": ("{equivocation}", {}),
}
WORDS: dict[str, dict[str, str]] = {
    "copper": {
        "rc_up": "recycled-content attestation of copper scrap lot SCR-2026-044",
        "coc": "smelter's chain-of-custody certificate (NMC-COC-2026-0042)",
        "revoked": "wire mill's chain-of-custody certificate (NMC-COC-2026-0051)",
        "other": "steel",
        "dpp": "passport of wire lot MKW-2026-031",
        "process": "smelting and refining at Skellefteå",
        "low": "4.1",
        "high": "6.1",
        "sum": "1.9 + 4.1 = 6.0",
        "claimed": "8.0",
        "rec": "the Cu RE MIX cathode",
        "make": "make-cathode",
        "gone": GONE,
        "conservation": "make-cathode puts out 60 t of Cu 8.0 MIX carbon-footprint credits from 45 t of input credits (conversion factor 1.0); downstream still moves and retires 45 t.",
        "overallocated": "Two wire lots (make-wire and make-wire-b) each consume the whole 45 t of Cu 8.0 MIX credits received by move-cathode-cu80, and the claim event retires both: the move-cathode-cu80 account is debited 90 t of its 45 t. The credits' home, Boreal Copper's registry, recorded both debits without checking the balance: both receipts are valid, and the graph counts the debits itself.",
        "not_holder": "Mälar Kabel sells wire lot MKW-2026-031 with its 45 t of Cu 8.0 MIX credits to Nordlys Computers (move-wire-cu80 names Nordlys Computers as consignee), then retires those 45 t itself (claim-wire, the root): the move-wire-cu80 account is held by Nordlys Computers, so the wire mill spends a credit it does not hold. Nothing is spent twice. The credits' home is Mälar Kabel's own registry, which registered the debit without applying the holder rule: the receipt claim-wire carries is valid, and the graph applies the rule itself.",
        "no_receipt": "Mälar Kabel draws the 45 t of Cu 8.0 MIX credits it received with move-cathode-cu80 into wire lot MKW-2026-031 (make-wire) without registering the debit at their home, Boreal Copper's registry (did:web:registry.boreal-copper.example, the creditRegistry move-cathode-cu80 names): make-wire carries no creditReceipt.",
        "forged_receipt": "make-wire carries a receipt in the name of Boreal Copper's registry (did:web:registry.boreal-copper.example), the home of the 45 t of Cu 8.0 MIX credits it draws, signed with a key that the registry's DID document does not list: the home never issued it.",
        "wrong_amount": "make-wire draws 45 t of Cu 8.0 MIX credits from move-cathode-cu80, but the receipt of their home, Boreal Copper's registry, proves a registered debit of 40 t.",
        "wrong_holder": "The receipt make-wire carries from Boreal Copper's registry, the home of the Cu 8.0 MIX credits it draws, proves a debit by Boreal Copper, not by Mälar Kabel, who issued make-wire and holds the credits (the consignee of move-cathode-cu80).",
        "second_spend": "Mälar Kabel has already drawn the 45 t of Cu 8.0 MIX credits of move-cathode-cu80 into wire lot MKW-2026-030, in another graph, and registered that debit at their home, Boreal Copper's registry. Here it draws them again, into wire lot MKW-2026-031 (make-wire): this graph balances on its own, but the home refused the second debit (nothing left), so the receipt make-wire carries is signed by Mälar Kabel's own registry (did:web:registry.malar-kabel.example), not by the home.",
        "equivocation": "Boreal Copper's registry shows two logs: the receipt on move-cathode-cu80 proves the smelter's debit in a tree of 3 entries, and the receipt on make-wire proves Mälar Kabel's debit in another tree of 3 entries, with another root. The bundle asks for receipts cosigned by one trusted witness (did:web:witness.nordicmetals.example), which cosigned the first tree and refused the second: make-wire's receipt carries the witness's cosignature of the other root.",
    },
    "steel": {
        "rc_up": "recycled-content attestation of steel scrap lot RS-2026-118",
        "coc": "mill's chain-of-custody certificate (SC-COC-2026-0007)",
        "revoked": "chassis plant's chain-of-custody certificate (SC-COC-2026-0012)",
        "other": "copper",
        "dpp": "passport of chassis series 2026-02",
        "process": "the low-carbon route at Duisburg",
        "low": "0.44",
        "high": "0.64",
        "sum": "0.06 + 0.44 = 0.5",
        "claimed": "0.7",
        "rec": "the recycled-scrap-route coil",
        "make": "make-coil",
        "gone": GONE,
        "conservation": "make-chassis puts out 250 t of low-carbon carbon-footprint credits from 200 t of input credits (conversion factor 1.0); the claim still retires 200 t.",
        "overallocated": "Two chassis series (make-chassis and make-chassis-b) each consume the whole 200 t of low-carbon coil credits received by move-coil-lowcarbon, and the claim event retires both: the move-coil-lowcarbon account is debited 400 t of its 200 t. The credits' home, Rheinstahl's registry, recorded both debits without checking the balance: both receipts are valid, and the graph counts the debits itself.",
        "not_holder": "Rheinstahl sells coil batch HRC-LC-2026-051 with its 200 t of low-carbon credits to Nordtruck (move-coil-lowcarbon names Nordtruck as consignee), then retires those 200 t itself (claim-coil, the root): the move-coil-lowcarbon account is held by Nordtruck, so the mill spends a credit it does not hold. Nothing is spent twice. The credits' home is Rheinstahl's own registry, which registered the debit without applying the holder rule: the receipt claim-coil carries is valid, and the graph applies the rule itself.",
        "no_receipt": "Nordtruck draws the 200 t of low-carbon coil credits it received with move-coil-lowcarbon into chassis series 2026-02 (make-chassis) without registering the debit at their home, Rheinstahl's registry (did:web:registry.rheinstahl.example, the creditRegistry move-coil-lowcarbon names): make-chassis carries no creditReceipt.",
        "forged_receipt": "make-chassis carries a receipt in the name of Rheinstahl's registry (did:web:registry.rheinstahl.example), the home of the 200 t of low-carbon coil credits it draws, signed with a key that the registry's DID document does not list: the home never issued it.",
        "wrong_amount": "make-chassis draws 200 t of low-carbon coil credits from move-coil-lowcarbon, but the receipt of their home, Rheinstahl's registry, proves a registered debit of 195 t.",
        "wrong_holder": "The receipt make-chassis carries from Rheinstahl's registry, the home of the low-carbon coil credits it draws, proves a debit by Rheinstahl, not by Nordtruck, who issued make-chassis and holds the credits (the consignee of move-coil-lowcarbon).",
        "second_spend": "Nordtruck has already drawn the 200 t of low-carbon coil credits of move-coil-lowcarbon into chassis series 2026-01, in another graph, and registered that debit at their home, Rheinstahl's registry. Here it draws them again, into chassis series 2026-02 (make-chassis): this graph balances on its own, but the home refused the second debit (nothing left), so the receipt make-chassis carries is signed by Nordtruck's own registry (did:web:registry.nordtruck.example), not by the home.",
        "equivocation": "Rheinstahl's registry shows two logs: the receipt on move-coil-lowcarbon proves the mill's debit in a tree of 3 entries, and the receipt on make-chassis proves Nordtruck's debit in another tree of 3 entries, with another root. The bundle asks for receipts cosigned by one trusted witness (did:web:witness.steelcert.example), which cosigned the first tree and refused the second: make-chassis's receipt carries the witness's cosignature of the other root.",
    },
}
POSITIVE = {
    "copper": "Copper chain (Svemin 2019 worked example): own-mine concentrate (1.9 kg CO2e per kg Cu) smelted and refined (6.1, gate to gate) into Cu 8.0 MIX cathode (8.0), drawn into wire (8.0) and retired into computers; scrap (recycled fraction 1.0) into Cu RE MIX cathode (1.0). Every check passes.",
    "steel": "Steel chain: pellets (0.06 kg CO2e per kg Fe) made into low-carbon hot-rolled coil by a route adding 0.64 (gate to gate) = 0.7, built into truck chassis (0.7) and retired; scrap (recycled fraction 1.0) into recycled-scrap-route coil (1.0). Every check passes.",
}
POSITIVE["battery"] = (
    "Battery chain: nickel sulphate (12.0 kg CO2e per kg Ni) and cobalt sulphate (24.0 per kg Co) from a mine, and recycled nickel, cobalt and lithium sulphate from a recycler, made into NMC811 cathode active material (13.2 mass-weighted + 2.8 gate to gate = 16.0), cells (+ 6.0 = 22.0) and 78 kWh battery packs, whose passport claims a battery carbon footprint of 8.81 kg CO2e per kWh (attested for the pack, and rolled up from the credits: 22.0 × 50 000 kg ÷ (1 600 × 78 kWh) = 8.8141) and recycled shares of 20 % cobalt, 10 % lithium and 10 % nickel (recycled credits per element, mass balance). Every check passes."
)
#: The battery chain's negative variants (check id → what is wrong): the checks it exercises
#: in its own ways. The copper and steel chains have every variant of VARIANTS.
BATTERY_VARIANTS: dict[str, str] = {
    "links.digest": "The recycled-content attestation of the recycler's sulphate lot KR-2026-012 served at its URL is a copy re-issued by the same certifier with only its name changed: its signature is valid, but its digest no longer matches the digestMultibase of the links to it.",
    "status.revocation": "The cathode plant's chain-of-custody certificate (NBM-COC-2026-0022) has been revoked: its bit is set in the certifier's revocation status list.",
    "trust.scope": "The cathode plant's chain-of-custody certificate (NBM-COC-2026-0022) is issued by a certifier whose accreditation (by a second accreditation body, also a trust anchor) covers steel commodities only, not the battery materials the certificate covers.",
    "trust.expired": VARIANTS["trust.expired"][0],
    "trust.unanchored": VARIANTS["trust.unanchored"][0],
    "claims.unattested": "The battery pack passport's recycled lithium claim (10 %) has the pack's carbon-footprint attestation as its only evidence, which does not attest recycled content.",
    "rollup.footprint": "The gate-to-gate attestation of cell manufacturing at Skellefteå states 4.0 kg CO2e per kg instead of 6.0: the cathode material's credits and the process roll up to 16.0 + 4.0 = 20.0 kg CO2e per kg, while the cells' output credits claim 22.0 (the footprint is overstated against its inputs).",
    "rollup.footprint.per-kwh": "The battery pack's footprint per kWh is overstated: the pack's attestation (pcf-pack) and passport claim 12.0 kg CO2e per kWh, while the credits the packs carry roll up to 22.0 kg CO2e per kg × 50 000 kg ÷ (1 600 packs × 78 kWh = 124 800 kWh) = 8.8141 kg CO2e per kWh. The claim matches its attestation; only the roll-up fails.",
    "rollup.recycled": "The recycler's attestation and recycled-content credit give its cobalt a recycled fraction of 0.9 (10 % primary cobalt feed), while make-cam allocates its recycled cobalt credit at 1.0: the recycled cobalt is overstated. The graph averages the recycled fractions of all the event's recycled-content inputs, not per element, so the nickel and lithium credits fail the same check.",
    "massbalance.conservation": "make-cam allocates 3.4 t of recycled cobalt credits to the cathode material while 2.4 t of recycled cobalt came in (recycled nickel and lithium as received): 14.4 t of recycled-content credits out of 13.4 t in (conversion factor 1.0); downstream still moves and retires 13.4 t.",
    "massbalance.unregistered.no-receipt": "Nordcell draws the credits it received with move-cam into cell lot NC-CELL-2026-02 (make-cell) without registering the debit at their home, Häme Cathode Materials' registry (did:web:registry.hame-cathode.example, the creditRegistry move-cam names): make-cell carries no creditReceipt.",
    "massbalance.unregistered.forged-receipt": "make-cell carries a receipt in the name of Häme Cathode Materials' registry (did:web:registry.hame-cathode.example), the home of the credits it draws, signed with a key that the registry's DID document does not list: the home never issued it.",
    "massbalance.unregistered.wrong-holder": "The receipt make-cell carries from Häme Cathode Materials' registry, the home of the credits it draws, proves a debit by Häme Cathode Materials, not by Nordcell, who issued make-cell and holds the credits (the consignee of move-cam).",
    "links.unreachable": f"make-cam links (with a digest) to a credential at {GONE}, which is served nowhere: not in this bundle's documents.",
    "graph.node-limit": VARIANTS["graph.node-limit"][0],
    "massbalance.rolling-average": "make-cam's cathode lot claims a certified chain-of-custody (responsibleSourcing) share of 0.95 on the rolling-average percentage method, while the site's facility record for January 2026 gives at most 0.86466: (202 t nickel sulphate × 0.4646 + 24 t cobalt sulphate × 3.5, certified, + 60 t × 0.4646 × 0.5 opening − 20 t × 0.4646 × 0.5 closing certified stock) / (those inputs + 80 t recycled sulphate solution × 0.25 + 60 t × 0.4646 opening − 20 t × 0.4646 closing stock) = 187.1412 / 216.4332.",
}
BUILDERS: dict[str, Callable[..., Built]] = {"copper": copper, "steel": steel, "battery": battery}


def variants_of(name: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """The negative variants of chain ``name``: check id → (description, bundle options)."""
    if name == "battery":
        return {
            check: (text, VARIANTS.get(check, ("", {}))[1])
            for check, text in BATTERY_VARIANTS.items()
        }
    return {
        check: (text.format(**WORDS[name]), options) for check, (text, options) in VARIANTS.items()
    }


def package(examples: Path, into: Path) -> None:
    """Copy the bundles the landing page offers (``vcservice.web.examples.CATALOGUE``) into
    the package, byte for byte, so the wheel carries them and they never drift from the
    chains written here (tests/web/test_examples_packaged.py compares them)."""
    from vcservice.web.examples import CATALOGUE

    for example in CATALOGUE.values():
        shutil.copyfile(examples / example.source, into / f"{example.name}.json")


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    root = Path(argv[1]) if len(argv) > 1 else here
    for name, build in BUILDERS.items():
        out = root / name
        built = build()
        chain = built.chain
        chain.write(
            out, built.trust_anchors, chain.bundle(built.root, built.trust_anchors, POSITIVE[name])
        )
        for check, (text, options) in variants_of(name).items():
            variant = build(check, chain)
            bundle = variant.chain.bundle(variant.root, variant.trust_anchors, text, options)
            _dump(out / "negative" / f"{check}.json", bundle)
    if root == here:  # written in place: refresh the packaged copies too
        package(here, here.parent / "vcservice" / "web" / "examples")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
