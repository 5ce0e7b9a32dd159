"""One journal across the workers of `sandbox serve --workers 2 --state PATH`: real processes,
requests spread over both workers (a connection stays with the worker that took it), and every
journal read, through either worker, tells the same story."""
import http.client
import json
import os
import signal
import time

import pytest

from sandbox.journal import Journal
from sandbox.journal_query import Query
from sandbox.journal_workers import ASK_TIMEOUT, NOT_SERVING, ClockIds, Peers, WorkersJournal
from sandbox.testing import JournalIncomplete, SandboxClient
from tests.test_workers import CLIENTE, children, pids_answering, serve, wait_until

pytestmark = pytest.mark.xdist_group("timing")
SESSION = "one-story"


class Connection:
    """One keep-alive connection: every request on it goes to the same worker."""

    def __init__(self, port: int):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.pid = self.call("GET", "/__sandbox/health")[1]["pid"]

    def call(self, method: str, path: str, body=None, session: str = SESSION):
        self.http.request(method, path, body=None if body is None else json.dumps(body),
                          headers={"Content-Type": "application/json",
                                   "X-Sandbox-Session": session})
        answer = self.http.getresponse()
        return answer.status, json.loads(answer.read() or b"null")

    def journal(self, query: str = "", session: str = SESSION) -> dict:
        status, answer = self.call("GET", "/__sandbox/requests" + query, session=session)
        assert status == 200, answer
        return answer

    def count(self, query: str = "", session: str = SESSION) -> int:
        status, answer = self.call("GET", "/__sandbox/requests/count" + query, session=session)
        assert status == 200, answer
        return answer["count"]


def by_worker(server, each: int = 2) -> dict[int, list[Connection]]:
    """`each` connections held by each of the two workers (new ones are opened until so)."""
    pids_answering(server.url)  # both serving
    held: dict[int, list[Connection]] = {}
    for _ in range(40):
        connection = Connection(server.port)
        held.setdefault(connection.pid, []).append(connection)
        if len(held) == 2 and all(len(group) >= each for group in held.values()):
            return {pid: group[:each] for pid, group in held.items()}
    raise AssertionError(f"connections did not spread over two workers: {held.keys()}")


def send_alternating(held, count: int, session: str = SESSION) -> list[str]:
    """`count` requests, one after another, each on a connection of the other worker than the
    one before; every fourth to a path no route has (404). Their markers, in the order sent."""
    connections = [c for pair in zip(*held.values()) for c in pair]
    sent = []
    for n in range(count):
        connection = connections[n % len(connections)]
        path = "/clientes" if n % 4 == 3 else "/cliente"
        status, _ = connection.call("POST", f"{path}?n={n}", CLIENTE, session=session)
        assert status == (404 if path == "/clientes" else 200)
        sent.append(str(n))
    return sent


def markers(answer: dict) -> list[str]:
    return [entry["query"]["n"] for entry in answer["requests"]]


def test_a_read_through_any_worker_lists_every_workers_requests_in_order(tmp_path):
    with serve(tmp_path) as server:
        held = by_worker(server)
        sent = send_alternating(held, 12)
        for connection in [group[0] for group in held.values()]:
            answer = connection.journal()
            assert "skipped_workers" not in answer
            assert markers(answer) == sent[::-1]  # newest first, across both workers
            ids = [entry["id"] for entry in answer["requests"]]
            assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
            assert connection.count() == 12
            # Filters and count agree on the merged list.
            found = connection.journal("?status=404")
            assert markers(found) == ["11", "7", "3"]
            assert connection.count("?status=404") == 3
            assert connection.count("?path=/cliente&method=POST") == 9
            assert markers(connection.journal("?answered_by=unmatched&limit=2")) == ["11", "7"]
            assert connection.count("?status=200&limit=4") == 4
            since = ids[5]  # the entry of request 6: what came after it
            assert markers(connection.journal(f"?since={since}")) == sent[7:][::-1]
            assert connection.count(f"?since={since}") == 5
        # The pytest plugin's client opens a connection per call: either worker answers it.
        client = SandboxClient(server.url, {}, session=SESSION)
        for _ in range(6):
            assert client.count(operation="cliente") == 9
            assert [e["query"]["n"] for e in client.requests(limit=3)] == ["11", "10", "9"]


