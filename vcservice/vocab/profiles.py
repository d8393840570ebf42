# ruff: noqa: N815  (field names are the JSON-LD terms of UNTP and of our vocabulary)
"""Pydantic models of our credential profiles: the source the JSON Schemas are generated from.

Each profile is a UNTP 0.7.0 credential type (DCC, DTE, DPP, DIA) plus what our extension adds
or tightens. The models describe only that extension: UNTP's own rules stay in the UNTP base
schema, and a credential must pass both. Every node allows further properties (UNTP ones), except
where UNTP itself closes a shape (Link, Measure, EventProduct, Classification).

Agreement with the schemas is by construction (``schemas/*.schema.json`` are generated from these
models, and a test regenerates them) and by test (every example and every negative case gets
the same verdict from the model and from the schema). The few rules pydantic cannot express
as JSON Schema are written twice, side by side: a validator here and the matching schema
fragment in ``json_schema_extra`` (type lists that must contain a value, the mass-balance rule,
no ``null`` anywhere, the ``format`` of URIs, dates and date-times).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Tag,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from vcservice.untp import FORMAT_CHECKER

CONTEXT_URL = "https://w3id.org/critical-minerals/v1"
UNTP_CONTEXT_URL = "https://vocabulary.uncefact.org/untp/0.7.0/context/"
#: multibase base58btc (``z``) of a sha2-256 multihash (0x12 0x20 + 32 bytes): always "zQm" + 44.
DIGEST_PATTERN = r"^zQm[1-9A-HJ-NP-Za-km-z]{44}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
#: A DID (DID Core syntax: no path, query or fragment).
_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
DID_PATTERN = rf"^did:[a-z0-9]+:(?:{_IDCHAR}|:)*{_IDCHAR}$"
#: The base URL of a registry's API: https, or http on a loopback host (a service run locally,
#: whose public URL is http://localhost:8000 by default); no query, no fragment.
ENDPOINT_PATTERN = (
    r"^(?:https://[^\s/?#@]+|http://(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]+)?)"
    r"(?:/[^\s?#]*)?$"
)
#: A COSE Receipt as a credential carries it: multibase base64url (``u``), no padding.
RECEIPT_PATTERN = r"^u[A-Za-z0-9_-]+$"

#: UN/ECE Recommendation 20 codes accepted for quantities (same list as vocab/vocabulary.json).
UnitCode = Literal[
    "KGM", "TNE", "GRM", "MGM", "KTN", "LBR", "LTR", "MTQ", "MTK", "MTR", "KMT",
    "KWH", "MWH", "GWH", "3B", "C62", "H87", "NAR", "P1",
]  # fmt: skip
ChainOfCustodyModel = Literal[
    "identityPreserved", "segregated", "controlledBlending", "massBalance", "bookAndClaim"
]
MassBalanceLevel = Literal["batch", "site", "group"]
MassBalanceMethod = Literal["rollingAveragePercentage", "rollingAverage", "creditMethod"]
SystemBoundary = Literal["cradleToGate", "gateToGate", "cradleToGrave"]
CrossSectoralStandard = Literal["ISO14067", "GHGProtocolProductStandard", "ISO14044"]
CharacterizationFactors = Literal["AR5", "AR6"]
AssuranceLevel = Literal["limited", "reasonable"]
RecycledContentStandard = Literal["ISO14021", "EUBatteryRegulation"]
PropertyKind = Literal["carbonFootprint", "recycledContent", "responsibleSourcing"]
TransferKind = Literal["custody", "credit", "custodyAndCredit"]

#: Literal aliases that must list exactly the values of the vocabulary enumeration of that name.
ENUMERATIONS: dict[str, Any] = {
    "ChainOfCustodyModel": ChainOfCustodyModel,
    "MassBalanceLevel": MassBalanceLevel,
    "MassBalanceMethod": MassBalanceMethod,
    "SystemBoundary": SystemBoundary,
    "CrossSectoralStandard": CrossSectoralStandard,
    "CharacterizationFactors": CharacterizationFactors,
    "AssuranceLevel": AssuranceLevel,
    "RecycledContentStandard": RecycledContentStandard,
    "PropertyKind": PropertyKind,
    "TransferKind": TransferKind,
}


def _containing(*required: str) -> Callable[[list[str]], list[str]]:
    def check(values: list[str]) -> list[str]:
        missing = [name for name in required if name not in values]
        if missing:
            raise ValueError(f"must contain {', '.join(map(repr, missing))}")
        return values

    return check


class Contains:
    """Annotation of a list of strings that must contain each of ``names``: a validator and,
    in the schema, one ``contains`` per name (``Annotated[list[str], Contains("Party")]``)."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            _containing(*self.names), handler(source)
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["allOf"] = [{"contains": {"const": name}} for name in self.names]
        return json_schema


