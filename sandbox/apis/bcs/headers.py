"""Request headers with a format (seed 004's tables): each route checks, when sent, the headers
its own table lists whose format a table gives, and answers a malformed one with its own row
(scenarios/data/bcs_headers.yaml). The check runs for every BCS request right after its
credentials, before any responder or route: the upstream refuses a malformed request whatever it
asks for."""
from __future__ import annotations

import functools
import ipaddress
import re

from flask import Request, g
from marshmallow import ValidationError

from ...resources import shipped_data
from .customer_schemas import iso_date

DATA_FILE = "data/bcs_headers.yaml"


@functools.lru_cache(maxsize=1)
def rules() -> dict:
    return shipped_data(DATA_FILE)


@functools.lru_cache(maxsize=None)
def _pattern(text: str) -> re.Pattern:
    return re.compile(text)


def malformed(header: str, value: str) -> bool:
    """Whether a value breaks the header's format (formats: date, ip, pattern, values,
    max_length)."""
    spec = rules()["formats"][header]
    if spec.get("date"):
        try:
            iso_date(value)
        except ValidationError:
            return True
    if spec.get("ip"):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return True
    if "pattern" in spec and not _pattern(spec["pattern"]).fullmatch(value):
        return True
    if "values" in spec and value not in spec["values"]:
        return True
    return len(value) > spec.get("max_length", len(value))


def code_for(route: str, header: str) -> str:
    codes = rules()["codes"]
    own = codes.get(route, {})
    return own.get(header) or own.get("default") or codes["default"]


def header_parameters(route: str) -> list[dict]:
    """The OpenAPI header parameters of the headers with a format a route's table lists: the
    seed marks them required, the sandbox checks them only when sent (an app calls it without
    the bank channel's plumbing)."""
    return [{"name": header, "in": "header", "required": False, "schema": _schema(header),
             "description": f"Checked when sent: {rules()['formats'][header]['says']} (the seed "
                            f"marks it required; the sandbox does not demand it)"}
            for header in rules()["routes"].get(route, ())]


def _schema(header: str) -> dict:
    spec = rules()["formats"][header]
    schema: dict = {"type": "string"}
    if spec.get("date"):
        schema["format"] = "date"
    if spec.get("ip"):
        schema["anyOf"] = [{"format": "ipv4"}, {"format": "ipv6"}]
    if "pattern" in spec:
        schema["pattern"] = f"^({spec['pattern']})$"
    if "values" in spec:
        schema["enum"] = list(spec["values"])
    if "max_length" in spec:
        schema["maxLength"] = spec["max_length"]
    return schema


def make_check(catalog):
    def check_headers(request: Request) -> None:
        operation = g.get("operation")
        route = getattr(operation, "name", "")
        for header in rules()["routes"].get(route, ()):
            value = (request.headers.get(header) or "").strip()
            if value and malformed(header, value):
                says = rules()["formats"][header]["says"]
                raise catalog.fail(code_for(route, header), operation,
                                   f"header {header} {value!r}: expected {says}")

    return check_headers


def after_credentials(authenticate, catalog):
    """The family's admission of a request: its credentials, then its headers' formats."""
    check_headers = make_check(catalog)

    def admit(request: Request) -> None:
        authenticate(request)
        check_headers(request)

    return admit
