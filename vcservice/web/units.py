"""UN/ECE Recommendation 20 unit codes named the way a buyer reads them.

Credentials carry units as Rec 20 codes (``TNE``, ``KGM``, ``KWH``…) because machines compare
them; a page that prints ``12 TNE`` makes the buyer look the code up. Every page names units
through :func:`unit_name`, so one table decides how a unit reads everywhere.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

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


def unit_name(code: str) -> str:
    """The readable name of a Rec 20 ``code``; an unknown code is returned unchanged, since a
    code the buyer can search for is better than a wrong name."""
    return UNIT_NAMES.get(code.strip(), code) if isinstance(code, str) else str(code)
