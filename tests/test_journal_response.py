"""Each journal entry holds the answer the client got: status, headers, body (JSON where it
parses, else text, cut at 64 KiB), secrets masked; delayed answers and wire faults as they were
actually sent, over a real socket."""
import json

import pytest
import requests

from sandbox.journal import Journal
from tests.conftest import BCS_HEADERS, CORE_AUTH, LiveServer
from tests.scenario_kit import build_app, write

BASIC_DATA = "/api/customersManagement/v1/customerAccountManagement/v1/BasicData"
SCENARIOS = """
scenarios:
  - name: with-secrets
    description: a session cookie and a token in the answer
    routes: [test_core_show]
    response:
      status: 200
      headers: {Set-Cookie: "sid=s3cr3t-cookie", X-Upstream: kept}
      body: {access_token: s3cr3t-token, name: ANA}
  - name: html-page
    description: a proxy's error page
    routes: [test_core_show]
    response:
      status: 502
      headers: {Content-Type: text/html}
      body_template: "<html>bad gateway password=s3cr3t-html</html>"
  - name: big
    description: an answer over 64 KiB
    routes: [test_core_show]
    response:
      status: 200
      body_template: '{"filler": "{{ "x" * 100000 }}"}'
  - name: fault-empty
    description: no body
    routes: [test_core_show]
    response: {status: 200, body: {ignored: true}, fault: empty_body}
  - name: fault-truncated
    description: half the body
    routes: [test_core_show]
    response: {status: 200, body: {responseType: {value: OK}, filler: "0123456789"}, fault: truncated_body}
  - name: slow
    description: a delayed answer
    routes: [test_core_show]
    response: {status: 201, body: {late: true}, delay_ms: 200}
"""


@pytest.fixture
def app(monkeypatch, tmp_path):
    write(tmp_path, "answers.yaml", SCENARIOS)
    return build_app(monkeypatch, tmp_path)


def newest(client):
    return client.get("/__sandbox/requests?limit=1").json["requests"][0]


def show(client, scenario):
    return client.get("/test/core/9046", headers={**CORE_AUTH, "X-Sandbox-Scenario": scenario})


def test_a_route_answer_is_journaled_as_the_client_got_it(client):
    response = client.get(BASIC_DATA + "?mnemonic=CC1234567890", headers=BCS_HEADERS)
    sent = newest(client)["response"]
    assert sent["status"] == response.status_code == 200
    assert sent["body"] == response.json
    assert sent["headers"]["Content-Type"] == response.headers["Content-Type"]
    assert sent["headers"]["X-Request-Id"] == response.headers["X-Request-Id"]
    assert sent["headers"]["X-Sandbox-Answered-By"] == "route"
    assert sent["headers"]["Content-Length"] == str(len(response.data))


def test_an_error_answer_is_journaled_in_its_envelope(client):
    response = client.get(BASIC_DATA + "?mnemonic=CC1", headers={"X-Sandbox-Error": "50628",
                                                                  **BCS_HEADERS})
    entry = newest(client)
    assert entry["response"]["body"] == response.json
    assert entry["response"]["body"]["responseDetail"]["errorCode"] == "50628"


def test_secrets_in_the_answer_are_masked(client):
    response = show(client, "with-secrets")
    assert response.json["access_token"] == "s3cr3t-token"   # the client gets it...
    entry = newest(client)
    assert "s3cr3t" not in json.dumps(entry)                   # ...the journal never shows it
    assert entry["response"]["headers"]["Set-Cookie"] == "****"
    assert entry["response"]["headers"]["X-Upstream"] == "kept"
    assert entry["response"]["body"] == {"access_token": "****", "name": "ANA"}


def test_a_body_that_is_not_json_is_kept_as_text_masked(client):
    show(client, "html-page")
    body = newest(client)["response"]["body"]
    assert body.startswith("<html>bad gateway") and "s3cr3t" not in body and "****" in body


def test_a_long_answer_is_cut_at_64_kib_and_says_so(client):
    full = show(client, "big").data
    sent = newest(client)["response"]
    assert isinstance(sent["body"], str) and len(sent["body"]) == 64 * 1024
    assert full.startswith(sent["body"].encode())
    assert sent["body_truncated"] is True and sent["body_size"] == len(full) > 100_000


def test_a_head_request_is_journaled_without_a_body(client):
    client.head(BASIC_DATA + "?mnemonic=CC1234567890", headers=BCS_HEADERS)
    assert newest(client)["response"]["body"] is None


def test_the_answer_counts_against_the_journal_budget(app):
    client = app.test_client()
    journal = app.extensions["sandbox"].journal
    before = journal.bytes
    show(client, "big")
    assert journal.bytes - before >= 64 * 1024  # the 64 KiB kept of the answer, at least
    raw = {"request_id": "x", "time": 0.0, "method": "GET", "path": "/p", "query": "",
           "headers": [], "body": None, "status": 200, "answered_by": "route", "duration_ms": 1.0,
           "response": ([], b"x" * 60_000, 60_000)}
    small = Journal(size=1000, sessions=1000, max_bytes=200_000)
    for n in range(10):
        small.record(f"s{n}", dict(raw))
    assert small.bytes <= 200_000 and small.entries("s0") == [] and small.entries("s9")


# -- over a real socket: what waitress actually sent ------------------------------------------
@pytest.fixture
def server(app):
    with LiveServer(app) as live:
        yield live


def live_get(server, scenario):
    return requests.get(f"{server.url}/test/core/9046", timeout=10,
                        headers={**CORE_AUTH, "X-Sandbox-Scenario": scenario})


def live_newest(server):
    return requests.get(f"{server.url}/__sandbox/requests?limit=1", timeout=10).json()["requests"][0]


def test_a_delayed_answer_is_journaled_once_with_what_was_sent(server):
    response = live_get(server, "slow")
    entries = requests.get(f"{server.url}/__sandbox/requests", timeout=10).json()["requests"]
    [entry] = entries  # the parked run is not journaled, the answered one is
    assert entry["duration_ms"] >= 200
    assert entry["response"]["status"] == response.status_code == 201
    assert entry["response"]["body"] == response.json() == {"late": True}


def test_an_empty_body_fault_is_journaled_empty(server):
    response = live_get(server, "fault-empty")
    sent = live_newest(server)["response"]
    assert response.content == b"" and sent["body"] is None
    assert sent["headers"]["Content-Length"] == "0"


def test_a_truncated_body_fault_is_journaled_as_the_half_sent(server):
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        live_get(server, "fault-truncated")
    sent = live_newest(server)["response"]
    full = json.dumps({"responseType": {"value": "OK"}, "filler": "0123456789"},
                      separators=(",", ":"))
    assert sent["headers"]["Content-Length"] == str(len(full))  # what it announced...
    assert sent["body"] == full[: len(full) // 2]                # ...and the half it sent
