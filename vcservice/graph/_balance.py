"""Roll-ups and mass balance: do the numbers of the outputs follow from the inputs?

Roll-ups, per MakeEvent (the computation is kept in the report's ``products``):

* ``rollup.footprint``: the carbon footprint of the outputs' certified metal is the
  mass-weighted average ``pcfExcludingBiogenicUptake`` of the inputs' carbonFootprint credits
  (kg CO2e per kg of certified material) plus the process's own emissions: every product
  carbon footprint attestation linked from the event whose ``systemBoundary`` is
  ``gateToGate`` (kg CO2e per kg of output). Each output carbonFootprint credit must carry that
  value (within the claims tolerance). An event with no input footprint credits is an origin:
  its output credits must then be attested cradle-to-gate for that very product.
  Per kWh: when the output product declares its energy (``characteristics.energyCapacity``, a
  Measure in KWH per unit, with the output ``quantity`` in units: H87, C62 or EA), the
  footprint of its credited material is also expressed per kWh (Regulation (EU) 2023/1542's
  functional unit, here the rated energy): (mass-weighted input footprint + process
  emissions) × the output credit's mass ÷ (units × kWh per unit), kept in the footprint
  entry's ``perKWh``. Every passport of that product claiming a carbonFootprint in KWH must
  claim that value (within the claim's tolerance, else the claims tolerance).
* ``rollup.recycled``: each output recycledContent credit's ``recycledFraction`` equals the
  mass-weighted recycled fraction of the inputs' recycledContent credits of its material (all
  of them, when the output credit names no material).

Credits naming a ``material`` (recycled cobalt, recycled lithium) are accounted per material:
their account kind is ``<propertyKind>/<material code>`` (:func:`vcservice.credits.account_kind`),
the kind the ledger keys their accounts by, so conservation, accounts and receipts are per
(kind, material), and a product's recycled share is reported per element
(``recycledFractionByMaterial``: the element's credits × their fraction ÷ the element's mass in
the product, from its ``materialProvenance``).

Mass balance (certified quantities are credits; see :mod:`vcservice.credits`):

* ``massbalance.conservation``: per MakeEvent and account kind (property kind, and material
  when the credits name one), the output credits are at most the input credits times the
  event's conversion factor (the largest one declared, when several materials are listed: it
  is the bound most favourable to the issuer, so a failure is certain);
* ``massbalance.overallocated``: across the graph, each account (a credit opened by a make
  output or a crediting move, keyed by that credential, product and kind) is spent at most
  once in total: the sum of the debits charged to it does not exceed its amount;
* ``massbalance.not-holder``: a debit draws on an account its credential's issuer does not
  hold. The holder rules are the ledger's own (:func:`vcservice.ledger.rules.post` opens the
  accounts, :func:`vcservice.ledger.rules.apply` judges each debit; nothing is restated here):
  an account opened by a MakeEvent's outputs is held by the credential's issuer, one opened by
  a crediting MoveEvent by the consignee it names (by its issuer when it names none), and only
  the holder may draw on it. A debit is judged against every account of its kind (and
  product) in the source it is charged to, as the ledger draws on them all;
* ``massbalance.unregistered``: a debit of a credit whose opening credential names a home
  registry carries no receipt from that home that verifies and proves the debit registered
  (:mod:`vcservice.graph._receipts`); debits of credits that name no home need none;
* ``massbalance.unit``: a credit not in a mass unit cannot be balanced (failed).
* ``massbalance.rolling-average``: an output claimed under the rolling-average percentage
  method (ISO 22095-2:2026) claims at most the certified share its site's inputs and
  stocktakes give over the declared period (:mod:`vcservice.graph._rolling`, which keeps the
  computation in the output's ``rollingAverage`` entry). Such outputs are left out of
  ``massbalance.conservation``: under that method a single event's outputs need not match its
  own inputs, only the period's average. The accounts they open are credits like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from vcservice import checks
from vcservice.credits import Credit, Debit, to_kg
from vcservice.errors import NotHolderError
from vcservice.graph._claims import close
from vcservice.graph._index import DPP, PCF, GraphIndex, attestation_types, footprint_of
from vcservice.graph._model import Node, as_list, number
from vcservice.graph._receipts import Charged, Registries, check_registrations, home_did
from vcservice.graph._rolling import RollingAverage, claims_of, is_rolling
from vcservice.ledger.entries import Entry
from vcservice.ledger.postings import Opening, Postings
from vcservice.ledger.rules import Account as LedgerAccount
from vcservice.ledger.rules import Book, Credential, apply, post
from vcservice.report import Outcome

_EPSILON_KG = 1e-6
#: Units of count (a number of items) an output quantity may be in for a per-kWh roll-up.
_COUNT_UNITS = {"H87", "C62", "EA"}


def _weighted(items: Iterable[tuple[float, float]]) -> float | None:
    pairs = list(items)
    mass = sum(kg for kg, _ in pairs)
    return sum(kg * value for kg, value in pairs) / mass if mass > 0 else None


def _subject_prefix(pointer: str) -> str:
    parts = pointer.split("/")
    return "/".join(parts[:3]) if len(parts) > 2 and parts[2].isdigit() else "/".join(parts[:2])


def _process_emissions(index: GraphIndex, node: Node, prefix: str) -> list[dict[str, Any]]:
    """Gate-to-gate footprint attestations linked from the event at ``prefix``."""
    out = []
    seen: set[str] = set()
    for edge in index.edges_from.get(node.key, []):
        if not edge.pointer.startswith(prefix + "/"):
            continue
        target = index.target(node, edge.pointer)
        if target is None or not target.usable or PCF not in attestation_types(target):
            continue
        found = footprint_of(target)
        if found is not None and found[1] == "gateToGate" and target.digest not in seen:
            seen.add(target.digest or target.key)
            out.append({"attestation": target.key, "pcf": found[0]})
    return out


def _footprint(
    index: GraphIndex,
    node: Node,
    credit: Credit,
    inputs: list[Debit],
    process: list[dict[str, Any]],
) -> dict[str, Any]:
    """The footprint computation for one output credit (see the module docstring)."""
    fp_inputs = [d for d in inputs if d.kind == "carbonFootprint" and d.kg and d.pcf is not None]
    f_in = _weighted((d.kg or 0.0, d.pcf or 0.0) for d in fp_inputs)
    process_total = sum(p["pcf"] for p in process)
    computed: float | None
    if f_in is not None:
        computed = f_in + process_total
        formula = (
            f"mass-weighted input footprint {f_in:g} + process emissions {process_total:g} "
            f"= {computed:g}"
        )
    else:
        attesting = (index.target(node, link.pointer) for link in credit.attested_by)
        direct = [
            found
            for t in attesting
            if t is not None and PCF in attestation_types(t)
            if (found := footprint_of(t, [credit.product])) is not None
            and found[1] == "cradleToGate"
        ]
        computed = direct[0][0] if direct else None
        formula = (
            "no footprint credits among the inputs: the output is attested cradle-to-gate"
            if direct
            else "no footprint credits among the inputs and no cradle-to-gate attestation "
            "of the output"
        )
    return {
        "claimed": credit.pcf,
        "computed": None if computed is None else round(computed, 6),
        "unit": "kg CO2e per kg",
        "creditQuantity": {"value": credit.value, "unit": credit.unit},
        "inputs": [
            {"product": d.product, "kg": d.kg, "pcf": d.pcf, "sources": _urls(d)} for d in fp_inputs
        ],
        "process": process,
        "formula": formula,
        "outcome": "passed"
        if computed is not None and credit.pcf is not None and close(credit.pcf, computed)
        else "failed",
    }


def _energy(subject: Any, product: str) -> tuple[float, float] | None:
    """(units, kWh per unit) of output ``product`` when it declares its energy capacity."""
    for item in as_list(subject.get("outputProduct") if isinstance(subject, dict) else None):
        made = item.get("product") if isinstance(item, dict) else None
        if not isinstance(made, dict) or made.get("id") != product:
            continue
        assert isinstance(item, dict)
        traits = made.get("characteristics")
        capacity = traits.get("energyCapacity") if isinstance(traits, dict) else None
        quantity = item.get("quantity")
        if not isinstance(capacity, dict) or not isinstance(quantity, dict):
            return None
        kwh, units = number(capacity.get("value")), number(quantity.get("value"))
        if capacity.get("unit") != "KWH" or quantity.get("unit") not in _COUNT_UNITS:
            return None
        if kwh is None or units is None or kwh <= 0 or units <= 0:
            return None
        return units, kwh
    return None


def _kwh_claims(index: GraphIndex, product: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, claim name, measure) of each passport claim of ``product``'s carbon footprint
    per kWh."""
    out = []
    for node in index.report.nodes.values():
        if node.document is None or not node.usable or DPP not in node.types:
            continue
        single = isinstance(node.document.get("credentialSubject"), dict)
        for s_index, passport in enumerate(node.subjects()):
            if passport.get("id") != product:
                continue
            base = "/credentialSubject" if single else f"/credentialSubject/{s_index}"
            for c_index, claim in enumerate(as_list(passport.get("performanceClaim"))):
                if not isinstance(claim, dict) or claim.get("propertyKind") != "carbonFootprint":
                    continue
                for performance in as_list(claim.get("claimedPerformance")):
                    measure = performance.get("measure") if isinstance(performance, dict) else None
                    if (
                        isinstance(measure, dict)
                        and measure.get("unit") == "KWH"
                        and number(measure.get("value")) is not None
                    ):
                        where = f"{node.key}#{base}/performanceClaim/{c_index}"
                        name = str(claim.get("name", claim.get("id", f"claim {c_index}")))
                        out.append((where, name, measure))
    return out


