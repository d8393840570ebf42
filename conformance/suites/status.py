"""``status``: Bitstring Status List round trips through issuer, status endpoint and verifier.

A credential is issued with ``options.credentialStatus`` — a list of
``{"type": "BitstringStatusListEntry", "statusPurpose": "revocation" | "suspension"}`` asking the
issuer to allocate entries. That option is **an extension** (vcservice's; the VC API leaves
status allocation to the implementation), so an implementation that allocates status entries by
its own configuration can ignore it: the checks only need the issued credential to carry an
entry per purpose. Status changes use the VC API's ``POST /credentials/status``.

Checks, in order (each later one is skipped when an earlier step left nothing to work on):
``status.issue-with-entry``, ``status.verify-fresh``, ``status.suspend`` (then verification
fails), ``status.unsuspend`` (verifies again), ``status.revoke`` (verification fails). Skipped
without issuer, verifier and status endpoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
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
    skip_all,
    skipped,
)
from conformance.suites.securing import sample_credential

TAGS = ("status",)
CHECKS = [
    Check("status.issue-with-entry", "Issued with revocation and suspension entries", TAGS),
    Check("status.verify-fresh", "A fresh credential with status verifies", TAGS),
    Check("status.suspend", "Suspended: verification fails", (*TAGS, "negative")),
    Check("status.unsuspend", "Unsuspended: verifies again", TAGS),
    Check("status.revoke", "Revoked: verification fails", (*TAGS, "negative")),
]
STATUS_OPTION = [
    {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
    {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"},
]


def run(context: SuiteContext) -> Iterator[Result]:
    for implementation in context.implementations:
        missing = [
            role
            for role in ("issuer", "verifier", "status")
            if getattr(implementation, role) is None
        ]
        if missing:
            yield from skip_all(CHECKS, implementation, f"no {' / '.join(missing)} endpoint")
            continue
        yield from _round_trip(context, implementation)


def _purposes(document: dict[str, Any]) -> set[str]:
    entries = document.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries]
    return {
        e["statusPurpose"]
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("statusPurpose"), str)
    }


def _round_trip(context: SuiteContext, implementation: Implementation) -> Iterator[Result]:
    client = context.client(implementation)
    state: dict[str, Any] = {}
    name = implementation.name

    def issue() -> Verdict:
        credential = sample_credential(implementation)
        credential["id"] = f"urn:uuid:{uuid.uuid4()}"
        state["vc"] = vc = client.issued(
            credential, fmt=issuer_format(implementation), credentialStatus=STATUS_OPTION
        )
        document = document_of(vc)
        state["id"] = document.get("id", credential["id"])
        purposes = _purposes(document)
        if "revocation" not in purposes:
            del state["vc"]
            return failed(
                "the issued credential has no revocation status entry",
                vc=excerpt(document),
            )
        state["suspension"] = "suspension" in purposes
        return passed(f"entries for {', '.join(sorted(purposes))}")

    def verify(expect: bool, step: str) -> Verdict:
        answer = client.verify(state["vc"])
        if answer.verified is expect:
            return passed(f"{step}: {describe(answer)}")
        return failed(f"{step}: {describe(answer)}")

    def change(purpose: str, value: bool, expect: bool, step: str) -> Verdict:
        if "vc" not in state:
            return skipped("nothing was issued with a status entry")
        if purpose == "suspension" and not state.get("suspension"):
            return skipped("the issued credential has no suspension entry")
        if not expect and not state.get("baseline"):
            return failed(
                f"{step}: no baseline: the fresh credential was not accepted, so a rejection "
                "now would prove nothing"
            )
        answer = client.update_status(state["id"], purpose, value)
        if not 200 <= answer.status < 300:
            return failed(
                f"{step}: the status endpoint answered HTTP {answer.status} "
                f"{excerpt(answer.body, 300)}"
            )
        return verify(expect, step)

    def fresh() -> Verdict:
        if "vc" not in state:
            return skipped("nothing was issued with a status entry")
        verdict = verify(True, "fresh")
        state["baseline"] = verdict.outcome is Outcome.PASSED
        return verdict

    yield judge(CHECKS[0], name, issue)
    yield judge(CHECKS[1], name, fresh)
    yield judge(CHECKS[2], name, partial(change, "suspension", True, False, "suspended"))
    yield judge(CHECKS[3], name, partial(change, "suspension", False, True, "unsuspended"))
    yield judge(CHECKS[4], name, partial(change, "revocation", True, False, "revoked"))
