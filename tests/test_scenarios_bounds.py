"""No scenario file can stop the sandbox: loading and rendering are bounded in time, memory and
output (sandbox/scenarios/limits.py). A file over a load bound is a `file:line: message` fault in
`sandbox check` and at start-up alike; a template over a render bound answers a 500 in the
route's envelope naming the scenario, and the server goes on answering everyone else."""
from __future__ import annotations

import time

import pytest

from sandbox.cli import main
from sandbox.scenarios import limits
from tests.scenario_kit import write


def check(capsys, folder) -> tuple[int, str]:
    started = time.monotonic()
    code = main(["check", str(folder)])
    assert time.monotonic() - started < 5, "sandbox check must stay quick on a hostile file"
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def one_scenario(body: str, name: str = "hostile", route: str = "core_customer") -> str:
    return f"""\
scenarios:
  - name: {name}
    description: A hostile scenario
    routes: [{route}]
    response:
      body: {body}
"""


# -- YAML -------------------------------------------------------------------------------------
def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    return "\n".join(lines) + "\n" + one_scenario(f"{{laughs: *lol{levels}}}")


def test_a_yaml_alias_bomb_is_a_fault_not_a_hang(capsys, tmp_path):
    path = write(tmp_path, "bomb.yaml", billion_laughs())
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:1: with its aliases spelled out the file is over" in out


def test_a_few_aliases_are_fine(capsys, tmp_path):
    write(tmp_path, "aliases.yaml", billion_laughs(levels=2))
    code, out = check(capsys, tmp_path)
    assert code == 0, out


def test_a_file_over_the_size_limit_is_a_fault(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("sandbox.scenarios.yamlfile.MAX_FILE_BYTES", 1000)
    path = write(tmp_path, "big.yaml", one_scenario("{text: '" + "x" * 2000 + "'}"))
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:1: the file is {path.stat().st_size} bytes; a file in a scenario folder may " \
           f"have at most 1000" in out


def test_the_shipped_files_are_far_from_the_load_limits():
    from pathlib import Path
    shipped = Path(__file__).resolve().parent.parent / "scenarios"
    assert max(p.stat().st_size for p in shipped.rglob("*.yaml")) * 8 < limits.MAX_FILE_BYTES
