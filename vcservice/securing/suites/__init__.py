"""Data Integrity cryptosuites, one module each, behind the :class:`Cryptosuite` protocol."""

from vcservice.securing.suites._families import JcsSuite, RdfcSuite
from vcservice.securing.suites._protocol import Cryptosuite
from vcservice.securing.suites._registry import SuiteRegistry, default_suites
from vcservice.securing.suites.ecdsa_jcs_2019 import ECDSA_JCS_2019
from vcservice.securing.suites.ecdsa_rdfc_2019 import ECDSA_RDFC_2019
from vcservice.securing.suites.eddsa_jcs_2022 import EDDSA_JCS_2022
from vcservice.securing.suites.eddsa_rdfc_2022 import EDDSA_RDFC_2022

__all__ = [
    "ECDSA_JCS_2019",
    "ECDSA_RDFC_2019",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "Cryptosuite",
    "JcsSuite",
    "RdfcSuite",
    "SuiteRegistry",
    "default_suites",
]
