"""The shipped scenarios whose templates read the request body answer whatever body comes (a
list, a string where an object was expected): schemathesis found them answering 500."""
from __future__ import annotations

import pytest

from tests.conftest import BCS_HEADERS, CORE_AUTH

BCS = "/api/customersManagement/v1"
# (scenario, the path of its route, credentials, the status it answers)
SCENARIOS = [
    ("cliente-member-example", "/cliente", {}, 200),
    ("create-customer-new-account", BCS + "/customer-account-management/v1/customer",
     BCS_HEADERS, 200),
    ("status-basic-data-example", BCS + "/customer-management/v1/status-basic-data",
     BCS_HEADERS, 200),
    ("query-pila-example", BCS + "/customer-management/v1/query-pila", BCS_HEADERS, 200),
    ("onboarding-succeeds", "/core_product", CORE_AUTH, 201),
]
ODD_BODIES = [[1, 2], "text", 7, {"trn": "x", "product": [1], "numero_documento": {"a": 1}},
              {"trn": {"depAcctIdTo": "x", "invoiceInfo": [1]}}]


@pytest.mark.parametrize("scenario, path, headers, status", SCENARIOS)
@pytest.mark.parametrize("body", ODD_BODIES, ids=repr)
def test_a_scenario_answers_an_odd_body(client, scenario, path, headers, status, body):
    response = client.post(path, json=body, headers={**headers, "X-Sandbox-Scenario": scenario})
    assert response.status_code == status, response.get_data(as_text=True)


def test_the_echoes_still_echo(client):
    created = client.post(BCS + "/customer-account-management/v1/customer", headers={
        **BCS_HEADERS, "X-Sandbox-Scenario": "create-customer-new-account"},
        json={"product": {"gmf": "S"}, "pocketInfo": {"pocketType": "S"}}).get_json()
    assert created["depAcctStmtRec"]["depAcctId"]["gmf"] == "OK"
    assert created["pocketInfo"]["pocketType"] == "SI"
    status = client.post(BCS + "/customer-management/v1/status-basic-data", headers={
        **BCS_HEADERS, "X-Sandbox-Scenario": "status-basic-data-example"},
        json={"trn": {"depAcctIdTo": {"acctId": "555"}}}).get_json()
    assert status["trn"]["depAcctId"]["acctId"] == "555"
    pila = client.post(BCS + "/customer-management/v1/query-pila", headers={
        **BCS_HEADERS, "X-Sandbox-Scenario": "query-pila-example"},
        json={"trn": {"invoiceInfo": {"identSerialNum": "777"}}}).get_json()
    assert pila["trn"]["invoiceInfo"]["identSerialNum"] == "777"
    member = client.post("/cliente", headers={"X-Sandbox-Scenario": "cliente-member-example"},
                         json={"numero_documento": 42}).get_json()
    assert member["data"]["numero_documento"] == "42"
    product = client.post("/core_product", headers={**CORE_AUTH,
                                                    "X-Sandbox-Scenario": "onboarding-succeeds"},
                          json={"product_code": "AH02"}).get_json()
    assert product["accounts_info"][0]["account_product"] == "AH02"
