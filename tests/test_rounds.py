"""The event loop's rounds (server.LoopDispatcher): what a round's requests write is committed
once, at its end, before any of its answers leaves (group commit); a round whose writes the
state refuses answers none of the requests that wrote; and the Redis journal sends a round's
entries together."""
from __future__ import annotations

import contextlib
import json
import sqlite3

import pytest

from sandbox import create_app
from sandbox.apis.bcs import model
from sandbox.apis.bcs.catalog import Catalog
from sandbox.apis.bcs.customer_backend import create_reads, customer_parts
from sandbox.apis.bcs.customer_schemas import CREATE_CUSTOMER, load
from sandbox.config import Config
from sandbox.journal_query import Query
from sandbox.journal_redis import RECORD_SHA
from sandbox.server import LoopDispatcher
from sandbox.store import DEFAULT_SESSION
from tests.bcs_profile_support import BASE, BCS_HEADERS, JSON_HEADERS
from tests.conftest import CORE_AUTH
from tests.core_support import new_client, stored
from tests.redis_support import redis_server  # noqa: F401 (a fixture)
from tests.test_bcs_create import CREATE, new_customer

V4 = BASE + "/customerAccountManagement/v4/basicData"


def core_create(client, number: str):
    return client.post("/core_customer", json=new_client(document_number=number),
                       headers=CORE_AUTH)


def bcs_create(client, number: str):
    return client.post(CREATE, json=new_customer(number), headers=JSON_HEADERS)


def v4_read(client, number: str):
    return client.get(V4, query_string={"govIssueIdentType": "CC", "identSerialNum": number},
                      headers=BCS_HEADERS)


class Body:
    """A round's request body as server.RoundBody gives the hook: its bytes, and what the hook
    kept of them for the app."""

    def __init__(self, raw: bytes = b""):
        self.raw, self.kept = raw, []

    def __call__(self) -> bytes:
        return self.raw

    def keep(self, value) -> None:
        self.kept.append(value)


def a_round(sandbox, sessions=(DEFAULT_SESSION,), reading=()):
    """The loop's begin_round for requests of those sessions, and v4 reads of the customers
    numbered `reading` (what the loop tells of each request: path, query, headers)."""
    def header(session):
        return lambda name: session if name == "X-Sandbox-Session" else None
    sandbox.begin_round([("GET", "/", "", header(s), Body()) for s in sessions] + [
        ("GET", V4, f"govIssueIdentType=CC&identSerialNum={number}", header(DEFAULT_SESSION),
         Body()) for number in reading])


def rows_on_disk(path) -> int:
    with sqlite3.connect(path) as other:  # another process's view: committed rows only
        return other.execute("SELECT count(*) FROM records WHERE kind = 'core_customer'"
                             ).fetchone()[0]


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app(Config.from_env(state=str(tmp_path / "state.db"), log_requests=False))
    yield app, tmp_path / "state.db"
    app.extensions["sandbox"].store.close()


