"""The state store on Redis: several sandbox instances, one world (`--state redis://...`).

The same interface as store.MemoryStore (get/items/sessions/put/next_number/reset/close and
`lock`), with every session layer in Redis and only the fixtures in each process:
- a session's records are one hash, `sandbox:s:<session>`, field `<kind>\\x1f<key>`, orjson value;
  how many of each kind it holds, a hash the commits keep, `sandbox:n:<session>` (metrics);
- numbers are `INCR` counters (`sandbox:c:<name>`): unique across instances, never reused, and
  outside the session hashes, so a reset keeps them;
- every write to a session, and its reset, bumps its generation (`sandbox:g:<session>`). A
  request reads it once (begin_request, one round trip) and then serves the records this process
  read at that same generation from a small local cache: a write on any instance is seen by the
  next request on every instance, and a read costs one round trip, not one per record. The
  event loop reads the generations of all the requests a round holds with one MGET
  (begin_round), after they were all received, so the rule holds for each of them. Where the
  only writes since a record was read are this process's own locked ones (the generation went up
  by one per commit, and each commit put what it wrote in the cache), the record is still good
  at the new generation (the session's span), so a run of creates on one instance does not read
  everything again after each;
- `with store.lock:` is a write batch and, from its first read on, a lock across instances
  (`SET NX PX`): the writes commit in one Lua script that first checks the lock is still ours
  (a block that outlived the lock's TTL fails instead of writing over another's rule) and
  releases it. A block that only writes takes no lock: each write is atomic on its own. The
  lock's round trip also reads the session's generation (the block's reads use the cache at it)
  and the counters the last block of the same rule (named by its first read's kind) numbered:
  the block counts their numbers itself and the commit sets them, once it checked nobody moved
  them meanwhile (else it fails, and gives nothing out). On the event loop, the blocks of one
  round of requests hold the lock and their writes until the round's end, and commit together
  in one script before any of the round's answers leaves (group commit). A round that holds a
  request of a route that writes (Route.writes) takes the lock, with the counters, in its first
  round trip (begin_round), where it is free; a rule names the records it is about to read
  (`prefetch`, `read_ahead`), which come in one round trip;
Redis unreachable: every call fails at once (short socket timeouts, then no new attempt for
RETRY_AFTER seconds) with StoreUnavailable, a 503 in the route's envelope; `problem()` says what
is wrong for /__sandbox/health, and the next call after the pause reconnects by itself.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from typing import Iterator

import orjson
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import hotline
from .errors import StoreUnavailable
from .store import DEFAULT_SESSION, RoundBatch, numbered
from .version import __version__

PREFIX = "sandbox:"
SEP = "\x1f"  # between kind and key in a hash field: a character no kind or key holds
LOCK_TTL_MS = 2000  # a killed instance's lock frees itself after this; a rule takes ~1 ms
LOCK_WAIT = 3.0  # seconds a block waits for the lock before answering 503
RETRY_AFTER = 1.0  # seconds without a new attempt once Redis failed (no 0.5 s stall per request)
CACHE_LIMIT = 5_000  # records kept locally, each tagged with its session's generation; a
# decoded BCS customer takes ~11 KB, so 20,000 took RSS past 200 MiB after random reads among 1M
TIMEOUT = 0.5  # seconds: socket connect and reply timeouts

PUTS_PER_HSET = 200  # fields and values a Lua call of COMMIT passes (unpack) at once: well
# within Lua's stack, whatever a batch holds

# ARGV: token ('' when the block took no lock); the number of counters the block numbered
# itself, then name, value when the lock was taken, last number per counter; then the writes,
# in runs: "p", session, kind, n, then n fields and values of that kind (puts, in one HSET per
# PUTS_PER_HSET; the fields they add are counted in the session's `n:` hash, by kind, for
# counts()), or "r", session (a reset). Returns each touched session's new generation.
COMMIT = """
local prefix = KEYS[2]
if ARGV[1] ~= '' and redis.call('get', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LOCKLOST the store lock expired during this block')
end
local first = 3 + 3 * tonumber(ARGV[2])
for i = 3, first - 1, 3 do
  if tonumber(redis.call('get', prefix .. 'c:' .. ARGV[i]) or '0') ~= tonumber(ARGV[i + 1]) then
    if ARGV[1] ~= '' then redis.call('del', KEYS[1]) end
    return redis.error_reply('COUNTER ' .. ARGV[i] .. ' moved during this block')
  end
end
for i = 3, first - 1, 3 do redis.call('set', prefix .. 'c:' .. ARGV[i], ARGV[i + 2]) end
local gens, seen, listed = {}, {}, {}
local i = first
while i <= #ARGV do
  local op, session = ARGV[i], ARGV[i + 1]
  if op == 'p' then
    local kind, last = ARGV[i + 2], i + 3 + 2 * tonumber(ARGV[i + 3])
    local added = 0
    for at = i + 4, last, 2 * PUTS_PER_HSET do
      added = added + redis.call('hset', prefix .. 's:' .. session, unpack(ARGV, at,
                                 math.min(at + 2 * PUTS_PER_HSET - 1, last)))
    end
    if added > 0 then redis.call('hincrby', prefix .. 'n:' .. session, kind, added) end
    if not listed[session] then redis.call('sadd', prefix .. 'sessions', session) end
    listed[session] = true
    i = last + 1
  else
    redis.call('del', prefix .. 's:' .. session, prefix .. 'n:' .. session)
    redis.call('srem', prefix .. 'sessions', session)
    listed[session] = nil
    i = i + 2
  end
  if not seen[session] then seen[session] = true; gens[#gens + 1] = session end
end
local out = {}
for _, session in ipairs(gens) do
  out[#out + 1] = session
  out[#out + 1] = redis.call('incr', prefix .. 'g:' .. session)
end
if ARGV[1] ~= '' then redis.call('del', KEYS[1]) end
return out
""".replace("PUTS_PER_HSET", str(PUTS_PER_HSET))
# Counters: the first number is `start`; INCR keeps them unique across instances.
NEXT_NUMBER = """
local v = redis.call('incr', KEYS[1])
if v < tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[1]); v = tonumber(ARGV[1]) end
return v
"""

# counts() of a session whose records a sandbox without the `n:` counts stored: KEYS the
# session's generation and counts; ARGV the generation they were listed at, then kind, count...
# Written only where no write came in since (a commit bumps the generation).
RECOUNTED = """
if (redis.call('get', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('del', KEYS[2])
if #ARGV > 1 then redis.call('hset', KEYS[2], unpack(ARGV, 2)) end
return 1
"""

# A round's start (begin_round): the generations of its sessions (KEYS[1..n]) and the records
# its requests name (each a session hash after them; ARGV: n, the lock's token, its TTL, m, then
# per record the index of its session, its field, and the generation its cached copy is good
# at): a record comes back where the session moved past that generation, else 0 (the cache is
# good), all at one moment. With a token (a request of the round writes), the lock (the key
# after the records) is taken too where it is free, and m counters (the keys after it) read:
# returns {generations, 1 when locked, counters, records...}.
ROUND_READS = """
local n, token, m = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[4])
local last, locked, counters = #KEYS, 0, {}
if token ~= '' then
  last = #KEYS - m - 1
  if redis.call('set', KEYS[last + 1], token, 'NX', 'PX', ARGV[3]) then
    locked = 1
    for i = last + 2, #KEYS do counters[#counters + 1] = redis.call('get', KEYS[i]) or '0' end
  end
end
local gens = redis.call('mget', unpack(KEYS, 1, n))
local out = {gens, locked, counters}
for i = n + 1, last do
  local a = 3 * (i - n) + 2
  if tonumber(gens[tonumber(ARGV[a])] or 0) == tonumber(ARGV[a + 2]) then out[#out + 1] = 0
  else out[#out + 1] = redis.call('hget', KEYS[i], ARGV[a + 1]) end
end
return out
"""


class WorldMismatch(RuntimeError):
    """The Redis database holds the state of other fixtures: never two worlds in one database."""


def fingerprint(fixtures: dict) -> str:
    return hashlib.sha256(orjson.dumps(fixtures, option=orjson.OPT_SORT_KEYS
                                       | orjson.OPT_NON_STR_KEYS)).hexdigest()[:16]


class _Batch(RoundBatch):
    """The store's lock as a context: reentrant per thread, serialised across the process's
    threads, and (from its first read) across instances; the outermost block commits."""

    def __init__(self, store: "RedisStore"):
        self._store = store
        self._mutex = threading.RLock()
        self.depth = 0
        self.owner = None  # the thread inside the block
        self.token = ""  # the Redis lock's value while this block holds it
        # The generations read with the lock (the first read's session's, or the round's):
        # what this process read at them is still so while the lock is held.
        self.at: dict[str, int] = {}
        # Counters read with the lock: name -> [value then, last number this block gave]
        self.counters: dict[str, list[int]] = {}
        self.numbered: set[str] = set()  # the counters this block took numbers from
        self.first_kind = ""  # the kind of its first read, which names the rule for the hints
        self.writes: list[tuple] = []  # (op, session, field, encoded, value)
        self.pending: dict[tuple[str, str], dict] = {}  # what the block wrote, by address
        self.cleared: set[str] = set()

    def held(self) -> bool:
        return self.owner == threading.get_ident()

    def __enter__(self):
        self._mutex.acquire()
        self.depth += 1
        self.owner = threading.get_ident()
        return self

    def __exit__(self, kind, exc, tb):
        try:
            if self.depth == 1:
                self.batches += 1
                if self.first_kind:
                    self._store._hints[self.first_kind] = tuple(sorted(self.numbered))
                self.numbered, self.first_kind = set(), ""
                if self.round_thread == self.owner:
                    # In the loop's round: the lock and the writes are held for the round's
                    # end, which commits every block of it at once.
                    if (self.writes or self.token) and not self.round_open:
                        self._mutex.acquire()
                        self.round_open = True
                else:
                    self._commit_held()
        finally:
            self.depth -= 1
            if self.depth == 0 and not self.round_open:
                self.owner = None
            self._mutex.release()

    def _commit_held(self) -> None:
        writes, token, at = self.writes, self.token, self.at
        counters = [(name, held[0], held[1]) for name, held in self.counters.items()
                    if held[1] != held[0]]
        self.writes, self.token, self.at, self.counters = [], "", {}, {}
        self.pending.clear()
        self.cleared.clear()
        if writes or token:
            self._store._commit(writes, token, at, counters)

    _commit_round = _commit_held

    def _round_closed(self) -> None:
        self.owner = None

    def try_mutex(self) -> bool:
        """The mutex, where no other thread's block holds it (the loop never waits here)."""
        return self._mutex.acquire(blocking=False)

    def release_mutex(self) -> None:
        """What try_mutex took, where the round did not take the lock after all."""
        self._mutex.release()

    def hold_round(self, token: str, at: dict[str, int], counters: dict[str, int]) -> None:
        """The loop's round took the lock in its first trip, with the mutex (try_mutex): its
        blocks hold both until the round's end (RoundBatch.end_round lets go)."""
        self.token, self.at, self.owner, self.round_open = token, at, threading.get_ident(), True
        self.counters = {name: [value, value] for name, value in counters.items()}

    def at_of(self, session: str) -> tuple[str, int] | None:
        """(session, generation read with the lock), or None where the lock read none of it."""
        gen = self.at.get(session)
        return None if gen is None else (session, gen)

    def ensure_locked(self) -> None:
        if not self.token:
            self.token = self._store._acquire()[0]


class RedisStore:
    prefix = PREFIX
    shared = True  # several instances serve one database

    def __init__(self, url: str, fixtures: dict[str, dict[str, dict]] | None = None):
        self.fixtures = {kind: dict(records) for kind, records in (fixtures or {}).items()}
        self.url = url
        self.db = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
            retry=Retry(NoBackoff(), 1), health_check_interval=0)
        where = self.db.connection_pool.connection_kwargs
        self.where = f"Redis at {where.get('host', where.get('path'))}:{where.get('port', '')}" \
                     f"/{where.get('db', 0)}"
        self.label = _without_password(url)  # for the banner and the console
        self._commit_script = hotline.Script(COMMIT)
        self._number_script = hotline.Script(NEXT_NUMBER)
        self._round_script = hotline.Script(ROUND_READS)
        self._recount_script = hotline.Script(RECOUNTED)
        self.lock = _Batch(self)
        self._down_until = 0.0
        self._problem: str | None = None
        self._cache: dict[tuple[str, str], tuple[int, object]] = {}
        # session -> (lo, hi): a record cached at a generation from lo up is still so at hi
        self._spans: dict[str, tuple[int, int]] = {}
        # The kind a locked block read first -> the counters such a block numbered last time:
        # read with its lock, so that its numbers need no round trip of their own.
        self._hints: dict[str, tuple[str, ...]] = {}
        self._scope = threading.local()  # the request's (session, generation)
        self._round: tuple[int, dict[str, int]] | None = None  # (loop thread, generations)
        self._also: tuple[int, list] | None = None  # (loop thread, calls for the round's commit)
        # The event loop's meanwhile(fd) (server.LoopDispatcher.read_meanwhile): the round's
        # two trips (its reads, its commit) let it read the next round's requests while Redis
        # works, instead of waiting idle.
        self.meanwhile = None
        self._novalues = True  # whether HSCAN takes NOVALUES (counts)
        # The commands of requests, on plain sockets (hotline.py)
        self.lines = hotline.Lines(self.db, (self._commit_script, self._number_script,
                                             self._round_script, self._recount_script))
        self._check_world()

    # -- the request scope ----------------------------------------------------------------------
    def begin_round(self, sessions: list[str], reads=(), writes=False) -> None:
        """The loop's round (server.LoopDispatcher): the generations of its requests' sessions,
        read in one round trip after every one of them was received, stand for each request's
        own. The records its requests name (`reads`: (session, kind, key), Parts.reads) come in
        the same trip where the cache does not hold them at those generations (random reads
        among 1M stored: one trip a round, not one a request). Where a request may write
        (`writes`), the trip takes the lock too, with the counters such blocks numbered, as a
        locked block's first read does: the round's blocks hold it to its end, and read and
        number what they hold without a trip of their own. With Redis down nothing is read:
        each request then answers its own 503."""
        unique = list(dict.fromkeys(sessions))
        reads = [(session, kind, key, kind + SEP + key) for session, kind, key
                 in dict.fromkeys(reads)]
        batch = self.lock
        token, counters = "", ()
        if writes and batch.try_mutex():  # not while a worker thread's block runs
            token = _new_token()
            counters = sorted({name for names in self._hints.values() for name in names})
        try:
            gens, locked, values, raws = self._round_reads(unique, reads, token, counters)
        except StoreUnavailable:
            if token:
                batch.release_mutex()
            return
        held = {s: int(g or 0) for s, g in zip(unique, gens)}
        for session, gen in held.items():
            self._seen(session, gen)
        for (session, kind, key, field), raw in zip(reads, raws):
            if raw != 0:  # 0: the cached copy is good at the round's generation
                self._remember(session, field, held[session], self._value(kind, key, raw))
        self._round = (threading.get_ident(), held)
        batch.begin_round()
        if locked:
            batch.hold_round(token, dict(held), {name: int(value) for name, value
                                                 in zip(counters, values)})
        elif token:
            batch.release_mutex()

    def _round_reads(self, unique: list[str], reads: list, token: str, counters) -> tuple:
        """ROUND_READS (or an MGET where it reads only generations):
        (generations, whether it locked, the counters, the records)."""
        gen_keys = [PREFIX + "g:" + s for s in unique]
        if not reads and not token:
            return self.call(self.lines.mget, gen_keys), 0, [], []
        keys = gen_keys + [PREFIX + "s:" + read[0] for read in reads]
        if token:
            keys += [PREFIX + "lock", *(PREFIX + "c:" + name for name in counters)]
        gens, locked, values, *raws = self.call(self.lines.run, self._round_script(
            keys, [len(unique), token, LOCK_TTL_MS, len(counters),
                   *self._round_args(unique, reads)]), meanwhile=self.meanwhile)[0]
        return gens, locked, values, raws

    def _round_args(self, unique: list[str], reads: list) -> list:
        """ROUND_READS' arguments for each read: its session's index, its field, and the last
        generation seen of the session where the cache holds the record good at it (else -1)."""
        index = {session: i for i, session in enumerate(unique, 1)}
        args = []
        for session, _, _, field in reads:
            span = self._spans.get(session)
            good = span is not None and self._cached_at(session, field, span[1]) is not None
            args += [index[session], field, span[1] if good else -1]
        return args

    def end_round(self, also=()) -> bool:
        """Commits what the round's requests wrote, in one script; True when it was refused.
        `also`: calls that must reach Redis before the round's answers leave (the journal's),
        sent in the commit's round trip, or on their own where the round wrote nothing; a
        refusal of theirs is not the commit's."""
        self._also = (threading.get_ident(), list(also))
        try:
            return self.lock.end_round()
        finally:
            self._round = None
            left = self._take_also()
            if left:
                try:
                    self.call(self.lines.replies, *left)
                except StoreUnavailable:
                    pass  # the journal loses them, as with Redis down

    def _take_also(self) -> list:
        """The round's calls to send with the commit, where this thread ends the round."""
        held = self._also
        if held is None or held[0] != threading.get_ident():
            return []
        self._also = None
        return held[1]

    def in_round(self) -> bool:
        """Whether this thread is the loop's, in a round begin_round read (the journal holds
        the round's entries until its end)."""
        held = self._round
        return held is not None and held[0] == threading.get_ident()

    def begin_request(self, session: str) -> None:
        """The session's generation (the round's, or one round trip), under which this
        request's reads may use the records this process has read at the same generation."""
        self._scope.at = None
        held = self._round
        if held is not None and held[0] == threading.get_ident() and session in held[1]:
            self._scope.at = (session, held[1][session])
            return
        gen = int(self.call(self.lines.get, PREFIX + "g:" + session) or 0)
        self._seen(session, gen)
        self._scope.at = (session, gen)

    def end_request(self) -> None:
        self._scope.at = None

    def notice(self) -> None:
        """Every request's first call (the SQLite store's catch-up); a Redis store catches up
        per session instead, in begin_request."""

    # -- reads --------------------------------------------------------------------------------
    def get(self, session: str, kind: str, key: str):
        field = kind + SEP + key
        batch = self.lock
        if batch.held():
            if (session, field) in batch.pending or session in batch.cleared:
                batch.ensure_locked()
                value = batch.pending.get((session, field))
                return value if value is not None else self.fixtures.get(kind, {}).get(key)
            if not batch.token:  # the block's first read: with the lock, in one round trip
                return self._locked_reads(session, [(kind, key)])[0]
            if not batch.first_kind:
                batch.first_kind = kind
            # Under the lock, what this process read at the lock's generation is still so.
            return self._read(session, kind, key, field, batch.at_of(session))
        return self._read(session, kind, key, field, getattr(self._scope, "at", None))

    def _locked_reads(self, session: str, addresses: list[tuple[str, str]]) -> list:
        """A locked block's first reads: the lock, the session's generation, the records and
        the counters such a block numbered last time, in one round trip."""
        batch = self.lock
        kind = addresses[0][0]
        hinted = self._hints.get(kind, ())
        fields = [k + SEP + key for k, key in addresses]
        batch.token, raws, gen, values = self._acquire(session, fields, hinted)
        self._seen(session, gen)
        batch.at, batch.first_kind = {session: gen}, kind
        batch.counters = {name: [value, value] for name, value in zip(hinted, values)}
        found = []
        for (k, key), field, raw in zip(addresses, fields, raws):
            value = self._value(k, key, raw)
            self._remember(session, field, gen, value)
            found.append(value)
        return found

    def prefetch(self, session: str, addresses) -> None:
        """Inside a locked block: the records the rule is about to read, in one round trip
        (with the lock, where the block has not read yet), those this process does not hold
        at the block's generation."""
        batch = self.lock
        if not batch.held() or not addresses or session in batch.cleared:
            return
        if not batch.token:
            self._locked_reads(session, addresses)
            return
        at = batch.at_of(session)
        if at is None:
            return
        wanted = []
        for kind, key in addresses:
            field = kind + SEP + key
            if (session, field) not in batch.pending and (
                    self._cached_at(session, field, at[1]) is None):
                wanted.append((kind, key, field))
        if wanted:  # one HMGET: 64 HGETs cost ~5 us each to write and read here
            raws = self.call(self.lines.run, ("HMGET", PREFIX + "s:" + session,
                                              *[field for _, _, field in wanted]))[0]
            for (kind, key, field), raw in zip(wanted, raws):
                self._remember(session, field, at[1], self._value(kind, key, raw))

    def read_ahead(self, session: str, name: str, start: int, kind: str, key_of) -> None:
        """Where the locked block counts `name`'s numbers itself (read with its lock), the next
        ones are its own to give: their records come in one round trip (prefetch)."""
        batch = self.lock
        held = batch.counters.get(name) if batch.held() else None
        at = batch.at_of(session)
        if held is None or at is None:
            return
        first = _following(held, start)
        if self._cached_at(session, kind + SEP + key_of(first), at[1]) is None:
            self.prefetch(session, numbered(kind, key_of, first))

    def _read(self, session: str, kind: str, key: str, field: str, at):
        """The record, from the cache where it was read at `at` (session, generation)."""
        if at is not None and at[0] == session:
            cached = self._cached_at(session, field, at[1])
            if cached is not None:
                return cached[1]
        value = self._value(kind, key, self._hget(session, field))
        if at is not None and at[0] == session:
            self._remember(session, field, at[1], value)
        return value

    def _hget(self, session: str, field: str):
        return self.call(self.lines.run, ("HGET", PREFIX + "s:" + session, field))[0]

    def peek(self, session: str, kind: str, key: str):
        """The last value this process saw, without a round trip: for hints that may lag
        another instance by a request (which requests go to a worker thread), never answers."""
        cached = self._cache.get((session, kind + SEP + key))
        if cached is not None:
            return cached[1]
        try:
            return self.get(session, kind, key)
        except StoreUnavailable:
            return None

    def items(self, session: str, kind: str) -> Iterator[tuple[str, dict]]:
        pattern = _glob_escape(kind + SEP) + "*"
        own = {}
        for field, raw in self.call(lambda: list(self.db.hscan_iter(
                PREFIX + "s:" + session, match=pattern, count=500))):
            own[field.decode()[len(kind) + 1:]] = orjson.loads(raw)
        yield from own.items()
        for key, value in self.fixtures.get(kind, {}).items():
            if key not in own:
                yield key, value

    def sessions(self) -> list[str]:
        return sorted(s.decode() for s in self.call(self.db.smembers, PREFIX + "sessions"))

    def counts(self) -> dict[str, int]:
        """Records stored, by kind, every session's together (metrics.py), on the scrape, never
        on a request: each session's `n:` hash (COMMIT counts the fields it adds), its length
        and its generation, three commands a session in one round trip. A session whose count does not add up to its hash's length (records stored
        by a sandbox before it counted them) is counted from its field names once, and its
        count written back where no write came in meanwhile."""
        sessions = self.sessions()
        commands = [command for session in sessions for command in (
            ("HGETALL", PREFIX + "n:" + session), ("HLEN", PREFIX + "s:" + session),
            ("GET", PREFIX + "g:" + session))]
        replies = self.call(self.lines.run, *commands) if commands else []
        counts: dict[str, int] = {}
        for at, session in enumerate(sessions):
            pairs, length, gen = replies[3 * at:3 * at + 3]
            kinds = {pairs[i].decode(): int(pairs[i + 1]) for i in range(0, len(pairs), 2)}
            if sum(kinds.values()) != length:
                kinds = self._recount(session, gen or b"0")
            for kind, n in kinds.items():
                counts[kind] = counts.get(kind, 0) + n
        return counts

    def _recount(self, session: str, gen: bytes) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for field in self.call(self._fields, PREFIX + "s:" + session):
            kind = field.decode().split(SEP, 1)[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        self.call(self.lines.run, self._recount_script(
            [PREFIX + "g:" + session, PREFIX + "n:" + session],
            [gen, *(word for kind, n in kinds.items() for word in (kind, n))]))
        return kinds

    def _fields(self, key: str) -> list[bytes]:
        """A hash's field names, without its values: HSCAN NOVALUES, a thousand at a time, where
        Redis has it (7.4, Valkey 8); HKEYS, in one reply, where it answers that it has not
        (Redis 7.0 calls NOVALUES a syntax error)."""
        if self._novalues:
            try:
                return list(self.db.hscan_iter(key, count=1000, no_values=True))
            except redis.ResponseError:
                self._novalues = False
        return self.db.hkeys(key)

    # -- writes -------------------------------------------------------------------------------
    def put(self, session: str, kind: str, key: str, value: dict) -> None:
        raw = orjson.dumps(value)
        with self.lock as batch:
            field = kind + SEP + str(key)
            batch.writes.append(("p", session, field, raw, value))
            batch.pending[(session, field)] = value

    def next_number(self, name: str, start: int) -> int:
        """INCR (the first number `start`); in a locked block that read the counter with its
        lock, counted here and set by the commit, which first checks nobody moved it."""
        batch = self.lock
        if batch.held():
            batch.numbered.add(name)
            held = batch.counters.get(name)
            if held is not None:
                held[1] = _following(held, start)
                return held[1]
        return int(self.call(self.lines.run,
                             self._number_script([PREFIX + "c:" + name], [start]))[0])

    def reset(self, session: str = DEFAULT_SESSION) -> None:
        with self.lock as batch:
            batch.writes.append(("r", session, "", b"", None))
            batch.pending = {k: v for k, v in batch.pending.items() if k[0] != session}
            batch.cleared.add(session)

    def close(self) -> None:
        self.db.close()

    def journal(self, local, ttl: float):
        """The request journal, shared by the instances (journal_redis.py)."""
        from .journal_redis import RedisJournal
        return RedisJournal(self, local, ttl)

    # -- health -------------------------------------------------------------------------------
    def down(self) -> bool:
        """Whether Redis failed less than RETRY_AFTER seconds ago (calls fail at once)."""
        return bool(self._down_until) and time.monotonic() < self._down_until

    def problem(self) -> str | None:
        """None when Redis answers; otherwise what is wrong. Always asks (health is the probe)."""
        try:
            self.db.ping()
        except redis.RedisError as exc:
            self._failed(exc)
            return self._problem
        self._down_until, self._problem = 0.0, None
        return None

    # -- inside -------------------------------------------------------------------------------
    def call(self, fn, *args, **kwargs):
        if self.down():
            raise StoreUnavailable(self._problem or f"{self.where} is unreachable")
        try:
            result = fn(*args, **kwargs)
        except redis.RedisError as exc:
            self._failed(exc)
            raise StoreUnavailable(self._problem) from None
        self._down_until = 0.0
        return result

    def _failed(self, exc: Exception) -> None:
        reason = str(exc).split("\n")[0] or type(exc).__name__
        if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
            self._down_until = time.monotonic() + RETRY_AFTER
            self._problem = (f"The sandbox's state store ({self.where}) is unreachable: "
                             f"{reason}. Try again when it is back")
        else:
            self._problem = f"The sandbox's state store ({self.where}) refused a command: {reason}"

    def _value(self, kind: str, key: str, raw):
        if raw is None:
            return self.fixtures.get(kind, {}).get(key)
        return orjson.loads(raw)

    def _remember(self, session: str, field: str, gen: int, value) -> None:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()  # cheaper than an LRU's bookkeeping on every read
            self._spans.clear()
        held = self._cache.get((session, field))
        if held is not None and held[0] > gen:
            return  # a commit on another thread put a newer value in meanwhile
        self._cache[(session, field)] = (gen, value)

    def _seen(self, session: str, gen: int) -> None:
        """A generation read from Redis: past the span, another write came in, and only what
        is read from now on is good."""
        span = self._spans.get(session)
        if span is None or gen > span[1]:
            self._spans[session] = (gen, gen)

    def _cached_at(self, session: str, field: str, gen: int) -> tuple | None:
        """The cache's (generation, value) for the record where it is good at `gen`."""
        cached = self._cache.get((session, field))
        return cached if cached is not None and self._fresh(session, cached[0], gen) else None

    def _fresh(self, session: str, tag: int, gen: int) -> bool:
        """Whether a record cached at generation `tag` is good at `gen`."""
        if tag == gen:
            return True
        span = self._spans.get(session)
        return span is not None and span[0] <= tag <= gen <= span[1]

    def _spanned(self, session: str, gen: int, locked_at: int | None) -> None:
        """After this process's commit took the session to `gen`: the span goes on where the
        commit was the only write since the lock was taken at `locked_at` (its records are in
        the cache); otherwise it starts again at `gen`."""
        span = self._spans.get(session)
        if locked_at is not None and span is not None and span[1] == locked_at == gen - 1:
            self._spans[session] = (span[0], gen)
        else:
            self._spans[session] = (gen, gen)

    def _acquire(self, session: str = "", fields=(), counters=()) -> tuple:
        """Takes the lock across instances; with a session and fields, reads those records,
        the session's generation and `counters` in the same trip:
        (token, the records, generation, the counters' values)."""
        token = _new_token()
        deadline = time.monotonic() + LOCK_WAIT
        pause = 0.0005
        commands = [("SET", PREFIX + "lock", token, "NX", "PX", LOCK_TTL_MS)]
        if session:
            commands.append(("GET", PREFIX + "g:" + session))
            commands += [("HGET", PREFIX + "s:" + session, field) for field in fields]
            commands += [("GET", PREFIX + "c:" + name) for name in counters]
        while True:
            got = self.call(self.lines.run, *commands)
            if got[0]:
                if not session:
                    return token, [], 0, []
                records = got[2:2 + len(fields)]
                return token, records, int(got[1] or 0), [int(v or 0) for v in
                                                          got[2 + len(fields):]]
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"The sandbox's state store ({self.where}) stayed locked "
                                       f"by another instance for {LOCK_WAIT:g} s; try again")
            time.sleep(pause)
            pause = min(pause * 2, 0.008)

    def _commit(self, writes, token: str, locked_at: dict[str, int] | None = None,
                counters=()) -> None:
        """Commits the block's writes and the counters it numbered itself (name, value when
        the lock was taken, last number); `locked_at`: session -> generation, read with its
        lock."""
        args = [token, len(counters)]
        for name, before, after in counters:
            args += [name, before, after]
        args += _runs(writes)
        commit, also = self._commit_script([PREFIX + "lock", PREFIX], args), self._take_also()
        out = self.call(lambda: hotline.raised(self.lines.replies(
            commit, *also, meanwhile=self.meanwhile)[:1])[0])
        gens = {out[i].decode(): int(out[i + 1]) for i in range(0, len(out), 2)}
        at = getattr(self._scope, "at", None)
        if at is not None and at[0] in gens:
            # The request goes on at its own write's generation: what it read before is older.
            self._scope.at = (at[0], gens[at[0]])
        held = self._round
        if held is not None:  # the round's next requests read this write too
            for session in held[1].keys() & gens.keys():
                held[1][session] = gens[session]
        # What this block wrote is what a request at the new generation reads (writes are
        # serialised by the lock, so no other write came in between when the block was locked).
        for op, session, field, _, value in writes:
            if op == "p" and token:
                self._remember(session, field, gens[session], value)
            elif op == "p":  # another write may have come in between: read it again next time
                self._cache.pop((session, field), None)
        reset = {session for op, session, *_ in writes if op == "r"}
        for session, gen in gens.items():
            mine = locked_at is not None and session in locked_at and session not in reset
            self._spanned(session, gen, locked_at[session] if mine else None)

    def _check_world(self) -> None:
        """Stores this world's fingerprint in an empty database; refuses another world's."""
        mine = orjson.dumps({"fixtures": fingerprint(self.fixtures), "version": __version__})
        try:
            self.db.set(PREFIX + "world", mine, nx=True)
            held = self.db.get(PREFIX + "world")
        except redis.RedisError as exc:
            raise RuntimeError(f"{self.where} cannot be used: {str(exc).splitlines()[0]}"
                               f" (--state {_without_password(self.url)})") from None
        theirs = orjson.loads(held)
        if theirs["fixtures"] != fingerprint(self.fixtures):
            raise WorldMismatch(
                f"{self.where} holds the state of another world (fixtures {theirs['fixtures']}, "
                f"written by sandbox {theirs['version']}); this instance's fixtures are "
                f"{fingerprint(self.fixtures)} (sandbox {__version__}): its --seed or its "
                f"version differs. Start it with the same seed and version as the others, give "
                f"it another database (redis://host:port/N), or empty this one (FLUSHDB)")


def _new_token() -> str:
    """The lock's value for one holder: what COMMIT checks is still there."""
    return os.urandom(12).hex()


def _following(held: list[int], start: int) -> int:
    """The number a counter the block holds ([value then, last given]) gives next."""
    return max(held[1] + 1, start)


def _runs(writes) -> list:
    """COMMIT's arguments for the writes: between two resets, the puts grouped by session and
    kind (a field put twice keeps its last value), each group as "p", session, kind, n, then its
    fields and values; each reset as "r", session, in its place."""
    args: list = []
    groups: dict[tuple[str, str], dict] = {}

    def grouped():
        for (session, kind), fields in groups.items():
            args.extend(("p", session, kind, len(fields)))
            for field, raw in fields.items():
                args.extend((field, raw))
        groups.clear()

    for op, session, field, raw, _ in writes:
        if op == "p":
            groups.setdefault((session, field.partition(SEP)[0]), {})[field] = raw
        else:
            grouped()
            args.extend(("r", session))
    grouped()
    return args


def _without_password(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('@', 1)[1]}" if "@" in rest else url


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
