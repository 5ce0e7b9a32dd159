"""PUT/GET/DELETE /__sandbox/chaos: a share of a session's requests fail, in each route's own
envelope, with picks that replay exactly for the same --seed, session and order of requests."""
import threading
import time

import pytest
import requests

from sandbox import create_app
from tests.bcs_profile_support import BASE
from tests.conftest import BCS_HEADERS, CORE_AUTH, LiveServer, make_config, seed_example
from tests.core_support import new_client

BASIC_V1 = BASE + "/customerAccountManagement/v1/BasicData?mnemonic=CC1234567890"
QA = {"X-Sandbox-Session": "qa"}


def chaos(client, body, who=QA):
    return client.put("/__sandbox/chaos", json=body, headers=who)


def core(client, n=0, who=QA, **headers):
    return client.post("/core_customer", json=new_client(document_number=f"5550{n:04d}"),
                       headers={**CORE_AUTH, **who, **headers})


def basic(client, who=QA, **headers):
    return client.get(BASIC_V1, headers={**BCS_HEADERS, **who, **headers})


def test_put_get_delete_and_reset(client):
    assert client.get("/__sandbox/chaos", headers=QA).json == {"session": "qa", "chaos": None}
    put = chaos(client, {"rate": 0.25, "routes": ["core_customer"], "delay_ms": [0, 10]})
    assert put.status_code == 200
    expected = {"rate": 0.25, "routes": ["core_customer"], "errors": None, "delay_ms": [0, 10],
                "seed": 42, "requests": 0}
    assert put.json == {"session": "qa", "chaos": expected}
    assert client.get("/__sandbox/chaos", headers=QA).json["chaos"] == expected
    assert client.get("/__sandbox/chaos").json["chaos"] is None  # another session
    assert client.delete("/__sandbox/chaos", headers=QA).json == {"session": "qa", "chaos": None}
    assert client.get("/__sandbox/chaos", headers=QA).json["chaos"] is None
    chaos(client, {"rate": 1})
    client.post("/__sandbox/reset", headers=QA)
    assert client.get("/__sandbox/chaos", headers=QA).json["chaos"] is None
    assert core(client).status_code == 201


@pytest.mark.parametrize("body, field", [
    ({}, "rate: required"),
    ({"rate": 1.5}, "rate: required"),
    ({"rate": "0.2"}, "rate: required"),
    ({"rate": True}, "rate: required"),
    ({"rate": 0.2, "colour": "red"}, "colour: unknown field; chaos takes rate, routes, errors"),
    ({"rate": 0.2, "routes": "core_customer"}, "routes: must be a non-empty list"),
    ({"rate": 0.2, "routes": []}, "routes: must be a non-empty list"),
    ({"rate": 0.2, "routes": ["core_client"]}, "routes[0]: unknown operation 'core_client'"),
    ({"rate": 0.2, "routes": [{"a": 1}]}, "routes[0]: unknown operation {"),
    ({"rate": 0.2, "errors": []}, "errors: must be a non-empty list"),
    ({"rate": 0.2, "errors": ["00000000"]}, "errors[0]: '00000000' is neither a catalog code"),
    ({"rate": 0.2, "routes": ["core_customer"], "errors": [503, 99]}, "errors[1]: 99 is neither"),
    ({"rate": 0.2, "routes": ["core_customer"], "errors": [True]}, "errors[0]: True is neither"),
    ({"rate": 0.2, "routes": ["core_customer", "basic_data_v1"], "errors": ["50628"]},
     "errors: none of them applies to core_customer"),
    ({"rate": 0.2, "delay_ms": 100}, "delay_ms: [min, max]"),
    ({"rate": 0.2, "delay_ms": [10, 5]}, "delay_ms: [min, max]"),
    ({"rate": 0.2, "delay_ms": [0, 60001]}, "delay_ms: [min, max], whole milliseconds with 0 <= "
                                            "min <= max <= 60000"),
])
def test_bad_settings_are_a_400_naming_the_field(client, body, field):
    response = chaos(client, body)
    assert response.status_code == 400
    assert field in response.json["message"], response.json
    assert client.get("/__sandbox/chaos", headers=QA).json["chaos"] is None


