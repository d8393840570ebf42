"""Certified-quantity flows of a traceability event: which credits it opens and which it spends.

The graph verifier (mass balance inside one provenance graph) and the service ledger (the
double-spend guard across graphs) must agree on what a credential spends, or one of them would
let through what the other refuses. This module is that one reading, pure and total:

* a **credit** is a quantity of material carrying a certified property (``certifiedProperty``
  of our vocabulary) that a credential makes available to the next holder: the outputs of a
  MakeEvent, and the moved products of a MoveEvent whose ``transferKind`` passes the credit on
  (``credit`` or ``custodyAndCredit``). Its account is keyed by the digest of the credential
  that opens it, the product id and the property kind, and the material when the credit names
  one (see :attr:`Credit.account_kind`).
* a **debit** takes a credit from an upstream credential: the inputs of a MakeEvent, the moved
  products of a crediting MoveEvent, and the retired credits of a ClaimEvent. Where it draws
  from is the credit's own ``sourceCredential`` links if it has any, else its product's, in
  that order (the first that opens a matching account is the one charged; see
  :attr:`Debit.sources`). A ClaimEvent's retired credit names no product: it matches any
  product of that kind in its source (``product`` is None).

A certified property may name the element or material it is of (``material``, a UNTP
Classification; its ``code`` is kept): recycled cobalt and recycled lithium of one product are
then two accounts, whose kind is ``<propertyKind>/<material code>`` (:func:`account_kind`), so
the ledger and the graph key, match and balance them with the same mechanism as any kind.

Quantities are converted to kilograms when their unit is a mass (UN/ECE Rec 20 codes); other
units keep ``kg = None`` and the callers report them, since tonnes cannot be balanced against
pieces. Shapes that are not what our profile says (a string where a list belongs, a negative
quantity) are skipped here; the schema check names them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CREDIT_TRANSFERS",
    "MASS_UNITS",
    "Credit",
    "Debit",
    "Flows",
    "Link",
    "account_kind",
    "flows_of",
    "links_of",
    "to_kg",
]

#: Rec 20 mass units → kilograms.
MASS_UNITS: dict[str, float] = {
    "KGM": 1.0,
    "TNE": 1000.0,
    "KTN": 1_000_000.0,
    "GRM": 0.001,
    "MGM": 0.000_001,
    "LBR": 0.453_592_37,
}
#: MoveEvent ``transferKind`` values that pass certified credits to the receiver.
CREDIT_TRANSFERS = frozenset({"credit", "custodyAndCredit"})


def to_kg(measure: Any) -> float | None:
    """A UNTP Measure in kilograms, or None if it is not a non-negative mass."""
    if not isinstance(measure, Mapping):
        return None
    value, unit = _number(measure.get("value")), measure.get("unit")
    if value is None or value < 0:
        return None
    factor = MASS_UNITS.get(unit) if isinstance(unit, str) else None
    kg = None if factor is None else float(value) * factor
    return kg if kg is not None and math.isfinite(kg) else None


def account_kind(kind: str, material: str | None) -> str:
    """The kind of the account a credit of ``kind`` opens or a debit draws on:
    ``<kind>/<material code>`` when it names a material, else ``kind``."""
    return kind if material is None else f"{kind}/{material}"


@dataclass(frozen=True)
class Link:
    """A hash link as written: ``digest`` is the digestMultibase text ("" when absent or not a
    string); ``data`` is the whole link object, for readers of its other digest forms (a list
    of digestMultibase values, UNTP 0.6 ``hashDigest``: see :func:`vcservice.links.link_digests`).
    """

    url: str
    digest: str
    pointer: str
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Credit:
    """A certified quantity a credential makes available (an account it opens). ``consignee``
    is who receives it when a MoveEvent passes it on (the ``party.id`` of its ``relatedParty``
    whose role is ``consignee``), None for a MakeEvent's outputs or a move naming no consignee.
    """

    product: str
    kind: str
    value: float
    unit: str
    kg: float | None
    attested_by: tuple[Link, ...]
    pcf: float | None
    recycled_fraction: float | None
    pointer: str
    consignee: str | None = None
    material: str | None = None

    @property
    def account_kind(self) -> str:
        """The kind of the account it opens (:func:`account_kind`)."""
        return account_kind(self.kind, self.material)


@dataclass(frozen=True)
class Debit:
    """A certified quantity an event takes from upstream. ``event`` is make, move or claim."""

    event: str
    product: str | None
    kind: str
    value: float
    unit: str
    kg: float | None
    sources: tuple[Link, ...]
    attested_by: tuple[Link, ...]
    pcf: float | None
    recycled_fraction: float | None
    pointer: str
    material: str | None = None

    @property
    def account_kind(self) -> str:
        """The kind of the accounts it draws on (:func:`account_kind`)."""
        return account_kind(self.kind, self.material)


@dataclass(frozen=True)
class Flows:
    credits: tuple[Credit, ...]
    debits: tuple[Debit, ...]


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _items(value: Any, pointer: str) -> Iterator[tuple[Any, str]]:
    """The members of a list-or-single value with their JSON pointers: ``pointer/i`` for a
    list, ``pointer`` itself for a single value (so the pointers are those of the document,
    the ones the graph walk records for the links it follows)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield item, f"{pointer}/{index}"
    elif value is not None:
        yield value, pointer


