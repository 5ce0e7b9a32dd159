"""The SQLite store at scale and shared: a bounded cache in front of the file, a start that
reads no records, and several processes on one file telling one story."""
from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.logs import flush_stdout
from sandbox.store_sqlite import SqliteStore
from tests.bcs_profile_support import BASE, JSON_HEADERS, V4
from tests.conftest import BCS_HEADERS, CORE_AUTH, ServerProcess, seed_example
from tests.core_support import new_client

CREATE = BASE + "/customer-account-management/v1/customer"


def test_a_start_reads_no_record_and_the_cache_stays_bounded(tmp_path):
    path = str(tmp_path / "state.db")
    store = SqliteStore(path)
    with store.lock:
        for n in range(3000):
            store.put("s", "customer", str(n), {"n": n})
    store.close()

    again = SqliteStore(path, cache_records=100)
    assert again.cached_records == 0
    assert all(again.get("s", "customer", str(n)) == {"n": n} for n in range(3000))
    assert again.get("s", "customer", "none") is None
    assert again.get("other", "customer", "1") is None
    assert again.cached_records == 100
    assert again.sessions() == ["s"]


def test_a_miss_falls_through_to_the_fixtures_and_a_reset_forgets_the_cache(tmp_path):
    store = SqliteStore(str(tmp_path / "state.db"), {"thing": {"1": {"v": "fixture"}}})
    store.put("s", "thing", "1", {"v": "mine"})
    assert store.get("s", "thing", "1") == {"v": "mine"}
    assert store.get("t", "thing", "1") == {"v": "fixture"}
    store.reset("s")
    assert store.get("s", "thing", "1") == {"v": "fixture"}
    assert store.sessions() == []


def test_a_file_from_before_the_sessions_table_lists_its_sessions(tmp_path):
    path = str(tmp_path / "state.db")
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE records (session TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT "
                "NULL, value TEXT NOT NULL, PRIMARY KEY (session, kind, key))")
    old.execute("""INSERT INTO records VALUES ('s', 'thing', '1', '{"v": 1}')""")
    old.commit()
    old.close()
    store = SqliteStore(path)
    assert store.sessions() == ["s"]
    assert store.get("s", "thing", "1") == {"v": 1}


def test_a_write_from_another_process_is_noticed(tmp_path):
    path = str(tmp_path / "state.db")
    mine, theirs = SqliteStore(path), SqliteStore(path)  # two connections: two processes' view
    mine.put("s", "thing", "1", {"v": 1})
    theirs.notice()
    assert theirs.get("s", "thing", "1") == {"v": 1}
    mine.put("s", "thing", "1", {"v": 2})
    assert theirs.get("s", "thing", "1") == {"v": 1}  # cached until the next request...
    theirs.notice()  # ...which starts with this
    assert theirs.get("s", "thing", "1") == {"v": 2}
    mine.reset("s")
    theirs.notice()
    assert theirs.get("s", "thing", "1") is None
    assert theirs.sessions() == []


def test_counts_follow_every_commit_and_skip_the_pass_when_nothing_changed(tmp_path):
    path = str(tmp_path / "state.db")
    mine, theirs = SqliteStore(path), SqliteStore(path)  # two connections: two processes' view
    assert mine.counts() == {}
    mine.put("s", "thing", "1", {"v": 1})
    assert mine.counts() == {"thing": 1}  # our own commit
    with theirs.lock:
        theirs.put("t", "thing", "1", {"v": 1})
        theirs.put("t", "other", "1", {"v": 1})
        assert mine.counts() == {"thing": 1}  # not committed yet
    assert mine.counts() == {"thing": 2, "other": 1}  # another process's commit
    passes = []
    mine._counting.set_trace_callback(passes.append)
    for _ in range(3):  # scrapes with nothing written since: no pass over the records
        assert mine.counts() == {"thing": 2, "other": 1}
    assert not [sql for sql in passes if "FROM records" in sql]
    theirs.reset("t")
    assert mine.counts() == {"thing": 1}
    assert [sql for sql in passes if "FROM records" in sql]
    mine.close()
    theirs.close()


def test_the_wal_is_checkpointed_off_the_request_path(tmp_path):
    store = SqliteStore(str(tmp_path / "state.db"))
    assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    assert store._checkpointer.is_alive()
    store.close()
    store._checkpointer.join(timeout=5)
    assert not store._checkpointer.is_alive()


def test_the_checkpointer_goes_on_after_a_pass_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sandbox.store_sqlite.CHECKPOINT_EVERY", 0.01)
    passes = []
    path = str(tmp_path / "state.db")
    real = SqliteStore._checkpoint

    def checkpoint(self, db):
        if self.path != path:  # a store another test left open checkpoints as ever
            return real(self, db)
        passes.append(1)
        if len(passes) <= 2:
            raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(SqliteStore, "_checkpoint", checkpoint)
    store = SqliteStore(path)
    deadline = time.monotonic() + 5
    while len(passes) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    store.close()
    assert len(passes) >= 4  # it went on after the failures
    flush_stdout()
    said = [line for line in capsys.readouterr().out.splitlines()
            if "checkpoint_failed" in line and path in line]
    assert len(said) == 1 and "disk I/O error" in said[0]


