"""vcservice: issue and verify hash-linked W3C Verifiable Credentials for minerals traceability.

The public Python API is re-exported here; everything not listed in ``__all__`` may change.
"""

from vcservice.errors import (
    CanonicalizationError,
    ContextNotAllowedError,
    InputError,
    ResolutionError,
    VCServiceError,
    VerificationMethodError,
)
from vcservice.report import Check, Outcome, Problem, VerificationReport

__version__ = "0.1.0"

__all__ = [
    "CanonicalizationError",
    "Check",
    "ContextNotAllowedError",
    "InputError",
    "Outcome",
    "Problem",
    "ResolutionError",
    "VCServiceError",
    "VerificationMethodError",
    "VerificationReport",
    "__version__",
]