def _types(node: Mapping[str, Any]) -> set[str]:
    return {t for t in _list(node.get("type")) if isinstance(t, str)}


def _number(value: Any) -> float | None:
    """A finite JSON number as a float; None for anything else (NaN, ±Infinity and numbers
    beyond the double range, which Python's JSON parser reads as infinities, are malformed)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a double
        return None
    return number if math.isfinite(number) else None


def _links(values: Any, pointer: str) -> tuple[Link, ...]:
    out = []
    for link, where in _items(values, pointer):
        if isinstance(link, Mapping) and isinstance(link.get("linkURL"), str):
            digest = link.get("digestMultibase")
            out.append(
                Link(
                    link["linkURL"],
                    digest if isinstance(digest, str) else "",
                    where,
                    dict(link),
                )
            )
    return tuple(out)


def _properties(product: Mapping[str, Any], pointer: str) -> Iterator[tuple[dict[str, Any], str]]:
    for prop, where in _items(product.get("certifiedProperty"), f"{pointer}/certifiedProperty"):
        if isinstance(prop, Mapping) and isinstance(prop.get("propertyKind"), str):
            yield dict(prop), where


def _material(prop: Mapping[str, Any]) -> str | None:
    """The ``code`` of the property's ``material`` classification; None when it names none
    (or names it in a shape without a string code, which the schema check reports)."""
    material = prop.get("material")
    code = material.get("code") if isinstance(material, Mapping) else None
    return code if isinstance(code, str) and code else None


def _quantity(prop: Mapping[str, Any]) -> tuple[float, str, float | None] | None:
    measure = prop.get("creditQuantity")
    if not isinstance(measure, Mapping):
        return None
    value, unit = _number(measure.get("value")), measure.get("unit")
    if value is None or value <= 0 or not isinstance(unit, str):
        return None
    return value, unit, to_kg(measure)


def _credit(
    product_id: str, prop: Mapping[str, Any], pointer: str, consignee: str | None = None
) -> Credit | None:
    quantity = _quantity(prop)
    if quantity is None:
        return None
    return Credit(
        product=product_id,
        kind=prop["propertyKind"],
        value=quantity[0],
        unit=quantity[1],
        kg=quantity[2],
        attested_by=_links(prop.get("attestedBy"), f"{pointer}/attestedBy"),
        pcf=_number(prop.get("pcfExcludingBiogenicUptake")),
        recycled_fraction=_number(prop.get("recycledFraction")),
        pointer=pointer,
        consignee=consignee,
        material=_material(prop),
    )


def _consignee(event: Mapping[str, Any]) -> str | None:
    """The ``party.id`` of the first ``relatedParty`` whose role is ``consignee``."""
    for related in _list(event.get("relatedParty")):
        if not isinstance(related, Mapping) or "consignee" not in _list(related.get("role")):
            continue
        party = related.get("party")
        if isinstance(party, Mapping) and isinstance(party.get("id"), str):
            return str(party["id"])
    return None


def _debit(
    event: str,
    product_id: str | None,
    prop: Mapping[str, Any],
    pointer: str,
    fallback: tuple[Link, ...],
) -> Debit | None:
    quantity = _quantity(prop)
    if quantity is None:
        return None
    own = _links(prop.get("sourceCredential"), f"{pointer}/sourceCredential")
    return Debit(
        event=event,
        product=product_id,
        kind=prop["propertyKind"],
        value=quantity[0],
        unit=quantity[1],
        kg=quantity[2],
        sources=_unique(own + fallback),
        attested_by=_links(prop.get("attestedBy"), f"{pointer}/attestedBy"),
        pcf=_number(prop.get("pcfExcludingBiogenicUptake")),
        recycled_fraction=_number(prop.get("recycledFraction")),
        pointer=pointer,
        material=_material(prop),
    )


def _unique(links: tuple[Link, ...]) -> tuple[Link, ...]:
    seen: set[tuple[str, str]] = set()
    out = []
    for link in links:
        if (link.url, link.digest) not in seen:
            seen.add((link.url, link.digest))
            out.append(link)
    return tuple(out)


def _products(
    event: Mapping[str, Any], key: str, pointer: str
) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    for entry, where in _items(event.get(key), f"{pointer}/{key}"):
        product = entry.get("product") if isinstance(entry, Mapping) else None
        if isinstance(product, Mapping) and isinstance(product.get("id"), str):
            yield product["id"], product, f"{where}/product"


def _subjects(document: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    subject = document.get("credentialSubject")
    if isinstance(subject, Mapping):
        yield subject, "/credentialSubject"
    elif isinstance(subject, list):
        for index, item in enumerate(subject):
            if isinstance(item, Mapping):
                yield item, f"/credentialSubject/{index}"


def flows_of(document: Mapping[str, Any]) -> Flows:
    """The credits ``document`` (a credential, already unwrapped) opens and the debits it makes."""
    credits: list[Credit] = []
    debits: list[Debit] = []
    for event, pointer in _subjects(document):
        types = _types(event)
        if "MakeEvent" in types:
            for pid, product, at in _products(event, "inputProduct", pointer):
                inherited = _links(product.get("sourceCredential"), f"{at}/sourceCredential")
                for prop, where in _properties(product, at):
                    if (debit := _debit("make", pid, prop, where, inherited)) is not None:
                        debits.append(debit)
            for pid, product, at in _products(event, "outputProduct", pointer):
                for prop, where in _properties(product, at):
                    if (credit := _credit(pid, prop, where)) is not None:
                        credits.append(credit)
        elif "MoveEvent" in types and event.get("transferKind") in CREDIT_TRANSFERS:
            consignee = _consignee(event)
            for pid, product, at in _products(event, "movedProduct", pointer):
                inherited = _links(product.get("sourceCredential"), f"{at}/sourceCredential")
                for prop, where in _properties(product, at):
                    if (debit := _debit("move", pid, prop, where, inherited)) is not None:
                        debits.append(debit)
                    if (credit := _credit(pid, prop, where, consignee)) is not None:
                        credits.append(credit)
        elif "ClaimEvent" in types:
            claimed: tuple[Link, ...] = ()
            for _, product, at in _products(event, "modifiedProduct", pointer):
                claimed += _links(product.get("sourceCredential"), f"{at}/sourceCredential")
            for prop, where in _items(event.get("retiredCredit"), f"{pointer}/retiredCredit"):
                kind = prop.get("propertyKind") if isinstance(prop, Mapping) else None
                if (
                    isinstance(kind, str)
                    and (debit := _debit("claim", None, prop, where, claimed)) is not None
                ):
                    debits.append(debit)
    return Flows(tuple(credits), tuple(debits))


def links_of(value: Any, pointer: str = "") -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every object with a string ``linkURL`` inside ``value``, with its JSON pointer."""
    if isinstance(value, Mapping):
        if isinstance(value.get("linkURL"), str):
            yield value, pointer
        for key, item in value.items():
            yield from links_of(item, f"{pointer}/{_escape(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from links_of(item, f"{pointer}/{index}")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
