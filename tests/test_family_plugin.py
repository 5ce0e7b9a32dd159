"""A family is a plugin: a small fourth family, added with one line in the family tuple, is
served, checked by `sandbox check`, listed in OpenAPI and the console, journaled with its secret
masked, and allowed in CORS preflights, with no shared module changed. And the generic modules'
code names no family."""
from __future__ import annotations

import io
import json
import re
import tokenize
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from flask import request

from sandbox import create_app
from sandbox.apis import FAMILIES
from sandbox.cli import main as cli
from sandbox.config import Setting
from sandbox.errors import SandboxError, json_response
from sandbox.family import Family, Parts, Route, Security
from sandbox.http import read_json
from tests.conftest import make_config
from tests.scenario_kit import write

KEY_HEADER = "X-Toy-Key"
ACCOUNTS = "toy_account"


def toy_start(sandbox) -> Parts:
    def balance(account):
        record = sandbox.state().get(ACCOUNTS, account)
        if record is None:
            raise SandboxError(404, f"account {account} does not exist")
        return json_response(record)

    def transfer():
        body = read_json(request)
        state = sandbox.state()
        with state.lock:
            source = state.get(ACCOUNTS, str(body.get("from")))
            if source is None or not isinstance(body.get("amount"), int):
                raise SandboxError(400, "from: an existing account; amount: a whole number")
            state.put(ACCOUNTS, source["account"],
                      {**source, "balance": source["balance"] - body["amount"]})
        return json_response({"done": True}, 201)

    def authenticate(req) -> None:
        if req.headers.get(KEY_HEADER) != sandbox.config.toy_api_key:
            raise SandboxError(401, f"send {KEY_HEADER}")

    return Parts(
        views={"toy_balance": balance, "toy_transfer": transfer},
        envelope=lambda err, operation: {"toyError": {"reason": err.message,
                                                      "status": err.status}},
        authenticate=authenticate,
        fixtures={ACCOUNTS: {"1": {"account": "1", "balance": 100}}},
        customer=lambda operation, req, state: state.get(ACCOUNTS, (req.view_args or {})
                                                         .get("account", "")),
        examples={"toy_transfer": {"request_example": {"from": "1", "amount": 5}}})


TOY = Family(
    name="toy", title="Toy bank",
    routes=(Route("toy_balance", "GET", "/balance/<account>", "An account's balance"),
            Route("toy_transfer", "POST", "/transfer", "Move money out of an account",
                  meta={"success_status": 201})),
    start=toy_start, base_path=lambda config: "/toy",
    settings=(Setting("toy_api_key", "toy-key", "the toy bank's API key", secret=True),),
    security=Security(
        label="API key", note=f"{KEY_HEADER} on every route",
        schemes=lambda config: {"toyKey": {"type": "apiKey", "in": "header",
                                           "name": KEY_HEADER}},
        requirements=[{"toyKey": []}],
        example_headers=lambda config: {KEY_HEADER: config.toy_api_key},
        lines=lambda config: [f"{KEY_HEADER}: {config.toy_api_key}"],
        summary=lambda config: f"{KEY_HEADER}: {config.toy_api_key}"),
    headers=(KEY_HEADER,), secret_headers=(KEY_HEADER,), locale="fr_FR")

WITH_TOY = FAMILIES + (TOY,)
KEY = {KEY_HEADER: "toy-key"}


@pytest.fixture
def toy_app():
    return create_app(make_config(), families=WITH_TOY)


def test_the_family_is_served_in_its_own_envelope_with_its_credentials(toy_app):
    client = toy_app.test_client()
    assert client.get("/toy/balance/1", headers=KEY).json == {"account": "1", "balance": 100}
    assert client.post("/toy/transfer", json={"from": "1", "amount": 30}, headers=KEY).status_code == 201
    assert client.get("/toy/balance/1", headers=KEY).json["balance"] == 70
    refused = client.get("/toy/balance/1")
    assert refused.status_code == 401 and refused.json == {
        "toyError": {"reason": f"send {KEY_HEADER}", "status": 401}}
    missing = client.get("/toy/nowhere", headers=KEY)
    assert missing.status_code == 404 and "toyError" in missing.json
    wrong_method = client.delete("/toy/transfer", headers=KEY)
    assert wrong_method.status_code == 405 and "toyError" in wrong_method.json
    # The other families are untouched.
    assert client.post("/cliente", json={}).json["code"] == 400


def test_its_setting_is_a_variable_and_its_default_documented():
    from sandbox.config import Config
    config = Config.from_env({"SANDBOX_TOY_API_KEY": "team-key"})
    client = create_app(config.with_(log_requests=False, reload_interval=0),
                        families=WITH_TOY).test_client()
    assert client.get("/toy/balance/1", headers=KEY).status_code == 401
    assert client.get("/toy/balance/1", headers={KEY_HEADER: "team-key"}).status_code == 200


