"""GET /__sandbox/openapi.json: an OpenAPI 3 document of every upstream route the sandbox serves,
built with apispec (and its marshmallow plugin) from what the families declare.

Per operation (sandbox.operations) and its `meta`: `request_schema` / `request_schemas`
(marshmallow: named components), `query_schema` (marshmallow: one query parameter per field),
`header_parameters` (OpenAPI header parameters), `request_example`, `path_example` /
`query_example` (the seed's request), `response_example` or named `response_examples`,
`success_status`. Per family: its Security (schemes and the
requirements that go together), `parameters` (extra headers), `path_examples`, `path_parameters`
(a JSON schema per path parameter). The statuses come from openapi_answers. documents.py
serves it, with /__sandbox/admin-openapi.json (openapi_admin) and /__sandbox/postman.json
(postman).
"""
from __future__ import annotations

from ..errors import SandboxError
from ..names import ADMIN_PREFIX
from ..scenarios.limits import MAX_DELAY_MS
from ..version import __version__
from .openapi_answers import BODY_METHODS, answers, envelope
from .openapi_schemas import Components, camel, merged, new_spec, schema_of_example


# -- security and examples ------------------------------------------------------------------------
def security_of(operation, sandbox):
    """The operation's family's Security record (None for an operation of no family)."""
    family = sandbox.families.get(operation.family)
    return family.security if family is not None else None


def path_examples(sandbox) -> dict:
    return {name: value for family in sandbox.families.values()
            for name, value in family.path_examples.items()}


def openapi_path(rule: str) -> str:
    """Flask's /a/<name> and /a/<int:name> as OpenAPI's /a/{name}."""
    out, rest = [], rule
    while "<" in rest:
        before, _, after = rest.partition("<")
        inside, _, rest = after.partition(">")
        out.append(before + "{" + inside.rpartition(":")[2] + "}")
    return "".join(out) + rest


def path_names(rule: str) -> list[str]:
    return [part.rpartition(":")[2] for part in rule.replace(">", "<").split("<")[1::2]]


def request_target(op, sandbox) -> tuple[dict, dict]:
    """The path parameters and query of the route's example request (the seed's, where the
    family gives one), for the document, the Postman collection and the console."""
    family = sandbox.families.get(op.family)
    shared = family.path_examples if family is not None else {}
    path = {name: op.meta.get("path_example", {}).get(name, shared.get(name, ""))
            for name in path_names(op.rule)}
    return path, dict(op.meta.get("query_example") or {})


SCENARIO_HEADER = {"name": "X-Sandbox-Scenario", "in": "header", "required": False,
                   "schema": {"type": "string"},
                   "description": "Answer with this named scenario (GET "
                                  f"{ADMIN_PREFIX}/scenarios?route=OPERATION lists them)"}
SANDBOX_PARAMETERS = {
    "SandboxSession": {"name": "X-Sandbox-Session", "in": "header", "required": False,
                       "schema": {"type": "string"},
                       "description": "A separate state and journal for this session"},
    "SandboxDelay": {"name": "X-Sandbox-Delay", "in": "header", "required": False,
                     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_DELAY_MS},
                     "description": f"Answer after this many milliseconds (at most "
                                    f"{MAX_DELAY_MS}; larger values are capped)"},
}


def scenario_parameter(op, sandbox) -> dict:
    """X-Sandbox-Scenario takes the names of the route's loaded scenarios (any other is a 400)."""
    names = sandbox.scenarios.current.names_for(op.name) if sandbox.scenarios else []
    if not names:
        return dict(SCENARIO_HEADER)
    return {**SCENARIO_HEADER, "schema": {"type": "string", "enum": names}}


