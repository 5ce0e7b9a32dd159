"""RedisStore itself, against a real redis-server: the interface of store.MemoryStore, the lock's
fence, counters, and failing fast while Redis is down."""
from __future__ import annotations

import threading
import time

import pytest

from sandbox.state import open_store
from sandbox.store import DEFAULT_SESSION
from sandbox.store_redis import PUTS_PER_HSET, RedisStore, StoreUnavailable, WorldMismatch
from tests.redis_support import RedisServer, need_redis, redis_server  # noqa: F401

FIXTURES = {"thing": {"1": {"name": "fixture one"}, "2": {"name": "fixture two"}}}


@pytest.fixture(scope="module")
def server(redis_server):
    return redis_server


@pytest.fixture
def store(server):
    server.client().flushdb()
    opened = open_store(server.url, FIXTURES)
    yield opened
    opened.close()


def test_open_store_takes_redis_urls_with_a_password_and_a_database(server):
    server.client().config_set("requirepass", "s3cret")
    try:
        store = open_store(f"redis://:s3cret@127.0.0.1:{server.port}/3", FIXTURES)
        assert isinstance(store, RedisStore)
        assert store.label == f"redis://127.0.0.1:{server.port}/3"  # banner, console: no password
        store.put("s", "thing", "9", {"name": "nine"})
        store.begin_request("s")  # the request's own line authenticates and selects too
        assert store.get("s", "thing", "9") == {"name": "nine"}
        assert store._scope.at == ("s", 1)
        store.end_request()
        assert server.client(password="s3cret", db=3).hlen("sandbox:s:s") == 1
        store.close()
        with pytest.raises(RuntimeError, match="cannot be used: .*pass") as refused:
            open_store(f"redis://:wrong@127.0.0.1:{server.port}/3", FIXTURES)
        assert "wrong" not in str(refused.value)  # the password is not printed
    finally:
        admin = server.client(password="s3cret")
        admin.config_set("requirepass", "")
        admin.flushall()


def test_layers_over_fixtures_items_sessions_and_reset(store):
    assert store.get("a", "thing", "1") == {"name": "fixture one"}
    store.put("a", "thing", "1", {"name": "mine"})
    store.put("a", "thing", "3", {"name": "new"})
    store.put("b", "other", "x", {"n": 1})
    assert store.get("a", "thing", "1") == {"name": "mine"}
    assert store.get("b", "thing", "1") == {"name": "fixture one"}
    assert dict(store.items("a", "thing")) == {"1": {"name": "mine"}, "3": {"name": "new"},
                                               "2": {"name": "fixture two"}}
    assert store.sessions() == ["a", "b"]
    store.reset("a")
    assert store.get("a", "thing", "1") == {"name": "fixture one"}
    assert store.get("a", "thing", "3") is None and store.sessions() == ["b"]


