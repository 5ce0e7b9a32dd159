"""The request journal: newest first, bounded, every field, and no secret in it."""
import json

import pytest

import requests

from tests.conftest import BCS_HEADERS, CORE_AUTH, LiveServer
from tests.scenario_kit import build_app, write

SECRETS = ("sandbox:sandbox", "c2FuZGJveDpzYW5kYm94", "sandbox-secret", "token-123",
           "hunter2", "s3cr3t-query", "1234-pin")


def journal(client, **headers):
    return client.get("/__sandbox/requests", headers=headers).json["requests"]


def test_an_entry_has_every_field_and_names_what_answered(monkeypatch, tmp_path):
    write(tmp_path, "s.yaml", """
        scenarios:
          - name: journal-me
            description: answers
            routes: [test_core_show]
            response: {status: 202, body: {ok: true}}
        """)
    client = build_app(monkeypatch, tmp_path).test_client()
    client.get("/test/core/9046?x=1", headers={**CORE_AUTH, "X-Sandbox-Scenario": "journal-me"})
    [entry] = journal(client)
    assert set(entry) >= {"time", "method", "path", "query", "headers", "body", "status",
                          "answered_by", "duration_ms"}
    assert entry["method"] == "GET" and entry["path"] == "/test/core/9046"
    assert entry["query"] == {"x": "1"} and entry["status"] == 202
    assert entry["answered_by"] == "scenario:journal-me"
    assert entry["duration_ms"] >= 0 and entry["time"].endswith("Z")


def test_forced_errors_are_journaled_with_their_code(monkeypatch):
    client = build_app(monkeypatch).test_client()
    client.get("/test/bcs/1", headers={**BCS_HEADERS, "X-Sandbox-Error": "50628"})
    assert journal(client)[0]["answered_by"] == "error:50628"


def test_newest_first_and_bounded_by_journal_size(monkeypatch):
    client = build_app(monkeypatch, journal_size=3).test_client()
    for number in range(5):
        client.get(f"/test/core/{number}", headers=CORE_AUTH)
    paths = [entry["path"] for entry in journal(client)]
    assert paths == ["/test/core/4", "/test/core/3", "/test/core/2"]


def test_admin_requests_are_not_journaled_and_delete_clears(monkeypatch):
    client = build_app(monkeypatch).test_client()
    client.get("/test/core/1", headers=CORE_AUTH)
    client.get("/__sandbox/health")
    assert len(journal(client)) == 1
    assert client.delete("/__sandbox/requests").json["cleared"] is True
    assert journal(client) == []


def test_limit_returns_the_newest(monkeypatch):
    client = build_app(monkeypatch).test_client()
    for number in range(3):
        client.get(f"/test/core/{number}", headers=CORE_AUTH)
    limited = client.get("/__sandbox/requests?limit=1").json["requests"]
    assert [e["path"] for e in limited] == ["/test/core/2"]
    assert client.get("/__sandbox/requests?limit=x").status_code == 400


def _send_secrets(base, send):
    send("POST", f"{base}/test/core?client_secret=s3cr3t-query&token=s3cr3t-query",
         headers={**CORE_AUTH, **BCS_HEADERS, "client_id": "sandbox-client",
                  "client_secret": "sandbox-secret"},
         json={"number": "77", "password": "hunter2",
               "nested": [{"user_pin": "1234-pin", "Password": "hunter2"}]})


def _assert_masked(entries):
    text = json.dumps(entries)
    for secret in SECRETS:
        assert secret not in text, secret
    [entry] = entries
    headers = {name.lower(): value for name, value in entry["headers"].items()}
    for name in ("authorization", "x-security-clientsecret", "x-security-token", "client-secret"):
        assert headers[name] == "****", name
    assert headers["client-id"] == "sandbox-client"      # not a secret: kept
    assert entry["body"]["password"] == "****" and entry["body"]["number"] == "77"
    assert entry["query"]["client_secret"] == "****"


def test_secrets_are_masked_in_the_test_client(monkeypatch):
    client = build_app(monkeypatch).test_client()

    def send(method, url, headers, json):
        client.open(url, method=method, headers=headers, json=json)
    _send_secrets("", send)
    _assert_masked(journal(client))


def test_secrets_are_masked_over_a_real_socket(monkeypatch):
    with LiveServer(build_app(monkeypatch)) as server:
        def send(method, url, headers, json):
            requests.request(method, url, headers=headers, json=json, timeout=10)
        _send_secrets(server.url, send)
        _assert_masked(requests.get(server.url + "/__sandbox/requests", timeout=10)
                       .json()["requests"])


