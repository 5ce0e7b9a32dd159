"""The request path every route shares: envelopes for unknown paths, CORS, ids, journal, log."""
import json
import os

import pytest
from sandbox.store import MemoryStore, SessionState
from sandbox.store_sqlite import SqliteStore


def test_health_answers_the_version(client):
    response = client.get("/__sandbox/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "version": "0.1.0", "pid": os.getpid()}


def test_unknown_path_gets_a_clear_404_in_json(client):
    response = client.post("/nowhere")
    assert response.status_code == 404
    assert "No route POST /nowhere" in response.json["message"]


def test_every_response_carries_a_request_id_and_cors(client):
    response = client.get("/__sandbox/health", headers={"Origin": "http://app.local"})
    assert len(response.headers["X-Request-Id"]) == 16
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_allows_the_documented_headers(client):
    response = client.open("/__sandbox/health", method="OPTIONS",
                           headers={"Origin": "http://app.local",
                                    "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    allowed = response.headers["Access-Control-Allow-Headers"]
    for header in ("Authorization", "X-Security-ClientID", "client_id", "X-Invoker-TxId",
                   "X-Sandbox-Session"):
        assert header in allowed


def test_one_json_log_line_per_request(capsys):
    from sandbox import create_app
    from sandbox.logs import flush_stdout
    from tests.conftest import make_config
    app = create_app(make_config(log_requests=True))
    flush_stdout()
    capsys.readouterr()
    app.test_client().get("/__sandbox/health")
    assert capsys.readouterr().out == ""  # request lines wait for the server's periodic flush
    flush_stdout()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 1
    assert lines[0]["path"] == "/__sandbox/health" and lines[0]["status"] == 200


def test_log_lines_go_out_in_order_when_an_error_comes_or_the_list_is_full(capsys):
    from sandbox import logs as wsgi
    wsgi.flush_stdout()
    capsys.readouterr()
    wsgi.log_line({"level": "info", "n": 1})
    wsgi.log_line({"level": "error", "n": 2})
    assert [json.loads(line)["n"] for line in capsys.readouterr().out.splitlines()] == [1, 2]
    for n in range(wsgi.PENDING_LINES):
        wsgi.log_line({"level": "info", "n": n})
    assert len(capsys.readouterr().out.splitlines()) == wsgi.PENDING_LINES


def test_store_sessions_shadow_fixtures_and_reset_drops_them():
    store = MemoryStore({"thing": {"1": {"v": "fixture"}}})
    a, b = SessionState(store, "a"), SessionState(store, "b")
    a.put("thing", 1, {"v": "mine"})
    assert a.get("thing", 1) == {"v": "mine"}
    assert b.get("thing", 1) == {"v": "fixture"}
    store.reset("a")
    assert a.get("thing", 1) == {"v": "fixture"}


def test_stored_records_leave_the_collectors_sight_every_thousand_writes(monkeypatch):
    # Counted as calls: the process's freeze count also falls when another test's frozen
    # objects are freed meanwhile.
    import gc
    import sandbox.store as store_module
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(True))
    store = MemoryStore()
    for n in range(store_module.FREEZE_EVERY - 1):
        store.put("default", "thing", n, {"v": [n]})
    assert freezes == []
    store.put("default", "thing", "last", {"v": ["last"]})
    assert freezes == [True]
    store.reset()  # frozen records are still freed by refcounting
    assert store.get("default", "thing", "1") is None


def test_next_number_never_repeats_even_after_reset():
    store = MemoryStore()
    first = store.next_number("customer", 100)
    store.reset()
    assert store.next_number("customer", 100) == first + 1


def test_sqlite_store_survives_reopen(tmp_path):
    path = str(tmp_path / "state.db")
    store = SqliteStore(path)
    store.put("s", "thing", "1", {"v": 1})
    number = store.next_number("n", 10)
    store.close()
    again = SqliteStore(path)
    assert again.get("s", "thing", "1") == {"v": 1}
    assert again.next_number("n", 10) == number + 1
    again.reset("s")
    again.close()
    assert SqliteStore(path).get("s", "thing", "1") is None


def test_sqlite_writes_under_the_lock_commit_together_when_the_block_ends(tmp_path):
    import sqlite3
    path = str(tmp_path / "state.db")
    store = SqliteStore(path)
    other = sqlite3.connect(path)

    def rows():
        return other.execute("SELECT count(*) FROM records").fetchone()[0]

    with store.lock:
        store.put("s", "customer", "1", {"v": 1})
        with store.lock:  # reentrant: the inner block does not commit
            store.put("s", "_index", "doc", {"customer": "1"})
        assert rows() == 0
    assert rows() == 2
    store.put("s", "customer", "2", {"v": 2})  # a lone put is its own batch
    assert rows() == 3


def test_a_preflight_allows_every_header_the_browser_asks_for(client):
    # An app's own headers (X-Correlation-Id, the README's X-Channel) and seed 004's
    # X-Invoker-Channel, which the fixed list once lacked.
    asked = "x-correlation-id, x-channel, x-invoker-channel, x-security-clientid"
    response = client.open("/api/customersManagement/v1/customer-management/v1/query-pila",
                           method="OPTIONS", headers={
                               "Origin": "http://app.local", "Access-Control-Request-Method": "POST",
                               "Access-Control-Request-Headers": asked})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Headers"] == asked
    assert "Access-Control-Request-Headers" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/core_customer", "/core_product", "/cliente",
                                  "/api/customersManagement/v1/v1/sync-data",
                                  "/api/customersManagement/v1/customerAccountManagement/v4/basicData"])
