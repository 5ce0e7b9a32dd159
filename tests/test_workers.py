"""`sandbox serve --workers N`: real processes, one port, a master that restarts and stops them."""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.conftest import ServerProcess
from tests.redis_support import redis_server  # noqa: F401 (a fixture)

CLIENTE = {"tipo_documento_id": 1, "tipo_documento": "curp", "numero_documento": 25326461}
pytestmark = pytest.mark.xdist_group("timing")


def serve(tmp_path, *args):
    # --quiet: ServerProcess reads the output only at the end, and hundreds of request lines
    # would fill the pipe, and then block the workers' writes (and the requests behind them).
    return ServerProcess("--state", str(tmp_path / "state.db"), "--workers", "2", "--quiet",
                         *args)


def pid_of(url, connection=requests):
    return connection.get(url + "/__sandbox/health", timeout=5).json()["pid"]


def pids_answering(url, wanted=2, within=30.0) -> set:
    """The pids seen over new connections, until `wanted` differ (each connection goes to the
    worker that accepts it). The port answers once one worker serves: the other may still be
    building its app, on a machine the other test worker loads too."""
    seen = set()
    deadline = time.monotonic() + within
    while len(seen) < wanted and time.monotonic() < deadline:
        seen.add(pid_of(url))
    return seen


def connection_per_worker(url, wanted=2) -> dict:
    """{pid: a keep-alive connection to that worker}: each request on it goes to that worker."""
    pids_answering(url, wanted)  # all serving
    by_pid = {}
    deadline = time.monotonic() + 30
    while len(by_pid) < wanted and time.monotonic() < deadline:
        connection = requests.Session()
        by_pid.setdefault(pid_of(url, connection), connection)
    assert len(by_pid) == wanted
    return by_pid


def children(pid) -> set:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return {int(p) for p in out.stdout.split()}


def alive(pid) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s: {check}")


def open_files(pid) -> list[str]:
    folder = f"/proc/{pid}/fd"
    names = []
    for fd in os.listdir(folder):
        try:
            names.append(os.readlink(os.path.join(folder, fd)))
        except OSError:
            pass
    return names


@pytest.mark.parametrize("state", [None, "memory"])
def test_memory_state_with_two_workers_is_refused_with_one_line(state):
    args = ["--state", state] if state else []
    done = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--workers", "2", *args],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--workers 2 needs a state the workers share" in lines[0]
    assert "--state PATH" in lines[0] and "redis://" in lines[0]
    assert done.stdout == ""


