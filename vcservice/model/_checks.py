"""Stable check ids of the data-model step, and the accumulator that turns findings into checks.

The ids are part of the public contract: reports, tests, the CLI and the conformance harness
all speak them, so they never change meaning. Each id appears in a report at most as one
``passed`` entry, or as one ``failed`` entry per problem found, never both: a reader must not
have to reconcile "passed" and "failed" for the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vcservice.report import VerificationReport

DOCUMENT = "datamodel.document"
CONTEXT = "datamodel.context"
TYPE = "datamodel.type"
ID = "datamodel.id"
ISSUER = "datamodel.issuer"
CREDENTIAL_SUBJECT = "datamodel.credential-subject"
VALID_FROM = "datamodel.valid-from"
VALID_UNTIL = "datamodel.valid-until"
TYPED_OBJECT = "datamodel.typed-object"
RELATED_RESOURCE = "datamodel.related-resource"
LANGUAGE = "datamodel.language"
UNDEFINED_TERMS = "datamodel.undefined-terms"
JSON_LD = "datamodel.json-ld"
HOLDER = "datamodel.holder"
VERIFIABLE_CREDENTIAL = "datamodel.verifiable-credential"
ISSUANCE_DATE = "datamodel.issuance-date"
EXPIRATION_DATE = "datamodel.expiration-date"
#: A warning, never a failure: the document follows VC 1.1 (see ``_vc1``).
LEGACY_VC1 = "datamodel.legacy-vc1"

#: Human-readable titles (RFC 9457 ``title``): one per id, so the title never varies per input.
TITLES: dict[str, str] = {
    DOCUMENT: "Not a usable JSON-LD document",
    CONTEXT: "Invalid @context",
    TYPE: "Invalid type",
    ID: "Identifier is not a single URL",
    ISSUER: "Invalid issuer",
    CREDENTIAL_SUBJECT: "Invalid credentialSubject",
    VALID_FROM: "Invalid validFrom",
    VALID_UNTIL: "Invalid validUntil",
    TYPED_OBJECT: "Object without a valid type or id",
    RELATED_RESOURCE: "Invalid relatedResource",
    LANGUAGE: "Invalid name or description",
    UNDEFINED_TERMS: "Terms not defined by any @context",
    JSON_LD: "JSON-LD processing failed",
    HOLDER: "Invalid holder",
    VERIFIABLE_CREDENTIAL: "Invalid verifiableCredential entry",
    ISSUANCE_DATE: "Invalid issuanceDate",
    EXPIRATION_DATE: "Invalid expirationDate",
    LEGACY_VC1: "VC 1.1 document",
}

#: Every id this package can emit, in the order reports list them.
CHECK_IDS: tuple[str, ...] = tuple(TITLES)


@dataclass
class Findings:
    """Collects which checks ran and what failed, then writes them to a report in one go.

    Checks of an embedded credential share this accumulator with their presentation; the
    ``where`` prefix of each problem says which credential it concerns.
    """

    _ran: list[str] = field(default_factory=list)
    _failures: dict[str, list[str]] = field(default_factory=dict)

    def ran(self, check_id: str) -> None:
        if check_id not in self._ran:
            self._ran.append(check_id)

    def fail(self, check_id: str, detail: str, *, where: str = "") -> None:
        self.ran(check_id)
        self._failures.setdefault(check_id, []).append(f"{where}: {detail}" if where else detail)

    @property
    def failed(self) -> bool:
        return bool(self._failures)

    def write(self, report: VerificationReport) -> VerificationReport:
        for check_id in sorted(self._ran, key=_position):
            problems = self._failures.get(check_id)
            if problems is None:
                report.passed(check_id)
                continue
            for detail in problems:
                report.failed(check_id, TITLES[check_id], detail)
        return report


def _position(check_id: str) -> int:
    return CHECK_IDS.index(check_id)
