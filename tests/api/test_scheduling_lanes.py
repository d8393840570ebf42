"""Expensive verifications cannot starve cheap ones (issue 13, "Cost"): a credential secured with
JOSE runs in its own lane, so a flood of Data Integrity documents (the canonicalization that an
attacker can make costly) queues behind itself, never in front of a vc+jwt verify."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import pytest

from vcservice.api.app import SWITCH_INTERVAL, create_app_from_env
from vcservice.http.scheduling import Scheduler, lane_of


def test_the_lane_follows_the_securing_mechanism() -> None:
    assert lane_of("eyJhbGciOiJFZERTQSJ9.e30.c2ln") == "light"
    assert (
        lane_of({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,x"})
        == "light"
    )
    assert lane_of({"type": ["VerifiableCredential"], "proof": {}}) == "heavy"
    carried = {"type": "VerifiablePresentation", "verifiableCredential": [{"proof": {}}]}
    assert lane_of(carried) == "heavy"
    assert (
        lane_of({"type": "VerifiablePresentation", "verifiableCredential": ["eyJ.e30.x"]})
        == "light"
    )


def test_a_light_verification_never_waits_for_a_heavy_thread() -> None:
    scheduler = Scheduler(concurrency=1, queue=4)
    release = threading.Event()

    async def scenario() -> str:
        heavy = [
            asyncio.ensure_future(scheduler.run_in("heavy", None, release.wait, 10))
            for _ in range(3)
        ]
        await asyncio.sleep(0.05)  # the one heavy thread is taken, two wait behind it
        light = await asyncio.wait_for(scheduler.run_in("light", None, lambda: "done"), 5)
        release.set()
        await asyncio.gather(*heavy)
        return light

    try:
        assert asyncio.run(scenario()) == "done"
    finally:
        scheduler.close()


def test_a_served_worker_hands_the_gil_over_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lanes only help if a waiting thread gets the GIL soon: 0.5 ms, not CPython's 5 ms
    (bench/hostile_http.py: vc+jwt p99 beside hostile requests 146 ms -> 10 ms)."""
    monkeypatch.setenv("VCSERVICE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    before = sys.getswitchinterval()
    try:
        create_app_from_env()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    finally:
        sys.setswitchinterval(before)
