"""GET /customers-management/v1/remittances/basic-data/{identserialnum} (seed 004, Remittances)."""
import pytest

from tests.bcs_profile_support import BASE, FIXTURE_CC, assert_bcs_error, assert_shape
from tests.conftest import BCS_HEADERS

URL = BASE + "/customers-management/v1/remittances/basic-data/"


@pytest.mark.parametrize("ident_type", ["C.C.", "CC", "cc"])
def test_the_fixture_customer_answers_the_example_shape(client, ident_type):
    response = client.get(f"{URL}{FIXTURE_CC}?govIssueIdentType={ident_type}",
                          headers=BCS_HEADERS)
    assert response.status_code == 200
    assert_shape(response.json, "004_remittances_response")
    person = response.json["personInfo"]
    # The example writes "Bogota D.C" beside expCityId 05001: a name comes from its code.
    assert person["govIssueIdent"] == {"govIssueIdentType": "CC", "identSerialNum": FIXTURE_CC,
                                       "expCityId": "05001", "issDt": "2022-12-11",
                                       "city": "MEDELLIN", "country": "CO"}
    assert response.json["beneficiary"][0]["personInfo"]["firstName"] == "CARLOS"
    assert response.json["senderPmtInfo"] == [{"cspRefId": 2, "type": "VLRING", "rank": "VLRING"}]


def test_every_fixture_customer_answers_the_example_shape(client, sandbox):
    for customer in sandbox.fixtures["bcs_customer"].values():
        ident = customer["govIssueIdent"]
        response = client.get(f"{URL}{ident['identSerialNum']}?govIssueIdentType="
                              f"{ident['govIssueIdentType']}", headers=BCS_HEADERS)
        assert response.status_code == 200
        assert_shape(response.json, "004_remittances_response")


def test_credentials_are_required(client):
    response = client.get(f"{URL}{FIXTURE_CC}?govIssueIdentType=CC")
    assert_bcs_error(response, 401, "1004", "ER400")


def test_the_identification_type_is_mandatory(client):
    detail = assert_bcs_error(client.get(URL + FIXTURE_CC, headers=BCS_HEADERS),
                              400, "00001", "ER400")
    assert "govIssueIdentType" in detail["errorDesc"]


def test_an_unknown_type_is_a_bad_request(client):
    response = client.get(f"{URL}{FIXTURE_CC}?govIssueIdentType=XX", headers=BCS_HEADERS)
    assert_bcs_error(response, 400, "1", "ER400")


def test_a_number_over_20_characters_is_a_bad_request(client):
    response = client.get(f"{URL}{'1' * 21}?govIssueIdentType=CC", headers=BCS_HEADERS)
    assert_bcs_error(response, 400, "1", "ER400")


def test_unknown_customer_is_not_found(client):
    response = client.get(f"{URL}11111?govIssueIdentType=CC", headers=BCS_HEADERS)
    assert_bcs_error(response, 404, "1006", "ER400")


def test_a_magic_number_forces_its_catalog_row_in_the_er400_envelope(client):
    response = client.get(f"{URL}99950628?govIssueIdentType=CC", headers=BCS_HEADERS)
    detail = assert_bcs_error(response, 400, "50628", "ER400")
    assert detail["errorDesc"].startswith("APERTURA DE PRODUCTO TEMPORALMENTE SUSPENDIDA")


def test_a_forced_error_header_answers_in_the_er400_envelope(client):
    response = client.get(f"{URL}{FIXTURE_CC}?govIssueIdentType=CC",
                          headers={**BCS_HEADERS, "X-Sandbox-Error": "51011:2"})
    assert_bcs_error(response, 400, "51011", "ER400")


def test_a_customer_created_with_post_customer_is_a_remittances_customer(client):
    from tests.bcs_profile_support import create_customer
    create_customer(client, "1012345678")
    response = client.get(f"{URL}1012345678?govIssueIdentType=C.C.", headers=BCS_HEADERS)
    assert response.status_code == 200
    assert_shape(response.json, "004_remittances_response")
    person = response.json["personInfo"]
    assert person["personName"] == {"lastName": "DE_FRANCISCO", "secondLastName": "LOPEZ",
                                    "firstName": "CARLOS", "middleName": "MARIO"}
    assert person["cspRefId"] >= 1000
    assert person["emailAddr"] == "correo@gmail.com"


def test_a_malformed_process_date_header_is_a_bad_request(client):
    response = client.get(f"{URL}{FIXTURE_CC}?govIssueIdentType=CC",
                          headers={**BCS_HEADERS, "X-Invoker-ProcessDate": "2023-13-02"})
    assert_bcs_error(response, 400, "1", "ER400")
