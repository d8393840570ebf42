"""``disclosure``: selective disclosure across platforms (ecdsa-sd-2023, vc+sd-jwt).

For every implementation with an issuer and a ``derive`` endpoint (W3C VC API
``POST /credentials/derive``), and each selective-disclosure format its issuer declares, the
suite issues a credential whose subject has two claims (``name``, to disclose, and
``description``, to withhold), derives it revealing ``/credentialSubject/name``, and then:

* ``disclosure.<format>.derive``: the derived credential holds the disclosed value and not the
  withheld one (for an SD-JWT: in its payload and disclosures, decoded);
* ``disclosure.<format>.valid``: every verifier (reading the format) accepts the derived one;
* ``disclosure.<format>.tampered``: every verifier rejects it with the disclosed value changed
  (the JSON claim of a derived proof; the disclosure of an SD-JWT, whose digest then matches
  none in the signed payload). A rejection by a verifier that rejects the valid one too proves
  nothing and fails, as in ``interop``.

Results carry ``issuer`` and ``verifier`` like interop cells. Skipped when the implementation
has no derive endpoint or declares neither format.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import secrets
from collections.abc import Iterator
from functools import partial
from typing import Any

from conformance.client import ImplementationError
from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Outcome, Result
from conformance.suites._common import Check, Verdict, excerpt, failed, judge, passed, skipped

FORMATS = ("ecdsa-sd-2023", "vc+sd-jwt")
POINTER = "/credentialSubject/name"
SD_JWT_PREFIX = "data:application/vc+sd-jwt,"


def plain_format(implementation: Implementation) -> str | None:
    """The first format the issuer declares that is not a selective-disclosure one (a base
    credential is its holder's, not for publishing or linking), else its default."""
    declared = implementation.issuer.formats if implementation.issuer else ()
    return next((f for f in declared if f not in FORMATS), None)


def _credential(disclosed: str, withheld: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:subject",
            "name": disclosed,
            "description": withheld,
        },
    }


def run(context: SuiteContext) -> Iterator[Result]:
    verifiers = [i for i in context.implementations if i.verifier is not None]
    for implementation in context.implementations:
        declared = implementation.issuer.formats if implementation.issuer else ()
        formats = [f for f in FORMATS if f in declared]
        if implementation.derive is None or not formats:
            why = (
                "no issuer"
                if implementation.issuer is None
                else "no derive endpoint"
                if formats
                else "its issuer declares neither " + " nor ".join(FORMATS)
            )
            for fmt in FORMATS:
                check = Check(f"disclosure.{fmt}.derive", f"{fmt}: derive", ("disclosure", fmt))
                yield judge(check, implementation.name, partial(skipped, why))
            continue
        for fmt in formats:
            yield from _format(context, implementation, fmt, verifiers)


def _format(
    context: SuiteContext, issuer: Implementation, fmt: str, verifiers: list[Implementation]
) -> Iterator[Result]:
    tags = ("disclosure", fmt)
    derive = Check(f"disclosure.{fmt}.derive", f"{issuer.name} derives a {fmt} credential", tags)
    disclosed, withheld = f"disclosed-{secrets.token_hex(4)}", f"withheld-{secrets.token_hex(4)}"
    derived: list[Any] = []

    def make() -> Verdict:
        client = context.client(issuer)
        base = client.issued(_credential(disclosed, withheld), fmt=fmt)
        answer = client.derive(base, [POINTER])
        body = answer.body
        if not 200 <= answer.status < 300 or not isinstance(body, dict):
            return failed(f"derive answered HTTP {answer.status}: {excerpt(body, 300)}")
        if "verifiableCredential" not in body:
            return failed("the derive answer has no verifiableCredential")
        text = revealed(body["verifiableCredential"])
        if disclosed not in text or withheld in text:
            return failed(
                f"the derived credential should hold {disclosed!r} and not {withheld!r}",
                credential=excerpt(body["verifiableCredential"]),
            )
        derived.append(body["verifiableCredential"])
        return passed("discloses the claim asked for and withholds the other")

    result = judge(derive, issuer.name, make)
    yield result
    tampered = tamper(derived[0], disclosed) if derived else None
    for verifier in verifiers:
        assert verifier.verifier is not None
        reads = not verifier.verifier.formats or fmt in verifier.verifier.formats
        cell = partial(_cell, fmt=fmt, issuer=issuer.name, verifier=verifier.name)
        if not reads:
            why = f"format not supported by verifier ({verifier.name})"
            yield cell("valid", Verdict(Outcome.SKIPPED, why))
            yield cell("tampered", Verdict(Outcome.SKIPPED, why))
            continue
        if not derived:
            why = f"{issuer.name} derived no {fmt} credential: {result.detail}"
            yield cell("valid", Verdict(Outcome.ERROR, why))
            yield cell("tampered", Verdict(Outcome.ERROR, why))
            continue
        valid = _ask(context, verifier, derived[0])
        yield cell("valid", valid)
        broken = _ask(context, verifier, tampered)
        if broken.outcome is Outcome.PASSED:
            broken = failed("accepted a derived credential whose disclosed claim was changed")
        elif broken.outcome is Outcome.FAILED and valid.outcome is Outcome.PASSED:
            broken = passed(broken.detail)
        elif broken.outcome is Outcome.FAILED:
            broken = Verdict(
                valid.outcome,
                f"{broken.detail}, but the valid derived credential was not accepted either",
            )
        yield cell("tampered", broken)


