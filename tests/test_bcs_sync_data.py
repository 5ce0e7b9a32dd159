"""POST /v1/sync-data and POST /v1/sync-data-file (seed 004, Sync Data - Recurring Intake)."""
import base64
import json

import pytest

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error, assert_shape, file_body
from tests.conftest import BCS_HEADERS, seed_example

SYNC = BASE + "/v1/sync-data"
SYNC_FILE = BASE + "/v1/sync-data-file"
BEARER_HEADERS = {"client_id": "sandbox-client", "client_secret": "sandbox-secret",
                  "Authorization": "Bearer 2312323", "Content-Type": "application/json"}


def new_intake(mnemonic="CC1098765432", acct_id="21009990001") -> dict:
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = mnemonic
    body["listAccounts"][0]["depAcctId"]["acctId"] = acct_id
    return body


def file_content() -> dict:
    return json.loads(base64.b64decode(seed_example("004_sync_data_file_request")["file"]["binData"]))


# -- the seed examples --------------------------------------------------------------------------
def test_the_seed_request_gets_the_seed_response(client):
    response = client.post(SYNC, json=seed_example("004_sync_data_request"), headers=BEARER_HEADERS)
    assert response.status_code == 200
    assert response.json == seed_example("004_sync_data_response")


def test_the_seed_file_is_decoded_and_gets_the_seed_response(client):
    response = client.post(SYNC_FILE, json=seed_example("004_sync_data_file_request"),
                           headers=BEARER_HEADERS)
    assert response.status_code == 200
    assert response.json == seed_example("004_sync_data_file_response")


@pytest.mark.parametrize("url, body", [(SYNC, {}), (SYNC_FILE, {"file": {}})])
def test_credentials_are_required_and_errors_say_er500(client, url, body):
    response = client.post(url, json=body)
    detail = assert_bcs_error(response, 401, "1004", "ER500")
    assert_shape(response.json, "004_sync_data_error")
    assert detail["errorType"] == "BDA"


# -- state: the intake's customer and accounts on the base's routes ------------------------------
def test_a_synced_customer_is_found_by_basic_data_and_its_account_by_name(client):
    assert client.post(SYNC, json=new_intake(), headers=JSON_HEADERS).status_code == 200
    v1 = client.get(BASE + "/customerAccountManagement/v1/BasicData?mnemonic=CC1098765432",
                    headers=BCS_HEADERS)
    assert v1.status_code == 200, v1.json
    assert "SARA" in json.dumps(v1.json)
    by_account = client.get(BASE + "/customer-management/customer/identserialnum/1098765432"
                                   "/acctid/21009990001", headers=BCS_HEADERS)
    assert by_account.status_code == 200, by_account.json
    assert by_account.json == {"custInfo": {"personName": {"fullName": "SARA JONES"}}}


def test_a_synced_customer_is_found_by_locations_and_remittances(client):
    client.post(SYNC, json=new_intake(), headers=JSON_HEADERS)
    locations = client.get(BASE + "/customer-management/v1/location/1098765432",
                           headers=BCS_HEADERS)
    assert locations.status_code == 200
    ident = locations.json["govIssueIdent"]
    assert ident["fullName"] == "SARA JONES"
    assert ident["postAddr"][0]["addr1"] == "XXXXXXXXXXXX"
    assert [e["emailAddr"] for e in ident["emailFromInfo"]] == ["sara@email.com", "sara33@email.com"]
    remittances = client.get(BASE + "/customers-management/v1/remittances/basic-data/1098765432"
                                    "?govIssueIdentType=CC", headers=BCS_HEADERS)
    assert remittances.status_code == 200
    assert remittances.json["personInfo"]["personName"]["firstName"] == "SARA"


