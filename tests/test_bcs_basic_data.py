"""GET basicData v1 / v2 (by mnemonic) and v4 (by identification or cellphone), seed 004."""
from __future__ import annotations

import pytest

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error, shape_differences
from tests.conftest import seed_example

V1 = BASE + "/customerAccountManagement/v1/BasicData"
V2 = BASE + "/customerAccountManagement/v2/basicData"
V4 = BASE + "/customerAccountManagement/v4/basicData"

# v1 and v2 have no response example in the seed, only their fields: the sandbox's shapes
# (docs/bcs.md, "v1 and v2 shapes"), filled with the fixture CC 1234567890.
V1_EXAMPLE = {
    "responseType": {"value": "OK"},
    "personName": {"firstName": "JEIMY", "middleName": "VANESSA", "lastName": "INTENCIPA",
                   "secondLastName": "BONILLA", "fullName": "JEIMY VANESSA INTENCIPA BONILLA"},
    "personInfo": {"birthDt": "1967-08-27"},
    "OrgId": {"orgIdType": "CC", "orgIdNum": "1234567890"},
    "postAddr": {"addr1": "CL 9 A SUR 1 74 ESTE", "city": "LA TEBAIDA", "cityId": "63401",
                 "stateProv": "63000", "country": "CO"},
    "govIssueIdent": {"govIssueIdentType": "CC", "identSerialNum": "1234567890"},
    "contactInfo": {"emailAddr": "prueba11@fs.net", "phone": "2767888", "cellPhone": "3200000002"},
}
V2_EXAMPLE = {
    "responseType": {"value": "OK"}, "fullName": "JEIMY VANESSA INTENCIPA BONILLA",
    "firstName": "JEIMY VANESSA", "lastName": "INTENCIPA BONILLA", "birthDt": "1967-08-27",
    "orgIdType": "CC", "orgIdNum": "1234567890", "addr1": "CL 9 A SUR 1 74 ESTE",
    "city": "LA TEBAIDA", "stateProv": "QUINDIO", "country": "CO", "govIssueIdentType": "CC",
    "identSerialNum": "1234567890", "emailAddr": "prueba11@fs.net", "phone": "2767888",
    "cellPhone": "3200000002",
}


def test_v4_by_identification_answers_the_seed_example(client):
    response = client.get(V4 + "?govIssueIdentType=CC&identSerialNum=1234567890",
                          headers=JSON_HEADERS)
    assert response.status_code == 200
    assert response.json == seed_example("004_basic_data_v4_response")


def test_v4_by_cellphone_answers_the_seed_example(client):
    """The seed's own request: /v4/basicData?cellphone=1234567890."""
    response = client.get(V4 + "?cellphone=1234567890", headers=JSON_HEADERS)
    assert response.status_code == 200
    assert response.json == seed_example("004_basic_data_v4_response")


@pytest.mark.parametrize("query", ["?cellphone=1234567890&govIssueIdentType=CC",
                                   "?cellphone=3009999999&govIssueIdentType=CC&identSerialNum=1234567890"])
def test_v4_identification_wins_and_cellphone_fills_in(client, query):
    response = client.get(V4 + query, headers=JSON_HEADERS)
    assert response.json == seed_example("004_basic_data_v4_response")


def test_v4_by_contact_cellphone(client):
    response = client.get(V4 + "?cellphone=3200000002", headers=JSON_HEADERS)
    assert response.json["personInfo"]["govIssueIdent"]["identSerialNum"] == "1234567890"


def test_v1_and_v2_for_the_fixture(client):
    assert client.get(V1 + "?mnemonic=CC1234567890", headers=JSON_HEADERS).json == V1_EXAMPLE
    assert client.get(V2 + "?mnemonic=CC1234567890", headers=JSON_HEADERS).json == V2_EXAMPLE


def test_a_lower_case_mnemonic_is_read(client):
    response = client.get(V1 + "?mnemonic=cc1234567890", headers=JSON_HEADERS)
    assert response.json["govIssueIdent"]["identSerialNum"] == "1234567890"