def test_zero_workers_is_refused(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--workers", "0",
                           "--state", str(tmp_path / "s.db")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "--workers must be at least 1, got 0" in done.stderr


def test_a_worker_that_cannot_start_stops_the_start(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--workers", "2",
                           "--state", str(tmp_path / "s.db"),
                           "--scenarios", str(tmp_path / "no-such-folder"), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "sandbox: cannot start:" in done.stderr
    assert "no-such-folder" in done.stderr


def test_two_workers_answer_on_one_port_from_two_processes(tmp_path):
    with serve(tmp_path) as server:
        pids = pids_answering(server.url)
        assert len(pids) == 2
        assert pids == children(server.proc.pid)  # both forked by the master, none is it
        answer = requests.post(server.url + "/cliente", json=CLIENTE, timeout=5)
        assert answer.status_code == 200 and answer.json()["data"]["es_socio"] == "1"
        output = server.stop()
    assert output.count('"event":"serving"') == 1 and '"workers":2' in output  # the banner, once
    assert output.count("sandbox serving on") == 1
    assert '"event":"workers_started"' in output


def test_the_master_never_opens_the_state_file_each_worker_does(tmp_path):
    with serve(tmp_path) as server:
        state = str(tmp_path / "state.db")
        workers = pids_answering(server.url)
        assert not [name for name in open_files(server.proc.pid) if name.startswith(state)]
        for pid in workers:
            assert state in open_files(pid)


def test_a_killed_worker_is_restarted_and_the_master_says_so(tmp_path):
    with serve(tmp_path) as server:
        before = pids_answering(server.url)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: len(children(server.proc.pid) - {victim}) == 2)
        after = pids_answering(server.url)
        assert len(after) == 2 and victim not in after
        assert before - {victim} < after
        output = server.stop()
    assert f'"event":"worker_died"' in output
    assert f"(pid {victim}) was killed by SIGKILL; restarting it" in output
    assert '"event":"worker_restarted"' in output


def test_sigterm_stops_every_worker_after_their_answers_in_progress(tmp_path):
    with serve(tmp_path) as server:
        workers = pids_answering(server.url)
        answers = []
        delayed = threading.Thread(target=lambda: answers.append(requests.post(
            server.url + "/cliente", json=CLIENTE, headers={"X-Sandbox-Delay": "3000"},
            timeout=15)))
        delayed.start()
        time.sleep(0.5)  # the request is in, parked for its delay
        began = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # the workers have closed the port; one is still draining
        assert server.proc.poll() is None
        with pytest.raises(requests.ConnectionError):  # refused, not left waiting (ReadTimeout)
            requests.get(server.url + "/__sandbox/health", timeout=1)
        assert server.proc.poll() is None and not answers
        output, _ = server.proc.communicate(timeout=20)
        delayed.join(timeout=15)
    assert server.proc.returncode == 0
    assert answers and answers[0].status_code == 200  # drained, not cut
    assert time.monotonic() - began >= 2
    assert not any(alive(pid) for pid in workers)
    assert '"event":"stopping"' in output and "answers_cut" not in output


def test_workers_die_with_a_master_killed_outright(tmp_path):
    with serve(tmp_path) as server:
        workers = pids_answering(server.url)
        server.proc.kill()
        server.proc.communicate(timeout=10)
        wait_until(lambda: not any(alive(pid) for pid in workers))


def test_metrics_add_up_every_workers_requests_dead_ones_too(tmp_path):
    with serve(tmp_path) as server:
        (first, a), (second, b) = sorted(connection_per_worker(server.url).items())
        for connection, times in ((a, 5), (b, 7)):
            for _ in range(times):
                assert connection.post(server.url + "/cliente", json=CLIENTE,
                                       timeout=5).status_code == 200

        def cliente_total(connection) -> float:
            text = connection.get(server.url + "/__sandbox/metrics", timeout=5).text
            line = next(line for line in text.splitlines() if line.startswith(
                'sandbox_requests_total{answered_by="route",operation="cliente",status="200"}'))
            return float(line.rsplit(" ", 1)[1])

        assert cliente_total(a) == 12 and cliente_total(b) == 12
        os.kill(first, signal.SIGKILL)
        a.close()
        wait_until(lambda: len(children(server.proc.pid) - {first}) == 2)
        assert cliente_total(b) == 12  # the dead worker's answers still count


def test_keep_alive_connections_spread_evenly_over_the_workers(tmp_path):
    with serve(tmp_path) as server:
        pids_answering(server.url)  # both serving
        connections = [requests.Session() for _ in range(24)]
        held = {}
        for connection in connections:  # opened one after another, all kept open
            pid = pid_of(server.url, connection)
            held[pid] = held.get(pid, 0) + 1
        assert len(held) == 2 and max(held.values()) - min(held.values()) <= 2, held
        for connection in connections:  # each connection stays with its worker
            assert pid_of(server.url, connection) in held
            connection.close()


def test_workers_start_and_share_their_journal_under_a_deep_tmpdir(tmp_path):
    # A Unix socket's path holds ~104 bytes: the journal's sockets go to /tmp then.
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    server = ServerProcess("--state", str(tmp_path / "state.db"), "--workers", "2", "--quiet",
                           env={"TMPDIR": str(deep)})
    with server:
        assert len(pids_answering(server.url)) == 2
        for _ in range(4):  # new connections: both workers answer some
            requests.post(server.url + "/cliente", json=CLIENTE, timeout=10)
        listed = requests.get(server.url + "/__sandbox/requests", timeout=10).json()
        assert len(listed["requests"]) == 4 and not listed.get("skipped_workers")


def test_on_redis_the_journal_gauges_are_redis_s_once_not_a_sum_of_the_workers(redis_server):
    redis_server.client().flushdb()
    with ServerProcess("--state", redis_server.url, "--workers", "2", "--quiet") as server:
        connections = connection_per_worker(server.url)
        for connection in connections.values():
            for _ in range(2):
                assert connection.post(server.url + "/cliente", json=CLIENTE,
                                       timeout=5).status_code == 200
        time.sleep(1.5)  # each worker has published what it reads of Redis's journal since

        def journal_entries(connection) -> float:
            text = connection.get(server.url + "/__sandbox/metrics", timeout=5).text
            line = next(line for line in text.splitlines()
                        if line.startswith("sandbox_journal_entries "))
            return float(line.rsplit(" ", 1)[1])

        assert [journal_entries(c) for c in connections.values()] == [4, 4]
