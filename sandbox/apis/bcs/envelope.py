"""The BCS routes (seed 004) and their error envelope.

Every BCS error answers `{"responseType": {"value": "ER"}, "responseDetail": {"errorCode",
"errorDesc", "errorType"}}`. The `responseType.value` is the one each route documents in its error
example: ER (most routes, and the create and v4 routes, which show none), ER500 (sync-data,
sync-data-file, status-basic-data, query-pila), ER400 (remittances); it does not vary with the
status. Errors the pipeline raises without a catalog code (malformed JSON, unknown path, wrong
method, body too large, wrong content type, a crash) get the catalog row that fits their status.
"""
from __future__ import annotations

from typing import NamedTuple

from ...errors import SandboxError


class Route(NamedTuple):
    method: str
    path: str            # under config.bcs_base_path; <name> is a path parameter
    response_type: str   # responseType.value of the route's error envelope
    summary: str


ROUTES: dict[str, Route] = {
    "create_customer": Route("POST", "/customer-account-management/v1/customer", "ER",
                             "Create customer and account"),
    "basic_data_v1": Route("GET", "/customerAccountManagement/v1/BasicData", "ER",
                           "Check basic customer information (v1, by mnemonic)"),
    "basic_data_v2": Route("GET", "/customerAccountManagement/v2/basicData", "ER",
                           "Check basic customer information (v2, by mnemonic)"),
    "basic_data_v4": Route("GET", "/customerAccountManagement/v4/basicData", "ER",
                           "Check basic customer information (v4, by identification or cellphone)"),
    "customer_name_by_account": Route(
        "GET", "/customer-management/customer/identserialnum/<identserialnum>/acctid/<acctid>",
        "ER", "Get customer name by account"),
    "customer_locations": Route("GET", "/customer-management/v1/location/<identserialnum>", "ER",
                                "Get customer locations"),
    "secure_data": Route("PUT", "/customer-management/v1/secure-data", "ER",
                         "Update personal secure data management"),
    "channel_contact": Route("GET", "/customer-management/v1/channel/contact/<identserialnum>",
                             "ER", "Get customer contact and financial data"),
    "sync_data": Route("POST", "/v1/sync-data", "ER500", "Sync data - recurring intake"),
    "sync_data_file": Route("POST", "/v1/sync-data-file", "ER500",
                            "Sync data from file - recurring intake"),
    "status_basic_data": Route("POST", "/customer-management/v1/status-basic-data", "ER500",
                               "Consult owner (the holder of trn.depAcctIdTo.acctId)"),
    "remittances_basic_data": Route(
        "GET", "/customers-management/v1/remittances/basic-data/<identserialnum>", "ER400",
        "Remittances - consult customer"),
    "query_pila": Route("POST", "/customer-management/v1/query-pila", "ER500", "Consult PILA"),
}

DEFAULT_RESPONSE_TYPE = "ER"

# Catalog codes for errors raised without one, by status (the BasicData tables' generic rows).
GENERIC_CODES = {400: "1", 401: "1004", 403: "1005", 404: "1006", 500: "500"}


def response_type(operation) -> str:
    """The route's documented responseType.value; `operation` is an Operation, a name or None."""
    meta = getattr(operation, "meta", None)
    if meta and "response_type" in meta:
        return meta["response_type"]
    name = getattr(operation, "name", operation)
    route = ROUTES.get(name) if name else None
    return route.response_type if route else DEFAULT_RESPONSE_TYPE


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
