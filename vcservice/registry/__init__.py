"""The federated credit registry: homes, registrations, receipts and witnessing.

Each credit has a **home**, the registry (a vcservice or another vendor's service) where the
credential opening it was issued; its ledger keeps the account. A debit of the credit made on
any other platform is **registered** at the home: a SCITT signed statement by the holder
(:mod:`~vcservice.registry.statements`), which the home posts with the ledger's own rules and
answers with a **receipt**, a COSE Receipt proving the entry in its Merkle log
(:mod:`~vcservice.registry.receipts`). The debiting credential carries its receipts, and a
graph verifier requires one for every debit of a homed credit. Registries **witness** each
other's checkpoints (:mod:`~vcservice.registry.witness`), so a home that shows two logs is
exposed. Everything here is pure: the service wires it to the store and the network.
"""

from vcservice.registry.homes import HOME_PROPERTY, Home, home_of, name_home
from vcservice.registry.receipts import (
    Proven,
    Receipt,
    decode_receipt_text,
    encode_receipt_text,
    make_receipt,
    read_receipt,
    verify_receipt,
)
from vcservice.registry.statements import (
    RECEIPT_PROPERTY,
    STATEMENT_CTY,
    Registration,
    read_registration,
    registration_digest,
    sign_registration,
    verify_registration,
)
from vcservice.registry.witness import (
    COSIGNATURE_TYP,
    Cosignature,
    judge,
    read_cosignature,
    sign_cosignature,
    verify_cosignature,
)

__all__ = [
    "COSIGNATURE_TYP",
    "HOME_PROPERTY",
    "RECEIPT_PROPERTY",
    "STATEMENT_CTY",
    "Cosignature",
    "Home",
    "Proven",
    "Receipt",
    "Registration",
    "decode_receipt_text",
    "encode_receipt_text",
    "home_of",
    "judge",
    "make_receipt",
    "name_home",
    "read_cosignature",
    "read_receipt",
    "read_registration",
    "registration_digest",
    "sign_cosignature",
    "sign_registration",
    "verify_cosignature",
    "verify_receipt",
    "verify_registration",
]