def test_a_rounds_creates_reach_the_file_in_one_commit_at_its_end(sqlite_app):
    app, path = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    before = sandbox.round_writes()
    a_round(sandbox)
    answers = [core_create(client, f"7100000{i}") for i in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert sandbox.round_writes() - before == 3  # the loop knows which requests wrote
    assert rows_on_disk(path) == 0  # nothing is committed before the round ends...
    assert sandbox.end_round() is False
    assert rows_on_disk(path) == 3  # ...and all of it at once then


def test_a_read_after_a_create_in_the_same_round_finds_it(sqlite_app):
    # A client that pipelines a read after its create gets both in one round.
    app, _ = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    a_round(sandbox)
    assert bcs_create(client, "1055443322").status_code == 200
    sandbox.store._cache.clear()  # not from the cache: from the round's uncommitted batch
    found = v4_read(client, "1055443322")
    sandbox.end_round()
    assert found.status_code == 200, found.get_json()


def test_a_round_reads_the_customers_its_reads_name_in_one_statement(sqlite_app):
    app, _ = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    numbers = ["1044000001", "1044000002", "1044000003"]
    for number in numbers:
        assert bcs_create(client, number).status_code == 200
    store = sandbox.store
    store._cache.clear()
    statements = []
    store._readers.db = None  # a new reading connection, traced
    store._reader().set_trace_callback(statements.append)
    a_round(sandbox, reading=[*numbers, "1044000009"])  # and one that is not stored
    # The four customers and the session's switches (every request reads them).
    assert len(statements) == 1 and statements[0].count("UNION ALL") == 4
    assert all(("default", "bcs_customer", f"CC:{n}") in store._cache for n in numbers)
    found = [v4_read(client, n).status_code for n in [*numbers, "1044000009"]]
    sandbox.end_round()
    assert found == [200, 200, 200, 404]
    assert len(statements) == 1  # none of their own


def test_what_a_rounds_reads_name_follows_each_routes_own_lookup(sqlite_app):
    app, _ = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    for number in ("1044000004", "1044000005"):
        assert bcs_create(client, number).status_code == 200
    store = sandbox.store
    store._cache.clear()
    header = lambda name: None  # noqa: E731
    def get(path, query):
        return "GET", path, query, header, lambda: b""
    sandbox.begin_round([
        get(BASE + "/customerAccountManagement/v1/BasicData", "mnemonic=c.c.1044000004"),
        get(V4, "govIssueIdentType=cc&identSerialNum=%201044000005%20"),
        get(V4, "cellphone=3100000000"),  # by cellphone: nothing named
        get(V4, "%zz&&=&govIssueIdentType"),  # nothing either, and no fault
        ("POST", CREATE, "", header, lambda: b"{not json")])
    sandbox.end_round()
    customers = sorted(key for _, kind, key in store._cache if kind == "bcs_customer")
    assert customers == ["CC:1044000004", "CC:1044000005"]


def test_a_round_of_creates_reads_what_they_look_up_in_one_statement(sqlite_app):
    app, _ = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    assert core_create(client, "75000009").status_code == 201
    bodies = [new_client(document_number=f"7500000{i}") for i in range(3)]
    statements = []
    sandbox.store._readers.db = None
    sandbox.store._reader().set_trace_callback(statements.append)
    sandbox.store._db.set_trace_callback(statements.append)
    arriving = creates_arriving("/core_customer", bodies)
    sandbox.begin_round(arriving)
    answers = [client.post("/core_customer", json=body, headers=CORE_AUTH) for body in bodies]
    sandbox.end_round()
    assert [a.status_code for a in answers] == [201] * 3
    assert [body.kept for *_, body in arriving] == [[body] for body in bodies]  # for the app
    lookups = [sql for sql in statements if sql.startswith("SELECT") and "_by_document" in sql]
    assert len(lookups) == 1 and lookups[0].count("UNION ALL") == 3  # and the switches


@pytest.mark.parametrize("changes", [
    {}, {"govIssueIdent.govIssueIdentType": " c.c. "}, {"contactInfo": None},
    {"contactInfo.phoneNum": {"phone": "3209998877", "phoneType": "c"}}])
def test_what_a_bcs_create_names_first_is_what_its_rule_reads(changes):
    body = new_customer("1066000001", **changes)
    data = load(CREATE_CUSTOMER, body, Catalog.load(), "create_customer")
    assert create_reads({}, body) == model.save_reads(customer_parts(data))


def test_a_rounds_creates_write_their_counter_once(sqlite_app):
    app, _ = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    statements = []
    sandbox.store._db.set_trace_callback(statements.append)
    a_round(sandbox)
    numbers = [core_create(client, f"7600000{i}").get_json()["customer_number"] for i in range(3)]
    sandbox.end_round()
    written = [sql for sql in statements if sql.startswith("INSERT INTO records")]
    assert len(written) == 7  # 3 customers, 3 index entries, and the counter's last value
    [counter] = [sql for sql in written if "'_counter'" in sql]
    assert json.dumps({"last": numbers[-1]}, separators=(",", ":")).encode().hex() in counter


class _RefusingCommits:
    """The writer's connection, refusing COMMIT as a full disk would."""

    def __init__(self, db):
        self._db = db

    def execute(self, sql, *args):
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._db, name)


