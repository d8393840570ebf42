"""The sequencer's leaders and followers, without a database: an uncontended item is
integrated at once by its own thread; what queues meanwhile is integrated together, at most
``max_batch`` at a time and one per key; every item gets its outcome, even when a batch fails."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from vcservice.service.sequencer import Batched, Sequencer


class Item(Batched[int]):
    def __init__(self, key: str, value: int) -> None:
        super().__init__(key)
        self.value = value


def test_an_uncontended_item_is_integrated_at_once_by_its_own_thread() -> None:
    seen: list[tuple[list[int], str]] = []

    def integrate(batch: list[Item]) -> None:
        seen.append(([i.value for i in batch], threading.current_thread().name))
        for item in batch:
            item.succeed(item.value * 2)

    item = Item("a", 21)
    Sequencer().run(item, integrate)
    assert item.outcome() == 42
    assert seen == [([21], threading.current_thread().name)]


def test_what_queues_behind_a_batch_is_integrated_together() -> None:
    sequencer = Sequencer(max_batch=3)
    release = threading.Event()
    batches: list[list[str]] = []

    def integrate(batch: list[Item]) -> None:
        if not batches:
            release.wait(10)
        batches.append([str(i.key) for i in batch])
        for item in batch:
            if item.key == "d":
                item.fail(ValueError(item.key))
            else:
                item.succeed(item.value)

    items = [Item(key, n) for n, key in enumerate(["a", "b", "c", "c", "d", "e"])]
    with ThreadPoolExecutor(len(items)) as pool:
        first = pool.submit(sequencer.run, items[0], integrate)
        while not sequencer._leading:
            time.sleep(0.001)
        rest = [pool.submit(sequencer.run, item, integrate) for item in items[1:]]
        while len(sequencer._queue) < len(rest):
            time.sleep(0.001)
        release.set()
        for done in [first, *rest]:
            done.result(10)
    assert batches[0] == ["a"]
    assert all(len(b) <= 3 and len(set(b)) == len(b) for b in batches)  # bounded, one per key
    assert sorted(k for b in batches for k in b) == ["a", "b", "c", "c", "d", "e"]
    assert [i.outcome() for i in items if i.key != "d"] == [0, 1, 2, 3, 5]
    with pytest.raises(ValueError, match="d"):
        items[4].outcome()


def test_a_batch_that_raises_fails_its_items_and_frees_the_lead() -> None:
    sequencer = Sequencer()

    def broken(batch: list[Item]) -> None:
        raise RuntimeError("integration failed")

    item = Item("a", 1)
    with pytest.raises(RuntimeError, match="integration failed"):
        sequencer.run(item, broken)
    with pytest.raises(RuntimeError, match="without an outcome"):
        item.outcome()

    def working(batch: list[Item]) -> None:
        for each in batch:
            each.succeed(each.value)

    again = Item("b", 2)
    sequencer.run(again, working)
    assert again.outcome() == 2