def test_a_405_says_which_methods_are_allowed(client, path):
    response = client.delete(path)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert ("GET" in allowed) != ("POST" in allowed) and "OPTIONS" in allowed


# -- bodies no parser or store can take: a 400 in the route's envelope, never a 500 -------------
BODY_ROUTES = ["/core_customer", "/core_product", "/cliente",
               "/api/customersManagement/v1/customer-account-management/v1/customer",
               "/api/customersManagement/v1/v1/sync-data"]


def auth_for(path):
    from tests.conftest import BCS_HEADERS, CORE_AUTH
    return BCS_HEADERS if path.startswith("/api/") else CORE_AUTH


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_json_nested_thousands_deep_is_a_400_in_the_envelope_and_the_journal_reads(client, path):
    body = b"[" * 3000 + b"]" * 3000
    response = client.post(path, data=body, content_type="application/json",
                           headers=auth_for(path))
    assert response.status_code == 400, response.data
    assert "nested too deeply" in response.get_data(as_text=True)
    assert "X-Request-Id" in response.headers
    journal = client.get("/__sandbox/requests")
    assert journal.status_code == 200 and journal.json["requests"][0]["status"] == 400


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_a_lone_surrogate_is_a_400_naming_the_field_and_nothing_is_stored(client, path):
    body = b'{"client_info": {"first_name": "Ana\\ud800"}, "mNemonic": "x"}'
    response = client.post(path, data=body, content_type="application/json",
                           headers=auth_for(path))
    assert response.status_code == 400
    assert "client_info.first_name: a lone UTF-16 surrogate" in response.get_data(as_text=True)
    assert client.get("/__sandbox/requests").status_code == 200


def test_a_lone_surrogate_never_reaches_a_sqlite_store(tmp_path):
    from sandbox import create_app
    from tests.conftest import CORE_AUTH, make_config, seed_example
    app = create_app(make_config(state=str(tmp_path / "state.db")))
    raw = json.dumps(seed_example("000_request_2")).replace("PEDRO", "PEDRO\\ud800")
    raw = raw.replace('"document_number": "', '"document_number": "9', 1)
    response = app.test_client().post("/core_customer", data=raw, content_type="application/json",
                                      headers=CORE_AUTH)
    assert response.status_code == 400
    app.extensions["sandbox"].store.close()
