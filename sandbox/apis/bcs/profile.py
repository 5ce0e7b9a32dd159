"""The BCS profile routes (seed 004): customer locations, secure data, channel contact, sync-data,
sync-data-file, remittances basic data and PILA. Each view parses, calls one backend rule
(profile_backend) and renders (profile_render); errors are catalog rows in the route's envelope.
"""
from __future__ import annotations

import functools

from flask import g, request

from ...errors import json_response
from ...http import json_or_none, read_json
from ...resources import shipped_data
from . import add_route, model, request_idents
from .profile_backend import ProfileBackend, current_address, current_locations
from .profile_intake import decode_file
from .profile_render import (SECURE_DATA_OK, SYNC_DATA_FILE_OK, SYNC_DATA_OK, Labels,
                             channel_contact, locations, query_pila, remittances)
from .profile_schemas import QUERY_PILA, SECURE_DATA, SYNC_DATA, SYNC_DATA_FILE

DATA_FILE = "data/bcs_profile.yaml"


@functools.lru_cache(maxsize=1)
def profile_data() -> dict:
    return shipped_data(DATA_FILE)


def register(app, sandbox, base: str) -> None:
    data = profile_data()
    backend = ProfileBackend(sandbox, data)
    labels = Labels(*(data[name] for name in Labels._fields))

    def customer_locations_view(identserialnum):
        customer, addresses = backend.customer_locations(
            sandbox.state(), g.operation, identserialnum, request.args)
        return json_response(locations(customer, addresses, labels))

    def secure_data_view():
        backend.secure_data(sandbox.state(), g.operation, read_json(request))
        return json_response(SECURE_DATA_OK)

    def channel_contact_view(identserialnum):
        customer, residence, office = backend.channel_contact(
            sandbox.state(), g.operation, identserialnum, request.args)
        return json_response(channel_contact(customer, residence, office))

    def sync_data_view():
        backend.sync_data(sandbox.state(), g.operation, read_json(request))
        return json_response(SYNC_DATA_OK)

    def sync_data_file_view():
        backend.sync_data_file(sandbox.state(), g.operation, read_json(request))
        return json_response(SYNC_DATA_FILE_OK)

    def remittances_view(identserialnum):
        customer, addresses = backend.remittances(
            sandbox.state(), g.operation, identserialnum, request.args, request.headers)
        return json_response(remittances(customer, addresses, labels))

    def query_pila_view():
        planilla = backend.query_pila(sandbox.state(), g.operation, read_json(request),
                                      request.headers)
        return json_response(query_pila(planilla))

    routes = [("customer_locations", customer_locations_view, None, None),
              ("secure_data", secure_data_view, SECURE_DATA, None),
              ("channel_contact", channel_contact_view, None, None),
              ("sync_data", sync_data_view, SYNC_DATA, None),
              ("sync_data_file", sync_data_file_view, SYNC_DATA_FILE, sync_file_idents),
              ("remittances_basic_data", remittances_view, None, None),
              ("query_pila", query_pila_view, QUERY_PILA, None)]
    examples = response_examples(sandbox, data, labels)
    for name, view, schema, idents in routes:
        operation = add_route(app, sandbox, base, name, view, idents=idents)
        # What the OpenAPI document and the console show (the meta dict is the Operation's own).
        operation.meta.update({"seed": "004", "response_example": examples.get(name)})
        if schema is not None:
            operation.meta.update({"request_schema": schema,
                                   "request_example": data["request_examples"][name]})


def response_examples(sandbox, data: dict, labels: Labels) -> dict:
    """Each route's answer for the fixture its seed example describes, rendered once at start
    (None where that fixture is gone)."""
    customers = sandbox.fixtures.get(model.CUSTOMER, {})
    people = {name: customers.get(key) for name, key in data["example_customers"].items()}
    examples = {"secure_data": SECURE_DATA_OK, "sync_data": SYNC_DATA_OK,
                "sync_data_file": SYNC_DATA_FILE_OK,
                "query_pila": query_pila(next(iter(data["pila_planillas"].values())))}
    person = people.get("customer_locations")
    if person:
        examples["customer_locations"] = locations(person, current_locations(person), labels)
    person = people.get("channel_contact")
    if person:
        examples["channel_contact"] = channel_contact(
            person, current_address(person, ("03", "01")), current_address(person, ("04",)))
    person = people.get("remittances_basic_data")
    if person:
        examples["remittances_basic_data"] = remittances(person, current_locations(person), labels)
    return examples


def sync_file_idents(req) -> list[str]:
    """The numbers the request carries plus those inside its base64 file (its mnemonic...)."""
    from . import _walk  # the base's body walker: one definition of "an identification number"
    found = request_idents(req)
    body = json_or_none(req)
    file = body.get("file") if isinstance(body, dict) else None
    bin_data = file.get("binData") if isinstance(file, dict) else None
    if isinstance(bin_data, str):
        content = decode_file(bin_data)
        if isinstance(content, dict):
            _walk(content, found)
    return found
