"""The state store: session layers of records over a read-only fixture layer.

State is a set of records addressed by (kind, key), e.g. ("core_customer", "1234"). Fixtures form
the bottom layer and never change; each session (header X-Sandbox-Session, "default" without it)
writes into its own layer, which shadows the fixtures. Resetting a session drops its layer.

Implementations behind one interface (`state.open_store` picks one from --state):
- MemoryStore (here): dicts, nothing survives exit.
- SqliteStore (store_sqlite.py): every write committed to a SQLite file before put() returns, so
  what a response acknowledged survives a killed process and a restart; a bounded cache in front.

Values are JSON-able dicts. A value handed out by get() belongs to the store: never mutate it in
place; build a new dict and put() it (reads stay copy-free, which keeps the hot path fast).
Compound read-then-write rules (upsert by document, next number) run inside `with store.lock:`,
which is also one write batch: on SQLite the writes inside commit together when the outermost
block ends (still before the view returns), not one commit per record.
"""
from __future__ import annotations

import gc
import threading
from typing import Callable, Iterator

DEFAULT_SESSION = "default"
_COUNTERS = "_counter"
# Stored records live until a reset, so the cyclic GC gains nothing by walking them, and a full
# collection over tens of thousands of them paused every request for ~120 ms (after 20k core
# creates). Every FREEZE_EVERY writes they are moved out of its sight (gc.freeze); refcounting
# still frees them on reset, as records hold no cycles.
FREEZE_EVERY = 1000
# Numbers next_unused reads the records of at once, where a store reads from a file or the
# network: a run of creates then checks the numbers it hands out with one read, not one each.
# 64: on Redis a round of ~8 creates made that trip every second round with 16; now one in 7.
READ_AHEAD = 64


def numbered(kind: str, key_of, first: int) -> list[tuple[str, str]]:
    """The addresses of the records of `kind` of the READ_AHEAD numbers from `first` on."""
    return [(kind, key_of(number)) for number in range(first, first + READ_AHEAD)]


class RoundBatch:
    """What a store's lock shares with the event loop's rounds (server.LoopDispatcher): during a
    round on the loop's thread, the outermost blocks' writes are held (with the lock's mutex)
    for the round's end, which commits them all at once, before any of the round's answers is
    sent (group commit). A lock sets round_open and takes the mutex once more when a block of
    the round begins to hold writes, and says how to commit them (_commit_round)."""

    round_thread = None  # the loop's thread, during its round
    round_open = False  # the round's writes are held: the loop holds the mutex
    batches = 0  # outermost blocks ended: the loop tells the writing requests by it

    def begin_round(self) -> None:
        self.round_thread = threading.get_ident()

    def end_round(self) -> bool:
        """Commits the round's writes; True when the state refused them (none of it is kept)."""
        self.round_thread = None
        if not self.round_open:
            return False
        try:
            self._commit_round()
            return False
        except Exception:
            return True
        finally:
            self.round_open = False
            self._round_closed()
            self._mutex.release()

    def _commit_round(self) -> None:
        raise NotImplementedError

    def _round_closed(self) -> None:
        """After the round's commit, before the mutex is released."""


class _LockedBatch(RoundBatch):
    """The store's lock as a context: reentrant, and the outermost block is one write batch.

    In a round of the event loop the batches of the round's requests are one: the first takes
    the lock and begins, each block's end leaves its writes in the transaction, and the round's
    end commits them all at once. So nothing is acknowledged before it is committed, and a file
    pays one commit per round, not one per create."""

    def __init__(self, store: "MemoryStore"):
        self._store = store
        self._mutex = threading.RLock()
        self._depth = 0  # only the thread holding the mutex touches it

    def __enter__(self):
        self._mutex.acquire()
        self._depth += 1
        if self._depth == 1 and not self.round_open:
            self._store._begin()
            if self.round_thread == threading.get_ident():
                self._mutex.acquire()  # held past the block, until the round's end
                self.round_open = True
        return self

    def __exit__(self, *exc):
        try:
            if self._depth == 1:
                self.batches += 1
                if not self.round_open:
                    # Written records are kept even when the block fails, as when each put
                    # committed.
                    self._store._commit()
                    self._store._settle()
        finally:
            self._depth -= 1
            self._mutex.release()

    def in_open_round(self) -> bool:
        """Whether this thread is the loop's, with the round's writes not committed yet."""
        return self.round_open and self.round_thread == threading.get_ident()

    def _commit_round(self) -> None:
        self._store._commit()
        self._store._settle()