@contextlib.contextmanager
def commits_refused(store):
    """The store's writer refuses COMMIT, as a full disk would, until the block ends."""
    real = store._db
    store._db = _RefusingCommits(real)
    try:
        yield
    finally:
        store._db = real


def test_a_round_the_file_refuses_keeps_and_serves_none_of_its_writes(sqlite_app):
    app, path = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    with commits_refused(sandbox.store):
        a_round(sandbox)
        number = core_create(client, "7300001").get_json()["customer_number"]
        assert stored(sandbox, str(number)) is not None  # the round's own requests see it
        assert sandbox.end_round() is True  # the loop closes the writers' connections
    assert rows_on_disk(path) == 0
    assert stored(sandbox, str(number)) is None
    assert core_create(client, "7300002").status_code == 201  # and the next write works


def test_a_refused_rounds_journal_says_its_unanswered_requests_got_no_answer(sqlite_app):
    """The loop closes the connections of the requests from the round's first write on: their
    entries show no status and no response, and say why; what it answered keeps its answer."""
    app, _ = sqlite_app
    sandbox, client = app.extensions["sandbox"], app.test_client()
    with commits_refused(sandbox.store):
        a_round(sandbox)
        before = v4_read(client, "1234567890")  # a fixture's customer, read before the write
        core_create(client, "7300011")
        v4_read(client, "1234567891")  # after it: it may have read what the round wrote
        assert sandbox.end_round() is True
    journal = client.get("/__sandbox/requests").get_json()["requests"]
    after, create, read = journal  # newest first
    assert read["status"] == before.status_code and read["response"]["status"] == 200
    for entry in (create, after):
        assert entry["status"] is None and entry["response"] is None
        assert entry["unanswered"].startswith("the state refused the writes of the round")
    assert "unanswered" not in read
    counted = client.get("/__sandbox/requests/count", query_string={"status": 201}).get_json()
    assert counted["count"] == 0
    a_round(sandbox)
    assert core_create(client, "7300012").status_code == 201  # the next round is answered
    assert sandbox.end_round() is False
    newest = client.get("/__sandbox/requests", query_string={"limit": 1}).get_json()
    assert newest["requests"][0]["status"] == 201 and "unanswered" not in newest["requests"][0]


def test_a_refused_rounds_log_lines_and_metrics_count_no_answer_it_did_not_send(tmp_path, capsys):
    from sandbox.logs import flush_stdout
    app = create_app(Config.from_env(state=str(tmp_path / "state.db"), log_requests=True))
    sandbox, client = app.extensions["sandbox"], app.test_client()
    flush_stdout()
    capsys.readouterr()
    with commits_refused(sandbox.store):
        a_round(sandbox)
        v4_read(client, "1234567890")
        core_create(client, "7300021")
        flush_stdout()
        assert capsys.readouterr().out == ""  # the round's lines wait for its end
        assert sandbox.end_round() is True
    flush_stdout()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    requests = [line for line in lines if "request_id" in line]
    assert [(line["path"], line["status"], line.get("unanswered")) for line in requests] == [
        (V4, 200, None), ("/core_customer", None, True)]
    metrics = client.get("/__sandbox/metrics").get_data(as_text=True)
    assert 'operation="core_customer",status="unanswered"' in metrics
    assert 'operation="core_customer",status="201"' not in metrics
    sandbox.store.close()


class _Channel:
    def __init__(self, writes: list, writes_something: bool, path="/", query="", headers=None):
        self.requests = [type("Request", (), {"headers": headers or {}, "path": path,
                                              "query": query, "command": "GET",
                                              "content_length": 0})()]
        self.connected, self.total_outbufs_len = True, 10
        self.writes, self.writes_something = writes, writes_something
        self.sent = self.closed = False

    def service(self):
        if self.writes_something:
            self.writes[0] += 1

    def handle_write(self):
        self.sent = True

    def handle_close(self):
        self.closed, self.connected = True, False