def test_every_fixture_customer_answers_every_version_in_shape(client, sandbox):
    v4_example = seed_example("004_basic_data_v4_response")
    customers = sandbox.fixtures["bcs_customer"].values()
    assert len(customers) >= 30
    for customer in customers:
        ident = customer["govIssueIdent"]
        mnemonic = ident["govIssueIdentType"] + ident["identSerialNum"]
        for url, example in ((f"{V1}?mnemonic={mnemonic}", V1_EXAMPLE),
                             (f"{V2}?mnemonic={mnemonic}", V2_EXAMPLE),
                             (f"{V4}?govIssueIdentType={ident['govIssueIdentType']}"
                              f"&identSerialNum={ident['identSerialNum']}", v4_example),
                             (f"{V4}?cellphone={customer['cellPhone']}", v4_example)):
            response = client.get(url, headers=JSON_HEADERS)
            assert response.status_code == 200, (url, response.json)
            assert shape_differences(response.json, example) == [], url


def test_generated_customers_are_colombian(sandbox):
    generated = [c for c in sandbox.fixtures["bcs_customer"].values()
                 if c["remittances"]["cspRefId"] >= 100]
    assert len(generated) == 25
    for customer in generated:
        assert customer["govIssueIdent"]["identSerialNum"].isdigit()
        assert customer["cellPhone"].startswith("3") and len(customer["cellPhone"]) == 10
        for address in customer["postAddr"]:
            assert len(address["cityId"]) == 5 and address["stateProv"] == address["cityId"][:2] + "000"
        assert customer["financial"]["incomeAmt"].endswith(".00")
        assert customer["accounts"] and customer["personName"]["fullName"].isupper()


def test_the_same_seed_generates_the_same_customers():
    from sandbox import create_app
    from tests.conftest import make_config
    first = create_app(make_config(seed=7)).extensions["sandbox"].fixtures["bcs_customer"]
    again = create_app(make_config(seed=7)).extensions["sandbox"].fixtures["bcs_customer"]
    other = create_app(make_config(seed=8)).extensions["sandbox"].fixtures["bcs_customer"]
    assert first == again and first != other


@pytest.mark.parametrize("url", [V1, V2])
def test_v1_v2_without_mnemonic_is_00001(client, url):
    detail = assert_bcs_error(client.get(url, headers=JSON_HEADERS), 400, "00001")
    assert detail == {"errorCode": "00001", "errorType": "DAT",
                      "errorDesc": "User required fields are missing. (mnemonic)"}
    assert_bcs_error(client.get(url + "?mnemonic=", headers=JSON_HEADERS), 400, "00001")


@pytest.mark.parametrize("url", [V1, V2])
@pytest.mark.parametrize("mnemonic", ["1234567890", "CC", "CC-12", "CCABC"])
def test_v1_v2_malformed_mnemonic_is_bad_request(client, url, mnemonic):
    detail = assert_bcs_error(client.get(f"{url}?mnemonic={mnemonic}", headers=JSON_HEADERS),
                              400, "1")
    assert detail["errorDesc"].startswith("BAD REQUEST. (mnemonic")


@pytest.mark.parametrize("url", [V1, V2])
def test_v1_v2_unknown_customer_is_1006(client, url):
    detail = assert_bcs_error(client.get(url + "?mnemonic=CC1", headers=JSON_HEADERS), 404, "1006")
    assert detail["errorDesc"].startswith("NO FOUND")
    # Same number, another type: another person.
    assert_bcs_error(client.get(url + "?mnemonic=CE1234567890", headers=JSON_HEADERS), 404, "1006")


@pytest.mark.parametrize("query", ["", "?govIssueIdentType=CC", "?identSerialNum=1234567890",
                                   "?cellphone="])
def test_v4_without_identification_or_cellphone_is_00001(client, query):
    assert_bcs_error(client.get(V4 + query, headers=JSON_HEADERS), 400, "00001")


def test_v4_non_numeric_cellphone_is_50562(client):
    detail = assert_bcs_error(client.get(V4 + "?cellphone=31O0000000", headers=JSON_HEADERS),
                              404, "50562")
    assert detail["errorType"] == "STA"


@pytest.mark.parametrize("query", ["?cellphone=3009999999",
                                   "?govIssueIdentType=CC&identSerialNum=1"])
def test_v4_unknown_customer_is_1006(client, query):
    assert_bcs_error(client.get(V4 + query, headers=JSON_HEADERS), 404, "1006")
