"""How the pages write numbers, quantities and names: one vocabulary for every page.

A buyer compares the footprint on the summary band with the one on a graph card and the one in
the claims list; if one says ``8.8141``, another ``8.81`` and a third ``90,000`` where the
first wrote ``90 000``, the buyer wonders which is right. So every page writes numbers,
shares, quantities, footprints, elements, countries and credential kinds through this module,
and one change here changes them everywhere.

Credentials carry codes because machines compare them: units as UN/ECE Rec 20 codes (``TNE``,
``KGM``, ``KWH``…), elements as IUPAC symbols, countries as ISO 3166 codes, credential kinds
as UNTP type names. A page that prints ``12 TNE`` makes the buyer look the code up; these
functions name them. The kinds come from :mod:`vcservice.credential_terms` (outside the web
package, since the store's search uses the same words), re-exported here.

Everything is pure and total: any value in, a string out, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from vcservice.credential_terms import KIND_WORDS, kind_of
from vcservice.graph._model import number

__all__ = [
    "CHECK_ICONS",
    "CHECK_WORDS",
    "COUNTRIES",
    "CREDENTIAL_WORDS",
    "CUSTODY_MODELS",
    "ELEMENTS",
    "KIND_WORDS",
    "TRUST_PROBLEMS",
    "UNIT_NAMES",
    "claimed_percent",
    "country",
    "custody_model",
    "element",
    "footprint",
    "footprint_unit",
    "kind_of",
    "mass",
    "num",
    "outcome_words",
    "percent",
    "quantity",
    "trust_problem",
    "unit_name",
]

#: Groups thousands: a narrow no-break space (SI style, never mistaken for a decimal mark, and
#: a number never breaks across lines).
THOUSANDS: Final = "\u202f"
#: Significant figures a buyer compares (8.8141 → 8.81).
DIGITS: Final = 3

#: Rec 20 code → the symbol or word a buyer knows. Only codes a traceability credential plausibly
#: carries; anything else is shown as given rather than guessed.
UNIT_NAMES: Final = MappingProxyType(
    {
        # mass
        "TNE": "t",
        "KGM": "kg",
        "GRM": "g",
        "MGM": "mg",
        "KTN": "kt",
        "LBR": "lb",
        # count
        "H87": "pieces",
        "C62": "pieces",
        "EA": "each",
        "SET": "sets",
        "PR": "pairs",
        # energy and power
        "KWH": "kWh",
        "MWH": "MWh",
        "GWH": "GWh",
        "WHR": "Wh",
        "MJ": "MJ",
        "GJ": "GJ",
        "KWT": "kW",
        "MAW": "MW",
        "WTT": "W",
        "AMH": "Ah",
        # volume
        "LTR": "l",
        "MTQ": "m³",
        "MLT": "ml",
        # length and area
        "MTR": "m",
        "KMT": "km",
        "MMT": "mm",
        "CMT": "cm",
        "MTK": "m²",
        "HAR": "ha",
        # share
        "P1": "%",
    }
)
#: Declared units a carbon footprint is given per (its functional unit); a footprint per any
#: other unit is not one the pages can compare, so it is not written as a footprint.
_FOOTPRINT_PER: Final = frozenset({"KGM", "KWH", "TNE"})
#: IUPAC symbols of the elements a traceability credential names → how a buyer reads them.
ELEMENTS: Final = MappingProxyType(
    {
        "Al": "aluminium",
        "C": "carbon",
        "Co": "cobalt",
        "Cr": "chromium",
        "Cu": "copper",
        "Fe": "iron",
        "Li": "lithium",
        "Mn": "manganese",
        "Ni": "nickel",
        "Pb": "lead",
        "Sn": "tin",
        "Zn": "zinc",
    }
)
#: ISO 3166-1 alpha-2 codes → names, for credentials that give a code without a name.
COUNTRIES: Final = MappingProxyType(
    {
        "AT": "Austria",
        "AU": "Australia",
        "BR": "Brazil",
        "CA": "Canada",
        "CD": "DR Congo",
        "CL": "Chile",
        "CN": "China",
        "DE": "Germany",
        "DK": "Denmark",
        "EE": "Estonia",
        "FI": "Finland",
        "FR": "France",
        "ID": "Indonesia",
        "NO": "Norway",
        "PE": "Peru",
        "PL": "Poland",
        "SE": "Sweden",
        "US": "United States",
        "ZA": "South Africa",
        "ZM": "Zambia",
    }
)
#: Chain-of-custody models (ISO 22095) → how a buyer reads them.
CUSTODY_MODELS: Final = MappingProxyType(
    {
        "massBalance": "mass balance",
        "segregation": "segregation",
        "identityPreserved": "identity preserved",
        "bookAndClaim": "book and claim",
        "controlledBlending": "controlled blending",
    }
)


#: An outcome's sign, read before its word (and by those who do not read the language).
CHECK_ICONS: Final = MappingProxyType(
    {"passed": "✓", "failed": "✗", "indeterminate": "?", "warning": "!"}
)
#: What a check's outcome says (the report's table of checks).
CHECK_WORDS: Final = MappingProxyType(
    {
        "passed": "passed",
        "failed": "failed",
        "indeterminate": "could not check",
        "warning": "warning",
    }
)
#: What a credential's outcome says: a credential whose checks all passed is "verified".
CREDENTIAL_WORDS: Final = MappingProxyType(
    {"passed": "verified", "failed": "failed", "indeterminate": "could not check"}
)

#: Why a certifier's accreditation does not count (a trust check's ``problem``), after "—".
TRUST_PROBLEMS: Final = MappingProxyType(
    {
        "trust.scope": "not accredited for what it certified",
        "trust.expired": "its accreditation had expired when it certified",
    }
)


# --- numbers ------------------------------------------------------------------------------
def num(value: float) -> str:
    """Three significant figures, thousands grouped by a narrow space (8.8141 → 8.81,
    1100000 → 1 100 000, 0.0612 → 0.0612): the precision a buyer compares, never scientific
    notation; "—" for what is not a finite number."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    rounded = float(f"{value:.{DIGITS}g}")
    if abs(rounded) >= 1000:  # whole figures: a thousand tonnes to three digits hides stock
        return f"{round(value):,}".replace(",", THOUSANDS)
    decimals = max(0, DIGITS - 1 - math.floor(math.log10(abs(rounded))))
    text = f"{rounded:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(fraction: float) -> str:
    """A fraction (0..1) as a percentage: 0.2 → ``20 %``."""
    return f"{num(fraction * 100)} %"


