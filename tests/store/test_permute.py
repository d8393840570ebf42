"""The slot-to-index permutation is a bijection that depends on its key, and the slot cache
hands every reserved slot out once, refilling in blocks that grow while issuing is busy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from vcservice.store import StatusAllocation
from vcservice.store._permute import permute, unpermute
from vcservice.store._slots import MAX_BLOCK, MIN_BLOCK, SlotCache


@pytest.mark.parametrize("length", [8, 24, 1000, 4096])
def test_permutation_is_a_bijection(length: int) -> None:
    key = bytes(range(32))
    indexes = [permute(key, slot, length) for slot in range(length)]
    assert sorted(indexes) == list(range(length))
    assert all(unpermute(key, index, length) == slot for slot, index in enumerate(indexes))


def test_permutation_depends_on_the_key_and_hides_the_order() -> None:
    first = [permute(b"k" * 32, slot, 131072) for slot in range(64)]
    second = [permute(b"K" * 32, slot, 131072) for slot in range(64)]
    assert first != second
    assert first != sorted(first)
    with pytest.raises(ValueError, match="outside"):
        permute(b"k" * 32, 131072, 131072)


def test_cache_hands_each_slot_out_once_in_growing_blocks() -> None:
    cache = SlotCache()
    blocks: list[int] = []
    lock = threading.Lock()

    def reserve(count: int) -> list[StatusAllocation]:
        with lock:
            start = sum(blocks)
            blocks.append(count)
        return [StatusAllocation("list", start + n, "revocation") for n in range(count)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = list(pool.map(lambda _: cache.take("t", "revocation", reserve).index, range(2000)))
    assert sorted(taken) == list(range(len(taken)))  # each once, no gaps while running
    assert blocks[:3] == [MIN_BLOCK, MIN_BLOCK * 2, MIN_BLOCK * 4]  # busy: each block doubles
    assert max(blocks) == MAX_BLOCK
