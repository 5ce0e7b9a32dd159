"""The core's shipped scenarios (scenarios/core/core.yaml), in the routes' own envelopes."""
from tests.conftest import CORE_AUTH, seed_example
from tests.core_support import same_shape


def post(client, path, body, scenario):
    return client.post(path, json=body, headers={**CORE_AUTH, "X-Sandbox-Scenario": scenario})


def test_customer_rejected_in_the_message_envelope(client):
    response = post(client, "/core_customer", seed_example("000_request_1"), "core-customer-rejected")
    assert response.status_code == 400
    assert same_shape(response.json, seed_example("000_response_4xx"))
    assert response.headers["X-Sandbox-Answered-By"] == "scenario:core-customer-rejected"


def test_customer_seed_error_word_for_word(client):
    response = post(client, "/core_customer", seed_example("001_request_1"), "core-customer-seed-error")
    assert response.json == seed_example("000_response_4xx")


def test_product_rejected_names_each_sub_product_of_the_requests_code(client):
    body = {"product_code": "AH02", "customer_number": 1234, "open_date": "2021-01-02"}
    response = post(client, "/core_product", body, "core-product-rejected")
    assert response.status_code == 400
    assert same_shape(response.json, seed_example("002_response_400"))
    assert [e["account_product"] for e in response.json["accounts_info"]] == ["SAV1", "SAV2"]


def test_product_seed_error_word_for_word(client):
    response = post(client, "/core_product", seed_example("002_request_1"), "core-product-seed-error")
    assert response.status_code == 400
    assert response.json == seed_example("002_response_400")


def test_scenarios_still_need_credentials(client):
    response = client.post("/core_customer", json=seed_example("000_request_1"),
                           headers={"X-Sandbox-Scenario": "core-customer-rejected"})
    assert response.status_code == 401


def test_unavailable_on_both_routes(client):
    assert post(client, "/core_customer", {}, "core-unavailable").status_code == 503
    response = post(client, "/core_product", {"product_code": "CC01"}, "core-unavailable")
    assert response.status_code == 503
    assert [e["account_product"] for e in response.json["accounts_info"]] == ["NOW1", "NOW3"]


def test_a_scenario_template_sees_the_customer_the_request_names(tmp_path):
    from sandbox import create_app
    from tests.conftest import make_config
    (tmp_path / "mine.yaml").write_text(
        "scenarios:\n"
        "  - name: core-echo-customer\n"
        "    description: says who the request names\n"
        "    routes: [core_customer, core_product]\n"
        "    response:\n"
        "      status: 200\n"
        "      body: {number: '{{ customer.customer_number }}',\n"
        "             name: '{{ customer.client.client_info.first_name }}'}\n", encoding="utf-8")
    client = create_app(make_config(scenarios=(str(tmp_path),))).test_client()
    product = post(client, "/core_product", seed_example("002_request_1"), "core-echo-customer")
    assert product.json == {"number": 1234, "name": "PEDRO"}
    customer = post(client, "/core_customer", seed_example("001_request_2"), "core-echo-customer")
    assert customer.json == {"number": 46, "name": "DANIELA"}
