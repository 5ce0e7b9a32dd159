"""What a client stores is what every BCS route answers (issue 9): a re-create or an intake
updates what it sends and keeps what it leaves out; a cellphone finds the one customer who holds
it now; accounts an intake carries are created; fields a write stores are shown where seed 004's
shapes have a place for them."""
from __future__ import annotations

from tests.bcs_profile_support import BASE, JSON_HEADERS, assert_bcs_error
from tests.conftest import seed_example

CREATE = BASE + "/customer-account-management/v1/customer"
SYNC = BASE + "/v1/sync-data"
STATUS = BASE + "/customer-management/v1/status-basic-data"

# The channel-contact fixture (bcs_fixtures.yaml): a residence (03) and an office (04) with every
# part filled in, account 24500000033, cellphone 3157654321.
LUIS = "91234567"
LUIS_ACCOUNT = "24500000033"
RESIDENCE = {"addr1": "CL 43 23 57", "neighborhood": "CHAPINERO CENTRAL",
             "city": {"code": "68307", "desc": "GIRON"},
             "stateProv": {"code": "68000", "desc": "SANTANDER"}, "idItem": "69808131"}
OFFICE = {"addr1": "PITALITO OF", "neighborhood": "NA",
          "city": {"code": "41551", "desc": "PITALITO"},
          "stateProv": {"code": "41000", "desc": "HUILA"}, "idItem": "69808132"}


