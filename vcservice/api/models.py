"""Request and response models: the API contract (W3C VC API, vcalm), published in OpenAPI.

Unknown ``options`` members are ignored, not rejected, as the VC API asks of implementations.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Format = Literal["vc+jwt", "eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022", "ecdsa-jcs-2019"]


class StatusRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    statusPurpose: Literal["revocation", "suspension"] = "revocation"  # noqa: N815


class IssueOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: Format | None = None
    credentialStatus: StatusRequest | list[StatusRequest] | None = None  # noqa: N815
    publish: bool = False


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    credential: dict[str, Any]
    options: IssueOptions = Field(default_factory=IssueOptions)


class IssueResponse(BaseModel):
    verifiableCredential: dict[str, Any] | str  # noqa: N815


class VerifyCredentialRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    verifiableCredential: dict[str, Any] | str  # noqa: N815
    options: dict[str, Any] = Field(default_factory=dict)


class VerifyPresentationOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    challenge: str | None = None
    domain: str | None = None


class VerifyPresentationRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    verifiablePresentation: dict[str, Any] | str  # noqa: N815
    options: VerifyPresentationOptions = Field(default_factory=VerifyPresentationOptions)


class ProblemDetail(BaseModel):
    type: str
    title: str
    detail: str


class CheckResult(BaseModel):
    id: str
    outcome: Literal["passed", "failed", "indeterminate", "warning"]
    path: str | None = None
    problem: ProblemDetail | None = None


class VerificationResult(BaseModel):
    verified: bool
    checks: list[CheckResult]
    errors: list[CheckResult]
    warnings: list[CheckResult]
    problemDetails: list[ProblemDetail]  # noqa: N815


class StatusUpdateEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status: bool
    statusPurpose: Literal["revocation", "suspension"]  # noqa: N815


class StatusUpdateRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    credentialId: str = Field(min_length=1, max_length=2048)  # noqa: N815
    credentialStatus: list[StatusUpdateEntry] = Field(min_length=1, max_length=2)  # noqa: N815


class KeyResponse(BaseModel):
    id: str
    type: str
    active: bool
    publicKeyMultibase: str  # noqa: N815


class AddKeyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["ed25519", "p256", "p384"] = "ed25519"
