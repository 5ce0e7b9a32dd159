"""Registers the core API (seeds 000, 001, 002): routes, envelopes, credentials and fixtures."""
from __future__ import annotations

from flask import has_request_context, request

from werkzeug.exceptions import HTTPException

from ...errors import register_envelope
from ...http import json_or_none
from . import backend as rules
from . import schemas
from .auth import make_authenticator
from .fixtures import generated_customers, product_catalog, seed_customers
from .routes import register_routes


def register(app, sandbox) -> None:
    config = sandbox.config
    people = seed_customers() + generated_customers(config.seed)
    sandbox.add_fixtures(customer_fixtures(people))
    # New clients are numbered above every fixture.
    backend = rules.CoreBackend(max(p["customer_number"] for p in people) + 1, product_catalog())

    authenticate = make_authenticator(config.core_user, config.core_password)
    sandbox.authenticators["core"] = authenticate
    sandbox.authenticators["core_product"] = authenticate
    register_envelope("core", core_envelope)
    register_envelope("core_product", product_envelope(backend))
    # 404/405/413 on these paths never reach a view: the prefix still picks the envelope.
    sandbox.add_prefix("/core_customer", "core")
    sandbox.add_prefix("/core_product", "core_product")
    register_routes(app, sandbox, backend, meta=operation_meta(people))


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


def core_envelope(err, operation) -> dict:
    """Seeds 000/001: `{"message": ...}` with a 4XX."""
    return {"message": err.message}


def product_envelope(backend):
    """Seed 002: every error, even one the view never saw (401, 404, 405, 413, 415, malformed
    JSON), in `accounts_info` with action ERROR, so a client parses one shape."""
    def envelope(err, operation) -> dict:
        return rules.product_error_body(backend.opens(_product_code()), err.message)
    return envelope


def _product_code():
    """The request's product_code where its body can be read (not on a 413), else None."""
    if not has_request_context():
        return None
    try:
        body = json_or_none(request)
    except HTTPException:  # the body itself was refused (too large)
        return None
    return body.get("product_code") if isinstance(body, dict) else None


def stored_customer(request, state):
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


def operation_meta(people) -> dict:
    by_number = {p["customer_number"]: p["client"] for p in people}
    catalog = product_catalog()
    return {
        "core_customer": {
            "seed": "000, 001", "security": "basic", "customer": stored_customer,
            "request_schema": schemas.CUSTOMER_000, "request_schemas": [schemas.CUSTOMER_000,
                                                                         schemas.CUSTOMER_001],
            "request_example": by_number[1234], "response_example": {"customer_number": 1234},
            "success_status": 201,
        },
        "core_product": {
            "seed": "002", "security": "basic", "customer": stored_customer,
            "request_schema": schemas.PRODUCT,
            "request_example": {"product_code": "AH01", "customer_number": 1234,
                                "open_date": "2021-01-02"},
            "response_examples": {
                "AH01 (one sub-product)": {"accounts_info": [
                    {"action": "CREATE", "account_product": "SAV1", "account_number": "000201000903"}]},
                "AH02 (two sub-products)": {"accounts_info": [
                    {"action": "CREATE", "account_product": "SAV1", "account_number": "000201000903"},
                    {"action": "CREATE", "account_product": "SAV2", "account_number": "000221000148"}]},
            },
            "success_status": 201, "products": catalog["products"],
        },
    }
