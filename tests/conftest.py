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


def wait_for(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=0.5)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


class LiveServer:
    """The real app on a real waitress server, in a thread, on a free loopback port."""

    def __init__(self, app, threads: int = 8):
        from sandbox.server import make_server
        self.server = make_server(app, "127.0.0.1", free_port(), threads=threads)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        wait_for(self.url + "/__sandbox/health")
        return self

    def __exit__(self, *exc):
        # Close on the loop's own thread (a trigger thunk): closing from here would pull the
        # sockets out from under a running select(). With its map empty, the loop returns.
        def close_everything():
            for dispatcher in list(self.server._map.values()):
                dispatcher.close()

        self.server.trigger.pull_trigger(close_everything)
        self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


class ServerProcess:
    """`python -m sandbox serve` as a separate process, for restarts, signals and stdout."""

    def __init__(self, *args: str, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, "-m", "sandbox", "serve", "--port", str(self.port), *args]
        self.env = {**os.environ, **(env or {})}
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        wait_for(self.url + "/__sandbox/health")
        return self

    def stop(self, sig=None):
        import signal
        self.proc.send_signal(sig or signal.SIGTERM)
        output, _ = self.proc.communicate(timeout=10)
        return output

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)
