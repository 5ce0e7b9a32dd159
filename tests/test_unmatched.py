"""A request no route takes: a 404 in the envelope of the family its path falls under, naming the
closest served routes, and journaled as `answered_by: unmatched`."""
import pytest

from sandbox.suggest import LONGEST, closest_routes
from tests.conftest import BCS_HEADERS

BASE = "/api/customersManagement/v1"
V1 = BASE + "/customerAccountManagement/v1/BasicData"


def bcs_message(response) -> str:
    assert response.json["responseType"] == {"value": "ER"}
    detail = response.json["responseDetail"]
    assert (detail["errorCode"], detail["errorType"]) == ("1006", "BDA")
    return detail["errorDesc"]


def test_a_case_typo_names_the_route_it_meant_in_the_bcs_envelope(client):
    response = client.get(BASE + "/customerAccountManagement/v1/basicData?mnemonic=CC1",
                          headers=BCS_HEADERS)
    assert response.status_code == 404
    assert bcs_message(response) == (
        f"NO FOUND (No route GET {BASE}/customerAccountManagement/v1/basicData; did you mean "
        f"GET {V1}? GET /__sandbox/ lists every route the sandbox serves)")


def test_a_version_typo_names_each_version_served(client):
    message = bcs_message(client.get(BASE + "/customerAccountManagement/v3/basicData"))
    for version in ("v1/BasicData", "v2/basicData", "v4/basicData"):
        assert f"GET {BASE}/customerAccountManagement/{version}" in message


@pytest.mark.parametrize("method,path,meant", [
    ("POST", BASE + "/customer-account-management/v1/costumer",
     "POST " + BASE + "/customer-account-management/v1/customer"),
    ("GET", BASE + "/customer-management/customer/identserialnum/1234/acct/77",
     "GET " + BASE + "/customer-management/customer/identserialnum/{identserialnum}"
                     "/acctid/{acctid}"),
    ("GET", BASE + "/customer-management/v1/locations/1234",
     "GET " + BASE + "/customer-management/v1/location/{identserialnum}"),
])
def test_a_spelling_typo_names_the_route_with_its_parameters(client, method, path, meant):
    message = bcs_message(client.open(path, method=method, headers=BCS_HEADERS))
    assert f"did you mean {meant}?" in message


@pytest.mark.parametrize("path,meant", [("/core_custmer", "POST /core_customer"),
                                        ("/core-customer", "POST /core_customer"),
                                        ("/clientes", "POST /cliente")])
def test_a_path_under_no_family_prefix_answers_the_generic_envelope(client, path, meant):
    response = client.post(path, json={})
    assert response.status_code == 404 and set(response.json) == {"message"}
    assert response.json["message"].startswith(f"No route POST {path}; did you mean {meant}?")


def test_nothing_close_names_no_route(client):
    message = bcs_message(client.get(BASE + "/no/such/route"))
    assert "did you mean" not in message and "No route GET " + BASE + "/no/such/route." in message
    assert "did you mean" not in client.post("/nowhere").json["message"]


def test_a_very_long_path_is_not_compared():
    class Op:
        method, rule = "POST", "/cliente"
    assert closest_routes([Op], "POST", "/clientes") == ["POST /cliente"]
    assert closest_routes([Op], "POST", "/clientes" + "x" * LONGEST) == []


def test_unmatched_requests_are_journaled_and_so_marked(client):
    response = client.get(BASE + "/customerAccountManagement/v1/basicData")
    assert response.headers["X-Sandbox-Answered-By"] == "unmatched"
    [entry] = client.get("/__sandbox/requests?answered_by=unmatched").json["requests"]
    assert entry["status"] == 404 and entry["operation"] is None
    assert entry["response"]["body"] == response.json


def test_a_known_path_with_another_method_stays_a_405_with_allow(client):
    response = client.get("/cliente")
    assert response.status_code == 405 and response.headers["Allow"] == "OPTIONS, POST"
    assert response.headers["X-Sandbox-Answered-By"] == "unmatched"
    assert client.get("/__sandbox/requests/count?answered_by=unmatched&status=405").json == {
        "count": 1}


def test_a_served_request_is_never_unmatched(client):
    client.get(V1 + "?mnemonic=CC1234567890", headers=BCS_HEADERS)
    assert client.get("/__sandbox/requests/count?answered_by=unmatched").json == {"count": 0}
    assert client.get("/__sandbox/requests/count?operation=basic_data_v1").json == {"count": 1}
