"""The BCS route table (seed 004): each route's operation name, method, path under the family's
base path (config.bcs_base_path), summary, its error envelope's responseType.value, and its
request schema where it takes a body."""
from __future__ import annotations

from ...family import Route
from .headers import header_parameters
from .profile_schemas import QUERY_PILA, SECURE_DATA, SYNC_DATA, SYNC_DATA_FILE
from .customer_schemas import CREATE_CUSTOMER, STATUS_BASIC_DATA
from .queries import (BasicDataV4Query, IdentTypeQuery, LocationsQuery, MnemonicQuery,
                      RequiredIdentTypeQuery)


# Where each request names its person or account besides the path (what a recording matches).
_IDENT = ("govIssueIdent.govIssueIdentType", "govIssueIdent.identSerialNum")
IDENTIFIED_BY = {
    "create_customer": tuple(f"body.{key}" for key in _IDENT),
    "basic_data_v1": ("query.mnemonic",),
    "basic_data_v2": ("query.mnemonic",),
    "basic_data_v4": ("query.govIssueIdentType", "query.identSerialNum", "query.cellphone"),
    "secure_data": tuple(f"body.{key}" for key in _IDENT),
    "sync_data": ("body.govIssueIdent.mNemonic", "body.govIssueIdent.mnemonic"),
    "sync_data_file": ("body.file.binData",),  # the mnemonic travels inside the file
    "status_basic_data": ("body.trn.depAcctIdTo.acctId",),
    "query_pila": ("body.trn.invoiceInfo.invoiceNum", "body.trn.invoiceInfo.identSerialNum"),
}


# The routes that store what they are sent.
WRITES = ("create_customer", "sync_data", "sync_data_file")


def route(name, method, path, response_type, summary, schema=None, query=None) -> Route:
    meta = {"seed": "004", "response_type": response_type,
            "header_parameters": header_parameters(name)}
    if schema is not None:
        meta["request_schema"] = schema
    if query is not None:
        meta["query_schema"] = query
    return Route(name, method, path, summary, identified_by=IDENTIFIED_BY.get(name, ()),
                 writes=name in WRITES, meta=meta)


ROUTES = (
    route("create_customer", "POST", "/customer-account-management/v1/customer", "ER",
          "Create customer and account", CREATE_CUSTOMER),
    route("basic_data_v1", "GET", "/customerAccountManagement/v1/BasicData", "ER",
          "Check basic customer information (v1, by mnemonic)", query=MnemonicQuery),
    route("basic_data_v2", "GET", "/customerAccountManagement/v2/basicData", "ER",
          "Check basic customer information (v2, by mnemonic)", query=MnemonicQuery),
    route("basic_data_v4", "GET", "/customerAccountManagement/v4/basicData", "ER",
          "Check basic customer information (v4, by identification or cellphone)",
          query=BasicDataV4Query),
    route("customer_name_by_account", "GET",
          "/customer-management/customer/identserialnum/<identserialnum>/acctid/<acctid>", "ER",
          "Get customer name by account", query=IdentTypeQuery),
    route("customer_locations", "GET", "/customer-management/v1/location/<identserialnum>", "ER",
          "Get customer locations",
          query=LocationsQuery),
    route("secure_data", "PUT", "/customer-management/v1/secure-data", "ER",
          "Update personal secure data management", SECURE_DATA),
    route("channel_contact", "GET", "/customer-management/v1/channel/contact/<identserialnum>",
          "ER", "Get customer contact and financial data", query=IdentTypeQuery),
    route("sync_data", "POST", "/v1/sync-data", "ER500", "Sync data - recurring intake",
          SYNC_DATA),
    route("sync_data_file", "POST", "/v1/sync-data-file", "ER500",
          "Sync data from file - recurring intake", SYNC_DATA_FILE),
    route("status_basic_data", "POST", "/customer-management/v1/status-basic-data", "ER500",
          "Consult owner (the holder of trn.depAcctIdTo.acctId)", STATUS_BASIC_DATA),
    route("remittances_basic_data", "GET",
          "/customers-management/v1/remittances/basic-data/<identserialnum>", "ER400",
          "Remittances - consult customer", query=RequiredIdentTypeQuery),
    route("query_pila", "POST", "/customer-management/v1/query-pila", "ER500", "Consult PILA",
          QUERY_PILA),
)
RESPONSE_TYPES = {r.name: r.meta["response_type"] for r in ROUTES}
