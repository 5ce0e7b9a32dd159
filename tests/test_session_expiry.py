"""Idle named sessions expire (--session-ttl) and at most --max-sessions are kept, so a QA suite
that uses a fresh session per test cannot grow the server without end; the default session never
expires."""
from __future__ import annotations

import time

from sandbox import create_app
from tests.conftest import CORE_AUTH, make_config


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
