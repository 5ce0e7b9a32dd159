"""POST /core_customer (seeds 000 and 001): examples, validation, create/update, auth, edges."""
import base64

import pytest

from tests.conftest import CORE_AUTH, seed_example
from tests.core_support import new_client, same_shape, stored

REQUESTS_000 = ["000_request_1", "000_request_2", "000_request_3"]
REQUESTS_001 = ["001_request_1", "001_request_2", "001_request_3"]
# Each seed example's client is a fixture customer (scenarios/data/core_customers.yaml).
SEED_NUMBERS = {"000_request_1": 1234, "000_request_2": 1235, "000_request_3": 1236,
                "001_request_1": 1237, "001_request_2": 46, "001_request_3": 1238}


def post(client, body, headers=CORE_AUTH, **kwargs):
    return client.post("/core_customer", json=body, headers=headers, **kwargs)


# -- every seed example, as it is ---------------------------------------------------------------
@pytest.mark.parametrize("name", REQUESTS_000 + REQUESTS_001)
def test_seed_request_example_gets_the_seed_success_answer(client, name):
    response = post(client, seed_example(name))
    assert response.status_code == 201
    assert same_shape(response.json, seed_example(name[:3] + "_response_201"))
    assert response.json == {"customer_number": SEED_NUMBERS[name]}


def test_seed_000_example_1_answers_the_seed_success_example_exactly(client):
    response = post(client, seed_example("000_request_1"))
    assert response.json == seed_example("000_response_201")


@pytest.mark.parametrize("seed", ["000", "001"])
def test_error_answer_has_the_seed_error_shape(client, seed):
    response = post(client, {"client_info": {}})
    assert 400 <= response.status_code < 500
    assert same_shape(response.json, seed_example(f"{seed}_response_4xx"))


# -- create, then update with the same number -------------------------------------------------
@pytest.mark.parametrize("layout", ["000", "001"])
def test_new_client_gets_a_new_integer_number_above_the_fixtures(client, sandbox, layout):
    response = post(client, new_client(layout))
    assert response.status_code == 201
    number = response.json["customer_number"]
    assert isinstance(number, int)
    assert number > max(int(k) for k in sandbox.fixtures["core_customer"])


@pytest.mark.parametrize("layout", ["000", "001"])
def test_reposting_the_same_main_document_updates_and_keeps_the_number(client, sandbox, layout):
    first = post(client, new_client(layout, first_name="ANA")).json["customer_number"]
    second = post(client, new_client(layout, first_name="ANABEL"))
    assert second.status_code == 201
    assert second.json == {"customer_number": first}
    assert stored(sandbox, first)["client"]["client_info"]["first_name"] == "ANABEL"


def test_document_dashes_and_case_do_not_make_another_client(client):
    first = post(client, new_client(document_number="40299900011")).json["customer_number"]
    again = post(client, new_client(document_number="402-9990001-1"))
    assert again.json == {"customer_number": first}


def test_other_main_document_is_another_client(client):
    first = post(client, new_client(document_number="40299900011")).json["customer_number"]
    other = post(client, new_client(document_number="40299900012")).json["customer_number"]
    assert other != first


def test_update_of_a_fixture_customer_changes_it_in_the_session_only(client, sandbox):
    body = seed_example("001_request_2")
    body["client_contact"]["email"] = "daniela@new.example.com"
    assert post(client, body).json == {"customer_number": 46}
    assert stored(sandbox, 46)["client"]["client_contact"]["email"] == "daniela@new.example.com"
    assert sandbox.fixtures["core_customer"]["46"]["client"]["client_contact"]["email"] != \
        "daniela@new.example.com"


def test_001_layout_is_chosen_by_client_documents(client):
    # Without client_documents the body is read as seed 000's layout, which requires the
    # documents inside client_info.
    body = seed_example("001_request_2")
    del body["client_documents"]
    response = post(client, body)
    assert response.status_code == 400
    assert "client_info.document_number: Missing data for required field" in response.json["message"]


# -- unknown fields are kept --------------------------------------------------------------------
def test_fields_the_tables_do_not_list_are_kept_at_every_level(client, sandbox):
    body = new_client("001", document_number="123456789")
    body["channel"] = "mobile"
    body["client_info"]["bonding_type"] = "NI"
    body["client_documents"][0]["expiry"] = "2030-01-01"
    body["client_references"]["first_personal_reference"]["nickname"] = "Alex"
    number = post(client, body).json["customer_number"]
    record = stored(sandbox, number)["client"]
    assert record["channel"] == "mobile"
    assert record["client_info"]["bonding_type"] == "NI"
    assert record["client_documents"][0]["expiry"] == "2030-01-01"
    assert record["client_references"]["first_personal_reference"]["nickname"] == "Alex"