def _cell(case: str, verdict: Verdict, *, fmt: str, issuer: str, verifier: str) -> Result:
    negative = case != "valid"
    return Result(
        check=f"disclosure.{fmt}.{case}",
        suite="disclosure",
        outcome=verdict.outcome,
        implementation=verifier,
        title=f"{verifier} {'rejects' if negative else 'accepts'} a {fmt} credential derived "
        f"on {issuer} ({case})",
        detail=verdict.detail,
        tags=("disclosure", fmt, "negative") if negative else ("disclosure", fmt),
        issuer=issuer,
        verifier=verifier,
        evidence=verdict.evidence,
    )


def _ask(context: SuiteContext, verifier: Implementation, credential: Any) -> Verdict:
    """PASSED when accepted, FAILED when rejected, ERROR when it could not be asked."""
    try:
        answer = context.client(verifier).verify(credential)
    except ImplementationError as exc:
        return Verdict(Outcome.ERROR, str(exc))
    if answer.verified:
        return passed("accepted")
    return failed(f"rejected (HTTP {answer.status})", response=excerpt(answer.body, 400))


def _b64decode(segment: str) -> str:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _sd_jwt(credential: Any) -> str | None:
    """The SD-JWT (``jwt~disclosure~...~``) of a vc+sd-jwt envelope, None for anything else."""
    if isinstance(credential, dict) and isinstance(credential.get("id"), str):
        credential = credential["id"]
    if isinstance(credential, str) and credential.startswith(SD_JWT_PREFIX):
        return credential.removeprefix(SD_JWT_PREFIX)
    return None


def revealed(credential: Any) -> str:
    """Everything a verifier is shown: the JSON, or an SD-JWT's payload and disclosures."""
    sd_jwt = _sd_jwt(credential)
    if sd_jwt is None:
        return json.dumps(credential)
    jwt, *disclosures = sd_jwt.split("~")
    parts = jwt.split(".")
    payload = _b64decode(parts[1]) if len(parts) == 3 else ""
    return "\n".join([payload, *(_b64decode(d) for d in disclosures if d)])


def tamper(credential: Any, disclosed: str) -> Any:
    """The derived credential with ``disclosed`` replaced wherever a verifier reads it."""
    changed = f"{disclosed}-altered"
    sd_jwt = _sd_jwt(credential)
    if sd_jwt is None:
        return json.loads(
            json.dumps(credential).replace(json.dumps(disclosed), json.dumps(changed))
        )
    segments = sd_jwt.split("~")
    for index, segment in enumerate(segments[1:], start=1):
        text = _b64decode(segment)
        if disclosed in text:
            encoded = text.replace(disclosed, changed).encode()
            segments[index] = base64.urlsafe_b64encode(encoded).rstrip(b"=").decode()
    envelope = copy.deepcopy(credential)
    data = SD_JWT_PREFIX + "~".join(segments)
    if isinstance(envelope, dict):
        envelope["id"] = data
        return envelope
    return data
