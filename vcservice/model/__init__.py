"""VC Data Model 2.0 validation of credentials and presentations, shared by issuing and
verifying, and the VC 1.1 rules accepted for Data Integrity documents (``_vc1``).

Each rule reports under a stable check id (``datamodel.*``, listed in :data:`CHECK_IDS`); see
``_validate`` for the order the rules run in and why JSON-LD expansion comes last.
"""

from vcservice.model._checks import CHECK_IDS
from vcservice.model._context import is_vc1
from vcservice.model._datetime import parse_datetime, parse_datetime_stamp
from vcservice.model._validate import validate_credential, validate_presentation
from vcservice.model._vc1 import (
    LEGACY_VC1,
    jose_refusal,
    legacy_warning,
    validate_vc1_credential,
    validate_vc1_presentation,
)

__all__ = [
    "CHECK_IDS",
    "LEGACY_VC1",
    "is_vc1",
    "jose_refusal",
    "legacy_warning",
    "parse_datetime",
    "parse_datetime_stamp",
    "validate_credential",
    "validate_presentation",
    "validate_vc1_credential",
    "validate_vc1_presentation",
]
