"""`--state redis://`: the deployment's shape with processes. A real redis-server on a free port
and two real `sandbox serve` processes against it; the contract's promises hold across them."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
import requests

from tests.bcs_profile_support import BASE, JSON_HEADERS
from tests.conftest import CORE_AUTH, ServerProcess
from tests.core_support import new_client
from tests.redis_support import RedisServer, need_redis
from tests.test_bcs_basic_data import V1, V2, V4
from tests.test_bcs_create import CREATE, new_customer

pytestmark = pytest.mark.xdist_group("timing")  # real processes under load: one at a time

NUMBER = "1098765432"
PROFILE_ROUTES = ("/customer-management/v1/location/{n}?govIssueIdentType=CC",
                  "/customer-management/v1/channel/contact/{n}?govIssueIdentType=CC",
                  "/customers-management/v1/remittances/basic-data/{n}?govIssueIdentType=CC")


def serve(redis_url: str, *args: str) -> ServerProcess:
    return ServerProcess("--state", redis_url, "--quiet", *args)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    need_redis()
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    a, b = serve(server.url, "--journal-size", "5").start(), \
        serve(server.url, "--journal-size", "5").start()
    yield server, a, b
    for instance in (a, b):
        if instance.proc.poll() is None:
            instance.stop()
    server.stop()


def session() -> dict:
    return {"X-Sandbox-Session": "t-" + uuid.uuid4().hex[:10]}


def core_create(url: str, headers: dict, document: str = "99900011122") -> requests.Response:
    return requests.post(url + "/core_customer", json=new_client(document_number=document),
                         headers={**CORE_AUTH, **headers}, timeout=10)


def bcs_create(url: str, headers: dict, number: str = NUMBER) -> str:
    body = new_customer(number, **{"personName.firstName": "LAURA", "personName.middleName": ""})
    body["contactInfo"]["additionalPhoneNum"]["phone"] = "3001112233"
    response = requests.post(url + CREATE, json=body, headers={**JSON_HEADERS, **headers},
                             timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["depAcctStmtRec"]["depAcctId"]["acctId"]


def bcs_get(url: str, path: str, headers: dict) -> requests.Response:
    return requests.get(url + path, headers={**JSON_HEADERS, **headers}, timeout=10)


def test_concurrent_identical_creates_on_two_instances_make_one_customer(world):
    _, a, b = world
    headers = session()
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda i: core_create((a, b)[i % 2].url, headers), range(50)))
    assert {r.status_code for r in answers} <= {200, 201}, [r.text for r in answers[:3]]
    numbers = {r.json()["customer_number"] for r in answers}
    assert len(numbers) == 1, numbers
    with ThreadPoolExecutor(50) as pool:
        accounts = set(pool.map(lambda i: bcs_create((a, b)[i % 2].url, headers), range(50)))
    # Every create of the same person after the first updates that customer: one account.
    assert len(accounts) == 1, accounts


def test_a_create_on_a_is_found_by_every_read_route_on_b_at_once(world):
    _, a, b = world
    headers = session()
    # B has read (and may keep) what the session held before: it must not answer from that.
    assert bcs_get(b.url, f"{V1}?mnemonic=CC{NUMBER}", headers).status_code == 404
    acct_id = bcs_create(a.url, headers)
    assert bcs_get(b.url, f"{V1}?mnemonic=CC{NUMBER}", headers).json()["personName"][
        "fullName"] == "LAURA DE_FRANCISCO LOPEZ"
    assert bcs_get(b.url, f"{V2}?mnemonic=CC{NUMBER}", headers).json()["firstName"] == "LAURA"
    v4 = bcs_get(b.url, f"{V4}?govIssueIdentType=CC&identSerialNum={NUMBER}", headers)
    assert v4.status_code == 200, v4.text
    assert bcs_get(b.url, f"{V4}?cellphone=3001112233", headers).json() == v4.json()
    name = bcs_get(b.url, f"{BASE}/customer-management/customer/identserialnum/{NUMBER}"
                          f"/acctid/{acct_id}", headers)
    assert name.json() == {"custInfo": {"personName": {"fullName": "LAURA DE_FRANCISCO LOPEZ"}}}
    owner = requests.post(b.url + BASE + "/customer-management/v1/status-basic-data",
                          json={"trn": {"depAcctIdTo": {"acctId": acct_id}}},
                          headers={**JSON_HEADERS, **headers}, timeout=10)
    assert owner.json()["trn"]["depAcctId"] == {"acctId": acct_id}
    for path in PROFILE_ROUTES:
        response = bcs_get(b.url, BASE + path.format(n=NUMBER), headers)
        assert response.status_code == 200, (path, response.text)
    # The core: a customer created on B is given a product on A, and B sees the accounts.
    number = core_create(b.url, headers, "77700011122").json()["customer_number"]
    product = requests.post(a.url + "/core_product", headers={**CORE_AUTH, **headers}, timeout=10,
                            json={"product_code": "AH01", "customer_number": number,
                                  "open_date": "2021-01-02"})
    assert product.status_code == 201, product.text
    again = requests.post(b.url + "/core_product", headers={**CORE_AUTH, **headers}, timeout=10,
                          json={"product_code": "AH01", "customer_number": number,
                                "open_date": "2021-01-02"})
    assert again.json() != product.json()  # B opened new accounts on A's stored customer


def test_a_reset_on_a_is_a_reset_on_b_and_numbers_are_never_reused(world):
    _, a, b = world
    headers = session()
    with ThreadPoolExecutor(20) as pool:
        first = list(pool.map(lambda i: core_create((a, b)[i % 2].url, headers,
                                                    f"5550000{i:04d}"), range(20)))
    numbers = [r.json()["customer_number"] for r in first]
    assert len(set(numbers)) == 20  # unique across the two instances
    bcs_create(a.url, headers)
    assert bcs_get(b.url, f"{V1}?mnemonic=CC{NUMBER}", headers).status_code == 200
    reset = requests.post(a.url + "/__sandbox/reset", headers=headers, timeout=10)
    assert reset.json() == {"reset": True, "session": headers["X-Sandbox-Session"]}
    assert bcs_get(b.url, f"{V1}?mnemonic=CC{NUMBER}", headers).status_code == 404
    again = core_create(b.url, headers, "55500000000").json()["customer_number"]
    assert again > max(numbers)  # the counter survived the reset


def test_a_run_of_creates_on_a_sees_a_reset_on_b_in_between(world):
    """A keeps what its own creates wrote across them (store_redis: the session's span); a
    write on B in between ends that at once."""
    _, a, b = world
    headers = session()
    first = core_create(a.url, headers, "44400011122")
    assert first.status_code == 201
    assert core_create(a.url, headers, "44400011133").status_code == 201
    again = core_create(a.url, headers, "44400011122")  # the same document: the same customer
    assert again.json()["customer_number"] == first.json()["customer_number"]
    requests.post(b.url + "/__sandbox/reset", headers=headers, timeout=10)
    anew = core_create(a.url, headers, "44400011122")
    assert anew.status_code == 201
    assert anew.json()["customer_number"] > first.json()["customer_number"]


def test_pipelined_create_then_read_on_one_connection_reads_the_create(world):
    """The loop answers the two in one round: the read goes on at the create's generation."""
    _, a, _ = world
    headers = session()
    body = orjson.dumps(new_client(document_number="33300011122"))
    head = "".join(f"{k}: {v}\r\n" for k, v in {**CORE_AUTH, **headers}.items())
    create = (f"POST /core_customer HTTP/1.1\r\nHost: x\r\n{head}Content-Type: "
              f"application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", int(a.url.rsplit(":", 1)[1])), timeout=10) as sock:
        sock.sendall(create + create)  # the second finds the first's customer
        answers = b""
        while answers.count(b"HTTP/1.1 ") < 2 or not answers.rstrip().endswith(b"}"):
            answers += sock.recv(65536)
    first, second = answers.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"201"), first
    number = orjson.loads(first.split(b"\r\n\r\n", 1)[1])["customer_number"]
    assert orjson.loads(second.split(b"\r\n\r\n", 1)[1])["customer_number"] == number


