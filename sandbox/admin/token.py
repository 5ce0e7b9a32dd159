"""The admin token (--admin-token): a shared sandbox's admin API is not everybody's.

When a token is set, every /__sandbox route but health, metrics and the console page itself
needs `Authorization: Bearer <token>` or `X-Sandbox-Admin-Token: <token>`; anything else is
answered 401 `{"message"}`. The console page loads without it (it holds no one's state) and asks
for the token when its first data call is refused. Only admin routes read the token: the BCS
routes take their own `Authorization: Bearer` and never see this check.
"""
from __future__ import annotations

import hmac
import ipaddress
import socket

from flask import request

from ..errors import SandboxError
from ..logs import log_line, timestamp
from ..names import ADMIN_PREFIX

HEADER = "X-Sandbox-Admin-Token"
HEADER_KEY = "HTTP_X_SANDBOX_ADMIN_TOKEN"
# Routes any client may call with a token set: a balancer's health check, Prometheus, the page
# that asks for the token (with and without its trailing slash).
OPEN_PATHS = ("/health", "/metrics", "/", "")


def register(app, sandbox) -> None:
    token = sandbox.config.admin_token
    if not token:
        return
    expected = token.encode("utf-8")
    open_paths = frozenset(ADMIN_PREFIX + path for path in OPEN_PATHS)

    @app.before_request
    def require_admin_token():
        path = request.path
        if not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")) \
                or path in open_paths or request.method == "OPTIONS":
            return
        given = presented(request.environ)
        # compare_digest: how long a wrong token takes to refuse says nothing of the right one.
        if given is None or not hmac.compare_digest(given.encode("utf-8"), expected):
            raise SandboxError(401, (
                f"The admin API needs the admin token: send 'Authorization: Bearer <token>' or "
                f"'{HEADER}: <token>'" if given is None else "The admin token is wrong"),
                headers={"WWW-Authenticate": 'Bearer realm="sandbox admin"'})


def presented(environ) -> str | None:
    """The token the request carries: the sandbox's own header first, then a Bearer token."""
    own = environ.get(HEADER_KEY)
    if own:
        return own.strip()
    scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def warn_if_exposed(config) -> bool:
    """One warning line at start when the server listens beyond this machine with no token."""
    if config.admin_token or is_loopback(config.host):
        return False
    log_line({"ts": timestamp(), "level": "warning", "event": "admin_unprotected",
              "message": f"listening on {config.host} with no --admin-token: anyone who can "
                         f"reach port {config.port} can reset or change any session",
              "host": config.host})
    return True


def is_loopback(host: str) -> bool:
    """Whether every address `host` names is this machine's own (0.0.0.0 and :: are not)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                   for a in addresses)