def test_a_body_that_is_not_an_object_is_a_400(client):
    response = client.put("/__sandbox/chaos", json=[0.2], headers=QA)
    assert response.status_code == 400 and "JSON object" in response.json["message"]


def test_codes_alone_choose_the_routes_of_their_catalog(client, sandbox):
    settings = chaos(client, {"rate": 1, "errors": ["50628"]}).json["chaos"]
    assert settings["routes"] == [name for name, op in sandbox.operations.items()
                                  if op.family in sandbox.catalogs]
    assert core(client).status_code == 201  # not a chaos route
    answer = basic(client)
    assert answer.status_code == 400 and answer.json["responseDetail"]["errorCode"] == "50628"
    assert answer.headers["X-Sandbox-Answered-By"] == "chaos:50628"


def test_a_route_without_catalog_answers_a_status_in_its_envelope(client):
    chaos(client, {"rate": 1, "routes": ["core_customer", "core_product", "cliente"]})
    customer = core(client)
    assert customer.status_code in (500, 503)
    assert customer.headers["X-Sandbox-Answered-By"] == f"chaos:{customer.status_code}"
    assert "Chaos" in customer.json["message"]
    product = client.post("/core_product", json=seed_example("002_request_1"), headers={
        **CORE_AUTH, **QA})
    assert product.status_code in (500, 503)
    assert product.json["accounts_info"][0]["action"] == "ERROR"
    member = client.post("/cliente", json=seed_example("003_cliente_request"), headers=QA)
    assert member.status_code in (500, 503) and set(member.json) >= {"message"}


def test_bcs_defaults_are_the_rows_the_route_answers(client, sandbox):
    chaos(client, {"rate": 1, "routes": ["basic_data_v1"]})
    defaults = sandbox.chaos_errors["bcs"]("basic_data_v1")
    seen = set()
    for _ in range(40):
        answer = basic(client)
        code = answer.headers["X-Sandbox-Answered-By"].removeprefix("chaos:")
        assert code in defaults
        assert answer.json["responseType"]["value"] == "ER"
        assert answer.json["responseDetail"]["errorCode"] == code.split(":")[0]
        seen.add(code)
    assert len(seen) > 2  # picked among them, not always the first


def picks(seed, session="replay", rate=0.5, count=40, seed_config=None):
    client = create_app(make_config(seed=seed)).test_client()
    who = {"X-Sandbox-Session": session}
    chaos(client, {"rate": rate, "routes": ["core_customer", "basic_data_v1"]}, who)
    answered = []
    for n in range(count):
        answer = core(client, n, who) if n % 2 else basic(client, who)
        answered.append(answer.headers["X-Sandbox-Answered-By"])
    assert client.get("/__sandbox/chaos", headers=who).json["chaos"]["requests"] == count
    return answered


def test_the_same_seed_session_and_order_replay_the_same_picks():
    first = picks(42)
    assert first == picks(42)
    assert 5 < sum(a.startswith("chaos:") for a in first) < 35  # about half
    assert first != picks(43)
    assert first != picks(42, session="another")


def test_put_again_starts_the_picks_over(client):
    chaos(client, {"rate": 0.5, "routes": ["core_customer"]})
    once = [core(client, n).headers["X-Sandbox-Answered-By"] for n in range(12)]
    chaos(client, {"rate": 0.5, "routes": ["core_customer"]})
    again = [core(client, n + 20).headers["X-Sandbox-Answered-By"] for n in range(12)]
    assert once == again


