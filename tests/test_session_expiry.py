"""Idle named sessions expire (--session-ttl) and at most --max-sessions are kept, so a QA suite
that uses a fresh session per test cannot grow the server without end; the default session never
expires."""
from __future__ import annotations

import time

import pytest

from sandbox import create_app
from tests.conftest import CORE_AUTH, make_config
from tests.redis_support import RedisServer


def create(client, session=None, number=1):
    headers = {**CORE_AUTH, **({"X-Sandbox-Session": session} if session else {})}
    body = {"product_code": "AH01", "customer_number": 1234, "open_date": "2021-01-02"}
    return client.post("/core_product", json=body, headers=headers)


def journal(client, session):
    return client.get("/__sandbox/requests", headers={"X-Sandbox-Session": session}).json["requests"]


def test_an_idle_session_expires_with_its_records_and_journal():
    app = create_app(make_config(session_ttl=0.3))
    client, sandbox = app.test_client(), app.extensions["sandbox"]
    assert create(client, "old").status_code == 201
    assert "old" in sandbox.store.sessions()
    time.sleep(0.5)
    create(client, "new")  # any named session's request looks for idle ones
    assert "old" not in sandbox.store.sessions() and journal(client, "old") == []
    assert "new" in sandbox.store.sessions()


def test_at_most_max_sessions_are_kept_the_longest_idle_going_first():
    app = create_app(make_config(max_sessions=5))
    client, sandbox = app.test_client(), app.extensions["sandbox"]
    for n in range(12):
        assert create(client, f"run-{n}").status_code == 201
    named = [s for s in sandbox.store.sessions() if s.startswith("run-")]
    assert len(named) <= 5 and "run-11" in named and "run-0" not in named
    assert len(sandbox.journal._entries) <= 6


def test_the_default_session_never_expires():
    app = create_app(make_config(session_ttl=0.1, max_sessions=1))
    client, sandbox = app.test_client(), app.extensions["sandbox"]
    assert create(client).status_code == 201
    time.sleep(0.3)
    for n in range(3):
        create(client, f"other-{n}")
    assert "default" in sandbox.store.sessions()
    assert journal(client, "default")


def test_a_session_in_use_does_not_expire():
    app = create_app(make_config(session_ttl=0.4))
    client, sandbox = app.test_client(), app.extensions["sandbox"]
    for _ in range(4):
        create(client, "busy")
        time.sleep(0.15)
    assert "busy" in sandbox.store.sessions()


@pytest.fixture(params=["sqlite", "redis"])
def state(request, tmp_path):
    """A state two processes share: a SQLite file, or a Redis database."""
    if request.param == "sqlite":
        yield str(tmp_path / "state.db")
        return
    server = RedisServer(tmp_path).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_a_session_served_by_another_process_on_the_same_state_is_not_wiped(state):
    # Two processes on one state (--workers, two serves, instances on Redis): each counts a
    # session's idle time from the requests it saw. One that saw none of a session's requests
    # for the ttl must not wipe the records the other is serving; once nobody has served it for
    # the ttl, it goes.
    serving = create_app(make_config(state=state, session_ttl=1.0)).test_client()
    assert create(serving, "team").status_code == 201
    idle_app = create_app(make_config(state=state, session_ttl=1.0))  # knows "team" from the file
    idle = idle_app.extensions["sandbox"]
    for _ in range(8):  # 1.6 s of requests through the serving process only
        assert create(serving, "team").status_code == 201
        time.sleep(0.2)
    assert idle.sessions.sweep() == [] and "team" in idle.store.sessions()
    assert create(serving, "team").status_code == 201  # its records are all still there
    time.sleep(1.3)  # nobody serves it now
    assert idle.sessions.sweep() == ["team"]
    assert "team" not in idle.store.sessions()


def test_a_session_past_the_limit_in_one_process_but_served_by_another_is_kept(state):
    serving = create_app(make_config(state=state)).test_client()
    assert create(serving, "team").status_code == 201
    crowded_app = create_app(make_config(state=state, max_sessions=3))
    crowded = crowded_app.extensions["sandbox"]
    crowded_client = crowded_app.test_client()
    for n in range(6):
        assert create(crowded_client, f"run-{n}").status_code == 201
    assert "team" in crowded.store.sessions() and "team" not in crowded.sessions.last


def test_a_reset_session_is_still_in_use_for_the_other_processes(state):
    serving = create_app(make_config(state=state, session_ttl=1.0)).test_client()
    assert create(serving, "suite").status_code == 201
    other = create_app(make_config(state=state, session_ttl=1.0)).extensions["sandbox"]
    time.sleep(1.2)  # idle for both; then the suite starts over with a reset and a create
    assert serving.post("/__sandbox/reset", headers={"X-Sandbox-Session": "suite"}).status_code == 200
    assert create(serving, "suite").status_code == 201
    assert other.sessions.sweep() == [] and "suite" in other.store.sessions()