def test_the_decoded_file_stores_its_customer_and_accounts(client):
    content = file_content()
    content["govIssueIdent"]["mnemonic"] = "CC1087654321"
    content["listAccounts"] = content["listAccounts"][:1]
    content["listAccounts"][0]["depAcctId"]["acctId"] = "24509990002"
    response = client.post(SYNC_FILE, json=file_body(content), headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    by_account = client.get(BASE + "/customer-management/customer/identserialnum/1087654321"
                                   "/acctid/24509990002", headers=BCS_HEADERS)
    assert by_account.json == {"custInfo": {"personName": {"fullName": "DIONICIO SADY SUANCHA TUTA"}}}


def test_an_intake_updates_a_stored_customer_and_keeps_what_it_does_not_carry(client):
    body = seed_example("004_sync_data_request")
    body["custInfo"][0]["contactInfo"]["emailAddr"] = "sara.jones@correo.com.co"
    assert client.post(SYNC, json=body, headers=JSON_HEADERS).status_code == 200
    contact = client.get(BASE + "/customer-management/v1/channel/contact/123456789",
                         headers=BCS_HEADERS)
    assert contact.status_code == 200
    assert contact.json["incomeInfo"]["incomeAmt"] == "2500000.00"
    locations = client.get(BASE + "/customer-management/v1/location/123456789",
                           headers=BCS_HEADERS)
    emails = [e["emailAddr"] for e in locations.json["govIssueIdent"]["emailFromInfo"]]
    assert emails[0] == "sara.jones@correo.com.co"


def test_a_second_intake_of_the_same_customer_keeps_one_record(client):
    client.post(SYNC, json=new_intake(), headers=JSON_HEADERS)
    client.post(SYNC, json=new_intake(acct_id="21009990002"), headers=JSON_HEADERS)
    for acct_id in ("21009990001", "21009990002"):
        response = client.get(BASE + "/customer-management/customer/identserialnum/1098765432"
                                     f"/acctid/{acct_id}", headers=BCS_HEADERS)
        assert response.status_code == 200, response.json


# -- rules --------------------------------------------------------------------------------------
def test_missing_required_fields_are_00001_naming_them(client):
    body = new_intake()
    del body["govIssueIdent"]
    body["custInfo"][0]["personName"].pop("fullName")
    detail = assert_bcs_error(client.post(SYNC, json=body, headers=JSON_HEADERS), 400, "00001",
                              "ER500")
    assert "govIssueIdent" in detail["errorDesc"]
    assert "custInfo.0.personName.fullName" in detail["errorDesc"]


@pytest.mark.parametrize("change, field", [
    (lambda b: b["govIssueIdent"].update(mNemonic="123456789"), "govIssueIdent.mNemonic"),
    (lambda b: b["listAccounts"][0].update(acctType="XYZ"), "listAccounts.0.acctType"),
    (lambda b: b["listAccounts"][0]["xferRec"].update(flagDebit="yes"),
     "listAccounts.0.xferRec.flagDebit"),
    (lambda b: b["custInfo"][0]["personName"].update(birthDt="11/12/2022"),
     "custInfo.0.personName.birthDt"),
    (lambda b: b.update(custInfo=[]), "custInfo"),
])
def test_malformed_values_are_bad_requests_naming_the_field(client, change, field):
    body = new_intake()
    change(body)
    detail = assert_bcs_error(client.post(SYNC, json=body, headers=JSON_HEADERS), 400, "1",
                              "ER500")
    assert field in detail["errorDesc"]


@pytest.mark.parametrize("change, status, code", [
    (lambda b: b["govIssueIdent"].update(mNemonic="CC12AB34"), 404, "50555"),
    (lambda b: b["govIssueIdent"].update(mNemonic="NI12345"), 404, "50609"),
    (lambda b: b["custInfo"][0]["personName"].update(fullName="Sara J0nes!"), 404, "50565"),
    (lambda b: b["custInfo"][0]["contactInfo"].update(phoneNumber="12345"), 404, "50562"),
    (lambda b: b["custInfo"][0]["additionalPhoneNum"][0].update(phoneNumber="12AB"), 404, "50529"),
    # Account 24567890123 is held by CC 1234567890 (the create example's).
    (lambda b: b["listAccounts"][0]["depAcctId"].update(acctId="24567890123"), 400, "50591"),
])
def test_rules_on_the_intake_answer_their_catalog_rows(client, change, status, code):
    body = new_intake()
    change(body)
    assert_bcs_error(client.post(SYNC, json=body, headers=JSON_HEADERS), status, code, "ER500")


def test_a_refused_intake_stores_nothing(client):
    body = new_intake()
    body["listAccounts"].append({**body["listAccounts"][0], "depAcctId": {"acctId": "24567890123"}})
    client.post(SYNC, json=body, headers=JSON_HEADERS)
    response = client.get(BASE + "/customer-management/v1/location/1098765432", headers=BCS_HEADERS)
    assert_bcs_error(response, 400, "51011")


@pytest.mark.parametrize("bin_data, says", [
    ("not base64 at all!", "not valid base64"),
    (base64.b64encode(b"\xff\xfe\x00").decode(), "not UTF-8"),
    (base64.b64encode(b"{\"custInfo\": ").decode(), "not JSON"),
    (base64.b64encode(b"[1, 2]").decode(), "not a JSON object"),
])
def test_a_malformed_file_is_a_bad_request(client, bin_data, says):
    response = client.post(SYNC_FILE, json={"file": {"binData": bin_data}}, headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 400, "1", "ER500")
    assert "file.binData" in detail["errorDesc"] and says in detail["errorDesc"]


def test_the_file_content_is_validated_as_sync_data(client):
    content = file_content()
    del content["custInfo"][0]["personName"]["fullName"]
    response = client.post(SYNC_FILE, json=file_body(content), headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 400, "00001", "ER500")
    assert "file.binData:custInfo.0.personName.fullName" in detail["errorDesc"]


def test_a_file_without_bin_data_is_00001(client):
    response = client.post(SYNC_FILE, json={"file": {}}, headers=JSON_HEADERS)
    detail = assert_bcs_error(response, 400, "00001", "ER500")
    assert "file.binData" in detail["errorDesc"]


def test_the_magic_number_inside_the_file_forces_its_error(client):
    content = file_content()
    content["govIssueIdent"]["mnemonic"] = "CC99950628"
    response = client.post(SYNC_FILE, json=file_body(content), headers=JSON_HEADERS)
    assert_bcs_error(response, 400, "50628", "ER500")


def test_over_a_real_socket_with_the_documented_underscore_headers(live_server):
    import requests
    response = requests.post(live_server.url + SYNC, json=seed_example("004_sync_data_request"),
                             headers=BEARER_HEADERS, timeout=5)
    assert response.status_code == 200
    assert response.json() == seed_example("004_sync_data_response")


def test_an_intake_address_in_a_known_department_gets_its_dane_code(client):
    body = new_intake()  # postAddress[0].stateProv "Cundinamarca"
    client.post(SYNC, json=body, headers=JSON_HEADERS)
    locations = client.get(BASE + "/customer-management/v1/location/1098765432",
                           headers=BCS_HEADERS)
    state = locations.json["govIssueIdent"]["postAddr"][0]["stateProv"]
    assert state == {"code": "25000", "desc": "CUNDINAMARCA"}


def test_an_intake_keeps_the_records_of_the_emails_and_phones_the_customer_had(client, sandbox):
    before = sandbox.fixtures["bcs_customer"]["CC:123456789"]["emails"]
    assert client.post(SYNC, json=seed_example("004_sync_data_request"),
                       headers=JSON_HEADERS).status_code == 200
    ident = client.get(BASE + "/customer-management/v1/location/123456789",
                       headers=BCS_HEADERS).json["govIssueIdent"]
    emails = {e["emailAddr"]: e for e in ident["emailFromInfo"]}
    assert set(emails) == {"sara@email.com", "sara33@email.com"}
    assert emails["sara33@email.com"]["idItem"] == before[0]["idItem"]
    # The additional phone repeats the cellphone: one CEL entry, no duplicate ADI.
    assert [(p["phoneType"]["code"], p["cellPhone"]) for p in ident["phoneNum"]] == [
        ("CEL", "3105556755")]