def _per_kwh(index: GraphIndex, subject: Any, entry: dict[str, Any], calc: dict[str, Any]) -> None:
    """The footprint per kWh of an output that declares its energy (see the module docstring),
    kept in ``calc["perKWh"]``, and the check of the passports' per-kWh claims against it."""
    energy = _energy(subject, entry["product"])
    if energy is None:
        return
    units, kwh = energy
    total_kwh = units * kwh
    kg = to_kg(calc["creditQuantity"])
    per_kg = calc["computed"]
    f_in = _weighted((i["kg"] or 0.0, i["pcf"] or 0.0) for i in calc["inputs"])
    process_total = sum(p["pcf"] for p in calc["process"])
    computed = None if per_kg is None or kg is None else per_kg * kg / total_kwh
    if computed is None:
        formula = "no per-kg footprint or credited mass to express per kWh"
    else:
        input_text = "" if f_in is None else f"mass-weighted input footprint {f_in:g} + "
        formula = (
            f"({input_text}process emissions {process_total:g}) kg CO2e per kg "
            f"× credited mass {kg:.10g} kg = {per_kg * kg:.10g} kg CO2e; "
            f"÷ ({units:g} units × {kwh:g} kWh = {total_kwh:g} kWh) = {computed:.6g}"
        )
    claims = _kwh_claims(index, entry["product"])
    results = []
    for where, name, measure in claims:
        claimed = number(measure.get("value"))
        assert claimed is not None
        ok = computed is not None and close(claimed, computed, measure)
        outcome = "passed" if ok else "failed"
        results.append({"claim": where, "claimed": claimed, "outcome": outcome})
        if ok:
            index.report.checks.record(checks.ROLLUP_FOOTPRINT, Outcome.PASSED, path=where)
        else:
            index.report.checks.record(
                checks.ROLLUP_FOOTPRINT,
                Outcome.FAILED,
                "Footprint per kWh does not roll up",
                f"{name}: claims {claimed:g} kg CO2e/kWh; {formula}",
                path=where,
            )
    calc["perKWh"] = {
        "computed": None if computed is None else round(computed, 6),
        "unit": "kg CO2e per kWh",
        "energy": {"units": units, "kWhPerUnit": kwh, "kWh": total_kwh},
        "creditedKg": kg,
        "claims": results,
        "formula": formula,
        "outcome": "failed" if any(r["outcome"] == "failed" for r in results) else "passed",
    }