@pytest.mark.parametrize("refused", [False, True])
def test_when_a_rounds_writes_are_refused_what_was_served_after_its_first_write_goes_unanswered(
        refused):
    writes = [0]
    dispatcher = LoopDispatcher(lambda request: True, lambda headers: None,
                                lambda: refused, lambda: writes[0])
    before, writer, after = (_Channel(writes, False), _Channel(writes, True),
                             _Channel(writes, False))  # `after` may have read what `writer` wrote
    dispatcher.ready.extend([before, writer, after])
    dispatcher.serve_ready()
    assert before.sent and not before.closed
    assert writer.closed is refused and writer.sent is not refused
    assert after.closed is refused and after.sent is not refused


def test_the_loop_tells_a_round_each_requests_path_query_and_headers():
    told = []
    dispatcher = LoopDispatcher(lambda request: True, told.extend, lambda: False)
    dispatcher.ready.append(_Channel([0], False, V4, "identSerialNum=1",
                                     {"X_SANDBOX_SESSION": "qa-7"}))
    dispatcher.serve_ready()
    [(method, path, query, header, body)] = told
    assert (method, path, query, header("X-Sandbox-Session"), body()) == (
        "GET", V4, "identSerialNum=1", "qa-7", b"")


# -- Redis ----------------------------------------------------------------------------------------
@pytest.fixture
def redis_apps(redis_server):
    redis_server.client().flushdb()
    config = Config.from_env(state=redis_server.url, log_requests=False)
    apps = [create_app(config), create_app(config)]  # two instances on one database
    yield apps
    for app in apps:
        app.extensions["sandbox"].store.close()


def counting(store):
    """The round trips `store` makes from now on."""
    trips = []
    replies = store.lines.replies  # what run, get and mget send through, too
    store.lines.replies = lambda *commands, **options: (trips.append(commands)
                                                         or replies(*commands, **options))
    return trips


def test_on_redis_a_rounds_creates_commit_in_one_script_and_another_instance_sees_them_after(
        redis_apps):
    mine, other = (app.extensions["sandbox"] for app in redis_apps)
    client = redis_apps[0].test_client()
    a_round(mine)
    trips = counting(mine.store)
    assert [bcs_create(client, f"10777000{i}").status_code for i in range(3)] == [200] * 3
    assert v4_read(redis_apps[1].test_client(), "107770000").status_code != 200  # not yet
    # In the round, this instance's own read sees the round's writes already.
    assert v4_read(client, "107770000").status_code == 200
    assert mine.end_round() is False
    sha = mine.store._commit_script.sha
    assert sum(1 for t in trips for command in t if command[:2] == ("EVALSHA", sha)) == 1
    assert v4_read(redis_apps[1].test_client(), "107770000").status_code == 200


def test_on_redis_a_round_of_bcs_creates_takes_the_lock_and_reads_ahead_in_its_first_trip(
        redis_apps):
    sandbox, client = redis_apps[0].extensions["sandbox"], redis_apps[0].test_client()
    store = sandbox.store
    names = {store._round_script.sha: "ROUND_READS", store._commit_script.sha: "COMMIT",
             RECORD_SHA: "RECORD"}

    def round_of_creates(*numbers) -> list:
        bodies = [new_customer(number) for number in numbers]
        trips = counting(store)
        sandbox.begin_round(creates_arriving(CREATE, bodies))
        answers = [client.post(CREATE, json=body, headers=JSON_HEADERS) for body in bodies]
        assert sandbox.end_round() is False
        assert [a.status_code for a in answers] == [200] * len(bodies), answers[0].get_json()
        del store.lines.replies  # counting's wrapper: the next round counts afresh
        named = [[names.get(command[1], command[0]) for command in trip] for trip in trips]
        assert named[-1][0] == "COMMIT"  # with the journal's entries, where they are many
        return named[:-1]

    round_of_creates("1099887765")  # the first learns which counters such a rule numbers
    # The round's generations, the customers and their index entries, the lock and the
    # counters in one trip; the accounts of the next numbers (a fixture's, or sync-data's?)
    # in one; then the commit. (A trip per read and number: 9 a create.)
    assert round_of_creates("1099887766", "1099887767") == [["ROUND_READS"], ["HMGET"]]
    # The next round's new accounts were read ahead: nobody else wrote since.
    assert round_of_creates("1099887768") == [["ROUND_READS"]]


