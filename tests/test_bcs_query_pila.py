"""POST /customer-management/v1/query-pila (seed 004, Consult PILA)."""
import re

import pytest

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error, assert_shape
from tests.conftest import seed_example

URL = BASE + "/customer-management/v1/query-pila"


def pila(invoice_num="98765432", aportante="900123456", acct_id="12321414") -> dict:
    body = seed_example("004_pila_request")
    body["trn"]["invoiceInfo"] = {"invoiceNum": invoice_num, "identSerialNum": aportante}
    body["trn"]["depAcctIdTo"]["acctId"] = acct_id
    return body


def test_the_seed_request_gets_the_seed_response(client):
    response = client.post(URL, json=seed_example("004_pila_request"), headers=JSON_HEADERS)
    assert response.status_code == 200
    assert response.json == seed_example("004_pila_response")


def test_another_planilla_answers_the_example_shape_with_realistic_values(client):
    response = client.post(URL, json=pila(), headers=JSON_HEADERS)
    assert response.status_code == 200
    assert_shape(response.json, "004_pila_response")
    trn = response.json["trn"]
    assert trn["invoiceInfo"]["identSerialNum"] == "900123456"
    assert re.fullmatch(r"\d{4}-\d{2}", trn["validityPeriodInfo"]["validityPeriod"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", trn["dueDt"])
    assert trn["curAmt"]["amt"] > 0 and trn["curAmt"]["amt"] % 100 == 0


def test_the_same_planilla_answers_the_same(client):
    first = client.post(URL, json=pila(), headers=JSON_HEADERS).json
    assert client.post(URL, json=pila(), headers=JSON_HEADERS).json == first
    assert client.post(URL, json=pila("11223344"), headers=JSON_HEADERS).json != first


def test_the_mapping_spelling_invoice_info_is_accepted(client):
    body = pila()
    info = body["trn"].pop("invoiceInfo")
    body["trn"]["InvoiceInfo"] = {"InvoiceNum": info["invoiceNum"],
                                  "identSerialNum": info["identSerialNum"]}
    assert client.post(URL, json=body, headers=JSON_HEADERS).status_code == 200


def test_credentials_are_required(client):
    response = client.post(URL, json=pila())
    assert_bcs_error(response, 401, "1004", "ER500")
    assert_shape(response.json, "004_pila_error")


def test_missing_fields_are_00001_naming_them(client):
    body = pila()
    del body["trn"]["invoiceInfo"]["invoiceNum"]
    del body["trn"]["transactionHour"]
    detail = assert_bcs_error(client.post(URL, json=body, headers=JSON_HEADERS), 400, "00001",
                              "ER500")
    assert "trn.invoiceInfo.invoiceNum" in detail["errorDesc"]
    assert "trn.transactionHour" in detail["errorDesc"]


@pytest.mark.parametrize("change, field", [
    (lambda t: t.update(transactionHour="25:61:00"), "trn.transactionHour"),
    (lambda t: t["depAcctIdTo"].update(acctId=12321414), "trn.depAcctIdTo.acctId"),
])
def test_malformed_values_are_bad_requests(client, change, field):
    body = pila()
    change(body["trn"])
    detail = assert_bcs_error(client.post(URL, json=body, headers=JSON_HEADERS), 400, "1", "ER500")
    assert field in detail["errorDesc"]


def test_an_account_that_does_not_exist_is_05620(client):
    response = client.post(URL, json=pila(acct_id="11111111"), headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 404, "05620", "ER500")
    assert "trn.depAcctIdTo.acctId" in detail["errorDesc"]


def test_a_non_numeric_aportante_is_50555(client):
    response = client.post(URL, json=pila(aportante="90012345X"), headers=JSON_HEADERS)
    assert_bcs_error(response, 404, "50555", "ER500")


def test_the_documented_headers_are_accepted_and_a_malformed_process_date_refused(client):
    headers = {**JSON_HEADERS, "X-Invoker-Channel": "13", "X-Invoker-BranchId": "1108",
               "X-Invoker-ProcessDate": "2023-05-02", "X-Invoker-TxId": "APIF4087320000000001",
               "X-Invoker-ProcessId": "020000000001", "X-Invoker-User": "NEWCBSER"}
    assert client.post(URL, json=pila(), headers=headers).status_code == 200
    response = client.post(URL, json=pila(), headers={**headers, "X-Invoker-ProcessDate": "02/05/2023"})
    detail = assert_bcs_error(response, 400, "1", "ER500")
    assert "X-Invoker-ProcessDate" in detail["errorDesc"]
