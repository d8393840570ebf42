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
* Source links are read with :func:`vcservice.links.link_digests` (a ``digestMultibase``
  string or list, UNTP 0.6 ``hashDigest``) and their sha2-256 digest is normalised to the form
  accounts are keyed by (``z`` + base58btc multihash, :func:`vcservice.links.digest_document`),
  so a ``u`` (base64url) spelling of the same digest finds the same account. A source link the
  ledger cannot key is refused (:class:`UnreadableSourceError`), never read as "no account":
  a link without a digest, with a malformed one, or with only other hashes (sha2-384, sha3)
  would otherwise let a debit pass as an origin and spend a known credit a second time.
* Each opening names its **holder** when the credential says who receives the credit (a
  crediting MoveEvent's consignee); None means the credential's issuer (a MakeEvent's outputs
  are held by whoever made them). Only the holder may draw on an account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from vcservice.credits import MASS_UNITS, Link, flows_of
from vcservice.ledger.errors import LedgerLimitError, NotAMassError, UnreadableSourceError
from vcservice.links import DigestError, link_digests

__all__ = [
    "MAX_AMOUNT_MG",
    "MAX_CREDENTIAL_ID",
    "MAX_KIND",
    "MAX_PRODUCT_ID",
    "Charge",
    "Opening",
    "Postings",
    "Source",
    "Upstream",
    "postings_of",
    "source_of",
]

#: Product ids are URLs; longer ones are refused rather than truncated in the account key.
MAX_PRODUCT_ID = 2048
#: Credential ids and issuer DIDs are kept with accounts: at most 2048 bytes of UTF-8.
MAX_CREDENTIAL_ID = 2048
#: Property kinds are short names (carbonFootprint, recycledContent), with the credit's material
#: code when it names one (recycledContent/Co).
MAX_KIND = 64
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
    """An account the credential opens: its credits of one product and kind, summed (``kind``
    is the account kind: ``propertyKind/material code`` for credits naming a material).
    ``holder`` is the DID (or other id) of who may draw on it; None: the credential's issuer."""

    product: str
    kind: str
    amount_mg: int
    holder: str | None = None


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
class Postings:
    charges: tuple[Charge, ...]
    openings: tuple[Opening, ...]

    def __bool__(self) -> bool:
        return bool(self.charges or self.openings)


@dataclass(frozen=True)
class Upstream:
    """A credential issued on another platform, served with an issue request (verified by
    the caller). It is posted like a credential issued here, before the credential that draws
    on it: its debits are charged (its ``issuer`` must hold what they draw on) and its credits
    open accounts. ``credential_id`` with ``issuer`` identifies it whatever its serialization."""

    credential_id: str
    issuer: str
    digest: str
    postings: Postings


def _milligrams(value: float, unit: str, pointer: str, rounding: str) -> int:
    factor = _MG_PER_UNIT.get(unit)
    if factor is None:
        raise NotAMassError(
            f"{pointer}/creditQuantity is in {unit!r}, not a mass unit "
            f"({', '.join(MASS_UNITS)}): the ledger balances certified material by mass"
        )
    amount = int((Decimal(repr(value)) * factor).to_integral_value(rounding))
    if amount > MAX_AMOUNT_MG:
        raise LedgerLimitError(f"{pointer}/creditQuantity is beyond what one posting can hold")
    return amount


def _product(product: str, pointer: str) -> str:
    if len(product) > MAX_PRODUCT_ID:
        raise LedgerLimitError(f"{pointer}: a product id is at most {MAX_PRODUCT_ID} characters")
    return product


def _kind(kind: str, pointer: str) -> str:
    """The account kind (``propertyKind``, or ``propertyKind/material code``: see
    :func:`vcservice.credits.account_kind`), within the length the ledger keys by."""
    if not kind or len(kind) > MAX_KIND:
        raise LedgerLimitError(
            f"{pointer}: a propertyKind is 1 to {MAX_KIND} characters (with the credit's "
            "material code, when it names one)"
        )
    return kind


def source_of(link: Link) -> Source:
    """The account key of a debit's source link: its sha2-256 digest in ``z`` form.

    Raises UnreadableSourceError when the link carries no digest, a malformed one, none of
    sha2-256, or two different sha2-256 digests.
    """
    where = f"{link.pointer} ({link.url})"
    try:
        digests = link_digests(link.data)
    except DigestError as exc:
        raise UnreadableSourceError(f"{where}: {exc.detail}") from None
    if not digests:
        raise UnreadableSourceError(
            f"{where} carries no digest: the ledger finds the account a debit draws on by the "
            "digest of its source credential; link with a sha2-256 digestMultibase"
        )
    found = {d.multibase for d in digests if d.algorithm == "sha2-256"}
    if not found:
        names = ", ".join(sorted({d.algorithm for d in digests}))
        raise UnreadableSourceError(
            f"{where} carries only {names} digests: the ledger keys accounts by sha2-256; link "
            "with a sha2-256 digestMultibase"
        )
    if len(found) > 1:
        raise UnreadableSourceError(
            f"{where} carries two different sha2-256 digests; a link names one credential"
        )
    return Source(link.url, found.pop())


def postings_of(document: Mapping[str, Any]) -> Postings:
    """The ledger postings of an unsecured (or unwrapped) credential; empty for most types."""
    flows = flows_of(document)
    opened: dict[tuple[str, str], int] = {}
    holders: dict[tuple[str, str], str | None] = {}
    for credit in flows.credits:
        key = (_product(credit.product, credit.pointer), _kind(credit.account_kind, credit.pointer))
        mg = _milligrams(credit.value, credit.unit, credit.pointer, ROUND_FLOOR)
        total = opened.get(key, 0) + mg
        if total > MAX_AMOUNT_MG:
            raise LedgerLimitError(
                f"{credit.pointer}: the credits of {credit.product} ({key[1]}) add up to "
                "more than one account can hold"
            )
        if key in holders and holders[key] != credit.consignee:
            raise LedgerLimitError(
                f"{credit.pointer}: credits of {credit.product} ({key[1]}) go to two "
                "different holders in one credential; issue them in separate credentials"
            )
        opened[key], holders[key] = total, credit.consignee
    charges = []
    for debit in flows.debits:
        charges.append(
            Charge(
                product=None if debit.product is None else _product(debit.product, debit.pointer),
                kind=_kind(debit.account_kind, debit.pointer),
                amount_mg=_milligrams(debit.value, debit.unit, debit.pointer, ROUND_CEILING),
                sources=tuple(source_of(link) for link in debit.sources),
                pointer=debit.pointer,
            )
        )
    openings = tuple(
        Opening(product, kind, mg, holders[(product, kind)])
        for (product, kind), mg in opened.items()
    )
    return Postings(tuple(charges), openings)