def _formatted(name: str) -> AfterValidator:
    """The schema's ``format: name``, asserted by the model too, with the checker the schemas
    are validated with (:data:`vcservice.untp.FORMAT_CHECKER`): model and schema agree on it."""

    def check(value: str) -> str:
        if not FORMAT_CHECKER.conforms(value, name):
            raise ValueError(f"{value!r} is not a {name!r}")
        return value

    return AfterValidator(check)


Fraction = Annotated[float, Field(ge=0, le=1)]
Uri = Annotated[str, Field(min_length=1, json_schema_extra={"format": "uri"}), _formatted("uri")]
Date = Annotated[
    str, Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}), _formatted("date")
]
DateTime = Annotated[
    str,
    Field(pattern=DATETIME_PATTERN, json_schema_extra={"format": "date-time"}),
    _formatted("date-time"),
]
Country = Annotated[str, Field(pattern=COUNTRY_PATTERN)]
Did = Annotated[str, Field(pattern=DID_PATTERN)]
Endpoint = Annotated[
    str,
    Field(pattern=ENDPOINT_PATTERN, json_schema_extra={"format": "uri"}),
    _formatted("uri"),
]
Receipts = Annotated[list[Annotated[str, Field(pattern=RECEIPT_PATTERN)]], Field(min_length=1)]


class _Node(BaseModel):
    """Open node: UNTP (and future) properties pass; ours are checked. JSON has no ``null``
    in our profiles: an absent property is omitted (JSON-LD would drop a null silently)."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=False)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [key for key, value in data.items() if value is None]
            if nulls:
                raise ValueError(f"null is not allowed for {', '.join(map(repr, nulls))}")
        return data


class _Closed(_Node):
    """A shape UNTP closes (``additionalProperties: false``)."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)


# -- Shared shapes (UNTP 0.7.0) ----------------------------------------------------------------


class Link(_Closed):
    """UNTP Link; ``digestMultibase``, when present, must be a sha2-256 multihash in base58btc."""

    linkURL: Uri
    linkName: str
    linkType: str | None = None
    mediaType: str | None = None
    digestMultibase: Annotated[str, Field(pattern=DIGEST_PATTERN)] | None = None


class DigestLink(Link):
    """A link to a credential: the digest of the exact bytes served at linkURL is required."""

    digestMultibase: Annotated[str, Field(pattern=DIGEST_PATTERN)]


class Measure(_Closed):
    """UNTP Measure with the unit restricted to the Rec 20 codes our profiles accept."""

    value: Annotated[float, Field(ge=0)]
    unit: UnitCode
    upperTolerance: float | None = None
    lowerTolerance: float | None = None


class PositiveMeasure(Measure):
    value: Annotated[float, Field(gt=0)]


class Period(_Closed):
    startDate: Date
    endDate: Date
    periodInformation: str | None = None


class Classification(_Closed):
    code: str
    name: str
    schemeId: Uri
    schemeName: str
    definition: str | None = None


class TypedNode(_Node):
    """A UNTP node referenced by identifier (Party, Facility, ConformityScheme, ...)."""

    id: Uri
    name: str


class Party(TypedNode):
    type: Annotated[list[str], Contains("Party")]


