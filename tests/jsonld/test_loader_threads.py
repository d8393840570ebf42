"""The loader's resolved-context cache is per thread.

pyld's resolved contexts hold unsynchronized LRU caches; shared between threads they were
corrupted now and then under concurrent issuance, and a valid UNTP credential was refused as
"invalid scoped context" (about 1 in 100 with 32 threads). A statistical test would take tens
of seconds, so this one checks the invariant that prevents it.
"""

from __future__ import annotations

import threading

from vcservice.jsonld import bundled_loader


def test_each_thread_resolves_through_its_own_cache() -> None:
    loader = bundled_loader()
    here = loader.context_resolver().shared_cache
    assert loader.context_resolver().shared_cache is here  # reused within a thread
    elsewhere: list[object] = []
    thread = threading.Thread(
        target=lambda: elsewhere.append(loader.context_resolver().shared_cache)
    )
    thread.start()
    thread.join()
    assert elsewhere[0] is not here
