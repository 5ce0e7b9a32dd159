"""The BCS profile routes (seed 004): customer locations, secure data, channel contact, sync-data,
sync-data-file, remittances basic data and PILA. Each view parses, calls one backend rule
(profile_backend) and renders (profile_render); errors are catalog rows in the route's envelope.
"""
from __future__ import annotations

import functools

import yaml
from flask import g, request

from ...errors import json_response
from ...http import read_json
from ...resources import shipped_scenarios_dir
from . import add_route, request_idents
from .profile_backend import ProfileBackend
from .profile_intake import decode_file
from .profile_render import (SECURE_DATA_OK, SYNC_DATA_FILE_OK, SYNC_DATA_OK, Labels,
                             channel_contact, locations, query_pila, remittances)

DATA_FILE = "data/bcs_profile.yaml"


@functools.lru_cache(maxsize=1)
def profile_data() -> dict:
    with open(shipped_scenarios_dir() / DATA_FILE, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


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
            sandbox.state(), g.operation, identserialnum, request.args)
        return json_response(remittances(customer, addresses, labels))

    def query_pila_view():
        planilla = backend.query_pila(sandbox.state(), g.operation, read_json(request))
        return json_response(query_pila(planilla))

    add_route(app, sandbox, base, "customer_locations", customer_locations_view)
    add_route(app, sandbox, base, "secure_data", secure_data_view)
    add_route(app, sandbox, base, "channel_contact", channel_contact_view)
    add_route(app, sandbox, base, "sync_data", sync_data_view)
    add_route(app, sandbox, base, "sync_data_file", sync_data_file_view, idents=sync_file_idents)
    add_route(app, sandbox, base, "remittances_basic_data", remittances_view)
    add_route(app, sandbox, base, "query_pila", query_pila_view)


def sync_file_idents(req) -> list[str]:
    """The numbers the request carries plus those inside its base64 file (its mnemonic...)."""
    from . import _walk  # the base's body walker: one definition of "an identification number"
    found = request_idents(req)
    body = req.get_json(silent=True) if req.is_json else None
    file = body.get("file") if isinstance(body, dict) else None
    bin_data = file.get("binData") if isinstance(file, dict) else None
    if isinstance(bin_data, str):
        content = decode_file(bin_data)
        if isinstance(content, dict):
            _walk(content, found)
    return found