def _recycled(credit: Credit, inputs: list[Debit]) -> dict[str, Any]:
    rc_inputs = [
        d
        for d in inputs
        if d.kind == "recycledContent"
        and d.kg
        and (credit.material is None or d.material == credit.material)
    ]
    fractions = [1.0 if d.recycled_fraction is None else d.recycled_fraction for d in rc_inputs]
    computed = _weighted((d.kg or 0.0, f) for d, f in zip(rc_inputs, fractions, strict=True))
    claimed = 1.0 if credit.recycled_fraction is None else credit.recycled_fraction
    material = {} if credit.material is None else {"material": credit.material}
    return {
        **material,
        "claimed": claimed,
        "computed": None if computed is None else round(computed, 6),
        "unit": "fraction",
        "creditQuantity": {"value": credit.value, "unit": credit.unit},
        "inputs": [
            {"product": d.product, "kg": d.kg, "recycledFraction": f, "sources": _urls(d)}
            for d, f in zip(rc_inputs, fractions, strict=True)
        ],
        "formula": "mass-weighted recycled fraction of the inputs' recycled-content credits"
        + ("" if credit.material is None else f" of {credit.material}"),
        "outcome": "passed" if computed is not None and close(claimed, computed) else "failed",
    }


def _outputs(node: Node, prefix: str) -> list[dict[str, Any]]:
    """One roll-up entry per output product of the make event at ``prefix``."""
    subject: Any = _at(node, prefix)
    out = []
    for item in as_list(subject.get("outputProduct") if isinstance(subject, dict) else None):
        product = item.get("product") if isinstance(item, dict) else None
        if isinstance(product, dict) and isinstance(product.get("id"), str):
            out.append(
                {
                    "event": node.key,
                    "product": product["id"],
                    "name": product.get("name"),
                    "quantity": item.get("quantity"),
                    "carbonFootprint": None,
                    "recycledContent": None,
                }
            )
    return out


