"""Request and response models: the API contract (W3C VC API, vcalm), published in OpenAPI.

Unknown ``options`` members are ignored, not rejected, as the VC API asks of implementations.
Some response models (:class:`DIDDocument`, :class:`StatusListCredential`) only document a
shape produced elsewhere; they name the members every such document has and allow the rest.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from vcservice.http.models import CheckResult, ProblemDetail, ProblemDetails
from vcservice.securing.registry import format_names
from vcservice.service.batch import MAX_BATCH
from vcservice.service.commands import IssueCommand


def _registered_format(value: object) -> str:
    """``value`` if it names a registered format, refused with pydantic's wording for an enum
    otherwise (the 422 reads as it did when the list was a ``Literal``)."""
    names = format_names()
    if isinstance(value, str) and value in names:
        return value
    quoted = [repr(n) for n in names]
    expected = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


class _RegisteredFormat:
    """``options.format``: one of :func:`~vcservice.securing.registry.format_names`.

    Checked against the registry at each request and published as an ``enum`` of the formats
    registered when the schema is made, so a cryptosuite registered after start-up is accepted
    without a new model, and today's formats give the same OpenAPI as a ``Literal`` did.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(_registered_format)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"enum": list(format_names()), "type": "string"}


Format = Annotated[str, _RegisteredFormat]

#: Identifiers taken from paths and bodies hold no control characters: none that this service
#: hands out (credential ids are URLs, names and key fragments are plain) does, and PostgreSQL
#: cannot store or even compare text that holds NUL.
IDENTIFIER = r"^[^\x00-\x1f\x7f]+$"


class StatusRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    statusPurpose: Literal["revocation", "suspension"] = "revocation"  # noqa: N815


#: An identifier as a resolver URL or path (vcservice.resolver reads it).
IdentifierText = Annotated[str, StringConstraints(min_length=1, max_length=2048)]


class IssueOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: Format | None = None
    credentialStatus: StatusRequest | list[StatusRequest] | None = None  # noqa: N815
    publish: bool = False
    encrypt: bool = Field(
        default=False,
        description="Publish the credential encrypted (AES-256-GCM, UNTP secure targets): its "
        "public URL serves the ciphertext envelope, and the key is in this response only, "
        "never stored. Needs `publish`",
    )
    sourceCredentials: list[dict[str, Any] | str] | None = Field(  # noqa: N815
        default=None,
        max_length=100,
        description="Upstream credentials issued on other platforms, as served (a vc+jwt or "
        "a JSON credential), whose certified credit this credential draws on: each must match "
        "a source link's digest (of this credential or of another served one) and verify; the "
        "ledger then posts it like a credential issued here (its debits, then its credits), "
        "once",
    )
    registerIdentifiers: list[IdentifierText] | None = Field(  # noqa: N815
        default=None,
        max_length=20,
        description="Product identifiers to register in this service's identity resolver with "
        "the credential as their passport (`dpp`) link: GS1 Digital Link URIs or paths "
        "(`/01/{gtin}[/10/{lot}][/21/{serial}]`) or ISO/IEC 18975 paths of this resolver "
        "(`/id/...`). Needs `publish`, and not `encrypt`",
    )
    mandatoryPointers: list[str] | None = Field(  # noqa: N815
        default=None,
        max_length=100,
        description="Format ecdsa-sd-2023 only: JSON pointers (RFC 6901) to the claims every "
        "derived credential must disclose. Default: issuer, validity and status",
    )
    disclosablePointers: list[str] | None = Field(  # noqa: N815
        default=None,
        max_length=100,
        description="Format vc+sd-jwt only: JSON pointers (RFC 6901) to the claims a holder may "
        "withhold. Default: every credentialSubject member but id and type",
    )


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    credential: dict[str, Any]
    options: IssueOptions = Field(default_factory=IssueOptions)

    def command(self) -> IssueCommand:
        """The request as the service takes it: what this model checked stays checked."""
        options = self.options
        status = options.credentialStatus
        requested = [] if status is None else status if isinstance(status, list) else [status]
        return IssueCommand(
            self.credential,
            format=options.format,
            status_purposes=tuple(s.statusPurpose for s in requested),
            publish=options.publish,
            source_credentials=tuple(options.sourceCredentials or ()),
            encrypt=options.encrypt,
            register_identifiers=tuple(options.registerIdentifiers or ()),
            mandatory_pointers=(
                None if options.mandatoryPointers is None else tuple(options.mandatoryPointers)
            ),
            disclosable=(
                None if options.disclosablePointers is None else tuple(options.disclosablePointers)
            ),
        )


