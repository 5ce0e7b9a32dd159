"""The request journal of a `--workers N` sandbox on SQLite: one story, whichever worker answers.

Each worker records its own requests in its own memory, as one process does (journal.Journal),
so recording costs a request nothing more; a journal read asks the sibling workers for theirs.
The master makes a private folder for the run before it forks (mode 0700, removed at exit);
each worker listens on `<folder>/<index>.sock`, a unix socket served by a thread that sleeps in
accept() until a sibling asks. A read through any worker sends its filters to every sibling,
and merges what they keep with its own by id, so the list, the count and `since` tell one
story (Query.matches on each entry, wherever it is, is the memory journal's filter). A
sibling that does not answer (starting, restarting, dead, or silent for ASK_TIMEOUT) is
skipped, and the answer names it (`skipped_workers`): a worker that dies takes its entries with
it.

Why not a shared table: a write to SQLite per request would double a read's server CPU (~200 us
today), and every request pays it; asking the siblings costs only the journal reads, which run
on the admin API's threads, never on the event loop.

Ids: microseconds since the epoch when the entry is recorded, rounded up to the worker's own
residue modulo N, so they are unique across the workers, increasing in each, and ordered as the
recording was across them: an entry is recorded before its answer leaves, so a request a client
sends after an answer gets a higher id, whichever worker takes it. Each worker's last id is in
memory the workers share (`Peers.last_ids`, made by the master before the fork), and an id is
above them all, so that order holds when the clock is stepped back too. They stay below 2**53 (the
console's JavaScript reads them exactly).

Bounds: each worker keeps `--journal-size` entries per session and `--journal-mib` of memory;
a read keeps the session's newest `--journal-size` of all the workers' together (which are
among each worker's own newest). A reset clears the session's journal in every worker; an idle
session's expiry, which each worker decides from the requests it saw, clears only its own.
"""
from __future__ import annotations

import contextlib
import heapq
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter

import orjson

from .journal import ClockIds, Journal, decode_raw, format_entry, wire_form
from .journal_query import Query

# A sibling silent for this long (stopped, swamped) is skipped: a journal read must answer.
ASK_TIMEOUT = 5.0
NOT_SERVING = "not serving (starting, restarting or dead)"


@dataclass(frozen=True)
class Peers:
    """Where the workers of one run listen: `folder`, made by the master; this worker's `index`
    among `count`."""
    folder: str
    index: int
    count: int
    # Each worker's last journal id (an anonymous mmap the master made before the fork, as
    # workers.Shares): ClockIds gives ids above them all.
    last_ids: memoryview | None = field(default=None, compare=False)

    def path(self, index: int) -> str:
        return os.path.join(self.folder, f"{index}.sock")

    def others(self) -> list[int]:
        return [index for index in range(self.count) if index != self.index]


