"""Shared fixtures: a fresh app and client per test, seed examples, and real servers."""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sandbox import create_app
from sandbox.config import Config

FIXTURES = Path(__file__).parent / "fixtures"
CORE_AUTH = {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox").decode()}
BCS_HEADERS = {"X-Security-ClientID": "sandbox-client", "X-Security-ClientSecret": "sandbox-secret",
               "X-Security-Token": "token-123"}
# Tests marked xdist_group("timing") assert how long a real server takes, or load one with many
# threads. The suite runs on two workers with --dist loadgroup (pyproject.toml), which runs a
# group's tests one after another on one worker: a burst of one never skews another's clock.


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On an xdist worker under --dist loadgroup, xdist puts "@group" in the id of each test
    with an xdist_group mark, and its scheduler groups by that. Should a pytest or xdist
    release lose the suffix, grouped tests would silently overlap: they fail instead."""
    if getattr(config.option, "loadgroup", False):
        for item in items:
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
                item.xdist_group_lost = True


def pytest_runtest_setup(item):
    if getattr(item, "xdist_group_lost", False):
        pytest.fail("xdist ignored this test's xdist_group mark (no @group in its id), so it "
                    "may overlap its group: see the pytest pin in pyproject.toml", pytrace=False)


def seed_example(name: str):
    """A request or response example of the seed documents, copied into tests/fixtures/seeds."""
    return json.loads((FIXTURES / "seeds" / f"{name}.json").read_text(encoding="utf-8"))


def make_config(**changes) -> Config:
    return Config(log_requests=False, reload_interval=0).with_(**changes)


@pytest.fixture
def app():
    return create_app(make_config())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sandbox(app):
    return app.extensions["sandbox"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 10.0, process: subprocess.Popen | None = None) -> None:
    """Until `url` answers; with `process`, stop waiting as soon as that process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ChildProcessError(f"the server exited with {process.returncode}")
        try:
            requests.get(url, timeout=0.5)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or busy starting
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


class LiveServer:
    """The real app on a real waitress server, in a thread, on a free loopback port."""

    def __init__(self, app, threads: int = 8):
        from sandbox.server import make_server
        # Port 0: the kernel picks a free port at bind, so parallel test workers never race
        # for one (a port picked first and bound later could be taken in between).
        self.server = make_server(app, "127.0.0.1", 0, threads=threads)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        wait_for(self.url + "/__sandbox/health")
        return self

    def __exit__(self, *exc):
        from sandbox.server import stop_in_thread
        stop_in_thread(self.server, self.thread)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


class ServerProcess:
    """`python -m sandbox serve` as a separate process, for restarts, signals and stdout."""

    def __init__(self, *args: str, env: dict | None = None):
        self.serve_args = args
        self.env = {**os.environ, **(env or {})}
        self.proc = None

    def start(self):
        # The banner prints the port asked for, so the port is picked here, not by the kernel at
        # bind: another test worker may take it in between, and then another port is tried.
        for attempt in range(3):
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self.args = [sys.executable, "-m", "sandbox", "serve", "--port", str(self.port),
                         *self.serve_args]
            self.proc = subprocess.Popen(self.args, env=self.env, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True)
            try:
                wait_for(self.url + "/__sandbox/health", process=self.proc)
                return self
            except (ChildProcessError, TimeoutError) as failure:
                if self.proc.poll() is None:
                    self.proc.kill()
                output = self.proc.communicate(timeout=10)[0]
                if "Address already in use" not in output or attempt == 2:
                    raise RuntimeError(f"sandbox serve did not start ({failure}):\n{output}") \
                        from None

    def stop(self, sig=None):
        import signal
        self.proc.send_signal(sig or signal.SIGTERM)
        output, _ = self.proc.communicate(timeout=10)
        return output

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        # SIGTERM first: a master killed outright leaves its workers' temp folders behind.
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate(timeout=10)
