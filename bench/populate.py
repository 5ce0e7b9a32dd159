"""Stores many BCS customers in a state file, or a Redis database, quickly, for the "1M stored"
bench cases.

    python bench/populate.py STATE.db 1000000
    python bench/populate.py redis://127.0.0.1:6379/1 1000000

One customer is created through the real app (memory state), and the records that create wrote
(the customer, its account, its identification index) are the template: each copy gets its own
identification number (7000000000 + i) and account number (9 + i, 10 digits), and the copies go
into the file with one bulk insert per kind, in key order (into Redis: HSETs of 1,000 records
each, sent 50 at a time on one socket, the layout of store_redis.py). So the records are
exactly what the BCS routes write, and the state is what a sandbox that made them one by one
would hold.
"""
from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import create_app  # noqa: E402
from sandbox.config import Config  # noqa: E402
from sandbox.hotline import open_line  # noqa: E402
from sandbox.store_redis import PREFIX, SEP  # noqa: E402
from sandbox.store_sqlite import SCHEMA  # noqa: E402

FIRST_NUMBER = 7_000_000_000
CREATE = "/api/customersManagement/v1/customer-account-management/v1/customer"
HEADERS = {"X-Security-ClientID": "sandbox-client", "X-Security-ClientSecret": "sandbox-secret",
           "X-Security-Token": "populate"}
SESSION = "default"


def templates() -> tuple[list[tuple[str, str, bytes]], bytes, bytes]:
    """(kind, key, value) of the records one create wrote, with its number and account."""
    app = create_app(Config())
    body = orjson.loads((ROOT / "tests/fixtures/seeds/004_create_request.json").read_bytes())
    number = str(FIRST_NUMBER)
    body["govIssueIdent"]["identSerialNum"] = number
    answer = app.test_client().post(CREATE, json=body, headers=HEADERS)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    account = answer.get_json()["depAcctStmtRec"]["depAcctId"]["acctId"]
    store = app.extensions["sandbox"].store
    written = []
    for kind, records in store._layers[SESSION].items():
        for key, value in records.items():
            encoded = orjson.dumps(value)
            # Only what belongs to this customer: not the counters, nor the cellphone it took.
            if number in key or account in key:
                written.append((kind, key, encoded))
    return written, number.encode(), account.encode()


def rows(count: int):
    """(session, kind, key, value) for `count` customers, kind by kind in key order."""
    written, number, account = templates()
    for kind, key, value in sorted(written):
        for i in range(count):
            mine, acct = str(FIRST_NUMBER + i).encode(), b"9%010d" % i
            yield (SESSION, kind, key.replace(number.decode(), mine.decode())
                   .replace(account.decode(), acct.decode()),
                   value.replace(number, mine).replace(account, acct))


def populate(path: str, count: int) -> float:
    began = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")  # a bulk load: a crash means run it again
    for statement in SCHEMA:
        db.execute(statement)
    db.execute("BEGIN")
    db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", rows(count))
    db.execute("INSERT OR IGNORE INTO sessions VALUES (?)", (SESSION,))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return time.perf_counter() - began


def populate_redis(url: str, count: int, per_command: int = 1000, per_write: int = 10) -> float:
    """The same records into the Redis database at `url` (a session's hash, as store_redis.py
    keeps it): one HSET per `per_command` records, `per_write` HSETs per round trip, on a
    socket that waits as long as a large write takes."""
    import redis
    began = time.perf_counter()
    client = redis.Redis.from_url(url)
    lines = open_line(client.connection_pool)
    lines.sock.settimeout(120)
    key = PREFIX + "s:" + SESSION
    batch, fields, kinds = [], [], {}
    for _, kind, record_key, value in rows(count):
        fields += [kind + SEP + record_key, value]
        kinds[kind] = kinds.get(kind, 0) + 1
        if len(fields) == 2 * per_command:
            batch.append(("HSET", key, *fields))
            fields = []
            if len(batch) == per_write:
                _stored(lines.run(batch))
                batch = []
    if fields:
        batch.append(("HSET", key, *fields))
    counted = ("HSET", PREFIX + "n:" + SESSION, *(w for kind, n in kinds.items() for w in (kind, n)))
    _stored(lines.run([*batch, counted, ("SADD", PREFIX + "sessions", SESSION)]))
    lines.close()
    return time.perf_counter() - began


def _stored(replies: list) -> None:
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python bench/populate.py STATE.db|redis://... COUNT")
    fill = populate_redis if sys.argv[1].startswith(("redis://", "rediss://")) else populate
    seconds = fill(sys.argv[1], int(sys.argv[2]))
    print(f"stored {int(sys.argv[2])} customers in {sys.argv[1]} in {seconds:.1f} s")
