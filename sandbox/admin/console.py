"""GET /__sandbox/: the web console, one self-contained page (no external assets: its style and
script are inlined from sandbox/admin/static, so it works with no network).

What does not change while the server runs (routes, credentials, the BCS catalog, fixture counts)
is embedded in the page as JSON, built on the first request (every API has registered by then)
and kept. Scenarios and the request journal are live: the page reads them from the admin API
(GET /__sandbox/scenarios, GET /__sandbox/requests, polled every 2 s).
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

from flask import Response

from .. import __version__
from ..pipeline import ADMIN_PREFIX
from .openapi import BASIC, BCS, PATH_EXAMPLES, openapi_path, security_kind

STATIC = Path(__file__).parent / "static"
AUTH_LABELS = {BASIC: "HTTP Basic", BCS: "BCS headers", None: "none"}
# Any non-empty token is accepted; the console's examples use this one.
EXAMPLE_TOKEN = "sandbox-token"


def register(app, sandbox) -> None:
    template = _template()
    built: dict = {}

    def console():
        if "page" not in built:
            built["page"] = render(template, console_data(sandbox))
        return Response(built["page"], mimetype="text/html")

    app.add_url_rule(ADMIN_PREFIX + "/", endpoint="admin_console", view_func=console,
                     methods=["GET"])


def _template() -> str:
    def read(name: str) -> str:
        return (STATIC / name).read_text(encoding="utf-8")
    return (read("console.html").replace("/*__STYLE__*/", read("console.css"))
            .replace("/*__SCRIPT__*/", read("console.js")))


def render(template: str, data: dict) -> str:
    # "<" escaped so no value can close the <script> element the data sits in.
    embedded = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return template.replace("/*__DATA__*/", embedded)


def console_data(sandbox) -> dict:
    config = sandbox.config
    operations = sorted(sandbox.operations.values(), key=lambda op: (op.family, op.rule, op.method))
    return {
        "version": __version__, "seed": config.seed, "state": config.state,
        "admin": ADMIN_PREFIX, "bcs_base_path": config.bcs_base_path,
        "path_examples": PATH_EXAMPLES,
        "credentials": credentials(config),
        "routes": [route_entry(op, sandbox) for op in operations],
        "catalog": list(sandbox.catalog.rows) if sandbox.catalog is not None else [],
        "fixtures": {kind: len(records) for kind, records in sandbox.fixtures.items()
                     if not kind.startswith("_")},
    }


def example_headers(kind: str | None, config) -> dict:
    if kind == BASIC:
        pair = f"{config.core_user}:{config.core_password}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    if kind == BCS:
        return {"X-Security-ClientID": config.bcs_client_id,
                "X-Security-ClientSecret": config.bcs_client_secret,
                "X-Security-Token": EXAMPLE_TOKEN}
    return {}


def route_entry(op, sandbox) -> dict:
    kind = security_kind(op, sandbox)
    return {"name": op.name, "family": op.family, "method": op.method,
            "path": openapi_path(op.rule), "summary": op.summary, "auth_label": AUTH_LABELS[kind],
            "headers": example_headers(kind, sandbox.config),
            "request_example": op.meta.get("request_example")}


def credentials(config) -> list[dict]:
    basic = example_headers(BASIC, config)["Authorization"]
    return [
        {"title": "Core (/core_customer, /core_product)", "note": "HTTP Basic, the same pair on both",
         "lines": [f"user {config.core_user}", f"password {config.core_password}",
                   f"Authorization: {basic}"]},
        {"title": f"BCS ({config.bcs_base_path})",
         "note": "Either header set; a missing one answers 401 (1004), a wrong id or secret 403 (1005)",
         "lines": [f"X-Security-ClientID: {config.bcs_client_id}",
                   f"X-Security-ClientSecret: {config.bcs_client_secret}",
                   "X-Security-Token: <any non-empty token>",
                   f"or  client_id: {config.bcs_client_id}",
                   f"    client_secret: {config.bcs_client_secret}",
                   "    Authorization: Bearer <any non-empty token>"]},
        {"title": "Cooperative (/cliente)", "note": "Seed 003 documents no credentials",
         "lines": ["none"]},
    ]
