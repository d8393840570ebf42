"""``untp``: UNTP 0.7.0 conformance in three tiers (as the UNTP test service frames them).

Tiers 1 and 2 are judged locally, with the vcservice library, on what each issuer issues from
UNTP-shaped inputs: the payloads of the example credentials (``examples/<chain>/*.json``, per
``index.json``) with ``id`` and ``credentialStatus`` removed and the issuer's ``id`` set to the
implementation's declared DID (or removed, so the issuer fills it in; UNTP wants the issuer as
an object with a name, so the object stays), issued in the implementation's first declared
format.

* ``untp.tier1.<chain>.<file>``: a VC 2.0 credential: the data model including JSON-LD expansion
  (``datamodel.*``), and the W3C VC 2.0 JSON Schema when the fixtures hold it;
* ``untp.tier2.<chain>.<file>``: the UNTP 0.7.0 schema of its type (``schema.untp``) and our
  extension schemas where it claims our profiles (``schema.extension``).

Tier 3 is about a graph of credentials: ``untp.tier3.<chain>.claims-attested`` (every claim is
attested by a conformity credential for the same criterion), ``untp.tier3.<chain>.trust-anchored``
(every certifier is anchored to a trust anchor) and ``untp.tier3.<chain>.mass-balance``
(conservation over make and move events): the chain's bundle must verify with that family of
checks passing, and its negative variant for the family must fail with that check. It runs at
the implementation's graph verifier; without one, locally with vcservice.graph over the
examples (tagged ``local``; a statement about the examples, not the implementation).

``untp.tier3.<chain>.claims-confirmed.<passport>`` is UNTP's own tier 3, ported to 0.7.0 names
(:mod:`conformance.suites._untp_claims`): every claim of the passport is confirmed through the
criterion id a conformity credential, issued by a party the chain's trust anchors accredit,
assessed for the passport's product (or, under mass balance, for a product upstream that the
claim cites as evidence) with conformance true; ``untp.tier3.<chain>.claims-confirmed.negative``:
in the ``claims.unattested`` variant some claim is not. Both read the chain's bundle (tagged
``local``: a statement about the examples).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Result
from conformance.suites._common import (
    Check,
    Verdict,
    describe,
    document_of,
    excerpt,
    failed,
    issuer_format,
    judge,
    passed,
    refusal_ids,
    report_errors,
    skipped,
    with_issuer,
)
from conformance.suites._untp_claims import ClaimResult, confirm_claims
from conformance.suites.graph import chains

VC_SCHEMA = Path("w3c/schema/verifiable-credential-schema.json")
#: Tier 3 families: check name → the graph check id whose negative variant must fail.
TIER3 = {
    "claims-attested": "claims.unattested",
    "trust-anchored": "trust.unanchored",
    "mass-balance": "massbalance.conservation",
}
SKIP_TYPES = ("BitstringStatusListCredential",)
#: What the issuer fills in (or must not be given): ids, issuer, status, proofs, JWT claims.
STRIPPED = frozenset(
    {"id", "credentialStatus", "proof", "iss", "jti", "iat", "nbf", "exp", "sub", "cnf"}
)


#: What a platform names itself, per event: the home of the credits an event opens is the
#: platform that issues it, and the receipts of its debits are the homes' answers to it.
PLATFORM_MEMBERS = frozenset({"creditRegistry", "creditReceipt"})


def _without_registry(payload: dict[str, Any]) -> dict[str, Any]:
    subjects = payload.get("credentialSubject")
    if isinstance(subjects, dict):
        subjects = [subjects]
    if not isinstance(subjects, list):
        return payload
    cleaned = [
        {k: v for k, v in s.items() if k not in PLATFORM_MEMBERS} if isinstance(s, dict) else s
        for s in subjects
    ]
    single = isinstance(payload.get("credentialSubject"), dict)
    return {**payload, "credentialSubject": cleaned[0] if single else cleaned}


def example_credentials(chain: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file stem, unsigned payload ready to issue) of a chain's credentials."""
    try:
        index = json.loads((chain / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for entry in index.get("credentials", []):
        if not isinstance(entry, dict) or entry.get("type") in SKIP_TYPES:
            continue
        path = chain / str(entry.get("file"))
        try:
            document = document_of(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        payload = {k: v for k, v in document.items() if k not in STRIPPED}
        out.append((path.stem, _without_registry(payload)))
    return out


def run(context: SuiteContext) -> Iterator[Result]:
    found = chains(context.examples)
    if not found:
        check = Check("untp.examples", "UNTP example chains", ("untp",))
        for implementation in context.implementations:
            yield judge(check, implementation.name, partial(skipped, "no examples directory"))
        return
    schema = _vc_schema(context.fixtures)
    for chain in found:
        for stem, payload in example_credentials(chain):
            tier1 = Check(f"untp.tier1.{chain.name}.{stem}", f"{stem}: VC 2.0 and JSON-LD",
                          ("untp", "tier1", chain.name))  # fmt: skip
            tier2 = Check(f"untp.tier2.{chain.name}.{stem}", f"{stem}: UNTP and extension schemas",
                          ("untp", "tier2", chain.name))  # fmt: skip
            for implementation in context.implementations:
                issued: dict[str, Any] = {}
                work = partial(_tier1, context, implementation, payload, schema, issued)
                yield judge(tier1, implementation.name, work)
                yield judge(tier2, implementation.name, partial(_tier2, issued))
        bundle = json.loads((chain / "bundle.json").read_text(encoding="utf-8"))
        cache: dict[str, Any] = {}  # implementation → the chain's positive verdict, asked once
        for name, check_id in TIER3.items():
            path = chain / "negative" / f"{check_id}.json"
            negative = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            offline = None
            for implementation in context.implementations:
                check = Check(
                    f"untp.tier3.{chain.name}.{name}",
                    f"{chain.name}: {name}",
                    ("untp", "tier3", chain.name),
                )
                if implementation.graph_verifier is None:
                    # Judged once, locally, under "local": an implementation without a graph
                    # verifier must not collect passes for what it never did.
                    offline = implementation
                    reason = "no graph_verifier endpoint; tier 3 is judged locally (see 'local')"
                    yield judge(check, implementation.name, partial(skipped, reason))
                    continue
                work = partial(_tier3, context, implementation, bundle, negative, check_id, cache)
                yield judge(check, implementation.name, work)
            if offline is not None:
                check = Check(
                    f"untp.tier3.{chain.name}.{name}",
                    f"{chain.name}: {name} (vcservice, locally)",
                    ("untp", "tier3", chain.name, "local"),
                )
                work = partial(_tier3, context, offline, bundle, negative, check_id, cache)
                yield judge(check, "local", work)
        yield from _claims_confirmed(chain)


def _vc_schema(fixtures: Path | None) -> dict[str, Any] | None:
    if fixtures is None or not (fixtures / VC_SCHEMA).is_file():
        return None
    schema: dict[str, Any] = json.loads((fixtures / VC_SCHEMA).read_text(encoding="utf-8"))
    return schema


def _tier1(
    context: SuiteContext,
    implementation: Implementation,
    payload: dict[str, Any],
    schema: dict[str, Any] | None,
    issued: dict[str, Any],
) -> Verdict:
    from vcservice.jsonld import bundled_loader
    from vcservice.model import validate_credential
    from vcservice.untp import schema_failures

    if implementation.issuer is None:
        return skipped("no issuer endpoint")
    if implementation.data_model != "2.0":
        return skipped("UNTP 0.7.0 credentials are VC 2.0; the implementation speaks VC 1.1")
    credential = dict(payload)
    if isinstance(credential.get("issuer"), dict):
        issuer = {k: v for k, v in credential["issuer"].items() if k != "id"}
        if implementation.issuer.did:
            issuer["id"] = implementation.issuer.did
        credential["issuer"] = issuer
    else:
        credential = with_issuer(credential, implementation)
    vc = context.client(implementation).issued(credential, fmt=issuer_format(implementation))
    document = document_of(vc)
    issued["document"] = document
    errors = report_errors(validate_credential(document, loader=bundled_loader()))
    if schema is not None:
        errors += [
            f"VC 2.0 JSON Schema: {f.message} at {f.pointer or '/'}"[:300]
            for f in schema_failures(document, schema)
        ]
    if errors:
        return failed("; ".join(errors[:5]), document=excerpt(document))
    how = "data model and JSON-LD" + (" and the VC 2.0 JSON Schema" if schema else "")
    return passed(f"{how} pass")


def _tier2(issued: dict[str, Any]) -> Verdict:
    from vcservice.schema_validation import validate_extensions
    from vcservice.untp import validate_untp

    if "document" not in issued:
        return skipped("nothing was issued (see tier1)")
    document = issued["document"]
    report = validate_untp(document)
    report.extend(validate_extensions(document))
    errors = report_errors(report)
    if errors:
        return failed("; ".join(errors[:5]), document=excerpt(document))
    checked = sorted({c.id for c in report.checks})
    return passed(f"passes {', '.join(checked) or 'no schema (no UNTP type)'}")


def _tier3(
    context: SuiteContext,
    implementation: Implementation,
    bundle: dict[str, Any],
    negative: dict[str, Any] | None,
    check_id: str,
    cache: dict[str, Any],
) -> Verdict:
    family = check_id.split(".", 1)[0] + "."
    if implementation.graph_verifier is None:
        positive, negative_ids, evaluated = _local_graph(bundle, negative, family, cache)
        where = "locally (no graph_verifier endpoint)"
    else:
        client = context.client(implementation)
        if implementation.name not in cache:
            cache[implementation.name] = client.verify_graph(bundle)
        answer = cache[implementation.name]
        body = answer.body if isinstance(answer.body, dict) else {}
        positive = (answer.verified, describe(answer))
        evaluated = _evaluated(body, family)
        if negative is not None:
            refused = client.verify_graph(negative)
            negative_ids = None if refused.verified else refusal_ids(refused)
        else:
            negative_ids = []
        where = "at the graph verifier"
    if not positive[0]:
        return failed(f"{where}: the chain does not verify: {positive[1]}")
    if negative is not None:
        if negative_ids is None:
            return failed(f"{where}: the variant with {check_id} broken verified")
        if check_id not in negative_ids:
            return failed(f"{where}: the broken variant failed without {check_id}: {negative_ids}")
    note = "" if evaluated is not False else " (the report lists no passed checks to show it ran)"
    more = "" if negative is not None else " (no negative variant to try)"
    return passed(f"{where}: chain verifies, {check_id} caught{more}{note}")


def _bundle_documents(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    documents = bundle.get("documents")
    out = {}
    for key, served in (documents if isinstance(documents, dict) else {}).items():
        try:
            out[key] = document_of(served)
        except ValueError:
            continue
    return out


def _claims_confirmed(chain: Path) -> Iterator[Result]:
    """UNTP 0.7.0 tier 3 over the chain's bundle: one check per passport, and the negative."""
    bundle = json.loads((chain / "bundle.json").read_text(encoding="utf-8"))
    documents = _bundle_documents(bundle)
    results = confirm_claims(documents, bundle.get("trustAnchors") or [])
    tags = ("untp", "tier3", chain.name, "local", "claims-confirmed")
    for passport in dict.fromkeys(r.passport for r in results):
        stem = passport.rstrip("/").rsplit("/", 1)[-1]
        check = Check(
            f"untp.tier3.{chain.name}.claims-confirmed.{stem}",
            f"{chain.name}: {stem}: every claim confirmed by criterion id (UNTP 0.7.0)",
            tags,
        )
        mine = [r for r in results if r.passport == passport]
        yield judge(check, "local", partial(_confirmed_verdict, mine))
    path = chain / "negative" / f"{TIER3['claims-attested']}.json"
    if path.is_file():
        check = Check(
            f"untp.tier3.{chain.name}.claims-confirmed.negative",
            f"{chain.name}: the claims.unattested variant has an unconfirmed claim (UNTP 0.7.0)",
            tags,
        )
        yield judge(check, "local", partial(_unconfirmed_verdict, path))


def _confirmed_verdict(results: list[ClaimResult]) -> Verdict:
    unconfirmed = [r for r in results if not r.confirmed]
    if unconfirmed:
        return failed("; ".join(f"{r.name}: {r.why()}" for r in unconfirmed)[:600])
    how = ", ".join(f"{r.name} (by {r.how})" for r in results)
    return passed(f"{len(results)} claim(s) confirmed: {how}"[:600])


def _unconfirmed_verdict(path: Path) -> Verdict:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    results = confirm_claims(_bundle_documents(bundle), bundle.get("trustAnchors") or [])
    unconfirmed = [r for r in results if not r.confirmed]
    if not unconfirmed:
        return failed("every claim of the variant was confirmed")
    return passed("; ".join(f"{r.name}: {r.why()}" for r in unconfirmed)[:600])


def _evaluated(body: dict[str, Any], family: str) -> bool | None:
    checks = body.get("checks")
    if not isinstance(checks, list):
        return None
    return any(isinstance(c, dict) and str(c.get("id", "")).startswith(family) for c in checks)


def _local_graph(
    bundle: dict[str, Any], negative: dict[str, Any] | None, family: str, cache: dict[str, Any]
) -> tuple[tuple[bool, str], list[str] | None, bool | None]:
    from vcservice import verifiers
    from vcservice.graph import bundle_from_json

    def verify(raw: dict[str, Any]) -> dict[str, Any]:
        parsed = bundle_from_json(raw)
        verifier = verifiers.offline().graph_verifier()
        report = verifier.verify(raw["root"], trust_anchors=parsed.trust_anchors, bundle=parsed)
        result: dict[str, Any] = report.to_dict()
        return result

    if "(local)" not in cache:
        cache["(local)"] = verify(bundle)
    body = cache["(local)"]
    positive = (bool(body["verified"]), f"failed checks {body['summary']['failedChecks']}")
    negative_ids: list[str] | None = []
    if negative is not None:
        refused = verify(negative)
        negative_ids = None if refused["verified"] else list(refused["summary"]["failedChecks"])
    return positive, negative_ids, _evaluated(body, family)
