"""Across the BCS routes: a customer created with POST customer is found by every route that
reads customers; sessions and restarts; the identification numbers each route carries; and every
natural trigger of the catalog produced through the real route."""
from __future__ import annotations

import pytest

from sandbox import create_app
from sandbox.apis.bcs import request_idents
from tests.bcs_profile_support import BASE, JSON_HEADERS, shape_differences
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


# -- every natural trigger, through the real route ---------------------------------------------
def _create_with(**changes):
    return lambda c: c.post(CREATE, json=new_customer("1011111111", **changes),
                            headers=JSON_HEADERS)


def _get(path, headers=JSON_HEADERS):
    return lambda c: c.get(path, headers=headers)


NO_CREDENTIALS = {"Content-Type": "application/json"}
WRONG_SECRET = {**JSON_HEADERS, "X-Security-ClientSecret": "nope"}
TRIGGERS = {
    # (route whose table lists the row, code, n-th row of the code in that table): request
    ("basic_data_v1", "1"): _get(V1 + "?mnemonic=1234567890"),
    ("basic_data_v1", "00001"): _get(V1),
    ("basic_data_v1", "1004"): _get(V1 + "?mnemonic=CC1234567890", NO_CREDENTIALS),
    ("basic_data_v1", "1005"): _get(V1 + "?mnemonic=CC1234567890", WRONG_SECRET),
    ("basic_data_v1", "1006"): _get(V1 + "?mnemonic=CC1"),
    ("basic_data_v2", "1"): _get(V2 + "?mnemonic=CC"),
    ("basic_data_v2", "00001"): _get(V2),
    ("basic_data_v2", "1004"): _get(V2 + "?mnemonic=CC1234567890", NO_CREDENTIALS),
    ("basic_data_v2", "1005"): _get(V2 + "?mnemonic=CC1234567890", WRONG_SECRET),
    ("basic_data_v2", "1006"): _get(V2 + "?mnemonic=CC1"),
    ("customer_name_by_account", "05622"): _get(name_url("1234567890", "12321414")),
    ("customer_name_by_account", "SQLCODE"): _get(name_url("1", "12321414")),
    ("customer_name_by_account", "05620"): _get(name_url("1234567890", "1")),
    ("customer_name_by_account", "05621"): _get(name_url("1234567890", "24000000019")),
    ("customer_locations", "51011"): _get(BASE + "/customer-management/v1/location/1"),
    ("channel_contact", "51011"): _get(BASE + "/customer-management/v1/channel/contact/1"),
    ("customer_locations", "50503"): _create_with(**{"personName.firstName": "CARL0S"}),
    ("customer_locations", "50504"): _create_with(**{"personName.middleName": "M4RIO"}),
    ("customer_locations", "50505"): _create_with(**{"personName.lastName": "L@PEZ"}),
    ("customer_locations", "50506"): _create_with(**{"personName.secondLastName": "P#Z"}),
    ("customer_locations", "50518"): _create_with(**{"contactInfo.phoneNum.phone": "12"}),
    ("customer_locations", "50562"): _create_with(**{
        "contactInfo.additionalPhoneNum.phone": "2105556755"}),
    ("customer_locations", "50555"): _create_with(**{
        "govIssueIdent.identSerialNum": "10A1111111"}),
    ("customer_locations", "50609"): _create_with(**{
        "govIssueIdent.govIssueIdentType": "NI", "govIssueIdent.identSerialNum": "1234"}),
    ("customer_locations", "50545"): _create_with(**{
        "govIssueIdent.govIssueIdentType": "NI", "govIssueIdent.identSerialNum": "8909039381"}),
}


def _same_shape_row(row, catalog):
    """The rows the same request answers: the first of the code with that status/type/text."""
    return next(r for r in catalog.by_code[row["code"].upper()]
                if (r["status"], r["type"], r["description"]) ==
                (row["status"], row["type"], row["description"]))


def test_every_row_with_a_trigger_is_produced_by_its_trigger(client, sandbox):
    catalog = sandbox.catalog
    triggered = [row for row in catalog.rows if row["trigger"]]
    assert len(triggered) >= 30
    for row in triggered:
        key = (row["routes"][0], row["code"])
        if key not in TRIGGERS and row["routes"][0] == "channel_contact":
            key = ("customer_locations", row["code"])  # the same rule, listed by both tables
        response = TRIGGERS[key](client)
        assert response.status_code == row["status"], (row["id"], response.json)
        detail = response.json["responseDetail"]
        assert (detail["errorCode"], detail["errorType"]) == (row["code"], row["type"]), row["id"]
        assert detail["errorDesc"].split(" (")[0] == row["description"], row["id"]


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
