"""Where a BCS request carries identification numbers (for the magic numbers), and the stored
customer a request names (for scenario templates)."""
from __future__ import annotations

from flask import Request

from ...http import json_or_none
from . import model
from .profile_intake import decode_file

# Where a request carries identification numbers: query parameters and JSON body keys.
IDENT_QUERY = ("identSerialNum", "identserialnum", "cellphone")
MNEMONIC_KEYS = ("mnemonic", "mNemonic")
IDENT_BODY_KEYS = frozenset(("identSerialNum", "acctId", "invoiceNum") + MNEMONIC_KEYS)


def request_idents(req: Request) -> list[str]:
    """The identification numbers a BCS request carries: path parameters, the identSerialNum /
    cellphone / mnemonic query parameters (a mnemonic without its type letters), and the
    identSerialNum / acctId / mnemonic values anywhere in a JSON body."""
    found = [str(value) for value in (req.view_args or {}).values()]
    args = req.args
    found += [args[key] for key in IDENT_QUERY if args.get(key)]
    found += [model.mnemonic_number(args[key]) for key in MNEMONIC_KEYS if args.get(key)]
    if req.method in ("POST", "PUT"):
        _walk(json_or_none(req), found)
    return found


def sync_file_idents(req: Request) -> list[str]:
    """The numbers the request carries plus those inside its base64 file (its mnemonic...)."""
    found = request_idents(req)
    body = json_or_none(req)
    file = body.get("file") if isinstance(body, dict) else None
    bin_data = file.get("binData") if isinstance(file, dict) else None
    if isinstance(bin_data, str):
        content = decode_file(bin_data)
        if isinstance(content, dict):
            _walk(content, found)
    return found


IDENTS = {"sync_data_file": sync_file_idents}


def stored_customer(operation, req: Request, state) -> dict | None:
    """The stored customer a BCS request names (scenario templates' `customer`): by mnemonic, by
    cellphone, else by each identification number it carries, or as the holder of an account."""
    args = req.args
    if args.get("mnemonic"):
        return model.find_by_mnemonic(state, args["mnemonic"])
    if args.get("cellphone"):
        return model.find_by_cellphone(state, args["cellphone"])
    ident_type = args.get("govIssueIdentType")
    idents = operation.idents or request_idents
    for ident in idents(req):
        found = model.find_by_number(state, ident, ident_type) or model.find_by_number(state, ident)
        if found is None:
            account = model.get_account(state, ident)
            found = model.holder_of(state, account) if account else None
        if found is not None:
            return found
    return None


def _walk(node, found: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in IDENT_BODY_KEYS and isinstance(value, (str, int)) and not isinstance(value, bool):
                # (A mnemonic sent as a number is still its text: the schema says what is wrong.)
                found.append(model.mnemonic_number(str(value)) if key in MNEMONIC_KEYS
                             else str(value))
            elif isinstance(value, (dict, list)):
                _walk(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found)
