"""POST /cliente (seed 003): the route table and the view, which parses, looks the member up and
renders."""
from __future__ import annotations

from flask import request

from ...errors import SandboxError, json_response
from ...family import Route
from ...http import json_or_none, read_json
from . import backend
from .schemas import CLIENTE_REQUEST, load_cliente_request

SUCCESS_MESSAGE = "data retrieved successfully"

ROUTES = (
    Route("cliente", "POST", "/cliente", "Member lookup by CURP or member number (seed 003)",
          identified_by=("body.tipo_documento_id", "body.numero_documento"),
          meta={"seed": "003", "request_schema": CLIENTE_REQUEST}),
)


def views(sandbox) -> dict:
    def cliente():
        body = load_cliente_request(read_json(request))
        data = backend.cliente(sandbox.state(), body["tipo_documento_id"], body["numero_documento"])
        return json_response({"data": data, "message": SUCCESS_MESSAGE, "code": 200})

    return {"cliente": cliente}


def member_for_request(operation, request, state) -> dict | None:
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
