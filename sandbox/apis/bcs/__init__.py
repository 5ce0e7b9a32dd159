"""The BCS customersManagement family (seed 004): its record, and what it builds at start (error
catalog, envelope, credentials, fixtures, the customer and profile views, the forced-error and
magic-number responders, and GET /__sandbox/errors)."""
from __future__ import annotations

import click
from flask import Blueprint, request

from ...config import Setting
from ...errors import json_response
from ...family import Command, Family, Parts
from ...names import ADMIN_PREFIX
from . import auth, customer_backend, customer_routes, fixtures, headers, model, profile_routes
from .catalog import Catalog, UnknownCode, listing, print_errors, rows_for, table_specs
from .envelope import make_envelope
from .idents import IDENTS, request_idents, stored_customer
from .responders import ERROR_HEADER, responders
from .routes import ROUTES

NAME = "bcs"
DEFAULT_BASE_PATH = "/api/customersManagement/v1"
SETTINGS = (
    Setting("bcs_client_id", "sandbox-client", "BCS client id"),
    Setting("bcs_client_secret", "sandbox-secret", "BCS client secret", secret=True),
    Setting("bcs_base_path", DEFAULT_BASE_PATH, "BCS base path"),
)
# Contract fixtures: a BCS customer and account, for the path parameters' examples.
PATH_EXAMPLES = {"identserialnum": "1234567890", "acctid": "24567890123"}
# identification.py: at most 20 characters (remittances' URI table), on every route.
PATH_PARAMETERS = {"identserialnum": {"type": "string", "minLength": 1, "maxLength": 20}}
PARAMETERS = {"SandboxError": {
    "name": ERROR_HEADER, "in": "header", "required": False, "schema": {"type": "string"},
    "example": "50628", "description": "BCS only: answer this catalog error (code or code:n)"}}

# GET /__sandbox/errors (errors_blueprint), for the admin API's OpenAPI document.
_ROW = {"type": "object", "properties": {
    **{name: {"type": "string"} for name in ("id", "code", "type", "description", "spec")},
    "trigger": {"type": "string", "nullable": True}, "status": {"type": "integer"},
    **{name: {"type": "array", "items": {"type": "string"}} for name in ("routes", "answered_on")}}}
ADMIN_PATHS = {"/errors": {"get": {
    "operationId": "bcs_errors", "summary": "The BCS error catalog, or one code's rows",
    "tags": ["admin"], "parameters": [{"name": "code", "in": "query", "required": False,
                                       "schema": {"type": "string"}, "example": "50628"}],
    "responses": {
        "200": {"description": "The rows", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"count": {"type": "integer"}, "errors": {
                "type": "array", "items": _ROW}}}}}},
        "400": {"description": "Unknown code", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"message": {"type": "string"}, "codes": {
                "type": "array", "items": {"type": "string"}}}}}}}}}}}


def start(sandbox) -> Parts:
    catalog = Catalog.load()
    records = fixtures.build(sandbox.config.seed)
    examples = customer_routes.examples(records)
    examples.update(profile_routes.examples(records))
    for name, target in customer_routes.request_targets().items():
        examples.setdefault(name, {}).update(target)
    return Parts(
        views={**customer_routes.views(sandbox, catalog), **profile_routes.views(sandbox, catalog)},
        envelope=make_envelope(catalog),
        # Credentials, then the formats of the headers each route's table lists.
        authenticate=headers.after_credentials(auth.make_authenticator(sandbox.config, catalog),
                                               catalog),
        fixtures=records, idents=IDENTS, default_idents=request_idents,
        customer=stored_customer, examples=examples, catalog=catalog,
        responders=responders(sandbox, NAME),
        chaos_errors=lambda name: table_specs(catalog, name),
        blueprints=[errors_blueprint(catalog)],
        reads={"create_customer": customer_backend.create_reads,
               "basic_data_v4": model.read_by_identification,
               "basic_data_v1": model.read_by_mnemonic, "basic_data_v2": model.read_by_mnemonic})


def errors_blueprint(catalog: Catalog) -> Blueprint:
    bp = Blueprint("bcs_errors", __name__, url_prefix=ADMIN_PREFIX)

    @bp.get("/errors")
    def errors():
        spec = request.args.get("code")
        try:
            rows = rows_for(catalog, spec)
        except UnknownCode as exc:
            return json_response({"message": str(exc), "codes": catalog.codes()}, 400)
        return json_response({"count": len(rows), "errors": listing(catalog, rows)})

    return bp


# `sandbox errors [CODE]`'s parameters (click).
ERRORS_ARGUMENTS = (click.Argument(["code"], required=False),)


FAMILY = Family(
    name=NAME, title="BCS", routes=ROUTES, start=start,
    base_path=lambda config: config.bcs_base_path.rstrip("/"), settings=SETTINGS,
    locale=fixtures.LOCALE, security=auth.SECURITY, headers=auth.DOCUMENTED_HEADERS,
    secret_headers=auth.SECRET_HEADERS, parameters=PARAMETERS, path_examples=PATH_EXAMPLES,
    path_parameters=PATH_PARAMETERS, admin_paths=ADMIN_PATHS,
    commands=(Command("errors", "show the BCS error catalog, or one code", ERRORS_ARGUMENTS,
                      print_errors),))
