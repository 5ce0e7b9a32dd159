"""The request journal in Redis (with `--state redis://`): every instance's admin API sees every
instance's requests.

Behind the journal's interface (record / entries / clear): each session's newest `size` raw
entries are a Redis list, `sandbox:journal:<session>`, each after its id, formatted and masked
when read, as in memory. Ids are Redis's (`sandbox:journal-ids`: 1, 2, 3... across sessions
and instances), given as an entry is stored: an entry stored later has a higher id, so a
client polling with `since=<the newest id it saw>` misses none (ids of each instance's clock
did, where another instance's entry, recorded earlier, reached Redis later).
Bounded like the memory journal: `size` entries per session, bodies cut at 64 KiB by the
pipeline, at most `max_sessions` sessions with a journal (the one written to least recently goes
first), and a session's journal expires with the session (--session-ttl).

Recording costs a request no round trip: entries go out on a connection of their own with
`CLIENT REPLY OFF`, so the write is in Redis's socket before the answer leaves this instance but
nobody waits for Redis to confirm it; an entry over UNCONFIRMED_BYTES (a large body) is recorded
with a round trip instead. The entries of one round of the event loop go at its end (flush),
which the server makes before it sends the round's answers (server.LoopDispatcher): one script
call per session, in one write, or with one round trip where they are over UNCONFIRMED_BYTES
together (ten `/cliente` answers are 60 KB: a write per entry cost each a system call, a Redis
read and five commands); that trip is the round's commit's where the round wrote (take_round:
the state sends both in one write). With Redis down, entries are dropped (the requests are 503s
then).
"""
from __future__ import annotations

import select
import threading
import time

import redis

from . import hotline
from .hotline import pack
from .journal import Journal, decode_raw, encode_raw, mark_unanswered
from .errors import StoreUnavailable

# Redis reads a command this small whole, in one read, before it reads what a client that saw
# the answer sends next through any instance; a larger one is recorded with a round trip.
UNCONFIRMED_BYTES = 8 * 1024
ROUND_BYTES = 1024 * 1024  # a round's entries are sent once they hold this much
# KEYS: the session's list, the index of sessions, the lists' prefix, the ids' counter. ARGV:
# size, max_sessions, now, session, ttl, then the entries, oldest first: a round's entries of a
# session in one call. Each entry is pushed after its id, which Redis counts here, as it makes
# the entry visible: an entry read later has a higher id, whichever instance (and clock)
# recorded it, so that `since=<the newest id seen>` misses nothing.
RECORD = """
local count = #ARGV - 5
local first = redis.call('incrby', KEYS[4], count) - count
local items = {}
for i = 1, count do items[2 * i - 1] = first + i; items[2 * i] = ARGV[i + 5] end
for at = 1, #items, 400 do
  redis.call('rpush', KEYS[1], unpack(items, at, math.min(at + 399, #items)))
end
redis.call('ltrim', KEYS[1], -2 * tonumber(ARGV[1]), -1)
redis.call('expire', KEYS[1], ARGV[5])
redis.call('zadd', KEYS[2], ARGV[3], ARGV[4])
local over = redis.call('zcard', KEYS[2]) - tonumber(ARGV[2])
if over > 0 then
  for _, session in ipairs(redis.call('zrange', KEYS[2], 0, over - 1)) do
    redis.call('del', KEYS[3] .. session)
    redis.call('zrem', KEYS[2], session)
  end
end
"""

# KEYS: the session's list. ARGV: request id, entry, ...: each entry that holds that request id
# is replaced by the one given (the entries of requests left unanswered, RoundEntries), the
# newest first, as they were pushed last. Returns how many were not found.
UNANSWERED = """
local wanted, left = {}, 0
for i = 1, #ARGV, 2 do
  wanted['"request_id":"' .. ARGV[i] .. '"'] = ARGV[i + 1]
  left = left + 1
end
local n = redis.call('llen', KEYS[1])
for at = -1, -n, -2 do
  if left == 0 then break end
  local entry = redis.call('lindex', KEYS[1], at)
  for needle, new in pairs(wanted) do
    if string.find(entry, needle, 1, true) then
      redis.call('lset', KEYS[1], at, new)
      wanted[needle] = nil
      left = left - 1
      break
    end
  end
end
return left
"""

RECORD_SCRIPT = hotline.Script(RECORD)
UNANSWERED_SCRIPT = hotline.Script(UNANSWERED)
RECORD_SHA = RECORD_SCRIPT.sha  # what SCRIPT LOAD answers (_connect)


