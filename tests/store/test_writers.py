"""SQLite's writers take turns (a lock file beside the database): a second writer waits for
the first to finish instead of polling SQLite's lock, and nothing else needs a queue."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import create_engine

from vcservice.store._writers import SUFFIX, writer_queue


def test_a_writer_waits_for_the_one_before(tmp_path: Path) -> None:
    queue = writer_queue(create_engine(f"sqlite:///{tmp_path / 'vc.db'}"))
    assert queue is not None
    assert queue.path == str(tmp_path / "vc.db") + SUFFIX
    order: list[str] = []
    first_in, second_tried = threading.Event(), threading.Event()

    def second() -> None:
        first_in.wait()
        second_tried.set()
        with queue.turn():
            order.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with queue.turn():
        first_in.set()
        second_tried.wait()
        thread.join(timeout=0.2)  # it cannot get in while this turn lasts
        assert thread.is_alive()
        order.append("first")
    thread.join(timeout=10)
    assert order == ["first", "second"]


def test_only_a_sqlite_file_has_a_queue() -> None:
    assert writer_queue(create_engine("sqlite://")) is None
    assert writer_queue(create_engine("sqlite:///:memory:")) is None
    assert writer_queue(create_engine("postgresql+psycopg://u@localhost/db")) is None
