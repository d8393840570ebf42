"""The targets of issue 8, issue 13's hostile-input targets and issue 15's federation targets,
each judged as a ratio of figures measured in the same run."""

from __future__ import annotations

from typing import Any

from bench.http import ISSUE_OPEN_FRACTION
from bench.replicas import OPEN_FRACTION as SPEND_OPEN_FRACTION
from bench.report import Results, Target, ms

MS = 1e-3

#: Issue 15: a foreign spend (registered at its home over loopback HTTP) costs at most this
#: many local spends (registered in-process), medians through the same service in the same
#: run. A foreign spend is a local spend's work on the spender, plus a second registration at
#: the home (its check of the signed statement, its ledger transaction and receipt signature:
#: about what a local registration costs in-process), one loopback round trip, the served
#: source credential's verification and the check of the home's receipt. So it should stay
#: within two local spends; measured 1.4-1.6× on a 2-core machine (both services on one core,
#: others' tests beside). Beyond 2× the round trip would cost more than a whole spend: a new
#: connection, a DID resolution or a key lookup per request instead of once.
FOREIGN_SPEND_RATIO = 2.0
#: Issue 15: the receipt checks of a 1,000-credential mass-balance graph add at most this
#: fraction of the graph's verification time per credential, per debit. A receipt check is one
#: COSE Ed25519 verification, CBOR decoding and about ten hashes (the receipts alone measure
#: about 0.1 ms, under a tenth of a credential), plus the debiting credential's registration
#: digest (JCS + SHA-256) and its postings read again; a credential's own verification is a JWT
#: signature, JSON-LD expansion, schemas and link digests. So a debit's check should cost well
#: under a credential's verification; measured 0.34-0.37, about half of it the receipts and
#: the registration digests timed alone (printed beside it). Half leaves room for the noise of
#: a difference of two medians and still fails a check whose per-debit work grows with the
#: graph (every receipt read per debit, the home's DID resolved per receipt).
RECEIPT_CHECK_FRACTION = 0.5


def _median(figures: dict[str, Any], key: str) -> float | None:
    value = figures.get(key)
    if isinstance(value, dict) and "median_s" in value:
        return float(value["median_s"])
    return None


def _at_most(name: str, value: float | None, goal: float, goal_text: str, shown: str,
             bound: str) -> Target:  # fmt: skip
    if value is None:
        return Target(name, "not measured", goal_text, None, None, bound)
    ratio = value / goal
    return Target(name, shown, goal_text, ratio, ratio <= 1.0, bound)


