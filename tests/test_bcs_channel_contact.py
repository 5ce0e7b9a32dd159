"""GET /customer-management/v1/channel/contact/{identserialnum} (seed 004, Customer Data)."""
from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error, assert_shape
from tests.conftest import BCS_HEADERS, seed_example

URL = BASE + "/customer-management/v1/channel/contact/"
# The fixture person of the seed's contact example.
EXAMPLE_CC = "91234567"


def test_the_example_customer_answers_the_seed_example(client):
    response = client.get(URL + EXAMPLE_CC + "?govIssueIdentType=CC", headers=BCS_HEADERS)
    assert response.status_code == 200
    assert_shape(response.json, "004_contact_response")
    # The fixture was written from the example: every value is the example's.
    assert response.json == seed_example("004_contact_response")


def test_amounts_stay_strings(client):
    body = client.get(URL + EXAMPLE_CC, headers=BCS_HEADERS).json
    assert body["incomeInfo"]["incomeAmt"] == "4510000.00"
    assert body["personInfo"]["flagBindable"] is False


def test_every_fixture_customer_with_complete_data_answers_the_example_shape(client, sandbox):
    for customer in sandbox.fixtures["bcs_customer"].values():
        ident = customer["govIssueIdent"]
        response = client.get(f"{URL}{ident['identSerialNum']}?govIssueIdentType="
                              f"{ident['govIssueIdentType']}", headers=BCS_HEADERS)
        assert response.status_code == 200, response.json
        assert_shape(response.json, "004_contact_response")


def test_credentials_are_required(client):
    assert_bcs_error(client.get(URL + EXAMPLE_CC), 401, "1004")


def test_unknown_customer_is_51011(client):
    detail = assert_bcs_error(client.get(URL + "11111", headers=BCS_HEADERS), 400, "51011")
    assert detail["errorDesc"].startswith("CLIENTE NO EXISTE BCSC")


def test_non_numeric_number_is_50555(client):
    assert_bcs_error(client.get(URL + "9123X567", headers=BCS_HEADERS), 404, "50555")


def test_unknown_identification_type_is_a_bad_request(client):
    response = client.get(URL + EXAMPLE_CC + "?govIssueIdentType=ZZ", headers=BCS_HEADERS)
    assert_bcs_error(response, 400, "1")


def test_a_customer_known_only_from_an_intake_has_incomplete_data_51041(client):
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = "CC1098765432"
    body["listAccounts"][0]["depAcctId"]["acctId"] = "21009990001"
    assert client.post(BASE + "/v1/sync-data", json=body, headers=JSON_HEADERS).status_code == 200
    detail = assert_bcs_error(client.get(URL + "1098765432", headers=BCS_HEADERS), 400, "51041")
    assert "income" in detail["errorDesc"]


def test_a_customer_created_with_post_customer_shows_its_financial_data(client):
    from tests.bcs_profile_support import create_customer
    create_customer(client, "1012345678")
    response = client.get(URL + "1012345678?govIssueIdentType=CC", headers=BCS_HEADERS)
    assert response.status_code == 200, response.json
    assert_shape(response.json, "004_contact_response")
    assert response.json["incomeInfo"] == {"incomeAmt": "25000000.00"}
    assert response.json["postAddr"]["addr1"] == "XXXXXXXXXXXX"
    assert response.json["businessOccupation"] == {"code": "01"}


def test_completing_an_intake_customer_with_post_customer_ends_51041(client):
    from tests.bcs_profile_support import create_customer
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = "CC1012345678"
    body["listAccounts"][0]["depAcctId"]["acctId"] = "21009990003"
    client.post(BASE + "/v1/sync-data", json=body, headers=JSON_HEADERS)
    assert_bcs_error(client.get(URL + "1012345678", headers=BCS_HEADERS), 400, "51041")
    create_customer(client, "1012345678")
    response = client.get(URL + "1012345678", headers=BCS_HEADERS)
    assert response.status_code == 200
    assert response.json["incomeInfo"] == {"incomeAmt": "25000000.00"}