def get(client, path: str) -> dict:
    response = client.get(BASE + path, headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    return response.json


def post(client, path: str, body: dict) -> dict:
    response = client.post(path, json=body, headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    return response.json


def re_create(client, number: str, **sections) -> dict:
    """POST customer with only the required fields and the sections given."""
    body = {"govIssueIdent": {"govIssueIdentType": "CC", "identSerialNum": number},
            "personName": {"firstName": "X", "lastName": "Y"},
            "personInfo": {"birthDt": "1971-11-22"}, **sections}
    return post(client, CREATE, body)


def locations(client, number: str) -> list[dict]:
    return get(client, f"/customer-management/v1/location/{number}")["govIssueIdent"]["postAddr"]


def by_type(addresses: list[dict]) -> dict[str, dict]:
    return {a["addrType"]["code"]: a for a in addresses}


def part_of(address: dict, like: dict) -> dict:
    return {key: address[key] for key in like}


def full_name(client, number: str) -> str:
    return get(client, f"/customerAccountManagement/v4/basicData?govIssueIdentType=CC"
                       f"&identSerialNum={number}")["personInfo"]["fullName"]


# -- 2. a re-create keeps what it leaves out -----------------------------------------------------
def test_a_re_create_with_one_address_line_keeps_the_rest_of_the_customer(client):
    re_create(client, LUIS, contactInfo={"postAddr": {"addr1": "CL 1 2 3"}})
    stored = by_type(locations(client, LUIS))
    assert set(stored) == {"03", "04"}
    assert part_of(stored["03"], RESIDENCE) == {**RESIDENCE, "addr1": "CL 1 2 3"}
    assert part_of(stored["04"], OFFICE) == OFFICE
    contact = get(client, f"/customer-management/v1/channel/contact/{LUIS}")
    assert contact["postAddr"] == {"cityId": "68307", "neighborhood": "CHAPINERO CENTRAL",
                                   "addr1": "CL 1 2 3", "phoneNum": {"phone": "2000002"}}
    assert contact["orgInfo"]["addr1"] == "PITALITO OF"
    assert contact["incomeInfo"] == {"incomeAmt": "4510000.00"}


def test_a_sent_person_name_is_the_whole_new_name_on_every_route(client):
    re_create(client, LUIS, contactInfo={"postAddr": {"addr1": "CL 1 2 3"}})
    v4 = get(client, f"/customerAccountManagement/v4/basicData?govIssueIdentType=CC"
                     f"&identSerialNum={LUIS}")["personInfo"]
    assert v4["fullName"] == "X Y"
    assert v4["personName"] == {"firstName": "X", "middleName": "", "lastName": "Y",
                                "secondLastName": ""}
    v1 = get(client, f"/customerAccountManagement/v1/BasicData?mnemonic=CC{LUIS}")
    assert v1["personName"]["fullName"] == "X Y" and v1["personName"]["middleName"] == ""
    assert (v1["postAddr"]["addr1"], v1["postAddr"]["city"]) == ("CL 1 2 3", "GIRON")
    v2 = get(client, f"/customerAccountManagement/v2/basicData?mnemonic=CC{LUIS}")
    assert (v2["fullName"], v2["firstName"], v2["lastName"]) == ("X Y", "X", "Y")
    by_account = get(client, f"/customer-management/customer/identserialnum/{LUIS}"
                             f"/acctid/{LUIS_ACCOUNT}")
    assert by_account == {"custInfo": {"personName": {"fullName": "X Y"}}}
    status = post(client, STATUS, {"trn": {"depAcctIdTo": {"acctId": LUIS_ACCOUNT}}})
    assert status["trn"]["personName"] == {"fullName": "X Y"}
    remittances = get(client, f"/customers-management/v1/remittances/basic-data/{LUIS}"
                              "?govIssueIdentType=CC")
    assert remittances["personInfo"]["personName"] == {"lastName": "Y", "secondLastName": "",
                                                       "firstName": "X", "middleName": ""}
    assert sorted((a["postAddr"]["addrType"], a["postAddr"]["addr1"], a["postAddr"]["postalCode"])
                  for a in remittances["listAddress"]) == [("EMPR", "PITALITO OF", "417030"),
                                                           ("RESI", "CL 1 2 3", "687541")]


def test_a_re_create_in_another_city_keeps_no_part_of_the_old_place(client):
    """The neighbourhood, department and postal code of Giron do not follow the customer to
    Medellin; the address's own records (its id, its landline) stay. The names come from the
    codes, from one table (the department from the city's code)."""
    re_create(client, LUIS, contactInfo={"postAddr": {"addr1": "CL 10 20 30", "cityId": "05001",
                                                      "city": "Medellin"}})
    residence = by_type(locations(client, LUIS))["03"]
    assert part_of(residence, RESIDENCE) == {
        "addr1": "CL 10 20 30", "neighborhood": "", "city": {"code": "05001", "desc": "MEDELLIN"},
        "stateProv": {"code": "05000", "desc": "ANTIOQUIA"}, "idItem": "69808131"}
    contact = get(client, f"/customer-management/v1/channel/contact/{LUIS}")
    assert contact["postAddr"]["phoneNum"] == {"phone": "2000002"}


def test_a_re_create_keeps_the_emails_and_phones_it_does_not_send(client):
    """The locations fixture: two e-mail and phone records; the re-create sends a new e-mail and
    an additional landline."""
    number = "80123456"
    before = get(client, f"/customer-management/v1/location/{number}")["govIssueIdent"]
    re_create(client, number,
              personInfo={"birthDt": "1975-09-30", "contactInfo": {"emailAddr": "new@correo.co"}},
              contactInfo={"additionalPhoneNum": {"phoneType": "T", "phone": "6015550000"}})
    after = get(client, f"/customer-management/v1/location/{number}")["govIssueIdent"]
    emails = [e["emailAddr"] for e in after["emailFromInfo"]]
    assert emails == ["new@correo.co"] + [e["emailAddr"] for e in before["emailFromInfo"]]
    assert after["phoneNum"][:len(before["phoneNum"])] == before["phoneNum"]
    assert [(p["phoneType"]["code"], p["cellPhone"]) for p in after["phoneNum"]][-1] == (
        "ADI", "6015550000")
    assert after["postAddr"] == before["postAddr"]
    v1 = get(client, f"/customerAccountManagement/v1/BasicData?mnemonic=CC{number}")
    assert v1["contactInfo"] == {"emailAddr": "new@correo.co", "phone": "4309903",
                                 "cellPhone": "3124567891"}


def test_the_seed_create_for_a_stored_customer_replaces_only_what_it_sends(client):
    """The seed's create example is for CC 1234567890: its residence and payroll-agreement
    address replace the stored ones, which were in other cities."""
    post(client, CREATE, seed_example("004_create_request"))
    stored = by_type(locations(client, "1234567890"))
    assert (stored["03"]["addr1"], stored["03"]["city"]) == ("XXXXXXXXXXXX",
                                                             {"code": "05001", "desc": "MEDELLIN"})
    assert stored["03"]["idItem"] == "69808101"
    assert stored["04"]["addr1"] == "XXXXXXXXXXXX"
    assert full_name(client, "1234567890") == "CARLOS MARIO DE_FRANCISCO LOPEZ"


# -- 2. the same rule on sync-data ---------------------------------------------------------------
def intake_for(number: str, name: str, address: dict | None = None) -> dict:
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = f"CC{number}"
    body["personName"]["firstName"] = name.split()[0]
    info = body["custInfo"][0]
    info["personName"]["fullName"] = name
    info["postAddress"] = [address] if address else []
    info["contactInfo"] = {}
    info["additionalEmaillAddr"] = []
    info["additionalPhoneNum"] = []
    body["listAccounts"] = []
    return body


def test_an_intake_replaces_the_residence_it_sends_and_keeps_the_rest(client):
    post(client, SYNC, intake_for(LUIS, "Luis Moreno", {
        "addr1": "CL 99 1 1", "stateProv": "Santander", "country": "Colombia",
        "addrType": "Home", "priority": True}))
    stored = by_type(locations(client, LUIS))
    assert part_of(stored["03"], RESIDENCE) == {**RESIDENCE, "addr1": "CL 99 1 1"}
    assert part_of(stored["04"], OFFICE) == OFFICE
    assert full_name(client, LUIS) == "LUIS MORENO"
    contact = get(client, f"/customer-management/v1/channel/contact/{LUIS}")
    assert contact["postAddr"]["addr1"] == "CL 99 1 1"
    assert contact["orgInfo"]["addr1"] == "PITALITO OF"
    v4 = get(client, f"/customerAccountManagement/v4/basicData?govIssueIdentType=CC"
                     f"&identSerialNum={LUIS}")["personInfo"]
    assert v4["contactInfo"] == {"emailAddr": "luis.moreno@correo.com.co",
                                 "cellPhone": "3157654321"}


def test_an_intake_keeps_the_emails_and_phones_it_does_not_send(client):
    number = "80123456"
    before = get(client, f"/customer-management/v1/location/{number}")["govIssueIdent"]
    body = intake_for(number, "Joaquin Mario Duarte Iregui")
    body["custInfo"][0]["additionalEmaillAddr"] = [{"emailAddr": "otro@correo.co"}]
    post(client, SYNC, body)
    after = get(client, f"/customer-management/v1/location/{number}")["govIssueIdent"]
    # The main e-mail stays first; the new additional one follows those the customer had.
    assert [e["emailAddr"] for e in after["emailFromInfo"]] == [
        e["emailAddr"] for e in before["emailFromInfo"]] + ["otro@correo.co"]
    assert after["phoneNum"] == before["phoneNum"]
    assert after["postAddr"] == before["postAddr"]


# -- 5. a cellphone finds the one customer who holds it now --------------------------------------
def by_cellphone(client, number: str):
    return client.get(BASE + f"/customerAccountManagement/v4/basicData?cellphone={number}",
                      headers=JSON_HEADERS)


def holder_of(client, number: str) -> str:
    response = by_cellphone(client, number)
    assert response.status_code == 200, response.json
    return response.json["personInfo"]["govIssueIdent"]["identSerialNum"]


def test_a_changed_cellphone_no_longer_finds_the_customer(client):
    assert holder_of(client, "3157654321") == LUIS
    re_create(client, LUIS, contactInfo={"additionalPhoneNum": {"phoneType": "C",
                                                                "phone": "3009998877"}})
    assert holder_of(client, "3009998877") == LUIS
    assert_bcs_error(by_cellphone(client, "3157654321"), 404, "1006")


def test_a_changed_cellphone_on_sync_data_no_longer_finds_the_customer(client):
    body = intake_for(LUIS, "Luis Alberto Moreno Castro")
    body["custInfo"][0]["contactInfo"] = {"phoneNumber": "3009998877"}
    post(client, SYNC, body)
    assert holder_of(client, "3009998877") == LUIS
    assert_bcs_error(by_cellphone(client, "3157654321"), 404, "1006")


def test_an_intake_that_moves_the_cellphone_keeps_the_old_one_as_an_additional_number(client):
    body = intake_for(LUIS, "Luis Alberto Moreno Castro")
    body["custInfo"][0]["contactInfo"] = {"phoneNumber": "3009998877"}
    body["custInfo"][0]["additionalPhoneNum"] = [{"phoneNumber": "3157654321"}]
    post(client, SYNC, body)
    phones = get(client, f"/customer-management/v1/location/{LUIS}")["govIssueIdent"]["phoneNum"]
    assert [(p["phoneType"]["code"], p["cellPhone"]) for p in phones] == [
        ("CEL", "3009998877"), ("ADI", "3157654321")]
    assert_bcs_error(by_cellphone(client, "3157654321"), 404, "1006")


def test_the_seed_v4_customer_gives_up_both_numbers_it_was_found_by(client):
    """CC 1234567890 is found by 1234567890 (its cellPhone) and 3200000002 (contactInfo's);
    the seed's create example writes 3105556755 for both."""
    assert holder_of(client, "1234567890") == holder_of(client, "3200000002") == "1234567890"
    post(client, CREATE, seed_example("004_create_request"))
    assert holder_of(client, "3105556755") == "1234567890"
    for old in ("1234567890", "3200000002"):
        assert_bcs_error(by_cellphone(client, old), 404, "1006")
    assert cel_records(client, "1234567890", "3") == {"3200000002": "N", "3105556755": "V"}


def cel_records(client, number: str, condition: str) -> dict[str, str]:
    phones = get(client, f"/customer-management/v1/location/{number}?condition={condition}")[
        "govIssueIdent"]["phoneNum"]
    return {p["cellPhone"]: p["conditionInfo"]["code"] for p in phones
            if p["phoneType"]["code"] == "CEL"}


def test_locations_condition_selects_the_phones_and_emails_too(client):
    """A number the customer gave up is an expired record: listed for condition 2 (expired) and
    3 (all), not for 1 (current, the default), like the addresses."""
    post(client, CREATE, seed_example("004_create_request"))
    assert cel_records(client, "1234567890", "1") == {"3105556755": "V"}
    assert cel_records(client, "1234567890", "2") == {"3200000002": "N"}
    expired = get(client, "/customer-management/v1/location/1234567890?condition=2")
    assert expired["govIssueIdent"]["emailFromInfo"] == []


def test_a_number_another_customer_writes_moves_to_that_customer(client):
    """The upstream keeps one holder per number: the last customer to write it holds it, and
    the one who held it gives it up (its cellphone fields emptied, its CEL record no vigente)."""
    re_create(client, "1012345678", contactInfo={"additionalPhoneNum": {"phoneType": "C",
                                                                        "phone": "3157654321"}})
    assert holder_of(client, "3157654321") == "1012345678"
    luis = get(client, f"/customerAccountManagement/v4/basicData?govIssueIdentType=CC"
                       f"&identSerialNum={LUIS}")["personInfo"]
    assert (luis["cellPhone"], luis["contactInfo"]["cellPhone"]) == ("", "")
    v1 = get(client, f"/customerAccountManagement/v1/BasicData?mnemonic=CC{LUIS}")
    assert v1["contactInfo"]["cellPhone"] == ""
    # ...and takes it back on its next intake.
    body = intake_for(LUIS, "Luis Alberto Moreno Castro")
    body["custInfo"][0]["contactInfo"] = {"phoneNumber": "3157654321"}
    post(client, SYNC, body)
    assert holder_of(client, "3157654321") == LUIS
    other = get(client, "/customerAccountManagement/v4/basicData?govIssueIdentType=CC"
                        "&identSerialNum=1012345678")["personInfo"]
    assert other["cellPhone"] == ""


def test_every_fixture_number_finds_its_one_holder(client, sandbox):
    holders = {}
    for key, customer in sandbox.fixtures["bcs_customer"].items():
        for number in {customer["cellPhone"], customer["contactInfo"]["cellPhone"]} - {""}:
            assert holders.setdefault(number, key) == key, number
    for number, key in holders.items():
        assert holder_of(client, number) == key.partition(":")[2]


# -- 6. what a write stores is shown where the seed's shapes have a place -------------------------
def remittances_ident(client, number: str, ident_type: str) -> dict:
    return get(client, f"/customers-management/v1/remittances/basic-data/{number}"
                       f"?govIssueIdentType={ident_type}")["personInfo"]["govIssueIdent"]


def create_with_document(client, ident_type: str, number: str, date: str) -> None:
    post(client, CREATE, {"govIssueIdent": {"govIssueIdentType": ident_type,
                                            "identSerialNum": number},
                          "personName": {"firstName": "ANA", "lastName": "RUIZ"},
                          "personInfo": {"birthDt": "1990-01-31",
                                         "govIssueIdent": {"expCityId": "05001",
                                                           "expDt": date}}})


def test_a_document_that_expires_shows_its_expiry_date_on_remittances(client):
    for ident_type, number in (("PA", "AB123456"), ("CE", "654321"), ("PE", "987654321")):
        create_with_document(client, ident_type, number, "2031-05-01")
        ident = remittances_ident(client, number, ident_type)
        assert ident["expDt"] == "2031-05-01", ident_type
        assert ident["issDt"] == "", ident_type  # the request gives no issue date


def test_a_citizenship_card_keeps_the_date_as_its_issue_date(client):
    create_with_document(client, "CC", "1020304050", "2008-03-14")
    ident = remittances_ident(client, "1020304050", "CC")
    assert ident["issDt"] == "2008-03-14" and "expDt" not in ident


def test_a_re_create_without_the_date_keeps_the_expiry_date(client):
    create_with_document(client, "PA", "AB123456", "2031-05-01")
    post(client, CREATE, {"govIssueIdent": {"govIssueIdentType": "PA",
                                            "identSerialNum": "AB123456"},
                          "personName": {"firstName": "ANA", "lastName": "RUIZ"},
                          "personInfo": {"birthDt": "1990-01-31"}})
    assert remittances_ident(client, "AB123456", "PA")["expDt"] == "2031-05-01"


THIRD_ANSWER = """\
scenarios:
  - name: atdp003
    description: The stored answer to secure-data's preguntaATDP003
    routes: [remittances_basic_data]
    response:
      body: {atdp003: "{{ customer.compliance.questions.preguntaATDP003 if customer else none }}"}
"""


def test_the_third_secure_data_answer_is_stored_for_scenario_templates(tmp_path):
    """No shape of seed 004 has a place for preguntaATDP003 (remittances' compliance shows the
    first two answers only): a scenario template reads it from the stored customer."""
    from sandbox import create_app
    from tests.conftest import make_config
    from tests.scenario_kit import write
    write(tmp_path, "atdp.yaml", THIRD_ANSWER)
    client = create_app(make_config(scenarios=(str(tmp_path),))).test_client()
    client.put(BASE + "/customer-management/v1/secure-data", headers=JSON_HEADERS, json={
        "govIssueIdent": {"identSerialNum": LUIS, "govIssueIdentType": "CC"},
        "compliance": [{"question": "preguntaATDP003", "answer": False}]})
    path = f"/customers-management/v1/remittances/basic-data/{LUIS}?govIssueIdentType=CC"
    assert set(get(client, path)["compliance"]) == {"termsConditions", "personDataProcessing"}
    response = client.get(BASE + path, headers={**JSON_HEADERS, "X-Sandbox-Scenario": "atdp003"})
    assert response.json == {"atdp003": False}


# -- 7. sync-data stores what it acknowledges ----------------------------------------------------
PILA = BASE + "/customer-management/v1/query-pila"
NEW = "1098765432"


def nested_intake() -> dict:
    """The seed's intake for a new customer, its account where the mapping table puts it:
    custInfo[].listAccounts."""
    body = seed_example("004_sync_data_request")
    body["govIssueIdent"]["mNemonic"] = f"CC{NEW}"
    account = body.pop("listAccounts")[0]
    account["depAcctId"]["acctId"] = "21009990001"
    body["custInfo"][0]["listAccounts"] = [account]
    return body


def sync_error(client, body: dict, status: int, code: str) -> str:
    response = client.post(SYNC, json=body, headers=JSON_HEADERS)
    return assert_bcs_error(response, status, code, "ER500")["errorDesc"]


def test_accounts_inside_cust_info_are_created(client):
    post(client, SYNC, nested_intake())
    by_account = get(client, f"/customer-management/customer/identserialnum/{NEW}"
                             "/acctid/21009990001")
    assert by_account == {"custInfo": {"personName": {"fullName": "SARA JONES"}}}
    status = post(client, STATUS, {"trn": {"depAcctIdTo": {"acctId": "21009990001"}}})
    assert status["trn"]["depAcctId"] == {"acctId": "21009990001"}
    pila = seed_example("004_pila_request")
    pila["trn"]["depAcctIdTo"]["acctId"] = "21009990001"
    post(client, PILA, pila)


def test_accounts_in_both_places_are_all_created(client):
    body = nested_intake()
    body["listAccounts"] = [{**body["custInfo"][0]["listAccounts"][0],
                             "depAcctId": {"acctId": "21009990002"}}]
    post(client, SYNC, body)
    for acct_id in ("21009990001", "21009990002"):
        get(client, f"/customer-management/customer/identserialnum/{NEW}/acctid/{acct_id}")


def test_an_account_inside_cust_info_follows_the_same_rules(client):
    body = nested_intake()
    body["custInfo"][0]["listAccounts"][0]["depAcctId"]["acctId"] = "24567890123"
    assert "custInfo.0.listAccounts.0" in sync_error(client, body, 400, "50591")
    body = nested_intake()
    body["custInfo"][0]["listAccounts"][0]["acctType"] = "XYZ"
    assert "custInfo.0.listAccounts.0.acctType" in sync_error(client, body, 400, "1")


def with_addresses(*types: str, second_entry: bool = False) -> dict:
    body = nested_intake()
    addresses = [{"addr1": f"CL {n} 1 1", "stateProv": "Cundinamarca", "country": "Colombia",
                  "addrType": kind, "priority": n == 0} for n, kind in enumerate(types)]
    info = body["custInfo"][0]
    if second_entry:
        info["postAddress"] = addresses[:1]
        body["custInfo"].append({"personName": {"fullName": "Sara Jones"},
                                 "postAddress": addresses[1:]})
    else:
        info["postAddress"] = addresses
    return body


def test_two_home_addresses_are_50621_and_store_nothing(client):
    says = sync_error(client, with_addresses("Home", "Home"), 400, "50621")
    assert "custInfo.0.postAddress.0" in says and "custInfo.0.postAddress.1" in says
    response = client.get(BASE + f"/customer-management/v1/location/{NEW}", headers=JSON_HEADERS)
    assert_bcs_error(response, 400, "51011")
    assert_bcs_error(client.get(BASE + f"/customer-management/customer/identserialnum/{NEW}"
                                "/acctid/21009990001", headers=JSON_HEADERS), 404, "05620")


def test_two_home_addresses_in_two_entries_are_50621(client):
    says = sync_error(client, with_addresses("Home", "home", second_entry=True), 400, "50621")
    assert "custInfo.1.postAddress.0" in says


def test_two_office_addresses_are_50624(client):
    sync_error(client, with_addresses("Home", "Work", "Office"), 400, "50624")


def test_a_home_and_a_work_address_are_both_stored(client):
    post(client, SYNC, with_addresses("Home", "Work"))
    assert set(by_type(locations(client, NEW))) == {"03", "04"}


def test_an_address_type_the_intake_does_not_know_is_a_bad_request(client):
    says = sync_error(client, with_addresses("Billing"), 400, "1")
    assert "custInfo.0.postAddress.0.addrType" in says and "Home" in says


def test_every_cust_info_entry_is_stored(client):
    body = with_addresses("Home", "Work", second_entry=True)
    body["custInfo"][1]["additionalEmaillAddr"] = [{"emailAddr": "sara.work@correo.co"}]
    post(client, SYNC, body)
    assert set(by_type(locations(client, NEW))) == {"03", "04"}
    emails = get(client, f"/customer-management/v1/location/{NEW}")["govIssueIdent"][
        "emailFromInfo"]
    assert "sara.work@correo.co" in [e["emailAddr"] for e in emails]


# -- the tables walked again: rows about stored state --------------------------------------------
def test_a_customer_stored_as_not_bindable_opens_no_new_product(client):
    """Channel contact says the fixture is not bindable (personInfo.flagBindable false): create
    answers 50002 PERSONA NO VINCULABLE for a product it does not hold, and stores nothing."""
    assert get(client, f"/customer-management/v1/channel/contact/{LUIS}")["personInfo"][
        "flagBindable"] is False
    body = {"govIssueIdent": {"govIssueIdentType": "CC", "identSerialNum": LUIS},
            "personName": {"firstName": "X", "lastName": "Y"},
            "personInfo": {"birthDt": "1971-11-22"},
            "product": {"productId": {"ledgerCode": "21", "subLedgerCode": "02",
                                      "groupCode": "00"}}}
    says = assert_bcs_error(client.post(CREATE, json=body, headers=JSON_HEADERS), 400,
                            "50002")["errorDesc"]
    assert says.startswith("PERSONA NO VINCULABLE") and "flagBindable" in says
    assert full_name(client, LUIS) == "LUIS ALBERTO MORENO CASTRO"
    # The product it holds is answered, its data updated, as for any customer.
    re_create(client, LUIS)
    assert full_name(client, LUIS) == "X Y"

