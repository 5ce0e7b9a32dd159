"""The BCS error envelope (seed 004).

Every BCS error answers `{"responseType": {"value": "ER"}, "responseDetail": {"errorCode",
"errorDesc", "errorType"}}`. The `responseType.value` is the one each route documents in its error
example: ER (most routes, and the create and v4 routes, which show none), ER500 (sync-data,
sync-data-file, status-basic-data, query-pila), ER400 (remittances); it does not vary with the
status. Errors the pipeline raises without a catalog code (malformed JSON, unknown path, wrong
method, body too large, wrong content type, a crash) get the catalog row that fits their status.
"""
from __future__ import annotations

from ...errors import SandboxError
from .routes import RESPONSE_TYPES

DEFAULT_RESPONSE_TYPE = "ER"

# Catalog codes for errors raised without one, by status (the BasicData tables' generic rows).
GENERIC_CODES = {400: "1", 401: "1004", 403: "1005", 404: "1006", 500: "500"}


def response_type(operation) -> str:
    """The route's documented responseType.value; `operation` is an Operation, a name or None."""
    meta = getattr(operation, "meta", None)
    if meta and "response_type" in meta:
        return meta["response_type"]
    name = getattr(operation, "name", operation)
    return RESPONSE_TYPES.get(name, DEFAULT_RESPONSE_TYPE) if name else DEFAULT_RESPONSE_TYPE


def body(value: str, code: str, description: str, error_type: str) -> dict:
    return {"responseType": {"value": value},
            "responseDetail": {"errorCode": code, "errorDesc": description,
                               "errorType": error_type}}


def generic_code(status: int) -> str:
    if status in GENERIC_CODES:
        return GENERIC_CODES[status]
    return "500" if status >= 500 else "1"


def make_envelope(catalog):
    """The family envelope: errors that carry a code render as they are; the others take the
    catalog row of their status, its description followed by what exactly was wrong."""

    def envelope(err: SandboxError, operation) -> dict:
        if err.code is not None:
            return body(response_type(operation), err.code, err.message, err.error_type or "")
        row = catalog.find(generic_code(err.status))
        return body(response_type(operation), row["code"],
                    describe(row["description"], err.message), row["type"])

    return envelope


def describe(description: str, detail: str | None) -> str:
    return f"{description} ({detail})" if detail else description
