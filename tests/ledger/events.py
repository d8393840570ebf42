"""Small DigitalTraceabilityEvent credentials in our profile, for ledger tests.

Shapes follow ``examples/build.py`` (the copper chain), cut down to what the ledger reads:
certified properties with a creditQuantity, and sourceCredential hash links.
"""

from __future__ import annotations

from typing import Any

from vcservice.links import digest_bytes

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://vocabulary.uncefact.org/untp/0.7.0/context/",
    "https://w3id.org/critical-minerals/v1",
]
CATHODE = "https://id.smelter.example/01/07350000000019/10/CU80-2026-011"
CONCENTRATE = "https://id.smelter.example/01/07350000000002/10/BCM-2026-019"
ATTESTATION = {
    "linkURL": "https://credentials.certifier.example/pcf-concentrate",
    "linkName": "Verified footprint (DCC)",
    "digestMultibase": digest_bytes(b"an attestation"),
}


def link(url: str, digest: str, name: str = "Upstream credential (DTE)") -> dict[str, Any]:
    return {"linkURL": url, "linkName": name, "digestMultibase": digest}


def certified(
    tonnes: float,
    *,
    kind: str = "carbonFootprint",
    unit: str = "TNE",
    source: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    prop: dict[str, Any] = {
        "propertyKind": kind,
        "creditQuantity": {"value": tonnes, "unit": unit},
        "chainOfCustodyModel": "massBalance",
        "massBalanceLevel": "site",
        "massBalanceMethod": "creditMethod",
        "attestedBy": [ATTESTATION],
    }
    if source:
        prop["sourceCredential"] = source
    return prop


def product(
    ident: str, props: list[dict[str, Any]], source: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": ["Product"], "id": ident, "name": "Copper lot"}
    if source:
        out["sourceCredential"] = source
    if props:
        out["certifiedProperty"] = props
    return out


def _facility(code: str) -> dict[str, Any]:
    return {"type": ["Facility"], "id": f"https://facilities.example.org/{code}", "name": code}


def _party(ident: str, name: str) -> dict[str, Any]:
    return {"type": ["Party"], "id": ident, "name": name}


def _credential(subject: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": ["DigitalTraceabilityEvent", "VerifiableCredential"],
        "validFrom": "2026-01-15T00:00:00Z",
        "credentialSubject": [subject],
        **extra,
    }


def make_event(
    outputs: list[dict[str, Any]], inputs: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A MakeEvent; ``inputs`` default to a concentrate lot that only mines have attested
    (its debit names no account: an origin)."""
    if inputs is None:
        mine = link("https://credentials.mine.example/dpp", digest_bytes(b"a mine passport"))
        inputs = [product(CONCENTRATE, [certified(45)], [mine])]
    return _credential(
        {
            "type": ["MakeEvent", "LifecycleEvent"],
            "id": "https://smelter.example/events/make",
            "name": "Smelting",
            "eventDate": "2026-01-12T06:00:00Z",
            "inputProduct": [
                {"product": p, "quantity": {"value": 200, "unit": "TNE"}} for p in inputs
            ],
            "outputProduct": [
                {"product": p, "quantity": {"value": 100, "unit": "TNE"}} for p in outputs
            ],
            "madeAtFacility": _facility("smelter"),
            "conversionFactor": [
                {
                    "material": {
                        "code": "Cu",
                        "name": "Copper",
                        "schemeId": "https://iupac.org/what-we-do/periodic-table-of-elements/",
                        "schemeName": "IUPAC element symbols",
                    },
                    "factor": 0.5,
                }
            ],
        }
    )


def move_event(
    moved: dict[str, Any],
    *,
    transfer: str = "custodyAndCredit",
    ident: str | None = None,
    consignee: str = "https://mill.example",
) -> dict[str, Any]:
    """A MoveEvent of one product from the smelter to a buyer, ``consignee`` (the party id,
    a DID for a tenant of the service: the holder of the moved credit)."""
    extra = {"id": ident} if ident else {}
    return _credential(
        {
            "type": ["MoveEvent", "LifecycleEvent"],
            "id": "https://smelter.example/events/move",
            "name": "Shipping",
            "eventDate": "2026-01-14T06:00:00Z",
            "movedProduct": [{"product": moved, "quantity": {"value": 45, "unit": "TNE"}}],
            "fromFacility": _facility("smelter"),
            "toFacility": _facility("mill"),
            "transferKind": transfer,
            "relatedParty": [
                {"role": "consignor", "party": _party("https://smelter.example", "smelter")},
                {"role": "consignee", "party": _party(consignee, "mill")},
            ],
        },
        **extra,
    )


def claim_event(retired: list[dict[str, Any]], source: list[dict[str, Any]]) -> dict[str, Any]:
    """A ClaimEvent retiring credits into an end product bought under ``source``."""
    return _credential(
        {
            "type": ["ModifyEvent", "LifecycleEvent", "ClaimEvent"],
            "id": "https://oem.example/events/claim",
            "name": "Claim",
            "eventDate": "2026-02-01T00:00:00Z",
            "modifiedProduct": [
                {
                    "product": product("https://id.oem.example/computers/1", [], source),
                    "quantity": {"value": 1, "unit": "TNE"},
                }
            ],
            "retiredCredit": retired,
            "claimStatement": "45 t of low-carbon copper",
        }
    )
