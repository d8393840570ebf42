"""Data Integrity cryptosuites, one module each, behind the :class:`Cryptosuite` protocol."""

from vcservice.securing.suites._families import JcsSuite, RdfcSuite
from vcservice.securing.suites._legacy import LegacySuite, legacy_hash_data
from vcservice.securing.suites._protocol import Cryptosuite, ProofSuite
from vcservice.securing.suites._registry import LEGACY_SUITES, SuiteRegistry
from vcservice.securing.suites.ecdsa_jcs_2019 import ECDSA_JCS_2019
from vcservice.securing.suites.ecdsa_rdfc_2019 import ECDSA_RDFC_2019
from vcservice.securing.suites.ecdsa_sd_2023 import ECDSA_SD_2023
from vcservice.securing.suites.ed25519_signature_2020 import ED25519_SIGNATURE_2020
from vcservice.securing.suites.eddsa_jcs_2022 import EDDSA_JCS_2022
from vcservice.securing.suites.eddsa_rdfc_2022 import EDDSA_RDFC_2022
from vcservice.securing.suites.json_web_signature_2020 import JSON_WEB_SIGNATURE_2020

__all__ = [
    "ECDSA_JCS_2019",
    "ECDSA_RDFC_2019",
    "ECDSA_SD_2023",
    "ED25519_SIGNATURE_2020",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "JSON_WEB_SIGNATURE_2020",
    "LEGACY_SUITES",
    "Cryptosuite",
    "JcsSuite",
    "LegacySuite",
    "ProofSuite",
    "RdfcSuite",
    "SuiteRegistry",
    "legacy_hash_data",
]
