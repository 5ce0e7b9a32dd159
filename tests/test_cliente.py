"""POST /cliente, the cooperative's member lookup (seed 003).

The seed's response example is split over five code blocks and is not valid JSON as written.
tests/fixtures/seeds/003_cliente_response.json joins the blocks into one object and fixes only
what made it invalid:
- the closing braces that end the first and fourth blocks early are dropped (the blocks continue
  one object: the fourth block's truncated `"codeudor": {` is closed by the fifth's first lines);
- `"fecha_ingreso_laboral":2020-12-12"` gets its missing opening quote;
- trailing commas are removed.
Everything valid is kept as written: the key `"domicilio "` with its trailing space,
`telefono_Celular`, `gatos`, and every value as a string. `monto_maximo_a_prestar` appears twice
("50000", then "500000"); a JSON parser keeps the last, so the fixture (and the member) has
"500000".
"""
from __future__ import annotations

import functools

import unicodedata

import pytest
import requests
from flask import g, request

from sandbox.apis.cooperative.backend import MEMBERS
from tests.conftest import seed_example

SUCCESS = "data retrieved successfully"
SEED_REQUEST = seed_example("003_cliente_request")
SEED_RESPONSE = seed_example("003_cliente_response")


def assert_same_shape(actual, expected, path="body"):
    """Same keys, nesting and value types, recursively; every list item is shaped like the
    example's first item."""
    assert type(actual) is type(expected), \
        f"{path}: {type(actual).__name__} where the example has {type(expected).__name__}"
    if isinstance(expected, dict):
        assert set(actual) == set(expected), (
            f"{path}: missing {sorted(set(expected) - set(actual))}, "
            f"extra {sorted(set(actual) - set(expected))}")
        for key, value in expected.items():
            assert_same_shape(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert actual, f"{path}: empty list where the example has items"
        for index, item in enumerate(actual):
            assert_same_shape(item, expected[0], f"{path}[{index}]")


def cliente(client, tipo_documento_id=1, numero_documento="25326461", tipo_documento="curp",
            **headers):
    return client.post("/cliente", json={"tipo_documento_id": tipo_documento_id,
                                         "tipo_documento": tipo_documento,
                                         "numero_documento": numero_documento}, headers=headers)


def assert_envelope(response, status, *named):
    """The cooperative envelope: exactly {message, code}, code repeating the status, and the
    message naming each field in `named`."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"message", "code"} and body["code"] == status
    for name in named:
        assert name in body["message"], body["message"]
    return body


# -- the seed's examples ----------------------------------------------------------------------
def test_the_seed_request_example_gets_the_seed_response_example(client):
    response = client.post("/cliente", json=SEED_REQUEST)
    assert response.status_code == 200
    assert_same_shape(response.get_json(), SEED_RESPONSE)
    assert response.get_json() == SEED_RESPONSE


def test_the_seed_request_example_needs_no_credentials_over_a_real_socket(live_server):
    # Seed 003 documents no authentication; the sandbox asks for none.
    response = requests.post(live_server.url + "/cliente", json=SEED_REQUEST, timeout=5)
    assert response.status_code == 200
    assert response.json() == SEED_RESPONSE


def _plain(name: str) -> str:
    name = unicodedata.normalize("NFD", name.strip().lower())
    return "".join(char for char in name if not unicodedata.combining(char))


# The description table's misspellings of keys the example spells otherwise (the example wins).
TABLE_TO_EXAMPLE = {"fuelle_otros_ingresos": "fuente_otros_ingresos",
                    "fuelle_ingresos_fijos": "fuentes_ingresos_fijos",
                    "fuelle_ingresos_variables": "fuentes_ingresos_variables",
                    "gastos": "gatos", "idorigen": "idorigenp"}


def test_every_field_of_the_seed_description_is_answered_in_the_example_spelling(client):
    described = seed_example("003_cliente_response_fields")
    data = cliente(client).get_json()["data"]

    def keys_of(obj):
        obj = obj[0] if isinstance(obj, list) else obj
        return {_plain(key): key for key in obj}

    objects = {"data": data}
    for group, names in described.items():
        if group.startswith("_"):
            continue
        present = keys_of(objects[group])
        for name in names:
            plain = TABLE_TO_EXAMPLE.get(_plain(name), _plain(name))
            assert plain in present, f"{group}.{name} is not in the answer"
            if name in described:  # a nested object: its own fields are checked in turn
                objects[name] = objects[group][present[plain]]


def test_the_seed_member_is_found_by_member_number_as_text_or_number(client):
    for number in ("55555555", 55555555):
        response = cliente(client, 2, number, "numero socio")
        assert response.status_code == 200
        assert response.get_json() == SEED_RESPONSE


# -- generated members ------------------------------------------------------------------------
def test_every_member_is_found_by_curp_and_by_member_number(client, sandbox):
    members = list(sandbox.fixtures[MEMBERS].values())
    assert len(members) == 26  # the seed's member and 25 generated
    for member in members:
        by_curp = cliente(client, 1, member["curp"]).get_json()
        by_number = cliente(client, 2, member["data"]["num_socio"], "numero socio").get_json()
        assert by_curp == by_number == {"data": member["data"], "message": SUCCESS, "code": 200}
        assert_same_shape(by_curp, SEED_RESPONSE)


# -- not a member -----------------------------------------------------------------------------
@pytest.mark.parametrize("tipo_documento_id, numero_documento", [
    (1, "PEGL850307HDFRMS08"),   # a well-formed CURP nobody in the cooperative has
    (1, "55555555"),             # the seed member's number, asked as a CURP
    (2, "25326461"),             # the seed member's CURP document, asked as a member number
    (2, 99999999),
])
def test_a_document_that_is_no_member_answers_es_socio_0(client, tipo_documento_id,
                                                         numero_documento):
    response = cliente(client, tipo_documento_id, numero_documento)
    assert response.status_code == 200
    assert response.get_json() == {"data": {"es_socio": "0"}, "message": SUCCESS, "code": 200}


def test_lookups_are_exact_match(client, sandbox):
    curp = next(m["curp"] for m in sandbox.fixtures[MEMBERS].values() if len(m["curp"]) == 18)
    for near_miss in (curp.lower(), f" {curp}", curp[:-1], curp + "0"):
        assert cliente(client, 1, near_miss).get_json()["data"] == {"es_socio": "0"}


# -- malformed requests -----------------------------------------------------------------------
VALID = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": "25326461"}


@pytest.mark.parametrize("changes, field", [
    ({"tipo_documento_id": None}, "tipo_documento_id"),
    ({"tipo_documento_id": 3}, "tipo_documento_id"),
    ({"tipo_documento_id": 0}, "tipo_documento_id"),
    ({"tipo_documento_id": "1"}, "tipo_documento_id"),
    ({"tipo_documento_id": 1.5}, "tipo_documento_id"),
    ({"tipo_documento_id": True}, "tipo_documento_id"),
    ({"tipo_documento": None}, "tipo_documento"),
    ({"tipo_documento": ""}, "tipo_documento"),
    ({"tipo_documento": 1}, "tipo_documento"),
    ({"numero_documento": None}, "numero_documento"),
    ({"numero_documento": ""}, "numero_documento"),
    ({"numero_documento": "   "}, "numero_documento"),
    ({"numero_documento": 2.5}, "numero_documento"),
    ({"numero_documento": False}, "numero_documento"),
    ({"numero_documento": ["25326461"]}, "numero_documento"),
])
def test_a_wrong_field_is_answered_400_naming_it(client, changes, field):
    response = client.post("/cliente", json={**VALID, **changes})
    body = assert_envelope(response, 400, field)
    assert body["message"].startswith("Invalid request: ")


@pytest.mark.parametrize("field", sorted(VALID))
def test_a_missing_field_is_answered_400_naming_it(client, field):
    body = {k: v for k, v in VALID.items() if k != field}
    message = assert_envelope(client.post("/cliente", json=body), 400, field)["message"]
    assert f"{field}: is required" in message


def test_every_failing_field_is_named_at_once(client):
    response = client.post("/cliente", json={"tipo_documento_id": 7})
    assert_envelope(response, 400, "tipo_documento_id", "tipo_documento:", "numero_documento")


def test_fields_the_seed_does_not_list_are_ignored(client):
    response = client.post("/cliente", json={**VALID, "canal": "app"})
    assert response.get_json() == SEED_RESPONSE


@pytest.mark.parametrize("data, named", [
    ('{"tipo_documento_id": 1,', "Malformed JSON"),
    ("", "empty"),
    ("[1, 2]", "JSON object"),
    ('"25326461"', "JSON object"),
    (b"\xff\xfe", "Malformed JSON"),
])
def test_a_body_that_is_no_json_object_is_answered_400(client, data, named):
    response = client.post("/cliente", data=data, content_type="application/json")
    assert_envelope(response, 400, named)


def test_a_wrong_content_type_is_answered_415(client):
    response = client.post("/cliente", data="tipo_documento_id=1", content_type="text/plain")
    assert_envelope(response, 415, "Content-Type")


def test_another_method_is_answered_405(client):
    assert_envelope(client.get("/cliente"), 405, "GET", "POST")


def test_a_body_over_the_limit_is_answered_413(client):
    padding = "x" * (1024 * 1024 + 1)
    response = client.post("/cliente", data=f'{{"pad": "{padding}"}}',
                           content_type="application/json")
    assert_envelope(response, 413, "limit")


def test_an_unknown_path_under_cliente_is_answered_404_in_the_cooperative_envelope(client):
    assert_envelope(client.post("/cliente/extra", json=VALID), 404, "/cliente/extra")


def test_the_operation_is_registered_with_its_seed_examples(sandbox):
    operation = sandbox.operations["cliente"]
    assert (operation.family, operation.method, operation.rule) == ("cooperative", "POST", "/cliente")
    assert operation.meta["request_example"] == SEED_REQUEST
    assert operation.meta["response_example"] == SEED_RESPONSE


def test_scenario_templates_get_the_member_the_request_names(app, sandbox):
    lookup = functools.partial(sandbox.customer_lookups["cooperative"], sandbox.operations["cliente"])
    with app.test_request_context("/cliente", method="POST", json=SEED_REQUEST):
        g.session = "default"
        assert lookup(request, sandbox.state())["data"] == SEED_RESPONSE["data"]
    with app.test_request_context("/cliente", method="POST", json={"tipo_documento_id": 9}):
        g.session = "default"
        assert lookup(request, sandbox.state()) is None


def test_a_browser_preflight_on_cliente_is_allowed(client):
    response = client.options("/cliente", headers={"Origin": "http://app.local",
                                                   "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("body", [
    {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461},
    {"tipo_documento_id": 2, "tipo_documento": "socio", "numero_documento": "55555555"},
    {"tipo_documento_id": 2, "tipo_documento": "socio", "numero_documento": "5", "extra": 1},
    {"tipo_documento_id": True, "tipo_documento": "curp", "numero_documento": "1"},
    {"tipo_documento_id": "1", "tipo_documento": "curp", "numero_documento": "1"},
    {"tipo_documento_id": 3, "tipo_documento": "curp", "numero_documento": "1"},
    {"tipo_documento_id": 1, "tipo_documento": "", "numero_documento": "1"},
    {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": "  "},
    {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 1.5},
    {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": None},
    {"tipo_documento_id": 1, "tipo_documento": "curp"},
])
def test_the_fast_path_gives_marshmallows_verdict_and_values(body):
    from sandbox.apis.cooperative.schemas import CLIENTE_REQUEST, load_cliente_request
    from sandbox.errors import SandboxError
    errors = CLIENTE_REQUEST.validate(body)
    if errors:
        with pytest.raises(SandboxError):
            load_cliente_request(body)
    else:
        assert load_cliente_request(body) == CLIENTE_REQUEST.load(body)
