"""BCS credentials: either header set seed 004 documents, on every BCS route.

- `X-Security-ClientID` + `X-Security-ClientSecret` + a non-empty `X-Security-Token`, or
- `client_id` + `client_secret` + `Authorization: Bearer <token>` (the seed's tables also spell
  the scheme "Barear"; both are accepted).
The token is not verified (any non-empty value), as a sandbox cannot check the bank's OAuth server.
Missing id, secret or token: 401, code 1004. Wrong id or secret: 403, code 1005.
"""
from __future__ import annotations

from flask import Request, g

from ...family import Security
from ...http import credentials_match

BEARER_SCHEMES = ("bearer", "barear")
# Any non-empty token is accepted; examples use this one.
EXAMPLE_TOKEN = "sandbox-token"
# Every request header seed 004's tables document, allowed in CORS preflights.
DOCUMENTED_HEADERS = (
    "X-Security-ClientID", "X-Security-ClientSecret", "X-Security-Token", "X-Security-CustLoginIdSi",
    "X-Security-CustLoginId", "client_id", "client_secret",
    "X-Invoker-BranchId", "X-Invoker-TerminalId", "X-Invoker-Component", "X-Invoker-UserIPAddress",
    "X-Invoker-ServerIPAddress", "X-Invoker-UserMACAddress", "X-Invoker-ServerMACAddress",
    "X-Invoker-ProcessDate", "X-Invoker-TxId", "X-Invoker-SessionKey", "X-Invoker-Source",
    "X-Invoker-Country", "X-Invoker-ProcessBpmId", "X-Invoker-ProcessId", "X-Invoker-Network",
    "X-Invoker-subChannel", "X-Invoker-User", "X-Invoker-Action", "X-Invoker-Destination",
    "X-Invoker-ModifierUser", "X-Invoker-ReferencedNumber", "X-Invoker-RequestNumber",
    "X-Invoker-CustId", "X-Invoker-RequestId", "X-Invoker-Request-Id", "X-Invoker-Channel",
    "X-Invoker-ATMId", "X-Ident-DeviceFingerPrint", "x-invoker-ally",
)
# Where the credentials travel: masked in the journal.
SECRET_HEADERS = ("X-Security-ClientSecret", "X-Security-Token", "client_secret")


def _schemes(config) -> dict:
    def header(name, what):
        return {"type": "apiKey", "in": "header", "name": name, "description": what}
    pair = f"({config.bcs_client_id} / {config.shown('bcs_client_secret')})"
    return {
        "bcsClientId": header("X-Security-ClientID", f"BCS client id {pair}"),
        "bcsClientSecret": header("X-Security-ClientSecret", f"BCS client secret {pair}"),
        "bcsToken": header("X-Security-Token", "Any non-empty token"),
        "bcsClientIdHeader": header("client_id", f"BCS client id, second header set {pair}"),
        "bcsClientSecretHeader": header("client_secret", "BCS client secret, second set"),
        "bcsBearer": {"type": "http", "scheme": "bearer",
                      "description": "Any non-empty bearer token (second header set)"},
    }


SECURITY = Security(
    label="BCS headers",
    note="Either header set; a missing one answers 401 (1004), a wrong id or secret 403 (1005)",
    schemes=_schemes,
    # Either header set is accepted: two alternative requirements, each all of its headers.
    requirements=[{"bcsClientId": [], "bcsClientSecret": [], "bcsToken": []},
                  {"bcsClientIdHeader": [], "bcsClientSecretHeader": [], "bcsBearer": []}],
    example_headers=lambda config: {"X-Security-ClientID": config.bcs_client_id,
                                    "X-Security-ClientSecret": config.shown("bcs_client_secret"),
                                    "X-Security-Token": EXAMPLE_TOKEN},
    lines=lambda config: [f"X-Security-ClientID: {config.bcs_client_id}",
                          f"X-Security-ClientSecret: {config.shown('bcs_client_secret')}",
                          "X-Security-Token: <any non-empty token>",
                          f"or  client_id: {config.bcs_client_id}",
                          f"    client_secret: {config.shown('bcs_client_secret')}",
                          "    Authorization: Bearer <any non-empty token>"],
    summary=lambda config: f"client id {config.bcs_client_id}, secret "
                           f"{config.shown('bcs_client_secret')}, any non-empty token",
    variables={"X-Security-ClientID": "bcsClientId", "X-Security-ClientSecret": "bcsClientSecret",
               "X-Security-Token": "bcsToken"})

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
