"""What crosses the wire: a real waitress server (thread or process) on a free loopback port."""
import json
import signal

import requests
from flask import request

from sandbox import create_app
from sandbox.config import Config
from sandbox.errors import json_response
from sandbox.http import read_json
from sandbox.registry import Operation
from tests.conftest import LiveServer, ServerProcess, make_config


def probe_app():
    """The real app plus one operation that echoes what it received."""
    app = create_app(make_config())
    sandbox = app.extensions["sandbox"]

    def echo():
        body = read_json(request) if request.method == "POST" else None
        return json_response({"client_id": request.headers.get("client_id"),
                              "client_secret": request.headers.get("client_secret"),
                              "body_keys": sorted(body) if body else []})

    sandbox.add_operation(app, Operation("echo", "default", "GET", "/echo"), echo)
    sandbox.add_operation(app, Operation("echo_post", "default", "POST", "/echo-post"), echo)
    return app


def test_underscore_headers_reach_the_app_over_a_real_socket():
    with LiveServer(probe_app()) as server:
        answer = requests.get(server.url + "/echo",
                              headers={"client_id": "abc", "client_secret": "s3cret"}).json()
    assert answer["client_id"] == "abc" and answer["client_secret"] == "s3cret"


def test_a_dashed_header_is_never_overwritten_by_its_underscore_twin():
    with LiveServer(probe_app()) as server:
        answer = requests.get(server.url + "/echo",
                              headers={"client-id": "dashed", "client_id": "underscore"}).json()
    assert answer["client_id"] == "dashed"


def test_body_over_one_mebibyte_gets_413_over_the_wire():
    with LiveServer(probe_app()) as server:
        big = json.dumps({"filler": "x" * (1024 * 1024 + 10)})
        response = requests.post(server.url + "/echo-post", data=big,
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["message"]


def test_sigterm_stops_cleanly_and_stdout_has_one_json_line_per_request(tmp_path):
    server = ServerProcess("--state", str(tmp_path / "state.db")).start()
    for _ in range(3):
        requests.get(server.url + "/nowhere")
    output = server.stop(signal.SIGTERM)
    assert server.proc.returncode == 0
    assert server.url in output and "sandbox / sandbox" in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    misses = [line for line in lines if line.get("path") == "/nowhere"]
    assert len(misses) == 3
    assert all(line["status"] == 404 and len(line["request_id"]) == 16 for line in misses)


def test_settings_come_from_environment_and_flags_win():
    env = {"SANDBOX_PORT": "9999", "SANDBOX_STATE": "/tmp/x.db", "SANDBOX_SEED": "7",
           "SANDBOX_SCENARIOS": "/a:/b"}
    config = Config.from_env(env, port=8088)
    assert (config.port, config.state, config.seed, config.scenarios) == (8088, "/tmp/x.db", 7,
                                                                          ("/a", "/b"))
