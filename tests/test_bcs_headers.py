"""Request headers with a format (seed 004's tables): a header whose format a table gives is
checked, when sent, on every route whose table lists it (scenarios/data/bcs_headers.yaml), and
answers the route's own row for it."""
from __future__ import annotations

import copy

import pytest

from tests import bcs_profile_support as paths
from tests.bcs_profile_support import (BASE, JSON_HEADERS, PILA, SECURE, SYNC, SYNC_FILE, V1, V2,
                                       V4, assert_bcs_error, file_body)
from tests.conftest import seed_example
from tests.test_bcs_create import CREATE, new_customer

# The path routes, at the fixture customer CC 1234567890.
LOCATION = paths.LOCATION + "1234567890"
CONTACT = paths.CONTACT + "1234567890"
REMITTANCES = paths.REMITTANCES + "1234567890?govIssueIdentType=CC"
NAME = BASE + "/customer-management/customer/identserialnum/1234567890/acctid/24567890123"
STATUS = BASE + "/customer-management/v1/status-basic-data"


def intake() -> dict:
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = "CC1098765432"
    body["listAccounts"][0]["depAcctId"]["acctId"] = "21009990001"
    return body


# One accepted request per route: (method, url, body, responseType.value).
CALLS = {
    "create_customer": ("POST", CREATE, new_customer("1011111111"), "ER"),
    "basic_data_v1": ("GET", V1 + "?mnemonic=CC1234567890", None, "ER"),
    "basic_data_v2": ("GET", V2 + "?mnemonic=CC1234567890", None, "ER"),
    "basic_data_v4": ("GET", V4 + "?govIssueIdentType=CC&identSerialNum=1234567890", None, "ER"),
    "customer_name_by_account": ("GET", NAME, None, "ER"),
    "customer_locations": ("GET", LOCATION, None, "ER"),
    "secure_data": ("PUT", SECURE, {"govIssueIdent": {"govIssueIdentType": "CC",
                                                      "identSerialNum": "1234567890"},
                                    "compliance": [{"question": "preguntaATDP001",
                                                    "answer": True}]}, "ER"),
    "channel_contact": ("GET", CONTACT, None, "ER"),
    "status_basic_data": ("POST", STATUS, seed_example("004_status_request"), "ER500"),
    "remittances_basic_data": ("GET", REMITTANCES, None, "ER400"),
    "query_pila": ("POST", PILA, seed_example("004_pila_request"), "ER500"),
    "sync_data": ("POST", SYNC, intake(), "ER500"),
    "sync_data_file": ("POST", SYNC_FILE, file_body(intake()), "ER500"),
}
# The routes whose table lists the X-Invoker headers (sync-data's lists only client_id,
# client_secret, Authorization and Accept).
INVOKER_ROUTES = sorted(set(CALLS) - {"sync_data", "sync_data_file"})
# What each route answers a malformed header with: BAD REQUEST, or its table's own row.
CODES = {"secure_data": (400, "00001")}


def send(client, route: str, **headers):
    method, url, body, _ = CALLS[route]
    return client.open(url, method=method, json=copy.deepcopy(body),
                       headers={**JSON_HEADERS, **headers})


def assert_refused(response, route: str, header: str, codes=None) -> None:
    status, code = (codes or CODES).get(route, (400, "1"))
    detail = assert_bcs_error(response, status, code, CALLS[route][3])
    assert header in detail["errorDesc"]


@pytest.mark.parametrize("route", INVOKER_ROUTES)
def test_a_malformed_process_date_is_refused_on_every_route_that_lists_it(client, route):
    assert send(client, route, **{"X-Invoker-ProcessDate": "2023-05-02"}).status_code == 200
    response = send(client, route, **{"X-Invoker-ProcessDate": "02/05/2023"})
    assert_refused(response, route, "X-Invoker-ProcessDate")


def test_status_basic_data_checks_the_process_date_its_table_formats(client):
    response = send(client, "status_basic_data", **{"X-Invoker-ProcessDate": "2023-13-02"})
    detail = assert_bcs_error(response, 400, "1", "ER500")
    assert "X-Invoker-ProcessDate" in detail["errorDesc"] and "YYYY-MM-DD" in detail["errorDesc"]


