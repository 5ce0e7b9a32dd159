"""What crosses the wire: a real waitress server (thread or process) on a free loopback port."""
import json
import signal
import socket
import threading
import time

import pytest
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

    def which_thread():
        return json_response({"thread": threading.current_thread().name,
                              "n": request.args.get("n")})

    sandbox.add_operation(app, Operation("echo", "default", "GET", "/echo"), echo)
    sandbox.add_operation(app, Operation("which_thread", "default", "GET", "/thread"),
                          which_thread)
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


# -- where a request is answered: the loop's own thread, or a worker (server.LoopDispatcher) --
@pytest.fixture(scope="module")
def probe_server():
    with LiveServer(probe_app()) as live:
        yield live


def answered_on(server, **headers) -> str:
    return requests.get(f"{server.url}/thread", headers=headers, timeout=10).json()["thread"]


def test_a_plain_request_is_answered_on_the_loop_and_one_that_may_wait_on_a_worker(probe_server):
    assert not answered_on(probe_server).startswith("waitress-")
    assert answered_on(probe_server, **{"X-Sandbox-Delay": "0"}).startswith("waitress-")


@pytest.mark.parametrize("path, headers, at_once", [
    ("/cliente", {}, True),
    ("/cliente", {"X-Sandbox-Delay": "0"}, False),
    ("/cliente", {"X-Sandbox-Scenario": "anything"}, False),
    ("/__sandbox/reset", {}, False),
    ("/cliente", {"X-Sandbox-Session": "other"}, True),
])
def test_the_rule_for_answering_at_once(app, path, headers, at_once):
    assert app.extensions["sandbox"].answers_at_once(path, headers.get) is at_once


def test_an_active_scenario_sends_its_session_to_the_workers(app):
    sandbox = app.extensions["sandbox"]
    name = sandbox.scenarios.all()[0].name
    sandbox.scenarios.activate("demo", name)
    assert not sandbox.answers_at_once("/cliente", {"X-Sandbox-Session": "demo"}.get)
    assert sandbox.answers_at_once("/cliente", {}.get)  # the default session has none


@pytest.mark.xdist_group("timing")
def test_a_sleeping_request_does_not_hold_up_plain_ones(probe_server):
    slow = threading.Thread(target=answered_on, args=(probe_server,),
                            kwargs={"X-Sandbox-Delay": "1500"})
    slow.start()
    time.sleep(0.2)
    began = time.monotonic()
    for _ in range(5):
        answered_on(probe_server)
    assert time.monotonic() - began < 1.0
    slow.join()


def test_pipelined_requests_are_answered_in_order_across_loop_and_workers(probe_server):
    def ask(n, delay=None):
        extra = f"X-Sandbox-Delay: {delay}\r\n" if delay is not None else ""
        return f"GET /thread?n={n} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()

    with socket.create_connection(("127.0.0.1", probe_server.server.effective_port)) as sock:
        sock.sendall(ask(1) + ask(2, delay=200) + ask(3) + ask(4))
        sock.settimeout(10)
        answers = read_responses(sock, 4)
    assert [body["n"] for body in answers] == ["1", "2", "3", "4"]
    assert answers[1]["thread"].startswith("waitress-")


def read_responses(sock, count: int) -> list[dict]:
    data, answers = b"", []
    while len(answers) < count:
        head, separator, rest = data.partition(b"\r\n\r\n")
        length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:")]
        if separator and length and len(rest) >= length[0]:
            answers.append(json.loads(rest[:length[0]]))
            data = rest[length[0]:]
            continue
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    return answers


@pytest.mark.parametrize("raw", [b"GARBAGE\r\n\r\n", b"GET /x HTTP/1.1\r\nBad Header\r\n\r\n"])
def test_an_unparseable_request_gets_400_and_the_server_goes_on(probe_server, raw):
    with socket.create_connection(("127.0.0.1", probe_server.server.effective_port)) as sock:
        sock.settimeout(10)
        sock.sendall(raw)
        assert b" 400 Bad Request\r\n" in sock.recv(65536).split(b"\r\n")[0] + b"\r\n"
    assert requests.get(f"{probe_server.url}/__sandbox/health", timeout=10).status_code == 200


