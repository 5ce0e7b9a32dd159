"""The SQLite store: every write committed to a file before the answer, a bounded cache in front.

- Durable: a put() is in the file (WAL, synchronous=NORMAL: in the OS, so a killed process loses
  nothing it acknowledged) before its answer is sent; `with store.lock:` is one transaction,
  whose records are written together (one statement) at its commit. On the event loop, the
  batches of one round of requests are one transaction, committed at the round's end before
  its answers leave (store._LockedBatch: group commit, one commit per round instead of one per
  create). A batch the file refuses is rolled back and none of it is served.
- Bounded: records are read from the file on demand and kept in an LRU cache of `cache_records`
  entries (misses too), so a start does not read the world and memory does not grow with it.
  Only the list of sessions that hold records is read at start (its own small table).
- Reads never wait for a write: they use their own connection per thread (WAL readers do not
  block on the writer), and the WAL is checkpointed by a background thread, not at the commit
  that happens to cross SQLite's automatic threshold (that stalled every request 14-30 ms).
  Under steady writes it also starts the WAL over (`_checkpoint`), which no passive pass does.
- Coherent across processes (--workers, or several servers on one file): each request first
  asks SQLite whether another process committed since (`notice`: PRAGMA data_version on our
  writer's connection, which does not count our own commits; no I/O, ~3 us) and drops the cache
  when one did; a batch takes the file's write lock first (BEGIN IMMEDIATE) and asks again, so
  read-then-write rules are serialised across processes too.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import OrderedDict

import orjson

from .logs import log_line, timestamp
from .store import _COUNTERS, DEFAULT_SESSION, FREEZE_EVERY, MemoryStore, numbered

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS records (session TEXT NOT NULL, kind TEXT NOT NULL,"
    " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (session, kind, key))",
    # The sessions that hold records: read at start instead of scanning `records`.
    "CREATE TABLE IF NOT EXISTS sessions (session TEXT PRIMARY KEY)",
)
PREFETCH = "SELECT kind, key, value FROM records WHERE session = ? AND kind = ? AND key = ?"
PREFETCH_MOST = 200  # records one statement reads (3 parameters each; SQLite allows 32,766)
UPSERT = ("INSERT INTO records VALUES (?, ?, ?, ?)"
          " ON CONFLICT (session, kind, key) DO UPDATE SET value = excluded.value")
# Seconds between the background checkpointer's passive checkpoints: a page written again and
# again between two (a leaf that takes new records) is copied once.
CHECKPOINT_EVERY = 2.0
RESTART_AFTER_FRAMES = 8000  # WAL frames (~32 MiB) past which the checkpointer starts it over
CATCH_UP_PASSES = 8  # at most, before the one that holds the writers off
SHORT_PASS = 0.002  # seconds: a pass this short leaves the last one little to copy
BUSY_TIMEOUT_MS = 10_000  # how long a batch waits for another process's write lock
PAGE_CACHE = -16384  # KiB of pages per connection (2 MiB by default; see _reader)
_MISSING = object()  # a cached "the session has no such record"


class SqliteStore(MemoryStore):
    shared = True  # other processes may serve the same file / database

    def __init__(self, path: str, fixtures=None, cache_records: int = 5_000):
        super().__init__(fixtures)
        self.path = path
        self.cache_records = max(int(cache_records), 1)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._db = self._connect()  # the writer: every use is under self.lock
        self._db.execute("PRAGMA busy_timeout=%d" % BUSY_TIMEOUT_MS)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer thread does it
        self._db.execute("PRAGMA cache_size=%d" % PAGE_CACHE)  # a round's reads go through it
        for statement in SCHEMA:
            self._db.execute(statement)
        self._fill_sessions_table()
        self._cache: OrderedDict = OrderedDict()
        self._written: list = []  # (address, value) put in the batch under way
        # The same until the batch's commit writes them: address -> (value, encoded), the last
        # put at each address (a round's creates number from one counter: one row for it).
        self._unflushed: dict = {}
        self._epoch = 0  # moves at every change we make; a read older than it is not cached
        self._file_reads = 0  # records read from the file and kept, by other connections
        self._reads_then = 0  # the same when the batch under way began
        self._readers = threading.local()
        self._version = self._data_version()
        self._with_records = self._read_sessions()
        self._counting = None  # counts()'s own connection, opened at the first scrape
        self._counting_lock = threading.Lock()
        self._counted = None  # (its data_version, the counts then)
        self._closed = threading.Event()
        self._checkpointer = threading.Thread(target=self._checkpoint_loop, daemon=True,
                                              name="sandbox-sqlite-checkpoint")
        self._checkpointer.start()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)

    def _fill_sessions_table(self) -> None:
        # A file written before the sessions table existed: list its sessions once.
        if self._db.execute("SELECT 1 FROM sessions LIMIT 1").fetchone() is None:
            self._db.execute("INSERT OR IGNORE INTO sessions SELECT DISTINCT session FROM records")

    def _read_sessions(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT session FROM sessions")}

    # -- reads --------------------------------------------------------------------------------
    def get(self, session: str, kind: str, key: str):
        if session in self._with_records:
            value = self._cached(session, kind, key)
            if value is not _MISSING:
                return value
        return self.fixtures.get(kind, {}).get(key)

    def _cached(self, session: str, kind: str, key: str):
        address = (session, kind, key)
        cache = self._cache
        value = cache.get(address)
        if value is not None:
            try:
                cache.move_to_end(address)
            except KeyError:
                pass  # another thread evicted it just now: the value read is still right
            return value
        unflushed = self._unflushed.get(address)
        if unflushed is not None:  # put in this batch, evicted since, not in the file yet
            return unflushed[0]
        epoch = self._epoch
        reader = self._reader()
        row = reader.execute(
            "SELECT value FROM records WHERE session = ? AND kind = ? AND key = ?",
            address).fetchone()
        value = orjson.loads(row[0]) if row else _MISSING
        if epoch == self._epoch:  # no write of ours raced this read: it may be kept
            if reader is not self._db:
                self._file_reads += 1  # may have kept what the batch under way writes over
            self._keep(address, value)
        return value

    def prefetch(self, session: str, addresses) -> None:
        """The records a rule is about to read, those the cache does not hold, in one statement
        (a create's lookups of records that do not exist yet: three statements for one)."""
        if session not in self._with_records:
            return  # nothing stored: every read is a fixture's
        cache, unflushed = self._cache, self._unflushed
        wanted = [(session, kind, key) for kind, key in addresses
                  if (session, kind, key) not in cache and (session, kind, key) not in unflushed]
        if len(wanted) < 2:
            return  # one read costs the same on its own
        epoch = self._epoch
        reader = self._reader()
        rows = reader.execute(" UNION ALL ".join([PREFETCH] * len(wanted)),
                              [part for address in wanted for part in address]).fetchall()
        found = {(session, kind, key): value for kind, key, value in rows}
        if epoch == self._epoch:
            if reader is not self._db:
                self._file_reads += 1
            for address in wanted:
                raw = found.get(address)
                self._keep(address, orjson.loads(raw) if raw is not None else _MISSING)

    def read_ahead(self, session: str, name: str, start: int, kind: str, key_of) -> None:
        first = self._following(name, start)
        address = (session, kind, key_of(first))
        if session in self._with_records and address not in self._cache and (
                address not in self._unflushed):
            self.prefetch(session, numbered(kind, key_of, first))

    def _keep(self, address, value) -> None:
        self._cache[address] = value
        if len(self._cache) > self.cache_records:
            self._cache.popitem(last=False)
        # Kept records, read or written, are what the cyclic GC walks on every full collection
        # of a cache filling up: every FREEZE_EVERY they leave its sight, as MemoryStore's do
        # (refcounting still frees them when they are evicted). A kept miss is no new object.
        if value is not _MISSING:
            self._unsettled += 1
            if self._unsettled >= FREEZE_EVERY:
                self._settle()

    @property
    def cached_records(self) -> int:
        return len(self._cache)

    def _reader(self) -> sqlite3.Connection:
        if self.lock.in_open_round():
            # The loop, in a round whose batch is not committed yet: its requests read what the
            # round's earlier ones wrote (a pipelined read after a create), as the writer sees
            # it, and what waits for the round's commit (`_unflushed`, one statement for all).
            return self._db
        reader = getattr(self._readers, "db", None)
        if reader is None:
            reader = self._readers.db = sqlite3.connect(self.path, isolation_level=None)
            reader.execute("PRAGMA query_only=1")
            # 16 MiB of pages (2 by default): the index's upper levels stay in memory, so a
            # lookup among 1M records reads one or two pages, not five (62 -> 18 us for two).
            reader.execute("PRAGMA cache_size=%d" % PAGE_CACHE)
        return reader

    def items(self, session: str, kind: str):
        self.notice()
        if self.lock.in_open_round():
            self._flush()  # the round's rows, for the writer's connection to list them
        own = {key: orjson.loads(value) for key, value in self._reader().execute(
            "SELECT key, value FROM records WHERE session = ? AND kind = ?", (session, kind))}
        yield from own.items()
        for key, value in self.fixtures.get(kind, {}).items():
            if key not in own:
                yield key, value

    def sessions(self) -> list[str]:
        self.notice()
        return sorted(self._with_records)

    def counts(self) -> dict[str, int]:
        """Records stored, by kind, every session's together (metrics.py), on a scrape, never on
        a request: one pass over the file's index (70 ms per 200,000 records here) only when the
        file changed since the last pass, else that pass's answer. The counting connection's
        data_version moves at every commit but its own: ours and other processes'."""
        with self._counting_lock:
            if self._counting is None:
                self._counting = self._connect()
                self._counting.execute("PRAGMA query_only=1")
            version = self._counting.execute("PRAGMA data_version").fetchone()[0]
            if self._counted is None or self._counted[0] != version:
                self._counted = (version, dict(self._counting.execute(
                    "SELECT kind, count(*) FROM records GROUP BY kind")))
            return dict(self._counted[1])

    # -- other processes' writes ----------------------------------------------------------------
    def _data_version(self) -> int:
        # The writer's connection, shared with the batch under way in another thread (sqlite3
        # is built serialized here: threadsafety 3); it counts only other connections' commits.
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    def notice(self) -> None:
        """Drops what this process remembers when another process committed since: called at
        the start of every request, and of every batch; on the loop in a round, once at its
        start (begin_round): each of its requests was received by then, so a write another
        process acknowledged before a request was sent is seen."""
        if self.lock.round_thread == threading.get_ident():
            return
        self._catch_up()

    def _catch_up(self) -> None:
        version = self._data_version()
        if version != self._version:
            self._version = version
            self._epoch += 1
            self._cache.clear()
            self._with_records = self._read_sessions()

    # -- writes -------------------------------------------------------------------------------
    def put(self, session: str, kind: str, key: str, value: dict) -> None:
        key = str(key)
        with self.lock:
            # Encoded now, so that a value the file cannot take raises here; written at the
            # batch's commit, all in one statement (8 INSERTs of a BCS create cost ~60 us).
            self._unflushed[(session, kind, key)] = (value, orjson.dumps(value))
            if session not in self._with_records:
                self._db.execute("INSERT OR IGNORE INTO sessions VALUES (?)", (session,))
                self._with_records.add(session)
            self._epoch += 1
            self._keep((session, kind, key), value)
            self._written.append(((session, kind, key), value))

    def reset(self, session: str = DEFAULT_SESSION) -> None:
        with self.lock:
            self._flush()  # what the batch put before the reset is reset too
            keep = _COUNTERS if session == DEFAULT_SESSION else None
            self._db.execute("DELETE FROM records WHERE session = ? AND kind IS NOT ?",
                             (session, keep))
            if keep is None:
                self._db.execute("DELETE FROM sessions WHERE session = ?", (session,))
                self._with_records.discard(session)
            self._epoch += 1
            for address in [a for a in list(self._cache) if a[0] == session and a[1] != keep]:
                self._cache.pop(address, None)

    def _begin(self):
        # IMMEDIATE: the file's write lock now, so that what the batch reads is what it writes
        # over, whichever process wrote last.
        self._db.execute("BEGIN IMMEDIATE")
        self._catch_up()
        self._reads_then = self._file_reads

    # -- the event loop's rounds (server.LoopDispatcher): one commit per round --------------------
    def begin_round(self, sessions, reads=(), writes=False) -> None:
        """The loop's round: one catch-up for its requests, and the records they name
        (`reads`: (session, kind, key), Parts.reads) read together, one statement a session.
        (`writes`: a request of the round may write; its batch takes the file's lock then.)"""
        self._catch_up()
        by_session: dict[str, list] = {}
        for session, kind, key in dict.fromkeys(reads):
            by_session.setdefault(session, []).append((kind, key))
        for session, addresses in by_session.items():
            for at in range(0, len(addresses), PREFETCH_MOST):
                self.prefetch(session, addresses[at:at + PREFETCH_MOST])
        self.lock.begin_round()

    def end_round(self) -> bool:
        return self.lock.end_round()

    def _flush(self) -> None:
        if self._unflushed:
            # An upsert rewrites the row where it is; REPLACE deleted it and appended it anew,
            # which dirtied two more pages per rewritten record (the counters: 12 -> 10 WAL
            # frames per BCS create, 8.8 -> 6.9 per core create).
            self._db.executemany(UPSERT, [(*address, raw)
                                          for address, (_, raw) in self._unflushed.items()])
            self._unflushed.clear()

    def _commit(self):
        try:
            self._flush()
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._refuse()
            raise
        # A reader that missed the cache during the batch read the file as it was before it:
        # what the batch wrote goes back in, now that the file agrees (where nobody read the
        # file meanwhile, it is all still there).
        self._epoch += 1
        if self._file_reads != self._reads_then:
            for address, value in self._written:
                self._keep(address, value)
        self._written.clear()

    def _refuse(self) -> None:
        """The file refused the batch: none of it is served (nor left pending)."""
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        self._epoch += 1
        for address, _ in self._written:
            self._cache.pop(address, None)
        self._written.clear()
        self._unflushed.clear()

    # -- the WAL ------------------------------------------------------------------------------
    def _checkpoint_loop(self) -> None:
        db = self._connect()
        failing = False
        try:
            while not self._closed.wait(CHECKPOINT_EVERY):
                try:
                    self._checkpoint(db)
                    failing = False
                except sqlite3.Error as exc:
                    if not os.path.exists(self.path):
                        return  # the file went away under us: nothing left to checkpoint
                    # A full disk, an I/O error: said once, tried again at the next pass (a
                    # checkpointer that stopped would let the WAL grow without end).
                    if not failing:
                        log_line({"ts": timestamp(), "level": "error",
                                  "event": "sqlite_checkpoint_failed",
                                  "message": f"{self.path}: {exc}; trying again every "
                                             f"{CHECKPOINT_EVERY:g} s"})
                    failing = True
        finally:
            db.close()

    def _checkpoint(self, db: sqlite3.Connection) -> None:
        # PASSIVE: copies what no reader still needs, never waits for anyone.
        frames = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        if frames <= RESTART_AFTER_FRAMES:
            return
        # Under steady writes a pass never copies the frames committed while it ran, so the
        # WAL never starts over: it grew by ~40 MiB a second of creates, and every write's
        # system time with it. Each further pass copies only what the last one left, so they
        # shrink; the last, short one holds this process's writers off, and with the WAL all
        # copied the next commit starts it over.
        for _ in range(CATCH_UP_PASSES):
            began = time.perf_counter()
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            if time.perf_counter() - began < SHORT_PASS:
                break
        with self.lock._mutex:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self._closed.set()
        with self._counting_lock:
            if self._counting is not None:
                self._counting.close()
        with self.lock._mutex:  # not a batch: there is nothing left to commit
            self._db.close()
