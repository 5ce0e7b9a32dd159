"""POST /core_customer and POST /core_product (seeds 000, 001, 002): the route table and the
views, which parse, call one backend rule and render."""
from __future__ import annotations

from flask import request

from ...errors import json_response
from ...family import Route
from ...http import read_json
from . import schemas

# Whom a request is about (what a recording matches): the main document (seed 000 in
# client_info; seed 001's first client_documents entry) and the wisenroll code; the customer.
_DOCUMENT = ("document_type_code", "document_number", "issuing_country_code")
CUSTOMER_IDENTIFIED_BY = (*(f"body.client_info.{key}" for key in _DOCUMENT),
                          *(f"body.client_documents.0.{key}" for key in _DOCUMENT),
                          "body.client_info.wisenroll_code")

ROUTES = (
    Route("core_customer", "POST", "/core_customer",
          "Create or update an individual client (seeds 000 and 001)",
          identified_by=CUSTOMER_IDENTIFIED_BY, writes=True,
          meta={"seed": "000, 001", "request_schema": schemas.CUSTOMER_000,
                "request_schemas": [schemas.CUSTOMER_000, schemas.CUSTOMER_001],
                "success_status": 201}),
    Route("core_product", "POST", "/core_product",
          "Open a product's accounts for a customer (seed 002)",
          identified_by=("body.customer_number", "body.product_code"), writes=True,
          meta={"seed": "002", "request_schema": schemas.PRODUCT, "success_status": 201}),
)


def views(sandbox, backend) -> dict:
    def core_customer():
        number = backend.save_customer(sandbox.state(), read_json(request))
        return json_response({"customer_number": number}, 201)

    def core_product():
        accounts = backend.open_product(sandbox.state(), read_json(request))
        return json_response({"accounts_info": accounts}, 201)

    return {"core_customer": core_customer, "core_product": core_product}
