"""One identification rule for the whole BCS family (sandbox/apis/bcs/identification.py): the same
types, the same way of writing them (C.C., cc, TI), the same length limit and number rules on
every route, path, query, body and mnemonic alike; each fault answers the row of the route's own
table (scenarios/data/bcs_identification.yaml)."""
from __future__ import annotations

import pytest

from tests.bcs_profile_support import (BASE, CONTACT, FIXTURE_CC, JSON_HEADERS, LOCATION,
                                        REMITTANCES, SYNC, V1, V2, V4, assert_bcs_error, PILA, SECURE)
from tests.conftest import seed_example
from tests.test_bcs_create import CREATE, new_customer

# The fixture holder of account 24567890123 (the create example's customer and account).
ACCOUNT = "24567890123"


def name_url(number: str, query: str = "") -> str:
    return f"{BASE}/customer-management/customer/identserialnum/{number}/acctid/{ACCOUNT}{query}"


def create(client, ident_type: str, number: str):
    body = new_customer(number, **{"govIssueIdent.govIssueIdentType": ident_type})
    return client.post(CREATE, json=body, headers=JSON_HEADERS)


def secure(client, ident_type: str, number: str):
    body = {"govIssueIdent": {"govIssueIdentType": ident_type, "identSerialNum": number},
            "compliance": [{"question": "preguntaATDP001", "answer": True}]}
    return client.put(SECURE, json=body, headers=JSON_HEADERS)


def intake(client, mnemonic: str):
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = mnemonic
    body["listAccounts"][0]["depAcctId"]["acctId"] = "21009990007"
    return client.post(SYNC, json=body, headers=JSON_HEADERS)


def pila(client, aportante: str):
    body = seed_example("004_pila_request")
    body["trn"]["invoiceInfo"]["identSerialNum"] = aportante
    return client.post(PILA, json=body, headers=JSON_HEADERS)


# -- create refuses what the reads refuse -------------------------------------------------------
@pytest.mark.parametrize("ident_type", ["XX", "C C X"])
def test_create_refuses_a_type_no_route_knows(client, ident_type):
    detail = assert_bcs_error(create(client, ident_type, "1012345678"), 400, "1")
    assert "govIssueIdent.govIssueIdentType" in detail["errorDesc"]


@pytest.mark.parametrize("field", ["govIssueIdentType", "identSerialNum"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_create_reads_an_empty_type_or_number_as_missing(client, field, blank):
    body = new_customer("1012345678", **{f"govIssueIdent.{field}": blank})
    detail = assert_bcs_error(client.post(CREATE, json=body, headers=JSON_HEADERS), 400, "00001")
    assert detail["errorDesc"] == f"User required fields are missing. (govIssueIdent.{field})"


def test_create_refuses_a_number_longer_than_the_reads_accept(client):
    number = "1" * 25
    detail = assert_bcs_error(create(client, "CC", number), 400, "1")
    assert "govIssueIdent.identSerialNum" in detail["errorDesc"] and "20" in detail["errorDesc"]
    # The longest number a read accepts is created, and found.
    assert create(client, "CC", "1" * 20).status_code == 200
    response = client.get(REMITTANCES + "1" * 20 + "?govIssueIdentType=CC", headers=JSON_HEADERS)
    assert response.status_code == 200


def test_the_employer_identification_follows_the_same_rule(client):
    body = new_customer(**{"entpr.govIssueIdent.govIssueIdentType": "XX"})
    detail = assert_bcs_error(client.post(CREATE, json=body, headers=JSON_HEADERS), 400, "1")
    assert "entpr.govIssueIdent.govIssueIdentType" in detail["errorDesc"]


# -- one way of writing a type -------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    V4 + "?govIssueIdentType={t}&identSerialNum=" + FIXTURE_CC,
    name_url(FIXTURE_CC, "?govIssueIdentType={t}"),
    LOCATION + FIXTURE_CC + "?govIssueIdentType={t}",
    CONTACT + FIXTURE_CC + "?govIssueIdentType={t}",
    REMITTANCES + FIXTURE_CC + "?govIssueIdentType={t}",
    V1 + "?mnemonic={t}" + FIXTURE_CC,
])
@pytest.mark.parametrize("written", ["C.C.", "c.c", "cc", " CC "])
def test_every_route_reads_the_type_however_it_is_written(client, url, written):
    response = client.get(url.format(t=written), headers=JSON_HEADERS)
    assert response.status_code == 200, response.json


