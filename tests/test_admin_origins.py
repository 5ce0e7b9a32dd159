"""The admin API and web pages: a page of another origin open in a developer's browser can
neither change their state (reset, activate a scenario) nor read their journal; the console's own
origin and the configured ones can; clients that are not browsers (curl, test suites) are not
refused."""
from __future__ import annotations

import pytest

from sandbox import create_app
from tests.conftest import CORE_AUTH, make_config

FOREIGN = {"Origin": "http://evil.example"}


@pytest.fixture
def client():
    return create_app(make_config()).test_client()


def activate(client, **headers):
    return client.put("/__sandbox/scenarios/active", json={"name": "core-customer-rejected"},
                      headers=headers)


def test_a_foreign_page_cannot_reset_or_activate(client):
    assert activate(client).status_code == 200
    refused = client.post("/__sandbox/reset", headers=FOREIGN)
    assert refused.status_code == 403 and "--admin-origins" in refused.json["message"]
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert client.get("/__sandbox/scenarios/active").json["active"] == "core-customer-rejected"
    assert activate(client, **FOREIGN).status_code == 403
    assert client.delete("/__sandbox/scenarios/active", headers=FOREIGN).status_code == 403
    # A browser that sends no Origin still says where the page came from.
    assert client.post("/__sandbox/reset", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403


def test_a_foreign_page_cannot_read_the_journal_or_preflight_the_admin_api(client):
    client.post("/core_customer", json={}, headers=CORE_AUTH)
    read = client.get("/__sandbox/requests", headers=FOREIGN)
    assert "Access-Control-Allow-Origin" not in read.headers  # the browser hides the body
    preflight = client.options("/__sandbox/reset", headers={
        **FOREIGN, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Methods" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_the_consoles_own_origin_and_clients_without_one_may(client):
    own = {"Origin": "http://localhost", "Host": "localhost"}
    assert client.post("/__sandbox/reset", headers=own).status_code == 200
    assert client.post("/__sandbox/reset").status_code == 200  # curl, a test suite
    assert client.get("/__sandbox/requests", headers=own).headers[
        "Access-Control-Allow-Origin"] == "http://localhost"


def test_a_configured_origin_may():
    client = create_app(make_config(admin_origins="http://qa.example, http://localhost:3000"))\
        .test_client()
    allowed = {"Origin": "http://localhost:3000"}
    assert client.post("/__sandbox/reset", headers=allowed).status_code == 200
    preflight = client.options("/__sandbox/reset", headers={
        **allowed, "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.post("/__sandbox/reset", headers=FOREIGN).status_code == 403


def test_the_upstream_routes_and_health_stay_open_to_every_origin(client):
    assert client.post("/cliente", json={}, headers=FOREIGN).headers[
        "Access-Control-Allow-Origin"] == "*"
    assert client.get("/__sandbox/health", headers=FOREIGN).headers[
        "Access-Control-Allow-Origin"] == "*"
    assert client.get("/__sandbox/openapi.json", headers=FOREIGN).status_code == 200
