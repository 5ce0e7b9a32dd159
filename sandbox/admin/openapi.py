"""GET /__sandbox/openapi.json: an OpenAPI 3 document of every upstream route the sandbox serves.

Built from `sandbox.operations` and what each Operation's `meta` carries, where it carries it:
`request_schema` / `request_schemas` (marshmallow schemas, read field by field),
`request_example`, `response_example` (or named `response_examples`), `success_status`, `security` ("basic" or None). Error
answers come from the family's own envelope function (and, on BCS routes, the catalog rows the
route's tables list plus those its rules answer: the rows' answered_on), so they show exactly
what the sandbox answers. The document is built on its first request (every API has registered
by then) and kept.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import __version__
from ..errors import SandboxError, envelope_for, json_response
from ..pipeline import ADMIN_PREFIX

BASIC, BCS = "basic", "bcs"
OPENAPI_VERSION = "3.0.3"
# Placeholders for path parameters: a BCS customer and account every session starts with.
PATH_EXAMPLES = {"identserialnum": "1234567890", "acctid": "24567890123"}
# Per error status, the generic situation the sandbox answers with it.
GENERIC_ERRORS = {400: "Malformed request: the message names each failing field",
                  401: "Missing or wrong credentials", 405: "Method not allowed", 413: "Body larger than 1 MiB",
                  415: "Content-Type is not application/json"}


def register(app, sandbox) -> None:
    built: dict = {}

    def openapi_json():
        if "document" not in built:
            built["document"] = build_document(sandbox)
        return json_response(built["document"])

    app.add_url_rule(ADMIN_PREFIX + "/openapi.json", endpoint="admin_openapi",
                     view_func=openapi_json, methods=["GET"])


# -- security ------------------------------------------------------------------------------------
def security_kind(operation, sandbox) -> str | None:
    """BASIC, BCS or None (no credentials): the Operation's meta["security"] where it says,
    otherwise from its family's authenticator."""
    if "security" in operation.meta:
        return operation.meta["security"]
    if operation.family not in sandbox.authenticators:
        return None
    return BCS if operation.family == BCS else BASIC


def security_schemes(config) -> dict:
    def header(name, what):
        return {"type": "apiKey", "in": "header", "name": name, "description": what}
    bcs = f"(default {config.bcs_client_id} / {config.bcs_client_secret})"
    return {
        BASIC: {"basicAuth": {"type": "http", "scheme": "basic", "description":
                              f"Core routes: user {config.core_user}, password "
                              f"{config.core_password} by default"}},
        BCS: {
            "bcsClientId": header("X-Security-ClientID", f"BCS client id {bcs}"),
            "bcsClientSecret": header("X-Security-ClientSecret", f"BCS client secret {bcs}"),
            "bcsToken": header("X-Security-Token", "Any non-empty token"),
            "bcsClientIdHeader": header("client_id", f"BCS client id, second header set {bcs}"),
            "bcsClientSecretHeader": header("client_secret", "BCS client secret, second set"),
            "bcsBearer": {"type": "http", "scheme": "bearer",
                          "description": "Any non-empty bearer token (second header set)"},
        },
    }


# Either BCS header set is accepted: two alternative requirements, each all of its headers.
REQUIREMENTS = {
    BASIC: [{"basicAuth": []}],
    BCS: [{"bcsClientId": [], "bcsClientSecret": [], "bcsToken": []},
          {"bcsClientIdHeader": [], "bcsClientSecretHeader": [], "bcsBearer": []}],
    None: [],
}


# -- the document --------------------------------------------------------------------------------
def build_document(sandbox) -> dict:
    operations = sorted(sandbox.operations.values(), key=lambda op: (op.family, op.rule, op.method))
    kinds = {op.name: security_kind(op, sandbox) for op in operations}
    schemes = security_schemes(sandbox.config)
    paths: dict = {}
    for op in operations:
        item = paths.setdefault(openapi_path(op.rule), {})
        item[op.method.lower()] = operation_object(op, kinds[op.name], sandbox)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Banking sandbox", "version": __version__, "description": (
            "The upstream routes the sandbox stands in for. Sandbox headers on every route: "
            "X-Sandbox-Scenario (a named scenario), X-Sandbox-Session (a separate state), "
            "X-Sandbox-Delay (milliseconds); on BCS routes X-Sandbox-Error (a catalog code). "
            f"Admin API and console under {ADMIN_PREFIX}/.")},
        "servers": [{"url": "/"}],
        "tags": [{"name": family} for family in sorted({op.family for op in operations})],
        "paths": paths,
        "components": {
            "securitySchemes": {name: scheme for kind in sorted(set(kinds.values()) - {None})
                                for name, scheme in schemes[kind].items()},
            "parameters": SANDBOX_PARAMETERS,
        },
    }