def test_the_number_of_sessions_kept_is_bounded_least_recently_written_first():
    from sandbox.journal import Journal
    journal = Journal(size=5, sessions=3)
    raw = {"request_id": "x", "time": 0.0, "method": "GET", "path": "/p", "query": "", "headers": [],
           "body": None, "status": 200, "answered_by": "route", "duration_ms": 1.0}
    for session in ("a", "b", "c"):
        journal.record(session, raw)
    journal.record("a", raw)        # "a" is now the most recently written
    journal.record("d", raw)        # a fourth session pushes out "b", the stalest
    assert [len(journal.entries(s)) for s in ("a", "b", "c", "d")] == [2, 0, 1, 1]


# -- every common secret name, in English and Spanish, wherever it travels -------------------------
SECRET_NAMES = ["password", "clave", "nip", "pwd", "apiKey", "cvv", "otp", "credential",
                "contrasena", "client_secret", "access_token", "userPin"]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_a_secret_named_body_field_is_masked(monkeypatch, name):
    client = build_app(monkeypatch).test_client()
    client.post("/test/core", json={"number": "5", name: "s3cr3t-value", "shipping": "kept"},
                headers=CORE_AUTH)
    [entry] = journal(client)
    assert entry["body"][name] == "****" and entry["body"]["shipping"] == "kept"
    assert "s3cr3t-value" not in json.dumps(entry)


@pytest.mark.parametrize("header", ["X-Api-Key", "X-Auth-Token", "X-Access-Token", "Api-Key"])
def test_a_secret_header_is_masked(monkeypatch, header):
    client = build_app(monkeypatch).test_client()
    client.get("/test/core/1", headers={**CORE_AUTH, header: "s3cr3t-value"})
    [entry] = journal(client)
    assert entry["headers"][header] == "****"
    assert entry["headers"]["Authorization"] == "****"


@pytest.mark.parametrize("content_type,body", [
    ("application/x-www-form-urlencoded", "user=ana&password=s3cr3t-value&clave=s3cr3t-value"),
    ("text/plain", "login user=ana pwd=s3cr3t-value"),
    ("application/json", '{"nip": "s3cr3t-value", "broken": '),
])
def test_a_body_that_is_not_json_keeps_its_text_with_its_secrets_masked(monkeypatch, content_type,
                                                                          body):
    client = build_app(monkeypatch).test_client()
    client.post("/test/core", data=body, content_type=content_type, headers=CORE_AUTH)
    [entry] = journal(client)
    assert isinstance(entry["body"], str)
    assert "s3cr3t-value" not in entry["body"] and "****" in entry["body"]


# -- bounded memory -------------------------------------------------------------------------------
def test_an_entry_keeps_at_most_64_kib_of_a_body_and_says_it_was_cut(client):
    from tests.conftest import CORE_AUTH
    body = b'{"numbers": [' + b",".join(b"1" for _ in range(200_000)) + b"]}"
    client.post("/core_customer", data=body, content_type="application/json", headers=CORE_AUTH)
    [entry] = client.get("/__sandbox/requests").json["requests"]
    assert isinstance(entry["body"], str) and len(entry["body"]) <= 64 * 1024
    assert entry["body_truncated"] is True and entry["body_size"] == len(body)


def test_the_journal_holds_at_most_its_memory_budget_oldest_sessions_first():
    from sandbox.journal import Journal
    journal = Journal(size=1000, sessions=1000, max_bytes=200_000)
    raw = {"request_id": "x", "time": 0.0, "method": "POST", "path": "/p", "query": "", "headers": [],
           "body": b"x" * 60_000, "status": 200, "answered_by": "route", "duration_ms": 1.0}
    for n in range(40):
        journal.record(f"s{n}", dict(raw))
    assert journal.bytes <= 200_000
    assert journal.entries("s0") == [] and len(journal.entries("s39")) == 1
    journal.clear("s39")
    assert journal.bytes <= 200_000 - 60_000


def test_forty_one_mib_bodies_do_not_grow_the_journal_past_its_budget(monkeypatch):
    from sandbox import create_app
    from tests.conftest import make_config
    client = create_app(make_config(journal_mib=1)).test_client()
    body = b"{}" + b" " * (1024 * 1024 - 10)
    for _ in range(40):
        client.post("/cliente", data=body, content_type="application/json")
    assert client.application.extensions["sandbox"].journal.bytes <= 1024 * 1024


def test_field_verdicts_are_kept_by_name_and_bounded():
    from sandbox.journal import VERDICTS_KEPT, Masks
    masks = Masks()
    names = [f"field{n}" for n in range(VERDICTS_KEPT + 5)] + ["userPassword", "shipping"]
    assert [masks.is_secret_field(name) for name in names][-2:] == [True, False]
    assert len(masks._verdicts) <= VERDICTS_KEPT
    assert masks.is_secret_field("userPassword") and not masks.is_secret_field("field3")
