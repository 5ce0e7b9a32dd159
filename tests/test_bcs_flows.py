"""Across the BCS routes: a customer created with POST customer is found by every route that
reads customers; sessions and restarts; the identification numbers each route carries; and every
natural trigger of the catalog produced through the real route."""
from __future__ import annotations

import pytest

from sandbox import create_app
from sandbox.admin.openapi import openapi_path
from sandbox.apis.bcs.idents import request_idents
from sandbox.apis.bcs.catalog import spec_of
from tests.bcs_profile_support import (BASE, CONTACT, JSON_HEADERS, LOCATION, PILA, REMITTANCES,
                                       SECURE, SYNC, SYNC_FILE, file_body, shape_differences)
from tests.conftest import make_config, seed_example
from tests.test_bcs_basic_data import V1, V1_EXAMPLE, V2, V2_EXAMPLE, V4
from tests.test_bcs_create import CREATE, new_customer

STATUS = BASE + "/customer-management/v1/status-basic-data"
NUMBER = "1098765432"
CELLPHONE = "3105556755"  # the create example's phoneNumResidence (type C)


def name_url(number: str, acct_id: str) -> str:
    return f"{BASE}/customer-management/customer/identserialnum/{number}/acctid/{acct_id}"


def create(client, number=NUMBER, headers=JSON_HEADERS, **changes) -> str:
    body = new_customer(number, **{"personName.firstName": "LAURA", "personName.middleName": "",
                                   **changes})
    body["contactInfo"]["additionalPhoneNum"]["phone"] = "3001112233"
    response = client.post(CREATE, json=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["depAcctStmtRec"]["depAcctId"]["acctId"]


def test_created_customer_is_found_by_every_customer_route(client):
    acct_id = create(client)
    v1 = client.get(f"{V1}?mnemonic=CC{NUMBER}", headers=JSON_HEADERS)
    assert v1.status_code == 200 and shape_differences(v1.json, V1_EXAMPLE) == []
    assert v1.json["personName"]["fullName"] == "LAURA DE_FRANCISCO LOPEZ"
    assert v1.json["postAddr"]["cityId"] == "05001" and v1.json["contactInfo"]["phone"] == "2767888"
    v2 = client.get(f"{V2}?mnemonic=CC{NUMBER}", headers=JSON_HEADERS)
    assert shape_differences(v2.json, V2_EXAMPLE) == []
    assert (v2.json["firstName"], v2.json["lastName"]) == ("LAURA", "DE_FRANCISCO LOPEZ")
    v4_example = seed_example("004_basic_data_v4_response")
    by_ident = client.get(f"{V4}?govIssueIdentType=CC&identSerialNum={NUMBER}", headers=JSON_HEADERS)
    assert shape_differences(by_ident.json, v4_example) == []
    by_cellphone = client.get(f"{V4}?cellphone=3001112233", headers=JSON_HEADERS)
    assert by_cellphone.json == by_ident.json
    name = client.get(name_url(NUMBER, acct_id), headers=JSON_HEADERS)
    assert name.json == {"custInfo": {"personName": {"fullName": "LAURA DE_FRANCISCO LOPEZ"}}}
    owner = client.post(STATUS, json={"trn": {"depAcctIdTo": {"acctId": acct_id}}},
                        headers=JSON_HEADERS)
    assert owner.json["trn"] == {"personName": {"fullName": "LAURA DE_FRANCISCO LOPEZ"},
                                 "depAcctId": {"acctId": acct_id}}


@pytest.mark.parametrize("path", [
    "/customer-management/v1/location/{n}?govIssueIdentType=CC",
    "/customer-management/v1/channel/contact/{n}?govIssueIdentType=CC",
    "/customers-management/v1/remittances/basic-data/{n}?govIssueIdentType=CC"])
def test_created_customer_is_found_by_the_profile_routes(client, path):
    create(client)
    response = client.get(BASE + path.format(n=NUMBER), headers=JSON_HEADERS)
    assert response.status_code == 200, response.json


def test_a_created_customer_stays_in_its_session(client):
    session = {**JSON_HEADERS, "X-Sandbox-Session": "team-a"}
    create(client, headers=session)
    assert client.get(f"{V1}?mnemonic=CC{NUMBER}", headers=session).status_code == 200
    assert client.get(f"{V1}?mnemonic=CC{NUMBER}", headers=JSON_HEADERS).status_code == 404
    client.post("/__sandbox/reset", headers=session)
    assert client.get(f"{V1}?mnemonic=CC{NUMBER}", headers=session).status_code == 404


def test_a_created_customer_survives_a_restart(tmp_path):
    state = str(tmp_path / "state.db")
    acct_id = create(create_app(make_config(state=state)).test_client())
    client = create_app(make_config(state=state)).test_client()
    assert client.get(name_url(NUMBER, acct_id), headers=JSON_HEADERS).status_code == 200
    assert client.get(f"{V4}?cellphone=3001112233", headers=JSON_HEADERS).status_code == 200
    # A second customer after the restart gets another account number.
    assert create(client, "1098765433") != acct_id


@pytest.mark.parametrize("method, path, kwargs, expected", [
    ("GET", V1 + "?mnemonic=CC99950628", {}, ["99950628"]),
    ("GET", V4 + "?govIssueIdentType=CC&identSerialNum=99905620", {}, ["99905620"]),
    ("GET", V4 + "?cellphone=3001112233", {}, ["3001112233"]),
    ("GET", name_url("1234567890", "24567890123"), {}, ["1234567890", "24567890123"]),
    ("POST", STATUS, {"json": seed_example("004_status_request")}, ["12321414", "12321414"]),
    ("POST", CREATE, {"json": seed_example("004_create_request")}, ["1234567890", "1234567890"]),
])
def test_each_route_names_the_identification_numbers_it_carries(app, method, path, kwargs,
                                                                expected):
    with app.test_request_context(path, method=method, **kwargs) as ctx:
        ctx.request.view_args = app.url_map.bind("").match(ctx.request.path, method)[1]
        assert sorted(request_idents(ctx.request)) == sorted(expected)


def test_every_bcs_operation_carries_idents_and_its_response_type(sandbox):
    bcs = {name: op for name, op in sandbox.operations.items() if op.family == "bcs"}
    assert len(bcs) == 13
    for operation in bcs.values():
        assert operation.idents is not None
        assert operation.meta["response_type"] in ("ER", "ER400", "ER500")
        assert operation.rule.startswith(BASE + "/")


# -- the whole catalog, through real requests ------------------------------------------------
NO_CREDENTIALS = {"Content-Type": "application/json"}
WRONG_SECRET = {**JSON_HEADERS, "X-Security-ClientSecret": "nope"}


def intake(change=None, mnemonic="CC1098765432") -> dict:
    """The sync-data example for another customer, with `change` applied to it."""
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = mnemonic
    body["listAccounts"][0]["depAcctId"]["acctId"] = "21009990001"
    body["custInfo"][0]["additionalPhoneNum"] = [{"phoneNumber": "3001112233"},
                                                 {"phoneNumber": "6014445566"},
                                                 {"phoneNumber": "2767888"}]
    if change:
        change(body)
    return body


def status_body(acct_id) -> dict:
    return {"trn": {"depAcctIdTo": {"acctId": acct_id}}}


def pila_body(**invoice_info) -> dict:
    body = seed_example("004_pila_request")
    body["trn"]["invoiceInfo"].update(invoice_info)
    return body


def secure_body(**ident) -> dict:
    return {"govIssueIdent": {"govIssueIdentType": "CC", "identSerialNum": "1234567890", **ident},
            "compliance": [{"question": "preguntaATDP001", "answer": True}]}


def _send(method, path, body=None, headers=JSON_HEADERS):
    return lambda c: c.open(path, method=method, json=body, headers=headers)


def _get(path, headers=JSON_HEADERS):
    return _send("GET", path, headers=headers)


def _create_with(**changes):
    return _send("POST", CREATE, new_customer("1011111111", **changes))


def _customer_from_an_intake_then(path):
    """A customer only sync-data knows (no residence address or income on record), then GET."""
    def request(c):
        number = "1098765499"
        c.post(SYNC, json=intake(mnemonic="CC" + number), headers=JSON_HEADERS)
        return c.get(path + number, headers=JSON_HEADERS)
    return request


# One accepted request per BCS route: with wrong credentials it answers 1004 / 1005, with
# X-Sandbox-Error the forced row.
ROUTE_CALLS = {
    "create_customer": ("POST", CREATE, new_customer("1011111111")),
    "basic_data_v1": ("GET", V1 + "?mnemonic=CC1234567890", None),
    "basic_data_v2": ("GET", V2 + "?mnemonic=CC1234567890", None),
    "basic_data_v4": ("GET", V4 + "?govIssueIdentType=CC&identSerialNum=1234567890", None),
    "customer_name_by_account": ("GET", name_url("1234567890", "24567890123"), None),
    "customer_locations": ("GET", LOCATION + "1234567890", None),
    "secure_data": ("PUT", SECURE, secure_body()),
    "channel_contact": ("GET", CONTACT + "1234567890", None),
    "sync_data": ("POST", SYNC, intake()),
    "sync_data_file": ("POST", SYNC_FILE, file_body(intake())),
    "status_basic_data": ("POST", STATUS, seed_example("004_status_request")),
    "remittances_basic_data": ("GET", REMITTANCES + "1234567890?govIssueIdentType=CC", None),
    "query_pila": ("POST", PILA, seed_example("004_pila_request")),
}

# What the intake rules refuse, sent both as sync-data and inside a sync-data-file.
INTAKE_FAULTS = {
    "1": lambda b: b["listAccounts"][0].update(acctType="XXX"),
    "00001": lambda b: b["custInfo"][0]["personName"].pop("fullName"),
    "50555": lambda b: b["govIssueIdent"].update(mNemonic="CC12AB34"),
    "50609": lambda b: b["govIssueIdent"].update(mNemonic="NI12345"),
    "50545": lambda b: b["govIssueIdent"].update(mNemonic="NI8909039381"),
    "50565": lambda b: b["custInfo"][0]["personName"].update(fullName="Sara J0nes!"),
    "50562": lambda b: b["custInfo"][0]["contactInfo"].update(phoneNumber="12345"),
    "50529": lambda b: b["custInfo"][0]["additionalPhoneNum"][0].update(phoneNumber="12AB"),
    "50530": lambda b: b["custInfo"][0]["additionalPhoneNum"][1].update(phoneNumber="12AB"),
    "50531": lambda b: b["custInfo"][0]["additionalPhoneNum"][2].update(phoneNumber="12AB"),
    # Account 24567890123 is held by CC 1234567890 (the create example's customer).
    "50591": lambda b: b["listAccounts"][0]["depAcctId"].update(acctId="24567890123"),
}

# (route that answers, code[, n-th row of the code in its table]) -> the request. A row's
# catalog `answered_on` names the routes; a key without n serves every row of the code.
TRIGGERS = {
    ("basic_data_v1", "1"): _get(V1 + "?mnemonic=1234567890"),
    ("basic_data_v1", "00001"): _get(V1),
    ("basic_data_v1", "1006"): _get(V1 + "?mnemonic=CC1"),
    ("basic_data_v2", "1"): _get(V2 + "?mnemonic=CC"),
    ("basic_data_v2", "00001"): _get(V2),
    ("basic_data_v2", "1006"): _get(V2 + "?mnemonic=CC1"),
    ("basic_data_v4", "00001"): _get(V4 + "?govIssueIdentType=CC"),
    ("basic_data_v4", "1006"): _get(V4 + "?govIssueIdentType=CC&identSerialNum=1"),
    ("basic_data_v4", "50562"): _get(V4 + "?cellphone=31O5556755"),
    ("basic_data_v4", "1"): _get(V4 + "?govIssueIdentType=XX&identSerialNum=1234567890"),
    ("basic_data_v4", "50555"): _get(V4 + "?govIssueIdentType=CC&identSerialNum=12AB"),
    ("basic_data_v4", "50609"): _get(V4 + "?govIssueIdentType=NI&identSerialNum=1234"),
    ("basic_data_v4", "50545"): _get(V4 + "?govIssueIdentType=NI&identSerialNum=8909039381"),
    ("customer_name_by_account", "05622"): _get(name_url("1234567890", "12321414")),
    ("customer_name_by_account", "SQLCODE"): _get(name_url("1", "12321414")),
    ("customer_name_by_account", "05620"): _get(name_url("1234567890", "1")),
    ("customer_name_by_account", "05621"): _get(name_url("1234567890", "24000000019")),
    ("customer_name_by_account", "1"): _get(name_url("1234567890", "24567890123"),
                                            {**JSON_HEADERS, "X-Invoker-Action": "U"}),
    ("status_basic_data", "1"): _send("POST", STATUS, status_body(5)),
    ("status_basic_data", "00001"): _send("POST", STATUS, {"trn": {"depAcctIdTo": {}}}),
    ("status_basic_data", "05620"): _send("POST", STATUS, status_body("1")),
    ("status_basic_data", "05621"): _send("POST", STATUS, status_body("24000000019")),
    ("customer_locations", "1"): _get(LOCATION + "1234567890?condition=9"),
    ("customer_locations", "51011"): _get(LOCATION + "1"),
    ("customer_locations", "50005"): _get(LOCATION + "1234567890?action=X"),
    ("customer_locations", "50555"): _get(LOCATION + "12AB"),
    ("customer_locations", "50609"): _get(LOCATION + "1234?govIssueIdentType=NI"),
    ("customer_locations", "50545"): _get(LOCATION + "8909039381?govIssueIdentType=NI"),
    ("customer_locations", "50501"): _get(LOCATION + "1234567890",
                                          {**JSON_HEADERS, "X-Invoker-UserIPAddress": "10.5.43"}),
    ("customer_locations", "50502"): _get(LOCATION + "1234567890",
                                          {**JSON_HEADERS, "X-Invoker-User": "NEW CBSER*"}),
    ("channel_contact", "1"): _get(CONTACT + "1234567890?govIssueIdentType=XX"),
    ("channel_contact", "51011"): _get(CONTACT + "1"),
    ("channel_contact", "51041"): _customer_from_an_intake_then(CONTACT),
    ("channel_contact", "50555"): _get(CONTACT + "12AB"),
    ("channel_contact", "50609"): _get(CONTACT + "1234?govIssueIdentType=NI"),
    ("channel_contact", "50545"): _get(CONTACT + "8909039381?govIssueIdentType=NI"),
    ("channel_contact", "50501"): _get(CONTACT + "1234567890",
                                       {**JSON_HEADERS, "X-Invoker-ServerIPAddress": "server-1"}),
    ("channel_contact", "50502"): _get(CONTACT + "1234567890",
                                       {**JSON_HEADERS, "X-Invoker-User": "NEW CBSER*"}),
    ("secure_data", "00001", 1): _send("PUT", SECURE, secure_body(identSerialNum="1" * 21)),
    ("secure_data", "00001", 2): _send("PUT", SECURE, secure_body(identSerialNum="1")),
    ("remittances_basic_data", "1"): _get(REMITTANCES + "1234567890?govIssueIdentType=XX"),
    ("remittances_basic_data", "00001"): _get(REMITTANCES + "1234567890"),
    ("remittances_basic_data", "1006"): _get(REMITTANCES + "1?govIssueIdentType=CC"),
    ("remittances_basic_data", "50555"): _get(REMITTANCES + "12AB?govIssueIdentType=CC"),
    ("remittances_basic_data", "50609"): _get(REMITTANCES + "1234?govIssueIdentType=NI"),
    ("remittances_basic_data", "50545"): _get(REMITTANCES + "8909039381?govIssueIdentType=NI"),
    ("query_pila", "1"): _send("POST", PILA, pila_body(invoiceNum=5)),
    ("query_pila", "00001"): _send("POST", PILA, {"trn": {}}),
    ("query_pila", "50555"): _send("POST", PILA, pila_body(identSerialNum="90012345A")),
    ("query_pila", "05620"): _send("POST", PILA, {"trn": {**pila_body()["trn"],
                                                          "depAcctIdTo": {"acctId": "1"}}}),
    ("create_customer", "1"): _create_with(**{"personInfo.birthDt": "14/02/1990"}),
    ("create_customer", "00001"): _create_with(**{"personName.firstName": None}),
    ("create_customer", "50503"): _create_with(**{"personName.firstName": "CARL0S"}),
    ("create_customer", "50504"): _create_with(**{"personName.middleName": "M4RIO"}),
    ("create_customer", "50505"): _create_with(**{"personName.lastName": "L@PEZ"}),
    ("create_customer", "50506"): _create_with(**{"personName.secondLastName": "P#Z"}),
    ("create_customer", "50518"): _create_with(**{"contactInfo.phoneNum.phone": "12"}),
    ("create_customer", "50562"): _create_with(**{
        "contactInfo.additionalPhoneNum.phone": "2105556755"}),
    ("create_customer", "50555"): _create_with(**{"govIssueIdent.identSerialNum": "10A1111111"}),
    ("create_customer", "50609"): _create_with(**{
        "govIssueIdent.govIssueIdentType": "NI", "govIssueIdent.identSerialNum": "1234"}),
    ("create_customer", "50545"): _create_with(**{
        "govIssueIdent.govIssueIdentType": "NI", "govIssueIdent.identSerialNum": "8909039381"}),
    **{("sync_data", code): _send("POST", SYNC, intake(fault))
       for code, fault in INTAKE_FAULTS.items()},
    **{("sync_data_file", code): _send("POST", SYNC_FILE, file_body(intake(fault)))
       for code, fault in INTAKE_FAULTS.items()},
    **{(route, "1004"): _send(method, path, body, NO_CREDENTIALS)
       for route, (method, path, body) in ROUTE_CALLS.items()},
    **{(route, "1005"): _send(method, path, body, WRONG_SECRET)
       for route, (method, path, body) in ROUTE_CALLS.items()},
}


def nth_in_table(row) -> int:
    return int(row["id"].partition("#")[2] or 1)


def assert_answers_row(response, row, operation) -> None:
    """The row's status, code, type and description (then what was wrong), in the envelope of
    the route that answered."""
    assert response.status_code == row["status"], (row["id"], operation.name, response.json)
    assert response.json["responseType"] == {"value": operation.meta["response_type"]}
    detail = response.json["responseDetail"]
    assert (detail["errorCode"], detail["errorType"]) == (row["code"], row["type"]), row["id"]
    assert (detail["errorDesc"] == row["description"]
            or detail["errorDesc"].startswith(row["description"] + " (")), (row["id"], detail)


def test_every_row_with_a_trigger_is_produced_by_its_trigger(client, sandbox):
    """Each route a row's answered_on names answers the row to its trigger request."""
    triggered = [row for row in sandbox.catalog.rows if row["trigger"]]
    assert len(triggered) >= 51
    sent = set()
    for row in sandbox.catalog.rows:
        assert bool(row["trigger"]) == bool(row["answered_on"]), row["id"]
        for route in row["answered_on"]:
            key = (route, row["code"], nth_in_table(row))
            key = key if key in TRIGGERS else key[:2]
            assert_answers_row(TRIGGERS[key](client), row, sandbox.operations[route])
            sent.add(key)
    assert sent == set(TRIGGERS), "requests no catalog row claims: " + str(set(TRIGGERS) - sent)


def test_every_row_without_a_trigger_is_produced_by_x_sandbox_error(client, sandbox):
    """The rest of the catalog: each row, asked for on its own route, answers as the seed says."""
    catalog = sandbox.catalog
    for row in catalog.rows:
        if row["trigger"]:
            continue
        route = row["routes"][0]
        method, path, body = ROUTE_CALLS[route]
        headers = {**JSON_HEADERS, "X-Sandbox-Error": spec_of(catalog, row)}
        assert_answers_row(_send(method, path, body, headers)(client), row,
                           sandbox.operations[route])


@pytest.mark.parametrize("route", ["sync_data", "sync_data_file", "remittances_basic_data",
                                   "query_pila", "create_customer", "status_basic_data"])
def test_openapi_shows_the_rows_a_route_without_a_table_answers(client, sandbox, route):
    operation = sandbox.operations[route]
    document = client.get("/__sandbox/openapi.json").json
    responses = document["paths"][openapi_path(operation.rule)][operation.method.lower()][
        "responses"]
    shown = {(int(status), example["value"]["responseType"]["value"],
              example["value"]["responseDetail"]["errorCode"],
              example["value"]["responseDetail"]["errorDesc"])
             for status, answer in responses.items() if status != "200"
             for name, example in answer["content"]["application/json"].get("examples", {}).items()
             if "(" in name}  # a catalog row's, "code (id)"; the others are named by status
    answered = {(row["status"], operation.meta["response_type"], row["code"], row["description"])
                for row in sandbox.catalog.rows if route in row["answered_on"]}
    assert shown == answered and len(answered) >= 4


def test_openapi_examples_are_the_seed_examples(sandbox):
    meta = {name: sandbox.operations[name].meta for name in (
        "create_customer", "basic_data_v4", "customer_name_by_account", "status_basic_data")}
    assert meta["create_customer"]["response_example"] == seed_example("004_create_response")
    assert meta["create_customer"]["request_example"] == seed_example("004_create_request")
    assert meta["basic_data_v4"]["response_example"] == seed_example("004_basic_data_v4_response")
    assert meta["customer_name_by_account"]["response_example"] == seed_example(
        "004_name_by_account_response")
    assert meta["status_basic_data"]["request_example"] == seed_example("004_status_request")
    assert shape_differences(meta["status_basic_data"]["response_example"],
                             seed_example("004_status_response")) == []
    assert sandbox.operations["basic_data_v1"].meta["response_example"] == V1_EXAMPLE
    assert sandbox.operations["basic_data_v2"].meta["response_example"] == V2_EXAMPLE
