"""Builds scenarios/catalog/bcs_errors.yaml from seed 004 (run once; re-run if the seed changes).

Every row of every error table becomes one catalog row: HTTP status, code (as written, leading
zeros kept), type, description, `routes` (the operation whose table lists it), and its natural
triggers, from TRIGGERS below:
- `trigger`: the rules the sandbox enforces that answer the row, as "route: request; ..." (the
  route that answers and what request makes it), or null: no rule answers it, reach it with
  X-Sandbox-Error or a 999<code> number.
- `answered_on`: the operations those rules run on ([] when trigger is null). A rule often runs
  on a route whose table does not list the row (create-customer answers the locations table's
  50503, sync-data its 50565), or on a route with no table at all: answered_on is how GET
  /__sandbox/openapi.json documents the rows those routes answer. The route answers the row's
  status, code, type and description in its own envelope (its responseType.value).
Twin tables (channel/contact repeats the locations table, v2 BasicData the v1 table) share
their triggers: the same request answers both rows alike. tests/test_bcs_flows.py sends one
request per (answering route, row) and checks the answer is the row.
Tables order their columns differently (`HTTP Code | Error Code | Error Type` or `HTTP Code |
Error Type | Error Code`): the header line of each table says which. Descriptions lose only the
typographic quotes some cells wrap them in.

    python tools/extract_bcs_catalog.py SEED [OUT]

SEED is seed 004's text (the BCS customersManagement specification, 004_*.txt); OUT defaults to
scenarios/catalog/bcs_errors.yaml. `--help` says the same.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
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

ROUTES = [name for _, name in PATH_FRAGMENTS]
# Tables that repeat another table row for row: their rows get the first table's triggers.
TWIN_TABLES = {"basic_data_v2": "basic_data_v1", "channel_contact": "customer_locations"}
_MALFORMED = "a malformed field value (the message names the field)"
_MISSING = "a required field missing (the message names it)"
_MNEMONIC_NUMBER = "the number of govIssueIdent.mNemonic (the file's mnemonic)"
_HEADERS = ("a header its table lists sent malformed (bcs_headers.yaml: X-Invoker-ProcessDate not "
            "YYYY-MM-DD, an IP or MAC address that is none, X-Invoker-Action other than C or R, "
            "X-Invoker-SessionKey over 30 characters, X-Invoker-User with other than letters, "
            "digits and . _ -)")

# (table, code) or (table, code, nth) -> [(routes, the request that answers the row there)].
# The rules the routes enforce: each answers the row (its status, code, type and description)
# in the answering route's envelope, also where that route has no table of its own. A
# (table, code) key serves every row of that code in the table; (table, code, nth) only the
# nth, for a code whose rows answer differently. tests/test_bcs_flows.py sends each request.
TRIGGERS = {
    ("basic_data_v1", "1"): [
        (("basic_data_v1",), "GET BasicData?mnemonic= with no type letters or no number "
                             "(e.g. mnemonic=1234567890 or mnemonic=CC), a type no route knows "
                             "(mnemonic=XX1234567890) or a number its type does not take "
                             "(mnemonic=CC12AB, over 20 characters)"),
        (("basic_data_v2",), "GET basicData?mnemonic= with no type letters or no number, a type "
                             "no route knows or a number its type does not take"),
        (("create_customer",), _MALFORMED + ", a govIssueIdentType no route knows (also the "
                               "employer's, entpr.govIssueIdent) or an identSerialNum over 20 "
                               "characters"),
        (("status_basic_data",), _MALFORMED + ", e.g. a trn.trnRqUID that is not 6 digits"),
        (("sync_data",), _MALFORMED + ", or a mnemonic whose type no route knows or whose number "
                         "is over 20 characters"),
        (("sync_data_file",), "file.binData that is not base64 of a JSON object, or " + _MALFORMED),
        (("query_pila",), _MALFORMED + " (e.g. a trn.trnRqUID that is not 6 digits), or "
                          "trn.invoiceInfo.identSerialNum over 20 characters"),
        (("customer_locations",), "govIssueIdentType outside the documented types, condition "
                                  "other than 1, 2 or 3, or an identserialnum over 20 characters"),
        (("channel_contact",), "govIssueIdentType outside the documented types or an "
                               "identserialnum over 20 characters"),
        (("remittances_basic_data",), "govIssueIdentType outside the documented types, or an "
                                      "identserialnum over 20 characters (or a passport number "
                                      "with other than letters and digits)"),
        (("basic_data_v4",), "a govIssueIdentType no route knows, or an identSerialNum over 20 "
                             "characters"),
        (tuple(r for r in ROUTES if r not in ("sync_data", "sync_data_file", "secure_data")),
         _HEADERS + "; on customer_locations and channel_contact the IP addresses and the user "
                    "answer their own rows (50501, 50502)"),
    ],
    ("basic_data_v1", "00001"): [
        (("basic_data_v1", "basic_data_v2"), "GET without the mnemonic query parameter"),
        (("basic_data_v4",), "GET without govIssueIdentType and identSerialNum (or cellphone)"),
        (("create_customer", "status_basic_data", "sync_data", "sync_data_file", "query_pila"),
         _MISSING),
        (("remittances_basic_data",), "no govIssueIdentType query parameter"),
    ],
    ("basic_data_v1", "1004"): [
        (tuple(ROUTES), "no X-Security-ClientID / X-Security-ClientSecret / X-Security-Token "
                        "(or client_id / client_secret / Bearer token)"),
    ],
    ("basic_data_v1", "1005"): [(tuple(ROUTES), "a wrong client id or client secret")],
    ("basic_data_v1", "1006"): [
        (("basic_data_v1", "basic_data_v2"), "a mnemonic that is no customer (e.g. mnemonic=CC1)"),
        (("basic_data_v4",), "govIssueIdentType + identSerialNum, or a cellphone, of no customer"),
        (("remittances_basic_data",), "GET remittances/basic-data/{identserialnum} for a number "
                                      "that is no customer"),
    ],
    ("customer_name_by_account", "05622"): [
        (("customer_name_by_account",), "identserialnum is a customer who does not hold acctid "
                                        "(e.g. .../identserialnum/1234567890/acctid/12321414)"),
    ],
    ("customer_name_by_account", "SQLCODE", 1): [
        (("customer_name_by_account",), "identserialnum is no customer (account exists), or a "
                                        "malformed identification: a govIssueIdentType no route "
                                        "knows, a number over 20 characters or one its type does "
                                        "not take (e.g. a CC that is not numeric)"),
    ],
    ("customer_name_by_account", "05620"): [
        (("customer_name_by_account",), "acctid is no account (e.g. acctid/1)"),
        (("status_basic_data",), "trn.depAcctIdTo.acctId is no account"),
        (("query_pila",), "trn.depAcctIdTo.acctId is no account"),
    ],
    ("customer_name_by_account", "05621"): [
        (("customer_name_by_account",), "acctid is an account with no holder (fixture account "
                                        "24000000019)"),
        (("status_basic_data",), "trn.depAcctIdTo.acctId is an account with no holder"),
    ],
    ("customer_locations", "51011"): [
        (("customer_locations",), "GET location/{identserialnum} for a number that is no "
                                  "customer"),
        (("channel_contact",), "GET channel/contact/{identserialnum} for a number that is no "
                               "customer"),
    ],
    ("customer_locations", "50005"): [
        (("customer_locations",), "GET location/{identserialnum} with an action other than I or "
                                  "T (e.g. ?action=X)"),
    ],
    ("customer_locations", "51041"): [
        (("channel_contact",), "GET channel/contact/{identserialnum} for a customer with no "
                               "current residence address or no income on record (e.g. one "
                               "that only came in through sync-data)"),
    ],
    ("customer_locations", "50501"): [
        (("customer_locations", "channel_contact"), "an X-Invoker-UserIPAddress or "
                                                    "X-Invoker-ServerIPAddress that is no IP "
                                                    "address (e.g. 10.5.43)"),
    ],
    ("customer_locations", "50502"): [
        (("customer_locations", "channel_contact"), "an X-Invoker-User with other than letters, "
                                                    "digits and . _ - (e.g. NEW CBSER*)"),
    ],
    ("customer_locations", "50503"): [
        (("create_customer",), "personName.firstName holds a character other than letters, "
                               "spaces, _ ' . - (e.g. CARL0S)"),
    ],
    ("customer_locations", "50504"): [
        (("create_customer",), "personName.middleName with invalid characters"),
    ],
    ("customer_locations", "50505"): [
        (("create_customer",), "personName.lastName with invalid characters"),
    ],
    ("customer_locations", "50506"): [
        (("create_customer",), "personName.secondLastName with invalid characters"),
    ],
    ("customer_locations", "50518"): [
        (("create_customer",), "contactInfo.phoneNum.phone (a landline) is not 7 digits or "
                               "10 digits starting 60"),
    ],
    ("customer_locations", "50562"): [
        (("create_customer",), "a phone of phoneType C is not a cellphone (10 digits starting 3)"),
        (("basic_data_v4",), "a non-numeric cellphone"),
        (("sync_data", "sync_data_file"), "custInfo[].contactInfo.phoneNumber is not a "
                                          "cellphone (10 digits starting 3)"),
    ],
    ("customer_locations", "50565"): [
        (("sync_data", "sync_data_file"), "custInfo[].personName.fullName is empty or holds a "
                                          "character other than letters, spaces, _ ' . - "
                                          "(e.g. Sara J0nes!)"),
    ],
    ("customer_locations", "50591"): [
        (("sync_data", "sync_data_file"), "listAccounts[] names an account another customer "
                                          "holds (e.g. 24567890123 with a mnemonic other than "
                                          "CC1234567890)"),
    ],
    ("customer_locations", "50555"): [
        (("create_customer",), "a CC, CE, TI/IT, NI/NIT or PE identSerialNum that is not "
                               "numeric"),
        (("customer_locations", "channel_contact"), "an identserialnum that is not numeric for "
                                                    "its govIssueIdentType (CC when not given)"),
        (("basic_data_v4",), "an identSerialNum that is not numeric for its numeric "
                             "govIssueIdentType (e.g. CC 12AB)"),
        (("remittances_basic_data",), "an identSerialNum that is not numeric for its numeric "
                                      "govIssueIdentType (e.g. CC 12AB)"),
        (("sync_data", "sync_data_file"), _MNEMONIC_NUMBER + " is not numeric for a numeric "
                                                             "type (e.g. CC12AB34)"),
        (("query_pila",), "trn.invoiceInfo.identSerialNum (the contributor's NIT) is not "
                          "numeric"),
    ],
    ("customer_locations", "50609"): [
        (("create_customer",), "an NI (NIT) identSerialNum that is not 9 digits (10 with its "
                               "check digit)"),
        (("customer_locations", "channel_contact"), "govIssueIdentType=NI with an identserialnum "
                                                    "that is not 9 or 10 digits"),
        (("basic_data_v4",), "govIssueIdentType=NI with a number that is not 9 or 10 digits"),
        (("remittances_basic_data",), "govIssueIdentType=NI with a number that is not 9 or 10 "
                                      "digits"),
        (("sync_data", "sync_data_file"), "an NI mnemonic whose number is not 9 or 10 digits "
                                          "(e.g. NI12345)"),
    ],
    ("customer_locations", "50545"): [
        (("create_customer",), "a 10-digit NIT whose last digit is not its DIAN check digit"),
        (("customer_locations", "channel_contact"), "govIssueIdentType=NI with a 10-digit "
                                                    "identserialnum whose check digit is wrong"),
        (("basic_data_v4",), "govIssueIdentType=NI with 10 digits whose check digit is wrong"),
        (("remittances_basic_data",), "govIssueIdentType=NI with 10 digits whose check digit is "
                                      "wrong"),
        (("sync_data", "sync_data_file"), "an NI mnemonic of 10 digits whose check digit is "
                                          "wrong (e.g. NI8909039381)"),
    ],
    ("secure_data", "00001", 1): [
        (("secure_data",), "a field longer than allowed (e.g. govIssueIdent.identSerialNum of "
                           "21 characters), or an X-Invoker-SessionKey over 30 characters"),
    ],
    ("secure_data", "00001", 2): [
        (("secure_data",), "an unknown question, a non-boolean answer, a missing or repeated "
                           "field, a govIssueIdentType no route knows, a number its type does "
                           "not take, or a govIssueIdent that is no customer, or another header "
                           "its table lists sent malformed (e.g. X-Invoker-ProcessDate not "
                           "YYYY-MM-DD)"),
    ],
}
for _n, _code in enumerate(("50529", "50530", "50531")):
    TRIGGERS[("customer_locations", _code)] = [
        (("sync_data", "sync_data_file"), f"custInfo[].additionalPhoneNum[{_n}].phoneNumber is "
                                          f"neither a cellphone nor a landline (e.g. 12AB)")]


def rules_for(route: str, code: str, nth: int) -> list[tuple]:
    table = TWIN_TABLES.get(route, route)
    return TRIGGERS.get((table, code, nth)) or TRIGGERS.get((table, code)) or []


def trigger_text(rules: list[tuple]) -> str | None:
    """"route[, route]: request; ..." (every BCS route: ... for a rule all of them enforce)."""
    parts = [("every BCS route" if set(routes) == set(ROUTES) else ", ".join(routes))
             + ": " + text for routes, text in rules]
    return "; ".join(parts) or None


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
        rules = rules_for(route, code, nth)
        row["trigger"] = trigger_text(rules)
        row["answered_on"] = list(dict.fromkeys(name for routes, _ in rules for name in routes))
    keys = ("id", "status", "code", "type", "description", "routes", "trigger", "answered_on")
    return [{key: row[key] for key in keys} for row in rows]


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python tools/extract_bcs_catalog.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Rewrite the BCS error catalog from seed 004's error tables: one row per\n"
                    "table row, with the natural triggers kept in this script (TRIGGERS).",
        epilog="example:\n  python tools/extract_bcs_catalog.py path/to/seeds/004_<id>.txt")
    parser.add_argument("seed", type=Path, metavar="SEED",
                        help="seed 004's text file (the BCS customersManagement specification)")
    parser.add_argument("out", type=Path, metavar="OUT", nargs="?", default=DEFAULT_OUT,
                        help="where to write the catalog (default: "
                             "scenarios/catalog/bcs_errors.yaml in this checkout)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    seed, out = args.seed, args.out
    try:
        text = seed.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"cannot read the seed {seed}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    rows = with_ids_and_triggers(parse(text))
    if not rows:
        print(f"{seed}: no error table found (is it seed 004?)", file=sys.stderr)
        return 1
    header = (f"# The BCS error catalog: every row of every error table of seed 004 "
              f"({len(rows)} rows),\n# generated by tools/extract_bcs_catalog.py. trigger: the "
              f"rules the sandbox enforces that answer the row\n# (route: request; null: reach it "
              f"with X-Sandbox-Error or a 999<code> number); answered_on: the\n# routes those "
              f"rules run on.\n")
    body = yaml.safe_dump({"errors": rows}, allow_unicode=True, sort_keys=False, width=100)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + body, encoding="utf-8")
    print(f"{len(rows)} rows -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