def openapi_path(rule: str) -> str:
    """Flask's /a/<name> and /a/<int:name> as OpenAPI's /a/{name}."""
    out, rest = [], rule
    while "<" in rest:
        before, _, after = rest.partition("<")
        inside, _, rest = after.partition(">")
        out.append(before + "{" + inside.rpartition(":")[2] + "}")
    return "".join(out) + rest


def path_parameters(rule: str) -> list[dict]:
    names = [part.rpartition(":")[2] for part in rule.replace(">", "<").split("<")[1::2]]
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"},
             **({"example": PATH_EXAMPLES[name]} if name in PATH_EXAMPLES else {})}
            for name in names]


SANDBOX_PARAMETERS = {
    "SandboxScenario": {"name": "X-Sandbox-Scenario", "in": "header", "required": False,
                        "schema": {"type": "string"},
                        "description": "Answer with this named scenario (GET /__sandbox/scenarios)"},
    "SandboxSession": {"name": "X-Sandbox-Session", "in": "header", "required": False,
                       "schema": {"type": "string"},
                       "description": "A separate state and journal for this session"},
    "SandboxDelay": {"name": "X-Sandbox-Delay", "in": "header", "required": False,
                     "schema": {"type": "integer", "minimum": 0},
                     "description": "Answer after this many milliseconds"},
    "SandboxError": {"name": "X-Sandbox-Error", "in": "header", "required": False,
                     "schema": {"type": "string"}, "example": "50628",
                     "description": "BCS only: answer this catalog error (code or code:n)"},
}


def operation_object(op, kind: str | None, sandbox) -> dict:
    meta = op.meta
    parameters = path_parameters(op.rule) + [
        {"$ref": f"#/components/parameters/{name}"}
        for name in ("SandboxScenario", "SandboxSession", "SandboxDelay")
        + (("SandboxError",) if op.family == BCS else ())]
    result = {"operationId": op.name, "summary": op.summary or op.name, "tags": [op.family],
              "security": REQUIREMENTS[kind], "parameters": parameters}
    if meta.get("seed"):
        result["description"] = f"Seed {meta['seed']}."
    if op.method in ("POST", "PUT", "PATCH"):
        result["requestBody"] = request_body(meta)
    result["responses"] = responses(op, kind, sandbox)
    return result


def request_body(meta: dict) -> dict:
    schemas = meta.get("request_schemas") or ([meta["request_schema"]]
                                              if meta.get("request_schema") is not None else [])
    converted = [schema_of_marshmallow(schema) for schema in schemas]
    if len(converted) > 1:
        schema = {"oneOf": converted}
    else:
        schema = converted[0] if converted else {"type": "object"}
    content = {"schema": schema}
    if meta.get("request_example") is not None:
        content["example"] = meta["request_example"]
    return {"required": True, "content": {"application/json": content}}


def responses(op, kind: str | None, sandbox) -> dict:
    meta = op.meta
    success = {"description": "Success"}
    named = meta.get("response_examples") or {}
    example = meta.get("response_example")
    if example is not None or named:
        content = {"schema": schema_of_example(example if example is not None
                                               else next(iter(named.values())))}
        if named:
            content["examples"] = {name: {"value": value} for name, value in named.items()}
        else:
            content["example"] = example
        success["content"] = {"application/json": content}
    answers = {str(meta.get("success_status", 200)): success}
    answers.update(error_responses(op, kind, sandbox))
    return answers


def error_responses(op, kind: str | None, sandbox) -> dict:
    """Per status: the family envelope's own rendering of each error the route can answer."""
    by_status: dict[int, dict] = {}
    for status, name, err in _errors(op, kind, sandbox):
        body = err.body if err.body is not None else _envelope(op, err)
        entry = by_status.setdefault(status, {"description": err.message, "examples": {}})
        entry["examples"][name] = {"summary": err.message, "value": body}
    return {str(status): {"description": entry["description"],
                          "content": {"application/json": {
                              "schema": schema_of_example(next(iter(entry["examples"].values()))["value"]),
                              "examples": entry["examples"]}}}
            for status, entry in sorted(by_status.items())}


