"""The shipped scenarios: every one answers on every route it names, with its declared status and
JSON; the seed-example ones answer exactly (or in the same shape as) the seed's example; the demo
stories do what they say on the real routes."""
import re

import pytest

from sandbox import create_app
from sandbox.scenarios.describe import describe_scenario
from sandbox.scenarios.engine import route_catalogs
from tests.conftest import FIXTURES, BCS_HEADERS, CORE_AUTH, make_config
from tests.conftest import seed_example as _seed_example


def seed_example(name):
    """The seed example, or a skip while the API team has not copied it yet."""
    if not (FIXTURES / "seeds" / f"{name}.json").exists():
        pytest.skip(f"seed example {name} not copied yet")
    return _seed_example(name)


APP = create_app(make_config())
SANDBOX = APP.extensions["sandbox"]
PATH_PARAMS = {"identserialnum": "1234567890", "acctid": "24567890123"}
QUERY = {"mnemonic": "CC1234567890", "govIssueIdentType": "CC", "identSerialNum": "1234567890"}
IDENT = {"govIssueIdent": {"govIssueIdentType": "CC", "identSerialNum": "1234567890"}}
BODIES = {
    "core_customer": lambda: seed_example("000_request_1"),
    "core_product": lambda: seed_example("002_request_1"),
    "cliente": lambda: seed_example("003_cliente_request"),
    "create_customer": lambda: seed_example("004_create_request"),
    "secure_data": lambda: {**IDENT, "compliance": [{"question": "preguntaATDP001", "answer": True}]},
    "sync_data": lambda: seed_example("004_sync_data_request"),
    "sync_data_file": lambda: seed_example("004_sync_data_file_request"),
    "status_basic_data": lambda: {"trn": {"depAcctIdTo": {"acctId": "12321414"}}},
    "query_pila": lambda: seed_example("004_pila_request"),
}
# Scenarios that answer a seed example word for word, for the requests above.
EXACT = {
    "core-product-created-example": "002_response_201_1",
    "core-product-created-two-accounts-example": "002_response_201_2",
    "core-customer-error-en-example": "001_response_4xx",
    "create-customer-example": "004_create_response",
    "basic-data-v1-not-found-example": "004_basic_data_error",
    "basic-data-v2-not-found-example": "004_basic_data_error",
    "customer-name-by-account-not-found-example": "004_name_by_account_error",
    "status-basic-data-error-example": "004_status_error",
    "customer-locations-example": "004_locations_response",
    "customer-locations-error-example": "004_locations_error",
    "channel-contact-example": "004_contact_response",
    "channel-contact-error-example": "004_contact_error",
    "secure-data-example": "004_secure_data_response",
    "secure-data-error-example": "004_secure_data_error",
    "sync-data-example": "004_sync_data_response",
    "sync-data-error-example": "004_sync_data_error",
    "sync-data-file-example": "004_sync_data_file_response",
    "sync-data-file-error-example": "004_sync_data_file_error",
    "remittances-basic-data-example": "004_remittances_response",
    "remittances-basic-data-error-example": "004_remittances_error",
    "query-pila-example": "004_pila_response",
    "query-pila-error-example": "004_pila_error",
}
# Same keys, nesting and value types as the seed example (values follow the request).
SHAPE = {
    "basic-data-v4-example": "004_basic_data_v4_response",
    "customer-name-by-account-example": "004_name_by_account_response",
    "core-customer-created-example": "000_response_201",
    "cliente-member-example": "003_cliente_response",
}


def send(client, route: str, empty: bool = False, **headers):
    operation = SANDBOX.operations.get(route)
    if operation is None:
        pytest.skip(f"route {route} is not registered yet")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: PATH_PARAMS.get(m.group(1), "1"), operation.rule)
    auth = BCS_HEADERS if operation.family == "bcs" else CORE_AUTH
    body = None if empty else BODIES.get(route)
    return client.open(path, method=operation.method, query_string=QUERY if
                       operation.method == "GET" else None,
                       json=body() if body else None, headers={**auth, **headers})


def shape(value):
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    return type(value).__name__


def first(scenario):
    """What a fresh session's first request gets: its response, or its sequence's first step."""
    return scenario.response if scenario.sequence is None else scenario.sequence[0]


CASES = [(s.name, route) for s in SANDBOX.scenarios.all() for route in s.routes
         if first(s) is not None and not first(s).passthrough]


@pytest.mark.parametrize("name,route", CASES)
def test_every_shipped_scenario_answers_on_each_of_its_routes(client, name, route):
    scenario = SANDBOX.scenarios.get(name)
    response = send(client, route, **{"X-Sandbox-Scenario": name})
    expected = describe_scenario(scenario, route_catalogs(SANDBOX))["status"]
    assert response.status_code == expected, response.get_data(as_text=True)
    assert response.headers["X-Sandbox-Answered-By"] == f"scenario:{name}"
    if first(scenario).fault is None:
        assert response.is_json and response.json is not None


@pytest.mark.parametrize("name,route", CASES)
def test_shipped_scenarios_answer_even_without_a_body(client, name, route):
    scenario = SANDBOX.scenarios.get(name)
    response = send(client, route, empty=True, **{"X-Sandbox-Scenario": name})
    assert response.status_code == describe_scenario(scenario, route_catalogs(SANDBOX))["status"], \
        response.get_data(as_text=True)


@pytest.mark.parametrize("name,example", sorted(EXACT.items()))
def test_seed_example_scenarios_answer_the_example(client, name, example):
    scenario = SANDBOX.scenarios.get(name)
    assert scenario is not None, name
    response = send(client, scenario.routes[0], **{"X-Sandbox-Scenario": name})
    assert response.json == seed_example(example)


