"""POST /core_customer and POST /core_product: parse, call the backend, render."""
from __future__ import annotations

from flask import request

from ...errors import json_response
from ...http import read_json
from ...registry import Operation


def register_routes(app, sandbox, backend, meta: dict) -> None:
    def core_customer():
        number = backend.save_customer(sandbox.state(), read_json(request))
        return json_response({"customer_number": number}, 201)

    def core_product():
        accounts = backend.open_product(sandbox.state(), read_json(request))
        return json_response({"accounts_info": accounts}, 201)

    sandbox.add_operation(app, Operation(
        "core_customer", "core", "POST", "/core_customer",
        summary="Create or update an individual client (seeds 000 and 001)",
        meta=meta["core_customer"]), core_customer)
    sandbox.add_operation(app, Operation(
        "core_product", "core_product", "POST", "/core_product",
        summary="Open a product's accounts for a customer (seed 002)",
        meta=meta["core_product"]), core_product)
