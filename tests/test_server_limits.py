"""Clients that stop the sandbox (issue 10): idle and trickling connections, delayed requests,
a stop signal in the middle of answers. Each through a real server on a loopback port; every
loop is bounded in count and time."""
from __future__ import annotations

import json
import signal
import socket
import threading
import time

import pytest
import requests

from sandbox import cli, create_app
from sandbox.config import Config
from sandbox.scenarios.loader import MAX_DELAY_MS
from sandbox.server import RESERVED_FDS, fit_connections, make_server
from tests.conftest import CORE_AUTH, LiveServer, ServerProcess, make_config
from tests.scenario_kit import build_app, write

MEMBER = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
MEMBER_JSON = json.dumps(MEMBER)


def connect(server, count: int, send: bytes = b"") -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.server.effective_port), timeout=5)
        if send:
            sock.sendall(send)
        socks.append(sock)
    return socks


def close_all(socks) -> None:
    for sock in socks:
        sock.close()


def closed_by_server(sock, within: float) -> bool:
    """Whether the server closes `sock` within `within` seconds (EOF or a reset on read)."""
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


# -- settings -----------------------------------------------------------------------------------
def test_the_limits_have_defaults_that_hold_a_team_and_the_longest_delay():
    config = Config()
    assert (config.connection_limit, config.idle_timeout) == (1000, 30)
    assert config.shutdown_timeout > MAX_DELAY_MS / 1000


def test_the_limits_come_from_the_environment_and_the_flags_win():
    env = {"SANDBOX_CONNECTION_LIMIT": "50", "SANDBOX_IDLE_TIMEOUT": "5",
           "SANDBOX_SHUTDOWN_TIMEOUT": "2.5"}
    config = Config.from_env(env)
    assert (config.connection_limit, config.idle_timeout, config.shutdown_timeout) == (50, 5, 2.5)
    serve = cli.build(()).commands["serve"]
    args = serve.make_context("serve", ["--connection-limit", "70", "--idle-timeout", "9",
                                        "--shutdown-timeout", "1.5"]).params
    assert [args[name] for name in ("connection_limit", "idle_timeout",
                                    "shutdown_timeout")] == [70, 9, 1.5]


def test_waitress_is_given_the_configured_limits():
    app = create_app(make_config(connection_limit=123, idle_timeout=7))
    server = make_server(app, "127.0.0.1", 0, threads=1)
    try:
        assert (server.adj.connection_limit, server.adj.channel_timeout) == (123, 7)
        assert server.adj.asyncore_use_poll  # select() takes no descriptor over 1023
    finally:
        server.close()
        server.task_dispatcher.shutdown()


@pytest.mark.parametrize("flag, value", [("--connection-limit", "0"), ("--idle-timeout", "0"),
                                         ("--shutdown-timeout", "-1")])
def test_a_limit_the_server_cannot_run_with_is_refused_at_start(capsys, flag, value):
    assert cli.main(["serve", flag, value]) == 2
    assert flag in capsys.readouterr().err


@pytest.mark.parametrize("wanted, soft, hard, expected", [
    (1000, 20000, 20000, (20000, 1000)),             # room enough: nothing changes
    (1000, 1024, 4096, (1000 + RESERVED_FDS, 1000)),  # the soft limit is raised
    (1000, 256, 512, (512, 512 - RESERVED_FDS)),      # the hard limit caps the connections
])
def test_the_connection_limit_fits_the_file_descriptor_limit(wanted, soft, hard, expected):
    assert fit_connections(wanted, soft, hard) == expected


# -- idle and trickling clients -------------------------------------------------------------------
def test_two_hundred_idle_or_trickling_connections_do_not_stop_a_normal_request():
    # waitress's own limit, 100, let them lock every other client out for minutes.
    with LiveServer(create_app(make_config())) as server:
        idle = connect(server, 100)
        trickling = connect(server, 100, send=b"GET /cliente HTTP/1.1\r\nHo")
        try:
            time.sleep(0.3)
            began = time.monotonic()
            health = requests.get(server.url + "/__sandbox/health", timeout=5)
            member = requests.post(server.url + "/cliente", json=MEMBER, timeout=5)
            assert (health.status_code, member.status_code) == (200, 200)
            assert time.monotonic() - began < 2
        finally:
            close_all(idle + trickling)


def test_the_idle_timeout_frees_the_connections_idle_clients_hold():
    with LiveServer(create_app(make_config(connection_limit=20, idle_timeout=1))) as server:
        idle = connect(server, 20)
        try:
            # Every slot is held; the request waits in the backlog until the idle ones are cut.
            began = time.monotonic()
            assert requests.get(server.url + "/__sandbox/health", timeout=10).status_code == 200
            assert 0.5 < time.monotonic() - began < 5
            assert all(closed_by_server(sock, 5) for sock in idle)
        finally:
            close_all(idle)


