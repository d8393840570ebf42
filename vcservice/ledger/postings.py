"""What issuing a credential posts to the ledger: the accounts it opens and the debits it makes.

The reading of the credential is :func:`vcservice.credits.flows_of`, shared with the graph
verifier so both agree on what a credential spends; this module only turns its quantities into
exact integer milligrams and refuses what cannot be balanced.

* Conversion is decimal arithmetic on the number as JSON wrote it (``repr`` of the parsed float
  is the shortest text that reads back to it, i.e. what was written), times the unit's exact
  factor. A credit is rounded **down** and a debit **up** to the milligram, so rounding can
  never mint material.
* A credit or debit whose unit is not a mass (pieces, litres, kWh) is refused with
  :class:`NotAMassError`: tonnes cannot be balanced against pieces, and a ledger that skipped
  them would let exactly those quantities be spent twice.
* Source links are read in the digest form accounts are keyed by (``z`` + base58btc sha2-256,
  :func:`vcservice.links.digest_document`); a link written in another encoding of the same
  SHA-256 digest still finds its account, one with an unusable digest names none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from vcservice.credits import MASS_UNITS, flows_of
from vcservice.errors import InputError
from vcservice.ledger.errors import NotAMassError
from vcservice.links import DigestError, parse_digest_multibase

__all__ = [
    "MAX_AMOUNT_MG",
    "MAX_PRODUCT_ID",
    "Charge",
    "Opening",
    "Postings",
    "Source",
    "Upstream",
    "postings_of",
]

#: Product ids are URLs; longer ones are refused rather than truncated in the account key.
MAX_PRODUCT_ID = 2048
#: Amounts are stored as 64-bit integers: about 9.2 billion tonnes per posting.
MAX_AMOUNT_MG = (1 << 63) - 1
_MG_PER_UNIT = {unit: Decimal(repr(factor)) * 1_000_000 for unit, factor in MASS_UNITS.items()}


@dataclass(frozen=True)
class Source:
    """A source link as an account key: the URL (for messages) and the sha2-256 digest."""

    url: str
    digest: str


@dataclass(frozen=True)
class Opening:
    """An account the credential opens: its credits of one product and kind, summed."""

    product: str
    kind: str
    amount_mg: int


@dataclass(frozen=True)
class Charge:
    """A debit: charged to the first of ``sources`` holding an account of this kind (and
    product, unless ``product`` is None: a ClaimEvent's retired credit names none)."""

    product: str | None
    kind: str
    amount_mg: int
    sources: tuple[Source, ...]
    pointer: str


@dataclass(frozen=True)
class Upstream:
    """A credential issued on another platform, served with an issue request so that its
    credits get accounts here before this credential's debits draw from them."""

    credential_id: str
    digest: str
    openings: tuple[Opening, ...]


@dataclass(frozen=True)
class Postings:
    charges: tuple[Charge, ...]
    openings: tuple[Opening, ...]

    def __bool__(self) -> bool:
        return bool(self.charges or self.openings)


def _milligrams(value: float, unit: str, pointer: str, rounding: str) -> int:
    factor = _MG_PER_UNIT.get(unit)
    if factor is None:
        raise NotAMassError(
            f"{pointer}/creditQuantity is in {unit!r}, not a mass unit "
            f"({', '.join(MASS_UNITS)}): the ledger balances certified material by mass"
        )
    amount = int((Decimal(repr(value)) * factor).to_integral_value(rounding))
    if amount > MAX_AMOUNT_MG:
        raise InputError(f"{pointer}/creditQuantity is beyond what one posting can hold")
    return amount


def _product(product: str, pointer: str) -> str:
    if len(product) > MAX_PRODUCT_ID:
        raise InputError(f"{pointer}: a product id is at most {MAX_PRODUCT_ID} characters")
    return product


def _source(url: str, digest: str) -> Source | None:
    try:
        parsed = parse_digest_multibase(digest)
    except DigestError:
        return None
    return Source(url, parsed.multibase) if parsed.algorithm == "sha2-256" else None


def postings_of(document: Mapping[str, Any]) -> Postings:
    """The ledger postings of an unsecured (or unwrapped) credential; empty for most types."""
    flows = flows_of(document)
    opened: dict[tuple[str, str], int] = {}
    for credit in flows.credits:
        key = (_product(credit.product, credit.pointer), credit.kind)
        mg = _milligrams(credit.value, credit.unit, credit.pointer, ROUND_FLOOR)
        opened[key] = opened.get(key, 0) + mg
    charges = []
    for debit in flows.debits:
        sources = (_source(link.url, link.digest) for link in debit.sources)
        charges.append(
            Charge(
                product=None if debit.product is None else _product(debit.product, debit.pointer),
                kind=debit.kind,
                amount_mg=_milligrams(debit.value, debit.unit, debit.pointer, ROUND_CEILING),
                sources=tuple(s for s in sources if s is not None),
                pointer=debit.pointer,
            )
        )
    openings = tuple(Opening(product, kind, mg) for (product, kind), mg in opened.items())
    return Postings(tuple(charges), openings)
