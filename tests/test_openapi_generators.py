"""The OpenAPI documents as a generator, Postman or a validating proxy reads them: valid, named
components, every parameter, and every status and body the real app answers documented."""
from __future__ import annotations

import copy
import re
import warnings

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from sandbox.admin.openapi import openapi_path
from sandbox.app import build_app
from tests.conftest import BCS_HEADERS, CORE_AUTH, make_config

METHODS = ("get", "post", "put", "delete", "patch")


@pytest.fixture(scope="module")
def app():
    return build_app(make_config())


@pytest.fixture(scope="module")
def sandbox(app):
    return app.extensions["sandbox"]


@pytest.fixture(scope="module")
def document(app):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # apispec warns when it renames a clashing schema
        return app.test_client().get("/__sandbox/openapi.json").get_json()


@pytest.fixture(scope="module")
def admin_document(app):
    return app.test_client().get("/__sandbox/admin-openapi.json").get_json()


def operation_of(document, op):
    return document["paths"][openapi_path(op.rule)][op.method.lower()]


def credentials(op) -> dict:
    return {"core": CORE_AUTH, "bcs": BCS_HEADERS}.get(op.family, {})


def conforms(document, op, response):
    """The answer's status is documented and its body passes the documented schema."""
    documented = operation_of(document, op)["responses"]
    status = str(response.status_code)
    assert status in documented, (op.name, status, response.get_data(as_text=True)[:300])
    schema = documented[status]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": document["components"]}).validate(response.get_json())


def example_request(client, sandbox, op, headers=(), body=None, signed=True):
    from sandbox.admin.openapi import request_target
    path, query = request_target(op, sandbox)
    url = openapi_path(op.rule)
    for name, value in path.items():
        url = url.replace("{" + name + "}", value)
    send = getattr(client, op.method.lower())
    kwargs = {"query_string": query,
              "headers": {**(credentials(op) if signed else {}), **dict(headers)}}
    if op.method in ("POST", "PUT"):
        kwargs["json"] = op.meta.get("request_example") if body is None else body
    return send(url, **kwargs)


# -- valid, named, referenced ---------------------------------------------------------------------
def test_both_documents_are_valid_openapi(document, admin_document):
    validate(document)
    validate(admin_document)


def test_component_names_are_unique_and_never_numbered_duplicates(document, admin_document):
    for doc in (document, admin_document):
        names = list(doc["components"]["schemas"])
        assert len({name.lower() for name in names}) == len(names)
        for name in names:
            numbered = re.fullmatch(r"(.*\D)([1-9]\d*)", name)  # apispec's Name1, Name2...
            assert not (numbered and numbered.group(1) in names), name
        assert not any(name.startswith("Generated") for name in names)


def test_every_ref_resolves_and_bodies_are_references(document):
    text = str(document)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in document["components"]["schemas"], name
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                schema = body["schema"]
                refs = schema.get("oneOf", [schema])
                assert all("$ref" in ref for ref in refs), (path, method)
            assert "$ref" in operation["responses"]["200" if "200" in operation["responses"]
                                                    else "201"]["content"][
                "application/json"]["schema"], (path, method)


def test_the_document_is_built_once_and_served_as_bytes(app):
    client = app.test_client()
    first = client.get("/__sandbox/openapi.json")
    assert client.get("/__sandbox/openapi.json").get_data() == first.get_data()


# -- parameters -----------------------------------------------------------------------------------
def query_parameters(document, op) -> dict:
    return {p["name"]: p for p in operation_of(document, op)["parameters"]
            if p.get("in") == "query"}


@pytest.mark.parametrize("route, required, optional", [
    ("basic_data_v1", {"mnemonic"}, set()),
    ("basic_data_v2", {"mnemonic"}, set()),
    ("basic_data_v4", set(), {"govIssueIdentType", "identSerialNum", "cellphone"}),
    ("remittances_basic_data", {"govIssueIdentType"}, set()),
    ("customer_locations", set(), {"govIssueIdentType", "action", "condition"}),
    ("customer_name_by_account", set(), {"govIssueIdentType"}),
    ("channel_contact", set(), {"govIssueIdentType"}),
])
def test_query_parameters_as_the_server_reads_them(document, sandbox, app, route, required,
                                                   optional):
    op = sandbox.operations[route]
    found = query_parameters(document, op)
    assert {n for n, p in found.items() if p.get("required")} == required
    assert {n for n, p in found.items() if not p.get("required")} == optional
    # What is documented required is: without it the route refuses the request.
    for name in required:
        from sandbox.admin.openapi import request_target
        path, query = request_target(op, sandbox)
        url = openapi_path(op.rule)
        for key, value in path.items():
            url = url.replace("{" + key + "}", value)
        query.pop(name)
        response = app.test_client().get(url, query_string=query, headers=BCS_HEADERS)
        assert response.status_code == 400 and name in response.get_data(as_text=True)