def _errors(op, kind, sandbox):
    catalog = sandbox.catalog
    if op.family == BCS and catalog is not None:
        for row in bcs_rows(catalog, op.name):
            try:
                yield row["status"], f"{row['code']} ({row['id']})", catalog.error(row, op)
            except Exception:  # a row the catalog cannot render is left out, not fatal
                continue
        return
    statuses = [405]
    if op.method in ("POST", "PUT", "PATCH"):
        statuses += [400, 413, 415]
    if kind is not None:
        statuses.append(401)
    for status in sorted(statuses):
        yield status, str(status), SandboxError(status, GENERIC_ERRORS[status])


def bcs_rows(catalog, name: str) -> list[dict]:
    """The rows a BCS route answers: every row its own table lists, then the rows its rules
    answer (the catalog's answered_on, e.g. sync-data's 50565 from the locations table), one
    per distinct answer (the twin tables repeat rows row for row)."""
    rows = [row for row in catalog.rows if name in row.get("routes", ())]
    shown = {_answer(row) for row in rows}
    for row in catalog.rows:
        if name in row.get("answered_on", ()) and _answer(row) not in shown:
            shown.add(_answer(row))
            rows.append(row)
    return rows


def _answer(row: dict) -> tuple:
    return row["status"], row["code"], row["type"], row["description"]


def _envelope(op, err: SandboxError):
    try:
        return envelope_for(op.family)(err, op)
    except Exception:  # an envelope that needs more than a bare error: the generic shape
        return {"message": err.message}


# -- JSON schemas --------------------------------------------------------------------------------
def schema_of_example(value, depth: int = 0) -> dict:
    """The JSON schema a value has: types, keys and nesting, as an example shows them."""
    if depth > 20:
        return {}
    if isinstance(value, dict):
        return {"type": "object", "properties": {key: schema_of_example(item, depth + 1)
                                                 for key, item in value.items()}}
    if isinstance(value, list):
        return {"type": "array", "items": schema_of_example(value[0], depth + 1) if value else {}}
    if value is None:
        return {"nullable": True}
    for python_type, name in ((bool, "boolean"), (int, "integer"), (float, "number"),
                              (str, "string")):
        if isinstance(value, python_type):
            return {"type": name}
    return {}


# Most specific first: Email is a String, Integer a Number, DateTime a Field...
FIELD_TYPES = (
    (fields.Email, {"type": "string", "format": "email"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.String, {"type": "string"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Number, {"type": "number"}),
    (fields.Dict, {"type": "object"}),
)


def schema_of_marshmallow(schema, depth: int = 0) -> dict:
    """A marshmallow schema (class or instance) as the JSON schema of what it loads."""
    if isinstance(schema, type) and issubclass(schema, Schema):
        schema = schema()
    if not isinstance(schema, Schema) or depth > 10:
        return {"type": "object"}
    properties, required = {}, []
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        properties[key] = field_schema(field, depth)
        if field.required:
            required.append(key)
    result = {"type": "object", "properties": properties}
    if required:
        result["required"] = required
    return result


def field_schema(field, depth: int = 0) -> dict:
    override = field.metadata.get("json_schema")
    if override is not None:
        result = dict(override)
    elif isinstance(field, fields.Nested):
        inner = schema_of_marshmallow(field.schema, depth + 1)
        result = {"type": "array", "items": inner} if field.many else inner
    elif isinstance(field, fields.List):
        result = {"type": "array", "items": field_schema(field.inner, depth + 1)}
    else:
        result = next((dict(shape) for kind, shape in FIELD_TYPES if isinstance(field, kind)), {})
    for validator in getattr(field, "validators", ()):
        result.update(_constraints(validator, result.get("type") == "array"))
    if field.allow_none:
        result["nullable"] = True
    for name in ("description", "example"):
        if name in field.metadata:
            result[name] = field.metadata[name]
    return result


def _constraints(validator, is_array: bool = False) -> dict:
    if isinstance(validator, validate.OneOf):
        return {"enum": list(validator.choices)}
    if isinstance(validator, validate.Length):
        low, high = ("minItems", "maxItems") if is_array else ("minLength", "maxLength")
        if validator.equal is not None:
            return {low: validator.equal, high: validator.equal}
        return {key: value for key, value in ((low, validator.min), (high, validator.max))
                if value is not None}
    if isinstance(validator, validate.Range):
        return {key: value for key, value in (("minimum", validator.min),
                                              ("maximum", validator.max)) if value is not None}
    if isinstance(validator, validate.Regexp):
        return {"pattern": validator.regex.pattern}
    return {}