def test_a_client_trickling_its_request_is_closed_after_the_idle_timeout():
    with LiveServer(create_app(make_config(idle_timeout=1))) as server:
        [sock] = connect(server, 1, send=b"GET /cliente HTTP/1.1\r\n")
        try:
            began, cut = time.monotonic(), False
            for n in range(50):  # a header byte every 0.1 s: never idle, never done
                try:
                    sock.sendall(b"X-Slow: %d\r\n" % n if n % 2 else b"X")
                except OSError:
                    cut = True
                    break
                if closed_by_server(sock, 0.1):
                    cut = True
                    break
            assert cut and time.monotonic() - began < 4.5
        finally:
            sock.close()


def test_a_request_waiting_out_its_delay_is_not_cut_by_the_idle_timeout():
    with LiveServer(create_app(make_config(idle_timeout=1))) as server:
        response = requests.post(server.url + "/cliente", json=MEMBER, timeout=10,
                                 headers={"X-Sandbox-Delay": "2500"})
    assert response.status_code == 200 and response.elapsed.total_seconds() >= 2.5


# -- delayed requests hold no thread ------------------------------------------------------------
SCENARIOS = """
scenarios:
  - name: slow-show
    description: Two seconds, then the route
    routes: [test_core_show]
    response: {delay_ms: 2000}
  - name: at-once
    description: Answers at once
    routes: [test_core_show]
    response: {status: 200, body: {at_once: true}}
  - name: slow-match
    description: Matches the body, waits, answers
    routes: [test_core_create]
    match:
      body: {number: "77"}
    response: {status: 202, body: {matched: "{{ request.body.number }}"}, delay_ms: 300}
"""


@pytest.fixture
def kit_server(monkeypatch, tmp_path):
    write(tmp_path, "waits.yaml", SCENARIOS)
    with LiveServer(build_app(monkeypatch, tmp_path), threads=2) as live:
        yield live


