"""GET /__sandbox/postman.json: a Postman collection (v2.1) of every upstream route with its seed
example, ready for Postman or `newman run`.

One folder per family; each request carries the route's example request (path parameters, query
and body, as the OpenAPI document shows them), its family's working credentials as collection
variables ({{baseUrl}}, {{bcsClientId}}...; a configured secret is never shown, so set its
variable yourself), the sandbox headers disabled with what they do, and a test on the seed's
success status.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from ..names import ADMIN_PREFIX
from ..version import __version__
from .openapi import (SANDBOX_PARAMETERS, SCENARIO_HEADER, openapi_path, request_target,
                      security_of)
from .openapi_answers import BODY_METHODS
from .openapi_schemas import camel

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
# Values shown (disabled) for the sandbox headers a request may turn on.
HEADER_EXAMPLES = {"X-Sandbox-Session": "my-session", "X-Sandbox-Delay": "1000"}


def build_collection(sandbox) -> dict:
    operations = sorted(sandbox.operations.values(), key=lambda op: (op.family, op.rule, op.method))
    variables = {"baseUrl": f"http://127.0.0.1:{sandbox.config.port}"}
    folders: dict[str, list] = {}
    for op in operations:
        headers = credential_headers(op, sandbox, variables)
        folders.setdefault(op.family, []).append(request_item(op, sandbox, headers))
    return {
        "info": {"name": "Banking sandbox", "version": __version__, "schema": SCHEMA,
                 "description": "Every route the sandbox serves, with its seed example. Set "
                                "baseUrl to where the sandbox listens. OpenAPI: "
                                f"{ADMIN_PREFIX}/openapi.json."},
        "variable": [{"key": key, "value": value, "type": "string"}
                     for key, value in variables.items()],
        "item": [{"name": _title(sandbox, family), "item": items}
                 for family, items in folders.items()],
    }


def _title(sandbox, family: str) -> str:
    record = sandbox.families.get(family)
    return record.title if record is not None else family


def credential_headers(op, sandbox, variables: dict) -> list[dict]:
    """The family's working credentials, each value a collection variable (`bcsClientId`)."""
    security = security_of(op, sandbox)
    if security is None:
        return []
    result = []
    for name, value in security.example_headers(sandbox.config).items():
        variable = security.variables.get(name) or op.family + camel(name.replace("-", "_"))
        variables[variable] = value
        result.append({"key": name, "value": "{{" + variable + "}}", "type": "text"})
    return result


def sandbox_headers(op, sandbox) -> list[dict]:
    family = sandbox.families.get(op.family)
    parameters = [SCENARIO_HEADER, *SANDBOX_PARAMETERS.values(),
                  *(family.parameters.values() if family else ())]
    names = sandbox.scenarios.current.names_for(op.name) if sandbox.scenarios else []
    examples = {**HEADER_EXAMPLES, "X-Sandbox-Scenario": names[0] if names else ""}
    return [{"key": p["name"], "value": str(p.get("example", examples.get(p["name"], ""))),
             "type": "text", "disabled": True, "description": p.get("description", "")}
            for p in parameters]


def request_item(op, sandbox, credentials: list[dict]) -> dict:
    path, query = request_target(op, sandbox)
    url_path = openapi_path(op.rule)
    for name, value in path.items():
        url_path = url_path.replace("{" + name + "}", str(value))
    raw = "{{baseUrl}}" + url_path
    if query:
        raw += "?" + urlencode(query)
    request = {"method": op.method, "header": list(credentials),
               "url": {"raw": raw, "host": ["{{baseUrl}}"],
                       "path": [part for part in url_path.split("/") if part],
                       **({"query": [{"key": key, "value": str(value)}
                                     for key, value in query.items()]} if query else {})},
               "description": op.summary}
    example = op.meta.get("request_example")
    if op.method in BODY_METHODS:
        request["header"].append({"key": "Content-Type", "value": "application/json",
                                  "type": "text"})
        request["body"] = {"mode": "raw", "raw": json.dumps(example, indent=2,
                                                            ensure_ascii=False),
                           "options": {"raw": {"language": "json"}}}
    request["header"] += sandbox_headers(op, sandbox)
    status = int(op.meta.get("success_status", 200))
    return {"name": f"{op.name}: {op.summary}" if op.summary else op.name, "request": request,
            "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [
                f"pm.test('{op.name} answers {status}', function () {{",
                f"    pm.response.to.have.status({status});",
                "});"]}}]}