class WorkersJournal(Journal):
    def __init__(self, local: Journal, peers: Peers):
        super().__init__(local.size, local.max_sessions, max_bytes=local.max_bytes)
        self.masks = local.masks
        self.peers = peers
        self._ids = ClockIds(peers.index, peers.count, peers.last_ids)
        self._listener = self._listen()

    # -- what a read or a reset through this worker does ------------------------------------------
    def entries(self, session: str, match=None, limit: int | None = None,
                skipped: list | None = None) -> list[dict]:
        chosen = self._gather(session, match, limit, skipped, whole=True)
        return [format_entry(raw, self.masks) for raw in chosen[:limit]]

    def count(self, session: str, match=None, skipped: list | None = None) -> int:
        return len(self._gather(session, match, None, skipped, whole=False))

    def _gather(self, session: str, match, limit, skipped, whole: bool) -> list:
        """The entries (`whole`) or the ids of every worker that `match` keeps, newest first,
        among the session's newest `size` of all the workers' together. The filters and the
        limit travel to the siblings, which send only what they keep (plus the ids of all their
        entries, for the bound): a console polling with `since` costs them next to nothing.

        As of the read's start: an entry recorded while the workers are asked one after another
        is left to the next read, or a client polling with `since=<the newest id it saw>` (the
        console) would never see one recorded here, with a lower id, after a sibling's newer
        one was taken. Every entry with an id up to the cut-off is in its worker's journal
        already: its id is at least the clock when it was recorded, under the journal's lock."""
        query, local = (match, None) if match is None or isinstance(match, Query) else (None, match)
        ask = {"op": "select", "session": session, "cutoff": time.time_ns() // 1000,
               "equal": query.equal if query else (), "since": query.since if query else None,
               "limit": limit if local is None else None, "whole": whole or local is not None}
        chosen = self._merged([self._select(ask), *self._siblings(ask, skipped)], ask["whole"])
        if local is not None:  # a predicate that cannot travel: applied here, on everything
            chosen = [raw for raw in chosen if local(raw)]
            if not whole:
                chosen = [raw["id"] for raw in chosen]
        return chosen

    def _siblings(self, ask: dict, skipped: list | None) -> list[tuple[list[int], list]]:
        """Each sibling's _select, from those that answer."""
        replies = []
        for reply in self._ask_all(ask, skipped):
            if reply is not None:
                ids, kept = reply
                replies.append((ids, list(map(decode_raw, kept)) if ask["whole"] else kept))
        return replies

    def _merged(self, replies, whole: bool) -> list:
        """What the workers kept, newest first, among the newest `size` ids of all of them."""
        ids = [n for reply in replies for n in reply[0]]
        floor = heapq.nlargest(self.size, ids)[-1] if len(ids) > self.size else 0
        key = itemgetter("id") if whole else None
        chosen = [c for reply in replies for c in reply[1] if (key(c) if key else c) >= floor]
        chosen.sort(key=key, reverse=True)
        return chosen

    def _select(self, ask: dict) -> tuple[list[int], list]:
        """This worker's part of a read: the ids of the session's entries up to the cut-off,
        and the entries (or ids) the filters keep, newest first, at most `limit`."""
        raws = [raw for raw in self.own_raws(ask["session"]) if raw["id"] <= ask["cutoff"]]
        match = Query(tuple(map(tuple, ask["equal"])), ask["since"]).match
        kept = [raw for raw in reversed(raws) if match is None or match(raw)][:ask["limit"]]
        return [raw["id"] for raw in raws], kept if ask["whole"] else [raw["id"] for raw in kept]

    def clear(self, session: str, skipped: list | None = None) -> None:
        self.clear_own(session)
        self._ask_all({"op": "clear", "session": session}, skipped)

    def _ask_all(self, ask: dict, skipped: list | None) -> list:
        """Every sibling's answer (None where it gave none), asked at once: silent siblings
        cost a read ASK_TIMEOUT in all, not each theirs."""
        others = self.peers.others()
        if len(others) < 2:
            return [self._ask(index, ask, skipped) for index in others]
        notes: list = []
        with ThreadPoolExecutor(len(others), thread_name_prefix="sandbox-journal-ask") as pool:
            replies = list(pool.map(lambda index: self._ask(index, ask, notes), others))
        if skipped is not None:
            skipped.extend(sorted(notes, key=itemgetter("worker")))
        return replies

    def forget(self, session: str) -> None:
        self.clear_own(session)

    def _ask(self, index: int, ask: dict, skipped: list | None):
        """A sibling's answer (parsed JSON), or None with a note in `skipped`."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(ASK_TIMEOUT)
                sock.connect(self.peers.path(index))
                sock.sendall(orjson.dumps(ask))
                sock.shutdown(socket.SHUT_WR)
                return orjson.loads(_read_all(sock))
        except (FileNotFoundError, ConnectionRefusedError):
            problem = NOT_SERVING
        except TimeoutError:
            problem = f"did not answer within {ASK_TIMEOUT:g} s"
        except (OSError, ValueError) as exc:  # died while answering: a cut reply
            problem = f"{NOT_SERVING}: {exc}"
        if skipped is not None:
            skipped.append({"worker": index, "problem": problem})
        return None

    # -- what this worker answers its siblings -----------------------------------------------------
    def _listen(self) -> socket.socket:
        """Listens before the worker serves, so a sibling's read finds it once it answers."""
        path = self.peers.path(self.peers.index)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # the socket of the worker this one replaces
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(16)
        threading.Thread(target=self._accept, args=(sock,), name="sandbox-journal",
                         daemon=True).start()
        return sock

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:  # closed: the worker is stopping
                return
            threading.Thread(target=self._answer, args=(conn,), name="sandbox-journal-answer",
                             daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            conn.settimeout(ASK_TIMEOUT)
            ask = orjson.loads(_read_all(conn))
            if ask["op"] == "select":
                ids, kept = self._select(ask)
                reply = orjson.dumps([ids, list(map(wire_form, kept)) if ask["whole"] else kept])
            else:  # "clear"
                self.clear_own(ask["session"])
                reply = b"{}"
            conn.sendall(reply)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() above
        self._listener.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.peers.path(self.peers.index))
        # The last worker out removes the folder: a master killed with -9 (whose workers stop
        # when it dies) cannot.
        with contextlib.suppress(OSError):
            os.rmdir(self.peers.folder)


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the other side shuts its writing down."""
    chunks = []
    while chunk := sock.recv(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
