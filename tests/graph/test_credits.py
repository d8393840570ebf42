"""What an event credits and debits: the one reading shared by the graph check and the ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from vcservice.credits import flows_of, to_kg
from vcservice.dids import StaticResolver
from vcservice.graph._balance import _accounts, _conserve
from vcservice.graph._index import GraphIndex
from vcservice.graph._model import GraphReport, Node
from vcservice.graph._receipts import Registries


def link(url: str) -> dict[str, Any]:
    return {"linkURL": url, "linkName": url, "digestMultibase": "zQm" + url[-1] * 44}


def prop(
    kind: str, tonnes: Any, *, source: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    out = {
        "propertyKind": kind,
        "creditQuantity": {"value": tonnes, "unit": "TNE"},
        "attestedBy": [link("https://x/att")],
        **extra,
    }
    if source:
        out["sourceCredential"] = [link(u) for u in source]
    return out


def product(pid: str, props: list[dict[str, Any]], sources: list[str]) -> dict[str, Any]:
    return {
        "type": ["Product"],
        "id": pid,
        "sourceCredential": [link(u) for u in sources],
        "certifiedProperty": props,
    }


def entry(p: dict[str, Any], tonnes: float = 1) -> dict[str, Any]:
    return {"product": p, "quantity": {"value": tonnes, "unit": "TNE"}}


def test_a_make_event_debits_its_inputs_and_credits_its_outputs() -> None:
    subject = {
        "type": ["MakeEvent", "LifecycleEvent"],
        "inputProduct": [
            entry(
                product(
                    "urn:in",
                    [prop("carbonFootprint", 45, pcfExcludingBiogenicUptake=1.9)],
                    ["https://x/a"],
                )
            )
        ],
        "outputProduct": [entry(product("urn:out", [prop("carbonFootprint", 45)], []))],
    }
    flows = flows_of({"credentialSubject": [subject]})
    (debit,) = flows.debits
    (credit,) = flows.credits
    assert (debit.event, debit.product, debit.kind, debit.kg, debit.pcf) == (
        "make",
        "urn:in",
        "carbonFootprint",
        45_000,
        1.9,
    )
    assert [s.url for s in debit.sources] == ["https://x/a"]
    assert (
        debit.sources[0].pointer == "/credentialSubject/0/inputProduct/0/product/sourceCredential/0"
    )
    assert (credit.product, credit.kg) == ("urn:out", 45_000)
    assert credit.pointer == "/credentialSubject/0/outputProduct/0/product/certifiedProperty/0"


def test_a_credit_own_sources_come_before_its_products_without_duplicates() -> None:
    subject = {
        "type": ["MoveEvent"],
        "transferKind": "custodyAndCredit",
        "movedProduct": [
            entry(
                product(
                    "urn:p",
                    [prop("recycledContent", 10, source=["https://x/b"])],
                    ["https://x/a", "https://x/b"],
                )
            )
        ],
    }
    flows = flows_of({"credentialSubject": subject})
    assert [s.url for s in flows.debits[0].sources] == ["https://x/b", "https://x/a"]
    assert len(flows.credits) == 1  # the receiver's account


def test_a_custody_only_move_passes_no_credit() -> None:
    subject = {
        "type": ["MoveEvent"],
        "transferKind": "custody",
        "movedProduct": [entry(product("urn:p", [prop("carbonFootprint", 10)], ["https://x/a"]))],
    }
    assert flows_of({"credentialSubject": subject}).debits == ()


def test_a_claim_event_retires_credits_of_any_product_of_its_source() -> None:
    subject = {
        "type": ["ModifyEvent", "ClaimEvent"],
        "modifiedProduct": [entry(product("urn:computers", [], ["https://x/move"]))],
        "retiredCredit": [prop("carbonFootprint", 45)],
    }
    (debit,) = flows_of({"credentialSubject": [subject]}).debits
    assert (debit.event, debit.product) == ("claim", None)
    assert [s.url for s in debit.sources] == ["https://x/move"]


@pytest.mark.parametrize("tonnes", [-1, 0, True, "45", None])
def test_malformed_quantities_are_skipped_not_raised(tonnes: Any) -> None:
    subject = {
        "type": ["MakeEvent"],
        "inputProduct": ["junk", entry(product("urn:in", [prop("carbonFootprint", tonnes)], []))],
        "outputProduct": [{"product": "not an object"}],
    }
    assert flows_of({"credentialSubject": [subject, 5]}).debits == ()


def test_non_mass_units_keep_no_kilograms() -> None:
    assert to_kg({"value": 2, "unit": "TNE"}) == 2000
    assert to_kg({"value": 500, "unit": "H87"}) is None
    assert to_kg({"value": -1, "unit": "KGM"}) is None


def _element(code: str) -> dict[str, Any]:
    return {"code": code, "name": code, "schemeId": "https://iupac.org/", "schemeName": "IUPAC"}


def _converting(co_out: float, li_out: float) -> dict[str, Any]:
    """A make event drawing 2.4 t of recycled Co and 1.4 t of recycled Li credits."""
    return {
        "type": ["MakeEvent", "LifecycleEvent"],
        "inputProduct": [
            entry(
                product(
                    "urn:in",
                    [
                        prop("recycledContent", 2.4, material=_element("Co")),
                        prop("recycledContent", 1.4, material=_element("Li")),
                    ],
                    ["https://x/a"],
                )
            )
        ],
        "outputProduct": [
            entry(
                product(
                    "urn:out",
                    [
                        prop("recycledContent", co_out, material=_element("Co")),
                        prop("recycledContent", li_out, material=_element("Li")),
                    ],
                    [],
                )
            )
        ],
    }


def test_a_credit_names_its_material_and_its_account_kind() -> None:
    flows = flows_of({"credentialSubject": [_converting(2.4, 1.4)]})
    assert [(d.material, d.account_kind) for d in flows.debits] == [
        ("Co", "recycledContent/Co"),
        ("Li", "recycledContent/Li"),
    ]
    assert [c.account_kind for c in flows.credits] == ["recycledContent/Co", "recycledContent/Li"]
    bare = prop("recycledContent", 1)
    out = flows_of(
        {
            "credentialSubject": [
                {"type": ["MakeEvent"], "outputProduct": [entry(product("u", [bare], []))]}
            ]
        }
    )
    assert (out.credits[0].material, out.credits[0].account_kind) == (None, "recycledContent")


def _graph(subject: dict[str, Any]) -> GraphIndex:
    node = Node("urn:make", None, 0, {"credentialSubject": subject}, digest="zMake")
    report = GraphReport("urn:make", datetime(2026, 1, 1, tzinfo=UTC), ())
    report.nodes[node.key] = node
    index = GraphIndex(report)
    index.flows[node.key] = flows_of(node.document or {})
    return index


@pytest.mark.parametrize(
    ("co_out", "li_out", "outcomes"), [(2.4, 1.4, ["passed", "passed"]), (3.8, 0.0, ["failed"])]
)
def test_converting_lithium_credit_into_cobalt_credit_fails_conservation(
    co_out: float, li_out: float, outcomes: list[str]
) -> None:
    """3.8 t of credits in and out, but 1.4 t of lithium became cobalt."""
    index = _graph(_converting(co_out, li_out))  # a credit of 0 t is no credit
    flows = index.flows["urn:make"]
    node = index.report.nodes["urn:make"]
    _conserve(index, node, "/credentialSubject", list(flows.debits), list(flows.credits))
    found = [c for c in index.report.checks.checks if c.id == "massbalance.conservation"]
    assert [c.outcome.value for c in found] == outcomes
    if li_out == 0.0:
        assert "recycledContent/Co" in found[0].to_dict()["problem"]["detail"]


def test_a_credit_per_element_is_its_own_graph_account() -> None:
    index = _graph(_converting(2.4, 1.4))
    _accounts(index, Registries(StaticResolver({})))
    assert sorted(a["property"] for a in index.report.accounts) == [
        "recycledContent/Co",
        "recycledContent/Li",
    ]
