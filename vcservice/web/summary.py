"""A graph report as the few figures a buyer reads first: what product, what footprint, what
recycled share, which credits, who certified, where it comes from, and what went wrong.

Everything here is a pure function of a :class:`~vcservice.graph.GraphReport`: the verifier has
already done the arithmetic (``report.products``), the mass balance (``report.accounts``) and
the trust chains (``report.trust``); this module only picks what concerns the root and says it
in words, with units by name and credentials by their names, never by check id or URL. The
check ids stay in :attr:`Summary.technical` for the page's "Technical details".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from vcservice.credits import to_kg
from vcservice.graph import GraphReport, Node
from vcservice.graph._claims import close
from vcservice.graph._model import as_list, number, subjects_of
from vcservice.report import Check, Outcome
from vcservice.web.words import (
    claimed_percent,
    country,
    element,
    footprint_unit,
    mass,
    num,
    percent,
    quantity,
    trust_problem,
)

DPP = "DigitalProductPassport"
DIA = "DigitalIdentityAnchor"
_PRODUCT_KEYS = ("modifiedProduct", "movedProduct", "outputProduct")
_MAX_PRODUCTS = 3
_MAX_STEPS = 6
#: Kinds of credit account (a property, by ``report.accounts``) → what a buyer calls them.
_CREDIT_WORDS = {
    "carbonFootprint": "Carbon-footprint credits",
    "recycledContent": "Recycled-content credits",
    "responsibleSourcing": "Responsibly-sourced material credits",
}


#: Where the trust anchors came from: typed by the buyer on this page, named by the bundle
#: that was verified, the service's default, or typed by whoever made a shared result link.
AnchorSource = Literal["you", "bundle", "default", "link"]
#: How a figure says whose anchor it is (after the anchor's name and DID). A name comes from
#: an unverified credential and a bundle's anchor from the supplier: only "you" is the reader's.
ANCHOR_WORDS: dict[str, str] = {
    "you": "the trust anchor you chose",
    "bundle": "named by the bundle you verified — make sure you trust it",
    "default": "this service's default trust anchor",
    "link": "the trust anchor chosen by whoever made this link",
}
#: The same, as the body the certifiers are (or are not) accredited by, in a sentence.
ANCHOR_BODY: dict[str, str] = {
    "you": "a body you trust",
    "bundle": "the trust anchor named by the bundle you verified",
    "default": "this service's default trust anchor",
    "link": "the trust anchor chosen by whoever made this link",
}
#: Worst first: how several checks' outcomes make one state.
_WORST = ("failed", "indeterminate", "passed")


# --- words not shared with other pages ---------------------------------------------------
def did_label(did: str) -> str:
    """A DID without a known name: its web host (``did:web:a.example`` → a.example)."""
    if did.startswith("did:web:"):
        return did.removeprefix("did:web:").split(":", 1)[0].replace("%3A", ":")
    return did if len(did) <= 40 else did[:39] + "…"


def short_url(url: str) -> str:
    """The last part of a URL (a credential's file name) for when it has no name at all."""
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail and len(tail) <= 48 else "a linked credential"


# --- the model ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """One sentence of a figure; ``state`` marks it passed, failed or indeterminate ("" for
    plain information); ``title`` is shown on hover (a DID, a full formula)."""

    text: str
    state: str = ""
    title: str = ""


@dataclass(frozen=True)
class Figure:
    """A headline figure: ``value`` is what the eye catches, ``note`` says whether it holds,
    ``lines`` give the arithmetic or the list behind it."""

    label: str
    value: str
    note: str = ""
    state: str = ""
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Product:
    name: str
    batch: str | None
    amount: str | None
    passport: str | None
    maker: str | None


@dataclass(frozen=True)
class NoAnchor:
    """No accreditation body was chosen: who could be (name, DID), and a link to verify again
    trusting one when the input was an address, as (DID, link): labelled by the DID, since
    the chain being checked is what named that body (and its name)."""

    bodies: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Summary:
    subject: str
    products: tuple[Product, ...]
    footprint: Figure
    recycled: Figure
    credits: Figure
    certifiers: Figure
    origins: Figure
    reason: str | None
    more_problems: int
    technical: tuple[tuple[str, str, str], ...]
    #: The trust anchors as (name, DID).
    anchors: tuple[tuple[str, str], ...]
    no_anchor: NoAnchor | None = None
    accounts: tuple[Line, ...] = field(default_factory=tuple)
    #: Where the anchors came from, and that in words (after the anchors' names), and as the
    #: body the certifiers are accredited by (in the verdict's sentence).
    anchor_source: AnchorSource = "you"
    anchor_words: str = ANCHOR_WORDS["you"]
    anchor_body: str = ANCHOR_BODY["you"]


# --- reading the graph --------------------------------------------------------------------
class _Graph:
    """Look-ups over one report that every figure needs: names of parties, products and
    credentials, passports by product, roll-up entries by product."""

    def __init__(self, report: GraphReport) -> None:
        self.report = report
        self.parties: dict[str, str] = {}
        self.product_names: dict[str, str] = {}
        self.passports: dict[str, Node] = {}
        for node in report.nodes.values():
            if node.issuer and node.issuer_name:
                self.parties.setdefault(node.issuer, node.issuer_name)
            for subject in node.subjects():
                for party in _parties(subject):
                    self.parties.setdefault(party[0], party[1])
                if DPP in node.types and isinstance(subject.get("id"), str):
                    self.passports.setdefault(subject["id"], node)
                for product in _products_in(subject, DPP in node.types):
                    pid, name = product.get("id"), product.get("name")
                    if isinstance(pid, str) and isinstance(name, str):
                        self.product_names.setdefault(pid, name)
        #: Every check of the report, once (figures take their states from these).
        self.checks: list[Check] = list(report.all_checks())
        self.entries: dict[str, dict[str, Any]] = {}
        for entry in report.products:
            if isinstance(entry, dict) and isinstance(entry.get("product"), str):
                self.entries.setdefault(entry["product"], entry)
                if isinstance(entry.get("name"), str):
                    self.product_names.setdefault(entry["product"], entry["name"])

    def state(self, check_id: str, where: str | None = None) -> str:
        """The worst outcome of the report's ``check_id`` checks (those located at or under
        ``where``, a ``key#pointer``, if given): failed, indeterminate, passed, or "" when
        the verifier ran none. Figures say pass or fail by this, never by their own sums."""
        found = {
            c.outcome.value
            for c in self.checks
            if (c.id == check_id or (check_id.endswith(".") and c.id.startswith(check_id)))
            and (where is None or _under(c.path, where))
        }
        return next((state for state in _WORST if state in found), "")

    def party(self, did: str | None) -> str:
        if not did:
            return "an unknown party"
        return self.parties.get(did, did_label(did))

    def product(self, pid: str) -> str:
        return self.product_names.get(pid, short_url(pid))

    def credential(self, key: str) -> str:
        node = self.report.nodes.get(key)
        name = (node.document or {}).get("name") if node else None
        return name if isinstance(name, str) and name else short_url(key)


def _under(path: str | None, where: str) -> bool:
    return path is not None and (path == where or path.startswith(where + "/"))


def _worst(states: Iterable[str]) -> str:
    found = set(states)
    return next((state for state in _WORST if state in found), "")


def _parties(subject: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for related in as_list(subject.get("relatedParty")):
        party = related.get("party") if isinstance(related, Mapping) else None
        if isinstance(party, Mapping):
            pid, name = party.get("id"), party.get("name")
            if isinstance(pid, str) and isinstance(name, str):
                yield pid, name
    for key in ("registrar", "issuedTo", "consignee", "consignor", "assessorParty"):
        party = subject.get(key)
        if isinstance(party, Mapping):
            pid, name = party.get("id"), party.get("name")
            if isinstance(pid, str) and isinstance(name, str):
                yield pid, name
    if "Accreditation" in as_list(subject.get("type")):
        pid, name = subject.get("id"), subject.get("registeredName")
        if isinstance(pid, str) and isinstance(name, str):
            yield pid, name


def _products_in(subject: Mapping[str, Any], passport: bool) -> Iterator[Mapping[str, Any]]:
    if passport:
        yield subject
    for key in (*_PRODUCT_KEYS, "inputProduct"):
        for item in as_list(subject.get(key)):
            product = item.get("product") if isinstance(item, Mapping) else None
            if isinstance(product, Mapping):
                yield product


def _root_products(graph: _Graph) -> list[tuple[str, dict[str, Any]]]:
    """The products the root is about, in order: a passport's own product; an event's moved,
    made or modified products; then the products whose credits the root draws on (a claim
    event retires the wire's credits into computers: the wire's passport matters)."""
    report = graph.report
    root = report.nodes.get(report.root)
    found: dict[str, dict[str, Any]] = {}
    if root is not None:
        for subject in root.subjects():
            if DPP in root.types and isinstance(subject.get("id"), str):
                found.setdefault(subject["id"], {"product": subject})
            for key in _PRODUCT_KEYS:
                for item in as_list(subject.get(key)):
                    product = item.get("product") if isinstance(item, Mapping) else None
                    if isinstance(product, Mapping) and isinstance(product.get("id"), str):
                        found.setdefault(
                            product["id"], {"product": product, "quantity": item.get("quantity")}
                        )
    for account in report.accounts:
        if any(d.get("by") == report.root for d in account.get("debits", [])):
            found.setdefault(str(account["product"]), {})
    return list(found.items())


def _product_view(graph: _Graph, pid: str, seen: Mapping[str, Any]) -> Product:
    given = seen.get("product") if isinstance(seen.get("product"), Mapping) else {}
    assert isinstance(given, Mapping)
    passport = graph.passports.get(pid)
    subject = (
        next((s for s in subjects_of(passport.document) if s.get("id") == pid), {})
        if (passport)
        else {}
    )
    entry = graph.entries.get(pid, {})
    batch = given.get("batchNumber") or subject.get("batchNumber") or given.get("serialNumber")
    amount = quantity(seen.get("quantity")) or quantity(entry.get("quantity"))
    if amount is None:
        masses = [to_kg(m.get("mass")) for m in as_list(subject.get("materialProvenance"))]
        total = sum(m for m in masses if isinstance(m, float))
        amount = mass(total) if total else None
    return Product(
        name=graph.product(pid),
        batch=batch if isinstance(batch, str) else None,
        amount=amount,
        passport=graph.credential(passport.key) if passport else None,
        maker=graph.party(passport.issuer) if passport else None,
    )


def _claims(graph: _Graph, pids: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every performance claim of the passports of ``pids`` and every credit the root
    retires, as (product id, {kind, value, unit, material, name})."""
    report = graph.report
    root = report.nodes.get(report.root)
    for pid in pids:
        passport = graph.passports.get(pid)
        document = passport.document if passport else None
        single = isinstance((document or {}).get("credentialSubject"), Mapping)
        for s_index, subject in enumerate(subjects_of(document)):
            if subject.get("id") != pid:
                continue
            base = "/credentialSubject" if single else f"/credentialSubject/{s_index}"
            for c_index, claim in enumerate(as_list(subject.get("performanceClaim"))):
                if not isinstance(claim, Mapping):
                    continue
                assert passport is not None
                where = f"{passport.key}#{base}/performanceClaim/{c_index}"
                for performance in as_list(claim.get("claimedPerformance")):
                    measure = (
                        performance.get("measure") if isinstance(performance, Mapping) else None
                    )
                    if isinstance(measure, Mapping) and number(measure.get("value")) is not None:
                        yield (
                            pid,
                            {
                                "kind": claim.get("propertyKind"),
                                "value": number(measure.get("value")),
                                "unit": measure.get("unit"),
                                "material": _material(claim.get("material")),
                                "name": claim.get("name"),
                                "where": where,
                            },
                        )
                        break
    for subject in subjects_of(root.document if root else None):
        for credit in as_list(subject.get("retiredCredit")):
            if not isinstance(credit, Mapping):
                continue
            kind = credit.get("propertyKind")
            value = number(
                credit.get("pcfExcludingBiogenicUptake")
                if kind == "carbonFootprint"
                else credit.get("recycledFraction")
            )
            if value is not None:
                yield (
                    "",
                    {
                        "kind": kind,
                        "value": value,
                        "unit": credit.get("declaredUnitOfMeasurement") or "KGM",
                        "material": _material(credit.get("material")),
                        "name": None,
                        "where": None,
                        "retired": quantity(credit.get("creditQuantity")),
                    },
                )


