"""`sandbox record`: a proxy in front of a real upstream (here a second `sandbox serve` process)
that writes each distinct exchange as a scenario; `sandbox serve --scenarios FOLDER` replays."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from sandbox.record import Recorder, Upstream

from .conftest import BCS_HEADERS, CORE_AUTH, LiveServer, ServerProcess, free_port, make_config

BASE = "/api/customersManagement/v1"
V4 = BASE + "/customerAccountManagement/v4/basicData"
LOCATIONS = BASE + "/customer-management/v1/location/"
PRODUCT = {"product_code": "AH01", "customer_number": 1234, "open_date": "2021-01-02"}
MEMBER = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
# An upstream answer full of secrets and of text that reads as a template.
SECRETS_SCENARIO = """
scenarios:
  - name: leaky
    description: An upstream answer carrying secrets
    routes: [cliente]
    response:
      status: 200
      headers: {X-Security-Token: tok-leaked-1, Set-Cookie: "session=cookie-leaked-2", X-Kept: kept}
      body_template: |
        {% raw %}{"password": "pw-leaked-3", "data": {"clave": "pin-leaked-4", "note": "{{ not a template }}"}}{% endraw %}
"""


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    folder = tmp_path_factory.mktemp("upstream-scenarios")
    (folder / "leaky.yaml").write_text(SECRETS_SCENARIO, encoding="utf-8")
    with ServerProcess("--quiet", "--scenarios", str(folder)) as server:
        yield server


def recorder(url: str, out: Path, timeout: float = 10.0) -> LiveServer:
    app = Recorder(Upstream(url, timeout), out, make_config())
    return LiveServer(app)


def sandbox_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sandbox", "check", str(folder)],
                          capture_output=True, text=True, timeout=60)


def written(folder: Path) -> dict:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.yaml"))}


def test_the_client_gets_the_upstream_answer_unchanged_and_each_exchange_is_recorded(
        upstream, tmp_path):
    with recorder(upstream.url, tmp_path) as proxy:
        direct = requests.get(upstream.url + V4, params={"govIssueIdentType": "CC",
                                                         "identSerialNum": "1234567890"},
                              headers=BCS_HEADERS)
        proxied = requests.get(proxy.url + V4, params={"govIssueIdentType": "CC",
                                                       "identSerialNum": "1234567890"},
                               headers=BCS_HEADERS)
        assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
        assert proxied.headers["X-Sandbox-Answered-By"] == "route"  # the upstream's own header
        # client_id + client_secret travel with their underscores, as the upstream expects them.
        underscored = requests.get(proxy.url + LOCATIONS + "1234567890", headers={
            "client_id": "sandbox-client", "client_secret": "sandbox-secret",
            "Authorization": "Bearer any"})
        assert underscored.status_code == 200
        assert requests.post(proxy.url + "/core_product", json=PRODUCT,
                             headers=CORE_AUTH).status_code == 201
        assert requests.post(proxy.url + "/cliente", json=MEMBER).status_code == 200
        # The same request again is the same exchange: not written twice.
        requests.post(proxy.url + "/cliente", json=MEMBER)
        # A path no family serves is forwarded, answered, and not recorded; so is a preflight.
        assert requests.get(proxy.url + "/nowhere").status_code == 404
        preflight = requests.options(proxy.url + "/core_customer", headers={
            "Origin": "http://app.example", "Access-Control-Request-Method": "POST"})
        assert preflight.headers["Access-Control-Allow-Methods"].startswith("GET, POST")
    files = written(tmp_path)
    assert sorted(files) == ["recorded-basic-data-v4-1.yaml", "recorded-cliente-1.yaml",
                             "recorded-core-product-1.yaml",
                             "recorded-customer-locations-1.yaml", "recorded.yaml"]
    v4 = yaml.safe_load(files["recorded-basic-data-v4-1.yaml"])["scenarios"][0]
    assert v4["routes"] == ["basic_data_v4"]
    assert v4["match"] == {"query": {"govIssueIdentType": "CC", "identSerialNum": "1234567890"}}
    assert v4["response"]["status"] == 200
    assert v4["response"]["body"] == direct.json()
    locations = yaml.safe_load(files["recorded-customer-locations-1.yaml"])["scenarios"][0]
    assert locations["match"] == {"path": {"identserialnum": "1234567890"}}
    member = yaml.safe_load(files["recorded-cliente-1.yaml"])["scenarios"][0]
    assert member["match"] == {"body": {"tipo_documento_id": 1, "numero_documento": 25326461}}
    story = yaml.safe_load(files["recorded.yaml"])["scenarios"][0]
    assert story["name"] == "recorded"
    assert story["any_of"] == ["recorded-basic-data-v4-1", "recorded-customer-locations-1",
                               "recorded-core-product-1", "recorded-cliente-1"]
    everything = "".join(files.values())
    for credential in ("sandbox-secret", "Basic ", "Bearer", "X-Security-ClientSecret"):
        assert credential not in everything
    check = sandbox_check(tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_secrets_in_the_answer_are_never_written_and_templates_stay_text(upstream, tmp_path):
    with recorder(upstream.url, tmp_path) as proxy:
        answer = requests.post(proxy.url + "/cliente", json=MEMBER,
                               headers={"X-Sandbox-Scenario": "leaky"})
    assert answer.json()["password"] == "pw-leaked-3"  # the client gets it as it came
    assert answer.headers["X-Security-Token"] == "tok-leaked-1"
    text = (tmp_path / "recorded-cliente-1.yaml").read_text(encoding="utf-8")
    for leaked in ("tok-leaked-1", "cookie-leaked-2", "pw-leaked-3", "pin-leaked-4"):
        assert leaked not in text
    assert "X-Kept" in text
    assert sandbox_check(tmp_path).returncode == 0
    with ServerProcess("--quiet", "--scenarios", str(tmp_path)) as replay:
        again = requests.post(replay.url + "/cliente", json=MEMBER,
                              headers={"X-Sandbox-Scenario": "recorded-cliente-1"})
    assert again.json() == {"password": "****",
                            "data": {"clave": "****", "note": "{{ not a template }}"}}
    assert again.headers["X-Kept"] == "kept"
    assert "X-Security-Token" not in again.headers


def test_a_recording_replays_by_name_and_the_story_recorded_answers_only_what_it_recorded(
        upstream, tmp_path):
    params = {"govIssueIdentType": "CC", "identSerialNum": "1234567890"}
    with recorder(upstream.url, tmp_path) as proxy:
        recorded = requests.get(proxy.url + V4, params=params, headers=BCS_HEADERS).json()
        requests.get(proxy.url + LOCATIONS + "1234567890", headers=BCS_HEADERS)
    with ServerProcess("--quiet", "--scenarios", str(tmp_path)) as replay:
        named = requests.get(replay.url + V4, params={"govIssueIdentType": "CC",
                                                      "identSerialNum": "5555555555"},
                             headers={**BCS_HEADERS,
                                      "X-Sandbox-Scenario": "recorded-basic-data-v4-1"})
        assert named.headers["X-Sandbox-Answered-By"] == "scenario:recorded-basic-data-v4-1"
        assert named.json() == recorded
        session = {"X-Sandbox-Session": "replay"}
        assert requests.put(replay.url + "/__sandbox/scenarios/active", json={"name": "recorded"},
                            headers=session).status_code == 200
        same = requests.get(replay.url + V4, params=params, headers={**BCS_HEADERS, **session})
        assert same.headers["X-Sandbox-Answered-By"] == "scenario:recorded-basic-data-v4-1"
        assert same.json() == recorded
        place = requests.get(replay.url + LOCATIONS + "1234567890",
                             headers={**BCS_HEADERS, **session})
        assert place.headers["X-Sandbox-Answered-By"] == "scenario:recorded-customer-locations-1"
        other = requests.get(replay.url + LOCATIONS + "99999", headers={**BCS_HEADERS, **session})
        assert other.headers["X-Sandbox-Answered-By"] == "route"
        unrecorded = requests.post(replay.url + "/cliente", json=MEMBER, headers=session)
        assert unrecorded.headers["X-Sandbox-Answered-By"] == "route"


def test_a_second_run_numbers_after_the_first_and_skips_what_is_recorded(upstream, tmp_path):
    for ident in ("1234567890", "1234567890", "1020304050"):
        with recorder(upstream.url, tmp_path) as proxy:
            requests.get(proxy.url + LOCATIONS + ident, headers=BCS_HEADERS)
    story = yaml.safe_load((tmp_path / "recorded.yaml").read_text())["scenarios"][0]
    assert story["any_of"] == ["recorded-customer-locations-1", "recorded-customer-locations-2"]
    assert sandbox_check(tmp_path).returncode == 0


def test_an_upstream_that_is_down_gets_502_in_the_route_envelope_and_nothing_is_written(
        tmp_path):
    with recorder(f"http://127.0.0.1:{free_port()}", tmp_path) as proxy:
        bcs = requests.get(proxy.url + LOCATIONS + "1234567890", headers=BCS_HEADERS)
        core = requests.post(proxy.url + "/core_product", json=PRODUCT, headers=CORE_AUTH)
        member = requests.post(proxy.url + "/cliente", json=MEMBER)
    assert bcs.status_code == 502
    assert bcs.json()["responseType"] == {"value": "ER"}
    assert "could not be reached" in bcs.json()["responseDetail"]["errorDesc"]
    assert bcs.headers["X-Sandbox-Answered-By"] == "record:upstream-unreachable"
    assert core.status_code == 502
    assert core.json()["accounts_info"][0]["action"] == "ERROR"
    assert (member.status_code, member.json()["code"]) == (502, 502)
    assert written(tmp_path) == {}


def test_a_slow_upstream_gets_504_in_the_route_envelope_and_nothing_is_written(upstream, tmp_path):
    with recorder(upstream.url, tmp_path, timeout=0.3) as proxy:
        slow = requests.post(proxy.url + "/cliente", json=MEMBER,
                             headers={"X-Sandbox-Delay": "1500"})
    assert slow.status_code == 504
    assert "did not answer within 0.3 s" in slow.json()["message"]
    assert slow.json()["code"] == 504
    assert slow.headers["X-Sandbox-Answered-By"] == "record:upstream-timeout"
    assert written(tmp_path) == {}


def test_the_record_command_refuses_an_upstream_that_is_not_a_url(tmp_path):
    result = subprocess.run([sys.executable, "-m", "sandbox", "record", "--upstream",
                             "bank.example", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--upstream must be an http:// or https:// URL" in result.stderr


def test_the_record_command_serves_and_stops_on_sigterm(upstream, tmp_path):
    import signal
    import time
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "record", "--upstream",
                             upstream.url, "--out", str(tmp_path), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = requests.post(f"http://127.0.0.1:{port}/cliente", json=MEMBER,
                                       timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert answer.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0
    assert f"sandbox recording on http://127.0.0.1:{port}" in output
    assert '"event":"recorded"' in output
    assert (tmp_path / "recorded-cliente-1.yaml").exists()


SEED_REQUESTS = [  # (seed example, method, path, the match keys its route's family declares)
    ("000_request_1", "POST", "/core_customer", {"client_info.document_number"}),
    ("001_request_1", "POST", "/core_customer", {"client_documents.0.document_number"}),
    ("002_request_1", "POST", "/core_product", {"customer_number", "product_code"}),
    ("003_cliente_request", "POST", "/cliente", {"numero_documento"}),
    ("004_create_request", "POST", BASE + "/customer-account-management/v1/customer",
     {"govIssueIdent.identSerialNum"}),
    ("004_status_request", "POST", BASE + "/customer-management/v1/status-basic-data",
     {"trn.depAcctIdTo.acctId"}),
    ("004_pila_request", "POST", BASE + "/customer-management/v1/query-pila",
     {"trn.invoiceInfo.invoiceNum"}),
    ("004_sync_data_request", "POST", BASE + "/v1/sync-data", {"govIssueIdent.mNemonic"}),
    ("004_sync_data_file_request", "POST", BASE + "/v1/sync-data-file", {"file.binData"}),
]


def test_every_family_declares_fields_a_recording_matches_its_own_request_on(tmp_path):
    """Each seed request example, recorded, matches on the fields its family names, and the
    story replays it for exactly that request (an in-process upstream: the wire is covered
    above)."""
    from sandbox import create_app

    from .conftest import seed_example
    headers = {**CORE_AUTH, **BCS_HEADERS}
    with LiveServer(create_app(make_config())) as upstream, recorder(upstream.url,
                                                                     tmp_path) as proxy:
        for name, method, path, _ in SEED_REQUESTS:
            requests.request(method, proxy.url + path, json=seed_example(name), headers=headers)
    replay = create_app(make_config(scenarios=(str(tmp_path),))).test_client()
    replay.put("/__sandbox/scenarios/active", json={"name": "recorded"})
    for name, method, path, keys in SEED_REQUESTS:
        answer = replay.open(path, method=method, json=seed_example(name), headers=headers)
        answered_by = answer.headers["X-Sandbox-Answered-By"]
        assert answered_by.startswith("scenario:recorded-"), (name, answered_by)
        recorded = yaml.safe_load((tmp_path / f"{answered_by[9:]}.yaml").read_text())
        assert keys <= set(recorded["scenarios"][0]["match"]["body"]), name


def test_an_upstream_url_with_a_base_path_gets_it_before_each_request_path(tmp_path):
    from sandbox import create_app
    bank = create_app(make_config(bcs_base_path="/bank" + BASE))
    with LiveServer(bank) as upstream, recorder(upstream.url + "/bank/", tmp_path) as proxy:
        answer = requests.get(proxy.url + LOCATIONS + "1234567890", headers=BCS_HEADERS)
    assert answer.status_code == 200, answer.text
    assert (tmp_path / "recorded-customer-locations-1.yaml").exists()
