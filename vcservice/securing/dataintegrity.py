"""Data Integrity proofs (W3C vc-data-integrity): add and verify, for any registered cryptosuite.

The engine owns what the Data Integrity spec says about every proof, whatever its suite:

* **Proof sets.** A document may carry several proofs (``proof`` is then a list); each was made
  over the document *without* the others, and every one must verify.
* **Proof chains.** A proof naming ``previousProof`` was made over the document *with* the
  proofs it names under ``proof`` (in ``previousProof`` order), so it also vouches for them.
  References must resolve to exactly one proof of the set, and must not loop.
* **Purpose, challenge, domain.** The purpose must be the one the verifier expects, and a
  challenge or domain the verifier expects must be in the proof (they are signed, so a replayed
  proof cannot be re-targeted). Presentations use the same engine with ``authentication``.
* **Verification methods** are resolved through an injected :class:`DIDResolver`. An outage
  (:class:`ResolutionError`) is reported as *indeterminate*, a method that is absent or not
  authorized for the purpose (:class:`VerificationMethodError`) as *failed*: a verifier must
  never turn an outage into a forgery.

The suites (:mod:`vcservice.securing.suites`) own only canonicalization, hashing and signing.
Each proof's document and configuration are canonicalized exactly once per verification.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from vcservice import checks
from vcservice.dids import (
    DIDResolver,
    VerificationMethod,
    resolve_verification_method,
)
from vcservice.errors import (
    InputError,
    KeyFormatError,
    ResolutionError,
    SigningError,
    VerificationMethodError,
)
from vcservice.jsonld import StaticDocumentLoader
from vcservice.keys import KeyType, Signer, multibase_decode, multibase_encode
from vcservice.report import VerificationReport
from vcservice.securing.registry import default_suites
from vcservice.securing.suites import (
    LEGACY_SUITES,
    Cryptosuite,
    LegacySuite,
    ProofSuite,
    SuiteRegistry,
    legacy_hash_data,
)

PROOF_TYPE = "DataIntegrityProof"

# xsd:dateTime (XML Schema 1.1 part 2), years 0001-9999; the offset is optional because the
# spec lets processors read an offset-less time as UTC.
_DATETIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
# A proof id "MUST be a URL"; a relative one would not even survive JSON-LD processing.
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_REQUIRED = ("cryptosuite", "verificationMethod", "proofPurpose", "proofValue")
_OPTIONAL_STRINGS = ("id", "created", "expires", "challenge", "nonce")
_STRING_OR_LIST = ("domain", "previousProof")


@dataclass(frozen=True)
class DataIntegrityResult:
    """The checks that ran, and the verification methods whose signatures verified.

    ``verification_methods`` lists, in proof order, the methods of proofs whose *signature*
    verified; callers bind the issuer (or holder) to their controllers. It is only meaningful
    when ``report.verified`` is true.
    """

    report: VerificationReport
    verification_methods: list[VerificationMethod]


# --- shared by signing and verifying --------------------------------------------------------


def _is_datetime(value: str) -> bool:
    match = _DATETIME.fullmatch(value)
    if match is None:
        return False
    try:
        date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return False
    return True


def instant(value: object) -> datetime | None:
    """The moment an xsd:dateTime denotes (no offset: UTC); None if ``value`` is not one.

    Strict (the pattern above, then a real date), and local rather than vcservice.model's
    parser, which this module cannot import: the model package imports the securing code.
    A value past ``datetime``'s reach (``24:00:00``) is None, as is anything not a string.
    """
    if not isinstance(value, str) or not _is_datetime(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _string_list(value: Any) -> list[str]:
    """``previousProof`` / ``domain`` as a list: a single string is a set of one."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _proofs_of(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _index(proofs: list[Any]) -> dict[str, list[dict[str, Any]]]:
    by_id: dict[str, list[dict[str, Any]]] = {}
    for proof in proofs:
        if isinstance(proof, dict) and isinstance(proof.get("id"), str):
            by_id.setdefault(proof["id"], []).append(proof)
    return by_id


