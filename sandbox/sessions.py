"""Idle sessions expire: a QA suite that uses a fresh X-Sandbox-Session per test must not grow the
server's memory (and a SQLite file) without end.

A named session expires after `ttl` seconds without a request, and at most `limit` named sessions
are kept (the longest idle go first when a new one would pass it). Expiring a session drops its
records, its active scenario and its journal, as a reset does. The default session never expires:
it is one developer's whole state.

A state other processes serve too (a SQLite file, Redis: `shared`) is told when a session was
last seen, as a record of the session's own (SEEN_KIND), at most every PUBLISH_EVERY seconds per
session and process. Before a process expires a session it finds idle, it reads that record: a
session another process served within the ttl is not idle, and is not wiped from under it. A
session past the limit that another process serves is only dropped from this one's count.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from .errors import StoreUnavailable
from .store import DEFAULT_SESSION

SWEEP_EVERY = 30.0  # seconds between looks for idle sessions, at most
PUBLISH_EVERY = 60.0  # seconds between two records of "seen now", per session, at most
SEEN_KIND, SEEN_KEY = "_seen", "last"


class Sessions:
    def __init__(self, ttl: float, limit: int, expire: Callable[[str], None], known=(),
                 shared=None):
        self.ttl = float(ttl)
        self.shared = shared  # the store, when other processes serve it too
        self.publish_every = min(PUBLISH_EVERY, self.ttl / 4)
        self.published: dict[str, float] = {}  # session -> when this process last recorded it
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
        if self.shared is not None and \
                now - self.published.get(session, -self.publish_every) >= self.publish_every:
            self.publish(session, now)
        if (new and len(self.last) > self.limit) or now - self._swept > min(self.ttl, SWEEP_EVERY):
            self.sweep(now, keep=session)

    def publish(self, session: str, now: float | None = None) -> None:
        """Records in the shared state that `session` was seen now (also after a reset, which
        drops the record with the session's others)."""
        if self.shared is None or session == DEFAULT_SESSION:
            return
        try:
            self.shared.put(session, SEEN_KIND, SEEN_KEY, {"at": time.time()})
        except StoreUnavailable:
            return  # the route answers that the state is down; the next request tells it again
        self.published[session] = time.monotonic() if now is None else now

    def sweep(self, now: float | None = None, keep: str | None = None) -> list[str]:
        """Expire the sessions idle past the ttl, then the longest idle past the limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._swept = now
            idle = sorted((at, s) for s, at in list(self.last.items()) if s != keep)
            over = max(0, len(self.last) - self.limit)
            if self.shared is not None:
                self.shared.notice()  # what other processes wrote since, not what this one cached
            gone = []
            for n, (at, session) in enumerate(idle):
                if now - at <= self.ttl and n >= over:
                    continue
                elsewhere = self._idle_elsewhere(session)
                if elsewhere is not None and elsewhere <= self.ttl:  # in use in another process
                    if n >= over:  # idle here only: look again when it may be idle there too
                        self.last[session] = now - elsewhere
                        continue
                    self._drop(session)  # past the limit here: counted by the process serving it
                    continue
                self._drop(session)
                gone.append(session)
        for session in gone:
            self.expire(session)
        return gone

    def _drop(self, session: str) -> None:
        self.last.pop(session, None)
        self.published.pop(session, None)

    def _idle_elsewhere(self, session: str) -> float | None:
        """Seconds since any process recorded `session` as seen (None: none did, or no other
        process shares the state)."""
        if self.shared is None:
            return None
        try:
            record = self.shared.get(session, SEEN_KIND, SEEN_KEY)
        except StoreUnavailable:
            return 0.0  # cannot tell: kept, as one in use is
        return None if record is None else max(0.0, time.time() - record["at"])