def test_an_active_scenario_set_on_a_answers_on_b(world):
    _, a, b = world
    headers = session()
    name = "core-customer-rejected"
    put = requests.put(a.url + "/__sandbox/scenarios/active", json={"name": name},
                       headers=headers, timeout=10)
    assert put.status_code == 200, put.text
    answer = core_create(b.url, headers)
    assert answer.headers["X-Sandbox-Answered-By"] == f"scenario:{name}"
    requests.delete(b.url + "/__sandbox/scenarios/active", headers=headers, timeout=10)
    assert core_create(a.url, headers).headers["X-Sandbox-Answered-By"] == "route"


def test_the_journal_of_either_instance_holds_both_instances_requests(world):
    _, a, b = world
    headers = session()
    for i in range(8):  # the newest 5 are kept (--journal-size 5), whichever instance answered
        instance = (a, b)[i % 2]
        requests.post(instance.url + "/cliente", headers={**headers, "X-Api-Key": "k-secret"},
                      json={"tipo_documento_id": 2, "numero_documento": str(i),
                            "password": "hunter2"}, timeout=10)
    for instance in (a, b):
        listed = requests.get(instance.url + "/__sandbox/requests", headers=headers,
                              timeout=10).json()["requests"]
        assert [e["body"]["numero_documento"] for e in listed] == ["7", "6", "5", "4", "3"]
        assert listed[0]["body"]["password"] == "****"
        assert listed[0]["headers"]["X-Api-Key"] == "****"
    requests.delete(b.url + "/__sandbox/requests", headers=headers, timeout=10)
    assert requests.get(a.url + "/__sandbox/requests", headers=headers,
                        timeout=10).json()["requests"] == []


