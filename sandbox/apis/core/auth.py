"""HTTP Basic credentials of the core routes (seeds 000/001/002: "las mismas credenciales").

flask-httpauth reads the header; the password check is ours, in constant time: both the user and
the password are always compared, so how long a refusal takes says nothing about which was wrong.
"""
from __future__ import annotations

import base64

from flask import Request
from flask_httpauth import HTTPBasicAuth

from ...errors import SandboxError
from ...family import Security
from ...http import credentials_match

REALM = "core"


def basic_header(config) -> dict:
    """The working header, while the password is the documented default (never a configured
    one)."""
    if "core_password" in config.configured_secrets:
        return {"Authorization": "Basic base64(user:password)"}
    pair = f"{config.core_user}:{config.core_password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


SECURITY = Security(
    label="HTTP Basic", note="HTTP Basic, the same pair on both",
    schemes=lambda config: {"basicAuth": {
        "type": "http", "scheme": "basic",
        "description": f"Core routes: user {config.core_user}, password "
                       f"{config.shown('core_password')}"}},
    requirements=[{"basicAuth": []}],
    example_headers=basic_header,
    lines=lambda config: [f"user {config.core_user}", f"password {config.shown('core_password')}",
                          f"Authorization: {basic_header(config)['Authorization']}"],
    summary=lambda config: f"HTTP Basic {config.core_user} / {config.shown('core_password')}")


def _scheme(credentials) -> str:
    scheme = credentials.type or ""  # flask-httpauth hands the header's scheme over as bytes
    return (scheme.decode("latin-1") if isinstance(scheme, bytes) else scheme).lower()


def make_authenticator(user: str, password: str):
    basic = HTTPBasicAuth(realm=REALM)

    @basic.verify_password
    def verify(given_user: str, given_password: str) -> bool:
        return credentials_match((given_user, user), (given_password, password))

    challenge = {"WWW-Authenticate": f'Basic realm="{REALM}"'}

    def authenticate(request: Request) -> None:
        credentials = basic.get_auth()
        if credentials is None or _scheme(credentials) != "basic":
            raise SandboxError(401, "Authentication required: send HTTP Basic credentials "
                                    "(Authorization: Basic base64(user:password))", headers=challenge)
        if not basic.authenticate(credentials, None):
            raise SandboxError(401, "Wrong user or password (HTTP Basic)", headers=challenge)

    return authenticate