def _rollup_event(index: GraphIndex, node: Node, rolling: RollingAverage) -> None:
    report = index.report
    flows = index.flows[node.key]
    makes = {_subject_prefix(d.pointer) for d in flows.debits if d.event == "make"} | {
        _subject_prefix(c.pointer) for c in flows.credits if "/outputProduct/" in c.pointer
    }
    for prefix in sorted(makes):
        inputs = [d for d in flows.debits if d.pointer.startswith(prefix + "/")]
        outputs = [c for c in flows.credits if c.pointer.startswith(prefix + "/")]
        process = _process_emissions(index, node, prefix)
        entries = {entry["product"]: entry for entry in _outputs(node, prefix)}
        for credit in outputs:
            where = f"{node.key}#{credit.pointer}"
            entry = entries.get(credit.product)
            if entry is None:
                continue
            if credit.kind == "carbonFootprint" and credit.pcf is not None:
                calc = entry["carbonFootprint"] = _footprint(index, node, credit, inputs, process)
                check, title = checks.ROLLUP_FOOTPRINT, "Footprint does not roll up"
                detail = f"{credit.product} claims {credit.pcf:g} kg CO2e/kg; {calc['formula']}"
            elif credit.kind == "recycledContent":
                calc = _recycled(credit, inputs)
                if credit.material is None:
                    entry["recycledContent"] = calc
                else:
                    entry.setdefault("recycledContentByMaterial", {})[credit.material] = calc
                check, title = checks.ROLLUP_RECYCLED, "Recycled fraction does not roll up"
                computed = "none" if calc["computed"] is None else f"{calc['computed']:g}"
                of = "" if credit.material is None else f" of {credit.material}"
                detail = (
                    f"{credit.product} claims a recycled fraction{of} of {calc['claimed']:g}; "
                    f"the inputs' recycled-content credits{of} give {computed}"
                )
            else:
                continue
            if calc["outcome"] == "passed":
                report.checks.record(check, Outcome.PASSED, path=where)
            else:
                report.checks.record(check, Outcome.FAILED, title, detail, path=where)
            if credit.kind == "carbonFootprint":
                _per_kwh(index, _at(node, prefix), entry, calc)
        subject = _at(node, prefix)
        if isinstance(subject, dict):
            for claim in claims_of(node, prefix, subject):
                rolling.check(node, subject, claim)
                if (entry := entries.get(claim["product"])) is not None:
                    entry.setdefault("rollingAverage", []).append(claim)
        for entry in entries.values():
            by_material = entry.get("recycledContentByMaterial")
            if by_material and entry["recycledContent"] is None:
                entry["recycledFraction"] = None  # a share per element, not of the product
            else:
                entry["recycledFraction"] = _recycled_share(entry)
            if by_material:
                masses = _element_masses(_at(node, prefix), entry["product"], entry["quantity"])
                entry["recycledFractionByMaterial"] = {
                    code: _share(calc, masses.get(code))
                    for code, calc in sorted(by_material.items())
                }
            report.products.append(entry)
        credit_method = [c for c in outputs if not is_rolling(_at(node, c.pointer))]
        _conserve(index, node, prefix, inputs, credit_method)