def test_an_instance_with_another_seed_refuses_to_start(world):
    server, _, _ = world
    run = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--port", "0", "--state",
                          server.url, "--seed", "7", "--quiet"], capture_output=True, text=True,
                         timeout=30)
    assert run.returncode == 2
    assert "holds the state of another world" in run.stderr
    assert "--seed" in run.stderr and "FLUSHDB" in run.stderr


def test_kill_9_of_an_instance_loses_nothing_it_acknowledged(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        a, b = serve(server.url).start(), serve(server.url).start()
        headers = session()
        acknowledged = []
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(core_create, a.url, headers, f"4440000{i:04d}")
                       for i in range(200)]
            time.sleep(0.3)
            a.proc.send_signal(signal.SIGKILL)
            for future in futures:
                try:
                    response = future.result()
                except requests.ConnectionError:
                    continue
                if response.status_code == 201:
                    acknowledged.append((response.json()["customer_number"], future))
        a.proc.wait(timeout=10)
        assert acknowledged, "the kill came before any create was answered"
        for number, _ in acknowledged:
            found = requests.post(b.url + "/core_product", headers={**CORE_AUTH, **headers},
                                  json={"product_code": "AH01", "customer_number": number,
                                        "open_date": "2021-01-02"}, timeout=10)
            assert found.status_code == 201, (number, found.text)
        b.stop()
    finally:
        server.stop()


def test_redis_down_is_a_503_in_every_envelope_and_the_instance_recovers(tmp_path):
    server = RedisServer(tmp_path, appendonly=True).start()
    instance = serve(server.url).start()
    try:
        headers = session()
        number = core_create(instance.url, headers).json()["customer_number"]
        server.stop()
        started = time.monotonic()
        answers = {
            "core_customer": core_create(instance.url, headers, "12312312312"),
            "core_product": requests.post(
                instance.url + "/core_product", headers={**CORE_AUTH, **headers}, timeout=10,
                json={"product_code": "AH01", "customer_number": number,
                      "open_date": "2021-01-02"}),
            "cliente": requests.post(instance.url + "/cliente", headers=headers, timeout=10,
                                     json={"tipo_documento_id": 2, "numero_documento": "1"}),
            "basic_data_v4": bcs_get(instance.url, f"{V4}?govIssueIdentType=CC"
                                                   f"&identSerialNum={NUMBER}", headers),
            "admin": requests.get(instance.url + "/__sandbox/scenarios/active", headers=headers,
                                  timeout=10),
        }
        assert time.monotonic() - started < 5  # short timeouts, never a hang
        for name, answer in answers.items():
            assert answer.status_code == 503, (name, answer.text)
            assert "Traceback" not in answer.text
        assert "unreachable" in answers["core_customer"].json()["message"]
        assert answers["core_product"].json()["accounts_info"][0]["action"] == "ERROR"
        assert answers["cliente"].json()["code"] == 503
        assert answers["basic_data_v4"].json()["responseType"] == {"value": "ER"}
        assert "unreachable" in answers["basic_data_v4"].json()["responseDetail"]["errorDesc"]
        health = requests.get(instance.url + "/__sandbox/health", timeout=10)
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        assert f"127.0.0.1:{server.port}" in health.json()["problem"]
        server.start()  # the same port and files: what it acknowledged is back (appendonly)
        wait_until_healthy(instance)
        again = core_create(instance.url, headers)
        assert again.status_code == 201 and again.json()["customer_number"] == number
        journal = requests.get(instance.url + "/__sandbox/requests", headers=headers,
                               timeout=10).json()["requests"]
        assert (journal[0]["path"], journal[0]["status"]) == ("/core_customer", 201)
    finally:
        instance.stop()
        server.stop()