def test_openapi_and_the_console_list_it(toy_app):
    client = toy_app.test_client()
    document = client.get("/__sandbox/openapi.json").json
    balance = document["paths"]["/toy/balance/{account}"]["get"]
    assert balance["operationId"] == "toy_balance" and balance["tags"] == ["toy"]
    assert balance["security"] == [{"toyKey": []}]
    assert document["components"]["securitySchemes"]["toyKey"]["name"] == KEY_HEADER
    transfer = document["paths"]["/toy/transfer"]["post"]
    assert transfer["requestBody"]["content"]["application/json"]["example"] == {
        "from": "1", "amount": 5}
    assert "201" in transfer["responses"] and "401" in transfer["responses"]
    page = client.get("/__sandbox/").get_data(as_text=True)
    data = json.loads(re.search(r'<script id="sandbox-data" type="application/json">(.*?)</script>',
                                page, re.S).group(1))
    routes = {route["name"]: route for route in data["routes"]}
    assert routes["toy_transfer"]["headers"] == KEY
    assert routes["toy_transfer"]["auth_label"] == "API key"
    assert {"title": "Toy bank (/toy)", "note": f"{KEY_HEADER} on every route",
            "lines": [f"{KEY_HEADER}: toy-key"]} in data["credentials"]
    assert data["fixtures"][ACCOUNTS] == 1


def test_the_journal_keeps_its_requests_with_its_secret_masked(toy_app):
    client = toy_app.test_client()
    client.get("/toy/balance/1", headers=KEY)
    entry = client.get("/__sandbox/requests").json["requests"][0]
    assert entry["path"] == "/toy/balance/1" and entry["status"] == 200
    assert entry["headers"]["X-Toy-Key"] == "****"


def test_cors_preflights_allow_its_headers(toy_app):
    response = toy_app.test_client().options("/toy/transfer", headers={
        "Origin": "http://app.local", "Access-Control-Request-Method": "POST"})
    assert KEY_HEADER in response.headers["Access-Control-Allow-Headers"]


def test_scenarios_name_its_routes_and_templates_see_its_records(tmp_path):
    write(tmp_path, "toy.yaml", """\
        scenarios:
          - name: toy-rich
            description: Every account is rich
            routes: [toy_balance]
            response:
              body: {account: "{{ customer.account }}", balance: 1000000}
        """)
    client = create_app(make_config(scenarios=(str(tmp_path),)), families=WITH_TOY).test_client()
    response = client.get("/toy/balance/1", headers={**KEY, "X-Sandbox-Scenario": "toy-rich"})
    assert response.json == {"account": "1", "balance": 1000000}


def test_sandbox_check_knows_its_routes(tmp_path):
    write(tmp_path, "toy.yaml", """\
        scenarios:
          - name: toy-down
            description: The toy bank is down
            routes: [toy_balance, toy_transfer]
            response: {status: 503, message: down}
        """)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli(["check", str(tmp_path)], families=WITH_TOY) == 0
    assert out.getvalue().startswith("ok:")
    with redirect_stdout(io.StringIO()):
        assert cli(["check", str(tmp_path)]) == 1  # without the family, its routes are unknown
    write(tmp_path, "toy.yaml", """\
        scenarios:
          - name: toy-coded
            description: A catalog code on a family with no catalog
            routes: [toy_balance]
            response: {error: "50628"}
        """)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli(["check", str(tmp_path)], families=WITH_TOY) == 1
    assert "toy_balance has none" in out.getvalue()


# -- generic modules name no family --------------------------------------------------------------
SANDBOX = Path(__file__).resolve().parent.parent / "sandbox"
GENERIC = sorted([*SANDBOX.glob("*.py"), *(SANDBOX / "scenarios").glob("*.py"),
                  *(SANDBOX / "admin").glob("*.py")])
# `(?<!async)`: waitress's `asyncore_*` adjustments name no family.
FAMILY_WORDS = re.compile(r"bcs|cooperative|(?<!asyn)core_|cliente", re.I)


def code_tokens(path: Path):
    """Names and string literals, without comments and docstrings (which may name examples)."""
    previous = tokenize.INDENT
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            docstring = token.type == tokenize.STRING and previous in (
                tokenize.INDENT, tokenize.NEWLINE, tokenize.NL, tokenize.DEDENT, tokenize.ENCODING)
            if token.type in (tokenize.NAME, tokenize.STRING) and not docstring:
                yield token
            if token.type not in (tokenize.COMMENT, tokenize.NL):
                previous = token.type


@pytest.mark.parametrize("path", GENERIC, ids=lambda p: str(p.relative_to(SANDBOX)))
def test_a_generic_module_names_no_family(path):
    found = [(token.start[0], token.string) for token in code_tokens(path)
             if FAMILY_WORDS.search(token.string)]
    assert not found, f"{path.name} names a family: {found}"