def evaluate(results: Results) -> None:
    f = results.figures
    targets = results.targets

    # -- canonicalization of the battery DPP --------------------------------------------------
    canon = f.get("canon.dpp")
    bound_canon = ""
    if canon:
        bound_canon = f"path `{canon['path']}`, {canon['quads']} quads"
    ours = canon["ours"]["median_s"] if canon else None
    targets.append(
        _at_most(
            "UNTP battery DPP canonicalized (RDFC-1.0)",
            ours,
            5 * MS,
            "≤ 5 ms",
            ms(ours) if ours else "",
            bound_canon,
        )
    )
    if canon:
        speedup = float(canon["speedup"])
        targets.append(
            Target(
                "… at least 15× faster than pyld on it",
                f"{speedup:.1f}× (pyld {ms(canon['pyld']['median_s'])})",
                "≥ 15×",
                15 / speedup,
                speedup >= 15,
                bound_canon,
            )
        )
        targets.append(
            Target(
                "… byte-identical to pyld (rdfc_reference)",
                "identical" if canon["identical"] else "DIFFERENT",
                "identical",
                None,
                bool(canon["identical"]),
                "compared in this run",
            )
        )

    # -- full verification of the DPP ---------------------------------------------------------
    model = _median(f.get("breakdown.dpp", {}), "datamodel")
    for key, label in (("eddsa-rdfc-2022", "eddsa-rdfc-2022"), ("jwt-eddsa", "vc+jwt EdDSA")):
        value = _median(f, f"verify.{key}.dpp")
        bound = f"data-model check alone {ms(model)}" if model else ""
        targets.append(
            _at_most(
                f"UNTP battery DPP fully verified, {label}",
                value,
                8 * MS,
                "≤ 8 ms",
                ms(value) if value else "",
                bound,
            )
        )

    # -- against Digital Bazaar ---------------------------------------------------------------
    for sample, what in (("small", "the small attestation"), ("plain", "a minimal VC 2.0 (info)")):
        for op in ("verify", "issue"):
            value = _median(f, f"{op}.eddsa-rdfc-2022.{sample}")
            db = _median(f, f"db.{op}.{sample}")
            name = f"eddsa-rdfc-2022 {op} of {what} vs Digital Bazaar"
            if value is None or db is None:
                if sample == "small":
                    targets.append(
                        Target(
                            name,
                            "not measured",
                            "≤ 0.6×",
                            None,
                            None,
                            "Digital Bazaar baseline skipped",
                        )
                    )
                continue
            relative = value / db
            plain = _median(f, f"db.{op}.plain")
            bound = (
                f"Digital Bazaar takes {ms(plain)} without the UNTP context (minimal VC 2.0)"
                if sample == "small" and plain is not None
                else ""
            )
            targets.append(
                Target(
                    name,
                    f"{relative:.2f}× ({ms(value)} vs {ms(db)})",
                    "≤ 0.6×",
                    relative / 0.6,
                    relative <= 0.6,
                    bound,
                )
            )

    # -- vc+jwt against one raw Ed25519 verify ------------------------------------------------
    jwt = _median(f, "verify.jwt-eddsa.small")
    raw = _median(f, "raw.ed25519.verify")
    name = "vc+jwt verify (small attestation) vs one raw Ed25519 verify"
    if jwt is None or raw is None:
        targets.append(Target(name, "not measured", "≤ 2.5×", None, None, ""))
    else:
        small_model = _median(f.get("breakdown.small", {}), "datamodel")
        walk = _median(f.get("breakdown.small", {}), "jsonld_walk")
        jose = _median(f.get("breakdown.small", {}), "jose")
        bound = ""
        if small_model is not None and jose is not None:
            bound = f"data-model check {ms(small_model)}, JOSE step {ms(jose)}"
            if walk is not None:
                bound += f"; the JSON-LD walk alone {ms(walk)} (see docs/benchmarks.md)"
        relative = jwt / raw
        targets.append(
            Target(
                name,
                f"{relative:.1f}× ({ms(jwt)} vs {ms(raw)})",
                "≤ 2.5×",
                relative / 2.5,
                relative <= 2.5,
                bound,
            )
        )

    # -- the 1,000-credential graph -----------------------------------------------------------
    graphs = [(k, v) for k, v in f.items() if k.startswith("graph.") and k.endswith(".1000")]
    if not graphs:
        targets.append(
            Target(
                "1,000-credential vc+jwt graph verified", "not measured", "≤ 1.5 s", None, None, ""
            )
        )
        targets.append(Target("… memory", "not measured", "< 200 MB", None, None, ""))
    else:
        key, worst = max(graphs, key=lambda kv: kv[1]["verify"]["median_s"])
        seconds = float(worst["verify"]["median_s"])
        per = ms(seconds / 1000)
        targets.append(
            _at_most(
                "1,000-credential vc+jwt graph verified (slowest shape)",
                seconds,
                1.5,
                "≤ 1.5 s",
                f"{seconds:.2f} s ({key.split('.')[1]})",
                f"{per} per credential (each: full single-credential pipeline + "
                "schemas + link digests)",
            )
        )
        memories = [(k, v["memory"]) for k, v in graphs if "memory" in v]
        if memories:
            key, mem = max(memories, key=lambda kv: kv[1]["peak_rss"])
            peak = int(mem["peak_rss"])
            targets.append(
                _at_most(
                    "… peak memory of the verifying process (1,000 credentials)",
                    peak,
                    200e6,
                    "< 200 MB",
                    f"{peak / 1e6:.0f} MB peak RSS",
                    f"growth during the verification {int(mem['growth']) / 1e6:.0f} MB; "
                    f"{mem['method']}",
                )
            )
        else:
            targets.append(Target("… memory", "not measured", "< 200 MB", None, None, ""))

    _large_graph(f, targets)

    # -- HTTP -----------------------------------------------------------------------------------
    closed = f.get("http.verify.w2")
    opened = f.get("http.verify.w2.open")
    if closed is None:
        targets.append(
            Target("HTTP vc+jwt verify, 2 workers", "not measured", "≥ 1,000 req/s", None, None, "")
        )
    else:
        rate = float(closed["ok_rate"])
        in_process = _median(f, "verify.jwt-eddsa.small")
        one = f.get("http.verify.w1", {}).get("ok_rate")
        parts = [
            f"in-process verify {ms(in_process)} per request" if in_process else "",
            f"1 worker: {one:,.0f} req/s" if one else "",
            str(closed.get("placement", "")),
        ]
        bound = "; ".join(p for p in parts if p)
        targets.append(
            Target(
                "HTTP vc+jwt verify throughput, 2 workers",
                f"{rate:,.0f} req/s",
                "≥ 1,000 req/s",
                1000 / rate if rate else None,
                rate >= 1000,
                bound,
            )
        )
    if opened is None:
        targets.append(
            Target("HTTP p99 at 1,000 req/s offered", "not measured", "< 20 ms", None, None, "")
        )
    else:
        p99 = float(opened["p99_s"])
        achieved = float(opened["ok_rate"])
        targets.append(
            Target(
                "HTTP vc+jwt verify p99 at 1,000 req/s offered, 2 workers",
                f"{ms(p99)} (achieved {achieved:,.0f} req/s)",
                "< 20 ms",
                p99 / 0.020,
                p99 < 0.020 and achieved >= 0.98 * float(opened["offered_rate"]),
                "latency counted from each request's scheduled time",
            )
        )

    _hostile(f, targets)
    _federation(f, targets)
    _writes(f, targets)


