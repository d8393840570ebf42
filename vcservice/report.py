"""Verification reports: every check that ran, with a stable id and an outcome.

A report is never a bare boolean. Outcomes keep three things apart that a verifier must not
mix up: a check that *passed*, one that *failed* (the credential is invalid: bad signature,
revoked, expired), and one that is *indeterminate* (we could not check: a DID did not resolve,
a status list was unreachable). ``verified`` is true only when nothing failed and nothing was
indeterminate; warnings never change it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

from vcservice.errors import PROBLEM_BASE, VCServiceError


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """RFC 9457 problem detail members (``type``, ``title``, ``detail``)."""

    type: str
    title: str
    detail: str

    @classmethod
    def for_check(cls, check_id: str, title: str, detail: str) -> Problem:
        return cls(type=PROBLEM_BASE + check_id, title=title, detail=detail)

    @classmethod
    def from_error(cls, error: VCServiceError) -> Problem:
        return cls(type=error.problem_type, title=error.title, detail=error.detail)

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "title": self.title, "detail": self.detail}


@dataclass(frozen=True)
class Check:
    """One check. ``path`` locates nested documents (``verifiableCredential[0]`` in a VP)."""

    id: str
    outcome: Outcome
    problem: Problem | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "outcome": self.outcome.value}
        if self.path is not None:
            out["path"] = self.path
        if self.problem is not None:
            out["problem"] = self.problem.to_dict()
        return out


def _passed(check_id: str) -> Check:
    """The passed check ``check_id``: one frozen instance per id, since a verification passes
    about twenty checks and building a frozen dataclass costs more than the check itself."""
    check = _PASSED.get(check_id)
    if check is None:
        check = Check(check_id, Outcome.PASSED)
        if len(_PASSED) < 1024:  # ids are the catalogue's; bounded all the same
            _PASSED[check_id] = check
    return check


_PASSED: dict[str, Check] = {}
#: The outcomes that make a report not verified (``errors``).
_ERRORS = (Outcome.FAILED, Outcome.INDETERMINATE)


@dataclass
class VerificationReport:
    """Accumulates checks; the pipeline appends, nobody removes."""

    checks: list[Check] = field(default_factory=list)
    document: dict[str, Any] | None = None

    def passed(self, check_id: str) -> None:
        self.checks.append(_passed(check_id))

    def failed(self, check_id: str, title: str, detail: str) -> None:
        self.checks.append(
            Check(check_id, Outcome.FAILED, Problem.for_check(check_id, title, detail))
        )

    def indeterminate(self, check_id: str, title: str, detail: str) -> None:
        self.checks.append(
            Check(check_id, Outcome.INDETERMINATE, Problem.for_check(check_id, title, detail))
        )

    def warn(self, check_id: str, title: str, detail: str) -> None:
        self.checks.append(
            Check(check_id, Outcome.WARNING, Problem.for_check(check_id, title, detail))
        )

    def record(
        self, check_id: str, outcome: Outcome, title: str = "", detail: str = "", *, path: str
    ) -> None:
        """A check located at ``path`` (graph checks name the credential and the place in it)."""
        problem = None if outcome is Outcome.PASSED else Problem.for_check(check_id, title, detail)
        self.checks.append(Check(check_id, outcome, problem, path))

    def extend(self, other: VerificationReport, path: str | None = None) -> None:
        """Append another report's checks, optionally nested under ``path``."""
        if path is None:
            self.checks.extend(other.checks)
            return
        for check in other.checks:
            nested = f"{path}.{check.path}" if check.path else path
            self.checks.append(Check(check.id, check.outcome, check.problem, nested))

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.outcome in _ERRORS]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.outcome is Outcome.WARNING]

    @property
    def verified(self) -> bool:
        """Nothing failed or indeterminate, and something passed: one pass, no list built
        (a graph asks this of every credential's report several times)."""
        passed = False
        for check in self.checks:
            outcome = check.outcome
            if outcome in _ERRORS:
                return False
            passed = passed or outcome is Outcome.PASSED
        return passed

    def has_failed(self, check_id: str) -> bool:
        return any(c.id == check_id and c.outcome is Outcome.FAILED for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verified": self.verified,
            "checks": [c.to_dict() for c in self.checks],
            "errors": [c.to_dict() for c in self.errors],
            "warnings": [c.to_dict() for c in self.warnings],
        }
        if self.document is not None:
            out["document"] = self.document
        return out


class Verdict(enum.StrEnum):
    """The one answer every surface gives about a report (API status, CLI exit code, page).

    *indeterminate* is "could not check": nothing failed, but something (a DID, a status list,
    a linked credential) could not be had, so the answer is neither yes nor no.
    """

    VERIFIED = "verified"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"


class Judged(Protocol):
    """A report: a single credential's (:class:`VerificationReport`) or a graph's."""

    @property
    def verified(self) -> bool: ...

    @property
    def errors(self) -> list[Check]: ...


def verdict_of(report: Judged) -> Verdict:
    """Verified; else failed when any check failed (or nothing was checked at all); else
    indeterminate. A failure outranks "could not check": a forgery is never "unknown"."""
    if report.verified:
        return Verdict.VERIFIED
    errors = report.errors
    if errors and all(c.outcome is Outcome.INDETERMINATE for c in errors):
        return Verdict.INDETERMINATE
    return Verdict.FAILED