@pytest.mark.parametrize("name,example", sorted(SHAPE.items()))
def test_seed_shaped_scenarios_have_the_example_shape(client, name, example):
    scenario = SANDBOX.scenarios.get(name)
    response = send(client, scenario.routes[0], **{"X-Sandbox-Scenario": name})
    assert shape(response.json) == shape(seed_example(example))


# Success scenarios whose route answers the same shape for the seed's customer (CC 1234567890).
SAME_AS_ROUTE = ["create-customer-example", "create-customer-new-account", "basic-data-v1-example",
                 "basic-data-v2-example", "basic-data-v4-example",
                 "customer-name-by-account-example", "status-basic-data-example",
                 "query-pila-example", "secure-data-example", "core-product-created-example"]


@pytest.mark.parametrize("name", SAME_AS_ROUTE)
def test_success_scenarios_have_their_route_shape(client, name):
    route = SANDBOX.scenarios.get(name).routes[0]
    own = send(client, route)
    assert own.status_code < 300, own.get_data(as_text=True)
    scenario = send(client, route, **{"X-Sandbox-Scenario": name})
    assert shape(scenario.json) == shape(own.json)


def test_every_route_has_a_shipped_scenario():
    covered = {route for s in SANDBOX.scenarios.all() for route in s.routes
               if first(s) is not None and not first(s).passthrough}
    assert len(SANDBOX.operations) == 16
    assert set(SANDBOX.operations) <= covered


def test_every_scenario_is_listed_with_how_to_trigger_it(client):
    listed = client.get("/__sandbox/scenarios").json["scenarios"]
    assert len(listed) == len(SANDBOX.scenarios.all())
    for entry in listed:
        assert entry["description"] and entry["routes"]
        assert entry["trigger"]["header"] == f"X-Sandbox-Scenario: {entry['name']}"
    by_route = client.get("/__sandbox/scenarios?route=cliente").json["scenarios"]
    assert {e["name"] for e in by_route} >= {"cliente-member-example", "cliente-not-member-example"}


# -- the demo stories on the real routes --------------------------------------------------------
def test_story_onboarding_succeeds_on_both_core_routes(client):
    client.put("/__sandbox/scenarios/active", json={"name": "onboarding-succeeds"})
    customer = send(client, "core_customer")
    assert customer.status_code == 201 and isinstance(customer.json["customer_number"], int)
    product = send(client, "core_product")
    assert product.status_code == 201
    [account] = product.json["accounts_info"]
    assert account["action"] == "CREATE" and account["account_product"] == "AH01"


def test_story_product_opening_suspended_answers_50628(client):
    client.put("/__sandbox/scenarios/active", json={"name": "product-opening-suspended"})
    response = send(client, "create_customer")
    assert response.status_code == 400
    assert response.json["responseDetail"]["errorCode"] == "50628"


def test_story_core_internal_error_uses_each_route_envelope(client):
    client.put("/__sandbox/scenarios/active", json={"name": "core-internal-error"})
    customer = send(client, "core_customer")
    assert customer.status_code == 500 and "Error interno" in customer.json["message"]
    product = send(client, "core_product")
    assert product.status_code == 500
    assert product.json["accounts_info"][0]["action"] == "ERROR"


def test_story_bcs_down_on_a_bcs_route(client):
    client.put("/__sandbox/scenarios/active", json={"name": "bcs-down"})
    response = send(client, "customer_locations")
    assert response.status_code == 500
    assert response.json["responseDetail"]["errorCode"] == "500"


# -- forced errors and magic numbers on the real BCS routes -------------------------------------
def test_x_sandbox_error_50628_on_a_real_bcs_route(client):
    response = send(client, "create_customer", **{"X-Sandbox-Error": "50628"})
    assert response.status_code == 400
    assert response.json["responseType"]["value"] == "ER"
    assert response.json["responseDetail"]["errorCode"] == "50628"
    assert response.headers["X-Sandbox-Answered-By"] == "error:50628"


def test_x_sandbox_error_on_a_profile_route_uses_its_response_type(client):
    response = send(client, "query_pila", **{"X-Sandbox-Error": "50628"})
    assert response.status_code == 400
    assert response.json["responseDetail"]["errorCode"] == "50628"


def test_unknown_code_on_a_real_bcs_route_says_where_codes_are(client):
    response = send(client, "customer_locations", **{"X-Sandbox-Error": "12345"})
    assert response.status_code == 400
    assert "/__sandbox/errors" in response.get_data(as_text=True)


def test_magic_number_on_a_real_bcs_route(client):
    operation = SANDBOX.operations["customer_locations"]
    path = operation.rule.replace("<identserialnum>", "99950628")
    response = client.get(path, headers=BCS_HEADERS)
    assert response.status_code == 400
    assert response.json["responseDetail"]["errorCode"] == "50628"
    assert response.headers["X-Sandbox-Answered-By"] == "magic:50628"


def test_x_sandbox_error_on_a_core_route_is_a_400_in_the_core_envelope(client):
    response = send(client, "core_customer", **{"X-Sandbox-Error": "50628"})
    assert response.status_code == 400
    assert "BCS routes only" in response.json["message"]


def test_a_forced_error_with_thousands_of_digits_is_a_400_not_a_crash(client):
    response = send(client, "basic_data_v4", **{"X-Sandbox-Error": "500:" + "9" * 5000})
    assert response.status_code == 400
    assert response.json["responseType"] == {"value": "ER"}
    assert "500:1 to 500:" in response.json["responseDetail"]["errorDesc"]