class Facility(TypedNode):
    type: Annotated[list[str], Contains("Facility")]


class ConformityScheme(TypedNode):
    type: Annotated[list[str], Contains("ConformityScheme")]


class _MassBalanceRule(_Node):
    """``massBalanceLevel`` and ``massBalanceMethod`` are required with ``massBalance`` and
    forbidden with any other model (or none)."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {
                        "properties": {"chainOfCustodyModel": {"const": "massBalance"}},
                        "required": ["chainOfCustodyModel"],
                    },
                    "then": {"required": ["massBalanceLevel", "massBalanceMethod"]},
                },
                {
                    "if": {
                        "properties": {
                            "chainOfCustodyModel": {
                                "enum": [
                                    "identityPreserved",
                                    "segregated",
                                    "controlledBlending",
                                    "bookAndClaim",
                                ]
                            }
                        }
                    },
                    "then": {
                        "properties": {
                            "massBalanceLevel": {"not": {}},
                            "massBalanceMethod": {"not": {}},
                        }
                    },
                },
            ]
        }
    )

    chainOfCustodyModel: ChainOfCustodyModel | None = None
    massBalanceLevel: MassBalanceLevel | None = None
    massBalanceMethod: MassBalanceMethod | None = None

    @model_validator(mode="after")
    def _mass_balance(self) -> _MassBalanceRule:
        details = {
            "massBalanceLevel": self.massBalanceLevel,
            "massBalanceMethod": self.massBalanceMethod,
        }
        if self.chainOfCustodyModel == "massBalance":
            missing = [k for k, v in details.items() if v is None]
            if missing:
                raise ValueError(f"massBalance requires {', '.join(missing)}")
        elif any(v is not None for v in details.values()):
            raise ValueError("massBalanceLevel/massBalanceMethod apply to massBalance only")
        return self


class CertifiedProperty(_MassBalanceRule):
    """A quantity of material carrying a certified property (a credit)."""

    propertyKind: PropertyKind
    creditQuantity: PositiveMeasure
    chainOfCustodyModel: ChainOfCustodyModel
    attestedBy: Annotated[list[DigestLink], Field(min_length=1)]
    sourceCredential: list[DigestLink] | None = None
    pcfExcludingBiogenicUptake: Annotated[float, Field(ge=0)] | None = None
    declaredUnitOfMeasurement: UnitCode | None = None
    recycledFraction: Fraction | None = None
    certifiedShare: Fraction | None = None
    #: the element or material the credit is of (its own account, per material)
    material: Classification | None = None


class Material(_Node):
    """UNTP Material (materialProvenance): required fields as UNTP, unit codes as ours."""

    name: str
    originCountry: dict[str, Any]
    materialType: Classification
    massFraction: Fraction
    mass: Measure | None = None
    recycledMassFraction: Fraction | None = None


class TracedProduct(_Node):
    """The product (batch) of an event: documented upstream by digest-linked credentials."""

    type: Annotated[list[str], Contains("Product")]
    id: Uri
    name: str
    sourceCredential: Annotated[list[DigestLink], Field(min_length=1)]
    materialProvenance: list[Material] | None = None
    certifiedProperty: list[CertifiedProperty] | None = None


class OutputProduct(TracedProduct):
    """A made product: its credential does not exist yet when the event is issued."""

    sourceCredential: list[DigestLink] | None = None  # type: ignore[assignment]


class EventProduct(_Closed):
    product: TracedProduct
    quantity: PositiveMeasure
    disposition: str | None = None


class MadeProduct(EventProduct):
    product: OutputProduct


class ConversionFactor(_Node):
    material: Classification
    factor: Annotated[float, Field(gt=0)]


class CreditRegistry(_Node):
    """The home registry of credits: its DID and the base URL of its registration API."""

    id: Did
    serviceEndpoint: Endpoint


class MakeEvent(_Node):
    type: Annotated[list[str], Contains("MakeEvent", "LifecycleEvent")]
    inputProduct: Annotated[list[EventProduct], Field(min_length=1)]
    outputProduct: Annotated[list[MadeProduct], Field(min_length=1)]
    madeAtFacility: Facility
    conversionFactor: Annotated[list[ConversionFactor], Field(min_length=1)]
    creditRegistry: CreditRegistry | None = None
    creditReceipt: Receipts | None = None


class PartyRole(_Closed):
    role: str
    party: Party


class MoveEvent(_Node):
    type: Annotated[list[str], Contains("MoveEvent", "LifecycleEvent")]
    movedProduct: Annotated[list[EventProduct], Field(min_length=1)]
    fromFacility: Facility
    toFacility: Facility
    transferKind: TransferKind
    relatedParty: Annotated[list[PartyRole], Field(min_length=2)]
    creditRegistry: CreditRegistry | None = None
    creditReceipt: Receipts | None = None


class ModifiedProduct(_Closed):
    product: OutputProduct
    quantity: PositiveMeasure
    disposition: str | None = None


class ClaimEvent(_Node):
    """System exit: credits retired into an end product (a UNTP ModifyEvent)."""

    type: Annotated[list[str], Contains("ModifyEvent", "LifecycleEvent", "ClaimEvent")]
    modifiedProduct: Annotated[list[ModifiedProduct], Field(min_length=1)]
    retiredCredit: Annotated[list[CertifiedProperty], Field(min_length=1)]
    claimStatement: str
    creditReceipt: Receipts | None = None


class StocktakeActivity(Classification):
    """The GS1-style business step of a stocktake, as the UNTP Mass Balance pattern names it."""

    code: Literal["stocktake"]


class StockProduct(_Closed):
    """A stock of one material: its quantity, and (certifiedProperty) its certified share."""

    product: OutputProduct
    quantity: Measure
    disposition: str | None = None


class StocktakeEvent(_Node):
    """A stocktake (UNTP Mass Balance pattern, DTE with bizStep stocktake): a ModifyEvent."""

    type: Annotated[list[str], Contains("ModifyEvent", "LifecycleEvent", "StocktakeEvent")]
    eventDate: DateTime
    activityType: StocktakeActivity
    modifiedAtFacility: Facility
    modifiedProduct: Annotated[list[StockProduct], Field(min_length=1)]


def _event_kind(value: Any) -> str | None:
    types = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if not isinstance(types, list):
        return None
    for kind in ("ClaimEvent", "StocktakeEvent", "MakeEvent", "MoveEvent"):
        if kind in types:
            return kind
    return None


TraceabilityEventSubject = Annotated[
    Annotated[MakeEvent, Tag("MakeEvent")]
    | Annotated[MoveEvent, Tag("MoveEvent")]
    | Annotated[ClaimEvent, Tag("ClaimEvent")]
    | Annotated[StocktakeEvent, Tag("StocktakeEvent")],
    Discriminator(_event_kind),
]


# -- Credentials --------------------------------------------------------------------------------


class _Credential(_Node):
    context: Annotated[list[str], Field(alias="@context"), Contains(CONTEXT_URL)]
    id: Uri
    issuer: TypedNode
    validFrom: DateTime
    validUntil: DateTime | None = None


class Endorsement(_Node):
    """UNTP Endorsement used as the accreditation reference of a certificate."""

    name: str
    issuingAuthority: Party
    endorsementEvidence: DigestLink


class _Attestation(_Node):
    id: Uri
    name: str
    issuedToParty: Party
    referenceScheme: ConformityScheme
    authorisation: Annotated[list[Endorsement], Field(min_length=1)]


class ChainOfCustodyAttestation(_Attestation, _MassBalanceRule):
    type: Annotated[list[str], Contains("ConformityAttestation", "ChainOfCustodyCertificate")]
    certificateNumber: Annotated[str, Field(min_length=1)]
    validityPeriod: Period
    chainOfCustodyModel: ChainOfCustodyModel
    materialScope: Annotated[list[Classification], Field(min_length=1)]
    certifiedFacility: Annotated[list[Facility], Field(min_length=1)]


class ChainOfCustodyCertificateCredential(_Credential):
    """A DigitalConformityCredential certifying a chain-of-custody system (ISO 22095)."""

    type: Annotated[list[str], Contains("DigitalConformityCredential", "VerifiableCredential")]
    credentialSubject: ChainOfCustodyAttestation


class CarbonFootprint(_Node):
    """PACT meanings; values in kg CO2e per declared unit; shares as fractions 0..1."""

    declaredUnitOfMeasurement: UnitCode
    declaredUnitAmount: Annotated[float, Field(gt=0)]
    pcfExcludingBiogenicUptake: Annotated[float, Field(ge=0)]
    pcfIncludingBiogenicUptake: float
    fossilGhgEmissions: Annotated[float, Field(ge=0)]
    primaryDataShare: Fraction
    systemBoundary: SystemBoundary
    referencePeriod: Period
    geographyCountry: Country
    crossSectoralStandard: Annotated[list[CrossSectoralStandard], Field(min_length=1)]
    productCategoryRule: list[Link] | None = None
    exemptedEmissionsShare: Annotated[float, Field(ge=0, le=0.05)]
    exemptedEmissionsDescription: str | None = None
    characterizationFactors: CharacterizationFactors
    assuranceLevel: AssuranceLevel | None = None
    assuranceStandard: str | None = None


class ProductVerification(_Node):
    product: TypedNode


class FootprintAssessment(_Node):
    assessedProduct: Annotated[list[ProductVerification], Field(min_length=1)]
    carbonFootprint: CarbonFootprint


class ProductCarbonFootprintAttestationSubject(_Attestation):
    type: Annotated[
        list[str], Contains("ConformityAttestation", "ProductCarbonFootprintAttestation")
    ]
    conformityAssessment: Annotated[list[FootprintAssessment], Field(min_length=1)]


class ProductCarbonFootprintCredential(_Credential):
    """A DigitalConformityCredential attesting product carbon footprints."""

    type: Annotated[list[str], Contains("DigitalConformityCredential", "VerifiableCredential")]
    credentialSubject: ProductCarbonFootprintAttestationSubject


class RecycledContent(_MassBalanceRule):
    material: Classification
    recycledFraction: Fraction
    preConsumerFraction: Fraction
    postConsumerFraction: Fraction
    recycledContentStandard: RecycledContentStandard
    referencePeriod: Period
    assuranceLevel: AssuranceLevel | None = None
    assuranceStandard: str | None = None


class RecycledContentAssessment(_Node):
    assessedProduct: Annotated[list[ProductVerification], Field(min_length=1)]
    recycledContent: Annotated[list[RecycledContent], Field(min_length=1)]


class RecycledContentAttestationSubject(_Attestation):
    type: Annotated[list[str], Contains("ConformityAttestation", "RecycledContentAttestation")]
    conformityAssessment: Annotated[list[RecycledContentAssessment], Field(min_length=1)]


class RecycledContentCredential(_Credential):
    """A DigitalConformityCredential attesting recycled content per material."""

    type: Annotated[list[str], Contains("DigitalConformityCredential", "VerifiableCredential")]
    credentialSubject: RecycledContentAttestationSubject


class TraceabilityEventCredential(_Credential):
    """A DigitalTraceabilityEvent of make, move or claim (system exit) events."""

    type: Annotated[list[str], Contains("DigitalTraceabilityEvent", "VerifiableCredential")]
    credentialSubject: Annotated[list[TraceabilityEventSubject], Field(min_length=1)]


class PerformanceClaim(_MassBalanceRule):
    """A UNTP Claim whose evidence is digest-linked to the attesting conformity credentials."""

    type: Annotated[list[str], Contains("Claim")]
    id: Uri
    name: str
    propertyKind: PropertyKind
    chainOfCustodyModel: ChainOfCustodyModel
    evidence: Annotated[list[DigestLink], Field(min_length=1)]
    #: the material whose value it claims (a recycled share of cobalt)
    material: Classification | None = None


class PassportProduct(_Node):
    type: Annotated[list[str], Contains("Product")]
    id: Uri
    name: str
    idGranularity: Literal["batch", "item"]
    batchNumber: str | None = None
    materialProvenance: list[Material] | None = None
    sourceCredential: Annotated[list[DigestLink], Field(min_length=1)]
    performanceClaim: Annotated[list[PerformanceClaim], Field(min_length=1)]


class ProductPassportCredential(_Credential):
    """A DigitalProductPassport for a batch, carrying footprint, recycled-content and CoC claims."""

    type: Annotated[list[str], Contains("DigitalProductPassport", "VerifiableCredential")]
    credentialSubject: PassportProduct


class MassBalanceAccount(_MassBalanceRule):
    """A site's mass-balance account for one property kind over the facility record's
    ``materialUsage.applicablePeriod`` (ISO 22095-2:2026; the UNTP Mass Balance pattern)."""

    type: Annotated[list[str], Contains("MassBalanceAccount")] | None = None
    propertyKind: PropertyKind
    chainOfCustodyModel: Literal["massBalance"]
    geographicBoundary: Annotated[list[Country], Field(min_length=1)] | None = None
    conversionFactor: list[ConversionFactor] | None = None
    periodRecord: Annotated[list[DigestLink], Field(min_length=1)]


class MaterialUsage(_Closed):
    """UNTP 0.7.0 MaterialUsage (closed): consumption over a period."""

    applicablePeriod: Period
    materialConsumed: list[Material]


class FacilityRecordSubject(_Node):
    type: Annotated[list[str], Contains("Facility")]
    id: Uri
    name: str
    materialUsage: MaterialUsage | None = None
    massBalanceAccount: Annotated[list[MassBalanceAccount], Field(min_length=1)] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "dependentRequired": {"massBalanceAccount": ["materialUsage"]},
        }
    )

    @model_validator(mode="after")
    def _period(self) -> FacilityRecordSubject:
        if self.massBalanceAccount is not None and self.materialUsage is None:
            raise ValueError("massBalanceAccount requires materialUsage (its applicablePeriod)")
        return self


class FacilityRecordCredential(_Credential):
    """A DigitalFacilityRecord declaring the site's mass-balance accounts."""

    type: Annotated[list[str], Contains("DigitalFacilityRecord", "VerifiableCredential")]
    credentialSubject: FacilityRecordSubject


