"""HTTP Basic credentials of the core routes (seeds 000/001/002: "las mismas credenciales").

flask-httpauth reads the header; the password check is ours, in constant time: both the user and
the password are always compared, so how long a refusal takes says nothing about which was wrong.
"""
from __future__ import annotations

from flask import Request
from flask_httpauth import HTTPBasicAuth

from ...errors import SandboxError
from ...http import credentials_match

REALM = "core"


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