def test_seed_001_example_fields_outside_the_table_are_stored(client, sandbox):
    post(client, seed_example("001_request_1"))
    info = stored(sandbox, 1237)["client"]["client_info"]
    assert info["industry_code"] == "511" and info["office_representative"] == "VME"
    assert "customer_number" in info and info["customer_number"] is None


# -- validation: every failing field named with its path ------------------------------------------
def invalid(client, body):
    response = post(client, body)
    assert response.status_code == 400, response.json
    assert set(response.json) == {"message"}
    return response.json["message"]


def test_every_failing_field_is_named_in_one_message(client):
    body = seed_example("000_request_1")
    body["client_info"]["birth_date"] = "12/10/1990"
    del body["client_contact"]["email"]
    message = invalid(client, body)
    assert message == ("Invalid request: client_info.birth_date: Not a valid date (YYYY-MM-DD); "
                       "client_contact.email: Missing data for required field.")


REQUIRED_000 = ["client_info.first_name", "client_info.last_name", "client_info.sex",
                "client_info.birth_date", "client_info.civil_status_id",
                "client_info.document_type_code", "client_info.document_number",
                "client_info.issuing_country_code", "client_location.city_description",
                "client_location.province_code", "client_location.address",
                "client_contact.cell_phone", "client_job_info.salary", "client_job_info.ciiu",
                "client_references.first_personal_reference",
                "client_references.second_personal_reference",
                "client_transactionality.out_monthly_movements",
                "client_entity_branch.branch_name", "client_entity_branch.branch_code",
                "client_job_info", "client_entity_branch"]
REQUIRED_001 = ["client_info.wisenroll_code",
                "client_documents[0].main", "client_documents[1].issuing_country_code",
                "client_job_info.entry_date", "client_job_info.annual_gross_salary",
                "client_job_info.occupation_description",
                "client_transactionality.funds_country_code",
                "client_transactionality.inc_transactionality_currency"]


def at(body, path):
    """(parent, key) of a dotted path with [i] list indexes."""
    parts = path.replace("[", ".").replace("]", "").split(".")
    parent = body
    for part in parts[:-1]:
        parent = parent[int(part)] if part.isdigit() else parent[part]
    last = parts[-1]
    return parent, int(last) if last.isdigit() else last


def with_value(name, path, value=...):
    body = seed_example(name)
    parent, key = at(body, path)
    if value is ...:
        del parent[key]
    else:
        parent[key] = value
    return body


@pytest.mark.parametrize("path", REQUIRED_000)
def test_000_required_field_missing(client, path):
    message = invalid(client, with_value("000_request_1", path))
    assert f"{path}: Missing data for required field" in message


@pytest.mark.parametrize("path", REQUIRED_001)
def test_001_required_field_missing(client, path):
    message = invalid(client, with_value("001_request_1", path))
    assert f"{path}: Missing data for required field" in message


def test_001_client_documents_may_not_be_null(client):
    # (Absent, the body is seed 000's layout: see test_001_layout_is_chosen_by_client_documents.)
    message = invalid(client, with_value("001_request_1", "client_documents", None))
    assert "client_documents: Field may not be null" in message


@pytest.mark.parametrize("path", ["client_info.first_name", "client_info.birth_date",
                                  "client_contact.email", "client_job_info.salary",
                                  "client_location"])
def test_required_field_may_not_be_null(client, path):
    message = invalid(client, with_value("000_request_2", path, None))
    assert f"{path}: Field may not be null" in message


def test_required_text_may_not_be_empty(client):
    message = invalid(client, with_value("000_request_2", "client_info.last_name", "  "))
    assert "client_info.last_name: Must not be empty" in message


def test_branch_code_may_be_null_as_seed_000_example_3_sends_it(client):
    body = with_value("001_request_3", "client_entity_branch.branch_code", None)
    assert post(client, body).status_code == 201


@pytest.mark.parametrize("path", ["client_info.middle_name", "client_info.spouse_info",
                                  "client_info.immigration_status", "client_info.related_accounts",
                                  "client_location.rent_amount", "client_contact.fax",
                                  "client_job_info.other_job_info",
                                  "client_references.first_bank_reference"])
@pytest.mark.parametrize("value", [None, ...])
def test_optional_field_may_be_null_or_absent(client, path, value):
    assert post(client, with_value("000_request_1", path, value)).status_code == 201


@pytest.mark.parametrize("path", ["client_info.middle_name", "client_contact.home_phone",
                                  "client_info.nationality_code", "client_location.postal_code"])
def test_optional_text_may_be_empty(client, path):
    assert post(client, with_value("000_request_1", path, "")).status_code == 201