def _recycled_share(entry: dict[str, Any]) -> float | None:
    """The share of the output product backed by recycled-content credits (0 without any)."""
    mass = to_kg(entry.get("quantity"))
    calc = entry.get("recycledContent")
    if calc is None:
        return 0.0 if mass else None
    return _share(calc, mass)


def _element_masses(subject: Any, product: str, quantity: Any) -> dict[str, float]:
    """The mass (kg) of each material of output ``product`` by its ``materialProvenance``
    (``mass``, else ``massFraction`` × the output quantity), keyed by materialType code."""
    total = to_kg(quantity)
    out: dict[str, float] = {}
    items = subject.get("outputProduct") if isinstance(subject, dict) else None
    for item in as_list(items):
        made = item.get("product") if isinstance(item, dict) else None
        if not isinstance(made, dict) or made.get("id") != product:
            continue
        for material in as_list(made.get("materialProvenance")):
            kind = material.get("materialType") if isinstance(material, dict) else None
            code = kind.get("code") if isinstance(kind, dict) else None
            if not isinstance(code, str):
                continue
            assert isinstance(material, dict)
            mass = to_kg(material.get("mass"))
            fraction = number(material.get("massFraction"))
            if mass is None and fraction is not None and total is not None:
                mass = fraction * total
            if mass:
                out[code] = out.get(code, 0.0) + mass
    return out


def _share(calc: dict[str, Any], mass: float | None) -> float | None:
    """The share of ``mass`` backed by the recycled-content credit of ``calc``."""
    credit_kg = to_kg(calc["creditQuantity"])
    if not mass or credit_kg is None:
        return None
    share: float = min(1.0, credit_kg * float(calc["claimed"]) / mass)
    return round(share, 6)


def _urls(debit: Debit) -> list[str]:
    return [source.url for source in debit.sources]


def _at(node: Node, prefix: str) -> Any:
    value: Any = node.document
    for part in prefix.strip("/").split("/"):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _factor(node: Node, prefix: str) -> float:
    subject = _at(node, prefix)
    factors = [
        f
        for entry in as_list(subject.get("conversionFactor") if isinstance(subject, dict) else None)
        if isinstance(entry, dict) and (f := number(entry.get("factor"))) is not None and f > 0
    ]
    return max(factors) if factors else 1.0


def _conserve(
    index: GraphIndex, node: Node, prefix: str, inputs: list[Debit], outputs: list[Credit]
) -> None:
    factor = _factor(node, prefix)
    for kind in sorted({c.account_kind for c in outputs}):
        made = sum(c.kg or 0.0 for c in outputs if c.account_kind == kind)
        used = sum(d.kg or 0.0 for d in inputs if d.account_kind == kind)
        where = f"{node.key}#{prefix}"
        if made <= used * factor + _EPSILON_KG:
            index.report.checks.record(checks.MASSBALANCE_CONSERVATION, Outcome.PASSED, path=where)
            continue
        index.report.checks.record(
            checks.MASSBALANCE_CONSERVATION,
            Outcome.FAILED,
            "More certified output than input",
            f"the event credits {made / 1000:g} t of {kind} to its outputs from "
            f"{used / 1000:g} t of input credits × conversion factor {factor:g}",
            path=where,
        )


def _units(index: GraphIndex, node: Node, items: Iterable[Credit | Debit]) -> None:
    for item in items:
        if item.kg is None:
            index.report.checks.record(
                checks.MASSBALANCE_UNIT,
                Outcome.FAILED,
                "Credit not in a mass unit",
                f"the {item.kind} credit of {item.value:g} {item.unit} cannot be balanced: "
                "credits are quantities of material (KGM, TNE, ...)",
                path=f"{node.key}#{item.pointer}",
            )


