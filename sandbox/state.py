"""Which store a --state value opens: "memory", a redis:// URL, or a SQLite file path."""
from __future__ import annotations

from .store import MemoryStore
from .store_sqlite import SqliteStore

MEMORY = ("", "memory", ":memory:")


def open_store(state: str, fixtures=None, cache_records: int = 5_000) -> MemoryStore:
    if state in MEMORY:
        return MemoryStore(fixtures)
    if state.startswith(("redis://", "rediss://")):
        from .store_redis import RedisStore  # imported only when used: redis costs nothing else
        return RedisStore(state, fixtures)
    return SqliteStore(state, fixtures, cache_records=cache_records)
