"""The rules of the BCS profile routes: who is asked for, what is stored, which catalog row a
request earns. Backends raise catalog rows (SandboxError); profile_render shapes the answers.

Every identification (path, query, body, mnemonic) follows identification.py, one rule for the
family: the types and their spellings, 20 characters at most, 50555 / 50609 / 50545 for the
numbers (1 for an unknown type or a number too long), and each route's own rows where its table
has them (secure-data's two 00001 rows).

Catalog rows these rules answer (besides 1004/1005 from auth and the forced ones):
- locations, contact: 51011 no such customer; 1 a condition outside the documented values;
  50005 (locations) an `action` other than I or T; 51041 (contact) a customer without residence
  address or income on record (e.g. one that only came in through sync-data).
- secure-data: 00001 "Error en la longitud de la trama de entrada" for a field longer than allowed,
  00001 "Error de entrada datos incorrectos" for any other malformed / missing field, an unknown
  question, a non-boolean answer, or a customer the bank does not know.
- sync-data, sync-data-file: 00001 missing required fields, 1 malformed values (and, for the file,
  binData that is not base64 of a JSON object); the mnemonic as identification.py says; 50565
  invalid characters in custInfo[].personName.fullName; 50562 contactInfo.phoneNumber not a
  cellphone; 50529-50531 additionalPhoneNum[0-2] not a phone number; 50591 an account in
  listAccounts or custInfo[].listAccounts held by another customer; 1 a postAddress[].addrType
  the intake does not know; 50621 two Home addresses, 50624 two Work / Office addresses in one
  request (each intake address is a current one; one residence and one office per customer).
- remittances: 00001 govIssueIdentType missing, 1 malformed type or number, 1006 no such customer.
- query-pila: 00001 missing fields, 1 malformed values, 50555 a non-numeric aportante NIT,
  05620 trn.depAcctIdTo.acctId is no account.
Malformed headers are refused before any of these (headers.py).
"""
from __future__ import annotations

import random
from datetime import date

from marshmallow import ValidationError

from . import identification, model
from .customer_backend import Customers, is_cellphone, is_landline
from .profile_intake import decode_file, intake_account, intake_parts
from .profile_schemas import LENGTH_PREFIX, QUERY_PILA, SECURE_DATA, SYNC_DATA, SYNC_DATA_FILE
from .customer_schemas import NAME_CHARACTERS, faults

MISSING = "Missing data for required field"
LOCATION_ACTIONS = ("I", "T")          # I integrals (default), T transformed
LOCATION_CONDITIONS = {"1": ("V",), "2": ("N",), "3": ("V", "N")}   # current, expired, all
ADDITIONAL_PHONE_CODES = ("50529", "50530", "50531")   # TELEFONO ADICIONAL 1, 2, 3
# SOLO PUEDE EXISTIR UNA DIRECCION DE RESIDENCIA / DE OFICINA PARA ESE CLIENTE
ONE_ADDRESS_CODES = {"03": "50621", "04": "50624"}
SECURE_LENGTH_ROW = "secure_data/00001"       # Error en la longitud de la trama de entrada
SECURE_INPUT_ROW = "secure_data/00001#2"      # Error de entrada datos incorrectos


