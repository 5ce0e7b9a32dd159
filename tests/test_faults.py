"""Wire faults on a real waitress server: what a client sees is what a broken upstream sends."""
import json
import threading
import time

import pytest
import requests

from tests.conftest import CORE_AUTH, LiveServer
from tests.scenario_kit import build_app, write

SCENARIOS = """
scenarios:
  - name: fault-empty
    description: Status and no body
    routes: [test_core_show]
    response: {status: 200, body: {message: ignored}, fault: empty_body}
  - name: fault-malformed
    description: JSON content type, not JSON
    routes: [test_core_show]
    response: {status: 200, body: {responseType: {value: OK}, n: 1}, fault: malformed_json}
  - name: fault-truncated
    description: Content-Length larger than what is sent
    routes: [test_core_show]
    response: {status: 200, body: {responseType: {value: OK}, filler: "0123456789"}, fault: truncated_body}
  - name: slow
    description: Slow answer
    routes: [test_core_show]
    response: {status: 200, body: {ok: true}, delay_ms: 300}
"""


@pytest.fixture
def server(monkeypatch, tmp_path):
    write(tmp_path, "faults.yaml", SCENARIOS)
    with LiveServer(build_app(monkeypatch, tmp_path)) as live:
        yield live


def get(server, scenario, **headers):
    return requests.get(f"{server.url}/test/core/9046", timeout=10,
                        headers={**CORE_AUTH, "X-Sandbox-Scenario": scenario, **headers})


def test_empty_body_answers_the_status_and_no_body(server):
    response = get(server, "fault-empty")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"


def test_malformed_json_has_a_json_content_type_and_does_not_parse(server):
    response = get(server, "fault-malformed")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.content
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_truncated_body_ends_in_an_incomplete_read(server):
    with pytest.raises(requests.exceptions.ChunkedEncodingError) as failure:
        get(server, "fault-truncated")
    assert "IncompleteRead" in repr(failure.value) or "incomplete" in repr(failure.value).lower()


def test_the_server_keeps_serving_after_a_truncated_body(server):
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(server, "fault-truncated")
    assert get(server, "slow").json() == {"ok": True}


def test_scenario_delay_and_delay_header_hold_the_answer(server):
    response = get(server, "slow", **{"X-Sandbox-Delay": "200"})
    assert response.status_code == 200
    # Both waits happen on the server: the answer cannot come sooner than their sum.
    assert response.elapsed.total_seconds() >= 0.5


@pytest.mark.xdist_group("timing")
def test_an_active_slow_scenario_holds_its_own_session_only(server):
    session = {"X-Sandbox-Session": "slow-demo"}
    put = requests.put(f"{server.url}/__sandbox/scenarios/active", json={"name": "slow"},
                       headers=session, timeout=10)
    assert put.status_code == 200, put.text
    url = f"{server.url}/test/core/9046"
    # 0.3 s of scenario plus 1.5 s of header: a plain request stuck behind it would show.
    slow = threading.Thread(target=requests.get, args=(url,), kwargs={
        "headers": {**CORE_AUTH, **session, "X-Sandbox-Delay": "1500"}, "timeout": 10})
    slow.start()
    time.sleep(0.1)
    began = time.monotonic()
    plain = requests.get(url, headers=CORE_AUTH, timeout=10)
    assert plain.status_code == 200 and time.monotonic() - began < 1.0
    slow.join()
    timed = requests.get(url, headers={**CORE_AUTH, **session}, timeout=10)
    assert timed.json() == {"ok": True} and timed.elapsed.total_seconds() >= 0.3