def test_the_journal_survives_a_quick_redis_restart_between_two_requests(tmp_path):
    server = RedisServer(tmp_path, appendonly=True).start()
    instance = serve(server.url).start()
    try:
        headers = session()
        core_create(instance.url, headers, "31300000001")
        assert len(requests.get(instance.url + "/__sandbox/requests", headers=headers,
                                timeout=10).json()["requests"]) == 1
        server.stop()
        server.start()  # no request in between: the instance saw no failure
        wait_until_healthy(instance)
        core_create(instance.url, headers, "31300000002")
        journal = requests.get(instance.url + "/__sandbox/requests", headers=headers,
                               timeout=10).json()["requests"]
        assert [e["body"]["client_info"]["document_number"] for e in journal] == [
            "31300000002", "31300000001"]
    finally:
        instance.stop()
        server.stop()


def wait_until_healthy(instance, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while requests.get(instance.url + "/__sandbox/health", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "the instance did not recover"
        time.sleep(0.2)


def test_the_bench_populates_redis_with_customers_the_bcs_routes_find(tmp_path):
    """bench/populate.py's Redis target: what it stores is what the BCS routes read."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from populate import FIRST_NUMBER, populate_redis
    server = RedisServer(tmp_path).start()
    try:
        populate_redis(server.url, 3)
        # The counts of its kinds, as the commits keep them: they add up to the records.
        db = server.client()
        assert sum(map(int, db.hvals("sandbox:n:default"))) == db.hlen("sandbox:s:default")
        with ServerProcess("--state", server.url, "--quiet") as instance:
            for i in range(3):
                found = bcs_get(instance.url, f"{V4}?govIssueIdentType=CC&identSerialNum="
                                f"{FIRST_NUMBER + i}", {})
                assert found.status_code == 200, found.text
            missing = bcs_get(instance.url, f"{V4}?govIssueIdentType=CC&identSerialNum="
                              f"{FIRST_NUMBER + 3}", {})
            assert missing.status_code == 404
    finally:
        server.stop()


def test_a_rule_numbers_with_its_lock_and_a_counter_moved_meanwhile_is_refused(tmp_path):
    """store_redis: a locked block that read a counter with its lock numbers without a round
    trip, and its commit checks nobody moved the counter since (then the rule is a 503)."""
    from sandbox.errors import StoreUnavailable
    from sandbox.store_redis import RedisStore
    server = RedisServer(tmp_path).start()
    try:
        store, other = RedisStore(server.url), RedisStore(server.url)
        numbers = []
        for _ in range(3):  # the first block teaches the store which counter such a rule takes
            with store.lock:
                store.get("default", "thing", "a")
                numbers.append(store.next_number("things", 100))
                store.put("default", "thing", "a", {"n": numbers[-1]})
        assert numbers == [100, 101, 102]
        assert other.next_number("things", 100) == 103  # across stores, in order
        with pytest.raises(StoreUnavailable, match="moved"):
            with store.lock:
                store.get("default", "thing", "a")
                other.next_number("things", 100)  # 104, while the block holds the lock
                store.next_number("things", 100)
                store.put("default", "thing", "a", {"n": 0})
        assert other.next_number("things", 100) == 105  # nothing given out twice
        assert other.db.get("sandbox:lock") is None  # the refused block let the lock go
        assert store.get("default", "thing", "a") == {"n": 102}  # the refused block wrote nothing
        store.close(), other.close()
    finally:
        server.stop()
