"""Scenarios with `sequence:`: one step per request of the session, `then:`, per-session
positions kept in the store, started over by activation and reset, advanced by
X-Sandbox-Scenario too, shown by GET /__sandbox/scenarios/active; what `sandbox check` refuses."""
import threading
import time

import pytest
import requests

from sandbox import create_app
from sandbox.scenarios.loader import load_folders
from sandbox.scenarios.engine import route_catalogs
from tests.bcs_profile_support import BASE, JSON_HEADERS
from tests.conftest import CORE_AUTH, LiveServer, make_config, seed_example
from tests.core_support import new_client
from tests.scenario_kit import write
from tests.test_bcs_create import new_customer

CREATE = BASE + "/customer-account-management/v1/customer"
STORIES = """
scenarios:
  - name: three-then-last
    description: Three answers, then the last again
    routes: [cliente]
    sequence:
      - {status: 501, message: one}
      - {status: 502, message: two}
      - {status: 503, message: three}
  - name: slow-first
    description: A slow failure, then a quick one
    routes: [cliente]
    sequence:
      - {status: 503, message: slow, delay_ms: 300}
      - {status: 504, message: quick}
    then: route
  - name: ten-steps
    description: Ten distinct answers, then the route
    routes: [cliente]
    sequence: [{status: 510, message: s}, {status: 511, message: s}, {status: 512, message: s},
               {status: 513, message: s}, {status: 514, message: s}, {status: 515, message: s},
               {status: 516, message: s}, {status: 517, message: s}, {status: 518, message: s},
               {status: 519, message: s}]
    then: route
"""


@pytest.fixture
def app(tmp_path):
    write(tmp_path, "stories.yaml", STORIES)
    return create_app(make_config(scenarios=(str(tmp_path),)))


@pytest.fixture
def client(app):
    return app.test_client()


def session(name):
    return {"X-Sandbox-Session": name}


def activate(client, name, who="qa"):
    put = client.put("/__sandbox/scenarios/active", json={"name": name}, headers=session(who))
    assert put.status_code == 200, put.json


def step(client, who="qa"):
    active = client.get("/__sandbox/scenarios/active", headers=session(who)).json
    assert set(active) == {"session", "active", "step"}
    return active["step"]


def cliente(client, who="qa", **headers):
    return client.post("/cliente", json=seed_example("003_cliente_request"),
                       headers={**session(who), **headers})


def test_create_fails_twice_then_succeeds(client):
    activate(client, "create-fails-twice-then-succeeds")
    answers = []
    for n in range(4):
        assert step(client) == min(n, 3)
        answers.append(client.post(CREATE, json=new_customer(f"10123456{n:02d}"),
                                   headers={**JSON_HEADERS, **session("qa")}))
    assert [a.status_code for a in answers[:2]] == [500, 500]
    assert all(a.json["responseDetail"]["errorCode"] == "500" for a in answers[:2])
    assert [a.headers["X-Sandbox-Answered-By"] for a in answers] == [
        "scenario:create-fails-twice-then-succeeds"] * 2 + ["route"] * 2
    assert all(a.status_code < 300 for a in answers[2:]), answers[2].json
    assert step(client) == 3  # past the last step, `then: route`: the route answers


def test_core_flaky_cycles(client):
    activate(client, "core-flaky")
    seen = []
    for n in range(5):
        assert step(client) == n % 2
        response = client.post("/core_customer", json=new_client(document_number=f"7770{n}"),
                               headers={**CORE_AUTH, **session("qa")})
        seen.append((response.status_code, response.headers["X-Sandbox-Answered-By"]))
    flaky = (503, "scenario:core-flaky")
    assert seen == [flaky, (201, "route"), flaky, (201, "route"), flaky]
    activate(client, "core-flaky", "other")
    assert "no disponible" in client.post("/core_customer", json={}, headers={
        **CORE_AUTH, **session("other")}).json["message"]  # another session starts at step 0


def test_repeat_last_is_the_default_and_positions_are_per_session(client):
    activate(client, "three-then-last", "a")
    activate(client, "three-then-last", "b")
    assert [cliente(client, "a").status_code for _ in range(5)] == [501, 502, 503, 503, 503]
    assert step(client, "a") == 2
    assert step(client, "b") == 0
    assert cliente(client, "b").status_code == 501


def test_activation_and_reset_start_over(client):
    activate(client, "three-then-last")
    cliente(client), cliente(client)
    assert step(client) == 2
    activate(client, "three-then-last")
    assert step(client) == 0
    assert cliente(client).status_code == 501
    assert client.post("/__sandbox/reset", headers=session("qa")).status_code == 200
    assert step(client) is None  # the reset dropped the active scenario too
    activate(client, "three-then-last")
    assert cliente(client).status_code == 501


