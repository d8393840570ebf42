"""The check-id catalogue (``vcservice/checks.py``) against the code and the docs.

Emitted ids are found by reading the package's source, not by running it: no test corpus
reaches every failure path, and an id nobody has triggered yet is still part of the contract.
An id counts as emitted where its literal or a constant naming it is passed to the report API
(``passed``/``failed``/``indeterminate``/``warn``/``record``, ``Findings.fail``/``ran``,
``Problem.for_check``, ``Check``) or appears anywhere else in code as a string of a catalogued
family (``status.revocation`` in a purpose table, ``proof.challenge`` in a loop): ids often
reach the report API through a table, a helper or a loop variable, so the call site alone
would miss them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO
from vcservice import checks

PACKAGE = REPO / "vcservice"
CATALOGUE_MODULE = PACKAGE / "checks.py"
REPORT_API = {"passed", "failed", "indeterminate", "warn", "record", "fail", "ran", "for_check"}
ID_SHAPE = re.compile(r"([a-z]+)\.[a-z0-9]+(?:-[a-z0-9]+)*")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _constants(modules: dict[str, ast.Module]) -> dict[str, dict[str, str]]:
    """Module → its module-level names bound to a string: assigned a literal, assigned another
    such name (``CONTEXT = checks.DATAMODEL_CONTEXT``) or imported (``from m import X``)."""
    found: dict[str, dict[str, str]] = {name: {} for name in modules}
    changed = True
    while changed:  # names may alias names of other modules: resolve to a fixed point
        changed = False
        for name, tree in modules.items():
            for node in tree.body:
                for local, value in _bindings(node, name, found):
                    if value is not None and found[name].get(local) != value:
                        found[name][local] = value
                        changed = True
    return found


def _bindings(
    node: ast.stmt, module: str, found: dict[str, dict[str, str]]
) -> list[tuple[str, str | None]]:
    if isinstance(node, ast.ImportFrom) and node.module is not None:
        source = found.get(node.module, {})
        return [(alias.asname or alias.name, source.get(alias.name)) for alias in node.names]
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = _resolve(node.value, module, found)
        return [(t.id, value) for t in targets if isinstance(t, ast.Name)]
    return []


def _resolve(expr: ast.expr, module: str, found: dict[str, dict[str, str]]) -> str | None:
    """The string ``expr`` stands for, if it is a literal or a constant (None otherwise)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):
        return found[module].get(expr.id)
    if (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id
        == "checks"  # ``checks.PROOF_SIGNATURE``, ``from vcservice import checks``
    ):
        return found.get("vcservice.checks", {}).get(expr.attr)
    return None


def _is_slug(node: ast.Assign) -> bool:
    """An exception's ``slug = "..."``: a problem type (``graph.fetch-budget``) that shares the
    URL space of check ids but is raised, not reported as a check."""
    return (
        len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "slug"
    )


def _emitted() -> tuple[set[str], set[str]]:
    """(ids passed to the report API as a literal or constant, id-shaped strings elsewhere)."""
    modules = _modules()
    found = _constants(modules)
    at_call: set[str] = set()
    anywhere: set[str] = set()
    for module, tree in modules.items():
        if module == "vcservice.checks":
            continue
        slugs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign) and _is_slug(n)}
        for node in ast.walk(tree):
            if id(node) in slugs:
                continue
            if isinstance(node, ast.Call) and node.args:
                callee = node.func
                name = callee.attr if isinstance(callee, ast.Attribute) else None
                if name in REPORT_API or (isinstance(callee, ast.Name) and callee.id == "Check"):
                    value = _resolve(node.args[0], module, found)
                    if value is not None:
                        at_call.add(value)
            value = _resolve(node, module, found) if isinstance(node, ast.expr) else None
            match = ID_SHAPE.fullmatch(value) if value is not None else None
            if match is not None and match.group(1) in checks.FAMILIES:
                anywhere.add(match.group(0))
    return at_call, anywhere


def test_every_emitted_id_is_catalogued() -> None:
    at_call, anywhere = _emitted()
    assert sorted((at_call | anywhere) - set(checks.BY_ID)) == []


def test_every_catalogued_id_is_emitted() -> None:
    at_call, anywhere = _emitted()
    assert sorted(set(checks.BY_ID) - at_call - anywhere) == []


def test_the_scan_sees_the_report_api() -> None:
    """A guard on the scan itself: ids that reach the report only as constants are found."""
    at_call, _ = _emitted()
    assert {"datamodel.context", "proof.signature", "massbalance.conservation"} <= at_call


def test_catalogue_is_well_formed() -> None:
    ids = [check.id for check in checks.CATALOGUE]
    assert len(ids) == len(set(ids))
    for check in checks.CATALOGUE:
        assert ID_SHAPE.fullmatch(check.id), check.id
        assert check.title, check.id
        assert check.meaning.endswith("."), check.id
        assert check.surfaces, check.id
    constants = {v for k, v in vars(checks).items() if k.isupper() and type(v) is str}
    assert constants == set(ids)


def test_docs_are_the_rendering() -> None:
    """``docs/checks.md`` is generated: ``python -m vcservice.checks docs/checks.md``."""
    assert (REPO / "docs" / "checks.md").read_text(encoding="utf-8") == checks.render()


def test_data_model_titles_are_the_catalogue_titles() -> None:
    from vcservice.model._checks import CHECK_IDS, TITLES

    assert {check_id: checks.title(check_id) for check_id in CHECK_IDS} == TITLES
