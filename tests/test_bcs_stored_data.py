"""Every answer is what a client stored or a fixture holds, never filled in on read: a customer a
client writes holds only what it sent (the same gap answers the same, whoever wrote it), and a
place's name always comes from its code, from one table (scenarios/data/bcs_fixtures.yaml)."""
from __future__ import annotations

from tests.bcs_profile_support import (CONTACT, FIXTURE_CC, JSON_HEADERS, LOCATION,
                                        REMITTANCES, SYNC, V1, V2, V4, assert_bcs_error)
from tests.conftest import seed_example
from tests.test_bcs_create import CREATE, new_customer

NUMBER = "1012345678"
# The create example's fields a client may leave out: financial, business and birth data.
FINANCIAL = ("personInfo.income", "personInfo.otherIncome", "personInfo.expense",
             "personInfo.finalcialAssets", "personInfo.financialLiabilities",
             "personInfo.originResources", "personInfo.adminResources")
BUSINESS = ("businessActivity", "businessOcupation", "businessProfession",
            "businessProfessionGeneral", "businessProfessionSpecific")


def create(client, *left_out: str, number: str = NUMBER) -> None:
    body = new_customer(number, **{path: None for path in left_out})
    response = client.post(CREATE, json=body, headers=JSON_HEADERS)
    assert response.status_code == 200, response.json