def test_on_redis_a_round_waits_for_the_lock_another_instance_holds(redis_apps):
    mine, other = (app.extensions["sandbox"] for app in redis_apps)
    client = redis_apps[0].test_client()
    assert bcs_create(client, "1099887760").status_code == 200
    token = other.store._acquire()[0]  # another instance's rule, under way
    mine.begin_round(creates_arriving(CREATE, [new_customer("1099887761")]))
    assert not mine.store.lock.token  # the round did not take it
    other.store._commit([], token)  # the other's rule ends: the lock is free again
    answer = client.post(CREATE, json=new_customer("1099887761"), headers=JSON_HEADERS)
    assert mine.end_round() is False
    assert answer.status_code == 200
    assert v4_read(redis_apps[1].test_client(), "1099887761").status_code == 200


def test_on_redis_a_round_of_reads_takes_no_lock(redis_apps):
    sandbox = redis_apps[0].extensions["sandbox"]
    a_round(sandbox, reading=["1234567890"])
    assert not sandbox.store.lock.token and not sandbox.store.lock.round_open
    assert sandbox.end_round() is False


@pytest.mark.parametrize("state", ["memory", "sqlite", "redis"])
def test_a_create_skips_account_numbers_that_are_taken(state, request, tmp_path):
    """next_unused: a number whose account exists (stored by other means) is used up, also
    when the store read the next numbers' accounts ahead, before they were stored."""
    if state == "redis":
        server = request.getfixturevalue("redis_server")
        server.client().flushdb()
        state = server.url
    elif state == "sqlite":
        state = str(tmp_path / "state.db")
    app = create_app(Config.from_env(state=state, log_requests=False))
    sandbox, client = app.extensions["sandbox"], app.test_client()

    def acct_id_of(number: str) -> str:
        answer = client.post(CREATE, json=new_customer(number), headers=JSON_HEADERS)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["depAcctStmtRec"]["depAcctId"]["acctId"]

    acct_id = acct_id_of("1099887750")
    acct_id_of("1099887751")  # the store may have read ahead the next numbers' accounts
    ledger, number = acct_id[:-9], int(acct_id[-9:])
    for step in (2, 3):  # as sync-data stores accounts, with numbers of their own
        taken = f"{ledger}{number + step:09d}"
        sandbox.store.put(DEFAULT_SESSION, model.ACCOUNT, taken, {"acctId": taken})
    assert acct_id_of("1099887752") == f"{ledger}{number + 4:09d}"
    sandbox.store.close()


def test_on_redis_a_round_reads_its_sessions_and_the_customers_its_reads_name_in_one_trip(
        redis_apps):
    mine, other = (app.extensions["sandbox"] for app in redis_apps)
    client = redis_apps[0].test_client()
    numbers = ["1044000011", "1044000012"]
    for number in numbers:
        assert bcs_create(redis_apps[1].test_client(), number).status_code == 200
    trips = counting(mine.store)
    a_round(mine, reading=[*numbers, "1044000019"])
    found = [v4_read(client, n).status_code for n in [*numbers, "1044000019"]]
    mine.end_round()
    assert found == [200, 200, 404]
    assert [[command[0] for command in trip] for trip in trips] == [["EVALSHA"]]
    decoded = []
    value_of = mine.store._value
    mine.store._value = lambda kind, key, raw: decoded.append(key) or value_of(kind, key, raw)
    # Read again in the next round, at the same generation: the cache's copies (none sent).
    a_round(mine, reading=numbers)
    assert [v4_read(client, n).status_code for n in numbers] == [200, 200]
    mine.end_round()
    assert [[command[0] for command in trip] for trip in trips[1:]] == [["EVALSHA"]]
    assert decoded == []
    # Another instance's write since: the round's trip reads them again, none on its own.
    assert bcs_create(redis_apps[1].test_client(), "1044000013").status_code == 200
    a_round(mine, reading=numbers)
    assert [v4_read(client, n).status_code for n in numbers] == [200, 200]
    mine.end_round()
    assert [[command[0] for command in trip] for trip in trips[2:]] == [["EVALSHA"]]
    assert sorted(decoded) == ["CC:1044000011", "CC:1044000012", "active"]  # the switches too


