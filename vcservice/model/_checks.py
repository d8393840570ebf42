"""Stable check ids of the data-model step, and the accumulator that turns findings into checks.

The ids are part of the public contract: reports, tests, the CLI and the conformance harness
all speak them, so they never change meaning. Each id appears in a report at most as one
``passed`` entry, or as one ``failed`` entry per problem found, never both: a reader must not
have to reconcile "passed" and "failed" for the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vcservice import checks
from vcservice.report import VerificationReport

# Aliases of the catalogue's constants (:mod:`vcservice.checks`), short for the rules here.
DOCUMENT = checks.DATAMODEL_DOCUMENT
CONTEXT = checks.DATAMODEL_CONTEXT
TYPE = checks.DATAMODEL_TYPE
ID = checks.DATAMODEL_ID
ISSUER = checks.DATAMODEL_ISSUER
CREDENTIAL_SUBJECT = checks.DATAMODEL_CREDENTIAL_SUBJECT
VALID_FROM = checks.DATAMODEL_VALID_FROM
VALID_UNTIL = checks.DATAMODEL_VALID_UNTIL
TYPED_OBJECT = checks.DATAMODEL_TYPED_OBJECT
RELATED_RESOURCE = checks.DATAMODEL_RELATED_RESOURCE
LANGUAGE = checks.DATAMODEL_LANGUAGE
UNDEFINED_TERMS = checks.DATAMODEL_UNDEFINED_TERMS
JSON_LD = checks.DATAMODEL_JSON_LD
HOLDER = checks.DATAMODEL_HOLDER
VERIFIABLE_CREDENTIAL = checks.DATAMODEL_VERIFIABLE_CREDENTIAL
ISSUANCE_DATE = checks.DATAMODEL_ISSUANCE_DATE
EXPIRATION_DATE = checks.DATAMODEL_EXPIRATION_DATE
#: A warning, never a failure: the document follows VC 1.1 (see ``_vc1``).
LEGACY_VC1 = checks.DATAMODEL_LEGACY_VC1

#: Every id this package can emit, in the order reports list them.
CHECK_IDS: tuple[str, ...] = (
    DOCUMENT,
    CONTEXT,
    TYPE,
    ID,
    ISSUER,
    CREDENTIAL_SUBJECT,
    VALID_FROM,
    VALID_UNTIL,
    TYPED_OBJECT,
    RELATED_RESOURCE,
    LANGUAGE,
    UNDEFINED_TERMS,
    JSON_LD,
    HOLDER,
    VERIFIABLE_CREDENTIAL,
    ISSUANCE_DATE,
    EXPIRATION_DATE,
    LEGACY_VC1,
)

#: Human-readable titles (RFC 9457 ``title``): one per id, so the title never varies per input;
#: they are the catalogue's.
TITLES: dict[str, str] = {check_id: checks.title(check_id) for check_id in CHECK_IDS}


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
    return _POSITIONS[check_id]


#: Each check id's place in the catalogue (reports list checks in that order).
_POSITIONS: dict[str, int] = {check_id: index for index, check_id in enumerate(CHECK_IDS)}
