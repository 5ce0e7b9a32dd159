"""Idle sessions expire: a QA suite that uses a fresh X-Sandbox-Session per test must not grow the
server's memory (and a SQLite file) without end.

A named session expires after `ttl` seconds without a request, and at most `limit` named sessions
are kept (the longest idle go first when a new one would pass it). Expiring a session drops its
records, its active scenario and its journal, as a reset does. The default session never expires:
it is one developer's whole state.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from .store import DEFAULT_SESSION

SWEEP_EVERY = 30.0  # seconds between looks for idle sessions, at most


class Sessions:
    def __init__(self, ttl: float, limit: int, expire: Callable[[str], None], known=()):
        self.ttl = float(ttl)
        self.limit = max(1, int(limit))
        self.expire = expire
        now = time.monotonic()
        # Session -> when its last request came. Sessions a state file brings count from now.
        self.last: dict[str, float] = {s: now for s in known if s != DEFAULT_SESSION}
        self._swept = now
        self._lock = threading.Lock()

    def seen(self, session: str) -> None:
        """A request of `session` came now (the pipeline calls this on every request)."""
        if session == DEFAULT_SESSION:
            return
        now = time.monotonic()
        new = session not in self.last
        self.last[session] = now
        if (new and len(self.last) > self.limit) or now - self._swept > min(self.ttl, SWEEP_EVERY):
            self.sweep(now, keep=session)

    def sweep(self, now: float | None = None, keep: str | None = None) -> list[str]:
        """Expire the sessions idle past the ttl, then the longest idle past the limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._swept = now
            idle = sorted((at, s) for s, at in list(self.last.items()) if s != keep)
            over = max(0, len(self.last) - self.limit)
            gone = [s for n, (at, s) in enumerate(idle) if now - at > self.ttl or n < over]
            for session in gone:
                self.last.pop(session, None)
        for session in gone:
            self.expire(session)
        return gone