# -- the document --------------------------------------------------------------------------------
def build_document(sandbox) -> dict:
    operations = sorted(sandbox.operations.values(), key=lambda op: (op.family, op.rule, op.method))
    families = [sandbox.families[name] for name in sorted({op.family for op in operations})
                if name in sandbox.families]
    spec = new_spec("Banking sandbox", __version__, (
        "The upstream routes the sandbox stands in for. Sandbox headers on every route: "
        "X-Sandbox-Session, X-Sandbox-Scenario, X-Sandbox-Delay"
        + "".join(f", {p['name']} ({family.title})" for family in families
                  for p in family.parameters.values())
        + f". Admin API: {ADMIN_PREFIX}/admin-openapi.json; Postman collection: "
          f"{ADMIN_PREFIX}/postman.json; console: {ADMIN_PREFIX}/."))
    for family in families:
        for name, scheme in family.security.schemes(sandbox.config).items():
            spec.components.security_scheme(name, scheme)
    for name, parameter in {**SANDBOX_PARAMETERS, **{
            name: parameter for family in families for name, parameter in family.parameters.items()}
            }.items():
        spec.components.parameter(name, parameter["in"], {
            key: value for key, value in parameter.items() if key != "in"})
    components = Components(spec)
    errors = error_schemas(operations, sandbox, components)
    for op in operations:
        spec.path(path=openapi_path(op.rule), operations={
            op.method.lower(): operation_object(op, sandbox, components, errors[op.name])})
    document = spec.to_dict()
    document["servers"] = [{"url": "/"}]
    document["tags"] = [{"name": family.name, "description": family.title} for family in families]
    return document


def operation_object(op, sandbox, components: Components, error_ref: dict) -> dict:
    meta = op.meta
    family = sandbox.families.get(op.family)
    security = security_of(op, sandbox)
    result = {"operationId": op.name, "summary": op.summary or op.name, "tags": [op.family],
              "security": security.requirements if security else [],
              "parameters": parameters(op, sandbox, family)}
    if meta.get("seed"):
        result["description"] = f"Seed {meta['seed']}."
    if op.method in BODY_METHODS:
        result["requestBody"] = request_body(meta)
    result["responses"] = responses(op, sandbox, security, components, error_ref)
    return result


def parameters(op, sandbox, family) -> list:
    path, query = request_target(op, sandbox)
    found = [{"name": name, "in": "path", "required": True,
              "schema": dict((family.path_parameters if family else {}).get(name)
                             or {"type": "string"}),
              **({"example": value} if value else {})} for name, value in path.items()]
    schema = op.meta.get("query_schema")
    if schema is not None:
        found.append({"in": "query", "schema": schema})
    found.append(scenario_parameter(op, sandbox))
    found += [name  # (apispec makes a component's name a $ref)
              for name in ("SandboxSession", "SandboxDelay", *(family.parameters if family else ()))]
    found += list(op.meta.get("header_parameters", ()))
    return found


def request_body(meta: dict) -> dict:
    schemas = meta.get("request_schemas") or ([meta["request_schema"]]
                                              if meta.get("request_schema") is not None else [])
    if len(schemas) > 1:
        schema = {"oneOf": list(schemas)}
    else:
        schema = schemas[0] if schemas else {"type": "object"}
    content = {"schema": schema}
    if meta.get("request_example") is not None:
        content["example"] = meta["request_example"]
    return {"required": True, "content": {"application/json": content}}


def responses(op, sandbox, security, components: Components, error_ref: dict) -> dict:
    result = {}
    for status, answer in answers(op, sandbox, security).items():
        media = {"schema": answer_schema(op, status, answer, components, error_ref)}
        if answer.examples:
            media["examples"] = answer.examples
        result[str(status)] = {"description": answer.description,
                               "content": {"application/json": media}}
    return result


def answer_schema(op, status: int, answer, components: Components, error_ref: dict) -> dict:
    """The envelope's $ref where every body of the status is the envelope, else one component
    every body passes (`CreateCustomerResponse`, `CoreCustomer503`), or any JSON."""
    shapes = list(answer.schemas)
    if answer.envelope:
        envelope_shape = components.schema_of(error_ref)
        if merged([envelope_shape, *shapes]) == envelope_shape:
            return error_ref
        shapes.insert(0, envelope_shape)
    if not shapes:
        return {}
    return components.add(camel(op.name) + ("Response" if status < 400 else str(status)),
                          merged(shapes))


def error_schemas(operations, sandbox, components: Components) -> dict:
    """Each operation's error envelope as a $ref: one component per family (`BcsError`), or one
    per operation where the family's routes answer different shapes (`CoreProductError`)."""
    shapes = {op.name: schema_of_example(envelope(sandbox, op, SandboxError(400, "x")))
              for op in operations}
    result = {}
    for op in operations:
        same_family = {str(shapes[o.name]) for o in operations if o.family == op.family}
        name = camel(op.family if len(same_family) == 1 else op.name) + "Error"
        result[op.name] = components.add(name, shapes[op.name])
    return result