def _large_graph(f: dict[str, Any], targets: list[Target]) -> None:
    """Issue 20: a 10,000-credential graph, the slowest shape, in ≤ 4 s and < 400 MB peak.

    Ten times the credentials of the 1,000-credential target in under three times its time
    budget: the walk must stay linear (no per-credential step that grows with the graph) and
    the single-credential pipeline must stay near 0.4 ms. The memory bound is the resident set
    of the verifying process at its peak, graph and report included.
    """
    name = "10,000-credential vc+jwt graph verified (slowest shape)"
    graphs = [(k, v) for k, v in f.items() if k.startswith("graph.") and k.endswith(".10000")]
    if not graphs:
        targets.append(Target(name, "not measured", "≤ 4 s", None, None, ""))
        targets.append(Target("… memory (10,000 credentials)", "not measured", "< 400 MB",
                              None, None, ""))  # fmt: skip
        return
    key, worst = max(graphs, key=lambda kv: kv[1]["verify"]["median_s"])
    seconds = float(worst["verify"]["median_s"])
    runs = int(worst["verify"].get("runs", 1))
    targets.append(
        _at_most(
            name,
            seconds,
            4.0,
            "≤ 4 s",
            f"{seconds:.2f} s ({key.split('.')[1]})",
            f"{ms(seconds / 10_000)} per credential; median of {runs} run(s)",
        )
    )
    memories = [(k, v["memory"]) for k, v in graphs if "memory" in v]
    if not memories:
        targets.append(Target("… memory (10,000 credentials)", "not measured", "< 400 MB",
                              None, None, ""))  # fmt: skip
        return
    key, mem = max(memories, key=lambda kv: kv[1]["peak_rss"])
    peak = int(mem["peak_rss"])
    targets.append(
        _at_most(
            "… peak memory of the verifying process (10,000 credentials)",
            peak,
            400e6,
            "< 400 MB",
            f"{peak / 1e6:.0f} MB peak RSS ({key.split('.')[1]})",
            f"growth during the verification {int(mem['growth']) / 1e6:.0f} MB; {mem['method']}",
        )
    )


