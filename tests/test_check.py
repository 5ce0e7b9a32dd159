"""`sandbox check`: every fault as `file:line: message`, non-zero exit; the server refuses a
broken folder with the same messages."""
import subprocess
import sys
from types import SimpleNamespace

import pytest

from sandbox import cli, create_app
from sandbox.scenarios.engine import ScenarioFolderError
from tests.conftest import make_config
from tests.scenario_kit import write

GOOD = """
scenarios:
  - name: good-one
    description: A core customer the core refuses
    routes: [core_customer]
    match:
      query: {mnemonic: {regex: "^CC9"}}
    response:
      status: 400
      body: {message: "Rechazado {{ request.body.client_info.first_name }}"}
  - name: good-two
    description: BCS catalog row
    routes: [create_customer]
    response: {error: "50628", delay_ms: 10}
"""

BROKEN = """\
scenarios:
  - name: Bad_Name
    description: ""
    routes: [core_customer, no_such_route]
    match:
      headers: {X-A: {regex: "(unclosed"}}
    response:
      status: 700
      body: {x: "{{ request.body.a }"}
      fault: sideways
      delay_ms: 999999
      colour: red
  - name: twice
    description: first
    routes: [cliente]
    response: {status: 200}
  - name: twice
    description: second
    routes: [cliente]
    response: {status: 201}
  - name: bad-template
    description: template
    routes: [cliente]
    response: {body_template: "{% for %}"}
  - name: not-a-code
    description: unknown catalog code
    routes: [create_customer]
    response: {error: "00000000"}
"""


@pytest.fixture
def run(capsys):
    """`sandbox ARGS` in this process (cli.main): its exit code and what it printed. Only
    `serve` runs as a real process (test_serve_exits_2_on_a_broken_folder)."""
    def run(*args):
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)
    return run


def test_check_passes_on_the_shipped_scenarios(run):
    result = run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok:")


def test_check_passes_on_a_good_folder(run, tmp_path):
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "catalog/other.yaml", "rows: [{code: '1'}]\n")   # not a scenario file: skipped
    result = run("check", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok:" in result.stdout


def test_check_reports_every_fault_with_file_and_line(run, tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = {
        2: "kebab-case", 3: "description", 4: "no_such_route", 6: "bad regex", 8: "status",
        9: "template syntax error", 10: "unknown fault", 11: "delay_ms", 12: "unknown response key",
        17: "duplicate scenario name 'twice'", 24: "template syntax error",
    }
    for line, words in expected.items():
        assert any(l.startswith(f"{path}:{line}: ") and words in l for l in lines), (line, lines)
    assert any(l.startswith(f"{path}:28: ") and "00000000" in l for l in lines), lines


def test_check_reports_yaml_syntax_errors_in_any_file(run, tmp_path):
    path = write(tmp_path, "data/broken.yaml", "rows:\n  - a: 1\n   b: [\n")
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:3: YAML syntax error"), result.stdout


def test_check_reports_a_missing_folder(run, tmp_path):
    result = run("check", str(tmp_path / "nope"))
    assert result.returncode == 1 and "no such scenario folder" in result.stdout


def test_the_app_refuses_a_broken_folder_with_the_same_messages(tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    with pytest.raises(ScenarioFolderError) as refused:
        create_app(make_config(scenarios=(str(tmp_path),)))
    assert f"{path}:4: " in str(refused.value)


def test_serve_exits_2_on_a_broken_folder(tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    result = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--port", "0",
                             "--scenarios", str(tmp_path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert f"{path}:4: " in result.stderr


def test_scenarios_command_lists_how_to_trigger_each(run, tmp_path):
    write(tmp_path, "good.yaml", GOOD)
    result = run("scenarios", "--scenarios", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "good-one" in result.stdout
    assert "X-Sandbox-Scenario: good-one" in result.stdout
    assert 'PUT /__sandbox/scenarios/active {"name": "good-two"}' in result.stdout


def test_check_without_folders_reads_sandbox_scenarios(run, tmp_path, monkeypatch):
    path = write(tmp_path, "broken.yaml", BROKEN)
    monkeypatch.setenv("SANDBOX_SCENARIOS", str(tmp_path))
    result = run("check")
    assert result.returncode == 1
    assert f"{path}:4: " in result.stdout


def test_scenarios_command_fails_on_a_broken_folder(run, tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    result = run("scenarios", "--scenarios", str(tmp_path))
    assert result.returncode == 1
    assert f"{path}:4: " in result.stderr


def test_start_up_and_check_judge_every_file_alike(run, tmp_path):
    """One loader decides for both: a syntax error in a file that holds no scenarios stops the
    server as it fails `sandbox check`, with the same message."""
    write(tmp_path, "good.yaml", GOOD)
    path = write(tmp_path, "notes/data.yaml", "rows: [unclosed\n")
    with pytest.raises(ScenarioFolderError) as refused:
        create_app(make_config(scenarios=(str(tmp_path),)))
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    assert [str(f) for f in refused.value.faults] == result.stdout.splitlines()
    assert result.stdout.startswith(f"{path}:2: YAML syntax error")