def _material(value: Any) -> str | None:
    code = value.get("code") if isinstance(value, Mapping) else value
    return code if isinstance(code, str) else None


# --- footprint ----------------------------------------------------------------------------
def _steps(graph: _Graph, entry: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The footprint roll-ups from ``entry`` upstream (product first), through each input
    product that has a roll-up of its own."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    todo, seen = [entry], set()
    while todo and len(out) < _MAX_STEPS:
        current = todo.pop(0)
        pid = str(current.get("product"))
        footprint = current.get("carbonFootprint")
        if pid in seen or not isinstance(footprint, Mapping):
            continue
        seen.add(pid)
        out.append((pid, footprint))
        for item in as_list(footprint.get("inputs")):
            upstream = (
                graph.entries.get(str(item.get("product"))) if isinstance(item, Mapping) else None
            )
            if upstream is not None:
                todo.append(upstream)
    return out


def _step_line(graph: _Graph, pid: str, footprint: Mapping[str, Any]) -> Line:
    formula = str(footprint.get("formula") or "")
    outcome = str(footprint.get("outcome") or "")
    claimed = number(footprint.get("claimed"))
    said = f"; claimed {num(claimed)}" if outcome == "failed" and claimed is not None else ""
    return Line(f"{graph.product(pid)}: {formula} kg CO2e per kg{said}", outcome)


def _kwh_formula(footprint: Mapping[str, Any], per_kwh: Mapping[str, Any]) -> str:
    energy = per_kwh.get("energy") if isinstance(per_kwh.get("energy"), Mapping) else {}
    assert isinstance(energy, Mapping)
    per_kg, kg = number(footprint.get("computed")), number(per_kwh.get("creditedKg"))
    units, each, kwh = (number(energy.get(k)) for k in ("units", "kWhPerUnit", "kWh"))
    computed = number(per_kwh.get("computed"))
    if None in (per_kg, kg, units, each, kwh, computed):
        return str(per_kwh.get("formula") or "")
    assert per_kg is not None
    assert kg is not None
    assert computed is not None
    assert units is not None
    assert each is not None
    assert kwh is not None
    return (
        f"{num(per_kg)} kg CO2e per kg × {mass(kg)} of credited material = "
        f"{mass(per_kg * kg)} CO2e ÷ ({num(units)} units × {num(each)} kWh = {num(kwh)} kWh) "
        f"= {num(computed)} kg CO2e per kWh"
    )


def footprint_figure(graph: _Graph, pids: list[str]) -> Figure:
    """Claimed against computed, with the arithmetic of each roll-up step; per kWh when a
    passport declares its footprint per kWh (a battery's functional unit)."""
    claims = [(p, c) for p, c in _claims(graph, pids) if c["kind"] == "carbonFootprint"]
    entry = next(
        (
            graph.entries[p]
            for p in pids
            if p in graph.entries and graph.entries[p].get("carbonFootprint")
        ),
        None,
    )
    label = "Carbon footprint"
    if entry is None:
        if not claims:
            return Figure(label, "No carbon footprint claimed", state="")
        _, claim = claims[0]
        per = footprint_unit(claim["unit"]) or f"kg CO2e per {claim['unit']}"
        return Figure(
            label,
            f"{num(claim['value'])} {per}",
            "Claimed; not recomputed, as no production step with footprint credits was "
            "found in the chain.",
        )
    footprint = entry["carbonFootprint"]
    steps = _steps(graph, entry)
    lines = [_step_line(graph, pid, fp) for pid, fp in steps]
    failed = [graph.product(pid) for pid, fp in steps if fp.get("outcome") == "failed"]
    shown_events = {str(graph.entries.get(pid, {}).get("event")) for pid, _ in steps}
    kwh_claims = [c for _, c in claims if str(c["unit"]).upper() == "KWH"]
    per_kwh = footprint.get("perKWh")
    judged: list[Mapping[str, Any]]
    if kwh_claims and isinstance(per_kwh, Mapping):
        # the per-kWh roll-up compares the passports' own claims: show the one it judged
        judged = [r for r in as_list(per_kwh.get("claims")) if isinstance(r, Mapping)]
        claimed = number(judged[0].get("claimed")) if judged else kwh_claims[0]["value"]
        passport, computed, per = kwh_claims[0]["value"], number(per_kwh.get("computed")), "kWh"
        lines.insert(0, Line(_kwh_formula(footprint, per_kwh), str(per_kwh.get("outcome"))))
    else:
        # the per-kg roll-up compares the output credit's own figure, not the passport's claim
        kg_claims = [c["value"] for _, c in claims if str(c["unit"]).upper() in ("KGM", "")]
        claimed, computed, per = number(footprint.get("claimed")), None, "kg"
        computed, judged = number(footprint.get("computed")), []
        passport = kg_claims[0] if kg_claims else None
    beyond = [
        c
        for c in graph.checks
        if c.id == "rollup.footprint"
        and c.outcome is Outcome.FAILED
        and (c.path or "").split("#", 1)[0] not in shown_events
        and not (per == "kWh" and c.path and any(c.path == r.get("claim") for r in judged))
    ]
    if beyond and not failed:
        n = len(beyond)
        lines.append(
            Line(
                f"{n} more roll-up{'s' if n != 1 else ''} further up the chain do not add up",
                "failed",
            )
        )
    outcome = graph.state("rollup.footprint") or str(footprint.get("outcome") or "")
    shown = claimed if claimed is not None else computed
    value = f"{num(shown)} kg CO2e per {per}" if shown is not None else "not computed"
    said = num(claimed) if claimed is not None else "—"
    if outcome == "passed":
        got = num(computed) if computed is not None else "—"
        note = f"Claimed {said}, computed from the chain {got}: they agree."
    elif outcome == "indeterminate" or (computed is None and not failed and not beyond):
        note = f"Claimed {said}; it could not be recomputed from the chain."
    elif failed:
        note = f"Claimed {said}, but the chain does not add up at {', '.join(failed)}."
    elif beyond:
        note = f"Claimed {said}, but a roll-up further up the chain does not add up."
    else:
        got = num(computed) if computed is not None else "nothing"
        note = f"Claimed {said}, but the chain gives {got}."
    if passport is not None and claimed is not None and not close(passport, claimed):
        note += (
            f" The passport itself states {num(passport)} kg CO2e per {per}, not the "
            f"{num(claimed)} its credits carry; this check compares the credits."
        )
    return Figure(label, value, note, outcome, tuple(lines))


# --- recycled share -----------------------------------------------------------------------
def _element_masses(graph: _Graph, pid: str) -> dict[str, float]:
    passport = graph.passports.get(pid)
    out: dict[str, float] = {}
    for subject in subjects_of(passport.document if passport else None):
        if subject.get("id") != pid:
            continue
        for item in as_list(subject.get("materialProvenance")):
            code = _material(item.get("materialType")) if isinstance(item, Mapping) else None
            kg = to_kg(item.get("mass")) if isinstance(item, Mapping) else None
            if code and kg:
                out[code] = out.get(code, 0.0) + kg
    return out


def recycled_figure(graph: _Graph, pids: list[str]) -> Figure:
    """The recycled share of the product (per element when the credits name one), claimed
    against what the credits back, and every recycled-content roll-up in the chain."""
    label = "Recycled share"
    claims = [(p, c) for p, c in _claims(graph, pids) if c["kind"] == "recycledContent"]
    pid = next((p for p in pids if p in graph.entries), pids[0] if pids else "")
    entry = graph.entries.get(pid, {})
    by_material = entry.get("recycledContentByMaterial") or {}
    lines: list[Line] = []
    values: list[str] = []
    state = ""
    if by_material:
        masses = _element_masses(graph, pid)
        for code, calc in sorted(by_material.items()):
            claim = next((c for p, c in claims if c["material"] == code and p), None)
            claimed = claim["value"] if claim else None
            credit_kg = to_kg(calc.get("creditQuantity")) or 0.0
            backed = credit_kg * (number(calc.get("computed")) or 0.0)
            share = backed / masses[code] if masses.get(code) else None
            shown = claimed if claimed is not None else share
            if shown is not None:
                values.append(f"{element(code)} {claimed_percent(shown)}")
            text = f"Recycled {element(code)}: {mass(backed)} of recycled credits"
            if masses.get(code):
                text += f" for the {mass(masses[code])} of {element(code)} in it"
                if share is not None:
                    text += f" = {percent(share)}"
            if claimed is not None:
                agree = share is not None and abs(_fraction(claimed) - share) < 0.005
                text += f"; claimed {claimed_percent(claimed)}" + (": they agree" if agree else "")
            # pass or fail is the roll-up's (the report's check), never this page's sum
            lines.append(Line(text, str(calc.get("outcome") or "")))
            if claim is not None:
                lines.extend(_claim_lines(graph, claim))
    else:
        share = number(entry.get("recycledFraction"))
        claim = next((c for p, c in claims if p and c["material"] is None), None)
        if claim is not None:
            claimed = claim["value"]
            values.append(claimed_percent(claimed))
            text = f"Claimed {claimed_percent(claimed)}"
            if share is not None:
                text += f"; the recycled-content credits in the chain back {percent(share)}"
            lines.append(Line(text))
            lines.extend(_claim_lines(graph, claim))
        elif share is not None:
            values.append(percent(share))
            lines.append(
                Line(
                    f"{graph.product(pid)}: {percent(share)} backed by recycled-content credits"
                    if share
                    else f"{graph.product(pid)}: no recycled-content credits were allocated to it"
                )
            )
    for other, item in graph.entries.items():
        calc = item.get("recycledContent")
        if other == pid or not isinstance(calc, Mapping):
            continue
        claimed, computed = number(calc.get("claimed")), number(calc.get("computed"))
        said = percent(claimed) if claimed is not None else "—"
        got = percent(computed) if computed is not None else "nothing"
        lines.append(
            Line(
                f"{graph.product(other)}: claimed {said} recycled, computed from its inputs {got}",
                str(calc.get("outcome") or ""),
            )
        )
    for other, item in graph.entries.items():
        if other == pid:
            continue
        for code, calc in sorted((item.get("recycledContentByMaterial") or {}).items()):
            if calc.get("outcome") == "failed":
                claimed, computed = number(calc.get("claimed")), number(calc.get("computed"))
                lines.append(
                    Line(
                        f"{graph.product(other)}: recycled {element(code)} credits claimed "
                        f"{percent(claimed) if claimed is not None else '—'} recycled, computed "
                        f"{percent(computed) if computed is not None else 'nothing'}",
                        "failed",
                    )
                )
    state = _worst([*(line.state for line in lines), graph.state("rollup.recycled")])
    if not values and not lines:
        return Figure(label, "No recycled content claimed")
    unbacked = any(line.state == "failed" and line.text.startswith("The claim") for line in lines)
    note = {
        "failed": "A recycled-content claim is not backed by its certificate."
        if unbacked and graph.state("rollup.recycled") != "failed"
        else "A recycled-content figure does not add up.",
        "indeterminate": "Part of the recycled-content figures could not be checked.",
        "passed": "The recycled-content credits add up along the chain.",
    }.get(state, "")
    return Figure(
        label, ", ".join(values) or "Not claimed for this product", note, state, tuple(lines)
    )


def _fraction(claimed: float) -> float:
    """A claimed share as a fraction: credentials write 0.2 or 20 (see ``claimed_percent``)."""
    return claimed if claimed <= 1 else claimed / 100


#: What a failed or unchecked claim check says about the claim, by check id.
_CLAIM_WORDS = {
    "claims.unattested": "The claim is not backed by a matching certificate",
    "claims.mismatch": "The claim differs from the value its certificate attests",
}


def _claim_lines(graph: _Graph, claim: Mapping[str, Any]) -> list[Line]:
    """What the report's claim checks found wrong with one passport claim (nothing when they
    passed): the state is the verifier's, located at the claim."""
    where = claim.get("where")
    if not isinstance(where, str):
        return []
    out: list[Line] = []
    for check in graph.checks:
        if not check.id.startswith("claims.") or not _under(check.path, where):
            continue
        if check.outcome is Outcome.FAILED:
            text = _CLAIM_WORDS.get(check.id, "The claim's check failed")
        elif check.outcome is Outcome.INDETERMINATE:
            text = "The claim's certificate could not be checked"
        else:
            continue
        line = Line(text, check.outcome.value)
        if line not in out:
            out.append(line)
    return out


# --- credits ------------------------------------------------------------------------------
def _kind_label(kind: str) -> str:
    base, _, code = kind.partition("/")
    if code and base == "recycledContent":
        return f"Recycled-{element(code)} credits"
    label = _CREDIT_WORDS.get(base, f"{base} credits")
    return f"{label} ({element(code)})" if code else label


def _drawn(spent: float, available: float) -> str:
    if spent <= 0:
        return f"{mass(available)} available, none drawn yet"
    return f"{mass(spent)} drawn of {mass(available)} available"


def _account_line(graph: _Graph, account: Mapping[str, Any]) -> Line:
    available, spent = float(account.get("kg") or 0.0), float(account.get("spentKg") or 0.0)
    over = spent > available + 1e-6
    registrations = {d.get("registration") for d in account.get("debits", [])}
    state = "failed" if over or "failed" in registrations else "passed"
    if not over and "indeterminate" in registrations:
        state = "indeterminate"
    text = (
        f"{_kind_label(str(account.get('property')))} for {graph.product(str(account['product']))}"
        f", held by {graph.party(account.get('holder'))}: {_drawn(spent, available)}"
    )
    if over:
        text += f" — {mass(spent - available)} more than exists"
    elif "failed" in registrations:
        text += " — a spend is not confirmed by the credits' registry"
    return Line(text, state, str(account.get("holder") or ""))


def credits_figure(graph: _Graph, pids: list[str]) -> tuple[Figure, tuple[Line, ...]]:
    """The accounts the root draws on (else those of its products), plus any account in the
    chain that failed; and every account, for the full list further down the page."""
    report = graph.report
    accounts = [a for a in report.accounts if isinstance(a, Mapping)]
    every = tuple(_account_line(graph, a) for a in accounts)
    if not accounts:
        return Figure("Credits (mass balance)", "No certified credits in the chain"), every
    mine = [
        a for a in accounts if any(d.get("by") == report.root for d in a.get("debits", []))
    ] or [a for a in accounts if a.get("product") in pids]
    lines = [_account_line(graph, a) for a in mine]
    lines += [line for line in every if line.state == "failed" and line not in lines]
    over = sum(1 for a in accounts if float(a.get("spentKg") or 0) > float(a.get("kg") or 0) + 1e-6)
    unconfirmed = sum(
        1 for a in accounts for d in a.get("debits", []) if d.get("registration") == "failed"
    )
    confirmed = sum(
        1 for a in accounts for d in a.get("debits", []) if d.get("registration") == "passed"
    )
    value = f"{len(accounts)} accounts"
    if mine:  # the first account's figures: summing footprint and cobalt credits means nothing
        drawn, available = float(mine[0].get("spentKg") or 0.0), float(mine[0].get("kg") or 0.0)
        more = f" (+{len(mine) - 1} more)" if len(mine) > 1 else ""
        value = f"{_drawn(drawn, available)}{more}"
    parts = [
        f"{len(accounts)} credit account{'s' if len(accounts) != 1 else ''} in the chain",
        f"{over} over-allocated" if over else "none over-allocated",
    ]
    if confirmed:
        parts.append(f"{confirmed} spend{'s' if confirmed != 1 else ''} confirmed by a registry")
    if unconfirmed:
        parts.append(f"{unconfirmed} not confirmed")
    state = "failed" if over or unconfirmed or any(x.state == "failed" for x in lines) else "passed"
    return Figure(
        "Credits (mass balance)", value, "; ".join(parts) + ".", state, tuple(lines)
    ), every


# --- certifiers ---------------------------------------------------------------------------
def _accreditors(report: GraphReport) -> dict[str, list[str]]:
    """Who accredits whom, by the identity anchors in the graph (subject → issuers)."""
    out: dict[str, list[str]] = {}
    for node in report.nodes.values():
        if DIA not in node.types or not node.issuer:
            continue
        for subject in node.subjects():
            if isinstance(subject.get("id"), str) and node.issuer not in out.get(subject["id"], []):
                out.setdefault(subject["id"], []).append(node.issuer)
    return out


def _chain(accreditors: Mapping[str, list[str]], did: str) -> list[str]:
    path = [did]
    while len(path) < 8:
        above = [a for a in accreditors.get(path[-1], []) if a not in path]
        if not above:
            break
        path.append(above[0])
    return path


def root_bodies(report: GraphReport) -> list[str]:
    """The accreditation bodies at the top of the chains above the certifiers in the graph
    (the bodies a buyer could choose to trust)."""
    accreditors = _accreditors(report)
    out: list[str] = []
    for entry in report.trust:
        issuer = entry.get("issuer")
        if isinstance(issuer, str):
            top = _chain(accreditors, issuer)[-1]
            if top != issuer and top not in out:
                out.append(top)
    return out


def anchor_names(graph: _Graph) -> str:
    """The trust anchors as "name (DID)": a name is read from credentials nobody has verified
    yet, so the DID it stands for is always beside it."""
    return ", ".join(
        f"{graph.party(did)} ({did})" if graph.party(did) != did else did
        for did in graph.report.trust_anchors
    )


def certifiers_figure(graph: _Graph, no_anchor: bool, source: AnchorSource = "you") -> Figure:
    """Who certified, up to the trust anchor, saying whose anchor that is (:data:`AnchorSource`)."""
    report = graph.report
    accreditors = _accreditors(report)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in report.trust:
        issuer = entry.get("issuer")
        if not isinstance(issuer, str):
            continue
        path = [p for p in as_list(entry.get("anchorPath")) if isinstance(p, str)]
        outcome = str(entry.get("outcome") or "failed")
        if not path:
            path = _chain(accreditors, issuer)
        key = (tuple(path), outcome, entry.get("problem"))
        group = groups.setdefault(key, {"path": path, "outcome": outcome, "n": 0, "entry": entry})
        group["n"] += 1
    lines = []
    for group in groups.values():
        path, outcome = group["path"], group["outcome"]
        text = graph.party(path[0])
        for did in path[1:]:
            text += f" → accredited by {graph.party(did)}"
        if outcome == "passed" and path[-1] in report.trust_anchors:
            text += f" ({path[-1]}), {ANCHOR_WORDS[source]}"
        elif no_anchor:
            outcome = "indeterminate"
            text += " — not checked: no accreditation body chosen as trusted"
        else:
            text += " — " + trust_problem(group["entry"].get("problem"), ANCHOR_BODY[source])
        n = group["n"]
        text += f" · {n} certificate{'s' if n != 1 else ''}"
        lines.append(Line(text, outcome, " → ".join(path)))
    names = list(dict.fromkeys(graph.party(g["path"][0]) for g in groups.values()))
    if not lines:
        return Figure("Certified by", "No certificate in the chain")
    states = {line.state for line in lines}
    state = (
        "failed"
        if "failed" in states
        else ("indeterminate" if "indeterminate" in states else "passed")
    )
    anchors = anchor_names(graph)
    note = f"Trust anchor: {anchors}, {ANCHOR_WORDS[source]}." if anchors else "Trust anchor: none."
    return Figure("Certified by", ", ".join(names), note, state, tuple(lines))


# --- origins ------------------------------------------------------------------------------
def _mappings(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every object in ``value``, itself first, depth first (credentials nest sites and
    countries at any depth: a facility inside an event inside a product)."""
    if isinstance(value, Mapping):
        yield value
        for item in value.values():
            yield from _mappings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mappings(item)


def _facilities(value: Any) -> Iterator[Mapping[str, Any]]:
    return (
        m for m in _mappings(value) if "countryOfOperation" in m and isinstance(m.get("name"), str)
    )


def _countries(value: Any) -> Iterator[str]:
    for item in _mappings(value):
        for key in ("countryOfProduction", "originCountry", "countryOfOperation"):
            name = country(item.get(key))
            if name:
                yield name


def origins_figure(graph: _Graph) -> Figure:
    """Countries and sites named by the chain's passports, events and facility records
    (attestations name the sites they certified, which are the same sites)."""
    sites: dict[str, list[str]] = {}
    seen: set[str] = set()
    countries: list[str] = []
    for node in graph.report.nodes.values():
        if (
            node.document is None
            or "DigitalConformityCredential" in node.types
            or DIA in node.types
        ):
            continue
        for subject in node.subjects():
            for facility in _facilities(subject):
                key = str(facility.get("id") or facility.get("name"))
                if key in seen:
                    continue
                seen.add(key)
                where = country(facility.get("countryOfOperation")) or "Country not given"
                sites.setdefault(where, []).append(str(facility["name"]))
            countries.extend(_countries(subject))
    names = sorted(set(countries) | set(sites) - {"Country not given"})
    if not names and not sites:
        return Figure("Origins", "No country or site named")
    lines = tuple(
        Line(f"{where}: {', '.join(sites.get(where, [])) or 'named as a country of origin'}")
        for where in names
    )
    return Figure(
        "Origins",
        ", ".join(names),
        f"{len(seen)} site{'s' if len(seen) != 1 else ''} named in the chain.",
        "",
        lines,
    )


# --- why it failed ------------------------------------------------------------------------
def _where(check: Check) -> str:
    return (check.path or "").split("#", 1)[0]


def _failed_entry(graph: _Graph, kind: str) -> tuple[str, Mapping[str, Any]] | None:
    for pid, entry in graph.entries.items():
        calc = entry.get(kind)
        if isinstance(calc, Mapping) and calc.get("outcome") == "failed":
            return pid, calc
        if kind == "carbonFootprint" and isinstance(calc, Mapping):
            per_kwh = calc.get("perKWh")
            if isinstance(per_kwh, Mapping) and per_kwh.get("outcome") == "failed":
                return pid, {**per_kwh, "perKWh": True}
        if kind == "recycledContent":
            for calc in (entry.get("recycledContentByMaterial") or {}).values():
                if isinstance(calc, Mapping) and calc.get("outcome") == "failed":
                    return pid, calc
    return None


def reason(
    graph: _Graph, check: Check, no_anchor: bool = False, source: AnchorSource = "you"
) -> str:
    """The first problem in words, naming the credential it is in (never a check id or URL)."""
    name = f"“{graph.credential(_where(check))}”"
    cid = check.id
    detail = check.problem.detail if check.problem else ""
    if cid == "trust.unanchored" and no_anchor:
        return (
            "No accreditation body was chosen as trusted, so the certifiers in the chain could "
            "not be checked."
        )
    if cid == "rollup.footprint":
        found = _failed_entry(graph, "carbonFootprint")
        if found:
            pid, calc = found
            said_all = [
                c.get("claimed") for c in as_list(calc.get("claims")) if isinstance(c, dict)
            ]
            per = "kWh" if calc.get("perKWh") else "kg"
            got = number(calc.get("computed"))
            said = number(said_all[0] if said_all else calc.get("claimed"))
            return (
                f"The carbon-footprint roll-up does not add up for {graph.product(pid)}: claimed "
                f"{num(said) if said is not None else '—'} kg CO2e per {per}, computed "
                f"{num(got) if got is not None else 'nothing'}."
            )
    if cid == "rollup.recycled":
        found = _failed_entry(graph, "recycledContent")
        if found:
            pid, calc = found
            claimed, got = number(calc.get("claimed")), number(calc.get("computed"))
            of = f" {element(str(calc['material']))}" if calc.get("material") else ""
            return (
                f"The recycled{of}-content roll-up does not add up for {graph.product(pid)}: "
                f"claimed {percent(claimed) if claimed is not None else '—'}, computed "
                f"{percent(got) if got is not None else 'nothing'}."
            )
    if cid == "massbalance.overallocated":
        for account in graph.report.accounts:
            if float(account.get("spentKg") or 0) > float(account.get("kg") or 0) + 1e-6:
                return (
                    f"Certified credits were spent twice: {mass(float(account['spentKg']))} "
                    f"drawn of {mass(float(account['kg']))} of "
                    f"{_kind_label(str(account['property'])).lower()} for "
                    f"{graph.product(str(account['product']))}."
                )
    if cid == "links.digest":
        changed = next(
            (
                e.target
                for e in graph.report.edges
                if e.source == _where(check) and e.digest == "failed"
            ),
            None,
        )
        if changed is not None:
            return (
                f"“{graph.credential(changed)}” was changed after {name} linked to it, so it "
                "is not the credential that was certified."
            )
    node = graph.report.nodes.get(_where(check))
    issuer = graph.party(node.issuer) if node is not None else "its issuer"
    words = {
        "links.digest": f"A credential in the chain was changed after it was linked (linked "
        f"from {name}).",
        "links.unreachable": f"A credential linked from {name} could not be fetched, so part "
        "of the chain is unchecked.",
        "links.encrypted": f"A credential linked from {name} is encrypted and no key that "
        "opens it was given, so part of the chain is unchecked.",
        "graph.cycle": f"The chain of links loops back on itself at {name}: an address served "
        "different content at different times.",
        "graph.incomplete": "The chain is too long to check here, so it was not checked to "
        "the end.",
        "status.revocation": f"{name} has been revoked by {issuer}.",
        "status.suspension": f"{name} is suspended by {issuer}.",
        "trust.unanchored": f"The certifier of {name}, {issuer}, is not accredited by "
        f"{ANCHOR_BODY[source]}.",
        "trust.scope": f"The certifier of {name}, {issuer}, is not accredited for what it "
        "certified.",
        "trust.expired": f"The accreditation of {issuer} had expired when it certified {name}.",
        "claims.unattested": f"A claim in {name} is not backed by a matching certificate"
        + (f": “{detail.split(':', 1)[0]}”." if ":" in detail else "."),
        "claims.mismatch": f"A claimed value in {name} differs from its certificate.",
        "massbalance.conservation": f"{name} gives its products more certified material than "
        "its inputs carried.",
        "massbalance.not-holder": f"{name} spends credits that {issuer} does not hold.",
        "massbalance.unregistered": f"A spend of credits in {name} is not confirmed by the "
        "credits' registry" + (f" ({check.problem.title.lower()})." if check.problem else "."),
        "massbalance.rolling-average": f"{name} claims a larger certified share than its "
        "site's rolling average allows.",
        "massbalance.unit": f"{name} states credits in a unit that is not a mass.",
        "rollup.footprint": f"The carbon footprint claimed in {name} does not follow from its "
        "inputs.",
        "rollup.recycled": f"The recycled share claimed in {name} does not follow from its inputs.",
    }
    if cid in words:
        return words[cid]
    family = cid.split(".", 1)[0]
    if cid.startswith("graph.") and cid.endswith("-limit"):
        return (
            "The chain is longer than this service checks at once, so it was not checked to "
            "the end."
        )
    if family in ("proof", "jose", "securing") and check.outcome is Outcome.INDETERMINATE:
        return (
            f"The signature of {name} could not be checked: the key of {issuer} could not be "
            "looked up from here."
        )
    if family in ("proof", "jose", "securing"):
        return (
            f"The signature of {name} does not verify: it was altered, or not signed by {issuer}."
        )
    if family == "validity":
        return f"{name} is expired or not yet valid."
    if family in ("datamodel", "schema"):
        return f"{name} is not a well-formed credential of its kind."
    if family == "status":
        return f"Whether {name} has been revoked could not be checked."
    if check.outcome is Outcome.INDETERMINATE:
        return f"Part of {name} could not be checked."
    title = check.problem.title if check.problem else "A check failed"
    return f"{title} in {name}."


def _first(errors: list[Check]) -> Check | None:
    """The problem to name first: a failure before a "could not check" (a forgery outranks an
    unreachable link), each in the order the verifier met them (the root's first)."""
    failed = [c for c in errors if c.outcome is Outcome.FAILED]
    chosen = failed or errors
    return chosen[0] if chosen else None


# --- all together -------------------------------------------------------------------------
def subject_words(graph: _Graph, products: list[Product]) -> str:
    """What was verified, in words: "Nordlys Computers AB's claim for Nordlys workstation…"."""
    report = graph.report
    root = report.nodes.get(report.root)
    if root is None:
        return f"the credential at {short_url(report.root)}"
    issuer = graph.party(root.issuer)
    types = {t for s in root.subjects() for t in as_list(s.get("type")) if isinstance(t, str)}
    what = next(
        (
            word
            for t, word in (
                ("ClaimEvent", "claim"),
                ("MoveEvent", "delivery record"),
                ("MakeEvent", "production record"),
                ("TransformEvent", "production record"),
            )
            if t in types
        ),
        "product passport" if DPP in root.types else "credential",
    )
    if products:
        return f"{issuer}'s {what} for {products[0].name}"
    return f"{issuer}'s {what} “{graph.credential(root.key)}”"


def summary(
    report: GraphReport, url: str | None = None, anchor_source: AnchorSource = "you"
) -> Summary:
    """Everything the summary band shows. ``url``: the address the buyer gave, if any (a
    re-verification link then needs no paste); ``anchor_source``: who chose the trust anchors
    (the page must not call a supplier's choice "yours")."""
    graph = _Graph(report)
    found = _root_products(graph)
    pids = [pid for pid, _ in found]
    products = [_product_view(graph, pid, seen) for pid, seen in found][:_MAX_PRODUCTS]
    no_anchor = not report.trust_anchors
    errors = report.errors
    first = _first(errors)
    credits, accounts = credits_figure(graph, pids)
    problem: NoAnchor | None = None
    if no_anchor:
        bodies = tuple((graph.party(did), did) for did in root_bodies(report))
        links: tuple[tuple[str, str], ...] = ()
        if url:
            links = tuple(
                (did, "/verify?" + urlencode({"url": url, "anchors": did})) for _, did in bodies
            )
        problem = NoAnchor(bodies, links)
    return Summary(
        subject=subject_words(graph, products),
        products=tuple(products),
        footprint=footprint_figure(graph, pids),
        recycled=recycled_figure(graph, pids),
        credits=credits,
        certifiers=certifiers_figure(graph, no_anchor, anchor_source),
        origins=origins_figure(graph),
        reason=reason(graph, first, no_anchor, anchor_source) if first is not None else None,
        more_problems=max(0, len({(c.id, c.path) for c in errors}) - 1),
        technical=tuple(
            dict.fromkeys(
                (c.id, c.outcome.value, graph.credential(_where(c)) if _where(c) else "the chain")
                for c in errors
            )
        ),
        anchors=tuple((graph.party(did), did) for did in report.trust_anchors),
        no_anchor=problem,
        accounts=accounts,
        anchor_source=anchor_source,
        anchor_words=ANCHOR_WORDS[anchor_source],
        anchor_body=ANCHOR_BODY[anchor_source],
    )


def root_passports(report: GraphReport) -> list[Node]:
    """The passports of the products the root is about (see :func:`_root_products`)."""
    graph = _Graph(report)
    found = [graph.passports.get(pid) for pid, _ in _root_products(graph)]
    return list({n.key: n for n in found if n is not None}.values())