class AccreditationSubject(_Node):
    type: Annotated[list[str], Contains("RegisteredIdentity", "Accreditation")]
    id: Uri
    registeredName: str
    registeredId: str
    registerType: Literal["accreditation"]
    accreditedScheme: Annotated[list[ConformityScheme], Field(min_length=1)]
    accreditedCommodity: Annotated[list[Classification], Field(min_length=1)]
    accreditedCountry: Annotated[list[Country], Field(min_length=1)]
    validityPeriod: Period
    accreditationStandard: str


class AccreditationCredential(_Credential):
    """A DigitalIdentityAnchor by an accreditation body (trust anchor) for a certification body."""

    type: Annotated[list[str], Contains("DigitalIdentityAnchor", "VerifiableCredential")]
    credentialSubject: AccreditationSubject


#: Profile name → (model, UNTP base schema file name). The names are the schema file stems.
PROFILES: dict[str, tuple[type[_Credential], str]] = {
    "chain-of-custody-certificate": (
        ChainOfCustodyCertificateCredential,
        "ConformityCredential.json",
    ),
    "product-carbon-footprint": (ProductCarbonFootprintCredential, "ConformityCredential.json"),
    "recycled-content": (RecycledContentCredential, "ConformityCredential.json"),
    "traceability-event": (TraceabilityEventCredential, "DigitalTraceabilityEvent.json"),
    "product-passport": (ProductPassportCredential, "DigitalProductPassport.json"),
    "accreditation": (AccreditationCredential, "DigitalIdentityAnchor.json"),
    "facility-record": (FacilityRecordCredential, "DigitalFacilityRecord.json"),
}