@pytest.mark.parametrize("name,path,value,expected", [
    ("000_request_1", "client_info.first_name", "A" * 31, "Longer than maximum length 30"),
    ("000_request_1", "client_info.document_number", "1" * 16, "Longer than maximum length 15"),
    ("000_request_1", "client_info.issuing_country_code", "DOM", "Longer than maximum length 2"),
    ("000_request_1", "client_location.province_code", "01000", "Longer than maximum length 4"),
    ("000_request_1", "client_entity_branch.branch_name", "B" * 36, "Longer than maximum length 35"),
    ("000_request_1", "client_info.related_accounts[0]",
     {"account_link_type_code": "OO"}, None),
    ("001_request_1", "client_documents[0].document_number", "9" * 21,
     "Longer than maximum length 20"),
    ("001_request_1", "client_info.wisenroll_code", "4MTA2CX", "Longer than maximum length 6"),
    ("001_request_1", "client_transactionality.out_transactionality_currency", "USDX",
     "Longer than maximum length 3"),
])
def test_length(client, name, path, value, expected):
    if expected is None:  # a list member: the path of the field inside it
        path, expected = path + ".account_link_type_code", "Longer than maximum length 1"
        body = seed_example(name)
        body["client_info"]["related_accounts"] = [value]
    else:
        body = with_value(name, path, value)
    assert f"{path}: {expected}" in invalid(client, body)


@pytest.mark.parametrize("name,path,value,expected", [
    ("000_request_1", "client_info.civil_status_id", "2", "Not a valid integer"),
    ("000_request_1", "client_info.civil_status_id", 2.5, "Not a valid integer"),
    ("000_request_1", "client_info.civil_status_id", True, "Not a valid integer"),
    ("000_request_1", "client_job_info.salary", "25000", "Not a valid number"),
    ("000_request_1", "client_transactionality.inc_monthly_movements", "2", "Not a valid integer"),
    ("000_request_1", "client_info.first_name", 123, "Not a valid string"),
    ("000_request_1", "client_info.spouse_info", "CAROLINA", "Invalid input type"),
    ("000_request_1", "client_info.related_accounts", {}, "Not a valid list"),
    ("000_request_3", "client_info.related_accounts[0].authorized_signature", "yes",
     "Not a valid boolean"),
    ("000_request_3", "client_info.related_accounts[0].authorized_signature", 1,
     "Not a valid boolean"),
    ("001_request_1", "client_documents[4].main", "1", "Not a valid integer"),
    ("001_request_1", "client_references.first_bank_reference.canceled", "no",
     "Not a valid integer"),
])
def test_type(client, name, path, value, expected):
    assert f"{path}: {expected}" in invalid(client, with_value(name, path, value))


@pytest.mark.parametrize("value", ["1990/10/12", "12-10-1990", "1990-13-01", "1990-02-30",
                                   "1990-1-2", "19901012", 19901012])
def test_birth_date_must_be_yyyy_mm_dd(client, value):
    message = invalid(client, with_value("000_request_1", "client_info.birth_date", value))
    assert "client_info.birth_date: Not a valid date (YYYY-MM-DD)" in message


def test_001_entry_date_is_a_date(client):
    message = invalid(client, with_value("001_request_1", "client_job_info.entry_date", "2020-02-31"))
    assert "client_job_info.entry_date: Not a valid date (YYYY-MM-DD)" in message


@pytest.mark.parametrize("sex", ["M", "F", "NB", "NC", "O"])
def test_sex_enumeration_accepts_each_value(client, sex):
    assert post(client, with_value("001_request_2", "client_info.sex", sex)).status_code == 201


@pytest.mark.parametrize("sex", ["X", "m", "", "Male"])
def test_sex_enumeration_refuses_other_values(client, sex):
    message = invalid(client, with_value("000_request_1", "client_info.sex", sex))
    assert "client_info.sex: Must be one of: M, F, NB, NC, O" in message


@pytest.mark.parametrize("name,path,value,expected", [
    ("000_request_1", "client_location.housing_type", "Prestada", "Propia, Alquilada"),
    ("000_request_1", "client_references.first_personal_reference.relationship", "Amigo",
     "Familiar, No Familiar"),
    ("001_request_1", "client_documents[0].main", 2, "0, 1"),
])
def test_other_enumerations(client, name, path, value, expected):
    assert f"{path}: Must be one of: {expected}" in invalid(client, with_value(name, path, value))


@pytest.mark.parametrize("mains", [0, 2])
def test_001_needs_exactly_one_main_document(client, mains):
    body = seed_example("001_request_1")
    for index, doc in enumerate(body["client_documents"]):
        doc["main"] = 1 if index < mains else 0
    message = invalid(client, body)
    assert f"client_documents: Exactly one document must have main 1 (found {mains})" in message


def test_a_level_1_node_of_the_wrong_type_is_named(client):
    message = invalid(client, with_value("000_request_1", "client_contact", ["x"]))
    assert "client_contact: Invalid input type" in message


