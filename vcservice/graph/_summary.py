"""A graph report as text a person reads in a terminal (``vcservice verify-graph``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcservice.graph._model import GraphReport

_MARK = {"passed": "ok  ", "failed": "FAIL", "indeterminate": "??  "}
_GENERIC = ("VerifiableCredential",)


def _short(key: str) -> str:
    return key.rsplit("/", 1)[-1] or key


def _kind(types: list[str]) -> str:
    named = [t for t in types if t not in _GENERIC]
    return named[0] if named else "credential"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "—"


def render_summary(report: GraphReport) -> str:
    data = report.to_dict()
    lines = [
        f"Provenance graph of {_short(report.root)}: "
        + ("VERIFIED" if report.verified else "NOT VERIFIED"),
        f"  {data['summary']['nodes']} credentials, {data['summary']['edges']} links, "
        f"verified at {data['verificationTime']}",
        f"  trust anchors: {', '.join(report.trust_anchors) or 'none given'}",
        "",
        "Credentials:",
    ]
    for node in data["nodes"]:
        issuer = node["issuerName"] or node["issuer"] or "unknown issuer"
        lines.append(
            f"  {_MARK.get(node['outcome'], node['outcome'])} {_short(node['key']):<34} "
            f"{_kind(node['type']):<28} {issuer}"
        )
    if report.trust:
        lines += ["", "Trust (certifier ← accreditation ← anchor):"]
        for entry in report.trust:
            path = " ← ".join(entry.get("anchorPath", [])) or "no path to a trust anchor"
            problem = f" ({entry['problem']})" if "problem" in entry else ""
            lines.append(
                f"  {_MARK.get(entry['outcome'], entry['outcome'])} "
                f"{_short(entry['attestation'])}: {path}{problem}"
            )
    if report.products:
        lines += ["", "Roll-ups (through make events):"]
        for entry in report.products:
            lines.append(_rollup_line(entry))
    if report.accounts:
        over = [a for a in report.accounts if a["balanceKg"] < -1e-6]
        lines += [
            "",
            f"Mass balance: {len(report.accounts)} credit accounts, "
            + (f"{len(over)} over-allocated" if over else "none over-allocated"),
        ]
        registered = _registrations(report.accounts)
        if registered:
            lines.append(f"  registries: {registered}")
    errors = report.errors
    if errors:
        lines += ["", f"Problems ({len(errors)}):"]
        for check in errors:
            detail = check.problem.detail if check.problem else ""
            lines.append(f"  {check.outcome.value} {check.id} [{check.path}]: {detail}")
    return "\n".join(lines)


def _registrations(accounts: list[dict[str, Any]]) -> str:
    """How the debits stand with their credits' home registries (``massbalance.unregistered``)."""
    counts: dict[str, int] = {}
    for account in accounts:
        for debit in account.get("debits", []):
            outcome = debit.get("registration")
            if isinstance(outcome, str):
                counts[outcome] = counts.get(outcome, 0) + 1
    words = {
        "passed": "debits of homed credits registered (receipt verified)",
        "failed": "debits of homed credits not shown registered",
        "indeterminate": "debits of homed credits whose receipt could not be checked",
        "not required": "debits of unhomed credits: no receipt required",
    }
    return "; ".join(f"{counts[o]} {text}" for o, text in words.items() if counts.get(o))


def _rollup_line(entry: Mapping[str, Any]) -> str:
    product = _short(str(entry["product"]))
    parts = []
    marks = []
    footprint = entry.get("carbonFootprint")
    if footprint:
        marks.append(footprint["outcome"])
        parts.append(
            f"footprint claimed {_number(footprint['claimed'])}, computed "
            f"{_number(footprint['computed'])} kg CO2e/kg ({footprint['formula']})"
        )
        per_kwh = footprint.get("perKWh")
        if per_kwh:
            marks.append(per_kwh["outcome"])
            claimed = ", ".join(_number(c["claimed"]) for c in per_kwh["claims"]) or "—"
            parts.append(
                f"per kWh claimed {claimed}, computed {_number(per_kwh['computed'])} "
                f"kg CO2e/kWh ({per_kwh['formula']})"
            )
    recycled = entry.get("recycledContent")
    if recycled:
        marks.append(recycled["outcome"])
        parts.append(
            f"recycled-content credits claimed {_percent(recycled['claimed'])}, computed "
            f"{_percent(recycled['computed'])}"
        )
    parts.append(f"recycled share of the product {_percent(entry.get('recycledFraction'))}")
    outcome = "failed" if "failed" in marks else "passed"
    return f"  {_MARK[outcome]} {product}: " + "; ".join(parts)


def _percent(value: Any) -> str:
    return f"{value * 100:g} %" if isinstance(value, int | float) else "—"
