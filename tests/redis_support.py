"""A real redis-server on a free loopback port, for the tests of `--state redis://`.

With CI=true a missing redis-server fails the test (CI installs it: .ci/run); elsewhere the
test skips, saying how to get it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
import redis

from tests.conftest import free_port

DEBIAN_PATH = "/usr/bin/redis-server"
REDIS_SERVER = shutil.which("redis-server") or (DEBIAN_PATH if os.path.exists(DEBIAN_PATH) else None)


def need_redis() -> str:
    if REDIS_SERVER is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing, and CI must run the Redis tests (.ci/run "
                        "installs it)")
        pytest.skip("needs redis-server: apt-get install redis-server")
    return REDIS_SERVER


class RedisServer:
    """redis-server on a free port, its files in `folder`; appendonly keeps what it acknowledged
    across its own restart (the test of recovery restarts it on the same port)."""

    def __init__(self, folder, appendonly: bool = False):
        self.folder = str(folder)
        self.appendonly = appendonly
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen(
            [need_redis(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always",
             "--dir", self.folder], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {self.port}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def client(self, **options) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, **options)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """One redis-server for a test module (import it there: `from tests.redis_support import
    redis_server`)."""
    need_redis()
    running = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield running
    running.stop()