# -- credentials --------------------------------------------------------------------------------
def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize("headers", [{}, basic("sandbox", "wrong"), basic("other", "sandbox"),
                                     {"Authorization": "Bearer abc"},
                                     {"Authorization": "Basic !!notbase64"}])
def test_missing_or_wrong_credentials_get_401_with_a_challenge(client, headers):
    response = post(client, seed_example("000_request_1"), headers=headers)
    assert response.status_code == 401
    assert set(response.json) == {"message"}
    assert response.headers["WWW-Authenticate"] == 'Basic realm="core"'


def test_credentials_are_checked_before_the_body(client):
    response = client.post("/core_customer", data="{", content_type="application/json")
    assert response.status_code == 401


def test_configured_credentials_replace_the_default():
    from sandbox import create_app
    from tests.conftest import make_config
    client = create_app(make_config(core_user="bank", core_password="s3cr3t")).test_client()
    body = seed_example("000_request_1")
    assert post(client, body).status_code == 401
    assert post(client, body, headers=basic("bank", "s3cr3t")).status_code == 201


# -- edges, in the {"message"} envelope, never a traceback ----------------------------------------
def test_malformed_json(client):
    response = client.post("/core_customer", data='{"client_info": ', headers=CORE_AUTH,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json["message"].startswith("Malformed JSON")


@pytest.mark.parametrize("data", ["[]", '"text"', ""])
def test_body_that_is_not_an_object(client, data):
    response = client.post("/core_customer", data=data, headers=CORE_AUTH,
                           content_type="application/json")
    assert response.status_code == 400 and set(response.json) == {"message"}


def test_wrong_content_type_is_415(client):
    response = client.post("/core_customer", data="client_info=x", headers=CORE_AUTH,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "application/json" in response.json["message"]


def test_body_over_1_mib_is_413(client):
    response = client.post("/core_customer", data=b"{" + b" " * (1024 * 1024) + b"}",
                           headers=CORE_AUTH, content_type="application/json")
    assert response.status_code == 413
    assert set(response.json) == {"message"}


def test_get_is_405(client):
    response = client.get("/core_customer", headers=CORE_AUTH)
    assert response.status_code == 405
    assert "allowed: POST" in response.json["message"]


def test_unknown_path_under_the_route_is_404_in_its_envelope(client):
    response = client.post("/core_customer/extra", headers=CORE_AUTH)
    assert response.status_code == 404 and set(response.json) == {"message"}


# -- a wisenroll code names one client (issue: lookups never drift) ------------------------------
def test_a_wisenroll_code_another_client_holds_is_refused_naming_the_field(client):
    taken = seed_example("001_request_2")["client_info"]["wisenroll_code"]  # customer 46's
    response = post(client, new_client("001", "40211101999", wisenroll_code=taken))
    assert response.status_code == 400
    message = response.json["message"]
    assert message.startswith("client_info.wisenroll_code:") and "customer 46" in message
    # ...and the code still finds its holder.
    found = client.post("/core_product", headers=CORE_AUTH, json={
        "product_code": "AH01", "open_date": "2021-01-02", "customer_number": 46,
        "related_client_info": [{"related_wisenroll_code": taken, "relationship": "T"}]})
    assert found.status_code == 201, found.json


def test_a_client_that_changes_its_wisenroll_code_gives_the_old_one_up(client):
    body = new_client("001", "40211101888")
    old_code = body["client_info"]["wisenroll_code"]
    assert post(client, body).status_code == 201
    body["client_info"]["wisenroll_code"] = "CHG888"
    assert post(client, body).status_code == 201
    # The old code finds no one, and another client may now take it.
    other = new_client("001", "40211101777", wisenroll_code=old_code)
    assert post(client, other).status_code == 201
    # Re-posting with its own code is an update, not a conflict.
    assert post(client, other).status_code == 201


# -- "may arrive null or empty": an empty optional field, of any type, is the field left out -----
@pytest.mark.parametrize("layout, path", [
    ("000", "client_location.housing_type"),                              # a closed list
    ("000", "client_location.rent_amount"),                               # a number
    ("000", "client_references.first_personal_reference.relationship"),   # a closed list
    ("001", "client_references.first_bank_reference.canceled"),           # an integer flag
    ("001", "client_location.housing_type"),
])
def test_an_empty_optional_field_is_treated_as_absent(client, layout, path):
    body = new_client(layout, "40211105555")
    *parents, name = path.split(".")
    holder = body
    for part in parents:
        holder = holder[part]
    holder[name] = ""
    response = post(client, body)
    assert response.status_code == 201, response.json


def test_an_empty_required_field_is_still_refused(client):
    body = new_client("000", "40211105557")
    body["client_info"]["first_name"] = ""
    response = post(client, body)
    assert response.status_code == 400 and "client_info.first_name" in response.json["message"]