def creates_arriving(path, bodies) -> list:
    """What the loop tells a round of creates that arrived together (their JSON bodies)."""
    header = lambda name: CORE_AUTH["Authorization"] if name == "Authorization" else None  # noqa
    return [("POST", path, "", header, Body(json.dumps(body).encode())) for body in bodies]


def test_on_redis_a_round_of_creates_reads_what_they_look_up_with_its_generations(redis_apps):
    sandbox, client = redis_apps[0].extensions["sandbox"], redis_apps[0].test_client()
    bodies = [new_client(document_number=f"7400000{i}") for i in range(3)]
    a_round(sandbox)
    assert core_create(client, "74000009").status_code == 201  # what such a rule numbers
    sandbox.end_round()
    trips = counting(sandbox.store)
    arriving = creates_arriving("/core_customer", bodies)
    sandbox.begin_round(arriving)
    answers = [client.post("/core_customer", json=body, headers=CORE_AUTH) for body in bodies]
    sandbox.end_round()
    assert [a.status_code for a in answers] == [201] * 3
    assert [body.kept for *_, body in arriving] == [[body] for body in bodies]  # for the app
    # The round's generations, the three documents' index entries, the lock and the counter
    # such a rule numbers; the commit, with the journal's entries (over 8 KiB: confirmed).
    # Without the lock in the round's trip, one more; without the round's reads, a trip per
    # create more; without the journal's ride, one more.
    store = sandbox.store
    names = {store._round_script.sha: "ROUND_READS", store._commit_script.sha: "COMMIT",
             RECORD_SHA: "RECORD"}
    assert [[names.get(command[1], command[0]) for command in trip] for trip in trips] == [
        ["ROUND_READS"], ["COMMIT", "RECORD"]]


def test_on_redis_what_rides_with_a_rounds_commit_cannot_refuse_it(redis_apps):
    mine, other = (app.extensions["sandbox"] for app in redis_apps)
    a_round(mine)
    number = core_create(redis_apps[0].test_client(), "77000001").get_json()["customer_number"]
    refused = ("INCR", "sandbox:world")  # a JSON text, not a number: Redis refuses it
    assert mine.store.end_round([refused]) is False
    assert stored(other, str(number)) is not None


@pytest.mark.parametrize("creates", [1, 4])  # one entry goes unconfirmed, four with the commit
def test_on_redis_a_refused_rounds_journal_says_its_requests_got_no_answer(redis_apps, creates):
    mine, other = (app.extensions["sandbox"] for app in redis_apps)
    client = redis_apps[0].test_client()
    a_round(mine)
    assert v4_read(client, "1234567890").status_code == 200  # before the round's first write
    for i in range(creates):
        assert core_create(client, f"7800000{i}").status_code == 201
    # Another instance holds the lock now (ours expired): Redis refuses the round's commit.
    mine.store.db.set("sandbox:lock", "another instance's token")
    try:
        assert mine.end_round() is True
    finally:
        mine.store.db.delete("sandbox:lock")
    journal = other.journal.entries(DEFAULT_SESSION)  # newest first, as another instance reads
    assert [entry["status"] for entry in journal] == [None] * creates + [200]
    assert all(entry["response"] is None and entry["unanswered"] for entry in journal[:-1])
    assert journal[-1]["response"]["status"] == 200 and "unanswered" not in journal[-1]
    assert [entry["body"]["client_info"]["document_number"] for entry in journal[:-1]] == [
        f"7800000{i}" for i in reversed(range(creates))]


