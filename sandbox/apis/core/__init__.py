"""The core family (seeds 000, 001, 002): its record, and what it builds at start (routes,
envelopes, credentials and fixtures)."""
from __future__ import annotations

from flask import has_request_context, request
from werkzeug.exceptions import HTTPException

from ...config import Setting
from ...family import Family, Parts
from ...http import json_or_none
from . import backend as rules
from . import schemas
from .auth import SECURITY, make_authenticator
from .fixtures import generated_customers, product_catalog, seed_customers
from .routes import ROUTES, views

# The country whose fake data templates get: Dominican Republic, Spanish names.
LOCALE = "es_ES"
SETTINGS = (
    Setting("core_user", "sandbox", "HTTP Basic user of the core routes"),
    Setting("core_password", "sandbox", "HTTP Basic password of the core routes", secret=True),
)


def start(sandbox) -> Parts:
    config = sandbox.config
    people = seed_customers() + generated_customers(config.seed)
    # New clients are numbered above every fixture.
    backend = rules.CoreBackend(max(p["customer_number"] for p in people) + 1, product_catalog())
    return Parts(
        views=views(sandbox, backend),
        envelope=envelope(backend),
        authenticate=make_authenticator(config.core_user, config.core_password),
        fixtures=customer_fixtures(people),
        customer=stored_customer,
        examples=examples(people),
        reads={"core_customer": rules.save_reads})


FAMILY = Family(name="core", title="Core", routes=ROUTES, start=start, settings=SETTINGS,
                locale=LOCALE, security=SECURITY)


def customer_fixtures(people) -> dict[str, dict[str, dict]]:
    """Customer records and their indexes; every fixture is checked against its seed's table."""
    records: dict[str, dict[str, dict]] = {rules.CUSTOMERS: {}, rules.BY_DOCUMENT: {},
                                           rules.BY_WISENROLL: {}}
    for person in people:
        client = person["client"]
        problem = schemas.problems(schemas.customer_schema(client), client)
        if problem:
            raise ValueError(f"core fixture {person['customer_number']} ({person['source']}): {problem}")
        record = rules.customer_record(person["customer_number"], client)
        records[rules.CUSTOMERS][str(record["customer_number"])] = record
        for kind, rows in rules.index_entries(record).items():
            records[kind].update(rows)
    return records


def envelope(backend):
    """Seeds 000/001: `{"message": ...}` with a 4XX. Seed 002: every error on /core_product, even
    one the view never saw (401, 404, 405, 413, 415, malformed JSON), in `accounts_info` with
    action ERROR, so a client parses one shape."""
    def render(err, operation) -> dict:
        if operation is not None and operation.name == "core_product":
            return rules.product_error_body(backend.opens(_product_code()), err.message)
        return {"message": err.message}
    return render


def _product_code():
    """The request's product_code where its body can be read (not on a 413), else None."""
    if not has_request_context():
        return None
    try:
        body = json_or_none(request)
    except HTTPException:  # the body itself was refused (too large)
        return None
    return body.get("product_code") if isinstance(body, dict) else None


def stored_customer(operation, request, state):
    """The stored record a request names (scenario templates' `customer`)."""
    body = json_or_none(request)
    if not isinstance(body, dict):
        return None
    if "customer_number" in body:
        return state.get(rules.CUSTOMERS, body["customer_number"])
    try:
        key = rules.key_of(rules.main_document(body))
    except (KeyError, TypeError, StopIteration, AttributeError):
        return None
    found = state.get(rules.BY_DOCUMENT, key)
    return state.get(rules.CUSTOMERS, found["customer_number"]) if found else None


def examples(people) -> dict:
    by_number = {p["customer_number"]: p["client"] for p in people}
    return {
        "core_customer": {"request_example": by_number[1234],
                          "response_example": {"customer_number": 1234}},
        "core_product": {
            "request_example": {"product_code": "AH01", "customer_number": 1234,
                                "open_date": "2021-01-02"},
            "response_examples": {
                "AH01 (one sub-product)": {"accounts_info": [
                    {"action": "CREATE", "account_product": "SAV1", "account_number": "000201000903"}]},
                "AH02 (two sub-products)": {"accounts_info": [
                    {"action": "CREATE", "account_product": "SAV1", "account_number": "000201000903"},
                    {"action": "CREATE", "account_product": "SAV2", "account_number": "000221000148"}]},
            }},
    }
