"""GET /__sandbox/openapi.json (sandbox/admin/openapi.py), registered here on the real app."""
from __future__ import annotations

import pytest
from flask import Flask
from marshmallow import Schema, fields, validate

from sandbox.admin import documents, openapi
from sandbox.apis.bcs import FAMILY as BCS_FAMILY
from sandbox.registry import Operation, Sandbox
from tests.conftest import make_config, seed_example

METHODS = ("get", "post", "put", "delete", "patch")


def with_registered(app, module, endpoint: str):
    """The app with `module.register` applied (until app.py wires the admin modules in)."""
    if endpoint not in app.view_functions:
        module.register(app, app.extensions["sandbox"])
    return app


def served(app, module, endpoint: str, path: str, mimetype: str):
    response = with_registered(app, module, endpoint).test_client().get(path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    return response


def with_openapi(app):
    return with_registered(app, documents, "admin_openapi")


@pytest.fixture
def document(app):
    return served(app, documents, "admin_openapi", "/__sandbox/openapi.json",
                  "application/json").get_json()


def operations_of(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_registered_upstream_route_is_documented(document, sandbox):
    assert document["openapi"].startswith("3.")
    found = {operation["operationId"]: (path, method)
             for path, method, operation in operations_of(document)}
    for name, op in sandbox.operations.items():
        assert found[name] == (openapi.openapi_path(op.rule), op.method.lower())
    assert not any(path.startswith("/__sandbox") for path in document["paths"])


def resolve(document, ref: str):
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_every_reference_resolves_and_every_path_parameter_is_declared(document):
    for path, method, operation in operations_of(document):
        parameters = [resolve(document, p["$ref"]) if "$ref" in p else p
                      for p in operation["parameters"]]
        declared = {p["name"] for p in parameters if p["in"] == "path"}
        assert declared == set(part[1:-1] for part in path.split("/") if part.startswith("{"))
        for requirement in operation["security"]:
            for scheme in requirement:
                assert scheme in document["components"]["securitySchemes"]


def test_cliente_documents_no_credentials_its_schema_and_seed_examples(document):
    operation = document["paths"]["/cliente"]["post"]
    assert operation["security"] == []
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ClienteRequest"}
    body = {**body, "schema": resolve(document, body["schema"]["$ref"])}
    assert sorted(body["schema"]["required"]) == ["numero_documento", "tipo_documento", "tipo_documento_id"]
    assert body["schema"]["properties"]["tipo_documento_id"]["enum"] == [1, 2]
    assert body["example"] == seed_example("003_cliente_request")
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    assert examples["member"]["value"] == seed_example("003_cliente_response")
    assert examples["not a member"]["value"]["data"] == {"es_socio": "0"}
    error = operation["responses"]["400"]["content"]["application/json"]["examples"]["400"]
    assert set(error["value"]) == {"message", "code"} and error["value"]["code"] == 400


def test_core_routes_use_http_basic(document, sandbox):
    core = [op for op in sandbox.operations.values() if op.family in ("core", "core_product")]
    for op in core:
        operation = document["paths"][openapi.openapi_path(op.rule)][op.method.lower()]
        assert operation["security"] == [{"basicAuth": []}]
    if core:
        scheme = document["components"]["securitySchemes"]["basicAuth"]
        assert (scheme["type"], scheme["scheme"]) == ("http", "basic")
        assert "user sandbox" in scheme["description"]


def matches(value, schema, document) -> bool:
    """A small JSON-schema check, enough for what openapi.py emits."""
    if "$ref" in schema:
        schema = resolve(document, schema["$ref"])
    if "oneOf" in schema:
        return sum(matches(value, s, document) for s in schema["oneOf"]) >= 1
    if value is None:
        return schema.get("nullable", False) or not schema.get("type")
    kind = schema.get("type")
    checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
              "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
              "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)}
    if kind and not checks[kind](value):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if kind == "object":
        if any(name not in value for name in schema.get("required", ())):
            return False
        return all(matches(value[k], s, document)
                   for k, s in schema.get("properties", {}).items() if k in value)
    if kind == "array":
        return all(matches(item, schema.get("items", {}), document) for item in value)
    return True


def test_every_example_matches_its_own_schema(document):
    checked = 0
    for path, method, operation in operations_of(document):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content and "example" in content:
            assert matches(content["example"], content["schema"], document), (path, method)
            checked += 1
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json", {})
            examples = [media["example"]] if "example" in media else [
                e["value"] for e in media.get("examples", {}).values()]
            for example in examples:
                assert matches(example, media["schema"], document), (path, method, status)
                checked += 1
    assert checked >= 5


def test_bcs_routes_accept_either_header_set_and_show_catalog_errors():
    # A BCS-like operation on a bare app, so this holds whatever the BCS package registers.
    app = Flask("t")
    sandbox = Sandbox(make_config(), (BCS_FAMILY,))
    sandbox.families["bcs"] = BCS_FAMILY
    sandbox.authenticators["bcs"] = lambda request: None
    rule = "/api/x/location/<identserialnum>"
    sandbox.add_operation(app, Operation("customer_locations", "bcs", "GET", rule, "Locations"),
                          lambda identserialnum: "")
    documents.register(app, sandbox)
    document = app.test_client().get("/__sandbox/openapi.json").get_json()
    operation = document["paths"]["/api/x/location/{identserialnum}"]["get"]
    assert operation["security"] == [
        {"bcsClientId": [], "bcsClientSecret": [], "bcsToken": []},
        {"bcsClientIdHeader": [], "bcsClientSecretHeader": [], "bcsBearer": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bcsClientId"] == {"type": "apiKey", "in": "header",
                                      "name": "X-Security-ClientID",
                                      "description": schemes["bcsClientId"]["description"]}
    assert schemes["bcsClientIdHeader"]["name"] == "client_id"
    assert schemes["bcsBearer"]["scheme"] == "bearer"
    assert "basicAuth" not in schemes
    assert {"$ref": "#/components/parameters/SandboxError"} in operation["parameters"]
    assert operation["parameters"][0]["example"] == "1234567890"


def test_bcs_catalog_rows_are_error_responses_in_the_bcs_envelope(document, sandbox):
    if sandbox.catalog is None:
        pytest.skip("no BCS catalog registered")
    op = next((op for op in sandbox.operations.values() if op.family == "bcs"), None)
    if op is None:
        pytest.skip("no BCS route registered yet")
    rows = [row for row in sandbox.catalog.rows if op.name in row["routes"]]
    operation = document["paths"][openapi.openapi_path(op.rule)][op.method.lower()]
    for row in rows:
        media = operation["responses"][str(row["status"])]["content"]["application/json"]
        value = media["examples"][f"{row['code']} ({row['id']})"]["value"]
        assert value["responseDetail"]["errorCode"] == row["code"]


class Address(Schema):
    street = fields.String(required=True, validate=validate.Length(max=40))


class Person(Schema):
    name = fields.String(required=True, allow_none=True, metadata={"description": "Name"})
    email = fields.Email()
    born = fields.Date(data_key="birth_date")
    kind = fields.Integer(validate=validate.OneOf([1, 2]))
    score = fields.Float(validate=validate.Range(min=0, max=10))
    tags = fields.List(fields.String(), validate=validate.Length(min=1))
    addresses = fields.Nested(Address, many=True)
    code = fields.String(validate=validate.Regexp(r"^\d{3}$"))
    computed = fields.String(dump_only=True)


def test_marshmallow_schemas_become_named_components():
    from sandbox.admin.openapi_schemas import new_spec
    spec = new_spec("t", "1", "")
    spec.components.schema("Person", schema=Person)
    schemas = spec.to_dict()["components"]["schemas"]
    # Nested schemas are components of their own, referenced; Schema's default (unknown=RAISE)
    # refuses unknown fields, so the body is closed.
    assert schemas["Address"] == {"type": "object", "properties": {
        "street": {"type": "string", "maxLength": 40}}, "required": ["street"],
        "additionalProperties": False}
    person = schemas["Person"]
    assert person["required"] == ["name"] and person["additionalProperties"] is False
    assert person["properties"] == {
        "name": {"type": "string", "nullable": True, "description": "Name"},
        "email": {"type": "string", "format": "email"},
        "birth_date": {"type": "string", "format": "date"},
        "kind": {"type": "integer", "enum": [1, 2]},
        "score": {"type": "number", "minimum": 0, "maximum": 10},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "addresses": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}},
        "code": {"type": "string", "pattern": r"^\d{3}$"},
        "computed": {"type": "string", "readOnly": True},
    }


def test_the_document_is_built_once(app):
    client = with_openapi(app).test_client()
    first = client.get("/__sandbox/openapi.json").get_data()
    assert client.get("/__sandbox/openapi.json").get_data() == first
