"""GET /customer-management/v1/location/{identserialnum} (seed 004, Get Customer Locations)."""
import pytest

from tests.bcs_profile_support import BASE, assert_bcs_error, assert_shape
from tests.conftest import BCS_HEADERS, seed_example

URL = BASE + "/customer-management/v1/location/"
# The fixture person of the seed's locations example.
EXAMPLE_CC = "80123456"


def test_the_example_customer_answers_the_example_shape_and_data(client):
    response = client.get(URL + EXAMPLE_CC + "?govIssueIdentType=CC&action=I&condition=1",
                          headers=BCS_HEADERS)
    assert response.status_code == 200
    assert_shape(response.json, "004_locations_response")
    ident, example = response.json["govIssueIdent"], seed_example("004_locations_response")
    assert ident["fullName"] == example["govIssueIdent"]["fullName"]
    assert [a["addr1"] for a in ident["postAddr"]] == ["CL 126 7 C 23", "KR 22 06 32"]
    assert ident["postAddr"][0]["createdDt"] == "20170323"
    assert ident["emailFromInfo"][0]["emailAddr"] == "j7l8a5o1@bancocajasocial.com"
    assert ident["phoneNum"][1]["cellPhone"] == "3124567891"


def test_every_generated_customer_answers_the_example_shape(client, sandbox):
    customers = sandbox.fixtures["bcs_customer"].values()
    for customer in customers:
        number = customer["govIssueIdent"]["identSerialNum"]
        response = client.get(URL + number + "?condition=3", headers=BCS_HEADERS)
        assert response.status_code == 200, number
        assert_shape(response.json, "004_locations_response")


def test_without_query_parameters_the_defaults_apply(client):
    response = client.get(URL + EXAMPLE_CC, headers=BCS_HEADERS)
    assert response.status_code == 200
    assert len(response.json["govIssueIdent"]["postAddr"]) == 2


def test_condition_selects_current_expired_or_all_locations(client):
    expired = client.get(URL + EXAMPLE_CC + "?condition=2", headers=BCS_HEADERS)
    every = client.get(URL + EXAMPLE_CC + "?condition=3", headers=BCS_HEADERS)
    assert expired.json["govIssueIdent"]["postAddr"] == []
    assert len(every.json["govIssueIdent"]["postAddr"]) == 2


def test_credentials_are_required(client):
    response = client.get(URL + EXAMPLE_CC)
    assert_bcs_error(response, 401, "1004")


def test_unknown_customer_is_51011(client):
    detail = assert_bcs_error(client.get(URL + "11111", headers=BCS_HEADERS), 400, "51011")
    assert detail["errorType"] == "STA"
    assert detail["errorDesc"].startswith("CLIENTE NO EXISTE BCSC")


def test_a_known_number_under_another_type_is_51011(client):
    response = client.get(URL + EXAMPLE_CC + "?govIssueIdentType=CE", headers=BCS_HEADERS)
    assert_bcs_error(response, 400, "51011")


def test_invalid_action_is_50005(client):
    response = client.get(URL + EXAMPLE_CC + "?action=X", headers=BCS_HEADERS)
    detail = assert_bcs_error(response, 404, "50005")
    assert "action" in detail["errorDesc"]


@pytest.mark.parametrize("query, field", [("condition=9", "condition"),
                                          ("govIssueIdentType=XX", "govIssueIdentType")])
def test_values_outside_the_documented_ones_are_bad_requests(client, query, field):
    detail = assert_bcs_error(client.get(URL + EXAMPLE_CC + "?" + query, headers=BCS_HEADERS),
                              400, "1")
    assert field in detail["errorDesc"]


def test_non_numeric_number_is_50555_and_a_short_nit_50609(client):
    assert_bcs_error(client.get(URL + "12A45", headers=BCS_HEADERS), 404, "50555")
    response = client.get(URL + "12345?govIssueIdentType=NI", headers=BCS_HEADERS)
    assert_bcs_error(response, 404, "50609")


def test_a_passport_number_may_carry_letters(client):
    response = client.get(URL + "AB123456?govIssueIdentType=PA", headers=BCS_HEADERS)
    assert_bcs_error(response, 400, "51011")


def test_the_routes_follow_a_configured_base_path():
    from sandbox import create_app
    from tests.conftest import make_config
    client = create_app(make_config(bcs_base_path="/bcs/v9")).test_client()
    response = client.get("/bcs/v9/customer-management/v1/location/" + EXAMPLE_CC,
                          headers=BCS_HEADERS)
    assert response.status_code == 200
    assert client.get(URL + EXAMPLE_CC, headers=BCS_HEADERS).status_code == 404


@pytest.mark.parametrize("operation, example", [
    ("customer_locations", "004_locations_response"), ("channel_contact", "004_contact_response"),
    ("remittances_basic_data", "004_remittances_response"),
    ("secure_data", "004_secure_data_response"), ("sync_data", "004_sync_data_response"),
    ("sync_data_file", "004_sync_data_file_response"), ("query_pila", "004_pila_response")])
def test_each_profile_route_documents_a_response_example_of_the_seed_shape(sandbox, operation,
                                                                           example):
    from tests.bcs_profile_support import shape_differences
    meta = sandbox.operations[operation].meta
    assert meta["seed"] == "004"
    assert shape_differences(meta["response_example"], seed_example(example)) == []


def test_a_customer_created_with_post_customer_shows_its_locations(client):
    from tests.bcs_profile_support import create_customer
    create_customer(client, "1012345678")
    response = client.get(URL + "1012345678?govIssueIdentType=CC", headers=BCS_HEADERS)
    assert response.status_code == 200
    assert_shape(response.json, "004_locations_response")
    ident = response.json["govIssueIdent"]
    assert ident["fullName"] == "CARLOS MARIO DE_FRANCISCO LOPEZ"
    residence = ident["postAddr"][0]
    assert (residence["addr1"], residence["city"]["code"]) == ("XXXXXXXXXXXX", "05001")
    assert "correo@gmail.com" in [e["emailAddr"] for e in ident["emailFromInfo"]]


def test_a_nit_with_a_wrong_check_digit_is_50545(client):
    response = client.get(URL + "8909039381?govIssueIdentType=NI", headers=BCS_HEADERS)
    assert_bcs_error(response, 404, "50545")
