"""The BCS profile routes' views (seed 004): customer locations, secure data, channel contact,
sync-data, sync-data-file, remittances basic data and PILA. Each parses, calls one backend rule
(profile_backend) and renders (profile_render); errors are catalog rows in the route's envelope.
"""
from __future__ import annotations

import functools

from flask import g, request

from ...errors import json_response
from ...http import read_json
from ...resources import shipped_data
from . import model
from .customer_routes import with_request_examples
from .profile_backend import ProfileBackend, current_address, current_locations
from .profile_render import (SECURE_DATA_OK, SYNC_DATA_FILE_OK, SYNC_DATA_OK, Labels,
                             channel_contact, locations, query_pila, remittances)

DATA_FILE = "data/bcs_profile.yaml"


@functools.lru_cache(maxsize=1)
def profile_data() -> dict:
    return shipped_data(DATA_FILE)


def labels() -> Labels:
    data = profile_data()
    return Labels(*(data[name] for name in Labels._fields))


def views(sandbox, catalog) -> dict:
    backend = ProfileBackend(catalog, sandbox.fakes, profile_data())
    names = labels()

    def customer_locations(identserialnum):
        customer, addresses = backend.customer_locations(
            sandbox.state(), g.operation, identserialnum, request.args)
        return json_response(locations(customer, addresses, names))

    def secure_data():
        backend.secure_data(sandbox.state(), g.operation, read_json(request))
        return json_response(SECURE_DATA_OK)

    def channel_contact_view(identserialnum):
        customer, residence, office = backend.channel_contact(
            sandbox.state(), g.operation, identserialnum, request.args)
        return json_response(channel_contact(customer, residence, office))

    def sync_data():
        backend.sync_data(sandbox.state(), g.operation, read_json(request))
        return json_response(SYNC_DATA_OK)

    def sync_data_file():
        backend.sync_data_file(sandbox.state(), g.operation, read_json(request))
        return json_response(SYNC_DATA_FILE_OK)

    def remittances_basic_data(identserialnum):
        customer, addresses = backend.remittances(
            sandbox.state(), g.operation, identserialnum, request.args)
        return json_response(remittances(customer, addresses, names))

    def query_pila_view():
        planilla = backend.query_pila(sandbox.state(), g.operation, read_json(request))
        return json_response(query_pila(planilla))

    return {"customer_locations": customer_locations, "secure_data": secure_data,
            "channel_contact": channel_contact_view, "sync_data": sync_data,
            "sync_data_file": sync_data_file, "remittances_basic_data": remittances_basic_data,
            "query_pila": query_pila_view}


def examples(fixtures: dict) -> dict:
    """Each route's answer for the fixture its seed example describes, rendered once at start
    (none where that fixture is gone), and the request examples of the routes with a body."""
    data, names = profile_data(), labels()
    customers = fixtures.get(model.CUSTOMER, {})
    people = {name: customers.get(key) for name, key in data["example_customers"].items()}
    answers = {"secure_data": SECURE_DATA_OK, "sync_data": SYNC_DATA_OK,
               "sync_data_file": SYNC_DATA_FILE_OK,
               "query_pila": query_pila(next(iter(data["pila_planillas"].values())))}
    person = people.get("customer_locations")
    if person:
        answers["customer_locations"] = locations(person, current_locations(person), names)
    person = people.get("channel_contact")
    if person:
        answers["channel_contact"] = channel_contact(
            person, current_address(person, ("03", "01")), current_address(person, ("04",)))
    person = people.get("remittances_basic_data")
    if person:
        answers["remittances_basic_data"] = remittances(person, current_locations(person), names)
    return with_request_examples({name: {"response_example": answer}
                                  for name, answer in answers.items()}, data)
