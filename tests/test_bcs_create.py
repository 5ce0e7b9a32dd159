"""POST /customer-account-management/v1/customer (seed 004, Create Customer and Account)."""
from __future__ import annotations

import copy

import pytest

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error, shape_differences
from tests.conftest import seed_example

CREATE = BASE + "/customer-account-management/v1/customer"


def new_customer(number="1012345678", **changes) -> dict:
    """The seed's create example for another person; changes are dotted paths -> values."""
    body = copy.deepcopy(seed_example("004_create_request"))
    body["govIssueIdent"]["identSerialNum"] = number
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = body
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return body


def test_the_seed_request_gets_the_seed_response(client):
    """CC 1234567890 already holds the example's product: the example's own answer, exactly."""
    response = client.post(CREATE, json=seed_example("004_create_request"), headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    assert response.json == seed_example("004_create_response")


def test_a_new_customer_gets_a_new_account_in_the_seed_shape(client):
    response = client.post(CREATE, json=new_customer(), headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    assert shape_differences(response.json, seed_example("004_create_response")) == []
    account = response.json["depAcctStmtRec"]["depAcctId"]
    assert account["acctId"].startswith("24") and len(account["acctId"]) == 11
    assert account["acctId"] != "24567890123"
    assert response.json["pocketInfo"] == {"pocketType": "SI"}


def test_creating_again_updates_and_answers_the_same_account(client):
    first = client.post(CREATE, json=new_customer(), headers=JSON_HEADERS).json
    again = client.post(CREATE, json=new_customer(**{"personName.firstName": "CARLITOS"}),
                        headers=JSON_HEADERS).json
    assert again == first
    name = client.get(BASE + "/customerAccountManagement/v4/basicData?govIssueIdentType=CC"
                             "&identSerialNum=1012345678", headers=JSON_HEADERS).json
    assert name["personInfo"]["personName"]["firstName"] == "CARLITOS"
    other = client.post(CREATE, json=new_customer(**{"product.productId.ledgerCode": "21"}),
                        headers=JSON_HEADERS).json
    other_id = other["depAcctStmtRec"]["depAcctId"]["acctId"]
    assert other_id.startswith("21") and other_id != first["depAcctStmtRec"]["depAcctId"]["acctId"]


def test_the_minimal_body_is_enough(client):
    body = {"govIssueIdent": {"govIssueIdentType": "CC", "identSerialNum": "1020304050"},
            "personName": {"firstName": "ANA", "lastName": "RUIZ"},
            "personInfo": {"birthDt": "1990-01-31"}}
    response = client.post(CREATE, json=body, headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    assert shape_differences(response.json, seed_example("004_create_response")) == []


@pytest.mark.parametrize("field, code", [
    ("firstName", "50503"), ("middleName", "50504"), ("lastName", "50505"),
    ("secondLastName", "50506")])
@pytest.mark.parametrize("value", ["CARL0S", "ANA*", "JOSE#MARIA"])
def test_invalid_characters_in_names(client, field, code, value):
    response = client.post(CREATE, json=new_customer(**{f"personName.{field}": value}),
                           headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 404, code)
    assert detail["errorType"] == "STA"
    assert f"personName.{field}" in detail["errorDesc"]


def test_names_with_accents_underscores_and_spaces_are_valid(client):
    body = new_customer(**{"personName.firstName": "MARÍA JOSÉ", "personName.lastName": "DE LA PEÑA",
                           "personName.secondLastName": "O'NEILL"})
    assert client.post(CREATE, json=body, headers=JSON_HEADERS).status_code == 200


@pytest.mark.parametrize("ident_type, number", [("CC", "12345A789"), ("CC", "12.345.678"),
                                                ("CE", "E123456"), ("NI", "90012345-6")])
def test_a_non_numeric_identification_is_50555(client, ident_type, number):
    body = new_customer(number, **{"govIssueIdent.govIssueIdentType": ident_type})
    detail = assert_bcs_error(client.post(CREATE, json=body, headers=JSON_HEADERS), 404, "50555")
    assert detail["errorDesc"].startswith("EL NUMERO DE INDENTIFICACION DEBE SER NUMERICO")


def test_a_passport_may_carry_letters(client):
    body = new_customer("AB123456", **{"govIssueIdent.govIssueIdentType": "PA"})
    assert client.post(CREATE, json=body, headers=JSON_HEADERS).status_code == 200


@pytest.mark.parametrize("number, code", [("12345678", "50609"), ("12345678901", "50609"),
                                          ("8909039381", "50545")])
def test_nit_size_and_check_digit(client, number, code):
    body = new_customer(number, **{"govIssueIdent.govIssueIdentType": "NI"})
    assert_bcs_error(client.post(CREATE, json=body, headers=JSON_HEADERS), 404, code)


@pytest.mark.parametrize("number", ["890903938", "8909039388"])
def test_valid_nits(client, number):
    body = new_customer(number, **{"govIssueIdent.govIssueIdentType": "NI",
                                   "clientType.value": "J"})
    assert client.post(CREATE, json=body, headers=JSON_HEADERS).status_code == 200


def test_the_employer_identification_follows_the_same_rules(client):
    body = new_customer(**{"entpr.govIssueIdent.identSerialNum": "12X"})
    detail = assert_bcs_error(client.post(CREATE, json=body, headers=JSON_HEADERS), 404, "50555")
    assert "entpr.govIssueIdent.identSerialNum" in detail["errorDesc"]


@pytest.mark.parametrize("path, value", [("contactInfo.phoneNum.phone", "27678"),
                                         ("contactInfo.phoneNum.phone", "27a7888"),
                                         ("entprAgreement.phoneNum.phone", "123456789")])
def test_an_invalid_phone_is_50518(client, path, value):
    response = client.post(CREATE, json=new_customer(**{path: value}), headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 404, "50518")
    assert detail["errorDesc"].startswith("EL CAMPO TELEFONO NO CORRESPONDE A UN NUMERO VALIDO")
    assert path in detail["errorDesc"]


@pytest.mark.parametrize("path, value", [("contactInfo.additionalPhoneNum.phone", "2105556755"),
                                         ("contactInfo.phoneNumResidence.phone", "310555675"),
                                         ("contactInfo.additionalPhoneNumResidence.phone", "31O5556755")])
def test_an_invalid_cellphone_is_50562(client, path, value):
    response = client.post(CREATE, json=new_customer(**{path: value}), headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 404, "50562")
    assert path in detail["errorDesc"]


@pytest.mark.parametrize("path", ["govIssueIdent", "govIssueIdent.identSerialNum",
                                  "govIssueIdent.govIssueIdentType", "personName.firstName",
                                  "personName.lastName", "personInfo.birthDt"])
def test_required_fields_missing_are_00001(client, path):
    response = client.post(CREATE, json=new_customer(**{path: None}), headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 400, "00001")
    assert detail["errorType"] == "DAT"
    assert detail["errorDesc"] == f"User required fields are missing. ({path})"


def test_every_missing_field_is_named(client):
    response = client.post(CREATE, json={"personName": {}}, headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 400, "00001")
    for path in ("govIssueIdent", "personName.firstName", "personName.lastName", "personInfo"):
        assert path in detail["errorDesc"]


@pytest.mark.parametrize("path, value", [
    ("personName.firstName", 123), ("personInfo.birthDt", "11/12/2022"),
    ("personInfo.income.incomeAmt", "25,000"), ("personInfo.gender", "X"),
    ("personInfo.contactInfo.emailAddr", "not-an-email"), ("product.gmf", "maybe"),
    ("personName", "CARLOS")])
def test_wrong_types_and_formats_are_bad_request(client, path, value):
    response = client.post(CREATE, json=new_customer(**{path: value}), headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 400, "1")
    assert detail["errorType"] == "BDA"
    assert detail["errorDesc"].startswith(f"BAD REQUEST. ({path}:")


def test_malformed_json_and_wrong_content_type(client):
    bad = client.post(CREATE, data="{", headers=JSON_HEADERS)
    assert_bcs_error(bad, 400, "1")
    plain = client.post(CREATE, data="x", headers={**JSON_HEADERS, "Content-Type": "text/plain"})
    assert_bcs_error(plain, 415, "1")


BODIES = [seed_example("004_create_request"), new_customer(**{"personName.firstName": 123}),
          new_customer(**{"personInfo.birthDt": "2022-13-01"}), new_customer(**{"personName": None}),
          new_customer(**{"govIssueIdent": []}), new_customer(**{"personInfo.income.incomeAmt": "1.234"}),
          new_customer(**{"personInfo.contactInfo.emailAddr": "a@b"}), new_customer(**{"extra": {"x": 1}}),
          new_customer(**{"product.productId.ledgerCode": "2"}), new_customer(**{"personName.lastName": None}),
          {"govIssueIdent": {"govIssueIdentType": "CC", "identSerialNum": "1"},
           "personName": {"firstName": "A", "lastName": "B"}, "personInfo": {"birthDt": "2000-01-01"}}]


@pytest.mark.parametrize("body", BODIES)
def test_the_fast_check_and_marshmallow_agree(body):
    from sandbox.apis.bcs.customer_schemas import CHECKS, CREATE_CUSTOMER
    assert CHECKS[CREATE_CUSTOMER](body) == (CREATE_CUSTOMER.validate(body) == {})
