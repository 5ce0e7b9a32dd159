"""Choosing a response: each selection path, their order, matches, delays and answered-by."""
import pytest

from tests.conftest import BCS_HEADERS, CORE_AUTH
from tests.scenario_kit import build_app, write

SCENARIOS = """
scenarios:
  - name: lookup-echo
    description: Echoes the identification from the path
    routes: [test_bcs_lookup]
    response:
      status: 200
      headers: {X-Echo: "{{ request.path_params.identserialnum }}"}
      body:
        responseType: {value: OK}
        ident: "{{ request.path_params.identserialnum }}"
        number: "{{ request.path_params.identserialnum | int }}"
        greeting: "hola {{ request.query.get('name', 'nadie') }}"
        fixed: [1, two, {three: 3}]
  - name: lookup-suspended
    description: The catalog row 50628 in the route's envelope
    routes: [test_bcs_lookup]
    response: {error: "50628"}
  - name: core-rejected
    description: The core refuses mobile clients
    routes: [test_core_create]
    match:
      headers: {X-Channel: mobile}
      body: {client_info.document_number: {regex: "^0+$"}}
    response:
      status: 400
      body: {message: "Cliente rechazado: {{ request.body.client_info.first_name }}"}
  - name: core-down
    description: The core is down
    routes: [test_core_create, test_core_show]
    response: {status: 503, message: "Core no disponible"}
  - name: core-slow
    description: Only slower
    routes: [test_core_show]
    response: {delay_ms: 1}
  - name: core-customer-name
    description: Uses the stored customer the request names
    routes: [test_core_show]
    response:
      body: {name: "{{ customer.name if customer else 'nobody' }}"}
"""