def _reference_problem(references: list[str], by_id: dict[str, list[dict[str, Any]]]) -> str:
    missing = [ref for ref in references if ref not in by_id]
    if missing:
        return f"previousProof {', '.join(missing)} is not a proof of this document"
    ambiguous = [ref for ref in references if len(by_id[ref]) > 1]
    if ambiguous:
        return f"previousProof {', '.join(ambiguous)} names more than one proof"
    return ""


def _hash_data(
    suite: Cryptosuite,
    document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    key_type: KeyType,
    loader: StaticDocumentLoader,
) -> bytes:
    """hashData = digest(canonical proof configuration) || digest(canonical document)."""
    canonical_document = suite.canonicalize_document(document, loader)
    canonical_config = suite.canonicalize_proof_config(document, proof_options, loader)
    return suite.digest(canonical_config, key_type) + suite.digest(canonical_document, key_type)


# --- signing --------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signing_suite(registry: SuiteRegistry, name: str, key_type: KeyType) -> Cryptosuite:
    suite = registry.get(name)
    if suite is None:
        known = ", ".join(sorted(registry.names))
        raise SigningError(f"unknown cryptosuite {name!r}; known: {known}")
    if key_type not in suite.key_types:
        needed = ", ".join(sorted(k.value for k in suite.key_types))
        raise SigningError(f"{name} cannot sign with a {key_type.value} key (needs {needed})")
    return suite


def _previous_proofs(
    existing: list[dict[str, Any]], proof_id: str | None, previous_proof: str | list[str] | None
) -> list[dict[str, Any]] | None:
    """The proofs a new chained proof signs over (None when it is not chained)."""
    by_id = _index(existing)
    if proof_id is not None and not _ABSOLUTE_URI.fullmatch(proof_id):
        raise SigningError(f"proof id {proof_id!r} is not an absolute URL")
    if proof_id is not None and proof_id in by_id:
        raise SigningError(f"the document already has a proof with id {proof_id}")
    if previous_proof is None:
        return None
    references = _string_list(previous_proof)
    if not references:
        raise SigningError("previous_proof must name at least one proof")
    problem = _reference_problem(references, by_id)
    if problem:
        raise SigningError(problem)
    return [by_id[ref][0] for ref in references]


