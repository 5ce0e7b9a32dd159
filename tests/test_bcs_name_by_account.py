"""GET /customer-management/customer/identserialnum/{identserialnum}/acctid/{acctid} (seed 004)."""
from __future__ import annotations

import pytest

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error
from tests.conftest import seed_example


def url(number: str, acct_id: str, query: str = "") -> str:
    return f"{BASE}/customer-management/customer/identserialnum/{number}/acctid/{acct_id}{query}"


def test_the_seed_example(client):
    response = client.get(url("52345678", "24500000017"), headers=JSON_HEADERS)
    assert response.status_code == 200
    assert response.json == seed_example("004_name_by_account_response")


def test_the_create_examples_customer_and_account(client):
    response = client.get(url("1234567890", "24567890123", "?govIssueIdentType=CC"),
                          headers=JSON_HEADERS)
    assert response.json == {"custInfo": {"personName": {
        "fullName": "JEIMY VANESSA INTENCIPA BONILLA"}}}


def test_an_unknown_account_is_05620(client):
    detail = assert_bcs_error(client.get(url("1234567890", "1"), headers=JSON_HEADERS), 404, "05620")
    assert detail["errorType"] == "RGN"
    assert detail["errorDesc"].startswith("NO EXISTE NÚMERO DE CUENTA")


def test_an_account_without_holder_is_05621(client):
    detail = assert_bcs_error(client.get(url("1234567890", "24000000019"), headers=JSON_HEADERS),
                              404, "05621")
    assert detail["errorDesc"].startswith("NO EXISTE TITULAR PARA LA CTA")


def test_a_customer_who_does_not_hold_the_account_is_05622(client):
    detail = assert_bcs_error(client.get(url("1234567890", "12321414"), headers=JSON_HEADERS),
                              400, "05622")
    assert detail["errorDesc"].startswith("CLIENTE NO ES TITULAR DE LA CUENTA")


@pytest.mark.parametrize("number, query", [("999", ""), ("52345678", "?govIssueIdentType=CE")])
def test_a_number_that_is_no_customer_is_sqlcode(client, number, query):
    detail = assert_bcs_error(client.get(url(number, "24500000017", query), headers=JSON_HEADERS),
                              404, "SQLCODE")
    assert (detail["errorType"], detail["errorDesc"].split(" (")[0]) == (
        "ORA", "NO EXISTE REGISTRO CC0105CLIENTNUM")