def _hostile(f: dict[str, Any], targets: list[Target]) -> None:
    """Issue 13: the worst CPU of the hostile corpus, and the ordinary p99 beside it."""
    cpu = f.get("hostile.cpu")
    name = "Hostile corpus against POST /credentials/verify: worst server CPU per request"
    if not cpu or cpu.get("worst") is None:
        targets.append(Target(name, "not measured", "≤ 1 s", None, None, ""))
    else:
        key = str(cpu["worst"])
        worst = float(cpu["worst_cpu_s"])
        figure = f.get(f"hostile.cpu.{key}", {})
        documents = [v for k, v in f.items() if k.startswith("hostile.cpu.")]
        not_4xx = [str(v["label"]) for v in documents if not v.get("all_4xx")]
        refused = "every answer 4xx" if not not_4xx else f"not 4xx: {', '.join(not_4xx)}"
        shown = ms(worst) if worst else f"< {ms(float(cpu['resolution_s']))}"
        targets.append(
            Target(
                name,
                f"{shown} ({figure.get('label', key)}, {len(documents)} documents)",
                "≤ 1 s",
                worst / 1.0,
                worst <= 1.0 and not not_4xx,
                f"answer {', '.join(figure.get('answers', []))}; {refused}; "
                f"worst of {cpu['passes']} warm pass(es)",
            )
        )
    loaded = f.get("hostile.p99.loaded")
    clients = loaded.get("hostile_clients", 8) if loaded else 8
    name = f"vc+jwt verify p99 with {clients} hostile requests in flight, 2 workers"
    if loaded is None:
        targets.append(Target(name, "not measured", "< 50 ms", None, None, ""))
        return
    p99 = float(loaded["p99_s"])
    offered = float(loaded["offered_rate"])
    achieved = float(loaded["ok_rate"])
    alone = f.get("hostile.p99.alone", {})
    attack = f.get("hostile.p99.attack", {})
    errors = sum(n for s, n in loaded["statuses"].items() if not s.startswith("2"))
    parts = [
        f"without hostile load: p99 {ms(float(alone['p99_s']))}" if alone else "",
        f"hostile ({', '.join(attack.get('documents', []))}): {attack.get('requests', 0)} "
        f"answers ({', '.join(f'{s}: {n}' for s, n in attack.get('statuses', {}).items())})"
        if attack
        else "",
        f"{errors} ordinary answers not 2xx" if errors else "",
        str(loaded.get("placement", "")),
    ]
    targets.append(
        Target(
            name,
            f"{ms(p99)} at {offered:,.0f} req/s offered (achieved {achieved:,.0f} req/s)",
            "< 50 ms",
            p99 / 0.050,
            p99 < 0.050 and achieved >= 0.98 * offered and not errors,
            "; ".join(p for p in parts if p),
        )
    )


def _federation(f: dict[str, Any], targets: list[Target]) -> None:
    """Issue 15: a foreign spend against a local one, and receipt checks per debit."""
    goal = f"≤ {FOREIGN_SPEND_RATIO:g}× local"
    name = "Foreign spend (registered at its home over loopback HTTP) vs a local spend"
    spend = f.get("federation.spend")
    if spend is None:
        targets.append(Target(name, "not measured", goal, None, None, ""))
    else:
        relative = float(spend["ratio"])
        foreign, local = spend["foreign"], spend["local"]
        targets.append(
            Target(
                name,
                f"{relative:.2f}× ({ms(foreign['median_s'])} vs {ms(local['median_s'])})",
                goal,
                relative / FOREIGN_SPEND_RATIO,
                relative <= FOREIGN_SPEND_RATIO,
                f"p95 {ms(foreign['p95_s'])} vs {ms(local['p95_s'])} "
                f"({float(spend['ratio_p95']):.2f}×); medians of {foreign['runs']} spends each, "
                f"alternating; {spend.get('placement', '')}",
            )
        )
    graph = f.get("receipts.graph")
    goal = f"≤ {RECEIPT_CHECK_FRACTION:.0%} of verify per credential"
    name = "Receipt checks per debit, 1,000-credential mass-balance graph"
    if graph is None:
        targets.append(Target(name, "not measured", goal, None, None, ""))
        return
    fraction = float(graph["ratio"])
    targets.append(
        Target(
            name,
            f"{ms(float(graph['per_debit_s']))} per debit = {fraction:.0%} of "
            f"{ms(float(graph['per_credential_s']))}",
            goal,
            fraction / RECEIPT_CHECK_FRACTION,
            fraction <= RECEIPT_CHECK_FRACTION,
            f"homed {ms(graph['with_receipts']['median_s'])} − unhomed "
            f"{ms(graph['without_receipts']['median_s'])} over {graph['debits']} debits; "
            f"receipts alone {ms(float(graph['receipts_alone_per_debit_s']))}, registration "
            f"digests alone {ms(float(graph['registration_digests_alone_per_debit_s']))} "
            "per debit",
        )
    )


