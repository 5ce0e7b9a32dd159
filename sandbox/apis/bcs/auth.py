"""BCS credentials: either header set seed 004 documents, on every BCS route.

- `X-Security-ClientID` + `X-Security-ClientSecret` + a non-empty `X-Security-Token`, or
- `client_id` + `client_secret` + `Authorization: Bearer <token>` (the seed's tables also spell
  the scheme "Barear"; both are accepted).
The token is not verified (any non-empty value), as a sandbox cannot check the bank's OAuth server.
Missing id, secret or token: 401, code 1004. Wrong id or secret: 403, code 1005.
"""
from __future__ import annotations

from flask import Request, g

from ...http import credentials_match

BEARER_SCHEMES = ("bearer", "barear")


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() in BEARER_SCHEMES else ""


def make_authenticator(config, catalog):
    client_id, client_secret = config.bcs_client_id, config.bcs_client_secret

    def authenticate(request: Request) -> None:
        headers = request.headers
        given_id = headers.get("X-Security-ClientID") or headers.get("client_id") or ""
        given_secret = headers.get("X-Security-ClientSecret") or headers.get("client_secret") or ""
        token = (headers.get("X-Security-Token") or "").strip() or _bearer(
            headers.get("Authorization", ""))
        operation = g.get("operation")
        missing = [name for name, value in (("client id", given_id),
                                            ("client secret", given_secret), ("token", token))
                   if not value]
        if missing:
            raise catalog.fail("1004", operation, "missing " + ", ".join(missing) + ": send "
                               "X-Security-ClientID, X-Security-ClientSecret and X-Security-Token, "
                               "or client_id, client_secret and Authorization: Bearer <token>")
        if not credentials_match((given_id, client_id), (given_secret, client_secret)):
            raise catalog.fail("1005", operation, "wrong client id or client secret")

    return authenticate
