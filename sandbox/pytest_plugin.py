"""The pytest plugin (entry point pytest11 `sandbox`, registered by installing the package):

- `sandbox_server` (session scope): a real sandbox server in the test process (testing.py),
  memory state, the shipped scenarios plus the folders of the ini option `sandbox_scenarios`.
- `sandbox` (function scope): a client bound to a fresh X-Sandbox-Session, reset after its
  test: `.url`, `.headers(family)`, `.force_error(code)`, `.activate(name)`, `.deactivate()`,
  `.chaos(rate, **options)`, `.requests(**filters)`, `.count(**filters)`, `.reset()`.

Nothing is imported or started until a test asks for a fixture: a suite that never uses them
pays nothing.
"""
from __future__ import annotations

import pytest


def pytest_addoption(parser):
    parser.addini("sandbox_scenarios", "scenario folders the sandbox_server fixture loads over "
                                       "the shipped ones (relative to the ini file)",
                  type="paths", default=[])


@pytest.fixture(scope="session")
def sandbox_server(pytestconfig):
    from .testing import SandboxServer
    folders = [str(folder) for folder in pytestconfig.getini("sandbox_scenarios")]
    with SandboxServer(scenarios=folders) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server):
    client = sandbox_server.client()
    yield client
    client.reset()  # its records and journal go now, not when the session would expire
