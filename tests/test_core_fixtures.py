"""The core's customers at start: the seed people, and generated Dominican and US customers."""
import pytest

from sandbox import create_app
from sandbox.apis.core.backend import BY_DOCUMENT, BY_WISENROLL, document_key
from sandbox.apis.core.fixtures import generated_customers, luhn_digit
from tests.conftest import make_config

DO_PROVINCES = {"0100", "3200", "2500", "1300", "1800", "2300", "1200", "1100", "2100", "0600"}


def customers(sandbox) -> dict:
    return sandbox.fixtures["core_customer"]


def generated(sandbox, country: str) -> list[dict]:
    return [r for r in customers(sandbox).values()
            if int(r["customer_number"]) >= 5001 and r["main_document"]["issuing_country_code"] == country]


def test_the_core_product_examples_customers_exist(sandbox):
    assert {"1234", "46"} <= set(customers(sandbox))


def test_customer_46_is_daniela_matos_of_seed_001_example_2(sandbox):
    record = customers(sandbox)["46"]
    info = record["client"]["client_info"]
    assert (info["first_name"], info["last_name"]) == ("DANIELA", "MATOS")
    assert record["wisenroll_code"] == "K9ZW56"
    assert record["main_document"] == {"document_type_code": "SSN", "document_number": "111010001",
                                       "issuing_country_code": "US"}
    assert sandbox.fixtures[BY_WISENROLL]["K9ZW56"] == {"customer_number": 46}


@pytest.mark.parametrize("document,number", [
    (("PASA", "ABC100010", "CO"), 1234), (("CEDU", "40211101000", "DO"), 1235),
    (("CEDU", "05502356982", "DO"), 1236), (("SSN", "111110001", "US"), 1237),
    (("SSN", "111010001", "US"), 46), (("SSN", "100000001", "US"), 1238)])
def test_every_seed_example_client_is_a_customer(sandbox, document, number):
    assert sandbox.fixtures[BY_DOCUMENT][document_key(*document)] == {"customer_number": number}


def test_fixtures_start_with_no_accounts(sandbox):
    assert all(r["accounts"] == [] for r in customers(sandbox).values())


def test_generated_customers_of_both_countries(sandbox):
    assert len(generated(sandbox, "DO")) >= 10 and len(generated(sandbox, "US")) >= 5


def test_dominican_customers_look_dominican(sandbox):
    for record in generated(sandbox, "DO"):
        client = record["client"]
        cedula = client["client_info"]["document_number"]
        assert client["client_info"]["document_type_code"] == "CEDU"
        assert len(cedula) == 11 and cedula.isdigit() and luhn_digit(cedula[:10]) == cedula[10]
        assert client["client_location"]["province_code"] in DO_PROVINCES
        assert client["client_location"]["country_code"] == "DO"
        assert client["client_contact"]["cell_phone"][:3] in ("809", "829", "849")
        assert len(client["client_contact"]["cell_phone"]) == 10


def test_us_customers_look_american(sandbox):
    for record in generated(sandbox, "US"):
        client = record["client"]
        ssn = record["main_document"]["document_number"]
        assert record["main_document"]["document_type_code"] == "SSN"
        assert len(ssn) == 9 and ssn.isdigit()
        assert client["client_location"]["country_code"] == "US"
        assert len(client["client_location"]["postal_code"]) == 5
        assert len(client["client_contact"]["cell_phone"]) == 10
        assert len(record["wisenroll_code"]) == 6


def test_the_check_digit_agrees_with_seed_000_example_3s_cedula():
    # 055-0235698-2: Luhn (weights 1, 2, 1, 2...) over the first ten digits gives the eleventh.
    assert luhn_digit("0550235698") == "2"


def test_same_seed_same_customers_other_seed_others():
    fresh = generated_customers.__wrapped__  # past the per-process cache: Faker runs again
    assert fresh(7) == fresh(7)
    assert fresh(7)[0] != fresh(8)[0]


def test_the_seed_decides_the_apps_generated_customers_not_the_seed_people():
    def people(seed):
        return create_app(make_config(seed=seed)).extensions["sandbox"].fixtures["core_customer"]
    seven, eight = people(7), people(8)
    assert seven["5001"] != eight["5001"]
    assert seven["1234"] == eight["1234"]


def test_new_customers_are_numbered_above_every_fixture(client, sandbox):
    from tests.conftest import CORE_AUTH
    from tests.core_support import new_client
    number = client.post("/core_customer", json=new_client(), headers=CORE_AUTH).json["customer_number"]
    assert number == max(int(k) for k in customers(sandbox)) + 1


def test_a_catalog_product_opening_an_unknown_sub_product_fails_at_start():
    from sandbox.apis.core.backend import CoreBackend
    catalog = {"sub_products": {"SAV1": {}}, "products": {"AH09": {"opens": ["SAV1", "SAV9"]}}}
    with pytest.raises(ValueError, match="SAV9"):
        CoreBackend(1, catalog)
