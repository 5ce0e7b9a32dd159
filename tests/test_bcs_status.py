"""POST /customer-management/v1/status-basic-data (seed 004, Consult Owner)."""
from __future__ import annotations

import copy

import pytest

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error, shape_differences
from tests.conftest import seed_example

STATUS = BASE + "/customer-management/v1/status-basic-data"


def body_for(acct_id: str | None) -> dict:
    body = copy.deepcopy(seed_example("004_status_request"))
    if acct_id is None:
        del body["trn"]["depAcctIdTo"]["acctId"]
    else:
        body["trn"]["depAcctIdTo"]["acctId"] = acct_id
    return body


def test_the_seed_request_answers_the_holder_in_the_seed_shape(client):
    response = client.post(STATUS, json=seed_example("004_status_request"), headers=JSON_HEADERS)
    assert response.status_code == 200
    assert shape_differences(response.json, seed_example("004_status_response")) == []
    assert response.json == {"responseType": {"value": "OK"},
                             "trn": {"personName": {"fullName": "DIEGO MARIO CAPERA PAZ"},
                                     "depAcctId": {"acctId": "12321414"}}}


def test_the_deposit_account_is_the_one_consulted(client):
    body = body_for("24567890123")
    assert body["trn"]["depAcctIdFrom"]["acctId"] == "12321414"
    trn = client.post(STATUS, json=body, headers=JSON_HEADERS).json["trn"]
    assert trn == {"personName": {"fullName": "JEIMY VANESSA INTENCIPA BONILLA"},
                   "depAcctId": {"acctId": "24567890123"}}


def test_errors_use_the_documented_er500_envelope(client):
    response = client.post(STATUS, json=body_for("1"), headers=JSON_HEADERS)
    assert shape_differences(response.json, seed_example("004_status_error")) == []
    assert_bcs_error(response, 404, "05620", "ER500")


def test_an_account_without_holder_is_05621(client):
    assert_bcs_error(client.post(STATUS, json=body_for("24000000019"), headers=JSON_HEADERS),
                     404, "05621", "ER500")


@pytest.mark.parametrize("body, field", [({}, "trn"), (body_for(None), "trn.depAcctIdTo.acctId"),
                                         ({"trn": {}}, "trn.depAcctIdTo")])
def test_missing_account_is_00001(client, body, field):
    detail = assert_bcs_error(client.post(STATUS, json=body, headers=JSON_HEADERS), 400, "00001",
                              "ER500")
    assert detail["errorDesc"] == f"User required fields are missing. ({field})"


@pytest.mark.parametrize("path, value", [("transactionHour", "25:00:00"),
                                         ("transactionHour", "3pm"), ("branchName", 7)])
def test_wrong_formats_are_bad_request(client, path, value):
    body = copy.deepcopy(seed_example("004_status_request"))
    body["trn"][path] = value
    detail = assert_bcs_error(client.post(STATUS, json=body, headers=JSON_HEADERS), 400, "1",
                              "ER500")
    assert f"trn.{path}" in detail["errorDesc"]