class MemoryStore:
    shared = False  # whether other processes may serve the same state (sessions.py asks)

    def __init__(self, fixtures: dict[str, dict[str, dict]] | None = None):
        self.fixtures = {kind: dict(records) for kind, records in (fixtures or {}).items()}
        self._layers: dict[str, dict[str, dict[str, dict]]] = {}
        self.lock = _LockedBatch(self)
        self._unsettled = 0  # writes since the last gc.freeze()

    # -- reads --------------------------------------------------------------------------------
    def get(self, session: str, kind: str, key: str):
        layer = self._layers.get(session)
        if layer is not None:
            records = layer.get(kind)
            if records is not None and key in records:
                return records[key]
        return self.fixtures.get(kind, {}).get(key)

    def items(self, session: str, kind: str) -> Iterator[tuple[str, dict]]:
        """Every record of a kind the session sees: its own, then fixtures it does not shadow."""
        own = self._layers.get(session, {}).get(kind, {})
        yield from list(own.items())
        for key, value in self.fixtures.get(kind, {}).items():
            if key not in own:
                yield key, value

    def sessions(self) -> list[str]:
        return sorted(self._layers)

    def prefetch(self, session: str, addresses) -> None:
        """A rule's hint of the records (kind, key) it is about to read: a store over the
        network reads them in one round trip. Memory has them at hand."""

    def notice(self) -> None:
        """At the start of each request: a store shared with other processes catches up with
        their writes here. Memory is this process's alone."""

    def counts(self) -> dict[str, int]:
        """Records the sessions stored, by kind, every session's together (metrics.py)."""
        counts: dict[str, int] = {}
        for layer in list(self._layers.values()):
            for kind, records in list(layer.items()):
                counts[kind] = counts.get(kind, 0) + len(records)
        return counts

    # -- writes -------------------------------------------------------------------------------
    def put(self, session: str, kind: str, key: str, value: dict) -> None:
        with self.lock:
            # Persisted first: a record the file cannot take is never served from memory.
            self._persist(session, kind, str(key), value)
            self._layers.setdefault(session, {}).setdefault(kind, {})[str(key)] = value
            self._unsettled += 1

    def next_number(self, name: str, start: int) -> int:
        """A number never handed out before under `name` (shared by all sessions, so numbers
        stay unique even when sessions are merged in a report), starting at `start`."""
        with self.lock:
            value = self._following(name, start)
            # Counters live in the default layer and survive a reset, so a number is never reused.
            self.put(DEFAULT_SESSION, _COUNTERS, name, {"last": value})
            return value

    def _following(self, name: str, start: int) -> int:
        """The number next_number gives next under `name` (under the lock)."""
        current = self.get(DEFAULT_SESSION, _COUNTERS, name)
        return max(start, (current or {}).get("last", start - 1) + 1)

    def read_ahead(self, session: str, name: str, start: int, kind: str, key_of) -> None:
        """SessionState.next_unused's hint, under the lock: where a store reads from a file or
        the network, the records of `kind` of the READ_AHEAD numbers from the one `name` gives
        next, in one read, unless it holds that one's already. Memory has them at hand."""

    def reset(self, session: str = DEFAULT_SESSION) -> None:
        with self.lock:
            layer = self._layers.pop(session, {})
            counters = layer.get(_COUNTERS)
            if counters:
                self._layers[session] = {_COUNTERS: counters}
            self._forget(session)

    def close(self) -> None:
        pass

    def _settle(self) -> None:
        if self._unsettled >= FREEZE_EVERY:
            self._unsettled = 0
            gc.collect(1)  # young garbage first, so that it is not frozen with the records
            gc.freeze()

    # -- persistence hooks (no-ops in memory) -------------------------------------------------
    def _begin(self) -> None:
        pass

    def _commit(self) -> None:
        pass

    def _persist(self, session: str, kind: str, key: str, value: dict) -> None:
        pass

    def _forget(self, session: str) -> None:
        pass


class SessionState:
    """The store as one session sees it: what backends receive, so they never pass session ids."""

    __slots__ = ("store", "session")

    def __init__(self, store: MemoryStore, session: str):
        self.store = store
        self.session = session

    @property
    def lock(self):
        return self.store.lock

    def get(self, kind: str, key) -> dict | None:
        return self.store.get(self.session, kind, str(key))

    def put(self, kind: str, key, value: dict) -> None:
        self.store.put(self.session, kind, str(key), value)

    def items(self, kind: str):
        return self.store.items(self.session, kind)

    def prefetch(self, *addresses: tuple[str, str]) -> None:
        self.store.prefetch(self.session, [(kind, str(key)) for kind, key in addresses])

    def values(self, kind: str):
        return [value for _, value in self.store.items(self.session, kind)]

    def next_number(self, name: str, start: int) -> int:
        return self.store.next_number(name, start)

    def next_unused(self, name: str, start: int, kind: str, key_of: Callable[[int], str]) -> str:
        """The key `key_of(number)` of the first number next_number gives under `name` that
        names no record of `kind` the session sees (a fixture, or one stored by other means):
        an account number nobody holds. The numbers it skips are used up."""
        store = self.store
        with store.lock:
            store.read_ahead(self.session, name, start, kind, key_of)
            while True:
                key = key_of(store.next_number(name, start))
                if store.get(self.session, kind, key) is None:
                    return key