def _credential(node: Node) -> Credential:
    """``node`` as the ledger names a credential making postings."""
    ident = (node.document or {}).get("id")
    return Credential(
        ident if isinstance(ident, str) else node.key, node.issuer or "", node.digest or node.key
    )


def _holders(node: Node, credits: Sequence[Credit], at: datetime) -> dict[tuple[str, str], str]:
    """Who holds each account (product, kind) ``node`` opens, as the ledger opens it.

    The accounts are opened by :func:`vcservice.ledger.rules.post` on an empty book, so the
    rule that decides the holder (the consignee a crediting move names, else the issuer) is the
    ledger's one copy. Amounts play no part in who holds an account: they are opened empty
    (the graph's own account of amounts is ``massbalance.overallocated``'s).
    """
    openings: dict[tuple[str, str], Opening] = {}
    for credit in credits:
        key = (credit.product, credit.account_kind)
        openings.setdefault(key, Opening(credit.product, credit.account_kind, 0, credit.consignee))
    posting = post(
        Book(),
        _credential(node),
        Postings((), tuple(openings.values())),
        tenant_id="",
        now=at,
        first_seq=0,
    )
    return {
        (entry.product or "", entry.property_kind): entry.holder
        for entry in posting.entries
        if entry.kind == "credit"
    }


def _refused(account: dict[str, Any], drawer: Node, at: datetime) -> bool:
    """Whether the ledger refuses a debit of ``account`` by ``drawer``'s issuer
    (:func:`vcservice.ledger.rules.apply`: only the account's holder may draw on it).

    The debit is of nothing from an empty account: ``apply`` judges the holder before the
    balance, and whether the amounts add up is ``massbalance.overallocated``'s question."""
    held = LedgerAccount(
        account["digest"], account["product"], account["property"], account["holder"], 0, 0
    )
    credential = _credential(drawer)
    entry = Entry(
        kind="debit",
        digest=held.digest,
        product=held.product,
        property_kind=held.kind,
        amount_mg=0,
        credential_id=credential.credential_id,
        credential_digest=credential.digest,
        tenant_id="",
        created_at=at,
        holder=credential.issuer,
        issuer=credential.issuer,
    )
    try:
        apply({held.key: held}, 0, entry)
    except NotHolderError:
        return True
    return False


def _not_holder(
    index: GraphIndex,
    key: str,
    debit: Debit,
    accounts: list[dict[str, Any]],
    consigned: set[tuple[str, str, str]],
) -> None:
    """Judge one debit of ``key``, charged to ``accounts``, by the ledger's holder rule;
    ``consigned`` are the keys of the accounts held by the consignee of a move."""
    report = index.report
    drawer = report.nodes[key]
    where = f"{key}#{debit.pointer}"
    refused = [a for a in accounts if _refused(a, drawer, report.at)]
    if not refused:
        report.checks.record(checks.MASSBALANCE_NOT_HOLDER, Outcome.PASSED, path=where)
        return
    account = refused[0]
    how = (
        "the consignee it was moved to"
        if (account["digest"], account["product"], account["property"]) in consigned
        else "the issuer of that credential"
    )
    report.checks.record(
        checks.MASSBALANCE_NOT_HOLDER,
        Outcome.FAILED,
        "Credit spent by a party that does not hold it",
        f"{key}, issued by {drawer.issuer}, spends {(debit.kg or 0.0) / 1000:g} t of "
        f"{account['property']} credit of {account['product']} from the account opened by "
        f"{account['credential']} (digest {account['digest']}), which is held by "
        f"{account['holder']}, {how}: only the holder of a credit may spend it",
        path=where,
    )


