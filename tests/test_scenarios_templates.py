"""Scenario templates: typed values, request / fake / now context, clear 500s, and a sandbox that
refuses every attempt to reach Python internals or files."""
import pytest

from sandbox.scenarios.loader import load_folders
from tests.conftest import CORE_AUTH
from tests.scenario_kit import build_app, write

ESCAPES = {
    "mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "init-globals": "{{ request.__init__.__globals__ }}",
    "range-globals": "{{ range.__globals__ }}",
    "dict-subclasses": "{{ dict.mro()[1].__subclasses__() }}",
    "fake-internals": "{{ fake._faker }}",
    "fake-reseed": "{{ fake.seed_instance(1) }}",
    "fake-generator": "{{ fake.generator.random.seed(1) }}",
    "mutate-request": "{{ request.headers.update({'a': 1}) }}",
    "include-file": "{% include '/etc/passwd' %}",
    "now-class": "{{ now.__class__.__init__.__globals__ }}",
    "format-attr": "{{ '{0.__class__}'.format(request) }}",
}

SCENARIOS = """
scenarios:
  - name: typed-values
    description: A leaf that is exactly one expression keeps its type
    routes: [test_core_show]
    response:
      status: 200
      body:
        number: "{{ request.path_params.number | int }}"
        text: "n={{ request.path_params.number }}"
        flag: "{{ request.query.flag == 'yes' }}"
        items: "{{ [1, 2, 3] }}"
        nothing: "{{ none }}"
        name: "{{ fake.name() }}"
        year: "{{ now.year }}"
        channel: "{{ request.headers['x-channel'] }}"
  - name: json-template
    description: body_template renders JSON text
    routes: [test_core_show]
    response:
      status: 202
      body_template: |
        {"items": [{% for i in range(3) %}{{ i }}{% if not loop.last %},{% endif %}{% endfor %}],
         "who": {{ request.path_params.number | tojson }}}
  - name: broken-at-line-three
    description: The third template line names a field the body does not have
    routes: [test_core_show]
    response:
      body_template: |
        {
          "a": 1,
          "b": {{ request.body.missing.field }}
        }
  - name: not-json
    description: body_template that does not render JSON
    routes: [test_core_show]
    response:
      body_template: "not json {{ 1 }}"
"""


