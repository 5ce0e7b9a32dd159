"""POST /core_product (seed 002): examples, catalog, customers, related clients, errors, edges."""
import base64

import pytest

from tests.conftest import CORE_AUTH, seed_example
from tests.core_support import new_client, same_shape, stored


def post(client, body, headers=CORE_AUTH):
    return client.post("/core_product", json=body, headers=headers)


def product(code="AH01", customer_number=1234, **more):
    return {"product_code": code, "customer_number": customer_number, "open_date": "2021-01-02",
            **more}


def errors_of(response, status=400):
    """The seed's error answer: accounts_info entries with action ERROR, product and message."""
    assert response.status_code == status, response.json
    assert same_shape(response.json, seed_example("002_response_400"))
    for entry in response.json["accounts_info"]:
        assert entry["action"] == "ERROR" and entry["message"]
    return response.json["accounts_info"]


# -- the seed's examples ----------------------------------------------------------------------
def test_seed_example_1_as_it_is_answers_the_seed_success_example(client):
    response = post(client, seed_example("002_request_1"))
    assert response.status_code == 201
    assert response.json == seed_example("002_response_201_1")


def test_seed_example_2_is_accepted(client):
    # The seed's example 2 holds curly quotes, trailing commas and a literal `...` placeholder
    # for "more related clients": the fixture straightens the quotes and drops the commas and
    # the placeholder, keeping the one related client it shows (customer 46, DANIELA MATOS).
    response = post(client, seed_example("002_request_2"))
    assert response.status_code == 201
    assert same_shape(response.json, seed_example("002_response_201_1"))


def test_a_code_that_opens_two_sub_products_answers_the_second_success_example(client):
    response = post(client, product("AH02"))
    assert response.status_code == 201
    assert response.json == seed_example("002_response_201_2")


def test_the_error_example_shape_one_entry_per_sub_product(client):
    entries = errors_of(post(client, product("CC01", customer_number=999999)))
    assert [e["account_product"] for e in entries] == ["NOW1", "NOW3"]
    assert all("customer_number 999999 is not a customer" in e["message"] for e in entries)


def test_account_numbers_are_12_digit_strings_and_never_repeat(client):
    numbers = []
    for _ in range(3):
        for entry in post(client, product("AH02")).json["accounts_info"]:
            assert entry["action"] == "CREATE"
            assert isinstance(entry["account_number"], str) and len(entry["account_number"]) == 12
            assert entry["account_number"].isdigit()
            numbers.append(entry["account_number"])
    assert len(set(numbers)) == 6


# -- the customer: created or fixture -----------------------------------------------------------
def test_product_for_a_customer_created_through_core_customer(client, sandbox):
    number = client.post("/core_customer", json=new_client(), headers=CORE_AUTH).json["customer_number"]
    response = post(client, product("AH01", number))
    assert response.status_code == 201
    account = response.json["accounts_info"][0]
    accounts = stored(sandbox, number)["accounts"]
    assert [(a["account_number"], a["account_product"], a["product_code"]) for a in accounts] == \
        [(account["account_number"], "SAV1", "AH01")]


def test_accounts_survive_an_update_of_the_customer(client, sandbox):
    number = client.post("/core_customer", json=new_client(), headers=CORE_AUTH).json["customer_number"]
    post(client, product("AH01", number))
    client.post("/core_customer", json=new_client(first_name="OTRO"), headers=CORE_AUTH)
    record = stored(sandbox, number)
    assert record["client"]["client_info"]["first_name"] == "OTRO"
    assert len(record["accounts"]) == 1


def test_customer_of_another_session_is_unknown(client):
    number = client.post("/core_customer", json=new_client(), headers=CORE_AUTH).json["customer_number"]
    response = client.post("/core_product", json=product("AH01", number),
                           headers={**CORE_AUTH, "X-Sandbox-Session": "other"})
    assert "is not a customer" in errors_of(response)[0]["message"]


def test_unknown_customer(client):
    entries = errors_of(post(client, product("AH01", 424242)))
    assert entries == [{"action": "ERROR", "account_product": "SAV1", "message":
                        "customer_number 424242 is not a customer of the core "
                        "(create it first with POST /core_customer)."}]


def test_unknown_product_code_names_the_code_and_the_known_ones(client):
    entries = errors_of(post(client, product("ZZ99")))
    assert len(entries) == 1 and entries[0]["account_product"] == "ZZ99"
    assert "product_code ZZ99 is not a product" in entries[0]["message"]
    assert "AH01" in entries[0]["message"]


# -- related clients -------------------------------------------------------------------------------
def related(**member):
    return product("AH01", related_client_info=[member])


@pytest.mark.parametrize("member", [
    {"customer_number": 46},
    {"related_wisenroll_code": "K9ZW56"},
    {"related_wisenroll_code": "k9zw56"},
    {"main_document": {"document_type_code": "SSN", "document_number": "111010001",
                       "issuing_number_code": "US"}},
    {"customer_number": 46, "account_link_type": "O", "authorized_signature": 0},
])
def test_related_client_found_by_number_wisenroll_or_document_either_spelling(client, member):
    assert post(client, related(**member)).status_code == 201


def test_related_clients_are_stored_with_the_account(client, sandbox):
    post(client, seed_example("002_request_2"))
    account = stored(sandbox, 1234)["accounts"][-1]
    assert account["related_client_info"] == [
        {"customer_number": 46, "account_link_type": "O", "authorized_signature": 1}]


