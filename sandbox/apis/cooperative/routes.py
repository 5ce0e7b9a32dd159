"""POST /cliente: parse, look the member up, render (seed 003)."""
from __future__ import annotations

from flask import request

from ...errors import SandboxError, json_response
from ...http import json_or_none, read_json
from ...registry import Operation
from . import backend
from .schemas import load_cliente_request

SUCCESS_MESSAGE = "data retrieved successfully"


def register_routes(app, sandbox, meta: dict) -> None:
    def cliente():
        body = load_cliente_request(read_json(request))
        data = backend.cliente(sandbox.state(), body["tipo_documento_id"], body["numero_documento"])
        return json_response({"data": data, "message": SUCCESS_MESSAGE, "code": 200})

    sandbox.add_operation(app, Operation(
        "cliente", "cooperative", "POST", "/cliente",
        summary="Member lookup by CURP or member number (seed 003)",
        meta={**meta, "customer": member_for_request}), cliente)


def member_for_request(request, state) -> dict | None:
    """For scenario templates (`customer`): the member record the request names, or None when
    the request is malformed or names no member. Runs before the view, so it parses leniently."""
    body = json_or_none(request)
    if not isinstance(body, dict):
        return None
    try:
        fields = load_cliente_request(body)
    except SandboxError:
        return None
    return backend.find_member(state, fields["tipo_documento_id"], fields["numero_documento"])