def test_a_reset_through_one_worker_clears_the_journal_of_every_worker(tmp_path):
    with serve(tmp_path) as server:
        held = by_worker(server, each=1)
        (first,), (second,) = held.values()
        send_alternating(held, 6)
        send_alternating(held, 4, session="another")
        status, answer = first.call("POST", "/__sandbox/reset")
        assert status == 200 and answer == {"reset": True, "session": SESSION}
        assert second.count() == 0 and first.count() == 0
        assert second.journal()["requests"] == []
        assert second.count(session="another") == 4  # another session's journal stays
        send_alternating(held, 2, session="another")
        status, answer = second.call("DELETE", "/__sandbox/requests", session="another")
        assert status == 200 and answer == {"cleared": True, "session": "another"}
        assert first.count(session="another") == 0 and second.count(session="another") == 0


def test_the_journal_size_bounds_what_a_read_shows_of_all_the_workers(tmp_path):
    with serve(tmp_path, "--journal-size", "5") as server:
        held = by_worker(server, each=1)
        sent = send_alternating(held, 9)
        for (connection,) in held.values():
            assert markers(connection.journal()) == sent[-5:][::-1]
            assert connection.count() == 5


def test_a_silent_worker_is_skipped_and_named(tmp_path):
    with serve(tmp_path) as server:
        held = by_worker(server, each=1)
        (asked, asked_connections), (silent, _) = sorted(held.items())
        (reader,) = asked_connections
        send_alternating(held, 4)
        os.kill(silent, signal.SIGSTOP)
        try:
            answer = reader.journal()
            # The pytest plugin's verification fails rather than judge half a journal (its new
            # connection goes to the worker that still accepts).
            with pytest.raises(JournalIncomplete, match=r"lacks the entries of worker \d"):
                SandboxClient(server.url, {}, session=SESSION).count()
        finally:
            os.kill(silent, signal.SIGCONT)
        # Only the answering worker's entries (requests 0 and 2, or 1 and 3), and a note.
        assert len(answer["requests"]) == 2
        [note] = answer["skipped_workers"]
        assert note["worker"] in (0, 1)
        assert note["problem"] == f"did not answer within {ASK_TIMEOUT:g} s"
        assert reader.count() == 4 and "skipped_workers" not in reader.journal()


def test_a_dead_worker_does_not_break_the_read(tmp_path):
    with serve(tmp_path) as server:
        held = by_worker(server, each=1)
        (survivor, (reader,)), (victim, _) = sorted(held.items(), reverse=True)
        send_alternating(held, 4)
        os.kill(victim, signal.SIGKILL)
        answer = reader.journal()  # while the master restarts it, or once it has
        own = markers(answer)
        assert len(own) == 2 and own in (["3", "1"], ["2", "0"])  # the dead one's went with it
        for note in answer.get("skipped_workers", []):
            assert note["problem"].startswith(NOT_SERVING)
        wait_until(lambda: len(children(server.proc.pid) - {victim}) == 2)
        pids_answering(server.url, wanted=2)
        assert markers(reader.journal()) == own
        fresh = Connection(server.port)
        status, _ = fresh.call("POST", "/cliente?n=4", CLIENTE)
        assert status == 200
        wait_until(lambda: "skipped_workers" not in reader.journal()
                   and markers(reader.journal()) == ["4", *own])


def raw(n: int) -> dict:
    return {"request_id": str(n), "time": 0.0, "method": "POST", "path": "/cliente",
            "query": f"n={n}", "headers": [], "body": b"{}", "status": 200,
            "answered_by": "route", "duration_ms": 0.1, "response": ([], b"{}", 2)}


def test_a_read_leaves_what_is_recorded_after_its_start_to_the_next_read(tmp_path):
    # Two workers' journals in one process, talking over their real sockets.
    first, second = (WorkersJournal(Journal(), Peers(str(tmp_path), index, 2))
                     for index in range(2))
    try:
        first.record("s", raw(0))
        second.record("s", raw(1))
        # An id 3 s ahead: what a read that starts now finds is as if recorded after its start.
        second._ids.last = time.time_ns() // 1000 + 3_000_000
        second.record("s", raw(2))
        listed = [entry["query"]["n"] for entry in first.entries("s")]
        assert listed == ["1", "0"] and first.count("s") == 2
        wait_until(lambda: [entry["query"]["n"] for entry in first.entries("s")]
                   == ["2", "1", "0"])
    finally:
        first.close()
        second.close()


