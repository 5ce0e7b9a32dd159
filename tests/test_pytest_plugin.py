"""The pytest plugin (entry point pytest11 `sandbox`) and sandbox.testing.SandboxServer, run the
way a QA suite runs them: pytester writes a suite in a temporary folder and runs pytest on it in
a subprocess (its own rootdir and ini, no xdist of ours)."""
from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import requests

from sandbox.testing import SandboxRefused, SandboxServer

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
V4 = "/api/customersManagement/v1/customerAccountManagement/v4/basicData"
CUSTOMER = {"govIssueIdentType": "CC", "identSerialNum": "1234567890"}


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", *args,
                                         timeout=180)


def test_installing_the_package_registers_the_plugin():
    [plugin] = [e for e in entry_points(group="pytest11") if e.name == "sandbox"]
    assert plugin.value == "sandbox.pytest_plugin"


def test_the_qa_example_in_the_docs_runs_as_written(pytester):
    page = (ROOT / "docs" / "qa.md").read_text(encoding="utf-8")
    section = page.split("## The pytest plugin", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S)[1]
    pytester.makepyfile(test_onboarding=example)
    result = run(pytester)
    result.assert_outcomes(passed=example.count("\ndef test_"))


SUITE = '''
import json
import urllib.request

import pytest

from sandbox.testing import SandboxRefused

V4 = "/api/customersManagement/v1/customerAccountManagement/v4/basicData"


def call(url, headers, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={
        **headers, **({"Content-Type": "application/json"} if data else {})})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), json.loads(refused.read())


def test_every_family_gets_working_credentials(sandbox):
    product = {"product_code": "AH01", "customer_number": 1234, "open_date": "2021-01-02"}
    assert call(sandbox.url + "/core_product", sandbox.headers("core"), product)[0] == 201
    member = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
    assert call(sandbox.url + "/cliente", sandbox.headers("cooperative"), member)[0] == 200
    status, _, body = call(sandbox.url + V4 + "?govIssueIdentType=CC&identSerialNum=1234567890",
                           sandbox.headers("bcs"))
    assert status == 200, body
    # Without them, the routes refuse: the headers are what made it work.
    assert call(sandbox.url + "/core_product", {}, product)[0] == 401


def test_an_unknown_family_is_named(sandbox):
    with pytest.raises(KeyError, match="no family 'ledger'; families: core, cooperative, bcs"):
        sandbox.headers("ledger")


def test_force_error_answers_that_catalog_row(sandbox):
    status, headers, body = call(sandbox.url + V4 + "?govIssueIdentType=CC&identSerialNum=1",
                                 {**sandbox.headers("bcs"), **sandbox.force_error("50628")})
    assert body["responseDetail"]["errorCode"] == "50628"
    assert headers["X-Sandbox-Answered-By"] == "error:50628"


def test_a_story_is_active_for_its_session_only(sandbox, sandbox_server):
    sandbox.activate("core-internal-error")
    product = {"product_code": "AH01", "customer_number": 1234, "open_date": "2021-01-02"}
    assert call(sandbox.url + "/core_product", sandbox.headers("core"), product)[0] == 500
    other = sandbox_server.client()
    assert call(sandbox.url + "/core_product", other.headers("core"), product)[0] == 201
    sandbox.deactivate()
    assert call(sandbox.url + "/core_product", sandbox.headers("core"), product)[0] == 201


def test_sessions_are_fresh_so_this_test_sees_no_story_and_no_journal(sandbox):
    assert sandbox.requests() == []
    assert sandbox.call("GET", "/scenarios/active")["active"] is None


def test_the_journal_and_a_reset(sandbox):
    for n in ("1", "2", "3"):
        call(sandbox.url + V4 + "?govIssueIdentType=CC&identSerialNum=" + n,
             sandbox.headers("bcs"))
    newest = sandbox.requests(limit=2)
    assert [e["query"]["identSerialNum"] for e in newest] == ["3", "2"]
    sandbox.reset()
    assert sandbox.requests() == []


def test_a_refused_admin_call_says_why(sandbox):
    with pytest.raises(SandboxRefused, match="400: Unknown scenario 'no-such-story'"):
        sandbox.activate("no-such-story")


def test_the_ini_option_loads_our_scenarios(sandbox):
    sandbox.activate("qa-own-story")
    status, headers, body = call(sandbox.url + "/cliente", sandbox.headers("cooperative"),
                                 {"tipo_documento_id": 1, "numero_documento": 1})
    assert (status, body) == (418, {"from": "our folder"})
'''
OWN_STORY = '''
scenarios:
  - name: qa-own-story
    description: A QA team's own story, from the folder its ini file names
    routes: [cliente]
    response: {status: 418, body: {from: our folder}}
'''


