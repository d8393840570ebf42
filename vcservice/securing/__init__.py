"""Securing mechanisms for credentials and presentations.

Data Integrity proofs live in :mod:`vcservice.securing.dataintegrity` (the engine) and
:mod:`vcservice.securing.suites` (one module per cryptosuite); :mod:`vcservice.securing.registry`
is the one list of issuing formats (``vc+jwt`` and the registered cryptosuites) every surface
derives its own from.
"""

from vcservice.securing.dataintegrity import DataIntegrityResult, add_proof, verify_proofs
from vcservice.securing.registry import (
    BUILT_IN_SUITES,
    VC_JWT,
    VC_SD_JWT,
    IssuingFormat,
    JoseFormat,
    SuiteFormat,
    default_suites,
    format_names,
    formats_for_key,
    issuing_format,
    register_suite,
    status_list_suite,
    unregister_suite,
)

__all__ = [
    "BUILT_IN_SUITES",
    "VC_JWT",
    "VC_SD_JWT",
    "DataIntegrityResult",
    "IssuingFormat",
    "JoseFormat",
    "SuiteFormat",
    "add_proof",
    "default_suites",
    "format_names",
    "formats_for_key",
    "issuing_format",
    "register_suite",
    "status_list_suite",
    "unregister_suite",
    "verify_proofs",
]