def test_the_order_of_choice(client):
    client.put("/__sandbox/scenarios/active", json={"name": "bcs-down"}, headers=QA)
    chaos(client, {"rate": 1, "routes": ["basic_data_v1"], "errors": ["1006"]})
    assert basic(client, **{"X-Sandbox-Error": "50628"}).headers[
        "X-Sandbox-Answered-By"] == "error:50628"
    assert basic(client, **{"X-Sandbox-Scenario": "basic-data-v1-example"}).headers[
        "X-Sandbox-Answered-By"] == "scenario:basic-data-v1-example"
    magic = client.get(BASE + "/customerAccountManagement/v1/BasicData?mnemonic=CC99950628",
                       headers={**BCS_HEADERS, **QA})
    assert magic.headers["X-Sandbox-Answered-By"] == "magic:50628"
    assert basic(client).headers["X-Sandbox-Answered-By"] == "chaos:1006"  # before bcs-down
    client.delete("/__sandbox/chaos", headers=QA)
    assert basic(client).headers["X-Sandbox-Answered-By"] == "scenario:bcs-down"


def test_a_session_without_chaos_reads_no_more_records(client, sandbox, monkeypatch):
    """The read path of a session with neither chaos nor an active scenario reads one switches
    record per request, as it read the active scenario before."""
    read = []
    real = sandbox.store.get

    def get(session, kind, key):
        if kind.startswith("_"):
            read.append(kind)
        return real(session, kind, key)

    monkeypatch.setattr(sandbox.store, "get", get)
    assert basic(client).status_code == 200
    assert core(client).status_code == 201
    assert read.count("_active_scenario") == 2  # one per request
    assert not {"_chaos", "_sequence"} & set(read)


@pytest.mark.xdist_group("timing")
def test_a_delayed_chaos_answer_holds_no_thread():
    # Ordering, not a tight clock: health must answer while all 20 delayed answers are still
    # owed, and the 20 must end in far less than 2 threads serving them in turn would take.
    app = create_app(make_config())
    with LiveServer(app, threads=2) as server:
        requests.put(f"{server.url}/__sandbox/chaos", headers=QA, timeout=5, json={
            "rate": 1, "routes": ["core_customer"], "errors": [503], "delay_ms": [1500, 1500]})
        answers, threads = [], []
        started = time.perf_counter()
        for n in range(20):
            thread = threading.Thread(target=lambda n=n: answers.append(requests.post(
                f"{server.url}/core_customer", json=new_client(document_number=f"4440{n:04d}"),
                headers={**CORE_AUTH, **QA}, timeout=20)))
            threads.append(thread)
            thread.start()
        time.sleep(0.2)
        health = requests.get(f"{server.url}/__sandbox/health", timeout=5)
        assert health.status_code == 200 and answers == []
        for thread in threads:
            thread.join()
        assert time.perf_counter() - started < 8  # 20 x 1.5 s on 2 threads would take 15 s
        assert [a.status_code for a in answers] == [503] * 20
        assert {a.headers["X-Sandbox-Answered-By"] for a in answers} == {"chaos:503"}
        shown = requests.get(f"{server.url}/__sandbox/chaos", headers=QA, timeout=5).json()
        assert shown["chaos"]["requests"] == 20  # a run after the delay picks nothing new


def test_chaos_survives_a_restart_on_sqlite_and_its_picks_go_on(tmp_path):
    config = make_config(state=str(tmp_path / "state.db"))
    settings = {"rate": 0.5, "routes": ["core_customer"]}
    whole = create_app(make_config()).test_client()
    chaos(whole, settings)
    uninterrupted = [core(whole, n).headers["X-Sandbox-Answered-By"] for n in range(10)]
    before = create_app(config).test_client()
    chaos(before, settings)
    answered = [core(before, n).headers["X-Sandbox-Answered-By"] for n in range(5)]
    after = create_app(config).test_client()
    assert after.get("/__sandbox/chaos", headers=QA).json["chaos"]["requests"] == 5
    answered += [core(after, n).headers["X-Sandbox-Answered-By"] for n in range(5, 10)]
    assert answered == uninterrupted