@pytest.fixture
def two_servers(tmp_path):
    state = str(tmp_path / "state.db")
    with ServerProcess("--state", state, "--quiet") as a, \
            ServerProcess("--state", state, "--quiet") as b:
        yield a, b


def test_two_servers_on_one_file_tell_one_story(two_servers):
    a, b = two_servers
    body = seed_example("004_create_request")
    body["govIssueIdent"] = {**body["govIssueIdent"], "identSerialNum": "5550001"}
    created = requests.post(a.url + CREATE, json=body, headers=JSON_HEADERS, timeout=30)
    assert created.status_code == 200, created.text
    query = {"govIssueIdentType": body["govIssueIdent"]["govIssueIdentType"],
             "identSerialNum": "5550001"}
    found = requests.get(b.url + V4, params=query, headers=BCS_HEADERS, timeout=30)
    assert found.status_code == 200, found.text
    assert requests.post(b.url + "/__sandbox/reset", json={}, timeout=30).status_code == 200
    gone = requests.get(a.url + V4, params=query, headers=BCS_HEADERS, timeout=30)
    assert gone.status_code != 200, gone.text


def test_identical_creates_on_two_servers_make_one_customer(two_servers):
    a, b = two_servers
    body = new_client("001", document_number="888000111")

    def create(n):
        server = (a, b)[n % 2]
        answer = requests.post(server.url + "/core_customer", json=body, headers=CORE_AUTH,
                               timeout=60)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["customer_number"]

    with ThreadPoolExecutor(10) as pool:
        numbers = set(pool.map(create, range(40)))
    assert len(numbers) == 1


def test_the_wal_starts_over_under_steady_writes(tmp_path, monkeypatch):
    # A passive checkpoint alone never catches a writer that never pauses: the WAL grew by every
    # commit's pages for as long as the writes went on (~40 MiB a second of BCS creates).
    import os
    import time

    import sandbox.store_sqlite as store_sqlite
    monkeypatch.setattr(store_sqlite, "CHECKPOINT_EVERY", 0.05)
    monkeypatch.setattr(store_sqlite, "RESTART_AFTER_FRAMES", 200)
    path = str(tmp_path / "state.db")
    store = SqliteStore(path)
    value, commits = {"text": "x" * 1000}, 0
    ends = time.monotonic() + 3
    while time.monotonic() < ends:
        store.put("s", "record", str(commits), value)  # one commit: a frame at least
        commits += 1
        time.sleep(0.001)  # steady, never pausing for a whole checkpoint
    wal = os.path.getsize(path + "-wal")
    # The frames the WAL holds now, since it last started over: every one written, without.
    frames = sqlite3.connect(path).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    store.close()
    assert commits > 1000, "too few writes to tell"
    assert frames < commits / 2  # a commit writes a frame at least
    assert wal < commits * 4096
    assert SqliteStore(path).get("s", "record", str(commits - 1)) == value


def test_a_batch_the_file_refuses_is_never_served(tmp_path):
    path = str(tmp_path / "state.db")
    store = SqliteStore(path)
    store.put("s", "thing", "kept", {"v": 1})
    refusing = sqlite3.connect(path)
    refusing.execute("CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.kind = 'refused'"
                     " BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
    refusing.commit()
    with pytest.raises(sqlite3.Error, match="the disk is full"):
        with store.lock:
            store.put("s", "thing", "with it", {"v": 2})
            store.put("s", "refused", "1", {"v": 3})
    assert store.get("s", "thing", "with it") is None
    assert store.get("s", "refused", "1") is None
    store.put("s", "thing", "after", {"v": 4})
    store.close()
    again = SqliteStore(path)
    assert [again.get("s", "thing", key) for key in ("kept", "with it", "after")] == [
        {"v": 1}, None, {"v": 4}]


def test_records_read_from_the_file_leave_the_collectors_sight_every_thousand(tmp_path,
                                                                               monkeypatch):
    # A cache of decoded records filling up is what every full collection walked: ~100 us of
    # CPU per random v4 read among 1M stored, over 20,000 reads.
    import gc

    import sandbox.store as store_module
    path = str(tmp_path / "state.db")
    store = SqliteStore(path)
    with store.lock:
        for n in range(store_module.FREEZE_EVERY):
            store.put("s", "thing", str(n), {"v": [n]})
    store.close()
    again = SqliteStore(path)
    # Counted as calls: the process's freeze count also falls when another test's frozen
    # objects are freed meanwhile.
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(True))
    for n in range(store_module.FREEZE_EVERY - 1):
        assert again.get("s", "thing", str(n)) == {"v": [n]}
    assert freezes == []
    again.get("s", "thing", str(store_module.FREEZE_EVERY - 1))
    assert freezes == [True]
