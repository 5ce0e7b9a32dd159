"""Builds scenarios/catalog/bcs_errors.yaml from seed 004 (run once; re-run if the seed changes).

Every row of every error table becomes one catalog row: HTTP status, code (as written, leading
zeros kept), type, description, the operation whose table lists it, and the natural trigger the
sandbox enforces for it (TRIGGERS below), or null. Tables order their columns differently
(`HTTP Code | Error Code | Error Type` or `HTTP Code | Error Type | Error Code`): the header line
of each table says which. Descriptions lose only the typographic quotes some cells wrap them in.

    python tools/extract_bcs_catalog.py [SEED] [OUT]
"""
from __future__ import annotations

import glob
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = (glob.glob("/work/shared/seeds/004_*.txt") or [""])[0]
DEFAULT_OUT = ROOT / "scenarios" / "catalog" / "bcs_errors.yaml"

# The line after "Path:" names the route; the first fragment it contains picks the operation.
PATH_FRAGMENTS = [
    ("/customer-account-management/v1/customer", "create_customer"),
    ("/customerAccountManagement/v1/BasicData", "basic_data_v1"),
    ("/customerAccountManagement/v2/basicData", "basic_data_v2"),
    ("/customerAccountManagement/v4/basicData", "basic_data_v4"),
    ("/identserialnum/{identserialnum}/acctid/", "customer_name_by_account"),
    ("/v1/location/", "customer_locations"),
    ("/v1/secure-data", "secure_data"),
    ("/channel/contact/", "channel_contact"),
    ("/v1/sync-data-file", "sync_data_file"),
    ("/v1/sync-data", "sync_data"),
    ("/status-basic-data", "status_basic_data"),
    ("/remittances/basic-data/", "remittances_basic_data"),
    ("/query-pila", "query_pila"),
]

_NAMES = ("personName.firstName, personName.middleName, personName.lastName or "
          "personName.secondLastName")
# (operation, code) -> the rule that produces the row through the route itself. Rows a route's
# own table lists, and rules the create route enforces with codes only the STA tables list.
TRIGGERS = {
    ("basic_data_v1", "1"): "GET BasicData?mnemonic= with no type letters or no number "
                            "(e.g. mnemonic=1234567890 or mnemonic=CC)",
    ("basic_data_v1", "00001"): "GET BasicData without the mnemonic query parameter",
    ("basic_data_v1", "1004"): "no X-Security-ClientID / X-Security-ClientSecret / "
                               "X-Security-Token (or client_id / client_secret / Bearer token)",
    ("basic_data_v1", "1005"): "a wrong client id or client secret",
    ("basic_data_v1", "1006"): "a mnemonic that is no customer (e.g. mnemonic=CC1)",
    ("basic_data_v2", "1"): "GET basicData?mnemonic= with no type letters or no number",
    ("basic_data_v2", "00001"): "GET basicData without the mnemonic query parameter",
    ("basic_data_v2", "1004"): "no client id, client secret or token headers",
    ("basic_data_v2", "1005"): "a wrong client id or client secret",
    ("basic_data_v2", "1006"): "a mnemonic that is no customer (e.g. mnemonic=CC1)",
    ("customer_name_by_account", "05622"): "identserialnum is a customer who does not hold "
                                           "acctid (e.g. .../identserialnum/1234567890/acctid/12321414)",
    ("customer_name_by_account", "SQLCODE", 1): "identserialnum is no customer (account exists)",
    ("customer_name_by_account", "05620"): "acctid is no account (e.g. acctid/1)",
    ("customer_name_by_account", "05621"): "acctid is an account with no holder "
                                           "(fixture account 24000000019)",
    ("customer_locations", "50503"): "create_customer: personName.firstName holds a character "
                                     "other than letters, spaces, _ ' . - (e.g. CARL0S)",
    ("customer_locations", "50504"): "create_customer: personName.middleName with invalid characters",
    ("customer_locations", "50505"): "create_customer: personName.lastName with invalid characters",
    ("customer_locations", "50506"): "create_customer: personName.secondLastName with invalid "
                                     "characters",
    ("customer_locations", "50518"): "create_customer: contactInfo.phoneNum.phone (a landline) "
                                     "is not 7 digits or 10 digits starting 60",
    ("customer_locations", "50562"): "create_customer: a phone of phoneType C is not a cellphone "
                                     "(10 digits starting 3); basic_data_v4: a non-numeric cellphone",
    ("customer_locations", "50555"): "create_customer: a CC, CE, TI or NI identSerialNum that is "
                                     "not numeric",
    ("customer_locations", "50609"): "create_customer: an NI (NIT) identSerialNum that is not "
                                     "9 digits (10 with its check digit)",
    ("customer_locations", "50545"): "create_customer: a 10-digit NIT whose last digit is not "
                                     "its DIAN check digit",
}
TRIGGERS.update({("channel_contact", op_code[1]): text for op_code, text in TRIGGERS.items()
                 if op_code[0] == "customer_locations"})
TRIGGERS[("customer_locations", "51011")] = ("GET location/{identserialnum} for a number "
                                             "that is no customer")
TRIGGERS[("channel_contact", "51011")] = ("GET channel/contact/{identserialnum} for a number "
                                          "that is no customer")


def parse(seed_text: str) -> list[dict]:
    rows, operation, columns, expect_path = [], None, None, False
    for line in seed_text.splitlines():
        stripped = line.strip()
        if expect_path:
            operation = next((name for fragment, name in PATH_FRAGMENTS if fragment in stripped),
                             operation)
            expect_path = False
            continue
        if stripped == "Path:":
            expect_path = True
            continue
        if stripped.startswith("HTTP Code |"):
            columns = [cell.strip() for cell in stripped.strip("|").split("|")]
            continue
        if columns is None:
            continue
        if "|" not in stripped:
            columns = None
            continue
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        if set("".join(cells)) <= {"-"}:
            continue
        record = dict(zip(columns, cells))
        rows.append({"status": int(record["HTTP Code"]), "code": record["Error Code"],
                     "type": record["Error Type"],
                     "description": record["Description"].strip().strip("“”\"").strip(),
                     "routes": [operation]})
    return rows


def with_ids_and_triggers(rows: list[dict]) -> list[dict]:
    seen: dict[tuple, int] = {}
    for row in rows:
        route, code = row["routes"][0], row["code"]
        nth = seen[(route, code)] = seen.get((route, code), 0) + 1
        row["id"] = f"{route}/{code}" + (f"#{nth}" if nth > 1 else "")
        row["trigger"] = TRIGGERS.get((route, code, nth), TRIGGERS.get((route, code)))
    keys = ("id", "status", "code", "type", "description", "routes", "trigger")
    return [{key: row[key] for key in keys} for row in rows]


def main(argv: list[str]) -> int:
    seed = Path(argv[1] if len(argv) > 1 else DEFAULT_SEED)
    out = Path(argv[2] if len(argv) > 2 else DEFAULT_OUT)
    rows = with_ids_and_triggers(parse(seed.read_text(encoding="utf-8")))
    header = (f"# The BCS error catalog: every row of every error table of seed 004 "
              f"({len(rows)} rows),\n# generated by tools/extract_bcs_catalog.py. trigger: the "
              f"rule the sandbox enforces that answers the row\n# through the route itself (null: "
              f"reach it with X-Sandbox-Error or a 999<code> number).\n")
    body = yaml.safe_dump({"errors": rows}, allow_unicode=True, sort_keys=False, width=100)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + body, encoding="utf-8")
    print(f"{len(rows)} rows -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
