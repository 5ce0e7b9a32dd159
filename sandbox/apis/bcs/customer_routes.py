"""The BCS customer routes' views: parse, call one rule of customer_backend.Customers, render."""
from __future__ import annotations

import functools

from flask import g, request

from ...errors import json_response
from ...http import read_json
from ...resources import shipped_data
from . import customer_render as render
from . import model
from .customer_backend import Customers

EXAMPLES_FILE = "data/bcs_examples.yaml"


@functools.lru_cache(maxsize=1)
def examples_data() -> dict:
    return shipped_data(EXAMPLES_FILE)


def views(sandbox, catalog) -> dict:
    customers = Customers(catalog)

    def create_customer():
        _, account = customers.create(sandbox.state(), g.operation, read_json(request))
        return json_response(render.created(account))

    def basic_data_v1():
        return json_response(render.basic_data_v1(
            customers.by_mnemonic(sandbox.state(), g.operation, request.args.get("mnemonic"))))

    def basic_data_v2():
        return json_response(render.basic_data_v2(
            customers.by_mnemonic(sandbox.state(), g.operation, request.args.get("mnemonic"))))

    def basic_data_v4():
        return json_response(render.basic_data_v4(customers.by_identification_or_cellphone(
            sandbox.state(), g.operation, request.args)))

    def customer_name_by_account(identserialnum, acctid):
        return json_response(render.name_by_account(customers.name_by_account(
            sandbox.state(), g.operation, identserialnum, acctid,
            request.args.get("govIssueIdentType"))))

    def status_basic_data():
        account, customer = customers.status_basic_data(sandbox.state(), g.operation,
                                                         read_json(request))
        return json_response(render.status_basic_data(account, customer))

    return {"create_customer": create_customer, "basic_data_v1": basic_data_v1,
            "basic_data_v2": basic_data_v2, "basic_data_v4": basic_data_v4,
            "customer_name_by_account": customer_name_by_account,
            "status_basic_data": status_basic_data}


def examples(fixtures: dict) -> dict:
    """Each route's answer for the fixture its seed example describes, rendered once at start,
    and the request examples of the routes that take a body."""
    data = examples_data()
    customers = fixtures.get(model.CUSTOMER, {})
    accounts = fixtures.get(model.ACCOUNT, {})
    people = {name: customers[key] for name, key in data["example_customers"].items()}
    owned = {name: accounts[acct_id] for name, acct_id in data["example_accounts"].items()}
    holder = customers[owned["status_basic_data"]["holder"]]
    answers = {"create_customer": render.created(owned["create_customer"]),
               "basic_data_v1": render.basic_data_v1(people["basic_data_v1"]),
               "basic_data_v2": render.basic_data_v2(people["basic_data_v2"]),
               "basic_data_v4": render.basic_data_v4(people["basic_data_v4"]),
               "customer_name_by_account": render.name_by_account(
                   people["customer_name_by_account"]),
               "status_basic_data": render.status_basic_data(owned["status_basic_data"], holder)}
    return with_request_examples({name: {"response_example": answer}
                                  for name, answer in answers.items()}, data)


def with_request_examples(result: dict, data: dict) -> dict:
    """A data file's request bodies (`request_examples`) added to each operation's meta; the
    query parameters are the GET routes' `request_targets` (below), one source for OpenAPI,
    Postman and the console's Try."""
    for name, example in data.get("request_examples", {}).items():
        result.setdefault(name, {})["request_example"] = example
    return result


def request_targets() -> dict:
    """Each GET route's example path parameters and query, as route meta."""
    return {name: {f"{part}_example": values for part, values in target.items()}
            for name, target in examples_data()["request_targets"].items()}