def test_on_redis_a_rounds_journal_entries_reach_every_instance_in_order(redis_apps):
    mine, other = (app.extensions["sandbox"] for app in redis_apps)
    client = redis_apps[0].test_client()
    a_round(mine, ("a", "b"))
    for i in range(12):  # /cliente's answers are ~4.5 KB: over the unconfirmed write's size
        answer = client.post("/cliente", json={"tipo_documento_id": 1, "tipo_documento": "curp",
                                               "numero_documento": 25326461 + i},
                             headers={"X-Sandbox-Session": "ab"[i % 2]})
        assert answer.status_code == 200
    mine.end_round()
    for session, first in (("a", 0), ("b", 1)):
        sent = [entry["body"]["numero_documento"]
                for entry in other.journal.entries(session)]
        assert sent == [25326461 + i for i in range(10 + first, -1, -2)]  # newest first


def test_on_redis_polling_with_since_misses_no_entry_another_instance_stored_late(redis_apps):
    """Instance A records an entry in a round (it reaches Redis at the round's end); B records
    one meanwhile, which a poller reads first. A's entry, stored after, has the higher id: a
    poll `since` B's finds it (ids of each instance's clock gave A's the lower id: missed)."""
    mine, other = (app.extensions["sandbox"] for app in redis_apps)
    request = {"tipo_documento_id": 1, "tipo_documento": "curp"}
    a_round(mine)
    assert redis_apps[0].test_client().post(
        "/cliente", json={**request, "numero_documento": 25326461}).status_code == 200
    assert redis_apps[1].test_client().post(
        "/cliente", json={**request, "numero_documento": 25326462}).status_code == 200
    [seen] = other.journal.entries(DEFAULT_SESSION)
    mine.end_round()
    newer = other.journal.entries(DEFAULT_SESSION, Query(since=seen["id"]).match)
    assert [entry["body"]["numero_documento"] for entry in newer] == [25326461]
    assert newer[0]["id"] == seen["id"] + 1  # Redis counts them, across instances


# -- on the wire ----------------------------------------------------------------------------------
def pipelined(url: str, *requests_: bytes, hold=None) -> list[bytes]:
    """Sends the requests in one write on one connection; each answer's status line and body
    (the connection closed once `hold`, an Event, is set, where given)."""
    import socket
    from urllib.parse import urlsplit
    where = urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(b"".join(requests_))
        data = b""
        while data.count(b"HTTP/1.1 ") < len(requests_) or not _complete(data, len(requests_)):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        if hold is not None:
            hold.wait(10)
    return [b"HTTP/1.1 " + part for part in data.split(b"HTTP/1.1 ")[1:]]


def _complete(data: bytes, count: int) -> bool:
    answers = [b"HTTP/1.1 " + part for part in data.split(b"HTTP/1.1 ")[1:]]
    if len(answers) < count:
        return False
    last = answers[-1]
    head, _, body = last.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    return len(body) >= length


def raw_request(method: str, target: str, headers: dict, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in
             headers.items()), f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


@pytest.mark.parametrize("on", ["sqlite", "redis"])
def test_a_read_pipelined_after_a_create_finds_it_through_a_real_server(on, tmp_path, request):
    import json
    from tests.conftest import LiveServer
    if on == "redis":
        server = request.getfixturevalue("redis_server")
        server.client().flushdb()
        state = server.url
    else:
        state = str(tmp_path / "state.db")
    app = create_app(Config.from_env(state=state, log_requests=False))
    create = raw_request("POST", CREATE, JSON_HEADERS,
                         json.dumps(new_customer("1066554433")).encode())
    read = raw_request("GET", V4 + "?govIssueIdentType=CC&identSerialNum=1066554433",
                       BCS_HEADERS)
    try:
        with LiveServer(app) as live:
            answers = pipelined(live.url, create, read)
    finally:
        app.extensions["sandbox"].store.close()
    assert [a.split(b" ", 2)[1] for a in answers] == [b"200", b"200"], answers
    assert b"1066554433" in answers[1]


