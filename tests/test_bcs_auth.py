"""BCS credentials on every BCS route: both header sets of seed 004, 401 code 1004 when one is
missing, 403 code 1005 when one is wrong, in the route's own envelope; and the envelope of the
errors the pipeline raises itself (malformed JSON, wrong content type, method, size)."""
from __future__ import annotations

import flask
import pytest
import requests

from sandbox.errors import json_response
from sandbox.http import read_json
from sandbox.registry import Operation

from .conftest import BCS_HEADERS, LiveServer

BASE = "/api/customersManagement/v1"
UNDERSCORE_HEADERS = {"client_id": "sandbox-client", "client_secret": "sandbox-secret",
                      "Authorization": "Bearer abc"}
PROBE = BASE + "/__probe"


def with_probe(app):
    """The app with one BCS route that echoes its JSON body (or {} on GET), documented with
    responseType ER500, so the tests do not depend on any one route's rules."""
    def view():
        return json_response(read_json(flask.request) if flask.request.method == "POST" else {})

    app.extensions["sandbox"].add_operation(app, Operation(
        "probe", "bcs", "GET", PROBE, meta={"response_type": "ER500"}), view)
    app.add_url_rule(PROBE, endpoint="probe", view_func=view, methods=["GET", "POST"])
    return app


@pytest.fixture
def probe_app(app):
    return with_probe(app)


@pytest.fixture
def probe(probe_app):
    return probe_app.test_client()


def test_security_headers_are_accepted(probe):
    assert probe.get(PROBE, headers=BCS_HEADERS).status_code == 200


def test_client_id_headers_with_bearer_are_accepted(probe):
    assert probe.get(PROBE, headers=UNDERSCORE_HEADERS).status_code == 200


def test_the_seeds_barear_spelling_is_accepted(probe):
    headers = {**UNDERSCORE_HEADERS, "Authorization": "Barear 2312323"}
    assert probe.get(PROBE, headers=headers).status_code == 200


def _without(headers: dict, name: str) -> dict:
    return {k: v for k, v in headers.items() if k != name}


@pytest.mark.parametrize("headers", [
    {},
    _without(BCS_HEADERS, "X-Security-ClientID"),
    _without(BCS_HEADERS, "X-Security-ClientSecret"),
    _without(BCS_HEADERS, "X-Security-Token"),
    {**BCS_HEADERS, "X-Security-Token": ""},
    _without(UNDERSCORE_HEADERS, "client_id"),
    _without(UNDERSCORE_HEADERS, "client_secret"),
    _without(UNDERSCORE_HEADERS, "Authorization"),
    {**UNDERSCORE_HEADERS, "Authorization": "Bearer "},
    {**UNDERSCORE_HEADERS, "Authorization": "Basic c2FuZGJveDpzYW5kYm94"},
])
def test_missing_credentials_answer_1004(probe, headers):
    response = probe.get(PROBE, headers=headers)
    assert response.status_code == 401
    assert response.json["responseType"] == {"value": "ER500"}
    detail = response.json["responseDetail"]
    assert (detail["errorCode"], detail["errorType"]) == ("1004", "BDA")
    assert detail["errorDesc"].startswith("UNATHORIZED (missing")


@pytest.mark.parametrize("headers", [
    {**BCS_HEADERS, "X-Security-ClientID": "someone-else"},
    {**BCS_HEADERS, "X-Security-ClientSecret": "guess"},
    {**UNDERSCORE_HEADERS, "client_id": "sandbox-clien"},
    {**UNDERSCORE_HEADERS, "client_secret": "sandbox-secret2"},
])
def test_wrong_credentials_answer_1005(probe, headers):
    response = probe.get(PROBE, headers=headers)
    assert response.status_code == 403
    detail = response.json["responseDetail"]
    assert (detail["errorCode"], detail["errorType"]) == ("1005", "BDA")
    assert detail["errorDesc"] == "FORBIDDEN (wrong client id or client secret)"


def test_configured_credentials_replace_the_defaults():
    from sandbox import create_app
    from .conftest import make_config
    app = with_probe(create_app(make_config(bcs_client_id="team-a", bcs_client_secret="s3cret")))
    client = app.test_client()
    assert client.get(PROBE, headers=BCS_HEADERS).status_code == 403
    headers = {"X-Security-ClientID": "team-a", "X-Security-ClientSecret": "s3cret",
               "X-Security-Token": "t"}
    assert client.get(PROBE, headers=headers).status_code == 200


def test_invoker_headers_are_accepted_and_journaled(probe):
    headers = {**BCS_HEADERS, "X-Invoker-Channel": "13", "X-Invoker-User": "NEWCBSER",
               "X-Invoker-TxId": "APIF4087320000000001"}
    assert probe.get(PROBE, headers=headers).status_code == 200
    entry = probe.get("/__sandbox/requests").json["requests"][0]
    names = {name.lower() for name in entry["headers"]}
    assert {"x-invoker-channel", "x-invoker-user", "x-invoker-txid"} <= names


def test_client_id_headers_cross_a_real_socket(probe_app):
    """waitress drops header names with underscores; the sandbox's parser keeps them."""
    with LiveServer(probe_app) as server:
        served = requests.get(server.url + PROBE, headers=UNDERSCORE_HEADERS, timeout=5)
        denied = requests.get(server.url + PROBE, timeout=5,
                              headers={**UNDERSCORE_HEADERS, "client_secret": "wrong"})
        missing = requests.get(server.url + PROBE, timeout=5,
                               headers=_without(UNDERSCORE_HEADERS, "client_id"))
    assert served.status_code == 200, served.text
    assert denied.status_code == 403
    assert missing.status_code == 401


# -- the generic statuses the pipeline raises, on a BCS route -------------------------------------
@pytest.mark.parametrize("kwargs, status", [
    ({"data": "{not json", "content_type": "application/json"}, 400),
    ({"data": "x=1", "content_type": "text/plain"}, 415),
    ({"data": "[1]", "content_type": "application/json"}, 400),
    ({"data": "x" * (1024 * 1024 + 10), "content_type": "application/json"}, 413),
])
def test_pipeline_errors_get_a_catalog_row(probe, kwargs, status):
    response = probe.post(PROBE, headers=BCS_HEADERS, **kwargs)
    assert response.status_code == status
    assert response.json["responseType"] == {"value": "ER500"}
    detail = response.json["responseDetail"]
    assert (detail["errorCode"], detail["errorType"]) == ("1", "BDA")
    assert detail["errorDesc"].startswith("BAD REQUEST. (")


def test_wrong_method_answers_in_the_bcs_envelope(probe):
    response = probe.delete(PROBE, headers=BCS_HEADERS)
    assert response.status_code == 405
    assert response.json["responseDetail"]["errorCode"] == "1"


def test_a_crash_answers_500_without_a_traceback(probe_app):
    def boom():
        raise RuntimeError("secret internals")

    probe_app.extensions["sandbox"].add_operation(probe_app, Operation(
        "boom", "bcs", "GET", PROBE + "/boom"), boom)
    response = probe_app.test_client().get(PROBE + "/boom", headers=BCS_HEADERS)
    assert response.status_code == 500
    assert response.json["responseType"] == {"value": "ER"}
    detail = response.json["responseDetail"]
    assert (detail["errorCode"], detail["errorType"]) == ("500", "BDA")
    assert "secret internals" not in response.get_data(as_text=True)