@pytest.mark.xdist_group("timing")
def test_the_default_workers_let_many_delayed_requests_wait_at_once():
    from concurrent.futures import ThreadPoolExecutor
    member = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
    with ServerProcess("--quiet") as server:
        def slow(_):
            return requests.post(server.url + "/cliente", json=member, timeout=30,
                                 headers={"X-Sandbox-Delay": "1000"}).status_code
        began = time.monotonic()
        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(slow, range(12)))
        # 12 waits of 1 s side by side; four workers would take 3 s, and a loaded CI
        # machine gets 1.4 s of slack.
        assert statuses == [200] * 12 and time.monotonic() - began < 2.4


def test_a_stop_signal_raises_nothing_and_a_second_one_cuts_the_drain_short():
    # Raised where it lands (in the middle of an answer on the loop, or of waitress's own
    # bookkeeping), an exception could leave a write rule or a connection half done: the
    # handler only asks, and wakes the loop without the trigger's lock.
    from sandbox.server import Stop
    pulled = []

    class Server:
        class trigger:
            @staticmethod
            def _physical_pull():
                pulled.append(True)

    stop = Stop(Server())
    stop(signal.SIGTERM, None)
    assert (stop.requested, stop.forced, len(pulled)) == (True, False, 1)
    stop(signal.SIGINT, None)
    assert (stop.requested, stop.forced, len(pulled)) == (True, True, 2)


def test_stopping_a_server_in_a_thread_holds_when_the_loop_closes_the_trigger_first():
    # A worker's wake-up byte already in the pipe lets the loop run the closing thunk between
    # its append and the stopper's own write, which then meets a closed pipe (CI saw it once in
    # ~1,700 tests): the stop is done, not failed.
    import os
    from sandbox.server import make_server, stop_in_thread
    server = make_server(create_app(make_config()), "127.0.0.1", 0, threads=1)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    trigger, write_after_the_loop = server.trigger, server.trigger._physical_pull

    def worker_byte_first():
        os.write(trigger.trigger, b"x")  # the worker's byte: the loop wakes and runs the thunk
        deadline = time.monotonic() + 5
        while not trigger._closed and time.monotonic() < deadline:
            time.sleep(0.01)
        write_after_the_loop()  # the stopper's write, onto the closed pipe

    trigger._physical_pull = worker_byte_first
    stop_in_thread(server, thread)
    assert trigger._closed and not thread.is_alive() and not server._map


def test_a_stdout_nobody_reads_stalls_no_request_and_loses_no_line():
    # ServerProcess's stdout is a pipe read only at stop: 1,500 log lines are ~5 times what the
    # pipe holds. The writer thread waits on it; requests never do.
    member = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
    with ServerProcess() as server:
        with requests.Session() as session:
            statuses = [session.post(server.url + "/cliente", json=member, timeout=5).status_code
                        for _ in range(1500)]
        output = server.stop()
    assert statuses == [200] * 1500
    lines = [json.loads(line) for line in output.splitlines()]
    assert sum(line.get("path") == "/cliente" for line in lines) == 1500
    assert lines[0]["event"] == "serving"


def test_lines_past_the_bound_while_stdout_takes_nothing_are_dropped_and_said(monkeypatch):
    from sandbox import logs
    logs.flush_stdout()
    taking = threading.Event()
    written = []

    class StuckStdout:
        def write(self, text):
            taking.wait(10)
            written.append(text)

        def flush(self):
            pass

    monkeypatch.setattr("sys.stdout", StuckStdout())
    monkeypatch.setattr(logs, "MAX_PENDING", logs.PENDING_LINES * 2)
    writer = logs.start_writer(60)
    try:
        for n in range(logs.PENDING_LINES * 4):  # the first full list sticks in write()
            logs.log_line({"level": "info", "n": n})
        logs.log_line({"level": "error", "n": "urgent"})  # never dropped
    finally:
        taking.set()
        writer.stop()
    lines = [json.loads(line) for text in written for line in text.splitlines()]
    dropped = [line for line in lines if line.get("event") == "log_lines_dropped"]
    numbers = [line["n"] for line in lines if "n" in line]
    assert len(dropped) == 1 and dropped[0]["level"] == "warning"
    assert len(numbers) + dropped[0]["count"] == logs.PENDING_LINES * 4 + 1
    assert numbers[-1] == "urgent" and numbers[:-1] == sorted(numbers[:-1])
