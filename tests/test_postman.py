"""GET /__sandbox/postman.json: a Postman collection (v2.1) that newman runs green against a
fresh sandbox, every request with its seed example and a test on its success status."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from sandbox.app import build_app
from tests.conftest import LiveServer, make_config

NEWMAN = shutil.which("newman")
SANDBOX_HEADERS = {"X-Sandbox-Session", "X-Sandbox-Scenario", "X-Sandbox-Delay"}


@pytest.fixture
def collection(client):
    response = client.get("/__sandbox/postman.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def requests_of(collection):
    return [item for folder in collection["item"] for item in folder["item"]]


def test_every_route_is_a_request_with_its_example(collection, sandbox):
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    items = requests_of(collection)
    assert len(items) == len(sandbox.operations) == 16
    by_name = {item["name"].partition(":")[0]: item for item in items}
    assert set(by_name) == set(sandbox.operations)
    for name, op in sandbox.operations.items():
        request = by_name[name]["request"]
        assert request["method"] == op.method
        assert request["url"]["raw"].startswith("{{baseUrl}}/")
        if "request_example" in op.meta:
            assert json.loads(request["body"]["raw"]) == op.meta["request_example"]
    v4 = by_name["basic_data_v4"]["request"]["url"]
    assert {q["key"]: q["value"] for q in v4["query"]} == {"govIssueIdentType": "CC",
                                                           "identSerialNum": "1234567890"}
    remittances = by_name["remittances_basic_data"]["request"]["url"]["raw"]
    assert remittances.endswith("/remittances/basic-data/1234567890?govIssueIdentType=CC")


def test_credentials_are_collection_variables_and_sandbox_headers_documented(collection):
    variables = {v["key"]: v["value"] for v in collection["variable"]}
    assert variables["bcsClientId"] == "sandbox-client"
    assert variables["bcsClientSecret"] == "sandbox-secret"
    assert variables["baseUrl"].startswith("http://127.0.0.1:")
    create = next(item for item in requests_of(collection)
                  if item["name"].startswith("create_customer"))
    headers = {h["key"]: h for h in create["request"]["header"]}
    assert headers["X-Security-ClientID"]["value"] == "{{bcsClientId}}"
    assert not headers["X-Security-ClientID"].get("disabled")
    for name in SANDBOX_HEADERS | {"X-Sandbox-Error"}:
        assert headers[name]["disabled"] is True and headers[name]["description"], name
    script = "\n".join(create["event"][0]["script"]["exec"])
    assert "pm.response.to.have.status(200)" in script
    core = next(item for item in requests_of(collection) if item["name"].startswith("core_customer"))
    assert "pm.response.to.have.status(201)" in "\n".join(core["event"][0]["script"]["exec"])
    assert "X-Sandbox-Error" not in {h["key"] for h in core["request"]["header"]}


def test_a_configured_secret_is_not_in_the_collection():
    client = build_app(make_config(bcs_client_secret="team-secret-42")).test_client()
    assert "team-secret-42" not in client.get("/__sandbox/postman.json").get_data(as_text=True)


@pytest.mark.xdist_group("timing")
def test_newman_runs_every_request_green_against_a_fresh_sandbox(tmp_path):
    if NEWMAN is None:
        if os.environ.get("CI") == "true":
            pytest.fail("newman is missing (.ci/run installs it: npm install -g newman)")
        pytest.skip("newman is not installed: npm install -g newman")
    with LiveServer(build_app(make_config())) as server:
        import requests
        path = tmp_path / "sandbox.postman_collection.json"
        path.write_text(requests.get(server.url + "/__sandbox/postman.json", timeout=10).text)
        report = tmp_path / "report.json"
        run = subprocess.run([NEWMAN, "run", str(path), "--env-var", f"baseUrl={server.url}",
                              "--reporters", "cli,json", "--reporter-json-export", str(report)],
                             capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    stats = json.loads(report.read_text())["run"]["stats"]
    assert stats["requests"] == {"total": 16, "pending": 0, "failed": 0}
    assert stats["assertions"] == {"total": 16, "pending": 0, "failed": 0}
