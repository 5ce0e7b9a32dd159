"""Registers the BCS customersManagement API (seed 004): error catalog, envelope, credentials,
fixtures, the customer routes, the profile routes, and GET /__sandbox/errors.

Every BCS route is added with `add_route(app, sandbox, base, name, view)`: its method and path
come from envelope.ROUTES, its Operation carries `idents` (the identification numbers the request
carries, for the magic numbers) and `meta["response_type"]` (its error responseType.value).
"""
from __future__ import annotations

import functools

from flask import Blueprint, Request, request

from ...errors import json_response, register_envelope
from ...http import json_or_none
from ...registry import Operation
from ...wsgi import ADMIN_PREFIX
from . import auth, customer_views, fixtures, model
from .catalog import Catalog, UnknownCode, listing, rows_for
from .envelope import ROUTES, make_envelope

FAMILY = "bcs"
# Where a request carries identification numbers: query parameters and JSON body keys.
IDENT_QUERY = ("identSerialNum", "identserialnum", "cellphone")
MNEMONIC_KEYS = ("mnemonic", "mNemonic")
IDENT_BODY_KEYS = frozenset(("identSerialNum", "acctId", "invoiceNum") + MNEMONIC_KEYS)


def register(app, sandbox) -> None:
    config = sandbox.config
    catalog = sandbox.catalog = Catalog.load()
    base = config.bcs_base_path.rstrip("/")
    register_envelope(FAMILY, make_envelope(catalog))
    sandbox.add_prefix(base, FAMILY)
    sandbox.authenticators[FAMILY] = auth.make_authenticator(config, catalog)
    sandbox.add_fixtures(fixtures.build(config.seed))
    customer_views.register(app, sandbox, base)
    # Imported here: profile.py imports add_route and request_idents from this module.
    from . import profile
    profile.register(app, sandbox, base)
    app.register_blueprint(errors_blueprint(catalog))


def add_route(app, sandbox, base: str, name: str, view, idents=None) -> Operation:
    """Adds the BCS route `name` (an envelope.ROUTES key) served by `view`."""
    route = ROUTES[name]
    idents = idents or request_idents
    operation = Operation(name=name, family=FAMILY, method=route.method, rule=base + route.path,
                          summary=route.summary, idents=idents,
                          meta={"response_type": route.response_type, "path": route.path,
                                "customer": functools.partial(stored_customer, idents=idents)})
    sandbox.add_operation(app, operation, view)
    return operation


def request_idents(req: Request) -> list[str]:
    """The identification numbers a BCS request carries: path parameters, the identSerialNum /
    cellphone / mnemonic query parameters (a mnemonic without its type letters), and the
    identSerialNum / acctId / mnemonic values anywhere in a JSON body."""
    found = [str(value) for value in (req.view_args or {}).values()]
    args = req.args
    found += [args[key] for key in IDENT_QUERY if args.get(key)]
    found += [model.mnemonic_number(args[key]) for key in MNEMONIC_KEYS if args.get(key)]
    if req.method in ("POST", "PUT"):
        _walk(json_or_none(req), found)
    return found


def stored_customer(req: Request, state, idents=request_idents) -> dict | None:
    """The stored customer a BCS request names (scenario templates' `customer`): by mnemonic, by
    cellphone, else by each identification number it carries, or as the holder of an account."""
    args = req.args
    if args.get("mnemonic"):
        return model.find_by_mnemonic(state, args["mnemonic"])
    if args.get("cellphone"):
        return model.find_by_cellphone(state, args["cellphone"])
    ident_type = args.get("govIssueIdentType")
    for ident in idents(req):
        found = model.find_by_number(state, ident, ident_type) or model.find_by_number(state, ident)
        if found is None:
            account = model.get_account(state, ident)
            found = model.holder_of(state, account) if account else None
        if found is not None:
            return found
    return None


def _walk(node, found: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in IDENT_BODY_KEYS and isinstance(value, (str, int)) and not isinstance(value, bool):
                found.append(model.mnemonic_number(value) if key in MNEMONIC_KEYS else str(value))
            elif isinstance(value, (dict, list)):
                _walk(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found)


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