def test_secure_data_reads_the_dotted_type(client):
    assert secure(client, "C.C.", FIXTURE_CC).status_code == 200


def test_a_customer_created_with_a_dotted_type_is_stored_in_the_seeds_words(client):
    assert create(client, "C.C.", "1012345678").status_code == 200
    response = client.get(V4 + "?govIssueIdentType=CC&identSerialNum=1012345678",
                          headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    assert response.json["personInfo"]["govIssueIdent"]["govIssueIdentType"] == "CC"


@pytest.mark.parametrize("written, stored", [("TI", "IT"), ("NIT", "NI")])
def test_the_colombian_abbreviations_are_the_seeds_types(client, written, stored):
    number = "1012345678" if stored == "IT" else "890903938"
    assert create(client, written, number).status_code == 200
    response = client.get(f"{V4}?govIssueIdentType={stored}&identSerialNum={number}",
                          headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    assert response.json["personInfo"]["govIssueIdent"]["govIssueIdentType"] == stored
    mnemonic = client.get(f"{V1}?mnemonic={written}{number}", headers=JSON_HEADERS)
    assert mnemonic.status_code == 200, mnemonic.json


def test_a_mnemonic_with_a_dotted_type_is_an_intake_of_that_type(client):
    assert intake(client, "C.C.1098765432").status_code == 200
    response = client.get(f"{V1}?mnemonic=CC1098765432", headers=JSON_HEADERS)
    assert response.status_code == 200, response.json


# -- each fault answers the route's own table ---------------------------------------------------
UNKNOWN_TYPE = {
    "create_customer": (lambda c: create(c, "XX", "1012345678"), 400, "1", "ER"),
    "basic_data_v1": (lambda c: c.get(V1 + "?mnemonic=XX" + FIXTURE_CC, headers=JSON_HEADERS),
                      400, "1", "ER"),
    "basic_data_v2": (lambda c: c.get(V2 + "?mnemonic=XX" + FIXTURE_CC, headers=JSON_HEADERS),
                      400, "1", "ER"),
    "basic_data_v4": (lambda c: c.get(V4 + "?govIssueIdentType=XX&identSerialNum=" + FIXTURE_CC,
                                      headers=JSON_HEADERS), 400, "1", "ER"),
    "customer_name_by_account": (lambda c: c.get(name_url(FIXTURE_CC, "?govIssueIdentType=XX"),
                                                 headers=JSON_HEADERS), 404, "SQLCODE", "ER"),
    "customer_locations": (lambda c: c.get(LOCATION + FIXTURE_CC + "?govIssueIdentType=XX",
                                           headers=JSON_HEADERS), 400, "1", "ER"),
    "channel_contact": (lambda c: c.get(CONTACT + FIXTURE_CC + "?govIssueIdentType=XX",
                                        headers=JSON_HEADERS), 400, "1", "ER"),
    "secure_data": (lambda c: secure(c, "XX", FIXTURE_CC), 400, "00001", "ER"),
    "sync_data": (lambda c: intake(c, "XX1098765432"), 400, "1", "ER500"),
    "remittances_basic_data": (lambda c: c.get(REMITTANCES + FIXTURE_CC + "?govIssueIdentType=XX",
                                               headers=JSON_HEADERS), 400, "1", "ER400"),
}


@pytest.mark.parametrize("route", sorted(UNKNOWN_TYPE))
def test_an_unknown_type_answers_each_routes_row(client, route):
    request, status, code, response_type = UNKNOWN_TYPE[route]
    detail = assert_bcs_error(request(client), status, code, response_type)
    assert "XX" in detail["errorDesc"]


NOT_NUMERIC = {
    "create_customer": (lambda c: create(c, "CC", "10123A5678"), 404, "50555", "ER"),
    "basic_data_v1": (lambda c: c.get(V1 + "?mnemonic=CC10123A5678", headers=JSON_HEADERS),
                      400, "1", "ER"),
    "basic_data_v2": (lambda c: c.get(V2 + "?mnemonic=CC10123A5678", headers=JSON_HEADERS),
                      400, "1", "ER"),
    "basic_data_v4": (lambda c: c.get(V4 + "?govIssueIdentType=CC&identSerialNum=10123A5678",
                                      headers=JSON_HEADERS), 404, "50555", "ER"),
    "customer_name_by_account": (lambda c: c.get(name_url("10123A5678", "?govIssueIdentType=CC"),
                                                 headers=JSON_HEADERS), 404, "SQLCODE", "ER"),
    "customer_locations": (lambda c: c.get(LOCATION + "10123A5678", headers=JSON_HEADERS),
                           404, "50555", "ER"),
    "channel_contact": (lambda c: c.get(CONTACT + "10123A5678", headers=JSON_HEADERS),
                        404, "50555", "ER"),
    "secure_data": (lambda c: secure(c, "CC", "10123A5678"), 400, "00001", "ER"),
    "sync_data": (lambda c: intake(c, "CC10123A5678"), 404, "50555", "ER500"),
    "remittances_basic_data": (lambda c: c.get(REMITTANCES + "10123A5678?govIssueIdentType=CC",
                                               headers=JSON_HEADERS), 404, "50555", "ER400"),
    "query_pila": (lambda c: pila(c, "10123A5678"), 404, "50555", "ER500"),
}


@pytest.mark.parametrize("route", sorted(NOT_NUMERIC))
def test_a_non_numeric_cc_answers_each_routes_row(client, route):
    request, status, code, response_type = NOT_NUMERIC[route]
    detail = assert_bcs_error(request(client), status, code, response_type)
    assert "10123A5678" in detail["errorDesc"]


TOO_LONG = "1" * 21


@pytest.mark.parametrize("request_of, status, code, response_type", [
    (lambda c: create(c, "CC", TOO_LONG), 400, "1", "ER"),
    (lambda c: c.get(V1 + "?mnemonic=CC" + TOO_LONG, headers=JSON_HEADERS), 400, "1", "ER"),
    (lambda c: c.get(V4 + "?govIssueIdentType=CC&identSerialNum=" + TOO_LONG,
                     headers=JSON_HEADERS), 400, "1", "ER"),
    (lambda c: c.get(name_url(TOO_LONG), headers=JSON_HEADERS), 404, "SQLCODE", "ER"),
    (lambda c: c.get(LOCATION + TOO_LONG, headers=JSON_HEADERS), 400, "1", "ER"),
    (lambda c: secure(c, "CC", TOO_LONG), 400, "00001", "ER"),
    (lambda c: intake(c, "CC" + TOO_LONG), 400, "1", "ER500"),
    (lambda c: c.get(REMITTANCES + TOO_LONG + "?govIssueIdentType=CC", headers=JSON_HEADERS),
     400, "1", "ER400"),
    (lambda c: pila(c, TOO_LONG), 400, "1", "ER500"),
])
def test_a_number_over_20_characters_is_refused_everywhere(client, request_of, status, code,
                                                           response_type):
    assert_bcs_error(request_of(client), status, code, response_type)


def test_secure_data_answers_its_own_rows(client):
    too_long = assert_bcs_error(secure(client, "CC", TOO_LONG), 400, "00001")
    assert too_long["errorDesc"].startswith("Error en la longitud de la trama de entrada")
    for ident_type, number in (("", FIXTURE_CC), ("CC", ""), ("XX", FIXTURE_CC)):
        detail = assert_bcs_error(secure(client, ident_type, number), 400, "00001")
        assert detail["errorDesc"].startswith("Error de entrada datos incorrectos")


@pytest.mark.parametrize("url", [V4 + "?govIssueIdentType=NI&identSerialNum=12345",
                                 REMITTANCES + "12345?govIssueIdentType=NI"])
def test_a_nit_of_the_wrong_size_is_50609_on_routes_without_a_table_too(client, url):
    assert_bcs_error(client.get(url, headers=JSON_HEADERS), 404, "50609",
                     "ER400" if "remittances" in url else "ER")


def test_a_passport_takes_letters_and_digits_only(client):
    response = client.get(REMITTANCES + "AB-123?govIssueIdentType=PA", headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 400, "1", "ER400")
    assert "AB-123" in detail["errorDesc"]
    assert create(client, "PA", "AB123456").status_code == 200
    found = client.get(REMITTANCES + "AB123456?govIssueIdentType=PA", headers=JSON_HEADERS)
    assert found.status_code == 200