class Encryption(BaseModel):
    """How to open a credential published encrypted; shown once, kept nowhere by the service."""

    type: Literal["aes-256-gcm"] = "aes-256-gcm"
    decryptionKey: str = Field(description="The AES-256 key, 64 hex digits")  # noqa: N815
    url: str = Field(description="Where the ciphertext envelope is published")
    link: str = Field(
        description="The link to give authorised parties: `url#decryptionKey=…` (a fragment, "
        "never sent to the server); the buyer page and `verify-graph` open it"
    )


class IssueResponse(BaseModel):
    verifiableCredential: dict[str, Any] | str  # noqa: N815
    encryption: Encryption | None = Field(
        default=None, description="Present when issued with `encrypt`"
    )


class IssueBatchRequest(BaseModel):
    """Several issue requests in one (``POST /credentials/issue/batch``): at most
    ``MAX_BATCH`` items, each what ``POST /credentials/issue`` takes."""

    model_config = ConfigDict(extra="ignore")
    items: list[IssueRequest] = Field(min_length=1, max_length=MAX_BATCH)


class IssueBatchItem(BaseModel):
    """One item's outcome: ``status`` 201 with the credential (and ``encryption``), or the
    HTTP status the item alone would have been refused with and its ``problem``."""

    status: int = Field(description="201, or the status of the item's refusal")
    verifiableCredential: dict[str, Any] | str | None = None  # noqa: N815
    encryption: Encryption | None = None
    problem: ProblemDetails | None = Field(
        default=None, description="Why the item was refused (RFC 9457); nothing of it is stored"
    )


class IssueBatchResponse(BaseModel):
    items: list[IssueBatchItem] = Field(description="One per item of the request, in its order")


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
    credentialId: str = Field(min_length=1, max_length=2048, pattern=IDENTIFIER)  # noqa: N815
    credentialStatus: list[StatusUpdateEntry] = Field(min_length=1, max_length=2)  # noqa: N815


class StatusUpdateResponse(BaseModel):
    credentialId: str  # noqa: N815
    credentialStatus: list[StatusUpdateEntry]  # noqa: N815


class CredentialSummary(BaseModel):
    id: str
    format: str
    published: bool
    created: str = Field(description="When it was issued (ISO 8601, with a time zone)")


class CredentialList(BaseModel):
    credentials: list[CredentialSummary]


class KeyResponse(BaseModel):
    id: str
    type: str
    active: bool
    publicKeyMultibase: str  # noqa: N815
    backend: Literal["vault", "pkcs11"] = Field(
        description="Where the private key is: `vault` (encrypted in the service's database) "
        "or `pkcs11` (made in a PKCS#11 token, never out of it)"
    )
    retiredAt: str | None = Field(  # noqa: N815
        default=None, description="When it was retired (ISO 8601); null while in force"
    )


class TenantResponse(BaseModel):
    """The signed-in tenant: its DID and how its keys are kept."""

    name: str
    did: str
    didMethod: Literal["web", "webvh", "key"]  # noqa: N815
    keyBackend: Literal["vault", "pkcs11"]  # noqa: N815
    didOptions: dict[str, Any] | None = Field(  # noqa: N815
        description="A did:webvh tenant's choices: `preRotation`, and `witness` (the log's "
        "witness parameter) when witnesses approve its versions; null for other methods"
    )