def test_on_redis_the_loop_reads_the_next_requests_while_a_rounds_trip_is_on_its_way(
        redis_server, capfd):
    """Redis holds back write commands for 0.4 s (CLIENT PAUSE WRITE), so the round of a create
    waits that long for its first trip. The requests sent meanwhile on other connections are
    read during that wait, without asking the app (a fresh session's request would have it ask
    Redis on the line whose reply is awaited), and answered in the next round, at once after:
    the read finds the create's customer."""
    import threading
    import time
    from tests.conftest import LiveServer
    server = redis_server
    server.client().flushdb()
    app = create_app(Config.from_env(state=server.url, log_requests=False))
    store = app.extensions["sandbox"].store
    create = raw_request("POST", CREATE, JSON_HEADERS,
                         json.dumps(new_customer("1077554433")).encode())
    read = raw_request("GET", V4 + "?govIssueIdentType=CC&identSerialNum=1077554433",
                       BCS_HEADERS)
    fresh = raw_request("GET", V4 + "?govIssueIdentType=CC&identSerialNum=1077554433",
                        {**BCS_HEADERS, "X-Sandbox-Session": "never-seen"})
    answers, took, done = {}, {}, threading.Event()

    def send(name, request_):
        began = time.monotonic()
        answers[name] = pipelined(live.url, request_, hold=done if name == "create" else None)[0]
        took[name] = time.monotonic() - began

    try:
        with LiveServer(app) as live:
            dispatcher = live.server.task_dispatcher
            inner, read_meanwhile = store.meanwhile, []

            def counted(fd, timeout):
                before = len(dispatcher.arrived_meanwhile)
                try:
                    return inner(fd, timeout)
                finally:
                    read_meanwhile.append(len(dispatcher.arrived_meanwhile) - before)
            store.meanwhile = counted
            server.client().execute_command("CLIENT", "PAUSE", 400, "WRITE")
            senders = [threading.Thread(target=send, args=("create", create))]
            senders[0].start()
            time.sleep(0.15)
            senders += [threading.Thread(target=send, args=(name, request_))
                        for name, request_ in (("read", read), ("fresh", fresh))]
            for sender in senders[1:]:
                sender.start()
            for sender in senders[1:]:
                sender.join(10)
            done.set()  # the create's connection stays open till then: no event wakes the loop
            senders[0].join(10)
    finally:
        store.close()
    assert {name: answer.split(b" ", 2)[1] for name, answer in answers.items()} == {
        "create": b"200", "read": b"200", "fresh": b"404"}, answers
    assert b"1077554433" in answers["read"]
    assert sum(read_meanwhile) == 2, read_meanwhile
    # Served in the round after the create's, not at the loop's next idle wake-up (1 s).
    assert took["read"] < 0.25 + 0.5 and took["fresh"] < 0.25 + 0.5, took
    assert "round_hook_failed" not in capfd.readouterr().out


def test_a_wait_whose_reading_fails_still_reads_the_reply(capfd):
    """What goes wrong in read_meanwhile is logged, and the state's reply is read as without
    it: never left unread on its line."""
    import socket
    import threading

    class Broken:
        accepting = True

        def readable(self):
            raise RuntimeError("a socket in a bad way")

    dispatcher = LoopDispatcher(lambda request: True)
    dispatcher.loop_thread, dispatcher.hooking = threading.get_ident(), True
    redis_side, ours = socket.socketpair()
    try:
        dispatcher.map = {99: Broken()}
        redis_side.sendall(b"+OK\r\n")
        assert dispatcher.read_meanwhile(ours.fileno(), 1.0) is True
        assert not dispatcher.deferring
        assert ours.recv(16) == b"+OK\r\n"
    finally:
        redis_side.close()
        ours.close()
    assert "read_meanwhile_failed" in capfd.readouterr().out