def test_the_fixtures_in_a_suite_of_their_own(pytester):
    pytester.makepyfile(test_suite=SUITE)
    (pytester.path / "qa" / "scenarios").mkdir(parents=True)
    (pytester.path / "qa" / "scenarios" / "own.yaml").write_text(OWN_STORY, encoding="utf-8")
    pytester.makeini("[pytest]\nsandbox_scenarios =\n    qa/scenarios\n")
    result = run(pytester, "-v")
    result.assert_outcomes(passed=SUITE.count("\ndef test_"))


def test_one_server_serves_the_whole_session(pytester):
    pytester.makepyfile(test_once='''
URLS = set()

def test_one(sandbox_server, sandbox):
    URLS.add(sandbox_server.url)
    assert sandbox.url == sandbox_server.url

def test_two(sandbox_server, sandbox):
    URLS.add(sandbox_server.url)
    assert len(URLS) == 1
''')
    run(pytester).assert_outcomes(passed=2)


def test_the_server_as_a_context_manager_serves_then_stops():
    with SandboxServer(seed=7, journal_size=2) as server:
        assert requests.get(server.url + "/__sandbox/health", timeout=5).json()["status"] == "ok"
        assert server.sandbox.config.seed == 7
        client = server.client()
        for n in range(3):
            requests.get(server.url + V4, params={**CUSTOMER, "identSerialNum": str(n)},
                         headers=client.headers("bcs"), timeout=5)
        assert len(client.requests()) == 2  # journal_size=2: a setting by its name
        url = server.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/__sandbox/health", timeout=2)


def test_a_configured_secret_is_what_the_credentials_carry():
    with SandboxServer(bcs_client_secret="qa-secret", core_password="qa-pass") as server:
        client = server.client()
        assert client.headers("bcs")["X-Security-ClientSecret"] == "qa-secret"
        assert requests.get(server.url + V4, params=CUSTOMER, headers=client.headers("bcs"),
                            timeout=5).status_code == 200
        product = {"product_code": "AH01", "customer_number": 1234, "open_date": "2021-01-02"}
        assert requests.post(server.url + "/core_product", json=product,
                             headers=client.headers("core"), timeout=5).status_code == 201


def test_the_admin_call_error_carries_status_and_message():
    with SandboxServer() as server:
        with pytest.raises(SandboxRefused) as refused:
            server.client().call("PUT", "/scenarios/active", {"name": ""})
    assert refused.value.status == 400
    assert refused.value.message.startswith("name: required")


# Chaos (PUT /__sandbox/chaos) and the journal's filters and count, through the plugin's client.
def test_chaos_and_count_through_the_client():
    with SandboxServer(seed=42) as server:
        client = server.client()
        assert client.count() == 0
        client.chaos(1.0, routes=["basic_data_v4"], errors=["50628"])
        chosen = requests.get(server.url + V4, params=CUSTOMER, headers=client.headers("bcs"),
                              timeout=5)
        assert chosen.headers["X-Sandbox-Answered-By"] == "chaos:50628"
        assert chosen.json()["responseDetail"]["errorCode"] == "50628"
        assert client.count(operation="basic_data_v4", answered_by="chaos:50628") == 1
        assert client.requests(answered_by="chaos:50628")[0]["status"] == chosen.status_code
        assert client.call("GET", "/chaos")["chaos"]["rate"] == 1.0
        client.reset()  # a reset ends chaos
        calm = requests.get(server.url + V4, params=CUSTOMER, headers=client.headers("bcs"),
                            timeout=5)
        assert calm.headers["X-Sandbox-Answered-By"] == "route"
        assert client.count() == 1