def add_proof(
    document: dict[str, Any],
    suite: str,
    signer: Signer,
    *,
    loader: StaticDocumentLoader,
    purpose: str = "assertionMethod",
    created: str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    suites: SuiteRegistry | None = None,
    mandatory_pointers: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` secured with one more proof (``document`` is not changed).

    A document without a proof gets ``proof`` as a single object; otherwise the new proof is
    appended to the proof set. With ``previous_proof`` (an id or ids of existing proofs) the
    new proof is chained: it signs the document together with those proofs. ``created``
    defaults to now (UTC, whole seconds, ``Z``). ``mandatory_pointers`` (JSON pointers) are
    for a selective-disclosure suite (:class:`ProofSuite`): what every derived proof discloses.

    Raises SigningError when the suite is unknown, the signer's key does not fit it, or the
    options are unusable (bad ``created``, bad, missing or duplicate proof ids); InputError when
    the existing ``proof`` is not an object or a list of objects; CanonicalizationError
    (including a JSON-LD document whose terms all drop out) and ContextNotAllowedError from
    canonicalization.
    """
    key_type = signer.key.key_type
    chosen = _signing_suite(suites or default_suites(), suite, key_type)
    created = _now() if created is None else created
    if not _is_datetime(created):
        raise SigningError(f"created {created!r} is not an XML Schema dateTime")
    existing = _proofs_of(document)
    if not all(isinstance(proof, dict) for proof in existing):
        raise InputError("the document's proof must be an object or a list of objects")
    previous = _previous_proofs(existing, proof_id, previous_proof)
    selective = isinstance(chosen, ProofSuite)
    if mandatory_pointers is not None and not selective:
        raise SigningError(f"{suite} takes no mandatory pointers (no selective disclosure)")
    if selective and previous is not None:
        raise SigningError(f"{suite} proofs cannot be chained (a derived proof drops the rest)")

    options: dict[str, Any] = {"type": PROOF_TYPE, "id": proof_id, "cryptosuite": suite}
    options |= {
        "created": created,
        "verificationMethod": signer.verification_method,
        "proofPurpose": purpose,
        "challenge": challenge,
        "domain": domain,
        "previousProof": copy.copy(previous_proof),
    }
    unsecured = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    signed_over = unsecured if previous is None else {**unsecured, "proof": previous}
    proof = chosen.proof_options(
        signed_over, {name: value for name, value in options.items() if value is not None}
    )
    covered = chosen.unsecured_document(signed_over, proof)
    if isinstance(chosen, ProofSuite):
        proof = chosen.create_proof(
            covered, proof, signer, loader, mandatory_pointers=mandatory_pointers
        )
    else:
        hash_data = _hash_data(chosen, covered, proof, key_type, loader)
        proof["proofValue"] = multibase_encode(chosen.sign(hash_data, signer))

    unsecured["proof"] = [*copy.deepcopy(existing), proof] if existing else proof
    return unsecured


# --- verifying ------------------------------------------------------------------------------


def _shape_problems(
    proof: dict[str, Any],
    required: tuple[str, ...] = _REQUIRED,
    string_or_list: tuple[str, ...] = _STRING_OR_LIST,
    forbidden: Mapping[str, str] | None = None,
) -> list[str]:
    """What is wrong with a proof's members, before any key or signature is looked at;
    ``forbidden`` maps members a suite does not have to the message saying so."""
    problems = [
        f"{name} must be a string" for name in required if not isinstance(proof.get(name), str)
    ]
    problems += [
        f"{name} must be a string"
        for name in _OPTIONAL_STRINGS
        if name in proof and not isinstance(proof[name], str)
    ]
    for name in string_or_list:
        value = proof.get(name)
        if name in proof and not (
            isinstance(value, str)
            or (isinstance(value, list) and value and all(isinstance(v, str) for v in value))
        ):
            problems.append(f"{name} must be a string or a non-empty list of strings")
    problems += [message for name, message in (forbidden or {}).items() if name in proof]
    if isinstance(proof.get("id"), str) and not _ABSOLUTE_URI.fullmatch(proof["id"]):
        problems.append("id must be an absolute URL")
    return problems


def _legacy_shape_problems(proof: dict[str, Any], suite: LegacySuite) -> list[str]:
    """:func:`_shape_problems` for a legacy suite: its own signature member, no chains."""
    problems = _shape_problems(
        proof,
        required=("verificationMethod", "proofPurpose", suite.signature_member),
        string_or_list=("domain",),
        forbidden={
            "previousProof": f"previousProof is not part of {suite.proof_type} (no proof chains)"
        },
    )
    value = proof.get(suite.signature_member)
    if isinstance(value, str):
        problem = suite.signature_problem(value)
        if problem:
            problems.append(problem)
    return problems


def _reaches(start: list[str], target: str, by_id: dict[str, list[dict[str, Any]]]) -> bool:
    """Whether following previousProof from ``start`` leads back to the proof ``target``."""
    seen: set[str] = set()
    stack = list(start)
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current in seen:
            continue
        seen.add(current)
        for proof in by_id.get(current, []):
            stack.extend(_string_list(proof.get("previousProof")))
    return False


def _purpose_problem(expected: str, proof: dict[str, Any]) -> str:
    actual = proof["proofPurpose"]
    return "" if actual == expected else f"proofPurpose is {actual!r}, expected {expected!r}"


def _challenge_problem(expected: str, proof: dict[str, Any]) -> str:
    actual = proof.get("challenge")
    if actual is None:
        return "the verifier expects a challenge, but the proof has none"
    return "" if actual == expected else "the challenge is not the one the verifier issued"


def _domain_problem(expected: str, proof: dict[str, Any]) -> str:
    """The expected domain must be one of the proof's (a single string is a set of one)."""
    domains = _string_list(proof.get("domain"))
    if not domains:
        return "the verifier expects a domain, but the proof has none"
    return "" if expected in domains else f"the proof's domain {domains} excludes {expected!r}"


@dataclass(frozen=True)
class _Verifier:
    """One verify_proofs call: the expectations, the collaborators and the report."""

    document: Mapping[str, Any]
    by_id: dict[str, list[dict[str, Any]]]
    resolver: DIDResolver
    loader: StaticDocumentLoader
    registry: SuiteRegistry
    purpose: str
    challenge: str | None
    domain: str | None
    report: VerificationReport

    def fail(self, check_id: str, label: str, detail: str) -> None:
        self.report.failed(check_id, checks.title(check_id), f"{label}: {detail}")

    def check(self, check_id: str, label: str, problem: str) -> bool:
        """Record ``check_id`` as passed when ``problem`` is empty, else as failed."""
        if problem:
            self.fail(check_id, label, problem)
            return False
        self.report.passed(check_id)
        return True

    def verify(self, proof: Any, label: str) -> VerificationMethod | None:
        """Run every check on one proof; the method if its signature verified."""
        if not isinstance(proof, dict):
            self.fail(checks.PROOF_MALFORMED, label, "a proof must be a JSON object")
            return None
        proof_type = proof.get("type")
        if not isinstance(proof_type, str):
            self.fail(checks.PROOF_MALFORMED, label, "type must be a string")
            return None
        legacy = LEGACY_SUITES.get(proof_type)
        if legacy is not None:
            return self._verify_legacy(proof, legacy, label)
        if not self.check(
            checks.PROOF_TYPE, label, "" if proof_type == PROOF_TYPE else f"type is {proof_type!r}"
        ):
            return None
        problems = _shape_problems(proof)
        if problems:
            self.fail(checks.PROOF_MALFORMED, label, "; ".join(problems))
            return None
        suite = self.registry.get(proof["cryptosuite"])
        signature = b""  # a ProofSuite reads its own proofValue
        try:
            if not isinstance(suite, ProofSuite):
                signature = multibase_decode(proof["proofValue"])
        except KeyFormatError as exc:
            self.fail(checks.PROOF_MALFORMED, label, f"proofValue: {exc.detail}")
            return None

        self.check(
            checks.PROOF_CRYPTOSUITE,
            label,
            "" if suite else f"cryptosuite {proof['cryptosuite']!r} is not supported",
        )
        if "created" in proof:
            created = proof["created"]
            problem = "" if _is_datetime(created) else f"{created!r} is not an xsd:dateTime"
            self.check(checks.PROOF_CREATED, label, problem)
        self.check(checks.PROOF_PURPOSE, label, _purpose_problem(self.purpose, proof))
        self._expectations(proof, label)
        references = _string_list(proof.get("previousProof"))
        chain_ok = "previousProof" not in proof or self.check(
            checks.PROOF_CHAIN, label, self._chain_problem(proof, references)
        )
        if suite is None or not chain_ok:
            return None
        return self._signature(proof, suite, signature, references, label)

    def _verify_legacy(
        self, proof: dict[str, Any], suite: LegacySuite, label: str
    ) -> VerificationMethod | None:
        """A legacy proof (the type names the suite): accepted with ``proof.legacy-suite``."""
        self.report.passed(checks.PROOF_TYPE)
        self.report.warn(
            checks.PROOF_LEGACY_SUITE,
            checks.title(checks.PROOF_LEGACY_SUITE),
            f"{label}: {suite.proof_type} is a legacy suite (pre-Data Integrity 1.0); accepted, "
            "but ask the issuer for eddsa-rdfc-2022",
        )
        problems = _legacy_shape_problems(proof, suite)
        if problems:
            self.fail(checks.PROOF_MALFORMED, label, "; ".join(problems))
            return None
        if "created" in proof:
            created = proof["created"]
            problem = "" if _is_datetime(created) else f"{created!r} is not an xsd:dateTime"
            self.check(checks.PROOF_CREATED, label, problem)
        self.check(checks.PROOF_PURPOSE, label, _purpose_problem(self.purpose, proof))
        self._expectations(proof, label)
        method = self._method(proof, suite.key_types, suite.proof_type, label)
        if method is None:
            return None
        options = {k: v for k, v in proof.items() if k != suite.signature_member}
        signed_over = {k: v for k, v in self.document.items() if k != "proof"}
        hash_data = legacy_hash_data(signed_over, options, self.loader)
        value = proof[suite.signature_member]
        if not suite.verify(hash_data, value, method.public_key):
            self.fail(
                checks.PROOF_SIGNATURE, label, f"the signature does not verify with {method.id}"
            )
            return None
        return self._signed_by(method, label)

    def _expectations(self, proof: dict[str, Any], label: str) -> None:
        if self.challenge is not None:
            self.check(checks.PROOF_CHALLENGE, label, _challenge_problem(self.challenge, proof))
        if self.domain is not None:
            self.check(checks.PROOF_DOMAIN, label, _domain_problem(self.domain, proof))

    def _chain_problem(self, proof: dict[str, Any], references: list[str]) -> str:
        problem = _reference_problem(references, self.by_id)
        own = proof.get("id")
        if not problem and isinstance(own, str) and _reaches(references, own, self.by_id):
            problem = "previousProof leads back to this proof (a cycle)"
        return problem

    def _when(self, proof: dict[str, Any]) -> datetime | None:
        """When the proof says it was made: its ``created``, else the credential's ``validFrom``
        (VC 1.1: ``issuanceDate``). A key rotated out of the issuer's DID since then is looked
        up in the DID's history at that time."""
        if "created" in proof:
            return instant(proof["created"])
        if "validFrom" in self.document:
            return instant(self.document["validFrom"])
        return instant(self.document.get("issuanceDate"))

    def _signed_by(self, method: VerificationMethod, label: str) -> VerificationMethod:
        """The signature verified: record it, and warn when the key is only in the DID's past."""
        self.report.passed(checks.PROOF_SIGNATURE)
        if method.note is not None:
            self.report.warn(
                checks.PROOF_KEY_HISTORY,
                checks.title(checks.PROOF_KEY_HISTORY),
                f"{label}: {method.note}",
            )
        return method

    def _method(
        self, proof: dict[str, Any], key_types: frozenset[KeyType], suite_name: str, label: str
    ) -> VerificationMethod | None:
        """The proof's verification method, if it resolves, is authorized and fits the suite."""
        try:
            method = resolve_verification_method(
                self.resolver, proof["verificationMethod"], self.purpose, at=self._when(proof)
            )
        except VerificationMethodError as exc:
            self.fail(checks.PROOF_VERIFICATION_METHOD, label, exc.detail)
            return None
        except ResolutionError as exc:
            self.report.indeterminate(
                checks.PROOF_VERIFICATION_METHOD,
                "Verification method could not be resolved",
                f"{label}: {exc.detail}",
            )
            return None
        key_type = method.public_key.key_type
        if not self.check(
            checks.PROOF_VERIFICATION_METHOD,
            label,
            ""
            if key_type in key_types
            else f"{method.id} is a {key_type.value} key, which {suite_name} cannot use",
        ):
            return None
        return method

    def _signature(
        self,
        proof: dict[str, Any],
        suite: Cryptosuite,
        signature: bytes,
        references: list[str],
        label: str,
    ) -> VerificationMethod | None:
        method = self._method(proof, suite.key_types, suite.name, label)
        if method is None:
            return None
        key_type = method.public_key.key_type
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        signed_over = {k: v for k, v in self.document.items() if k != "proof"}
        if "previousProof" in proof:
            signed_over["proof"] = [self.by_id[ref][0] for ref in references]
        try:
            covered = suite.unsecured_document(signed_over, options)
        except InputError as exc:
            self.fail(checks.PROOF_SIGNATURE, label, exc.detail)
            return None
        if isinstance(suite, ProofSuite):
            return self._whole_proof(proof, suite, covered, method, label)
        hash_data = _hash_data(suite, covered, options, key_type, self.loader)
        if not suite.verify(hash_data, signature, method.public_key):
            self.fail(
                checks.PROOF_SIGNATURE, label, f"the signature does not verify with {method.id}"
            )
            return None
        return self._signed_by(method, label)

    def _whole_proof(
        self,
        proof: dict[str, Any],
        suite: ProofSuite,
        covered: Mapping[str, Any],
        method: VerificationMethod,
        label: str,
    ) -> VerificationMethod | None:
        """A :class:`ProofSuite`'s proof: an unreadable proofValue (or a base proof, which
        only its holder may see) is malformed; a bad signature fails as any other."""
        try:
            problem = suite.verify_proof(covered, proof, method.public_key, self.loader)
        except InputError as exc:
            self.fail(checks.PROOF_MALFORMED, label, f"proofValue: {exc.detail}")
            return None
        if problem:
            self.fail(checks.PROOF_SIGNATURE, label, f"{problem} ({method.id})")
            return None
        return self._signed_by(method, label)


def verify_proofs(
    document: dict[str, Any],
    *,
    resolver: DIDResolver,
    loader: StaticDocumentLoader,
    purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    suites: SuiteRegistry | None = None,
) -> DataIntegrityResult:
    """Verify every Data Integrity proof of ``document`` (a credential or a presentation).

    Every proof of a set must verify. Problems with a proof are report entries with stable
    ids: ``proof.present``, ``proof.malformed``, ``proof.type``, ``proof.cryptosuite``,
    ``proof.created``, ``proof.purpose``, ``proof.challenge`` and ``proof.domain`` (only when
    the caller expects one), ``proof.chain`` (only for proofs with ``previousProof``),
    ``proof.verification-method`` (indeterminate when the DID could not be resolved) and
    ``proof.signature``. Details name the proof (``proof[i]`` and its id).

    Legacy proofs whose ``type`` names the suite (``Ed25519Signature2020``,
    ``JsonWebSignature2020``; see :mod:`vcservice.securing.suites._legacy`) are verified too,
    and each adds the warning ``proof.legacy-suite``: accepted, never silently.

    Canonicalization failures are raised, not reported: CanonicalizationError (JSON-LD that
    cannot be processed, an RDFC work limit, a document or proof configuration whose terms all
    drop out) and ContextNotAllowedError (an InputError) for a context that is not bundled.
    They are about the document rather than one proof, so the pipeline reports them once (as
    ``proof.canonicalization``). Proofs before the failing one are then not reported either.
    """
    proofs = _proofs_of(document)
    report = VerificationReport()
    methods: list[VerificationMethod] = []
    if not proofs:
        report.failed(
            checks.PROOF_PRESENT, checks.title(checks.PROOF_PRESENT), "the document has no proof"
        )
        return DataIntegrityResult(report, methods)
    report.passed(checks.PROOF_PRESENT)
    verifier = _Verifier(
        document=document,
        by_id=_index(proofs),
        resolver=resolver,
        loader=loader,
        registry=suites or default_suites(),
        purpose=purpose,
        challenge=challenge,
        domain=domain,
        report=report,
    )
    for index, proof in enumerate(proofs):
        proof_id = proof.get("id") if isinstance(proof, dict) else None
        label = f"proof[{index}]" + (f" {proof_id}" if isinstance(proof_id, str) else "")
        method = verifier.verify(proof, label)
        if method is not None:
            methods.append(method)
    return DataIntegrityResult(report, methods)
