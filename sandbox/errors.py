"""SandboxError and the one place that renders any error in its API's own envelope.

Backends raise SandboxError (or a subclass); they never build an HTTP response. Each API family
brings an envelope function (its record's parts, kept on the app's Sandbox), so a 404, a malformed
body or a crash on any route comes back in that route's own envelope.
"""
from __future__ import annotations

from typing import Callable

from flask import Response

from .jsonio import dumps


class SandboxError(Exception):
    """An error answer.

    status: HTTP status. message: human text naming what is wrong.
    code / error_type: the upstream's own code and type where it has them (catalog rows).
    body: a complete body that overrides the family's envelope.
    """

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 error_type: str | None = None, body: dict | None = None,
                 headers: dict | None = None, answered_by: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.error_type = error_type
        self.body = body
        self.headers = headers or {}
        self.answered_by = answered_by


class StoreUnavailable(SandboxError):
    """The state store cannot be reached (a shared one: Redis): 503 in the route's own
    envelope, and a hint to retry."""

    def __init__(self, message: str):
        super().__init__(503, message, headers={"Retry-After": "1"})


Envelope = Callable[[SandboxError, object], dict]


def default_envelope(err: SandboxError, operation) -> dict:
    return {"message": err.message}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response built directly: cheaper than jsonify on the hot path."""
    return Response(dumps(body), status=status, headers=headers, mimetype="application/json")


def error_response(err: SandboxError, envelope: Envelope, operation=None) -> Response:
    body = err.body if err.body is not None else envelope(err, operation)
    return json_response(body, err.status, err.headers)


def field_errors(messages, keys: tuple = ()) -> list[tuple[tuple, list[str]]]:
    """marshmallow's nested error messages as (keys, messages) per failing field: keys are the
    field names and list indexes on its path; "_schema" (the object itself) adds none."""
    if isinstance(messages, dict):
        return [leaf for key, value in messages.items()
                for leaf in field_errors(value, keys if key == "_schema" else keys + (key,))]
    return [(keys, [str(m) for m in messages] if isinstance(messages, list) else [str(messages)])]


def field_path(keys: tuple, *, brackets: bool = False) -> str:
    """`client_info.birth_date`; list indexes as `[0]` with brackets, else `.0`; the body itself
    is `body`."""
    path = ""
    for key in keys:
        if brackets and isinstance(key, int):
            path += f"[{key}]"
        else:
            path += f".{key}" if path else str(key)
    return path or "body"