class ProfileBackend:
    def __init__(self, catalog, fakes, data: dict):
        self.catalog = catalog
        self.fakes = fakes
        self.rows = {row["id"]: row for row in self.catalog.rows}
        # The customer routes' rules (identification numbers, new customers) serve here too.
        self.customers = Customers(catalog)
        self.data = data

    # -- errors --------------------------------------------------------------------------------
    def fail(self, spec: str, operation, detail: str | None = None):
        return self.catalog.fail(spec, operation, detail)

    def invalid(self, exc: ValidationError, operation, prefix: str = ""):
        """00001 when a required field is missing, 1 (BAD REQUEST) otherwise; naming each field."""
        problems = {prefix + path: message for path, message in faults(exc.messages)}
        missing = any(message.startswith(MISSING) for message in problems.values())
        return self.fail("00001" if missing else "1", operation, _describe(problems))

    # -- who is asked for ----------------------------------------------------------------------
    def check_number(self, operation, ident_type: str | None, number: str,
                     path: str = "govIssueIdent") -> None:
        """sync-data's mnemonic, as identification.py rules it."""
        where = f"{path}.mNemonic"
        identification.check(self.catalog, operation, ident_type, number,
                             (f"{where} type", f"{where} number"))

    def customer(self, state, operation, number: str, args) -> dict:
        """The customer locations and contact ask for, or 51011 (CLIENTE NO EXISTE BCSC)."""
        ident = identification.check(self.catalog, operation, args.get("govIssueIdentType"),
                                     number, ("govIssueIdentType", "identserialnum"))
        customer = model.find_by_number(state, ident.number, ident.type)
        if customer is None:
            raise self.fail("51011", operation, f"no customer {ident.type or ''}{ident.number}")
        return customer

    # -- GET location/{identserialnum} ---------------------------------------------------------
    def customer_locations(self, state, operation, number: str, args) -> tuple[dict, list[dict]]:
        action = args.get("action", "I") or "I"
        if action.upper() not in LOCATION_ACTIONS:
            raise self.fail("50005", operation, f"action {action!r}: use I (integrals) or "
                                                f"T (transformed)")
        condition = args.get("condition", "1") or "1"
        if condition not in LOCATION_CONDITIONS:
            raise self.fail("1", operation, f"condition {condition!r}: use 1 (current), "
                                            f"2 (expired) or 3 (all)")
        customer = self.customer(state, operation, number, args)
        wanted = LOCATION_CONDITIONS[condition]
        # The condition selects the e-mail and phone records too (a cellphone the customer gave
        # up is an N record); one without a condition is a current one, as the seed's example
        # lists such records under the default condition.
        chosen = {kind: [item for item in customer.get(kind, ())
                         if (item.get("condition") or "V") in wanted]
                  for kind in ("emails", "phones")}
        return {**customer, **chosen}, [a for a in customer.get("postAddr", ())
                                        if a.get("condition") in wanted]

    # -- GET channel/contact/{identserialnum} --------------------------------------------------
    def channel_contact(self, state, operation, number: str, args):
        customer = self.customer(state, operation, number, args)
        residence = current_address(customer, ("03", "01"))
        missing = [name for name, present in (
            ("residence address", residence),
            ("income", customer.get("financial", {}).get("incomeAmt"))) if not present]
        if missing:
            raise self.fail("51041", operation, "no " + " and no ".join(missing) + " on record")
        return customer, residence, current_address(customer, ("04",))

    # -- GET remittances/basic-data/{identserialnum} -------------------------------------------
    def remittances(self, state, operation, number: str, args):
        ident = identification.check(self.catalog, operation, args.get("govIssueIdentType"),
                                     number, ("govIssueIdentType", "identserialnum"))
        customer = model.get_customer(state, *ident)
        if customer is None:
            raise self.fail("1006", operation, f"no customer {ident.type}{ident.number}")
        return customer, current_locations(customer)

    # -- PUT secure-data -----------------------------------------------------------------------
    def secure_data(self, state, operation, body: dict) -> dict:
        """Stores the answers on the customer (compliance.questions, merged with earlier ones);
        preguntaATDP001 is the data-processing consent (termsConditions), preguntaATDP002 the
        commercial-use consent (personDataProcessing), as remittances shows them."""
        try:
            data = SECURE_DATA.load(body)
        except ValidationError as exc:
            problems = dict(faults(exc.messages))
            length = any(m.startswith(LENGTH_PREFIX) for m in problems.values())
            row = self.rows[SECURE_LENGTH_ROW if length else SECURE_INPUT_ROW]
            raise self.catalog.error(row, operation, _describe(problems)) from None
        given = data["govIssueIdent"]
        ident = identification.check(self.catalog, operation, given["govIssueIdentType"],
                                     given["identSerialNum"],
                                     ("govIssueIdent.govIssueIdentType",
                                      "govIssueIdent.identSerialNum"))
        answers = {item["question"]: item["answer"] for item in data["compliance"]}
        with state.lock:
            customer = model.get_customer(state, *ident)
            if customer is None:
                raise self.catalog.error(self.rows[SECURE_INPUT_ROW], operation,
                                         f"govIssueIdent: no customer {ident.type}{ident.number}")
            model.save_customer(state, with_compliance(customer, answers))
        return customer

    # -- POST sync-data / sync-data-file -------------------------------------------------------
    def sync_data(self, state, operation, body: dict, prefix: str = "") -> dict:
        try:
            data = SYNC_DATA.load(body)
        except ValidationError as exc:
            raise self.invalid(exc, operation, prefix) from None
        ident = data["govIssueIdent"]
        mnemonic = ident.get("mNemonic", ident.get("mnemonic"))
        ident_type, number = model.parse_mnemonic(mnemonic)
        self.check_number(operation, ident_type, number, prefix + "govIssueIdent")
        self.check_intake(operation, data, prefix)
        with state.lock:
            record = model.get_customer(state, ident_type, number)
            key = model.customer_key(ident_type, number)
            accounts = self.intake_accounts(state, operation, account_items(data), key, prefix)
            # Each custInfo[] entry is data of the one customer the mnemonic names, in order.
            for info in data["custInfo"]:
                parts = intake_parts(record, info, data, ident_type, number, self.data,
                                     [a["acctId"] for a in accounts])
                record = self.customers.stored_customer(state, record, parts)
            record = model.save_customer(state, record)
            for account in accounts:
                model.save_account(state, account)
        return record

    def sync_data_file(self, state, operation, body: dict) -> dict:
        try:
            data = SYNC_DATA_FILE.load(body)
        except ValidationError as exc:
            raise self.invalid(exc, operation) from None
        content = decode_file(data["file"]["binData"])
        if isinstance(content, str):
            raise self.fail("1", operation, f"file.binData: {content}")
        return self.sync_data(state, operation, content, prefix="file.binData:")

    def check_intake(self, operation, data: dict, prefix: str) -> None:
        self.check_addresses(operation, data, prefix)
        for index, info in enumerate(data["custInfo"]):
            where = f"{prefix}custInfo.{index}"
            name = info["personName"]["fullName"]
            if not name.strip() or not NAME_CHARACTERS.match(name):
                raise self.fail("50565", operation, f"{where}.personName.fullName {name!r}")
            phone = info.get("contactInfo", {}).get("phoneNumber")
            if phone and not is_cellphone(phone):
                raise self.fail("50562", operation, f"{where}.contactInfo.phoneNumber {phone!r} "
                                                    f"is not 10 digits starting with 3")
            for n, extra in enumerate(info.get("additionalPhoneNum", ())[:3]):
                number = extra.get("phoneNumber", "")
                if number and not (is_cellphone(number) or is_landline(number)):
                    raise self.fail(ADDITIONAL_PHONE_CODES[n], operation,
                                    f"{where}.additionalPhoneNum.{n}.phoneNumber {number!r} is "
                                    f"neither a cellphone nor a landline")

    def check_addresses(self, operation, data: dict, prefix: str) -> None:
        """Each postAddress[] of a type the intake knows (bcs_profile.yaml sync_address_types),
        and at most one residence (50621) and one office (50624) in the whole request: every
        intake address is a current one, and the upstream keeps one of each per customer."""
        known = self.data["sync_address_types"]
        found: dict[str, list[str]] = {}
        for n, info in enumerate(data["custInfo"]):
            for i, item in enumerate(info.get("postAddress", ())):
                where = f"{prefix}custInfo.{n}.postAddress.{i}"
                kind = (item.get("addrType") or "home").lower()
                if kind not in known:
                    raise self.fail("1", operation, f"{where}.addrType {item['addrType']!r}: "
                                    f"expected {', '.join(k.capitalize() for k in known)}")
                found.setdefault(model.address_kind(known[kind])[0], []).append(where)
        for code, paths in found.items():
            if len(paths) > 1 and code in ONE_ADDRESS_CODES:
                raise self.fail(ONE_ADDRESS_CODES[code], operation, " and ".join(paths) +
                                " are both current addresses of that type")

    def intake_accounts(self, state, operation, items: list[tuple[str, dict]], holder: str,
                        prefix: str) -> list[dict]:
        accounts: dict[str, dict] = {}
        for where, item in items:
            acct_id = (item.get("depAcctId", {}).get("acctId")
                       or item.get("cardAcctId", {}).get("acctId"))
            stored = model.get_account(state, acct_id)
            if stored is not None and stored.get("holder") not in (None, holder):
                raise self.fail("50591", operation, f"{prefix}{where}: account "
                                                    f"{acct_id} belongs to another customer")
            accounts[acct_id] = intake_account(stored, item, acct_id, holder)
        return list(accounts.values())

    # -- POST query-pila -----------------------------------------------------------------------
    def query_pila(self, state, operation, body: dict) -> dict:
        try:
            trn = QUERY_PILA.load(body)["trn"]
        except ValidationError as exc:
            raise self.invalid(exc, operation) from None
        invoice = trn["invoiceInfo"]
        # The aportante's NIT comes without a type: the route's rule reads it as a number.
        aportante = identification.check(self.catalog, operation, None, invoice["identSerialNum"],
                                         ("", "trn.invoiceInfo.identSerialNum")).number
        acct_id = trn["depAcctIdTo"]["acctId"]
        if model.get_account(state, acct_id) is None:
            raise self.fail("05620", operation, f"trn.depAcctIdTo.acctId {acct_id}")
        known = self.data["pila_planillas"].get(invoice["invoiceNum"])
        if known is not None:
            return {**known, "identSerialNum": aportante}
        return self.generated_planilla(invoice["invoiceNum"], aportante)

    def generated_planilla(self, invoice_num: str, aportante: str) -> dict:
        """A planilla derived from its number: the same number, the same planilla (this month)."""
        spec = self.data["pila_generated"]
        rng = random.Random(self.fakes.random_seed("bcs-pila", invoice_num))
        today = date.today()
        period = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
        return {"approvalId": f"{rng.randint(0, 999_999):06d}", "identSerialNum": aportante,
                "validityPeriod": period.strftime("%Y-%m"),
                "dueDt": today.replace(day=spec["due_day"]).isoformat(),
                "amt": rng.randint(spec["min_amt"] // 100, spec["max_amt"] // 100) * 100}


# -- records -----------------------------------------------------------------------------------
def account_items(data: dict) -> list[tuple[str, dict]]:
    """The intake's accounts with where they are: listAccounts[] (the example's place) and
    custInfo[].listAccounts[] (the mapping table's)."""
    found = [(f"listAccounts.{i}", item) for i, item in enumerate(data["listAccounts"])]
    for n, info in enumerate(data["custInfo"]):
        found += [(f"custInfo.{n}.listAccounts.{i}", item)
                  for i, item in enumerate(info.get("listAccounts", ()))]
    return found


def _describe(problems: dict[str, str]) -> str:
    return "; ".join(f"{path}: {message}" for path, message in problems.items())


def current_locations(customer: dict) -> list[dict]:
    return [a for a in customer.get("postAddr", ()) if a.get("condition") == "V"]


def current_address(customer: dict, types: tuple[str, ...]) -> dict | None:
    for addr_type in types:
        for address in customer.get("postAddr", ()):
            if address.get("addrType") == addr_type and address.get("condition", "V") == "V":
                return address
    return None


def with_compliance(customer: dict, answers: dict) -> dict:
    compliance = customer.get("compliance", {})
    questions = {**compliance.get("questions", {}), **answers}
    today = date.today().isoformat()
    return {**customer, "upDt": today, "compliance": {
        **compliance, "questions": questions,
        "termsConditions": questions.get("preguntaATDP001", compliance.get("termsConditions", True)),
        "personDataProcessing": questions.get("preguntaATDP002",
                                              compliance.get("personDataProcessing", True))}}