class RedisJournal(Journal):
    shared = True  # one journal for every instance and worker (metrics: not a sum of them)

    def __init__(self, store, local: Journal, ttl: float):
        super().__init__(local.size, local.max_sessions, max_bytes=local.max_bytes)
        self.masks = local.masks
        self.ttl = max(1, int(ttl))
        self._store = store
        # Lists of (id, entry) pairs (`j:` held entries alone, ids of the instances' clocks).
        self._prefix = store.prefix + "journal:"
        self._index = store.prefix + "journals"
        self._counter = store.prefix + "journal-ids"
        self._sender = None
        self._send_lock = threading.Lock()
        store.lines.scripts[RECORD_SHA] = RECORD_SCRIPT  # loaded again where Redis lost it
        store.lines.scripts[UNANSWERED_SCRIPT.sha] = UNANSWERED_SCRIPT
        self._queue: dict[str, list[bytes]] = {}  # the loop round's entries by session
        self._queued = 0  # their bytes
        self._stats = (0, 0)  # stats' last answer

    def record(self, session: str, raw: dict) -> None:
        # Its id is Redis's (RECORD), given as it is stored.
        entry = encode_raw(raw)
        if self._store.in_round():
            self._queue.setdefault(session, []).append(entry)
            self._queued += len(entry)
            if self._queued > ROUND_BYTES:
                self.flush()
            return
        if len(entry) > UNCONFIRMED_BYTES:
            self._confirmed({session: [entry]})
        else:
            self._send([self._command(session, [entry])])

    def flush(self) -> None:
        """Sends the loop round's entries: one script call per session, in one write; a round
        over UNCONFIRMED_BYTES waits for Redis to confirm them (one round trip for the round,
        where a write per entry cost a system call and a Redis read each)."""
        if self._queue:
            queue, queued, self._queue, self._queued = self._queue, self._queued, {}, 0
            if queued > UNCONFIRMED_BYTES:
                self._confirmed(queue)
            else:
                self._send([self._command(session, entries) for session, entries in queue.items()])

    def take_round(self) -> list[tuple]:
        """The loop round's entries as the calls that record them, for the state to send with
        its round's commit (one round trip for both); where they are small enough to need no
        confirmation, sent now instead, and nothing is returned."""
        if self._queued <= UNCONFIRMED_BYTES:
            self.flush()
            return []
        queue, self._queue, self._queued = self._queue, {}, 0
        return [self._call(session, entries) for session, entries in queue.items()]

    def unanswered(self, entries: list[tuple[str, dict]]) -> None:
        """The entries of requests the loop closed without an answer (RoundEntries) say so, in
        Redis. They went out with the round's commit or, a small round's, on the connection
        that waits for no reply: the fix goes both ways, each after the entries on its own
        connection (a connection's commands run in order), and finds each entry once."""
        by_session: dict[str, list] = {}
        for session, raw in entries:
            by_session.setdefault(session, []).extend(
                (raw["request_id"], encode_raw(mark_unanswered(raw))))
        calls = [UNANSWERED_SCRIPT([self._prefix + session], pairs)
                 for session, pairs in by_session.items()]
        if calls:
            self._send([pack(*call) for call in calls])
            try:
                self._store.call(self._store.lines.replies, *calls)
            except StoreUnavailable:
                pass  # Redis gone: the entries went with it, or will be read when it is back

    def _call(self, session: str, entries: list[bytes]) -> tuple:
        """The RECORD script's call for the session's entries (hotline's command form)."""
        return RECORD_SCRIPT([self._prefix + session, self._index, self._prefix, self._counter],
                             [self.size, self.max_sessions, time.time(), session, self.ttl,
                              *entries])

    def _command(self, session: str, entries: list[bytes]) -> bytes:
        return pack(*self._call(session, entries))

    def _confirmed(self, queue: dict[str, list[bytes]]) -> None:
        """Records the entries with a round trip: in Redis before the answers leave, however
        large (a write Redis reads in several parts could let a journal read come in between)."""
        calls = [self._call(session, entries) for session, entries in queue.items()]
        try:
            self._store.call(self._store.lines.run, *calls)
        except StoreUnavailable:
            pass

    def _send(self, commands: list[bytes]) -> None:
        with self._send_lock:
            try:
                sender = self._sender
                if sender is None or _closed(sender):
                    self._drop_sender()
                    sender = self._connect()
                sender.send_packed_command([b"".join(commands)], check_health=False)
            except (redis.RedisError, OSError, StoreUnavailable):
                self._drop_sender()

    def _raws(self, session: str, skipped: list | None = None) -> list[dict]:
        """Every instance's entries for the session, oldest first (entries() and count() filter
        and format them as the memory journal's)."""
        stored = self._store.call(self._store.db.lrange, self._prefix + session, 0, -1)
        return [_with_id(int(number), decode_raw(raw))
                for number, raw in zip(stored[::2], stored[1::2])]

    def stats(self) -> tuple[int, int]:
        """(entries kept, the memory Redis gives their lists), every session's and instance's
        together (metrics.py, on a scrape); the last answer while Redis is down."""
        try:
            sessions = self._store.call(self._store.db.zrange, self._index, 0, -1)
            pipe = self._store.db.pipeline(transaction=False)
            for key in (self._prefix + session.decode() for session in sessions):
                pipe.llen(key)
                pipe.memory_usage(key)
            replies = self._store.call(pipe.execute)
        except StoreUnavailable:
            return self._stats
        self._stats = (sum(replies[::2]) // 2, sum(size or 0 for size in replies[1::2]))
        return self._stats

    def clear(self, session: str, skipped: list | None = None) -> None:
        pipe = self._store.db.pipeline(transaction=False)
        pipe.delete(self._prefix + session)
        pipe.zrem(self._index, session)
        self._store.call(pipe.execute)

    def _connect(self):
        """A connection that gets no replies (only once Redis answers the store again). The
        script is loaded on each new connection: a Redis restart, which empties its script
        cache, also breaks this connection, and no reply would say NOSCRIPT (the scripts it
        runs: RECORD, UNANSWERED)."""
        self._store.call(self._store.db.script_load, RECORD)
        self._store.call(self._store.db.script_load, UNANSWERED)
        pool = self._store.db.connection_pool
        sender = pool.connection_class(**pool.connection_kwargs)
        sender.connect()
        sender.send_command("CLIENT", "REPLY", "OFF", check_health=False)
        self._sender = sender
        return sender

    def _drop_sender(self) -> None:
        if self._sender is not None:
            self._sender.disconnect()
        self._sender = None


def _with_id(number: int, raw: dict) -> dict:
    raw["id"] = number
    return raw


def _closed(sender) -> bool:
    """Nothing is ever sent back on this connection: readable means Redis closed it (a restart),
    and an entry written into it now would be lost without a word."""
    sock = getattr(sender, "_sock", None)
    return sock is None or bool(select.select([sock], [], [], 0)[0])

