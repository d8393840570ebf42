"""What a conformance run produces: one :class:`Result` per check, per implementation (or per
issuer × verifier cell), each with a stable, tagged check id.

Check ids are ``<suite>.<name>`` (``securing.vc-jwt.tampered-signature``); tags say what a
check is about (a format, a UNTP tier, ``negative``) so a report can be filtered. Outcomes:

* ``passed`` / ``failed``: the implementation did / did not do what the check expects;
* ``skipped``: not applicable (a format the implementation does not declare), with the reason;
* ``error``: the check could not run (connection refused, a 5xx, a malformed answer): never
  counted as conformance either way, always shown.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class Result:
    """One check against one implementation, or one interop cell (``issuer`` × ``verifier``)."""

    check: str
    suite: str
    outcome: Outcome
    implementation: str
    title: str = ""
    detail: str = ""
    tags: tuple[str, ...] = ()
    #: For interop cells: who issued and who verified (``implementation`` is the verifier).
    issuer: str | None = None
    verifier: str | None = None
    #: Evidence for a reader: the request and response excerpts, the credential tested.
    evidence: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["outcome"] = self.outcome.value
        out["tags"] = list(self.tags)
        return {k: v for k, v in out.items() if v not in (None, "", {}, [])} | {
            "outcome": self.outcome.value
        }


@dataclass
class Run:
    """A whole run: configuration summary, every result, timing, tool versions."""

    started: str
    finished: str = ""
    implementations: list[dict[str, Any]] = field(default_factory=list)
    suites: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {outcome.value: 0 for outcome in Outcome}
        for result in self.results:
            out[result.outcome.value] += 1
        return out

    @property
    def ok(self) -> bool:
        """No failure and no error (skips are fine)."""
        return not any(r.outcome in (Outcome.FAILED, Outcome.ERROR) for r in self.results)

    def matrix(self) -> dict[tuple[str, str], list[Result]]:
        """Interop results by (issuer, verifier)."""
        cells: dict[tuple[str, str], list[Result]] = {}
        for result in self.results:
            if result.issuer is not None and result.verifier is not None:
                cells.setdefault((result.issuer, result.verifier), []).append(result)
        return cells

    def to_dict(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "finished": self.finished,
            "ok": self.ok,
            "counts": self.counts(),
            "implementations": self.implementations,
            "suites": self.suites,
            "versions": self.versions,
            "results": [r.to_dict() for r in self.results],
        }