def raw_request(method: str, path: str, headers: dict, body: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: x", *(f"{k}: {v}" for k, v in headers.items())]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def read_answer(sock, deadline: float) -> tuple[int, dict, bytes]:
    """(status, headers by lower-case name, body) of one answer with a Content-Length."""
    data = b""
    while True:
        head, separator, rest = data.partition(b"\r\n\r\n")
        if separator:
            lines = head.decode("latin-1").split("\r\n")
            headers = dict((k.strip().lower(), v.strip()) for k, v in
                           (line.split(":", 1) for line in lines[1:]))
            length = int(headers.get("content-length", 0))
            if len(rest) >= length:
                return int(lines[0].split()[1]), headers, rest[:length]
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer in time")
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk


def timed(call) -> float:
    began = time.monotonic()
    call()
    return time.monotonic() - began


def test_a_hundred_delayed_requests_hold_no_thread_and_health_and_admin_answer_meanwhile(
        kit_server):
    # Two workers; waits that held a thread each would take 100 / 2 x 2 s to drain, and the
    # admin API would wait behind them.
    header_delay = raw_request("POST", "/cliente", {"X-Sandbox-Delay": "2000"}, MEMBER_JSON)
    scenario_delay = raw_request("GET", "/test/core/9046",
                                 {**CORE_AUTH, "X-Sandbox-Scenario": "slow-show"})
    began = time.monotonic()
    socks = connect(kit_server, 50, send=header_delay) + connect(kit_server, 50,
                                                                 send=scenario_delay)
    try:
        time.sleep(0.3)
        url = kit_server.url
        meanwhile = [
            timed(lambda: requests.get(url + "/__sandbox/health", timeout=5).raise_for_status()),
            timed(lambda: requests.post(url + "/__sandbox/reset", timeout=5).raise_for_status()),
            timed(lambda: requests.get(url + "/__sandbox/requests", timeout=5).raise_for_status()),
            timed(lambda: requests.get(url + "/test/core/9046", timeout=5, headers={
                **CORE_AUTH, "X-Sandbox-Scenario": "at-once"}).raise_for_status()),
        ]
        assert max(meanwhile) < 1.0, meanwhile
        answers = [read_answer(sock, began + 10) for sock in socks]
        finished = time.monotonic() - began
    finally:
        close_all(socks)
    assert [status for status, _, _ in answers] == [200] * 100
    assert {h["x-sandbox-answered-by"] for _, h, _ in answers[50:]} == {"scenario:slow-show"}
    assert json.loads(answers[-1][2])["name"] == "FIXTURE"  # the route answered after the wait
    assert 2.0 <= finished < 6.0


def test_the_credentials_and_the_delay_header_are_checked_before_any_wait(kit_server):
    refused = requests.get(kit_server.url + "/test/core/9046", timeout=5,
                           headers={"X-Sandbox-Delay": "3000"})
    bad = requests.get(kit_server.url + "/test/core/9046", timeout=5,
                       headers={**CORE_AUTH, "X-Sandbox-Delay": "soon"})
    assert refused.status_code == 401 and refused.elapsed.total_seconds() < 1
    assert bad.status_code == 400 and bad.elapsed.total_seconds() < 1


def test_a_delayed_request_is_answered_by_what_is_chosen_once_its_delay_is_over(kit_server):
    session = {"X-Sandbox-Session": "late-choice"}
    answer = {}

    def ask():
        answer["r"] = requests.get(kit_server.url + "/test/core/9046", timeout=10,
                                   headers={**CORE_AUTH, **session, "X-Sandbox-Delay": "1500"})

    asking = threading.Thread(target=ask)
    asking.start()
    time.sleep(0.4)  # parked: the scenario activated now is the one that answers
    put = requests.put(kit_server.url + "/__sandbox/scenarios/active", json={"name": "at-once"},
                       headers=session, timeout=5)
    asking.join(timeout=10)
    assert put.status_code == 200
    assert answer["r"].json() == {"at_once": True}
    assert answer["r"].headers["X-Sandbox-Answered-By"] == "scenario:at-once"


def test_a_parked_request_reads_its_body_again_and_is_journaled_once_with_its_wait(kit_server):
    session = {"X-Sandbox-Session": "body-again"}
    requests.put(kit_server.url + "/__sandbox/scenarios/active", json={"name": "slow-match"},
                 headers=session, timeout=5).raise_for_status()
    # The match reads the body, the scenario parks (300 ms) and the header's delay came first
    # (400 ms): the run that answers matches the same body again.
    response = requests.post(kit_server.url + "/test/core", json={"number": "77"}, timeout=10,
                             headers={**CORE_AUTH, **session, "X-Sandbox-Delay": "400"})
    assert (response.status_code, response.json()) == (202, {"matched": "77"})
    assert response.elapsed.total_seconds() >= 0.7
    journal = requests.get(kit_server.url + "/__sandbox/requests", headers=session,
                           timeout=5).json()["requests"]
    assert [(entry["path"], entry["status"]) for entry in journal] == [("/test/core", 202)]
    assert journal[0]["duration_ms"] >= 700


# -- a stop lets the answers in progress finish -------------------------------------------------
def delayed_post(server, millis: int, answer: dict) -> threading.Thread:
    def ask():
        began = time.monotonic()
        try:
            response = requests.post(server.url + "/cliente", json=MEMBER, timeout=30,
                                     headers={"X-Sandbox-Delay": str(millis)})
            answer["status"] = response.status_code
        except requests.RequestException as exc:
            answer["status"] = type(exc).__name__
        answer["after"] = time.monotonic() - began

    asking = threading.Thread(target=ask)
    asking.start()
    time.sleep(0.5)  # received and parked
    return asking


def events(output: str) -> list[str]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line["event"] for line in lines if "event" in line]


def test_a_delayed_request_in_flight_at_sigterm_still_gets_its_answer():
    # Six seconds: waitress alone gave the workers five, then cut the answer.
    server = ServerProcess("--quiet").start()
    try:
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)  # keep-alive
        answer = {}
        asking = delayed_post(server, 6000, answer)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises(requests.ConnectionError):  # no new connections while it drains
            requests.get(server.url + "/__sandbox/health", timeout=2)
        assert closed_by_server(idle, 2)  # an idle connection does not hold the stop up
        asking.join(timeout=20)
        answered = time.monotonic()
        output, _ = server.proc.communicate(timeout=20)
        assert answer["status"] == 200 and answer["after"] >= 6
        assert server.proc.returncode == 0 and time.monotonic() - answered < 3
        assert events(output) == ["serving", "stopping"]
    finally:
        idle.close()
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.communicate(timeout=10)


@pytest.mark.parametrize("args, second_signal", [(("--shutdown-timeout", "1"), None),
                                                 ((), signal.SIGINT)])
def test_the_shutdown_timeout_or_a_second_signal_cuts_what_still_waits(args, second_signal):
    with ServerProcess("--quiet", *args) as server:
        answer = {}
        asking = delayed_post(server, 20000, answer)
        stopped = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        if second_signal:
            time.sleep(0.3)
            server.proc.send_signal(second_signal)
        output, _ = server.proc.communicate(timeout=20)
        asking.join(timeout=20)
    assert server.proc.returncode == 0 and time.monotonic() - stopped < 4
    assert answer["status"] == "ConnectionError"
    assert events(output)[-1] == "answers_cut"