def test_numbers_start_where_asked_are_unique_across_threads_and_survive_a_reset(store):
    got = []
    threads = [threading.Thread(target=lambda: got.extend(
        store.next_number("n", 100) for _ in range(50))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(100, 300))
    store.reset(DEFAULT_SESSION)
    assert store.next_number("n", 100) == 300


def test_a_block_sees_its_own_writes_and_commits_them_together(store, server):
    with store.lock:
        assert store.get("a", "thing", "7") is None
        store.put("a", "thing", "7", {"v": 1})
        assert store.get("a", "thing", "7") == {"v": 1}
        assert server.client().hget("sandbox:s:a", "thing\x1f7") is None  # not yet
    assert server.client().hget("sandbox:s:a", "thing\x1f7") == b'{"v":1}'
    assert server.client().get("sandbox:lock") is None  # released


def test_a_block_commits_its_writes_in_their_order_however_many(store, server):
    """COMMIT takes a batch's puts as runs per session (one HSET per PUTS_PER_HSET of them), so
    a reset between two puts of one session still comes between them."""
    with store.lock:
        for i in range(PUTS_PER_HSET * 2 + 7):
            store.put("a", "thing", f"n{i}", {"i": i})
        store.put("b", "thing", "1", {"v": "gone"})
        store.reset("b")
        store.put("b", "thing", "2", {"v": "kept"})
        store.put("a", "thing", "n0", {"i": "last"})
    other = open_store(server.url, FIXTURES)  # what another instance reads
    assert [other.get("a", "thing", f"n{i}") for i in (1, PUTS_PER_HSET, PUTS_PER_HSET * 2 + 6)] \
        == [{"i": 1}, {"i": PUTS_PER_HSET}, {"i": PUTS_PER_HSET * 2 + 6}]
    assert other.get("a", "thing", "n0") == {"i": "last"}
    assert other.get("b", "thing", "1") == {"name": "fixture one"}  # the reset came after it
    assert other.get("b", "thing", "2") == {"v": "kept"}
    assert len(server.client().hkeys("sandbox:s:a")) == PUTS_PER_HSET * 2 + 7
    other.close()


def test_a_block_that_lost_the_lock_writes_nothing(store, server):
    with pytest.raises(StoreUnavailable, match="lock expired"):
        with store.lock:
            store.get("a", "thing", "8")
            server.client().set("sandbox:lock", "another instance's token")  # ours expired
            store.put("a", "thing", "8", {"v": 1})
    assert server.client().hget("sandbox:s:a", "thing\x1f8") is None


def test_the_lock_serialises_read_then_write_across_stores(store, server):
    other = RedisStore(server.url, FIXTURES)

    def add(on):
        for _ in range(25):
            with on.lock:
                count = (on.get("a", "thing", "count") or {"n": 0})["n"]
                on.put("a", "thing", "count", {"n": count + 1})
    threads = [threading.Thread(target=add, args=(s,)) for s in (store, other, store, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("a", "thing", "count") == {"n": 100}
    other.close()


def test_a_request_sees_another_stores_write_made_since_its_last_request(store, server):
    other = RedisStore(server.url, FIXTURES)
    store.begin_request("a")
    assert store.get("a", "thing", "5") is None  # remembered at this generation
    store.end_request()
    other.put("a", "thing", "5", {"v": "from the other instance"})
    store.begin_request("a")
    assert store.get("a", "thing", "5") == {"v": "from the other instance"}
    store.end_request()
    other.close()


def test_another_world_is_refused(store, server):
    with pytest.raises(WorldMismatch, match="another world"):
        RedisStore(server.url, {"thing": {"1": {"name": "other fixtures"}}})


def test_while_redis_is_down_calls_fail_at_once_and_come_back_after(tmp_path):
    need_redis()
    server = RedisServer(tmp_path).start()
    store = RedisStore(server.url, FIXTURES)
    store.put("a", "thing", "1", {"v": 1})
    server.stop()
    with pytest.raises(StoreUnavailable, match="unreachable"):
        store.get("a", "thing", "1")
    started = time.monotonic()
    for _ in range(100):
        with pytest.raises(StoreUnavailable):
            store.get("a", "thing", "1")
    assert time.monotonic() - started < 0.2  # no new attempt per call within RETRY_AFTER
    assert "unreachable" in store.problem()
    server.start()
    assert store.problem() is None
    store.put("a", "thing", "2", {"v": 2})  # Redis is empty now (no persistence): a new world
    assert store.get("a", "thing", "2") == {"v": 2}
    server.stop()


def test_with_redis_down_every_route_answers_503_in_its_own_envelope(tmp_path):
    from sandbox import create_app
    from tests.conftest import BCS_HEADERS, CORE_AUTH, make_config
    need_redis()
    server = RedisServer(tmp_path).start()
    app = create_app(make_config(state=server.url))
    client = app.test_client()
    server.stop()
    headers = {**CORE_AUTH, **BCS_HEADERS, "Content-Type": "application/json"}
    operations = app.extensions["sandbox"].operations.values()
    assert len(operations) == 16
    for operation in operations:
        path = operation.rule.replace("<identserialnum>", "1234567890").replace(
            "<acctid>", "24567890123")
        assert "<" not in path, path
        response = client.open(path, method=operation.method, headers=headers, json={})
        assert response.status_code == 503, (operation.name, response.json)
        body = response.json
        if operation.family == "bcs":
            assert "unreachable" in body["responseDetail"]["errorDesc"], operation.name
        elif operation.name == "core_product":
            assert "unreachable" in body["accounts_info"][0]["message"]
        else:
            assert "unreachable" in body["message"], operation.name
    # Refused credentials need no state: they are still the first answer.
    refused = client.post("/core_customer", json={}, headers={"Content-Type": "application/json"})
    assert refused.status_code == 401


class SlowReplies:
    """A TCP proxy to Redis on loopback whose replies wait `delay` seconds (0: none)."""

    def __init__(self, port: int):
        import socket
        self.port, self.delay = port, 0.0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.port))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source, target, replies: bool):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if replies and self.delay:
                    time.sleep(self.delay)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.close()
                except OSError:
                    pass

    def close(self):
        self.listener.close()


