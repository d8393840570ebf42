"""The response shapes the API and the pages share: RFC 9457 problem details and the checks
they carry. Here, below both ``api/`` and ``web/``, so that neither imports the other."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema


class ProblemDetail(BaseModel):
    """The problem of one failed check (RFC 9457 members, without ``status``)."""

    type: str
    title: str
    detail: str


class CheckResult(BaseModel):
    id: str
    outcome: Literal["passed", "failed", "indeterminate", "warning"]
    path: str | None = None
    problem: ProblemDetail | None = None


class InvalidParam(BaseModel):
    """Why one part of a request was refused: a JSON Pointer into it and the reason."""

    pointer: str
    detail: str


def _no_default(schema: dict[str, Any]) -> None:
    """For a member that is absent rather than null: drop the ``"default": null``."""
    schema.pop("default", None)


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: every error response of the API (``application/problem+json``).

    ``errors`` lists the refused request members (:class:`InvalidParam`) or, for a credential
    that fails validation at issuance, the failed checks (:class:`CheckResult`). Other
    extension members may appear; clients ignore those they do not know.
    """

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="A URI naming the problem type")
    title: str
    status: int = Field(ge=400, le=599, description="The HTTP status code")
    detail: str
    errors: list[InvalidParam | CheckResult] | SkipJsonSchema[None] = Field(
        default=None, json_schema_extra=_no_default
    )