def claimed_percent(value: float) -> str:
    """A share as a credential writes it: a fraction (0.2) or already a percentage (20); a
    value above 1 can only be the latter."""
    return percent(value) if value <= 1 else f"{num(value)} %"


# --- quantities ---------------------------------------------------------------------------
def unit_name(code: str) -> str:
    """The readable name of a Rec 20 ``code``; an unknown code is returned unchanged, since a
    code the buyer can search for is better than a wrong name."""
    return UNIT_NAMES.get(code.strip(), code) if isinstance(code, str) else str(code)


def quantity(measure: Any) -> str | None:
    """A UNTP Measure with its unit by name (``{"value": 90000, "unit": "H87"}`` → 90 000
    pieces); None when it carries no finite number."""
    if not isinstance(measure, Mapping):
        return None
    value = number(measure.get("value"))
    if value is None or not math.isfinite(value):
        return None
    unit = measure.get("unit")
    return f"{num(value)} {unit_name(unit)}" if isinstance(unit, str) and unit else num(value)


def mass(kg: float) -> str:
    """A mass in kilograms, in tonnes from a tonne up (the unit traders quote)."""
    return f"{num(kg / 1000)} t" if kg >= 1000 else f"{num(kg)} kg"


def footprint_unit(declared: Any) -> str | None:
    """What a footprint declared per ``declared`` (Rec 20; blank: per kg) is counted in:
    ``kg CO2e per kWh``; None for a unit a footprint is not given per."""
    code = declared.strip().upper() if isinstance(declared, str) and declared.strip() else "KGM"
    return f"kg CO2e per {UNIT_NAMES[code]}" if code in _FOOTPRINT_PER else None


def footprint(value: float | None, declared: Any = "KGM") -> str | None:
    """A carbon footprint with its unit: ``8.81 kg CO2e per kWh``; None without a value or
    for a unit a footprint is not given per."""
    per = footprint_unit(declared)
    return f"{num(value)} {per}" if value is not None and per is not None else None


# --- names --------------------------------------------------------------------------------
def element(code: str) -> str:
    """An element by name (``Co`` → cobalt); an unknown symbol as given."""
    return ELEMENTS.get(code, code)


def country(value: Any) -> str | None:
    """A Country (``countryCode``, ``countryName``) or a bare code, by name."""
    if isinstance(value, Mapping):
        name, code = value.get("countryName"), value.get("countryCode")
        if isinstance(name, str) and name:
            return name
        value = code
    if isinstance(value, str) and value:
        return COUNTRIES.get(value.upper(), value)
    return None


def outcome_words(outcome: str) -> str:
    """A check's outcome with its sign: ``✓ passed``, ``? could not check``."""
    word = CHECK_WORDS.get(outcome, outcome)
    return f"{CHECK_ICONS[outcome]} {word}" if outcome in CHECK_ICONS else word


def trust_problem(problem: Any, anchor: str = "a body you trust") -> str:
    """Why a certifier is not trusted, in words; by default: no accreditation leads to
    ``anchor`` (the trust anchor, said as whoever chose it: see ``summary.ANCHOR_BODY``)."""
    return TRUST_PROBLEMS.get(str(problem), f"not accredited by {anchor}")


def custody_model(code: str) -> str:
    """A chain-of-custody model in words (``massBalance`` → mass balance)."""
    return CUSTODY_MODELS.get(code, code)