@pytest.fixture
def app(monkeypatch, tmp_path):
    write(tmp_path, "test.yaml", SCENARIOS)
    return build_app(monkeypatch, tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


def lookup(client, ident="1234567890", **headers):
    return client.get(f"/test/bcs/{ident}", headers={**BCS_HEADERS, **headers})


def test_the_route_answers_when_nothing_is_selected(client):
    response = lookup(client)
    assert response.json == {"responseType": {"value": "OK"}, "ident": "1234567890"}
    assert response.headers["X-Sandbox-Answered-By"] == "route"


def test_x_sandbox_error_answers_the_catalog_row_in_the_route_envelope(client):
    response = lookup(client, **{"X-Sandbox-Error": "50628"})
    assert response.status_code == 400
    assert response.json["responseDetail"]["errorCode"] == "50628"
    assert response.headers["X-Sandbox-Answered-By"] == "error:50628"


def test_x_sandbox_error_picks_the_nth_row_of_a_shared_code(client):
    response = lookup(client, **{"X-Sandbox-Error": "500:2"})
    assert response.status_code == 500
    assert response.json["responseDetail"]["errorDesc"] == "ERROR DE INICIO TP"


def test_unknown_error_code_is_a_400_saying_where_valid_codes_are(client):
    response = lookup(client, **{"X-Sandbox-Error": "77777"})
    assert response.status_code == 400
    assert "/__sandbox/errors" in str(response.json)


def test_x_sandbox_error_on_a_non_bcs_route_is_a_400_pointing_at_scenarios(client):
    response = client.post("/test/core", json={"number": "1"},
                           headers={**CORE_AUTH, "X-Sandbox-Error": "50628"})
    assert response.status_code == 400
    message = response.json["message"]
    assert "BCS routes only" in message and "core-rejected" in message


def test_x_sandbox_scenario_answers_with_the_rendered_scenario(client):
    response = client.get("/test/bcs/123?name=Ana",
                          headers={**BCS_HEADERS, "X-Sandbox-Scenario": "lookup-echo"})
    assert response.status_code == 200
    assert response.json == {"responseType": {"value": "OK"}, "ident": "123", "number": 123,
                             "greeting": "hola Ana", "fixed": [1, "two", {"three": 3}]}
    assert response.headers["X-Echo"] == "123"
    assert response.headers["X-Sandbox-Answered-By"] == "scenario:lookup-echo"


def test_a_scenario_can_answer_a_catalog_error(client):
    response = lookup(client, **{"X-Sandbox-Scenario": "lookup-suspended"})
    assert response.status_code == 400
    assert response.json["responseDetail"]["errorCode"] == "50628"
    assert response.headers["X-Sandbox-Answered-By"] == "scenario:lookup-suspended"


def test_a_message_scenario_answers_in_the_route_envelope(client):
    response = client.get("/test/core/9046", headers={**CORE_AUTH, "X-Sandbox-Scenario": "core-down"})
    assert response.status_code == 503
    assert response.json == {"message": "Core no disponible"}


def test_unknown_scenario_name_lists_the_valid_ones_for_the_route(client):
    response = lookup(client, **{"X-Sandbox-Scenario": "nope"})
    assert response.status_code == 400
    text = str(response.json)
    assert "lookup-echo" in text and "lookup-suspended" in text


def test_a_scenario_for_another_route_is_refused(client):
    response = lookup(client, **{"X-Sandbox-Scenario": "core-down"})
    assert response.status_code == 400
    assert "not test_bcs_lookup" in str(response.json)


def test_magic_identification_number_answers_its_catalog_error(client):
    response = lookup(client, ident="99950628")
    assert response.status_code == 400
    assert response.json["responseDetail"]["errorCode"] == "50628"
    assert response.headers["X-Sandbox-Answered-By"] == "magic:50628"
    in_query = client.get("/test/bcs/1?mnemonic=CC99950628", headers=BCS_HEADERS)
    assert in_query.headers["X-Sandbox-Answered-By"] == "magic:50628"


def test_active_scenario_answers_its_routes_until_cleared(client):
    put = client.put("/__sandbox/scenarios/active", json={"name": "lookup-echo"})
    assert put.status_code == 200 and put.json["active"] == "lookup-echo"
    assert lookup(client).headers["X-Sandbox-Answered-By"] == "scenario:lookup-echo"
    # Other routes keep their own behaviour.
    other = client.get("/test/core/9046", headers=CORE_AUTH)
    assert other.headers["X-Sandbox-Answered-By"] == "route"
    assert client.delete("/__sandbox/scenarios/active").json["active"] is None
    assert lookup(client).headers["X-Sandbox-Answered-By"] == "route"


def test_active_scenario_applies_only_when_its_match_holds(client):
    client.put("/__sandbox/scenarios/active", json={"name": "core-rejected"})
    body = {"number": "9", "client_info": {"first_name": "PEDRO", "document_number": "000"}}
    matching = client.post("/test/core", json=body, headers={**CORE_AUTH, "X-Channel": "mobile"})
    assert matching.status_code == 400
    assert matching.json == {"message": "Cliente rechazado: PEDRO"}
    other_channel = client.post("/test/core", json=body, headers={**CORE_AUTH, "X-Channel": "web"})
    assert other_channel.status_code == 201
    body["client_info"]["document_number"] = "123"
    other_document = client.post("/test/core", json=body,
                                 headers={**CORE_AUTH, "X-Channel": "mobile"})
    assert other_document.status_code == 201


def test_precedence_error_then_named_then_magic_then_active_then_route(client):
    client.put("/__sandbox/scenarios/active", json={"name": "lookup-echo"})
    everything = {"X-Sandbox-Error": "500", "X-Sandbox-Scenario": "lookup-suspended"}
    assert lookup(client, "99950628", **everything).headers["X-Sandbox-Answered-By"] == "error:500"
    del everything["X-Sandbox-Error"]
    assert lookup(client, "99950628", **everything).headers["X-Sandbox-Answered-By"] \
        == "scenario:lookup-suspended"
    assert lookup(client, "99950628").headers["X-Sandbox-Answered-By"] == "magic:50628"
    assert lookup(client, "1").headers["X-Sandbox-Answered-By"] == "scenario:lookup-echo"
    client.delete("/__sandbox/scenarios/active")
    assert lookup(client, "1").headers["X-Sandbox-Answered-By"] == "route"


def test_a_delay_only_scenario_lets_the_route_answer(client):
    response = client.get("/test/core/9046", headers={**CORE_AUTH, "X-Sandbox-Scenario": "core-slow"})
    assert response.status_code == 200 and response.json["name"] == "FIXTURE"
    assert response.headers["X-Sandbox-Answered-By"] == "scenario:core-slow"


def test_templates_see_the_stored_customer_the_request_names(client):
    named = client.get("/test/core/9046", headers={**CORE_AUTH, "X-Sandbox-Scenario": "core-customer-name"})
    assert named.json == {"name": "FIXTURE"}
    unknown = client.get("/test/core/9047", headers={**CORE_AUTH, "X-Sandbox-Scenario": "core-customer-name"})
    assert unknown.json == {"name": "nobody"}


@pytest.mark.parametrize("value", ["abc", "-5", "1.5"])
def test_an_invalid_delay_header_is_a_400(client, value):
    response = lookup(client, **{"X-Sandbox-Delay": value})
    assert response.status_code == 400
    assert "X-Sandbox-Delay" in str(response.json)


def test_a_valid_delay_header_still_answers(client):
    assert lookup(client, **{"X-Sandbox-Delay": "5"}).status_code == 200


def test_set_active_refuses_unknown_names_and_bad_bodies(client):
    unknown = client.put("/__sandbox/scenarios/active", json={"name": "nope"})
    assert unknown.status_code == 400 and "lookup-echo" in unknown.json["message"]
    missing = client.put("/__sandbox/scenarios/active", json={})
    assert missing.status_code == 400 and "name" in missing.json["message"]
    not_json = client.put("/__sandbox/scenarios/active", data="x", content_type="text/plain")
    assert not_json.status_code == 415


def test_user_folder_wins_over_shipped_by_name(monkeypatch, tmp_path):
    shipped = build_app(monkeypatch).extensions["sandbox"].scenarios.all()
    if not shipped:
        pytest.skip("no shipped scenario yet")
    first = shipped[0]
    write(tmp_path, "override.yaml", f"""
        scenarios:
          - name: {first.name}
            description: mine
            routes: [{first.routes[0]}]
            response: {{status: 418, body: {{mine: true}}}}
        """)
    app = build_app(monkeypatch, tmp_path)
    assert app.extensions["sandbox"].scenarios.get(first.name).description == "mine"


def test_delay_header_is_capped_at_sixty_seconds(client, monkeypatch):
    import sandbox.waits as waits
    slept = []
    monkeypatch.setattr(waits.time, "sleep", slept.append)
    assert lookup(client, **{"X-Sandbox-Delay": "900000"}).status_code == 200
    assert lookup(client, **{"X-Sandbox-Delay": "1500"}).status_code == 200
    assert slept == [60.0, 1.5]


def test_yaml_dates_match_as_text_and_list_as_json(monkeypatch, tmp_path):
    write(tmp_path, "dates.yaml", """
        scenarios:
          - name: opened-on-a-date
            description: Matches an unquoted YAML date against the body's text
            routes: [test_core_create]
            match:
              body: {open_date: 2021-01-02}
            response: {status: 200, body: {opened: 2021-01-02}}
        """)
    client = build_app(monkeypatch, tmp_path).test_client()
    client.put("/__sandbox/scenarios/active", json={"name": "opened-on-a-date"})
    response = client.post("/test/core", json={"number": "1", "open_date": "2021-01-02"},
                           headers=CORE_AUTH)
    assert response.json == {"opened": "2021-01-02"}
    listed = client.get("/__sandbox/scenarios?route=test_core_create").json["scenarios"]
    assert listed[0]["match"] == [{"in": "body", "name": "open_date", "equals": "2021-01-02"}]


def test_a_scenario_can_answer_another_content_type(monkeypatch, tmp_path):
    write(tmp_path, "html.yaml", """
        scenarios:
          - name: proxy-error-page
            description: A gateway answers its own HTML page
            routes: [test_core_show]
            response:
              status: 502
              headers: {Content-Type: text/html; charset=utf-8}
              body_template: "<html>Bad Gateway</html>"
        """)
    client = build_app(monkeypatch, tmp_path).test_client()
    response = client.get("/test/core/1", headers={**CORE_AUTH,
                                                   "X-Sandbox-Scenario": "proxy-error-page"})
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.get_data(as_text=True) == "<html>Bad Gateway</html>"
