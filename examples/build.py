# ruff: noqa: E501  (the example data carries long descriptive strings)
"""Generate the signed, hash-linked example chains in ``examples/<chain>/`` (``make examples``).

Everything is fixed: keys (Ed25519 secrets = SHA-256 of a label), the clock, ids and dates, so
two runs write byte-identical files. Credentials are issued in dependency order and each link's
``digestMultibase`` is :func:`vcservice.links.digest_document` of the *signed* target as served
(the JWS bytes of a vc+jwt, the JCS bytes of a Data Integrity credential).

Usage: ``python examples/build.py [OUT_DIR]`` (default: the directory of this file).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcservice.dids import did_document, did_web_for
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.links import digest_document

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
    "https://w3id.org/critical-minerals/v1",
]
LINK_TYPES = "https://test.uncefact.org/vocabulary/linkTypes/"
HS = "https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/hs-nomenclature-2022-edition.aspx"
IUPAC = "https://iupac.org/what-we-do/periodic-table-of-elements/"
FACILITIES = "https://facilities.example.org"
BIZSTEP = "https://ref.gs1.org/cbv/BizStep"
TOPIC = "https://vocabulary.uncefact.org/conformity-topic/"
METRIC = "https://vocabulary.uncefact.org/performance-metric/"
CLOCK = datetime(2026, 1, 15, tzinfo=UTC)
VALID_FROM = "2026-01-15T00:00:00Z"


@dataclass(frozen=True)
class Org:
    host: str
    name: str
    registered_id: str
    register: tuple[str, str]

    @property
    def did(self) -> str:
        return did_web_for(self.host)

    def signer(self) -> Signer:
        secret = hashlib.sha256(f"vcservice example key {self.host}".encode()).digest()
        return Signer(KeyPair.from_secret(KeyType.ED25519, secret), f"{self.did}#key-1")

    def did_document(self) -> dict[str, Any]:
        return did_document(self.did, [("key-1", self.signer().key.public)])

    def party(self) -> dict[str, Any]:
        return {
            "type": ["Party"],
            "id": self.did,
            "name": self.name,
            "registeredId": self.registered_id,
            "idScheme": {
                "type": ["IdentifierScheme"],
                "id": self.register[0],
                "name": self.register[1],
            },
        }

    def issuer(self) -> dict[str, Any]:
        return {"type": ["CredentialIssuer"], "id": self.did, "name": self.name}


SE = ("https://www.bolagsverket.se", "Swedish Companies Registration Office (organisation number)")
DE = ("https://www.handelsregister.de", "German commercial register")


def classification(
    code: str, name: str, scheme: str = HS, scheme_name: str = "Harmonized System 2022"
) -> dict[str, Any]:
    return {"code": code, "name": name, "schemeId": scheme, "schemeName": scheme_name}


def element(code: str, name: str) -> dict[str, Any]:
    return classification(code, name, IUPAC, "IUPAC element symbols")


def facility(code: str, name: str) -> dict[str, Any]:
    return {
        "type": ["Facility"],
        "id": f"{FACILITIES}/{code}",
        "name": name,
        "registeredId": code,
        "idScheme": {
            "type": ["IdentifierScheme"],
            "id": FACILITIES,
            "name": "Example Global Facility Register",
        },
    }


def measure(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def scheme(url: str, name: str) -> dict[str, Any]:
    return {"type": ["ConformityScheme"], "id": url, "name": name}


def topic(slug: str, name: str) -> dict[str, Any]:
    return {"type": ["ConformityTopic"], "id": TOPIC + slug, "name": name}


def metric(slug: str, name: str) -> dict[str, Any]:
    return {"type": ["PerformanceMetric"], "id": METRIC + slug, "name": name}


@dataclass
class Chain:
    """The credentials of one chain, issued in order; ``link`` points at an issued one."""

    name: str
    out: Path
    issued: dict[str, tuple[Org, Any, str]] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    index: list[dict[str, Any]] = field(default_factory=list)

    def url(self, stem: str) -> str:
        org = self.issued[stem][0]
        return f"https://credentials.{org.host}/{stem}"

    def link(self, stem: str, name: str, kind: str) -> dict[str, Any]:
        _, secured, fmt = self.issued[stem]
        return {
            "linkURL": self.url(stem),
            "linkName": name,
            "linkType": LINK_TYPES + kind,
            "mediaType": "application/vc+jwt" if fmt == "vc+jwt" else "application/vc",
            "digestMultibase": digest_document(secured),
        }

    def issue(
        self,
        stem: str,
        org: Org,
        types: str,
        name: str,
        subject: Any,
        *,
        fmt: str = "vc+jwt",
    ) -> None:
        credential = {
            "@context": CONTEXT,
            "type": [types, "VerifiableCredential"],
            "id": "urn:uuid:" + _uuid(f"{self.name}/{stem}"),
            "issuer": org.issuer(),
            "validFrom": VALID_FROM,
            "name": name,
            "credentialSubject": subject,
        }
        secured = issue_credential(
            credential, org.signer(), fmt, loader=bundled_loader(), clock=lambda: CLOCK
        )
        self.issued[stem] = (org, secured, fmt)
        self.orgs[org.host] = org
        self.index.append(
            {
                "file": f"{stem}.json",
                "linkURL": f"https://credentials.{org.host}/{stem}",
                "type": types,
                "issuer": org.did,
                "format": fmt,
            }
        )

    def write(self, trust_anchors: list[Org]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "dids").mkdir(exist_ok=True)
        for stem, (_, secured, _) in self.issued.items():
            _dump(self.out / f"{stem}.json", secured)
        for host, org in sorted(self.orgs.items()):
            _dump(self.out / "dids" / f"{host}.json", org.did_document())
        _dump(self.out / "index.json", {"chain": self.name, "credentials": self.index})
        _dump(
            self.out / "trust-anchors.json",
            {
                "trustAnchors": [
                    {"did": o.did, "name": o.name, "role": "accreditation body"}
                    for o in trust_anchors
                ]
            },
        )


def _uuid(label: str) -> str:
    h = hashlib.sha256(label.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _dump(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- profile builders -------------------------------------------------------------------------
def accreditation(
    ab: Org,
    cb: Org,
    schemes: list[dict[str, Any]],
    commodities: list[dict[str, Any]],
    countries: list[str],
) -> dict[str, Any]:
    return {
        "type": ["RegisteredIdentity", "Accreditation"],
        "id": cb.did,
        "registeredName": cb.name,
        "registeredId": cb.registered_id,
        "registeredDate": "2024-06-01",
        "publicInformation": f"https://{ab.host}/register/{cb.registered_id}",
        "idScheme": {
            "type": ["IdentifierScheme"],
            "id": f"https://{ab.host}/register",
            "name": f"{ab.name} register of accredited bodies",
        },
        "registrar": ab.party(),
        "registerType": "accreditation",
        "registrationScope": [s["id"] for s in schemes],
        "accreditedScheme": schemes,
        "accreditedCommodity": commodities,
        "accreditedCountry": countries,
        "validityPeriod": {"startDate": "2024-06-01", "endDate": "2028-05-31"},
        "accreditationStandard": "ISO/IEC 17065:2012",
    }


def _attestation(
    chain: Chain,
    cb: Org,
    ab: Org,
    holder: Org,
    kind: str,
    ident: str,
    name: str,
    attestation_type: str,
    ref: dict[str, Any],
) -> dict[str, Any]:
    return {
        "type": ["ConformityAttestation", kind],
        "id": f"https://{cb.host}/attestations/{ident}",
        "name": name,
        "assessorLevel": "3rdParty",
        "assessmentLevel": "scheme-cab",
        "attestationType": attestation_type,
        "issuedToParty": holder.party(),
        "authorisation": [
            {
                "name": f"Accredited by {ab.name} (ISO/IEC 17065)",
                "issuingAuthority": ab.party(),
                "endorsementEvidence": chain.link(
                    "accreditation", f"Accreditation of {cb.name} (DIA)", "dia"
                ),
            }
        ],
        "referenceScheme": ref,
    }


def coc_certificate(
    chain: Chain,
    cb: Org,
    ab: Org,
    holder: Org,
    ident: str,
    ref: dict[str, Any],
    scope: list[dict[str, Any]],
    site: dict[str, Any],
    description: str,
) -> dict[str, Any]:
    subject = _attestation(
        chain,
        cb,
        ab,
        holder,
        "ChainOfCustodyCertificate",
        ident,
        "Chain-of-custody certificate (mass balance, site level, credit method)",
        "certification",
        ref,
    )
    subject.update(
        {
            "description": description,
            "conformityCertificate": {
                "linkURL": f"https://{cb.host}/certificates/{ident}.pdf",
                "linkName": f"Certificate {ident} (PDF)",
                "mediaType": "application/pdf",
                "linkType": LINK_TYPES + "certificate",
            },
            "certificateNumber": ident,
            "validityPeriod": {"startDate": "2026-01-15", "endDate": "2029-01-14"},
            "chainOfCustodyModel": "massBalance",
            "massBalanceLevel": "site",
            "massBalanceMethod": "creditMethod",
            "materialScope": scope,
            "certifiedFacility": [site],
        }
    )
    return subject


def _assessment(
    cb: Org,
    ident: str,
    name: str,
    tpc: dict[str, Any],
    perf: dict[str, Any],
    product: dict[str, Any],
) -> dict[str, Any]:
    base = f"https://{cb.host}/assessments/{ident}"
    return {
        "type": ["ConformityAssessment"],
        "id": base,
        "name": name,
        "assessmentCriteria": [
            {
                "type": ["Criterion"],
                "id": base + "/criterion",
                "name": name + " criterion",
                "conformityTopic": [tpc],
            }
        ],
        "assessmentDate": "2026-01-10",
        "assessedPerformance": [perf],
        "assessedProduct": [{"product": product, "idVerifiedByCAB": True}],
        "conformityTopic": [tpc],
        "conformance": True,
    }


GHG = ("greenhouse-gas-emissions", "Greenhouse Gas Emissions")
CIRC = ("circularity", "Circularity and recycled content")


def pcf_attestation(
    chain: Chain,
    cb: Org,
    ab: Org,
    holder: Org,
    ident: str,
    ref: dict[str, Any],
    product: dict[str, Any],
    pcf: float,
    fossil: float,
    country: str,
    pcr: tuple[str, str],
) -> dict[str, Any]:
    subject = _attestation(
        chain,
        cb,
        ab,
        holder,
        "ProductCarbonFootprintAttestation",
        ident,
        f"Product carbon footprint verification, {product['name']}",
        "verification",
        ref,
    )
    assessment = _assessment(
        cb,
        ident,
        f"Cradle-to-gate carbon footprint of {product['name']}",
        topic(*GHG),
        {
            "metric": metric(
                "product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)"
            ),
            "measure": measure(pcf, "KGM"),
        },
        product,
    )
    assessment["carbonFootprint"] = {
        "declaredUnitOfMeasurement": "KGM",
        "declaredUnitAmount": 1,
        "pcfExcludingBiogenicUptake": pcf,
        "pcfIncludingBiogenicUptake": pcf,
        "fossilGhgEmissions": fossil,
        "primaryDataShare": 0.82,
        "systemBoundary": "cradleToGate",
        "referencePeriod": {"startDate": "2025-01-01", "endDate": "2025-12-31"},
        "geographyCountry": country,
        "crossSectoralStandard": ["ISO14067", "GHGProtocolProductStandard"],
        "productCategoryRule": [{"linkURL": pcr[0], "linkName": pcr[1], "mediaType": "text/html"}],
        "exemptedEmissionsShare": 0.01,
        "exemptedEmissionsDescription": "Capital goods and business travel (below 1 % of the total).",
        "characterizationFactors": "AR6",
        "assuranceLevel": "limited",
        "assuranceStandard": "ISO 14064-3:2019",
    }
    subject["conformityAssessment"] = [assessment]
    return subject


def recycled_attestation(
    chain: Chain,
    cb: Org,
    ab: Org,
    holder: Org,
    ident: str,
    ref: dict[str, Any],
    product: dict[str, Any],
    material: dict[str, Any],
    pre: float,
    post: float,
) -> dict[str, Any]:
    subject = _attestation(
        chain,
        cb,
        ab,
        holder,
        "RecycledContentAttestation",
        ident,
        f"Recycled content verification, {product['name']}",
        "verification",
        ref,
    )
    assessment = _assessment(
        cb,
        ident,
        f"Recycled {material['name'].lower()} content (mass-balance allocation)",
        topic(*CIRC),
        {
            "metric": metric("recycled-content", "Recycled content (mass fraction)"),
            "measure": measure(1.0, "C62"),
        },
        product,
    )
    assessment["recycledContent"] = [
        {
            "material": material,
            "recycledFraction": 1.0,
            "preConsumerFraction": pre,
            "postConsumerFraction": post,
            "recycledContentStandard": "ISO14021",
            "chainOfCustodyModel": "massBalance",
            "massBalanceLevel": "site",
            "massBalanceMethod": "creditMethod",
            "referencePeriod": {"startDate": "2025-01-01", "endDate": "2025-12-31"},
            "assuranceLevel": "limited",
            "assuranceStandard": "ISO 14064-3:2019",
        }
    ]
    subject["conformityAssessment"] = [assessment]
    return subject


def product(org: Org, gtin: str, batch: str, name: str) -> dict[str, Any]:
    return {
        "type": ["Product"],
        "id": f"https://id.{org.host}/01/{gtin}/10/{batch}",
        "name": name,
        "idGranularity": "batch",
        "batchNumber": batch,
    }


def credit(
    kind: str,
    tonnes: float,
    attested: list[dict[str, Any]],
    *,
    pcf: float | None = None,
    source: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "propertyKind": kind,
        "creditQuantity": measure(tonnes, "TNE"),
        "chainOfCustodyModel": "massBalance",
        "massBalanceLevel": "site",
        "massBalanceMethod": "creditMethod",
    }
    if pcf is not None:
        out.update({"pcfExcludingBiogenicUptake": pcf, "declaredUnitOfMeasurement": "KGM"})
    else:
        out["recycledFraction"] = 1.0
    out["attestedBy"] = attested
    if source:
        out["sourceCredential"] = source
    return out


def activity(code: str, name: str) -> dict[str, Any]:
    return {"code": code, "name": name, "schemeId": BIZSTEP, "schemeName": "GS1 CBV Business Step"}


def event(
    kind: list[str],
    ident: str,
    name: str,
    date: str,
    act: dict[str, Any],
    parties: list[tuple[str, Org]],
    body: dict[str, Any],
) -> list[dict[str, Any]]:
    subject = {
        "type": kind,
        "id": ident,
        "name": name,
        "eventDate": date,
        "activityType": act,
        "relatedParty": [{"role": role, "party": org.party()} for role, org in parties],
    }
    subject.update(body)
    return [subject]


def move(
    chain: Chain,
    stem: str,
    sender: Org,
    receiver: Org,
    item: dict[str, Any],
    qty: float,
    date: str,
    frm: dict[str, Any],
    to: dict[str, Any],
    transfer: str,
    name: str,
) -> None:
    subject = event(
        ["MoveEvent", "LifecycleEvent"],
        f"https://{sender.host}/events/{stem}",
        name,
        date,
        activity("shipping", "Shipping"),
        [("consignor", sender), ("consignee", receiver)],
        {
            "movedProduct": [
                {"product": item, "quantity": measure(qty, "TNE"), "disposition": "inTransit"}
            ],
            "fromFacility": frm,
            "toFacility": to,
            "consignmentId": f"SHP-{stem.upper()}",
            "transferKind": transfer,
        },
    )
    chain.issue(stem, sender, "DigitalTraceabilityEvent", name, subject)


def passport(
    org: Org,
    item: dict[str, Any],
    description: str,
    model: str,
    category: dict[str, Any],
    site: dict[str, Any],
    date: str,
    country: tuple[str, str],
    materials: list[dict[str, Any]],
    source: list[dict[str, Any]],
    claims: list[dict[str, Any]],
) -> dict[str, Any]:
    subject = dict(item)
    subject.update(
        {
            "description": description,
            "idScheme": {
                "type": ["IdentifierScheme"],
                "id": "https://id.gs1.org/01",
                "name": "GS1 GTIN",
            },
            "modelNumber": model,
            "productCategory": [category],
            "producedAtFacility": site,
            "productionDate": date,
            "countryOfProduction": {"countryCode": country[0], "countryName": country[1]},
            "materialProvenance": materials,
            "sourceCredential": source,
            "performanceClaim": claims,
        }
    )
    return subject


def claim(
    org: Org,
    ident: str,
    name: str,
    mtr: dict[str, Any],
    value: dict[str, Any],
    tpc: dict[str, Any],
    kind: str,
    evidence: list[dict[str, Any]],
) -> dict[str, Any]:
    base = f"https://{org.host}/claims/{ident}"
    return {
        "type": ["Claim"],
        "id": base,
        "name": name,
        "referenceCriteria": [
            {"type": ["Criterion"], "id": base + "/criterion", "name": name + " criterion"}
        ],
        "claimDate": "2026-01-15",
        "applicablePeriod": {"startDate": "2025-01-01", "endDate": "2025-12-31"},
        "claimedPerformance": [{"metric": mtr, "measure": value}],
        "conformityTopic": [tpc],
        "propertyKind": kind,
        "chainOfCustodyModel": "massBalance",
        "massBalanceLevel": "site",
        "massBalanceMethod": "creditMethod",
        "evidence": evidence,
    }


def material(
    name: str,
    country: tuple[str, str],
    el: dict[str, Any],
    fraction: float,
    tonnes: float,
    recycled: float | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "originCountry": {"countryCode": country[0], "countryName": country[1]},
        "materialType": el,
        "massFraction": fraction,
        "mass": measure(tonnes, "TNE"),
    }
    if recycled is not None:
        out["recycledMassFraction"] = recycled
    return out


# --- copper (Svemin 2019 worked example) ------------------------------------------------------
SWEDEN = ("SE", "Sweden")
CU = element("Cu", "Copper")


def copper(out: Path) -> None:
    c = Chain("copper", out)
    ab = Org("accreditation.example.se", "Nordic Accreditation Authority", "202100-0000", SE)
    cb = Org(
        "certification.nordicmetals.example", "Nordic Metals Certification AB", "556000-1111", SE
    )
    smelter = Org("boreal-copper.example", "Boreal Copper AB", "556000-2222", SE)
    trader = Org("andes-trading.example", "Andes Concentrate Trading AB", "556000-4444", SE)
    scrap = Org("norrscrap.example", "Norrland Metallåtervinning AB", "556000-5555", SE)
    wire = Org("malar-kabel.example", "Mälar Kabel AB", "556000-6666", SE)
    brand = Org("nordlys-computers.example", "Nordlys Computers AB", "556000-7777", SE)
    coc_s = scheme(
        "https://schemes.example.org/nordic-metals-coc",
        "Nordic Metals Chain of Custody Standard v2 (ISO 22095 mass balance)",
    )
    pcf_s = scheme(
        "https://schemes.example.org/nordic-metals-pcf",
        "Nordic Metals Product Carbon Footprint Verification Programme",
    )
    rc_s = scheme(
        "https://schemes.example.org/nordic-metals-recycled",
        "Nordic Metals Recycled Content Verification Programme",
    )
    conc = classification("260300", "Copper ores and concentrates")
    cath = classification("740311", "Refined copper cathodes and sections of cathodes")
    scr = classification("740400", "Copper waste and scrap")
    wir = classification("740811", "Wire of refined copper, cross-section over 6 mm")
    smelter_site = facility("SE-BCS-001", "Boreal Copper smelter and refinery, Skellefteå")
    mine_site = facility("SE-BCM-002", "Boreal Copper mine and concentrator, Aitik")
    wire_site = facility("SE-MK-004", "Mälar Kabel wire mill, Västerås")
    brand_site = facility("SE-NC-005", "Nordlys Computers assembly plant, Linköping")
    port = facility("SE-LLA-900", "Port of Luleå bulk terminal")
    yard = facility("SE-NMA-901", "Norrland Metallåtervinning scrap yard, Umeå")
    pcr = ("https://environdec.example/pcr/basic-metals-2019-14", "c-PCR for basic copper products")

    c.issue(
        "accreditation",
        ab,
        "DigitalIdentityAnchor",
        f"Accreditation of {cb.name}",
        accreditation(ab, cb, [coc_s, pcf_s, rc_s], [conc, cath, scr, wir], ["SE", "FI", "NO"]),
    )
    c.issue(
        "coc-certificate-smelter",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate NMC-COC-2026-0042 — {smelter.name}",
        coc_certificate(
            c,
            cb,
            ab,
            smelter,
            "NMC-COC-2026-0042",
            coc_s,
            [conc, scr, cath],
            smelter_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Skellefteå smelter for concentrates, scrap and cathodes, after the Svemin (2019) concept.",
        ),
    )
    c.issue(
        "coc-certificate-wire",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate NMC-COC-2026-0051 — {wire.name}",
        coc_certificate(
            c,
            cb,
            ab,
            wire,
            "NMC-COC-2026-0051",
            coc_s,
            [cath, wir],
            wire_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Västerås wire mill for cathode and wire.",
        ),
    )
    concentrate = product(
        smelter,
        "07350000000002",
        "BCM-2026-019",
        "Own-mine copper concentrate (certified footprint)",
    )
    c.issue(
        "pcf-concentrate-own-mine",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — own-mine copper concentrate",
        pcf_attestation(
            c, cb, ab, smelter, "NMC-PCF-2026-0101", pcf_s, concentrate, 1.9, 1.8, "SE", pcr
        ),
    )
    c.issue(
        "dpp-concentrate-own-mine",
        smelter,
        "DigitalProductPassport",
        "Digital product passport — own-mine copper concentrate, lot BCM-2026-019",
        passport(
            smelter,
            concentrate,
            "Copper concentrate (22.5 % Cu) from the Aitik mine, with a verified cradle-to-gate footprint.",
            "CU-CONC-25",
            conc,
            mine_site,
            "2026-01-05",
            SWEDEN,
            [material("Copper in concentrate", SWEDEN, CU, 0.225, 45)],
            [
                c.link(
                    "pcf-concentrate-own-mine",
                    "Verified footprint of own-mine concentrate (DCC)",
                    "dcc",
                )
            ],
            [
                claim(
                    smelter,
                    "bcm-2026-019-pcf",
                    "Product carbon footprint 1.9 kg CO2e per kg concentrate",
                    metric("product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)"),
                    measure(1.9, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [
                        c.link(
                            "pcf-concentrate-own-mine",
                            "Verified footprint of own-mine concentrate (DCC)",
                            "dcc",
                        )
                    ],
                )
            ],
        ),
    )
    imported = product(
        trader, "07350000000040", "IMP-2026-007", "Imported copper concentrate (no footprint data)"
    )
    peru = [material("Copper in concentrate", ("PE", "Peru"), CU, 0.225, 45)]
    imported["materialProvenance"] = peru
    imported["sourceCredential"] = [
        c.link(
            "coc-certificate-smelter",
            "Mass-balance system the lot enters as an uncertified input (DCC)",
            "dcc",
        )
    ]
    move(
        c,
        "move-import-concentrate",
        trader,
        smelter,
        imported,
        200,
        "2026-01-08T07:00:00Z",
        port,
        smelter_site,
        "custody",
        "Delivery of 200 t imported concentrate to Boreal Copper",
    )
    scrap_lot = product(
        scrap, "07350000000057", "SCR-2026-044", "Copper scrap (post- and pre-consumer)"
    )
    c.issue(
        "recycled-content-scrap",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — copper scrap lot SCR-2026-044",
        recycled_attestation(c, cb, ab, scrap, "NMC-RC-2026-0029", rc_s, scrap_lot, CU, 0.3, 0.7),
    )
    scrap_moved = dict(
        scrap_lot,
        sourceCredential=[
            c.link("recycled-content-scrap", "Verified recycled content of scrap lot (DCC)", "dcc")
        ],
        materialProvenance=[material("Copper in scrap", SWEDEN, CU, 0.2, 10, 1.0)],
        certifiedProperty=[
            credit(
                "recycledContent",
                10,
                [
                    c.link(
                        "recycled-content-scrap",
                        "Verified recycled content of scrap lot (DCC)",
                        "dcc",
                    )
                ],
            )
        ],
    )
    move(
        c,
        "move-scrap",
        scrap,
        smelter,
        scrap_moved,
        50,
        "2026-01-09T10:00:00Z",
        yard,
        smelter_site,
        "custodyAndCredit",
        "Delivery of 50 t copper scrap to Boreal Copper",
    )

    plain = product(smelter, "07350000000033", "CU-2026-011", "Copper cathode grade A")
    cu80 = product(smelter, "07350000000019", "CU80-2026-011", "Copper cathode grade A, Cu 8.0 MIX")
    cure = product(smelter, "07350000000026", "CURE-2026-011", "Copper cathode grade A, Cu RE MIX")
    c.issue(
        "pcf-cathode-cu80",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — copper cathode Cu 8.0 MIX",
        pcf_attestation(c, cb, ab, smelter, "NMC-PCF-2026-0107", pcf_s, cu80, 8.0, 7.6, "SE", pcr),
    )
    c.issue(
        "recycled-content-cathode-re",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — copper cathode Cu RE MIX",
        recycled_attestation(c, cb, ab, smelter, "NMC-RC-2026-0031", rc_s, cure, CU, 0.3, 0.7),
    )
    pcf80 = c.link("pcf-cathode-cu80", "Verified footprint, Cu 8.0 MIX (DCC)", "dcc")
    own = dict(
        concentrate,
        sourceCredential=[
            c.link(
                "dpp-concentrate-own-mine",
                "Passport of own-mine concentrate lot BCM-2026-019 (DPP)",
                "dpp",
            )
        ],
        materialProvenance=[material("Copper in concentrate", SWEDEN, CU, 0.225, 45)],
        certifiedProperty=[
            credit(
                "carbonFootprint",
                45,
                [
                    c.link(
                        "pcf-concentrate-own-mine",
                        "Verified footprint of own-mine concentrate (DCC)",
                        "dcc",
                    )
                ],
                pcf=1.9,
            )
        ],
    )
    imported_in = dict(
        imported,
        sourceCredential=[
            c.link("move-import-concentrate", "Receipt of imported concentrate (DTE)", "dte")
        ],
    )
    scrap_in = dict(
        scrap_moved, sourceCredential=[c.link("move-scrap", "Receipt of copper scrap (DTE)", "dte")]
    )
    c.issue(
        "make-cathode",
        smelter,
        "DigitalTraceabilityEvent",
        "Smelting and refining of campaign 2026-011 into copper cathode",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{smelter.host}/events/make-cathode-2026-011",
            "Smelting and electrolytic refining, campaign 2026-011",
            "2026-01-12T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", smelter)],
            {
                "description": "Svemin (2019) worked example: 200 t imported concentrate (45 t Cu, no footprint data), 200 t own-mine concentrate (45 t Cu, certified footprint) and 50 t scrap (10 t Cu) make 100 t cathode: 45 t uncertified, 45 t Cu 8.0 MIX (8.0 kg CO2e/kg, mass balance) and 10 t Cu RE MIX.",
                "inputProduct": [
                    {
                        "product": imported_in,
                        "quantity": measure(200, "TNE"),
                        "disposition": "consumed",
                    },
                    {"product": own, "quantity": measure(200, "TNE"), "disposition": "consumed"},
                    {
                        "product": scrap_in,
                        "quantity": measure(50, "TNE"),
                        "disposition": "consumed",
                    },
                ],
                "outputProduct": [
                    {"product": plain, "quantity": measure(45, "TNE"), "disposition": "new"},
                    {
                        "product": dict(
                            cu80,
                            certifiedProperty=[credit("carbonFootprint", 45, [pcf80], pcf=8.0)],
                        ),
                        "quantity": measure(45, "TNE"),
                        "disposition": "new",
                    },
                    {
                        "product": dict(
                            cure,
                            certifiedProperty=[
                                credit(
                                    "recycledContent",
                                    10,
                                    [
                                        c.link(
                                            "recycled-content-cathode-re",
                                            "Verified recycled content, Cu RE MIX (DCC)",
                                            "dcc",
                                        )
                                    ],
                                )
                            ],
                        ),
                        "quantity": measure(10, "TNE"),
                        "disposition": "new",
                    },
                ],
                "madeAtFacility": smelter_site,
                "conversionFactor": [{"material": CU, "factor": 1.0}],
                "relatedDocument": [
                    c.link(
                        "coc-certificate-smelter",
                        "Chain-of-custody certificate NMC-COC-2026-0042 (DCC)",
                        "dcc",
                    )
                ],
            },
        ),
    )
    make = c.link("make-cathode", "Make event, campaign 2026-011 (DTE)", "dte")
    coc_claim = claim(
        smelter,
        "cu80-2026-011-coc",
        "Certified chain of custody (mass balance)",
        metric("certified-material", "Certified material quantity"),
        measure(45, "TNE"),
        topic("chain-of-custody", "Chain of custody"),
        "responsibleSourcing",
        [
            c.link(
                "coc-certificate-smelter",
                "Chain-of-custody certificate NMC-COC-2026-0042 (DCC)",
                "dcc",
            )
        ],
    )
    c.issue(
        "dpp-cathode-cu80",
        smelter,
        "DigitalProductPassport",
        "Digital product passport — copper cathode Cu 8.0 MIX, batch CU80-2026-011",
        passport(
            smelter,
            cu80,
            "LME grade A copper cathode (Cu-CATH-1) from campaign 2026-011, allocated Cu 8.0 MIX footprint credits under mass balance.",
            "Cu-CATH-1",
            classification(
                "41521",
                "Unwrought copper",
                "https://unstats.un.org/unsd/classifications/Econ/cpc/",
                "UN Central Product Classification (CPC)",
            ),
            smelter_site,
            "2026-01-12",
            SWEDEN,
            [material("Copper", SWEDEN, CU, 0.9999, 45)],
            [make],
            [
                claim(
                    smelter,
                    "cu80-2026-011-pcf",
                    "Product carbon footprint 8.0 kg CO2e per kg (Cu 8.0 MIX)",
                    metric("product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)"),
                    measure(8.0, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf80],
                ),
                coc_claim,
            ],
        ),
    )
    moved = dict(
        cu80,
        sourceCredential=[
            make,
            c.link("dpp-cathode-cu80", "Passport, Cu 8.0 MIX cathode (DPP)", "dpp"),
        ],
        certifiedProperty=[credit("carbonFootprint", 45, [pcf80], pcf=8.0)],
    )
    move(
        c,
        "move-cathode-cu80",
        smelter,
        wire,
        moved,
        45,
        "2026-01-20T09:30:00Z",
        smelter_site,
        wire_site,
        "custodyAndCredit",
        "Sale of 45 t Cu 8.0 MIX cathode with its credits to Mälar Kabel",
    )
    received = c.link("move-cathode-cu80", "Receipt of Cu 8.0 MIX cathode and credits (DTE)", "dte")
    wire_lot = product(wire, "07350000000064", "MKW-2026-031", "Copper wire 8 mm, Cu 8.0 MIX")
    wire_credit = credit("carbonFootprint", 45, [pcf80], pcf=8.0, source=[received])
    c.issue(
        "make-wire",
        wire,
        "DigitalTraceabilityEvent",
        "Drawing of 45 t Cu 8.0 MIX cathode into wire",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{wire.host}/events/make-wire-2026-031",
            "Continuous casting and drawing, lot MKW-2026-031",
            "2026-01-27T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", wire)],
            {
                "inputProduct": [
                    {
                        "product": dict(
                            cu80,
                            sourceCredential=[received],
                            certifiedProperty=[credit("carbonFootprint", 45, [pcf80], pcf=8.0)],
                        ),
                        "quantity": measure(45, "TNE"),
                        "disposition": "consumed",
                    }
                ],
                "outputProduct": [
                    {
                        "product": dict(wire_lot, certifiedProperty=[wire_credit]),
                        "quantity": measure(45, "TNE"),
                        "disposition": "new",
                    }
                ],
                "madeAtFacility": wire_site,
                "conversionFactor": [{"material": CU, "factor": 1.0}],
                "relatedDocument": [
                    c.link(
                        "coc-certificate-wire",
                        "Chain-of-custody certificate NMC-COC-2026-0051 (DCC)",
                        "dcc",
                    )
                ],
            },
        ),
    )
    make_wire = c.link("make-wire", "Make event, wire lot MKW-2026-031 (DTE)", "dte")
    c.issue(
        "dpp-wire-cu80",
        wire,
        "DigitalProductPassport",
        "Digital product passport — copper wire Cu 8.0 MIX, lot MKW-2026-031",
        passport(
            wire,
            wire_lot,
            "8 mm copper wire rod drawn from Cu 8.0 MIX cathode without loss; carries the 45 t of Cu 8.0 MIX credits.",
            "MK-CU-8",
            wir,
            wire_site,
            "2026-01-27",
            SWEDEN,
            [material("Copper", SWEDEN, CU, 0.9999, 45)],
            [make_wire],
            [
                claim(
                    wire,
                    "mkw-2026-031-pcf",
                    "Product carbon footprint 8.0 kg CO2e per kg copper (Cu 8.0 MIX)",
                    metric("product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)"),
                    measure(8.0, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf80],
                )
            ],
        ),
        fmt="eddsa-rdfc-2022",
    )
    move(
        c,
        "move-wire-cu80",
        wire,
        brand,
        dict(
            wire_lot,
            sourceCredential=[
                make_wire,
                c.link("dpp-wire-cu80", "Passport, Cu 8.0 MIX wire (DPP)", "dpp"),
            ],
            certifiedProperty=[credit("carbonFootprint", 45, [pcf80], pcf=8.0)],
        ),
        45,
        "2026-02-02T08:00:00Z",
        wire_site,
        brand_site,
        "custodyAndCredit",
        "Sale of 45 t Cu 8.0 MIX wire with its credits to Nordlys Computers",
    )
    got = c.link("move-wire-cu80", "Receipt of Cu 8.0 MIX wire and credits (DTE)", "dte")
    computers = product(
        brand, "07350000001016", "NC-2026-Q1", "Nordlys workstation, production quarter 2026-Q1"
    )
    computers["sourceCredential"] = [got]
    c.issue(
        "claim-computers",
        brand,
        "DigitalTraceabilityEvent",
        "System exit: 45 t of Cu 8.0 MIX credits retired into computers",
        event(
            ["ModifyEvent", "LifecycleEvent", "ClaimEvent"],
            f"https://{brand.host}/events/claim-computers-2026-q1",
            "System exit record, computers 2026-Q1",
            "2026-03-31T16:00:00Z",
            activity("commissioning", "Commissioning"),
            [("brandOwner", brand)],
            {
                "modifiedProduct": [
                    {
                        "product": computers,
                        "quantity": measure(90000, "H87"),
                        "disposition": "active",
                    }
                ],
                "modifiedAtFacility": brand_site,
                "retiredCredit": [credit("carbonFootprint", 45, [pcf80], pcf=8.0, source=[got])],
                "claimStatement": "The 0.5 kg of copper in each of the 90 000 computers of 2026-Q1 is allocated Cu 8.0 MIX credits: 8.0 kg CO2e per kg copper (mass balance, site level, credit method); the 45 t of credits are retired.",
            },
        ),
    )
    c.write([ab])


# --- steel: pellets (mine) -> hot-rolled coil (mill) -> truck chassis (vehicle maker) ----------
FE = element("Fe", "Iron")


def steel(out: Path) -> None:
    c = Chain("steel", out)
    ab = Org(
        "accreditation.example.de", "Deutsche Akkreditierungsstelle (example)", "HRB-000001", DE
    )
    cb = Org("certification.steelcert.example", "SteelCert Zertifizierung GmbH", "HRB-000002", DE)
    mine = Org("norrbotten-iron.example", "Norrbotten Iron AB", "556000-8888", SE)
    dealer = Org("ruhr-schrott.example", "Ruhr Schrott GmbH", "HRB-000003", DE)
    mill = Org("rheinstahl.example", "Rheinstahl AG", "HRB-000004", DE)
    oem = Org("nordtruck.example", "Nordtruck AB", "556000-9999", SE)
    coc_s = scheme(
        "https://schemes.example.org/steelcert-coc",
        "SteelCert Chain of Custody Standard (ISO 22095 mass balance)",
    )
    pcf_s = scheme(
        "https://schemes.example.org/steelcert-pcf",
        "SteelCert Product Carbon Footprint Verification",
    )
    rc_s = scheme(
        "https://schemes.example.org/steelcert-recycled", "SteelCert Recycled Content Verification"
    )
    pel = classification("260112", "Agglomerated iron ores and concentrates (pellets)")
    hrc = classification("720839", "Flat-rolled iron or steel, hot-rolled, in coils, under 3 mm")
    scr = classification("720449", "Ferrous waste and scrap")
    chs = classification("870600", "Chassis fitted with engines, for motor vehicles")
    germany = ("DE", "Germany")
    sweden = ("SE", "Sweden")
    mine_site = facility("SE-NI-010", "Norrbotten Iron pelletising plant, Malmberget")
    yard = facility("DE-RS-011", "Ruhr Schrott scrap yard, Duisburg")
    mill_site = facility("DE-RS-012", "Rheinstahl integrated works and hot strip mill, Duisburg")
    oem_site = facility("SE-NT-013", "Nordtruck chassis plant, Södertälje")
    pcr = (
        "https://environdec.example/pcr/basic-iron-steel-2019-14",
        "PCR 2019:14 Basic iron or steel products",
    )

    c.issue(
        "accreditation",
        ab,
        "DigitalIdentityAnchor",
        f"Accreditation of {cb.name}",
        accreditation(ab, cb, [coc_s, pcf_s, rc_s], [pel, scr, hrc, chs], ["DE", "SE"]),
    )
    c.issue(
        "coc-certificate-mill",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate SC-COC-2026-0007 — {mill.name}",
        coc_certificate(
            c,
            cb,
            ab,
            mill,
            "SC-COC-2026-0007",
            coc_s,
            [pel, scr, hrc],
            mill_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Duisburg works for pellets, scrap and hot-rolled coil, with a low-carbon and a recycled-scrap route.",
        ),
    )
    c.issue(
        "coc-certificate-vehicle",
        cb,
        "DigitalConformityCredential",
        f"Chain-of-custody certificate SC-COC-2026-0012 — {oem.name}",
        coc_certificate(
            c,
            cb,
            ab,
            oem,
            "SC-COC-2026-0012",
            coc_s,
            [hrc, chs],
            oem_site,
            "Mass-balance chain of custody (ISO 22095:2020, 5.5) at the Södertälje chassis plant for coil and chassis.",
        ),
    )
    pellets = product(
        mine,
        "07350000002006",
        "NIP-2026-004",
        "Blast-furnace iron ore pellets (certified footprint)",
    )
    c.issue(
        "pcf-pellets",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — iron ore pellets",
        pcf_attestation(c, cb, ab, mine, "SC-PCF-2026-0020", pcf_s, pellets, 0.04, 0.04, "SE", pcr),
    )
    pcf_pel = c.link("pcf-pellets", "Verified footprint of pellets (DCC)", "dcc")
    ore = [material("Iron in pellets", sweden, FE, 0.65, 910)]
    c.issue(
        "dpp-pellets",
        mine,
        "DigitalProductPassport",
        "Digital product passport — iron ore pellets, lot NIP-2026-004",
        passport(
            mine,
            pellets,
            "Blast-furnace pellets (65 % Fe) from Malmberget, with a verified cradle-to-gate footprint.",
            "NI-BF-65",
            pel,
            mine_site,
            "2026-01-03",
            sweden,
            ore,
            [pcf_pel],
            [
                claim(
                    mine,
                    "nip-2026-004-pcf",
                    "Product carbon footprint 0.04 kg CO2e per kg pellets",
                    metric("product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)"),
                    measure(0.04, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf_pel],
                )
            ],
        ),
    )
    moved_pellets = dict(
        pellets,
        sourceCredential=[
            c.link("dpp-pellets", "Passport of pellet lot NIP-2026-004 (DPP)", "dpp")
        ],
        materialProvenance=ore,
        certifiedProperty=[credit("carbonFootprint", 1400, [pcf_pel], pcf=0.04)],
    )
    move(
        c,
        "move-pellets",
        mine,
        mill,
        moved_pellets,
        1400,
        "2026-01-06T08:00:00Z",
        mine_site,
        mill_site,
        "custodyAndCredit",
        "Shipment of 1400 t pellets to Rheinstahl",
    )
    scrap_lot = product(
        dealer, "04000000000011", "RS-2026-118", "Sorted steel scrap (E3/E8 grades)"
    )
    c.issue(
        "recycled-content-scrap",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — steel scrap lot RS-2026-118",
        recycled_attestation(c, cb, ab, dealer, "SC-RC-2026-0044", rc_s, scrap_lot, FE, 0.4, 0.6),
    )
    rc_scrap = c.link(
        "recycled-content-scrap", "Verified recycled content of scrap lot (DCC)", "dcc"
    )
    scrap_moved = dict(
        scrap_lot,
        sourceCredential=[rc_scrap],
        materialProvenance=[material("Iron in scrap", germany, FE, 0.98, 100, 1.0)],
        certifiedProperty=[credit("recycledContent", 100, [rc_scrap])],
    )
    move(
        c,
        "move-scrap",
        dealer,
        mill,
        scrap_moved,
        102,
        "2026-01-07T10:00:00Z",
        yard,
        mill_site,
        "custodyAndCredit",
        "Delivery of 102 t steel scrap to Rheinstahl",
    )

    coil = product(mill, "04000000000028", "HRC-2026-051", "Hot-rolled coil S355MC")
    low = product(
        mill, "04000000000035", "HRC-LC-2026-051", "Hot-rolled coil S355MC, low-carbon route"
    )
    rec = product(
        mill, "04000000000042", "HRC-RS-2026-051", "Hot-rolled coil S355MC, recycled-scrap route"
    )
    c.issue(
        "pcf-coil-lowcarbon",
        cb,
        "DigitalConformityCredential",
        "Verified product carbon footprint — hot-rolled coil, low-carbon route",
        pcf_attestation(c, cb, ab, mill, "SC-PCF-2026-0031", pcf_s, low, 0.7, 0.68, "DE", pcr),
    )
    c.issue(
        "recycled-content-coil",
        cb,
        "DigitalConformityCredential",
        "Verified recycled content — hot-rolled coil, recycled-scrap route",
        recycled_attestation(c, cb, ab, mill, "SC-RC-2026-0047", rc_s, rec, FE, 0.4, 0.6),
    )
    pcf_low = c.link("pcf-coil-lowcarbon", "Verified footprint, low-carbon coil (DCC)", "dcc")
    coc_mill = c.link(
        "coc-certificate-mill", "Chain-of-custody certificate SC-COC-2026-0007 (DCC)", "dcc"
    )
    c.issue(
        "make-coil",
        mill,
        "DigitalTraceabilityEvent",
        "Iron and steelmaking and hot rolling, campaign 2026-051",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{mill.host}/events/make-coil-2026-051",
            "Steelmaking and hot rolling, campaign 2026-051",
            "2026-01-14T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", mill)],
            {
                "description": "1400 t pellets (910 t Fe, certified footprint) and 102 t scrap (100 t Fe) make 1000 t hot-rolled coil: 700 t standard, 200 t low-carbon route (0.7 kg CO2e/kg, mass balance) and 100 t recycled-scrap route.",
                "inputProduct": [
                    {
                        "product": dict(
                            moved_pellets,
                            sourceCredential=[
                                c.link("move-pellets", "Receipt of pellets (DTE)", "dte")
                            ],
                        ),
                        "quantity": measure(1400, "TNE"),
                        "disposition": "consumed",
                    },
                    {
                        "product": dict(
                            scrap_moved,
                            sourceCredential=[
                                c.link("move-scrap", "Receipt of steel scrap (DTE)", "dte")
                            ],
                        ),
                        "quantity": measure(102, "TNE"),
                        "disposition": "consumed",
                    },
                ],
                "outputProduct": [
                    {"product": coil, "quantity": measure(700, "TNE"), "disposition": "new"},
                    {
                        "product": dict(
                            low,
                            certifiedProperty=[credit("carbonFootprint", 200, [pcf_low], pcf=0.7)],
                        ),
                        "quantity": measure(200, "TNE"),
                        "disposition": "new",
                    },
                    {
                        "product": dict(
                            rec,
                            certifiedProperty=[
                                credit(
                                    "recycledContent",
                                    100,
                                    [
                                        c.link(
                                            "recycled-content-coil",
                                            "Verified recycled content, recycled-scrap coil (DCC)",
                                            "dcc",
                                        )
                                    ],
                                )
                            ],
                        ),
                        "quantity": measure(100, "TNE"),
                        "disposition": "new",
                    },
                ],
                "madeAtFacility": mill_site,
                "conversionFactor": [{"material": FE, "factor": 1.0}],
                "relatedDocument": [coc_mill],
            },
        ),
    )
    make = c.link("make-coil", "Make event, campaign 2026-051 (DTE)", "dte")
    c.issue(
        "dpp-coil-lowcarbon",
        mill,
        "DigitalProductPassport",
        "Digital product passport — hot-rolled coil, low-carbon route, batch HRC-LC-2026-051",
        passport(
            mill,
            low,
            "S355MC hot-rolled coil from campaign 2026-051, allocated low-carbon-route footprint credits under mass balance.",
            "S355MC",
            hrc,
            mill_site,
            "2026-01-14",
            germany,
            [material("Iron", sweden, FE, 0.98, 196)],
            [make],
            [
                claim(
                    mill,
                    "hrc-lc-2026-051-pcf",
                    "Product carbon footprint 0.7 kg CO2e per kg (low-carbon route)",
                    metric("product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)"),
                    measure(0.7, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf_low],
                ),
                claim(
                    mill,
                    "hrc-lc-2026-051-coc",
                    "Certified chain of custody (mass balance)",
                    metric("certified-material", "Certified material quantity"),
                    measure(200, "TNE"),
                    topic("chain-of-custody", "Chain of custody"),
                    "responsibleSourcing",
                    [coc_mill],
                ),
            ],
        ),
    )
    moved = dict(
        low,
        sourceCredential=[
            make,
            c.link("dpp-coil-lowcarbon", "Passport, low-carbon coil (DPP)", "dpp"),
        ],
        certifiedProperty=[credit("carbonFootprint", 200, [pcf_low], pcf=0.7)],
    )
    move(
        c,
        "move-coil-lowcarbon",
        mill,
        oem,
        moved,
        200,
        "2026-01-21T07:00:00Z",
        mill_site,
        oem_site,
        "custodyAndCredit",
        "Sale of 200 t low-carbon coil with its credits to Nordtruck",
    )
    got = c.link("move-coil-lowcarbon", "Receipt of low-carbon coil and credits (DTE)", "dte")
    chassis = product(
        oem, "07350000003003", "NT-CH-2026-02", "Truck chassis NT-400, series 2026-02"
    )
    c.issue(
        "make-chassis",
        oem,
        "DigitalTraceabilityEvent",
        "Frame and chassis assembly, series 2026-02",
        event(
            ["MakeEvent", "LifecycleEvent"],
            f"https://{oem.host}/events/make-chassis-2026-02",
            "Frame rail forming and chassis assembly, series 2026-02",
            "2026-02-10T06:00:00Z",
            activity("commissioning", "Commissioning"),
            [("manufacturer", oem)],
            {
                "inputProduct": [
                    {
                        "product": dict(
                            low,
                            sourceCredential=[got],
                            certifiedProperty=[credit("carbonFootprint", 200, [pcf_low], pcf=0.7)],
                        ),
                        "quantity": measure(200, "TNE"),
                        "disposition": "consumed",
                    }
                ],
                "outputProduct": [
                    {
                        "product": dict(
                            chassis,
                            certifiedProperty=[
                                credit("carbonFootprint", 200, [pcf_low], pcf=0.7, source=[got])
                            ],
                        ),
                        "quantity": measure(500, "H87"),
                        "disposition": "new",
                    }
                ],
                "madeAtFacility": oem_site,
                "conversionFactor": [{"material": FE, "factor": 1.0}],
                "relatedDocument": [
                    c.link(
                        "coc-certificate-vehicle",
                        "Chain-of-custody certificate SC-COC-2026-0012 (DCC)",
                        "dcc",
                    )
                ],
            },
        ),
    )
    make_ch = c.link("make-chassis", "Make event, chassis series 2026-02 (DTE)", "dte")
    c.issue(
        "dpp-chassis",
        oem,
        "DigitalProductPassport",
        "Digital product passport — truck chassis NT-400, series 2026-02",
        passport(
            oem,
            chassis,
            "500 truck chassis NT-400 whose 0.4 t of frame steel each is allocated low-carbon-route coil credits.",
            "NT-400",
            chs,
            oem_site,
            "2026-02-10",
            sweden,
            [material("Iron in frame steel", sweden, FE, 0.6, 196)],
            [make_ch],
            [
                claim(
                    oem,
                    "nt-ch-2026-02-pcf",
                    "Frame steel at 0.7 kg CO2e per kg (low-carbon route)",
                    metric("product-carbon-footprint", "Product Carbon Footprint (kg CO2e per kg)"),
                    measure(0.7, "KGM"),
                    topic(*GHG),
                    "carbonFootprint",
                    [pcf_low],
                )
            ],
        ),
        fmt="eddsa-rdfc-2022",
    )
    series = dict(
        chassis,
        sourceCredential=[
            make_ch,
            c.link("dpp-chassis", "Passport, chassis series 2026-02 (DPP)", "dpp"),
        ],
    )
    c.issue(
        "claim-chassis",
        oem,
        "DigitalTraceabilityEvent",
        "System exit: 200 t of low-carbon coil credits retired into truck chassis",
        event(
            ["ModifyEvent", "LifecycleEvent", "ClaimEvent"],
            f"https://{oem.host}/events/claim-chassis-2026-02",
            "System exit record, chassis series 2026-02",
            "2026-02-28T16:00:00Z",
            activity("commissioning", "Commissioning"),
            [("brandOwner", oem)],
            {
                "modifiedProduct": [
                    {"product": series, "quantity": measure(500, "H87"), "disposition": "active"}
                ],
                "modifiedAtFacility": oem_site,
                "retiredCredit": [
                    credit("carbonFootprint", 200, [pcf_low], pcf=0.7, source=[make_ch])
                ],
                "claimStatement": "The 0.4 t of frame steel in each of the 500 chassis of series 2026-02 is allocated low-carbon-route credits: 0.7 kg CO2e per kg steel (mass balance, site level, credit method); the 200 t of credits are retired.",
            },
        ),
    )
    c.write([ab])


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    builders: dict[str, Callable[[Path], None]] = {"copper": copper, "steel": steel}
    for name, build in builders.items():
        build(root / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