class KeyEventModel(BaseModel):
    """One entry of the key audit trail, with what its chain hash covers."""

    seq: int
    at: str = Field(description="When (ISO 8601, UTC), as hashed")
    event: Literal["created", "rotated", "retired", "deactivated", "did-updated", "signed"]
    key: str | None = Field(description="The key's fragment (`key-2`, `update-1`), if any")
    detail: dict[str, Any]
    chainHash: str = Field(  # noqa: N815
        description="hex SHA-256(previous chainHash || JCS({event, key, at, detail}))"
    )


class KeyEventsResponse(BaseModel):
    events: list[KeyEventModel] = Field(description="Oldest first, from `after` + 1")
    previousHash: str = Field(  # noqa: N815
        description="The chainHash before the first event (64 zeros at the start of the trail), "
        "so that a page can be checked on its own"
    )
    signatures: dict[str, int] = Field(
        description="How many signatures each key has made, by fragment (the whole trail)"
    )


class DeactivateResponse(BaseModel):
    did: str
    versionId: str = Field(description="The log's last version, which deactivates it")  # noqa: N815


class WitnessProofRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    versionId: str = Field(max_length=200, pattern=IDENTIFIER)  # noqa: N815
    proof: dict[str, Any] = Field(
        description="A witness's Data Integrity proof (eddsa-jcs-2022) over `{versionId}`, "
        "its `verificationMethod` the witness's did:key"
    )


class AddKeyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["ed25519", "p256", "p384"] = "ed25519"


class DIDDocument(BaseModel):
    """A tenant's did:web DID document; keys are listed as Multikey and as JsonWebKey."""

    model_config = ConfigDict(extra="allow")
    context: list[str] = Field(alias="@context")
    id: str
    verificationMethod: list[dict[str, Any]] = Field(default_factory=list)  # noqa: N815


class StatusListCredential(BaseModel):
    """A BitstringStatusListCredential secured with a Data Integrity proof."""

    model_config = ConfigDict(extra="allow")
    context: list[str | dict[str, Any]] = Field(alias="@context")
    id: str
    type: list[str]
    issuer: str | dict[str, Any]
    credentialSubject: dict[str, Any]  # noqa: N815
    proof: dict[str, Any] | list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]


class LedgerCheckpointResponse(BaseModel):
    """The ledger's size, head hash and Merkle root, signed by the service's DID.

    ``jws`` is the signed statement (typ ``ledger-checkpoint+jwt``, EdDSA, ``kid`` a method of
    the DID document at ``/.well-known/did.json``) whose payload carries the other members;
    keep it to hold the service to this state later.
    """

    issuer: str = Field(description="The service's DID")
    count: int = Field(ge=0, description="Entries in the ledger")
    headHash: str = Field(description="Hash of the last entry (hex)")  # noqa: N815
    rootHash: str = Field(description="RFC 9162 Merkle root over the entries (hex)")  # noqa: N815
    issuedAt: str  # noqa: N815
    jws: str


class LedgerAccountRef(BaseModel):
    credentialDigest: str  # noqa: N815
    product: str | None
    propertyKind: str  # noqa: N815
    holder: str = Field(
        description="The account's holder (a DID): who it is credited to, or who drew on it"
    )


class LedgerEntryContent(BaseModel):
    """What an entry says (its hash covers exactly this JSON, RFC 8785 canonicalized).

    Entries written since revision 0005 also carry ``issuer`` (of the credential making the
    posting), an origin's ``sources`` (its source digests) and a settling debit's ``settles``
    (the origin entry's number, as a decimal string); older entries leave them out, and so
    does this JSON, since the hash covers exactly what is there."""

    model_config = ConfigDict(extra="allow")

    kind: Literal["credit", "debit", "origin", "posted"]
    account: LedgerAccountRef
    amountMg: str = Field(description="Integer milligrams, as a decimal string")  # noqa: N815
    credentialId: str  # noqa: N815
    credentialDigest: str  # noqa: N815
    tenant: str
    createdAt: str  # noqa: N815