def test_a_commit_whose_reply_is_late_is_not_sent_again(server):
    """The reply to a commit comes after the socket's timeout (0.5 s): the commit may have been
    carried out, so it fails (503) and is not sent again on a new connection, where it would be
    applied twice."""
    server.client().flushdb()
    proxy = SlowReplies(server.port)
    store = open_store(proxy.url, FIXTURES)
    try:
        store.put("s", "thing", "1", {"name": "one"})  # the line is open, and used once
        proxy.delay = 0.8
        with pytest.raises(StoreUnavailable):
            store.put("s", "thing", "2", {"name": "two"})
        proxy.delay = 0.0
        time.sleep(0.5)  # the late reply is in; the commit was carried out once
        assert int(server.client().get("sandbox:g:s")) == 2
    finally:
        store.close()
        proxy.close()


def test_counts_by_kind_come_from_the_counts_the_commits_keep(store, server, monkeypatch):
    """counts() (metrics) reads each session's `n:` hash, which COMMIT keeps: a field put again
    is not counted twice, a reset starts it over; the field names are never listed."""
    with store.lock:
        store.put("a", "thing", "1", {"v": 1})
        store.put("a", "other", "1", {"v": 1})
        store.put("a", "thing", "1", {"v": "again"})  # the same field, in the same batch
    store.put("a", "thing", "2", {"v": 2})
    store.put("a", "thing", "1", {"v": "over"})  # a field stored already
    with store.lock:
        store.put("b", "thing", "9", {"v": 9})
        store.reset("b")
        store.put("b", "other", "8", {"v": 8})
    monkeypatch.setattr(store, "_fields", lambda key: pytest.fail(f"listed {key}"))
    assert store.counts() == {"thing": 2, "other": 2}
    store.reset("a")
    assert store.counts() == {"other": 1}


def test_counts_of_records_stored_before_the_counts_existed_are_listed_once(store, server):
    """A session's records written without `n:` counts (by an older sandbox): counted from its
    field names once, and the count kept, so the next scrape reads it."""
    db = server.client()
    db.hset("sandbox:s:old", mapping={"thing\x1f1": b"{}", "thing\x1f2": b"{}", "other\x1f1": b"{}"})
    db.sadd("sandbox:sessions", "old")
    assert store.counts() == {"thing": 2, "other": 1}
    assert db.hgetall("sandbox:n:old") == {b"thing": b"2", b"other": b"1"}
    store.put("old", "thing", "3", {})
    listed = []
    fields = store._fields
    store._fields = lambda key: listed.append(key) or fields(key)
    assert store.counts() == {"thing": 3, "other": 1} and listed == []


def test_a_rounds_reads_come_in_one_trip_each_where_it_was_written(store, server):
    """begin_round reads the records a round names in its one script, however many: each comes
    back where it was written, a fixture where the session holds none, nothing where neither
    does."""
    with store.lock:
        for i in range(250):
            store.put("a", "thing", f"k{i}", {"i": i})
        store.put("b", "thing", "x", {"b": 1})
    fresh = open_store(server.url, FIXTURES)  # another instance: nothing cached
    try:
        reads = [("a", "thing", f"k{i}") for i in range(250)] + [
            ("a", "thing", "missing"), ("b", "thing", "x"), ("b", "thing", "1")]
        fresh.begin_round(["a", "b"], reads)
        values = {(session, key): fresh._cache[(session, "thing\x1f" + key)][1]
                  for session, _, key in reads}
        fresh.end_round()
    finally:
        fresh.close()
    assert [values[("a", f"k{i}")] for i in range(250)] == [{"i": i} for i in range(250)]
    assert values[("a", "missing")] is None and values[("b", "x")] == {"b": 1}
    assert values[("b", "1")] == {"name": "fixture one"}
