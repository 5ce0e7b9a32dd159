"""Isolated sessions: X-Sandbox-Session gives a request its own state, active scenario and
journal on top of the fixtures; a reset with the header resets that session only."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import CORE_AUTH, LiveServer, ServerProcess
from tests.scenario_kit import build_app, write

SCENARIOS = """
scenarios:
  - name: session-down
    description: Core down
    routes: [test_core_show]
    response: {status: 503, message: down}
"""


@pytest.fixture(params=["memory", "sqlite"])
def app(request, monkeypatch, tmp_path):
    write(tmp_path, "s.yaml", SCENARIOS)
    state = "memory" if request.param == "memory" else str(tmp_path / "state.db")
    app = build_app(monkeypatch, tmp_path, state=state)
    yield app
    app.extensions["sandbox"].store.close()


def headers(session=None):
    return {**CORE_AUTH, **({"X-Sandbox-Session": session} if session else {})}


def create(client, number, session=None):
    return client.post("/test/core", json={"number": number, "name": f"made in {session}"},
                       headers=headers(session))


def show(client, number, session=None):
    return client.get(f"/test/core/{number}", headers=headers(session))


def test_a_session_sees_what_it_created_and_no_other_session_does(client):
    assert create(client, "500", "alice").status_code == 201
    assert show(client, "500", "alice").json["name"] == "made in alice"
    assert show(client, "500", "bob").status_code == 404
    assert show(client, "500").status_code == 404
    # Fixtures are under every session.
    for session in ("alice", "bob", None):
        assert show(client, "9046", session).json["name"] == "FIXTURE"


def test_the_default_session_is_the_one_without_the_header(client):
    create(client, "501")
    assert show(client, "501").status_code == 200
    assert show(client, "501", "default").status_code == 200
    assert show(client, "501", "carol").status_code == 404


def test_active_scenario_is_per_session(client):
    client.put("/__sandbox/scenarios/active", json={"name": "session-down"},
               headers={"X-Sandbox-Session": "alice"})
    assert show(client, "9046", "alice").status_code == 503
    assert show(client, "9046", "bob").status_code == 200
    assert show(client, "9046").status_code == 200
    listed = client.get("/__sandbox/scenarios", headers={"X-Sandbox-Session": "alice"}).json
    assert listed["active"] == "session-down"
    assert client.get("/__sandbox/scenarios").json["active"] is None


def test_journal_is_per_session(client):
    show(client, "1", "alice")
    show(client, "2", "bob")
    show(client, "3", "bob")
    alice = client.get("/__sandbox/requests", headers={"X-Sandbox-Session": "alice"}).json
    bob = client.get("/__sandbox/requests", headers={"X-Sandbox-Session": "bob"}).json
    assert [e["path"] for e in alice["requests"]] == ["/test/core/1"]
    assert [e["path"] for e in bob["requests"]] == ["/test/core/3", "/test/core/2"]
    assert client.get("/__sandbox/requests").json["requests"] == []


def test_reset_with_the_header_resets_that_session_only(client):
    create(client, "600", "alice")
    create(client, "601", "bob")
    for session in ("alice", "bob"):
        client.put("/__sandbox/scenarios/active", json={"name": "session-down"},
                   headers={"X-Sandbox-Session": session})
    reset = client.post("/__sandbox/reset", headers={"X-Sandbox-Session": "alice"})
    assert reset.json == {"reset": True, "session": "alice"}
    alice = {"X-Sandbox-Session": "alice"}
    assert client.get("/__sandbox/scenarios/active", headers=alice).json["active"] is None
    assert client.get("/__sandbox/requests", headers=alice).json["requests"] == []
    assert show(client, "600", "alice").status_code == 404          # state gone
    assert show(client, "9046", "alice").json["name"] == "FIXTURE"  # fixtures back
    # Bob is untouched: his record, his active scenario, his journal.
    bob = {"X-Sandbox-Session": "bob"}
    assert client.get("/__sandbox/scenarios/active", headers=bob).json["active"] == "session-down"
    assert len(client.get("/__sandbox/requests", headers=bob).json["requests"]) == 1
    client.delete("/__sandbox/scenarios/active", headers=bob)
    assert show(client, "601", "bob").status_code == 200


@pytest.mark.xdist_group("timing")
def test_sessions_stay_isolated_under_concurrent_requests(app):
    sessions = [f"s{i}" for i in range(8)]
    per_session = 15

    def work(session):
        http = requests.Session()
        # Half the sessions run on waitress's workers (a zero delay), racing the event loop.
        http.headers.update({"X-Sandbox-Delay": "0"} if sessions.index(session) % 2 else {})
        seen = []
        for n in range(per_session):
            number = f"{session}-{n}"
            created = http.post(f"{server.url}/test/core", json={"number": number},
                                headers=headers(session), timeout=10)
            assert created.status_code == 201
            seen.append(http.get(f"{server.url}/test/core/{number}", headers=headers(session),
                                 timeout=10).status_code)
            # Another session's record is never visible.
            other = sessions[(sessions.index(session) + 1) % len(sessions)]
            seen.append(http.get(f"{server.url}/test/core/{other}-{n}", headers=headers(session),
                                 timeout=10).status_code)
        return seen

    with LiveServer(app) as server, ThreadPoolExecutor(len(sessions)) as pool:
        results = dict(zip(sessions, pool.map(work, sessions)))
        for session, seen in results.items():
            assert seen[0::2] == [200] * per_session, session
            assert seen[1::2] == [404] * per_session, session
            journal = requests.get(f"{server.url}/__sandbox/requests", timeout=10,
                                   headers={"X-Sandbox-Session": session}).json()["requests"]
            assert len(journal) == per_session * 3
            assert all(f"/{session}-" in e["path"] or e["path"] == "/test/core"
                       or e["status"] == 404 for e in journal)


def test_an_active_scenario_survives_a_restart_with_a_state_file_and_ends_at_reset(tmp_path):
    state = str(tmp_path / "state.db")
    demo = {"X-Sandbox-Session": "demo"}
    member = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}

    def lookup(server, headers):
        return requests.post(server.url + "/cliente", json=member, headers=headers, timeout=30)

    with ServerProcess("--state", state, "--quiet") as server:
        put = requests.put(server.url + "/__sandbox/scenarios/active", headers=demo, timeout=30,
                           json={"name": "cliente-bad-request-example"})
        assert put.status_code == 200
        server.stop()
    with ServerProcess("--state", state, "--quiet") as server:
        assert lookup(server, demo).status_code == 400
        assert lookup(server, {}).status_code == 200  # the default session has none
        requests.post(server.url + "/__sandbox/reset", headers=demo, timeout=30)
        assert lookup(server, demo).status_code == 200
        server.stop()
    with ServerProcess("--state", state, "--quiet") as server:
        assert lookup(server, demo).status_code == 200
