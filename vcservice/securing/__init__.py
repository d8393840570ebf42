"""Securing mechanisms for credentials and presentations.

Data Integrity proofs live in :mod:`vcservice.securing.dataintegrity` (the engine) and
:mod:`vcservice.securing.suites` (one module per cryptosuite).
"""

from vcservice.securing.dataintegrity import DataIntegrityResult, add_proof, verify_proofs

__all__ = ["DataIntegrityResult", "add_proof", "verify_proofs"]