@pytest.mark.parametrize("route", ["sync_data", "sync_data_file"])
def test_sync_data_does_not_read_headers_its_table_does_not_list(client, route):
    response = send(client, route, **{"X-Invoker-ProcessDate": "02/05/2023",
                                      "X-Invoker-UserMACAddress": "nope"})
    assert response.status_code == 200, response.json


# The status-basic-data table's own values and the remittances table's examples.
DOCUMENTED = {"X-Invoker-Channel": "13", "X-Invoker-ATMId": " ", "X-Invoker-BranchId": "1108",
              "X-Invoker-TerminalId": "T001", "X-Invoker-UserIPAddress": "10.5.43.214",
              "X-Invoker-ServerIPAddress": "192.168.169.197",
              "X-Invoker-UserMACAddress": "0E-A5-38-F7-C3-09",
              "X-Invoker-ServerMACAddress": "00:00:00:00:00:00",
              "X-Invoker-ProcessDate": "2023-05-02", "X-Invoker-TxId": "APIF4087320000000001",
              "X-Invoker-SessionKey": "112w3w*b8a-1cfe9cdd35a1", "X-Invoker-Source": "18",
              "X-Invoker-Country": "CO", "X-Invoker-ProcessId": "020000000001",
              "X-Invoker-subChannel": "07", "X-Invoker-User": "NEWCBSER", "X-Invoker-Action": "R",
              "X-Invoker-ModifierUser": "NEWCBSER", "X-Invoker-Network": " "}


@pytest.mark.parametrize("route", sorted(CALLS))
def test_the_documented_values_are_accepted_everywhere(client, route):
    response = send(client, route, **DOCUMENTED)
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("header", ["X-Invoker-ProcessDate", "X-Invoker-UserMACAddress",
                                    "X-Invoker-Action", "X-Invoker-UserIPAddress"])
def test_a_header_of_spaces_is_a_header_not_sent(client, header):
    # The tables ask for spaces ("Enviar espacios") where a channel has nothing to send.
    assert send(client, "status_basic_data", **{header: "   "}).status_code == 200


@pytest.mark.parametrize("header, value", [
    ("X-Invoker-UserMACAddress", "0E-A5-38-F7-C3"), ("X-Invoker-ServerMACAddress", "zz"),
    ("X-Invoker-UserIPAddress", "10.5.43"), ("X-Invoker-ServerIPAddress", "server-1"),
    ("X-Invoker-Action", "U"), ("X-Invoker-SessionKey", "x" * 31),
    ("X-Invoker-User", "NEW CBSER*"),
])
@pytest.mark.parametrize("route", ["status_basic_data", "query_pila", "basic_data_v4"])
def test_each_header_format_is_checked(client, route, header, value):
    assert_refused(send(client, route, **{header: value}), route, header)


def test_remittances_does_not_list_the_server_mac_address(client):
    assert send(client, "remittances_basic_data",
                **{"X-Invoker-ServerMACAddress": "zz"}).status_code == 200
    response = send(client, "remittances_basic_data", **{"X-Invoker-UserMACAddress": "zz"})
    assert_refused(response, "remittances_basic_data", "X-Invoker-UserMACAddress")


@pytest.mark.parametrize("route", ["customer_locations", "channel_contact"])
@pytest.mark.parametrize("header, code", [("X-Invoker-UserIPAddress", "50501"),
                                          ("X-Invoker-ServerIPAddress", "50501"),
                                          ("X-Invoker-User", "50502")])
def test_the_locations_and_contact_tables_have_their_own_rows(client, route, header, code):
    detail = assert_bcs_error(send(client, route, **{header: "10.5.43.214;drop"}), 404, code)
    assert detail["errorType"] == "STA" and header in detail["errorDesc"]


def test_secure_data_answers_its_own_input_rows(client):
    long_key = send(client, "secure_data", **{"X-Invoker-SessionKey": "x" * 31})
    detail = assert_bcs_error(long_key, 400, "00001")
    assert detail["errorDesc"].startswith("Error en la longitud de la trama de entrada")
    bad_date = send(client, "secure_data", **{"X-Invoker-ProcessDate": "tomorrow"})
    detail = assert_bcs_error(bad_date, 400, "00001")
    assert detail["errorDesc"].startswith("Error de entrada datos incorrectos")