def test_filters_limit_and_the_bound_travel_to_the_siblings_and_agree(tmp_path):
    # What two workers' journals answer together is what one journal holding every entry
    # would: the newest `size` of all, then the filters, then the limit.
    first, second = (WorkersJournal(Journal(size=5), Peers(str(tmp_path), index, 2))
                     for index in range(2))
    try:
        for n in range(14):
            entry = {**raw(n), "status": 404 if n % 3 == 0 else 200}
            (first if n % 4 < 2 else second).record("s", entry)
        newest = sorted((e for j in (first, second) for e in j.own_raws("s")),
                        key=lambda e: e["id"])[-5:][::-1]
        ids = [e["id"] for e in newest]
        queries = [(Query(), None), (Query((("status", 200),)), None),
                   (Query((("status", 404),)), 1), (Query(since=ids[3]), None),
                   (Query((("status", 200),), since=ids[4]), 2)]
        for reader in (first, second):
            for query, limit in queries:
                wanted = [e["query"][2:] for e in newest if query.matches(e)][:limit]
                got = [e["query"]["n"] for e in reader.entries("s", query.match, limit)]
                assert got == wanted, (query, limit)
                assert reader.count("s", query.match) == len(
                    [e for e in newest if query.matches(e)])
            # A predicate that cannot travel is applied where the read is, on everything.
            odd = [e["query"]["n"] for e in reader.entries("s", lambda e: e["id"] % 2)]
            assert odd == [e["query"][2:] for e in newest if e["id"] % 2]
    finally:
        first.close()
        second.close()


def test_ids_are_unique_across_workers_and_increasing_in_each():
    workers = [ClockIds(index, 3) for index in range(3)]
    ids = [[next(ids) for _ in range(200)] for ids in workers]
    for index, own in enumerate(ids):
        assert own == sorted(set(own)) and {n % 3 for n in own} == {index}
        assert own[-1] < 2 ** 53  # exact in the console's JavaScript
    assert len({n for own in ids for n in own}) == 600


def _shared_ids(count: int) -> memoryview:
    import mmap
    return memoryview(mmap.mmap(-1, 8 * count)).cast("q")


def test_ids_stay_ordered_across_workers_when_the_clock_steps_back(monkeypatch):
    # Worker 0 records; the clock is stepped back a second (NTP); worker 1, which recorded
    # nothing yet, records next: its entry must come after, or `since=<worker 0's id>` hides it.
    import sandbox.journal as journal
    shared = _shared_ids(2)
    first, second = ClockIds(0, 2, shared), ClockIds(1, 2, shared)
    now = [1_800_000_000_000_000_000]
    monkeypatch.setattr(journal.time, "time_ns", lambda: now[0])
    before = next(first)
    now[0] -= 1_000_000_000
    after = next(second)
    assert after > before and after % 2 == 1
    assert next(first) > after  # and worker 0 goes on above worker 1's
    # Without the shared ids, worker 1 would have given the stepped-back clock's id.
    assert next(ClockIds(1, 2)) < before


def test_a_forked_worker_gives_ids_above_its_siblings_last(monkeypatch):
    # The master's mmap, inherited through a real fork, as workers.Master hands it on.
    import sandbox.journal as journal
    shared = _shared_ids(2)
    mine = ClockIds(0, 2, shared)
    monkeypatch.setattr(journal.time, "time_ns", lambda: 1_800_000_000_000_000_000)
    before = next(mine)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the sibling, with its clock a minute behind
        try:
            journal.time.time_ns = lambda: 1_799_999_940_000_000_000
            os.write(write_end, str(next(ClockIds(1, 2, shared))).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    theirs = int(os.read(read_end, 64))
    os.waitpid(pid, 0)
    os.close(read_end)
    assert theirs > before
    assert next(mine) > theirs  # what the sibling gave is seen here too


def test_silent_siblings_are_asked_at_once_not_one_after_another(tmp_path, monkeypatch):
    # Three workers' journals in one process; two of them listen but never answer.
    import sandbox.journal_workers as journal_workers
    monkeypatch.setattr(journal_workers, "ASK_TIMEOUT", 0.5)
    reader = WorkersJournal(Journal(), Peers(str(tmp_path), 0, 3))
    silent = []
    for index in (1, 2):
        sock = journal_workers.socket.socket(journal_workers.socket.AF_UNIX)
        sock.bind(Peers(str(tmp_path), index, 3).path(index))
        sock.listen(4)  # connections are taken by the kernel, and never answered
        silent.append(sock)
    try:
        reader.record("s", raw(0))
        skipped = []
        began = time.monotonic()
        listed = reader.entries("s", skipped=skipped)
        took = time.monotonic() - began
        assert [entry["query"]["n"] for entry in listed] == ["0"]
        assert [note["worker"] for note in skipped] == [1, 2]
        assert all(note["problem"] == "did not answer within 0.5 s" for note in skipped)
        assert took < 0.9, took  # one wait for both (one after another: 1 s)
    finally:
        reader.close()
        for sock in silent:
            sock.close()