def _escapes_yaml() -> str:
    lines = ["scenarios:"]
    for name, source in ESCAPES.items():
        quoted = source.replace("\\", "\\\\").replace('"', '\\"')
        lines += [f"  - name: escape-{name}", "    description: An attempt to leave the sandbox",
                  "    routes: [test_core_show]", "    response:",
                  f"      body: {{value: \"{quoted}\"}}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def app(monkeypatch, tmp_path):
    write(tmp_path, "templates.yaml", SCENARIOS)
    write(tmp_path, "escapes.yaml", _escapes_yaml())
    return build_app(monkeypatch, tmp_path)


def show(client, scenario, number="9046", query="", **headers):
    return client.get(f"/test/core/{number}{query}",
                      headers={**CORE_AUTH, "X-Sandbox-Scenario": scenario, **headers})


def test_single_expressions_keep_their_type_and_text_renders(client):
    body = show(client, "typed-values", "77", "?flag=yes", **{"X-Channel": "mobile"}).json
    assert body["number"] == 77 and body["text"] == "n=77"
    assert body["flag"] is True and body["items"] == [1, 2, 3] and body["nothing"] is None
    assert isinstance(body["name"], str) and body["name"]
    assert isinstance(body["year"], int)
    assert body["channel"] == "mobile"


def test_fake_data_is_the_same_for_the_same_seed(monkeypatch, tmp_path):
    write(tmp_path, "templates.yaml", SCENARIOS)
    names = []
    for _ in range(2):
        client = build_app(monkeypatch, tmp_path).test_client()
        names.append(show(client, "typed-values", "1", "?flag=no", **{"X-Channel": "web"}).json["name"])
    assert names[0] == names[1]


def test_body_template_renders_json_text(client):
    response = show(client, "json-template", "12")
    assert response.status_code == 202
    assert response.json == {"items": [0, 1, 2], "who": "12"}


def test_a_template_error_is_a_clear_500_naming_scenario_and_line(client):
    response = show(client, "broken-at-line-three")
    assert response.status_code == 500
    message = response.json["message"]
    assert "broken-at-line-three" in message
    assert "template line 3" in message
    assert "templates.yaml:" in message
    assert "Traceback" not in message


def test_a_body_template_that_is_not_json_is_a_clear_500(client):
    response = show(client, "not-json")
    assert response.status_code == 500
    assert "did not render JSON" in response.json["message"]


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_sandbox_escape_attempts_are_refused_with_a_clear_500(client, name):
    response = show(client, f"escape-{name}")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert f"escape-{name}" in text
    for leak in ("<class", "subprocess", "root:", "__builtins__", "Traceback", "os.py"):
        assert leak not in text


def test_globals_outside_the_context_are_refused_at_load(tmp_path):
    write(tmp_path, "bad.yaml", """
        scenarios:
          - name: cycler-trick
            description: cycler is not available
            routes: [core_customer]
            response:
              body: {x: "{{ cycler.__init__.__globals__.os.popen('id').read() }}"}
          - name: joiner-trick
            description: joiner neither
            routes: [core_customer]
            response:
              body: {x: "{{ joiner.__init__.__globals__ }}"}
          - name: namespace-trick
            description: nor namespace
            routes: [core_customer]
            response:
              body: {x: "{% set ns = namespace(a=1) %}{{ ns }}"}
        """)
    _, faults = load_folders([tmp_path], {"core_customer": None})
    messages = [str(f) for f in faults]
    assert len(messages) == 3
    assert all("unknown name" in m for m in messages)
    assert "bad.yaml:7:" in messages[0]


CUSTOMER_SCENARIOS = """
scenarios:
  - name: who-core
    description: The core customer core_product names
    routes: [core_product]
    response:
      body: {number: "{{ customer.customer_number if customer else none }}"}
  - name: who-member
    description: The cooperative member the document names
    routes: [cliente]
    response:
      body: {name: "{{ customer.data.primer_nombre if customer else none }}"}
  - name: who-bcs
    description: The BCS customer the identification names
    routes: [customer_locations]
    response:
      body: {name: "{{ customer.personName.fullName if customer else none }}"}
"""


def test_customer_is_the_stored_record_on_each_family(monkeypatch, tmp_path):
    from tests.conftest import BCS_HEADERS, seed_example
    write(tmp_path, "who.yaml", CUSTOMER_SCENARIOS)
    app = build_app(monkeypatch, tmp_path)
    client, operations = app.test_client(), app.extensions["sandbox"].operations
    core = client.post("/core_product", json={"product_code": "AH01", "customer_number": 1234,
                                              "open_date": "2021-01-02"},
                       headers={**CORE_AUTH, "X-Sandbox-Scenario": "who-core"})
    assert core.json == {"number": 1234}
    unknown = client.post("/core_product", json={"customer_number": 999999},
                          headers={**CORE_AUTH, "X-Sandbox-Scenario": "who-core"})
    assert unknown.json == {"number": None}
    member = client.post("/cliente", json=seed_example("003_cliente_request"),
                         headers={**CORE_AUTH, "X-Sandbox-Scenario": "who-member"})
    assert member.json == {"name": seed_example("003_cliente_response")["data"]["primer_nombre"]}
    path = operations["customer_locations"].rule.replace("<identserialnum>", "1234567890")
    own = client.get(path, headers=BCS_HEADERS).json
    bcs = client.get(path, headers={**BCS_HEADERS, "X-Sandbox-Scenario": "who-bcs"}).json
    assert bcs["name"] and bcs["name"] == own["govIssueIdent"]["fullName"]


BCS_WHO = """\
scenarios:
  - name: who-bcs-number
    description: Whoever the BCS lookup finds for the number in the path
    routes: [customer_locations]
    response:
      body: {who: "{{ customer.customer_number if customer else 'nobody' }}"}
"""


def test_a_bcs_template_never_sees_another_familys_record(tmp_path):
    # CC 1234 names no BCS customer; core customer #1234 exists and must not answer for it.
    from tests.conftest import BCS_HEADERS, make_config
    from sandbox import create_app
    write(tmp_path, "who.yaml", BCS_WHO)
    app = create_app(make_config(scenarios=(str(tmp_path),)))
    path = app.extensions["sandbox"].operations["customer_locations"].rule.replace(
        "<identserialnum>", "1234")
    response = app.test_client().get(path, headers={**BCS_HEADERS,
                                                    "X-Sandbox-Scenario": "who-bcs-number"})
    assert response.json == {"who": "nobody"}
