"""--admin-token: the admin API asks for it; health, metrics, the console page and the upstream
routes do not."""
import json
import socket

import pytest

from sandbox import create_app
from sandbox.admin.token import is_loopback, warn_if_exposed
from sandbox.config import HIDDEN, Config
from tests.conftest import BCS_HEADERS, CORE_AUTH, ServerProcess, make_config

TOKEN = "t0ken-of-the-team"
BASIC_V4 = ("/api/customersManagement/v1/customerAccountManagement/v4/basicData"
            "?govIssueIdentType=CC&identSerialNum=1234567890")
PROTECTED = [("GET", "/__sandbox/requests"), ("GET", "/__sandbox/scenarios"),
             ("GET", "/__sandbox/scenarios/active"), ("PUT", "/__sandbox/scenarios/active"),
             ("DELETE", "/__sandbox/scenarios/active"), ("GET", "/__sandbox/fixtures"),
             ("POST", "/__sandbox/reset"), ("DELETE", "/__sandbox/requests"),
             ("GET", "/__sandbox/errors"), ("GET", "/__sandbox/openapi.json"),
             ("GET", "/__sandbox/nope")]


@pytest.fixture
def guarded():
    return create_app(make_config(admin_token=TOKEN)).test_client()


@pytest.mark.parametrize("method,path", PROTECTED)
def test_every_admin_route_refuses_a_request_without_the_token(guarded, method, path):
    response = guarded.open(path, method=method, json={"name": "x"})
    assert response.status_code == 401
    assert list(response.json) == ["message"]
    assert "Authorization: Bearer <token>" in response.json["message"]
    assert "X-Sandbox-Admin-Token" in response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("headers", [{"Authorization": f"Bearer {TOKEN}"},
                                     {"Authorization": f"bearer {TOKEN}"},
                                     {"X-Sandbox-Admin-Token": TOKEN}])
def test_either_header_with_the_token_opens_it(guarded, headers):
    assert guarded.get("/__sandbox/requests", headers=headers).status_code == 200
    reset = guarded.post("/__sandbox/reset", headers=headers)
    assert reset.status_code == 200 and reset.json["reset"] is True


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer wrong"},
                                     {"X-Sandbox-Admin-Token": TOKEN + "x"},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_a_wrong_token_is_refused(guarded, headers):
    response = guarded.post("/__sandbox/reset", headers=headers)
    assert response.status_code == 401
    assert TOKEN not in json.dumps(response.json)


def test_health_metrics_and_the_console_page_stay_open(guarded):
    assert guarded.get("/__sandbox/health").status_code == 200
    assert guarded.get("/__sandbox/metrics").status_code == 200
    page = guarded.get("/__sandbox/")
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert TOKEN not in page.get_data(as_text=True)


def test_upstream_routes_never_ask_for_it(guarded):
    # BCS's own Authorization: Bearer is its credential, not the admin token.
    bcs = guarded.get(BASIC_V4, headers={"client_id": "sandbox-client",
                                         "client_secret": "sandbox-secret",
                                         "Authorization": "Bearer anything"})
    assert bcs.status_code == 200
    assert guarded.get(BASIC_V4, headers=BCS_HEADERS).status_code == 200
    assert guarded.post("/core_customer", json={}, headers=CORE_AUTH).status_code == 400


def test_without_a_token_the_admin_api_is_open(client):
    assert client.post("/__sandbox/reset").status_code == 200
    assert client.get("/__sandbox/requests").status_code == 200


def test_a_preflight_is_not_asked_for_it(guarded):
    response = guarded.options("/__sandbox/requests", headers={
        "Origin": "http://localhost", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-Sandbox-Admin-Token"})
    assert response.status_code != 401


def test_the_token_is_a_secret_never_shown():
    config = Config(admin_token=TOKEN).completed(())
    assert config.shown("admin_token") == HIDDEN
    assert Config().completed(()).shown("admin_token") == ""
    assert "admin_token" in Config.from_env({"SANDBOX_ADMIN_TOKEN": TOKEN}).completed(
        ()).configured_secrets


def test_the_token_sent_to_an_upstream_route_is_masked_in_the_journal(client):
    client.post("/cliente", json={}, headers={"X-Sandbox-Admin-Token": TOKEN})
    entry = client.get("/__sandbox/requests").json["requests"][0]
    assert TOKEN not in json.dumps(entry)


def test_a_real_server_asks_for_it_and_never_prints_it():
    import requests
    with ServerProcess("--admin-token", TOKEN) as server:
        assert requests.get(server.url + "/__sandbox/requests", timeout=5).status_code == 401
        assert requests.get(server.url + "/__sandbox/requests", timeout=5, headers={
            "Authorization": f"Bearer {TOKEN}"}).status_code == 200
        output = server.stop()
    assert "sandbox serving on" in output and TOKEN not in output
    assert "admin_unprotected" not in output  # loopback: no warning


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("::1", True),
                                           ("localhost", True), ("127.0.0.2", True),
                                           ("0.0.0.0", False), ("::", False),
                                           ("10.1.2.3", False), ("[::1]", True)])
def test_which_addresses_are_this_machines_own(host, loopback):
    assert is_loopback(host) is loopback


def test_an_address_beyond_loopback_without_a_token_warns_once(capsys):
    assert warn_if_exposed(Config(host="0.0.0.0", port=9000)) is True
    line = json.loads(capsys.readouterr().out.strip())
    assert line["level"] == "warning" and line["event"] == "admin_unprotected"
    assert "anyone who can reach port 9000 can reset or change any session" in line["message"]
    assert warn_if_exposed(Config(host="0.0.0.0", admin_token=TOKEN)) is False
    assert warn_if_exposed(Config(host="127.0.0.1")) is False
    assert capsys.readouterr().out == ""


def test_an_unresolvable_host_counts_as_exposed(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")
    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert is_loopback("sandbox.internal") is False
