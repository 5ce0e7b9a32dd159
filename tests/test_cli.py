"""The command line (click): --version, checked ports and settings as one line and exit code 2,
stdout only JSON lines with the banner naming the port bound, every setting a flag and a
variable."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from importlib.metadata import version

import pytest
import requests

from sandbox import cli
from sandbox.apis import FAMILIES
from sandbox.config import Config


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "sandbox", *args], capture_output=True,
                          text=True, timeout=60, env=env)


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_version_is_the_installed_package_s(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"sandbox {version('sandbox')}"


@pytest.mark.parametrize("args, env", [
    (["--port", "99999"], {}), (["--port", "-1"], {}), (["--port", "abc"], {}),
    ([], {"SANDBOX_PORT": "abc"}), ([], {"SANDBOX_PORT": "65536"}),
])
def test_a_bad_port_is_one_line_naming_it_and_exit_2(capsys, monkeypatch, args, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", *args]) == 2
    out, err = capsys.readouterr()
    line = one_line(err)
    assert out == "" and "--port" in line and "SANDBOX_PORT" in line and "1-65535" in line


@pytest.mark.parametrize("args", [["serve", "--seed", "x"], ["serve", "--no-such-flag"],
                                  ["no-such-command"], ["serve", "--idle-timeout", "1.5"]])
def test_a_usage_fault_is_one_line_and_exit_2(capsys, args):
    assert cli.main(args) == 2
    assert "--help" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", [["serve"], ["check"], ["scenarios"], ["errors"]])
def test_a_variable_no_flag_reads_is_named_when_unreadable(capsys, monkeypatch, command):
    monkeypatch.setenv("SANDBOX_MAX_BODY_BYTES", "lots")
    assert cli.main(command) == 2
    assert "SANDBOX_MAX_BODY_BYTES='lots' is not an integer" in one_line(capsys.readouterr().err)


def test_bare_sandbox_shows_its_commands_and_exits_2(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert all(name in out for name in ("serve", "check", "scenarios", "errors"))


def test_a_port_in_use_is_one_line_and_exit_2_without_a_traceback():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.returncode == 2 and result.stdout == ""
    line = one_line(result.stderr)
    assert f"127.0.0.1:{port}" in line and "Address already in use" in line


def test_stdout_is_json_lines_and_the_banner_names_the_port_bound():
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = json.loads(proc.stdout.readline())
        port = int(banner["url"].rsplit(":", 1)[1])
        assert banner["event"] == "serving" and port != 0
        assert banner["console"] == f"http://127.0.0.1:{port}/__sandbox/"
        assert "sandbox / sandbox" in json.dumps(banner["families"])  # the defaults: shown
        assert requests.get(f"http://127.0.0.1:{port}/__sandbox/health", timeout=5).ok
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
    assert "GET" in out  # the health request's log line


def test_every_setting_is_a_flag_and_a_variable():
    serve = cli.build(FAMILIES).commands["serve"]
    options = {param.name: param for param in serve.params}
    settings = [s for family in FAMILIES for s in family.settings]
    assert settings
    for setting in settings:
        assert options[setting.name].opts == [setting.flag]
        assert options[setting.name].envvar == setting.env
    for flag, name, _, _ in cli.SERVE_FLAGS:
        assert options[name].envvar == "SANDBOX_" + name.upper()
        assert name in Config.__dataclass_fields__


def test_the_flag_beats_the_variable_and_the_variable_the_default(monkeypatch):
    monkeypatch.setenv("SANDBOX_BCS_CLIENT_ID", "from-env")
    monkeypatch.setenv("SANDBOX_SEED", "7")
    serve = cli.build(FAMILIES).commands["serve"]
    params = serve.make_context("serve", ["--seed", "9"]).params
    config = cli.config_from_args(type("Args", (), params), FAMILIES)
    config = config.completed([s for family in FAMILIES for s in family.settings])
    assert (config.seed, config.bcs_client_id, config.port) == (9, "from-env", 8080)