def test_locations_action_and_condition_take_what_the_server_takes(document, sandbox):
    found = query_parameters(document, sandbox.operations["customer_locations"])
    assert set(found["action"]["schema"]["enum"]) == {"I", "T", "i", "t", ""}
    assert set(found["condition"]["schema"]["enum"]) == {"1", "2", "3", ""}
    assert "CC" in found["govIssueIdentType"]["schema"]["enum"]


def test_path_parameters_have_examples_that_answer(document, sandbox, app):
    client = app.test_client()
    for op in sandbox.operations.values():
        for parameter in operation_of(document, op)["parameters"]:
            if parameter.get("in") == "path":
                assert parameter["required"] is True and parameter["example"]
        if op.method == "GET":
            assert example_request(client, sandbox, op).status_code == 200, op.name


def test_sandbox_headers_and_the_delay_maximum(document, sandbox):
    delay = document["components"]["parameters"]["SandboxDelay"]
    assert delay["name"] == "X-Sandbox-Delay" and delay["schema"]["maximum"] == 60000
    op = sandbox.operations["core_customer"]
    scenario = next(p for p in operation_of(document, op)["parameters"]
                    if p.get("name") == "X-Sandbox-Scenario")
    assert "core-unavailable" in scenario["schema"]["enum"]


# -- security -------------------------------------------------------------------------------------
def test_bcs_security_is_one_requirement_per_header_set(document, sandbox):
    op = sandbox.operations["basic_data_v1"]
    assert operation_of(document, op)["security"] == [
        {"bcsClientId": [], "bcsClientSecret": [], "bcsToken": []},
        {"bcsClientIdHeader": [], "bcsClientSecretHeader": [], "bcsBearer": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bcsClientId"]["name"] == "X-Security-ClientID"
    assert "sandbox-client" in schemes["bcsClientId"]["description"]
    assert operation_of(document, sandbox.operations["cliente"])["security"] == []


# -- request bodies -------------------------------------------------------------------------------
def test_nullable_formats_and_base64(document):
    schemas = document["components"]["schemas"]
    assert schemas["PersonInfo"]["properties"]["birthDt"] == {"type": "string", "format": "date"}
    assert schemas["SyncFile"]["properties"]["binData"]["format"] == "byte"
    assert schemas["SyncPersonName"]["properties"]["birthDt"]["anyOf"][0] == {"format": "date"}
    # Core: a field without * may be null; birth dates are YYYY-MM-DD.
    info = schemas["ClientInfo000"]["properties"]
    assert info["middle_name"]["nullable"] is True
    assert info["birth_date"]["format"] == "date"
    assert "nullable" not in info["document_number"]


def closed(document, schema) -> bool:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    return schema.get("additionalProperties") is False


@pytest.mark.parametrize("route", ["core_customer", "core_product", "cliente", "create_customer",
                                   "secure_data", "sync_data", "status_basic_data", "query_pila"])
def test_a_body_is_documented_closed_exactly_where_the_server_refuses_unknown_fields(
        document, sandbox, app, route):
    op = sandbox.operations[route]
    body = copy.deepcopy(op.meta["request_example"])
    schema = operation_of(document, op)["requestBody"]["content"]["application/json"]["schema"]
    schemas = schema.get("oneOf", [schema])
    body["anUnknownField"] = "x"
    for value in body.values():  # and one level down
        if isinstance(value, dict):
            value["anUnknownField"] = "x"
            break
    response = example_request(app.test_client(), sandbox, op, body=body)
    refused = response.status_code == 400 and "anUnknownField" in response.get_data(as_text=True)
    assert refused == any(closed(document, s) for s in schemas), response.get_data(as_text=True)
    assert not any('"additionalProperties": false' in str(s).lower() for s in schemas)


def test_415_and_413_are_documented_where_a_body_route_answers_them(document, sandbox, app):
    client = app.test_client()
    for op in sandbox.operations.values():
        if op.method not in ("POST", "PUT"):
            assert "415" not in operation_of(document, op)["responses"]
            continue
        response = getattr(client, op.method.lower())(
            openapi_path(op.rule), data="x", content_type="text/plain", headers=credentials(op))
        assert response.status_code == 415
        conforms(document, op, response)
        assert "413" in operation_of(document, op)["responses"]


# -- every status the app answers -----------------------------------------------------------------
def test_the_seed_examples_answer_their_documented_success(document, sandbox, app):
    client = app.test_client()
    for op in sandbox.operations.values():
        response = example_request(client, sandbox, op)
        assert response.status_code == int(op.meta.get("success_status", 200)), op.name
        conforms(document, op, response)


def test_every_shipped_scenario_answers_a_documented_status_and_shape(document, sandbox, app):
    client = app.test_client()
    checked = 0
    for scenario in sandbox.scenarios.all():
        steps = scenario.sequence or [scenario.response]  # a sequence: every step in turn
        if any(step is not None and step.delay_ms for step in steps):
            continue  # (the test client sleeps a delay out)
        for route in scenario.routes:
            op = sandbox.operations[route]
            named = {"X-Sandbox-Scenario": scenario.name,
                     "X-Sandbox-Session": f"{scenario.name}-{route}"}
            for _ in steps:
                conforms(document, op, example_request(client, sandbox, op, headers=named))
                checked += 1
    assert checked > 40
    statuses = operation_of(document, sandbox.operations["core_customer"])["responses"]
    assert "503" in statuses and "500" in statuses


def test_every_catalog_status_is_documented_on_every_bcs_route(document, sandbox, app):
    client = app.test_client()
    catalog = sandbox.catalogs["bcs"]
    by_status = {}
    for row in catalog.rows:
        by_status.setdefault(row["status"], row)
    bcs = [op for op in sandbox.operations.values() if op.family == "bcs"]
    assert len(bcs) == 13
    for op in bcs:
        for status, row in by_status.items():
            response = example_request(client, sandbox, op, headers={"X-Sandbox-Error": row["id"]})
            assert response.status_code == status
            conforms(document, op, response)
        assert "500" in operation_of(document, op)["responses"]


def test_wrong_method_and_missing_credentials_are_documented(document, sandbox, app):
    client = app.test_client()
    for op in sandbox.operations.values():
        other = "delete" if op.method != "DELETE" else "get"
        response = getattr(client, other)(openapi_path(op.rule))
        assert response.status_code == 405
        conforms(document, op, response)
        if op.family in ("core", "bcs"):
            unauthenticated = example_request(client, sandbox, op, signed=False)
            assert unauthenticated.status_code == 401
            conforms(document, op, unauthenticated)


# -- the admin document ---------------------------------------------------------------------------
def admin_conforms(admin_document, path, method, response):
    documented = admin_document["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, (path, response.status_code)
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": admin_document["components"]}).validate(
        response.get_json())


def test_the_admin_document_lists_the_admin_api_and_its_answers_conform(admin_document):
    paths = admin_document["paths"]
    for path in ("health", "errors", "scenarios", "scenarios/active", "fixtures", "reset",
                 "requests", "requests/count", "chaos", "openapi.json", "admin-openapi.json",
                 "postman.json"):
        assert "/__sandbox/" + path in paths, path
    filters = {p["name"] for p in paths["/__sandbox/requests"]["get"]["parameters"]
               if isinstance(p, dict) and p.get("in") == "query"}
    assert filters == {"operation", "method", "path", "status", "answered_by", "since", "limit"}
    assert set(paths["/__sandbox/chaos"]) == {"get", "put", "delete"}
    client = build_app(make_config()).test_client()
    client.post("/cliente", json={})
    for path, method, kwargs in [
            ("/__sandbox/health", "get", {}), ("/__sandbox/scenarios", "get", {}),
            ("/__sandbox/scenarios/active", "put", {"json": {"name": "core-unavailable"}}),
            ("/__sandbox/scenarios/active", "get", {}), ("/__sandbox/requests", "get", {}),
            ("/__sandbox/fixtures", "get", {}), ("/__sandbox/errors", "get", {}),
            ("/__sandbox/errors", "get", {"query_string": {"code": "nope"}}),
            ("/__sandbox/reset", "post", {"json": {}})]:
        admin_conforms(admin_document, path, method, getattr(client, method)(path, **kwargs))


def test_the_headers_a_bcs_table_gives_a_format_are_documented_and_checked(document, sandbox,
                                                                         app):
    client = app.test_client()
    op = sandbox.operations["query_pila"]
    headers = {p["name"]: p for p in operation_of(document, op)["parameters"]
               if isinstance(p, dict) and p.get("name", "").startswith("X-Invoker-")}
    assert headers["X-Invoker-Action"]["schema"]["enum"] == ["C", "R"]
    assert headers["X-Invoker-ProcessDate"]["schema"]["format"] == "date"
    assert not any(p["required"] for p in headers.values())
    assert example_request(client, sandbox, op, headers={"X-Invoker-Action": "C"}
                           ).status_code == 200
    refused = example_request(client, sandbox, op, headers={"X-Invoker-Action": "X"})
    assert refused.status_code == 400
    conforms(document, op, refused)
    sync = [p for p in operation_of(document, sandbox.operations["sync_data"])["parameters"]
            if isinstance(p, dict) and p.get("name", "").startswith("X-Invoker-")]
    assert sync == []  # its table lists none with a format


@pytest.mark.parametrize("route, where", [
    ("sync_data", ["personName"]), ("sync_data", ["invoker"]),
    ("sync_data", ["custInfo", 0, "invoker"]), ("query_pila", ["trn", "depAcctIdTo"])])
def test_bcs_nested_objects_drop_unknown_keys_as_the_family_documents(sandbox, app, route, where):
    op = sandbox.operations[route]
    body = copy.deepcopy(op.meta["request_example"])
    node = body
    for key in where:
        node = node[key]
    node["anUnknownField"] = "x"
    response = example_request(app.test_client(), sandbox, op, body=body)
    assert response.status_code == 200, response.get_data(as_text=True)
