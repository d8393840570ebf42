"""``graph``: the example provenance chains and their negative variants, to the graph verifier.

For each chain under ``examples/`` (a directory with ``bundle.json``):

* ``graph.<chain>.bundle``: the whole chain, posted as it is, must verify;
* ``graph.<chain>.negative.<name>``: each ``negative/<name>.json`` (a bundle with one thing
  broken; ``<name>`` is the check id, or the check id and a case such as
  ``massbalance.unregistered.no-receipt``) must not verify, and the report must name the
  bundle's ``expectedCheck`` among its failed checks (``summary.failedChecks``, or the ids in
  ``errors``).

Skipped for implementations without a ``graph_verifier`` endpoint (a provenance-graph verifier
is vcservice's extension of the VC API; see ``docs/provenance-graphs.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from conformance.config import Implementation
from conformance.context import SuiteContext
from conformance.model import Result
from conformance.suites._common import (
    Check,
    Verdict,
    describe,
    failed,
    judge,
    passed,
    refusal_ids,
    skipped,
)


def chains(examples: Path | None) -> list[Path]:
    if examples is None or not examples.is_dir():
        return []
    return sorted(p.parent for p in examples.glob("*/bundle.json"))


def negatives(chain: Path) -> list[Path]:
    return sorted((chain / "negative").glob("*.json"))


def run(context: SuiteContext) -> Iterator[Result]:
    found = chains(context.examples)
    if not found:
        check = Check("graph.examples", "Example chains", ("graph",))
        for implementation in context.implementations:
            yield judge(check, implementation.name, partial(skipped, "no examples directory"))
        return
    for chain in found:
        bundle = json.loads((chain / "bundle.json").read_text(encoding="utf-8"))
        check = Check(
            f"graph.{chain.name}.bundle", f"The {chain.name} chain verifies", ("graph", chain.name)
        )
        for implementation in context.implementations:
            work = partial(_post, context, implementation, bundle, None)
            yield judge(check, implementation.name, work)
        for path in negatives(chain):
            variant = json.loads(path.read_text(encoding="utf-8"))
            expected = variant.get("expectedCheck") or path.stem
            check = Check(
                f"graph.{chain.name}.negative.{path.stem}",
                f"The {chain.name} chain with {expected} broken does not verify",
                ("graph", chain.name, "negative", expected.split(".", 1)[0]),
            )
            for implementation in context.implementations:
                work = partial(_post, context, implementation, variant, expected)
                yield judge(check, implementation.name, work)


def _post(
    context: SuiteContext,
    implementation: Implementation,
    bundle: dict[str, Any],
    expected: str | None,
) -> Verdict:
    if implementation.graph_verifier is None:
        return skipped("no graph_verifier endpoint")
    answer = context.client(implementation).verify_graph(bundle)
    if expected is None:
        return passed(describe(answer)) if answer.verified else failed(describe(answer))
    if answer.verified:
        return failed(f"a broken chain verified: {describe(answer)}")
    if expected not in refusal_ids(answer):
        return failed(f"refused, but {expected} is not among the failed checks: {describe(answer)}")
    return passed(f"refused with {expected}: {describe(answer)}")