def _writes(f: dict[str, Any], targets: list[Target]) -> None:
    """Issue 20: issue (with a status entry) and spends on 3 PostgreSQL replicas, each at least
    half the same run's vc+jwt verify throughput on 2 workers, and p99 < 100 ms in an open loop
    at 80 % of the rate just measured (a load run with headroom: at saturation, in the closed
    loop, p99 is queueing)."""
    verify = f.get("http.verify.w2", {}).get("ok_rate")
    against = f"verify {verify:,.0f} req/s (2 workers)" if verify else "verify not measured"
    issue = f.get("http.issue.w2")
    where = f"; {issue.get('placement', '')}" if issue else ""
    targets.append(
        _at_least_half_verify(
            "HTTP vc+jwt issue with a status entry, 2 workers, SQLite: throughput vs verify",
            issue,
            verify,
            against + where,
        )
    )
    targets.append(
        _p99_at_fraction(
            f"… issue p99 at {ISSUE_OPEN_FRACTION:.0%} of that rate (open loop)",
            f.get("http.issue.w2.open"),
            f"open loop offered at {ISSUE_OPEN_FRACTION:.0%} of the closed-loop issue rate just "
            "measured on the same server, latency from each request's scheduled time",
        )
    )
    spread = f.get("ledger.replicas.all")
    replicas = int(spread["replicas"]) if spread else 3
    parts = [against]
    if spread is not None and spread.get("scaling"):
        parts.append(f"{spread['scaling']:.2f}× one replica")
    if spread is not None and spread.get("cpu"):
        cpu = spread["cpu"]
        parts.append(f"machine {cpu['machine']:.0%} busy (ours {cpu['ours']:.0%})")
    targets.append(
        _at_least_half_verify(
            f"Ledger spends, PostgreSQL, {replicas} replicas: throughput vs verify",
            spread,
            verify,
            "; ".join(parts),
        )
    )
    targets.append(
        _p99_at_fraction(
            f"… spend p99 on {replicas} replicas at {SPEND_OPEN_FRACTION:.0%} of that rate "
            "(open loop)",
            f.get("ledger.replicas.open"),
            f"open loop offered at {SPEND_OPEN_FRACTION:.0%} of the closed-loop spend rate just "
            "measured on the same replicas, latency from each request's scheduled time",
        )
    )


def _at_least_half_verify(name: str, figure: dict[str, Any] | None, verify: float | None,
                          bound: str) -> Target:  # fmt: skip
    """A write rate of at least half the verify rate: ratio = (verify / 2) / rate."""
    if figure is None or not verify:
        return Target(name, "not measured", "≥ 0.5× verify", None, None, bound)
    rate = float(figure["ok_rate"])
    relative = rate / verify
    shown = f"{rate:,.0f}/s = {relative:.2f}× verify"
    return Target(
        name, shown, "≥ 0.5× verify", 0.5 / relative if relative else None, relative >= 0.5, bound
    )


def _p99_at_fraction(name: str, figure: dict[str, Any] | None, note: str) -> Target:
    """p99 under 100 ms in an open loop, which must also achieve ≥ 98 % of its offered rate."""
    if figure is None:
        return Target(name, "not measured", "< 100 ms", None, None, note)
    p99 = float(figure["p99_s"])
    offered = float(figure["offered_rate"])
    achieved = float(figure["ok_rate"])
    errors = sum(n for s, n in figure["statuses"].items() if not s.startswith("2"))
    parts = [note, f"{errors} answers not 2xx" if errors else ""]
    return Target(
        name,
        f"{ms(p99)} at {offered:,.0f}/s offered (achieved {achieved:,.0f}/s)",
        "< 100 ms",
        p99 / 0.100,
        p99 < 0.100 and achieved >= 0.98 * offered and not errors,
        "; ".join(p for p in parts if p),
    )
