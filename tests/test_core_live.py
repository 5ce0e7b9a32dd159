"""The core over real sockets: concurrent posts on waitress, and state across a real restart."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox import create_app
from tests.conftest import CORE_AUTH, ServerProcess, make_config, seed_example
from tests.core_support import new_client, stored

THREADS = 16
POSTS_PER_THREAD = 12
# The server answers plain requests on its event loop and hands those that may wait to worker
# threads (server.LoopDispatcher). Half the clients send a zero delay, so their posts run on the
# workers at the same time as the loop's: the race these tests are about stays real.
ON_WORKERS = {"X-Sandbox-Delay": "0"}


def headers_for(client: int) -> dict:
    return {**CORE_AUTH, **(ON_WORKERS if client % 2 else {})}


@pytest.fixture(params=["memory", "sqlite"])
def app(request, tmp_path):
    """Both stores: SQLite's commits let go of the GIL inside the store's lock, which is where
    a missing lock shows."""
    state = "memory" if request.param == "memory" else str(tmp_path / "state.db")
    return create_app(make_config(state=state))


@pytest.mark.xdist_group("timing")
def test_concurrent_posts_distinct_clients_distinct_numbers_same_client_one(live_server, sandbox):
    url = live_server.url + "/core_customer"
    shared = new_client("001", document_number="555000111")

    def work(thread: int) -> list[tuple[str, int]]:
        session = requests.Session()
        answers = []
        for n in range(POSTS_PER_THREAD):
            # Every other post is the one client all threads share; the rest are this thread's own.
            if n % 2:
                document, body = "shared", shared
            else:
                document = f"4{thread:03d}{n:07d}"
                body = new_client("000", document_number=document)
            response = session.post(url, json=body, headers=headers_for(thread), timeout=30)
            assert response.status_code == 201, response.text
            answers.append((document, response.json()["customer_number"]))
        return answers

    with ThreadPoolExecutor(THREADS) as pool:
        answers = [a for chunk in pool.map(work, range(THREADS)) for a in chunk]

    shared_numbers = {number for document, number in answers if document == "shared"}
    own = {document: number for document, number in answers if document != "shared"}
    assert len(shared_numbers) == 1, shared_numbers
    assert len(own) == THREADS * POSTS_PER_THREAD // 2
    assert len(set(own.values())) == len(own)  # distinct clients, distinct numbers
    assert shared_numbers.isdisjoint(own.values())
    for number in [*own.values(), *shared_numbers]:  # nothing lost
        assert stored(sandbox, number) is not None


@pytest.mark.xdist_group("timing")
def test_concurrent_products_get_distinct_accounts(live_server, sandbox):
    url = live_server.url + "/core_product"
    body = {"product_code": "AH02", "customer_number": 1234, "open_date": "2021-01-02"}

    def open_one(client):
        response = requests.post(url, json=body, headers=headers_for(client), timeout=30)
        assert response.status_code == 201, response.text
        return [a["account_number"] for a in response.json()["accounts_info"]]

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [n for chunk in pool.map(open_one, range(THREADS * 4)) for n in chunk]
    assert len(numbers) == len(set(numbers)) == THREADS * 4 * 2
    assert len(stored(sandbox, 1234)["accounts"]) == THREADS * 4 * 2  # every one kept


def test_customer_and_its_number_survive_a_real_restart(tmp_path):
    state = str(tmp_path / "state.db")
    body = new_client("001", document_number="777000333")
    with ServerProcess("--state", state, "--quiet") as server:
        created = requests.post(server.url + "/core_customer", json=body, headers=CORE_AUTH,
                                timeout=30)
        assert created.status_code == 201
        number = created.json()["customer_number"]
        server.stop()
    with ServerProcess("--state", state, "--quiet") as server:
        opened = requests.post(server.url + "/core_product", headers=CORE_AUTH, timeout=30, json={
            "product_code": "AH01", "customer_number": number, "open_date": "2024-05-06"})
        assert opened.status_code == 201, opened.text
        assert opened.json()["accounts_info"][0]["account_product"] == "SAV1"
        again = requests.post(server.url + "/core_customer", json=body, headers=CORE_AUTH,
                              timeout=30)
        assert again.json() == {"customer_number": number}
        newer = requests.post(server.url + "/core_customer", headers=CORE_AUTH, timeout=30,
                              json=new_client("001", document_number="777000334"))
        assert newer.json()["customer_number"] > number  # the counter survived too
        server.stop()


def test_seed_example_over_the_wire(live_server):
    response = requests.post(live_server.url + "/core_customer", json=seed_example("000_request_1"),
                             headers=CORE_AUTH, timeout=30)
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == seed_example("000_response_201")