@pytest.mark.parametrize("member,expected", [
    ({"customer_number": 777}, "related_client_info[0]: customer_number 777 is not a customer"),
    ({"related_wisenroll_code": "ZZZZZZ"},
     "related_client_info[0]: related_wisenroll_code ZZZZZZ is not a customer"),
    ({"main_document": {"document_type_code": "SSN", "document_number": "000000000",
                        "issuing_country_code": "US"}},
     "related_client_info[0]: main_document SSN 000000000 is not a customer"),
    ({"customer_number": 46, "related_wisenroll_code": "4MTA2C"},
     "related_client_info[0]: related_wisenroll_code 4MTA2C is not customer 46's"),
    ({"customer_number": 46, "main_document": {"document_type_code": "SSN",
                                               "document_number": "111110001",
                                               "issuing_country_code": "US"}},
     "related_client_info[0]: main_document 111110001 is not customer 46's main document"),
    ({"authorized_signature": 1}, "related_client_info[0]: name the related client"),
])
def test_unknown_or_mismatched_related_client(client, member, expected):
    entries = errors_of(post(client, related(**member)))
    assert entries[0]["account_product"] == "SAV1"
    assert expected in entries[0]["message"]


def test_every_problem_is_said_at_once(client):
    body = product("AH02", 999, related_client_info=[{"customer_number": 46},
                                                     {"customer_number": 888}])
    entries = errors_of(post(client, body))
    assert [e["account_product"] for e in entries] == ["SAV1", "SAV2"]
    assert "customer_number 999" in entries[0]["message"]
    assert "related_client_info[1]: customer_number 888" in entries[0]["message"]


def test_nothing_is_opened_when_the_request_fails(client, sandbox):
    post(client, product("AH01", related_client_info=[{"customer_number": 888}]))
    assert stored(sandbox, 1234)["accounts"] == []


# -- validation, in the seed's error envelope -------------------------------------------------------
@pytest.mark.parametrize("field", ["product_code", "customer_number", "open_date"])
def test_required_fields(client, field):
    body = product()
    del body[field]
    entries = errors_of(post(client, body))
    assert f"{field}: Missing data for required field" in entries[0]["message"]


@pytest.mark.parametrize("field,value,expected", [
    ("product_code", "AH011", "product_code: Longer than maximum length 4"),
    ("product_code", None, "product_code: Field may not be null"),
    ("product_code", 101, "product_code: Not a valid string"),
    ("customer_number", "1234", "customer_number: Not a valid integer"),
    ("customer_number", None, "customer_number: Field may not be null"),
    ("open_date", "02/01/2021", "open_date: Not a valid date (YYYY-MM-DD)"),
    ("open_date", "2021-02-30", "open_date: Not a valid date (YYYY-MM-DD)"),
    ("related_client_info", {"customer_number": 46}, "related_client_info: Not a valid list"),
    ("related_client_info", [{"customer_number": "46"}],
     "related_client_info[0].customer_number: Not a valid integer"),
    ("related_client_info", [{"customer_number": 46, "authorized_signature": 2}],
     "related_client_info[0].authorized_signature: Must be one of: 0, 1"),
    ("related_client_info", [{"customer_number": 46, "account_link_type": "OOO"}],
     "related_client_info[0].account_link_type: Longer than maximum length 2"),
    ("related_client_info", [{"main_document": {"issuing_number_code": "USA"}}],
     "related_client_info[0].main_document.issuing_number_code: Longer than maximum length 2"),
])
def test_invalid_fields_are_named(client, field, value, expected):
    entries = errors_of(post(client, product("AH02", **{field: value})))
    assert expected in entries[0]["message"]
    if field != "product_code":  # a known code: one entry per sub-product it would have opened
        assert [e["account_product"] for e in entries] == ["SAV1", "SAV2"]


def test_every_invalid_field_in_one_message(client):
    entries = errors_of(post(client, {"product_code": "AH01", "open_date": "yesterday"}))
    assert entries[0]["message"] == ("Invalid request: customer_number: Missing data for required "
                                     "field; open_date: Not a valid date (YYYY-MM-DD).")


def test_optional_related_client_info_may_be_null_or_empty(client):
    assert post(client, product(related_client_info=None)).status_code == 201
    assert post(client, product(related_client_info=[])).status_code == 201


def test_unknown_fields_are_kept_and_accepted(client):
    assert post(client, product(channel="web", extra={"a": 1})).status_code == 201


# -- credentials and edges, all in accounts_info --------------------------------------------------
@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Basic " + base64.b64encode(b"sandbox:nope").decode()}])
def test_missing_or_wrong_credentials(client, headers):
    response = post(client, product(), headers=headers)
    errors_of(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="core"'


def test_malformed_json(client):
    response = client.post("/core_product", data="{'product_code': 'AH01'}", headers=CORE_AUTH,
                           content_type="application/json")
    assert errors_of(response)[0]["message"].startswith("Malformed JSON")


def test_wrong_content_type(client):
    response = client.post("/core_product", data="product_code=AH01", headers=CORE_AUTH,
                           content_type="text/plain")
    assert "application/json" in errors_of(response, 415)[0]["message"]


def test_body_over_1_mib(client):
    response = client.post("/core_product", data=b"[" + b"0," * (600 * 1024) + b"0]",
                           headers=CORE_AUTH, content_type="application/json")
    errors_of(response, 413)


def test_get_is_405(client):
    response = client.get("/core_product", headers=CORE_AUTH)
    assert "allowed: POST" in errors_of(response, 405)[0]["message"]


def test_no_traceback_on_a_list_body(client):
    response = client.post("/core_product", json=[product()], headers=CORE_AUTH)
    assert "JSON object" in errors_of(response)[0]["message"]
