"""`pip install .` (not editable) ships the scenarios/ YAML, and `sandbox serve` works from any
folder: the wheel is built and installed into a temporary folder, then served from another one."""
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, wait_for
from tests.test_bcs_catalog import SEEDS

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


# -- the sdist: license, classifiers, one version, and tests that run from it ---------------------
SKIPPED = shutil.ignore_patterns(".git", ".venv", ".sandbox", "build", "dist", "*.egg-info",
                                 "__pycache__", ".pytest_cache", ".bench")


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> Path:
    """The sdist, built by `python -m build` from a clean copy of the checkout (see build_wheel),
    and unpacked into a folder of its own."""
    out = tmp_path_factory.mktemp("sdist")
    source = out / "source"
    shutil.copytree(ROOT, source, ignore=SKIPPED)
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir",
                    str(out), str(source)], check=True, capture_output=True, timeout=300)
    archive = next(out.glob("sandbox-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(out / "unpacked", filter="data")
    return next((out / "unpacked").iterdir())


def test_the_sdist_holds_the_license_and_what_its_tests_need(sdist):
    for name in ("LICENSE", "tests/conftest.py", "tests/fixtures/seeds/000_request_1.json",
                 "docs/operations.md", "scenarios", "Dockerfile", "pyproject.toml", "setup.py"):
        assert (sdist / name).exists(), name
    assert "MIT License" in (sdist / "LICENSE").read_text()
    metadata = (sdist / "PKG-INFO").read_text()
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    assert "Classifier: Private :: Do Not Upload" in metadata


def test_the_version_has_one_source_read_through_importlib_metadata():
    import tomllib
    from sandbox.version import __version__
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == declared
    written = [str(path.relative_to(ROOT)) for path in [ROOT / "setup.py",
                                                         *(ROOT / "sandbox").rglob("*.py")]
               if f'"{declared}"' in path.read_text() or f"'{declared}'" in path.read_text()]
    assert written == []  # nowhere but pyproject.toml


def test_a_selected_part_of_the_suite_runs_from_the_unpacked_sdist(sdist):
    # PYTHONPATH: the sdist's own sandbox/, not the checkout's editable install. A few fast
    # modules that read the tests' fixtures, the docs and the scenarios; SANDBOX_SEEDS: the
    # seeds beside this checkout, which an unpacked sdist has not beside it.
    selected = ["tests/test_scenario_schema.py", "tests/test_docs.py", "tests/test_core_customer.py",
                "tests/test_bcs_catalog.py"]
    result = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p",
                             "no:cacheprovider", *selected], cwd=sdist, capture_output=True,
                            text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(sdist),
                                                         "SANDBOX_SEEDS": SEEDS})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) > 100, result.stdout[-500:]
    where = subprocess.run([sys.executable, "-c", "import sandbox; print(sandbox.__file__)"],
                           cwd=sdist, env={**os.environ, "PYTHONPATH": str(sdist)},
                           capture_output=True, text=True).stdout
    assert where.startswith(str(sdist))
