"""Test-only API pieces for the scenario engine's tests: a small fake BCS catalog and a few
operations registered next to the real ones, so the responders are tested on their own."""
from __future__ import annotations

import textwrap
from pathlib import Path

from flask import jsonify, request

import sandbox.app as app_module
from sandbox import create_app
from sandbox.errors import SandboxError
from sandbox.http import read_json
from sandbox.registry import Operation
from tests.conftest import make_config


class UnknownCode(KeyError):
    pass


class FakeCatalog:
    """The catalog interface (docs/ARCHITECTURE.md) over three rows of its own (codes 50628 and 500), falling
    back to the real catalog (when the BCS module has one) for every other code."""

    def __init__(self, real=None):
        self.real = real

    rows = [
        {"id": 1, "status": 400, "code": "50628", "type": "STA", "routes": ["test_bcs_lookup"],
         "description": "APERTURA DE PRODUCTO TEMPORALMENTE SUSPENDIDA", "trigger": None},
        {"id": 2, "status": 500, "code": "500", "type": "BDA", "routes": ["test_bcs_lookup"],
         "description": "CA0201ACCOUNT", "trigger": None},
        {"id": 3, "status": 500, "code": "500", "type": "BDA", "routes": ["test_bcs_lookup"],
         "description": "ERROR DE INICIO TP", "trigger": None},
    ]

    def find(self, spec, operation=None):
        code, _, nth = str(spec).partition(":")
        matching = [row for row in self.rows if row["code"] == code]
        index = int(nth) - 1 if nth.isdigit() else 0
        if not matching and self.real is not None:
            return self.real.find(spec, operation)
        if not matching or index >= len(matching) or index < 0:
            raise UnknownCode(f"Unknown BCS error code {spec!r}; GET /__sandbox/errors lists them")
        return matching[index]

    def error(self, row, operation):
        if not any(row is own for own in self.rows):
            return self.real.error(row, operation)
        body = {"responseType": {"value": "ER"},
                "responseDetail": {"errorCode": row["code"], "errorDesc": row["description"],
                                   "errorType": row["type"]}}
        return SandboxError(row["status"], row["description"], code=row["code"], body=body)

    def is_magic(self, ident, operation=None):
        if len(ident) == 8 and ident.startswith("999"):
            for row in self.rows:
                if row["code"] == ident[3:]:
                    return row
        return self.real.is_magic(ident, operation) if self.real is not None else None


def _idents(req):
    found = [req.view_args.get("identserialnum", "")]
    mnemonic = req.args.get("mnemonic", "")
    if mnemonic:
        found.append(mnemonic.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return found


def register_test_api(app, sandbox):
    sandbox.catalogs["bcs"] = FakeCatalog(sandbox.catalogs.get("bcs"))

    def lookup(identserialnum):
        return jsonify({"responseType": {"value": "OK"}, "ident": identserialnum})

    def create():
        body = read_json(request)
        state = sandbox.state()
        state.put("test_customer", body["number"], body)
        return jsonify({"created": body["number"]}), 201

    def show(number):
        record = sandbox.state().get("test_customer", number)
        if record is None:
            raise SandboxError(404, f"no customer {number}")
        return jsonify(record)

    sandbox.add_operation(app, Operation(
        "test_bcs_lookup", "bcs", "GET", "/test/bcs/<identserialnum>", idents=_idents), lookup)
    sandbox.add_operation(app, Operation("test_core_create", "core", "POST", "/test/core"), create)
    sandbox.add_operation(app, Operation("test_core_show", "core", "GET", "/test/core/<number>"),
                          show)
    sandbox.add_fixtures({"test_customer": {"9046": {"number": "9046", "name": "FIXTURE"}}})
    # The test routes' records, for scenario templates' `customer` (the family's own lookup
    # answers its own routes).
    core_lookup = sandbox.customer_lookups["core"]

    def customer(operation, req, state):
        if operation.name == "test_core_show":
            return state.get("test_customer", req.view_args["number"])
        return core_lookup(operation, req, state)

    sandbox.customer_lookups["core"] = customer


_REGISTERED = app_module.registered


def build_app(monkeypatch, folder: Path | None = None, **config):
    """The real app plus the test API, with `folder` laid over the shipped scenarios."""
    real = _REGISTERED

    def registered(*args, **kwargs):
        app, sandbox = real(*args, **kwargs)
        register_test_api(app, sandbox)
        return app, sandbox

    monkeypatch.setattr(app_module, "registered", registered)
    if folder is not None:
        config["scenarios"] = (str(folder),)
    return create_app(make_config(**config))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