def _accounts(index: GraphIndex, registries: Registries) -> None:
    """Accounts keyed by the digest of the credential that opens them (so one credential
    served at two URLs is one account), then every debit charged to the first source link
    that reaches a credential with an account of its kind (and product), and judged by the
    ledger's holder rule against every such account (see ``massbalance.not-holder``) and
    by its home registry's receipts (``massbalance.unregistered``)."""
    report = index.report
    charged: list[tuple[Charged, dict[str, Any]]] = []
    accounts: dict[tuple[str, str, str], dict[str, Any]] = {}
    by_owner: dict[tuple[str, str], list[dict[str, Any]]] = {}
    consigned: set[tuple[str, str, str]] = set()
    for key, flows in index.flows.items():
        node = report.nodes[key]
        owner = node.digest or key
        credits = [credit for credit in flows.credits if credit.kg is not None]
        holders = _holders(node, credits, report.at) if credits else {}
        for credit in credits:
            assert credit.kg is not None
            kind = credit.account_kind
            account = accounts.get((owner, credit.product, kind))
            if account is None:
                account = {
                    "credential": key,
                    "digest": owner,
                    "product": credit.product,
                    "property": kind,
                    "holder": holders[(credit.product, kind)],
                    "registry": home_did(node),
                    "kg": 0.0,
                    "debits": [],
                }
                accounts[(owner, credit.product, kind)] = account
                by_owner.setdefault((owner, kind), []).append(account)
                if credit.consignee is not None:
                    consigned.add((owner, credit.product, kind))
                _two_holders(index, account, credits, credit)
            account["kg"] += credit.kg
    for key, flows in index.flows.items():
        for debit in flows.debits:
            if debit.kg is None:
                continue
            for source in debit.sources:
                target = index.target(report.nodes[key], source.pointer)
                drawn = "" if target is None else (target.digest or target.key)
                matches = [
                    a
                    for a in by_owner.get((drawn, debit.account_kind), [])
                    if debit.product is None or a["product"] == debit.product
                ]
                if matches:
                    spent = {"by": key, "pointer": debit.pointer, "kg": debit.kg}
                    matches[0]["debits"].append(spent)
                    charged.append((Charged(key, debit, tuple(matches)), spent))
                    _not_holder(index, key, debit, matches, consigned)
                    break
    outcomes = check_registrations(index, registries, [item for item, _ in charged])
    for (_, spent), outcome in zip(charged, outcomes, strict=True):
        spent["registration"] = outcome
    for account in accounts.values():
        spent = sum(d["kg"] for d in account["debits"])
        account["spentKg"] = spent
        account["balanceKg"] = account["kg"] - spent
        report.accounts.append(account)
        where = account["credential"]
        if spent <= account["kg"] + _EPSILON_KG:
            report.checks.record(checks.MASSBALANCE_OVERALLOCATED, Outcome.PASSED, path=where)
            continue
        spenders = ", ".join(f"{d['by']} ({d['kg'] / 1000:g} t)" for d in account["debits"])
        report.checks.record(
            checks.MASSBALANCE_OVERALLOCATED,
            Outcome.FAILED,
            "Certified quantity allocated twice",
            f"{account['kg'] / 1000:g} t of {account['property']} credits for "
            f"{account['product']} are spent {spent / 1000:g} t in total by {spenders}",
            path=where,
        )


def _two_holders(
    index: GraphIndex, account: dict[str, Any], credits: list[Credit], first: Credit
) -> None:
    """A credential whose credits of one product and kind go to two holders (two moves in one
    credential to different consignees): the ledger refuses to post it, since no one could
    be shown to hold the account; the graph fails it where the account is opened."""
    others = sorted(
        {
            c.consignee or "its issuer"
            for c in credits
            if (c.product, c.account_kind) == (first.product, first.account_kind)
            and c.consignee != first.consignee
        }
    )
    if not others:
        return
    index.report.checks.record(
        checks.MASSBALANCE_NOT_HOLDER,
        Outcome.FAILED,
        "Credit with two holders",
        f"the credits of {first.product} ({first.account_kind}) in this credential go to "
        f"{first.consignee or 'its issuer'} and to {', '.join(others)}: an account has one "
        "holder, so none of them can be shown to hold it (the ledger refuses such a "
        "credential; issue the credits in separate credentials)",
        path=f"{account['credential']}#{first.pointer}",
    )


def check_balance(index: GraphIndex, registries: Registries) -> None:
    rolling = RollingAverage(index)
    for node in index.report.nodes.values():
        flows = index.flows.get(node.key)
        if flows is None:
            continue
        _units(index, node, (*flows.credits, *flows.debits))
        if any("MakeEvent" in as_list(s.get("type")) for s in node.subjects()):
            _rollup_event(index, node, rolling)
    _accounts(index, registries)
