"""`pip install .` (not editable) ships the scenarios/ YAML, and `sandbox serve` works from any
folder: the wheel is built and installed into a temporary folder, then served from another one."""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
# Both tests on one test worker, so that the module's one wheel is built once.
pytestmark = pytest.mark.xdist_group("packaging")


def build_wheel(out: Path) -> Path:
    """Built from a clean copy of the sources: setuptools leaves a build/ folder where it builds,
    and stale files there (a module since moved) would ship in the next wheel."""
    source = out / "source"
    for name in ("pyproject.toml", "setup.py", "README.md"):
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for folder in ("sandbox", "scenarios"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(source)], check=True)
    return next(out.glob("sandbox-*.whl"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """One wheel for the module's tests: building it is the slow part (~1 s of pip)."""
    return build_wheel(tmp_path_factory.mktemp("dist"))


def test_the_wheel_ships_every_scenario_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT / "scenarios").as_posix()
               for p in (ROOT / "scenarios").rglob("*.yaml")}
    assert shipped, "scenarios/ holds no YAML"
    missing = [n for n in shipped if f"sandbox/shipped_scenarios/{n}" not in names]
    assert missing == []


def test_installed_package_serves_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    # PYTHONPATH puts the installed copy ahead of the checkout's editable install.
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "serve", "--port", str(port)],
                            cwd=elsewhere, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/__sandbox/health", process=proc)
        assert requests.get(f"http://127.0.0.1:{port}/__sandbox/health").json()["status"] == "ok"
        where = subprocess.run([sys.executable, "-c", "import sandbox; print(sandbox.__file__)"],
                               cwd=elsewhere, env={"PYTHONPATH": str(target)},
                               capture_output=True, text=True).stdout
        assert where.startswith(str(target))
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
