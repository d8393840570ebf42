"""Helpers for store tests."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from vcservice.store import Base


def dump(engine: Engine) -> bytes:
    """Every value of every table, as bytes, for "is this secret anywhere?" checks."""
    parts: list[bytes] = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    parts.append(value if isinstance(value, bytes) else repr(value).encode())
    return b"\n".join(parts)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(Base.metadata.tables[table]))
    return int(total or 0)