def get(client, url: str) -> dict:
    response = client.get(url, headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    return response.json


# -- a written customer holds what the client sent ----------------------------------------------
def test_a_customer_created_without_income_has_incomplete_data_like_an_intake(client):
    create(client, *FINANCIAL)
    created = assert_bcs_error(client.get(CONTACT + NUMBER, headers=JSON_HEADERS), 400, "51041")
    intake = seed_example("004_sync_data_request")
    intake["govIssueIdent"]["mNemonic"] = "CC1098765432"
    intake["listAccounts"][0]["depAcctId"]["acctId"] = "21009990001"
    assert client.post(SYNC, json=intake, headers=JSON_HEADERS).status_code == 200
    synced = assert_bcs_error(client.get(CONTACT + "1098765432", headers=JSON_HEADERS),
                              400, "51041")
    assert "income" in created["errorDesc"] and "income" in synced["errorDesc"]


def test_a_created_customer_answers_only_the_financial_and_business_data_it_sent(client):
    create(client, *BUSINESS, "personInfo.expense", "personInfo.finalcialAssets")
    body = get(client, CONTACT + NUMBER)
    assert body["incomeInfo"] == {"incomeAmt": "25000000.00"}
    assert body["financialLiabilities"] == {"amt": "25000000.00"}
    # Not sent, not invented: no expenses, assets, family heritage (create has no such field)
    # nor occupation codes.
    assert body["expenses"] == {"amt": ""} and body["financialAssets"] == {"amt": ""}
    assert body["familyHeritage"] == {"amt": ""}
    assert body["businessOccupation"] == {"code": ""}
    assert body["businessProfessionGeneral"] == {"code": ""}
    assert body["businessProfessionSpecific"] == {"code": ""}


def test_a_created_customer_answers_no_invented_identity_or_consent(client):
    create(client, "personInfo.govIssueIdent", "naturalPerson", "personInfo.maritalStatus",
           "personInfo.maritalDesc", "clientType")
    person = get(client, f"{REMITTANCES}{NUMBER}?govIssueIdentType=CC")["personInfo"]
    assert person["govIssueIdent"] == {"govIssueIdentType": "CC", "identSerialNum": NUMBER,
                                       "expCityId": "", "issDt": "", "city": "", "country": ""}
    assert person["country"] == ""
    assert person["businessActivity"]["certCode"] == ""
    remittances = get(client, f"{REMITTANCES}{NUMBER}?govIssueIdentType=CC")
    # No secure-data answer stored: no consent given.
    assert remittances["compliance"] == {"termsConditions": False, "personDataProcessing": False}
    assert remittances["pmtReferences"] == {"actualizeStatus": {"updateRefId": "",
                                                                "branchId": ""}}
    locations = get(client, LOCATION + NUMBER)["govIssueIdent"]
    assert locations["personType"] == ""


def test_the_fixture_persons_keep_what_their_fixture_holds(client):
    body = get(client, CONTACT + "52345678")
    assert body["incomeInfo"] == {"incomeAmt": "2500000.00"}
    assert body["businessOccupation"] == {"code": "01"}
    compliance = get(client, f"{REMITTANCES}52345678?govIssueIdentType=CC")["compliance"]
    assert compliance == {"termsConditions": True, "personDataProcessing": True}


# -- names from codes ---------------------------------------------------------------------------
def test_a_created_customers_place_names_come_from_their_codes(client):
    create(client)  # expCityId 05001, postAddr cityId 05001 and city "Medellin"
    person = get(client, f"{REMITTANCES}{NUMBER}?govIssueIdentType=CC")
    ident = person["personInfo"]["govIssueIdent"]
    assert (ident["expCityId"], ident["city"]) == ("05001", "MEDELLIN")
    address = person["listAddress"][0]["postAddr"]
    assert (address["cityId"], address["city"], address["stateProv"]) == (
        "05001", "MEDELLIN", "ANTIOQUIA")
    located = get(client, LOCATION + NUMBER)["govIssueIdent"]["postAddr"][0]
    assert located["city"] == {"code": "05001", "desc": "MEDELLIN"}
    assert located["stateProv"] == {"code": "05000", "desc": "ANTIOQUIA"}
    v1 = get(client, f"{V1}?mnemonic=CC{NUMBER}")["postAddr"]
    assert (v1["city"], v1["cityId"], v1["stateProv"]) == ("MEDELLIN", "05001", "05000")
    v2 = get(client, f"{V2}?mnemonic=CC{NUMBER}")
    assert (v2["city"], v2["stateProv"]) == ("MEDELLIN", "ANTIOQUIA")
    v4 = get(client, f"{V4}?govIssueIdentType=CC&identSerialNum={NUMBER}")
    assert v4["personInfo"]["postAddr"][0]["stateProv"] == "05000"


def test_the_fixture_issue_city_is_the_name_of_its_code(client):
    ident = get(client, f"{REMITTANCES}{FIXTURE_CC}?govIssueIdentType=CC")["personInfo"][
        "govIssueIdent"]
    assert (ident["expCityId"], ident["city"]) == ("05001", "MEDELLIN")


def test_every_fixture_place_name_is_the_name_of_its_code(client, sandbox):
    from sandbox.apis.bcs.fixtures import data
    cities = {code: (name, state, state_name) for code, name, state, state_name in data()["cities"]}
    for customer in sandbox.fixtures["bcs_customer"].values():
        number = customer["govIssueIdent"]["identSerialNum"]
        body = get(client, LOCATION + number + "?condition=3")
        for address in body["govIssueIdent"]["postAddr"]:
            name, state, state_name = cities[address["city"]["code"]]
            assert address["city"]["desc"] == name, number
            assert address["stateProv"] == {"code": state, "desc": state_name}, number


def test_an_unknown_code_has_no_name_rather_than_the_name_sent(client):
    body = new_customer(NUMBER, **{"contactInfo.postAddr.cityId": "0112",
                                   "contactInfo.postAddr.city": "Bogota"})
    assert client.post(CREATE, json=body, headers=JSON_HEADERS).status_code == 200
    located = get(client, LOCATION + NUMBER)["govIssueIdent"]["postAddr"][0]
    assert located["city"] == {"code": "0112", "desc": ""}


def test_a_place_sent_without_its_code_keeps_the_name_sent(client):
    create(client, "contactInfo.postAddr.cityId")
    located = get(client, LOCATION + NUMBER)["govIssueIdent"]["postAddr"][0]
    assert located["city"] == {"code": "", "desc": "Medellin"}