class LedgerEntryProof(BaseModel):
    """An entry's hashes and its RFC 9162 inclusion proof in the tree of ``treeSize`` entries.

    ``entry`` (what the entry says) is shown only to the tenant whose credential made it,
    since entries name credentials, products and amounts; everyone else gets the hashes,
    which suffice to check the proof against a checkpoint.
    """

    seq: int
    entryHash: str  # noqa: N815
    prevHash: str  # noqa: N815
    leafHash: str = Field(description="SHA-256(0x00 || entryHash bytes), the Merkle leaf")  # noqa: N815
    treeSize: int  # noqa: N815
    rootHash: str  # noqa: N815
    inclusionProof: list[str] = Field(description="Sibling hashes, leaf to root (hex)")  # noqa: N815
    checkpoint: str | None = Field(description="The signed checkpoint of this tree, if stored")
    entry: LedgerEntryContent | None


class LedgerConsistencyProof(BaseModel):
    """An RFC 9162 consistency proof: the tree of the first ``from`` entries is a prefix of
    the tree of the first ``to``, i.e. the ledger only grew between the two.

    Check it with the roots of two checkpoints you hold (RFC 9162 §2.1.4.2), not with
    ``oldRoot`` and ``newRoot``, which are the service's word; the checkpoints of both trees
    are included when the service signed some.
    """

    from_: int = Field(alias="from", ge=1, description="The old tree's size (entries)")
    to: int = Field(ge=1, description="The new tree's size (entries)")
    oldRoot: str = Field(description="Merkle root of the first `from` entries (hex)")  # noqa: N815
    newRoot: str = Field(description="Merkle root of the first `to` entries (hex)")  # noqa: N815
    proof: list[str] = Field(
        description="The consistency proof's node hashes, in RFC 9162 order (hex); empty when "
        "`from` equals `to`"
    )
    oldCheckpoint: str | None = Field(  # noqa: N815
        description="The signed checkpoint of the old tree, if stored"
    )
    newCheckpoint: str | None = Field(  # noqa: N815
        description="The signed checkpoint of the new tree, if stored"
    )


class SpentAnswer(BaseModel):
    spent: bool = Field(description="Some of the credential's certified credit is used")
    fullySpent: bool = Field(description="All of it is used")  # noqa: N815


class SpentSalt(BaseModel):
    """How to form the ``digest`` a spent lookup takes."""

    salt: str = Field(description="This service's salt (hex)")
    algorithm: str


class WitnessRequest(BaseModel):
    """C2SP tlog-witness ``add-checkpoint``, in JSON: the size this witness last cosigned (as
    the log believes), the consistency proof from it, and the log's new checkpoint."""

    model_config = ConfigDict(extra="forbid")

    old: int = Field(ge=0, le=1 << 62, description="The size of the last checkpoint cosigned")
    consistency: list[Annotated[str, Field(pattern="^[0-9a-f]{64}$")]] = Field(
        max_length=64, description="RFC 9162 consistency proof from `old` (hex hashes)"
    )
    checkpoint: str = Field(
        max_length=8192, description="The log's new checkpoint (JWS, typ ledger-checkpoint+jwt)"
    )


class WitnessCosignature(BaseModel):
    cosignature: str = Field(description="JWS (typ ledger-cosignature+jwt) by this witness")


class WitnessedLogModel(BaseModel):
    log: str
    count: int
    rootHash: str  # noqa: N815
    checkpoint: str


class EquivocationModel(BaseModel):
    log: str
    first: str = Field(description="The checkpoint this witness had cosigned")
    second: str = Field(description="The checkpoint that cannot extend it")
    detail: str


class WitnessState(BaseModel):
    """What this witness has seen: the last checkpoint of each log, and equivocations."""

    witness: str
    logs: list[WitnessedLogModel]
    equivocations: list[EquivocationModel]
