"""Configured credentials are never shown: not in OpenAPI, the console, the start banner or
`sandbox errors`. The defaults are documentation, and are shown."""
from __future__ import annotations

import io
from contextlib import redirect_stdout

from sandbox import create_app
from sandbox.cli import main as cli
from tests.conftest import ServerProcess, make_config

SECRETS = ("s3cr3t-core-pass", "s3cr3t-bcs-secret")


def configured_app():
    return create_app(make_config(core_password=SECRETS[0], bcs_client_secret=SECRETS[1]))


def test_openapi_and_the_console_never_show_a_configured_secret():
    client = configured_app().test_client()
    for path in ("/__sandbox/openapi.json", "/__sandbox/"):
        text = client.get(path).get_data(as_text=True)
        assert not any(secret in text for secret in SECRETS), path
        assert "configured, not shown" in text


def test_the_defaults_are_documentation_and_are_shown():
    client = create_app(make_config()).test_client()
    text = client.get("/__sandbox/openapi.json").get_data(as_text=True)
    assert "sandbox-secret" in text and "password sandbox" in text


def test_the_configured_secrets_still_work():
    import base64
    client = configured_app().test_client()
    basic = base64.b64encode(f"sandbox:{SECRETS[0]}".encode()).decode()
    response = client.post("/core_customer", json={}, headers={"Authorization": "Basic " + basic})
    assert response.status_code == 400  # past the credentials, refused for its body


def test_the_start_banner_never_shows_a_configured_secret():
    server = ServerProcess("--core-password", SECRETS[0],
                           env={"SANDBOX_BCS_CLIENT_SECRET": SECRETS[1]}).start()
    output = server.stop()
    assert "sandbox serving on" in output
    assert not any(secret in output for secret in SECRETS)


def test_sandbox_errors_never_shows_a_configured_secret(monkeypatch):
    monkeypatch.setenv("SANDBOX_BCS_CLIENT_SECRET", SECRETS[1])
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli(["errors", "50628"]) == 0
    assert "curl" in out.getvalue() and SECRETS[1] not in out.getvalue()