def test_the_scenario_header_advances_the_same_position(client):
    named = {"X-Sandbox-Scenario": "three-then-last"}
    assert [cliente(client, **named).status_code for _ in range(2)] == [501, 502]
    assert cliente(client).status_code == 200  # not active: the route
    client.put("/__sandbox/scenarios/active", json={"name": "core-flaky"}, headers=session("qa"))
    assert cliente(client, **named).status_code == 503
    # A sequence's `route` step named by the header is the route's own answer, even with
    # chaos or an active scenario later in the order of choice.
    activate(client, "three-then-last")
    for _ in range(10):
        cliente(client, **{"X-Sandbox-Scenario": "ten-steps"})
    routed = cliente(client, **{"X-Sandbox-Scenario": "ten-steps"})
    assert routed.status_code == 200 and routed.headers["X-Sandbox-Answered-By"] == "route"
    assert step(client) == 0  # the active scenario was not asked


def test_a_scenario_without_a_sequence_has_no_step(client):
    assert step(client) is None
    activate(client, "core-internal-error")
    assert step(client) is None


def test_a_delayed_step_is_taken_once_and_steps_are_atomic(app):
    """Over the real server a delay parks the request and runs it again when due: that run
    takes the step already taken. Concurrent requests of one session each take their own."""
    with LiveServer(app) as server:
        headers = session("live")
        requests.put(f"{server.url}/__sandbox/scenarios/active", json={"name": "slow-first"},
                     headers=headers, timeout=5)
        body = seed_example("003_cliente_request")
        started = time.perf_counter()
        first = requests.post(f"{server.url}/cliente", json=body, headers=headers, timeout=5)
        assert first.status_code == 503 and time.perf_counter() - started >= 0.3
        assert requests.post(f"{server.url}/cliente", json=body, headers=headers,
                             timeout=5).status_code == 504
        assert requests.post(f"{server.url}/cliente", json=body, headers=headers,
                             timeout=5).status_code == 200

        requests.put(f"{server.url}/__sandbox/scenarios/active", json={"name": "ten-steps"},
                     headers=headers, timeout=5)
        statuses, threads = [], []
        for _ in range(10):
            thread = threading.Thread(target=lambda: statuses.append(requests.post(
                f"{server.url}/cliente", json=body, headers=headers, timeout=10).status_code))
            threads.append(thread)
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == list(range(510, 520))


def test_positions_survive_a_restart_on_sqlite(tmp_path):
    write(tmp_path / "folder", "stories.yaml", STORIES)
    config = make_config(scenarios=(str(tmp_path / "folder"),), state=str(tmp_path / "s.db"))
    client = create_app(config).test_client()
    activate(client, "three-then-last")
    cliente(client)
    restarted = create_app(config).test_client()
    assert step(restarted) == 1
    assert cliente(restarted).status_code == 502


BROKEN = """
scenarios:
  - name: empty
    description: no steps
    routes: [cliente]
    sequence: []
  - name: bad-step
    description: a step the loader cannot render
    routes: [create_customer]
    sequence:
      - route
      - {error: "00000000"}
  - name: odd-step
    description: a step that is neither
    routes: [cliente]
    sequence: [again]
  - name: bad-then
    description: unknown then
    routes: [cliente]
    sequence: [route]
    then: stop
  - name: both
    description: response and sequence
    routes: [cliente]
    response: {status: 200}
    sequence: [route]
  - name: stray-then
    description: then without a sequence
    routes: [cliente]
    response: {status: 200}
    then: cycle
"""


def test_check_refuses_broken_sequences(tmp_path, app):
    write(tmp_path / "broken", "broken.yaml", BROKEN)
    _, faults = load_folders([tmp_path / "broken"], route_catalogs(app.extensions["sandbox"]))
    text = "\n".join(map(str, faults))
    assert "broken.yaml:6: scenario 'empty': `sequence` must be a non-empty list" in text
    assert "scenario 'bad-step': sequence[1]: Unknown BCS error code '00000000'" in text
    assert "scenario 'odd-step': sequence[0] must be a response mapping or `route`" in text
    assert "scenario 'bad-then': unknown `then` 'stop' (use repeat_last, cycle, route)" in text
    assert "scenario 'both': a scenario has `response` or `sequence`, not both" in text
    assert "scenario 'stray-then': `then` says what follows a `sequence`" in text
    assert len(faults) == 6, text


def test_the_listing_describes_each_step(client):
    listed = {s["name"]: s for s in client.get("/__sandbox/scenarios").json["scenarios"]}
    story = listed["create-fails-twice-then-succeeds"]
    assert story["status"] == 500 and story["then"] == "route"
    assert [s["answers"] for s in story["sequence"]] == [
        "BCS error 500", "BCS error 500", "the route's own answer"]
