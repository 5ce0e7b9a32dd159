"""The BCS customer routes: parse, call one rule of customer.Customers, render."""
from __future__ import annotations

from flask import g, request

from ...errors import json_response
from ...http import read_json
from . import customer_render as render
from .customer import Customers


def register(app, sandbox, base: str) -> None:
    from . import add_route  # the package imports this module before add_route exists

    customers = Customers(sandbox.catalog)

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

    for view in (create_customer, basic_data_v1, basic_data_v2, basic_data_v4,
                 customer_name_by_account, status_basic_data):
        add_route(app, sandbox, base, view.__name__, view)
