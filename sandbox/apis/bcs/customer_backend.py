"""The rules of the BCS customer routes: create customer and account, basicData v1/v2/v4,
customer name by account, status-basic-data (the holder of an account).

Each function takes the session's state, the Operation (for the envelope of its errors) and the
parsed request, and returns records or raises a catalog error; rendering is customer_render's.

Rules with their own catalog codes (where a catalog row states a rule on a request field):
- every identification (create's govIssueIdent and employer, the mnemonic, v4's and
  name-by-account's type and number) follows identification.py, one rule for the family: the
  types, their spellings ("C.C." is CC), 20 characters at most, 50555 / 50609 / 50545 for the
  numbers, and each route's own code for each fault.
- create: invalid characters in firstName / middleName / lastName / secondLastName ->
  50503..50506; a landline that is not 7 digits (or 10 starting 60) -> 50518; a phone of type C
  that is not a cellphone (10 digits starting 3) -> 50562. Required fields missing -> 00001. A
  new product for a stored customer that is not bindable (flagBindable false, as channel contact
  shows it) -> 50002.
- Re-creating an existing customer (same type and number) updates what the request sends and
  keeps what it leaves out (updates.py: a sent name is the whole name, a sent address replaces
  the stored one of its type, other addresses, phones and e-mails stay), and answers the account
  it already holds for the same product (same request, same account); another product opens a
  new account. The seed's create table is empty, so no error is invented for it.
- basicData v1/v2: no mnemonic -> 00001; a mnemonic without type letters or number, or a
  malformed one -> 1 (their table has no number rows); no such customer -> 1006. v4: by
  govIssueIdentType + identSerialNum when both are given, else by cellphone; neither -> 00001, a
  non-numeric cellphone -> 50562, no such customer -> 1006.
- name by account: a malformed identification or one that is no customer -> SQLCODE (NO EXISTE
  REGISTRO CC0105CLIENTNUM); no such account -> 05620; an account with no holder -> 05621; not
  the holder -> 05622.
- status-basic-data: the holder of trn.depAcctIdTo.acctId; 05620 / 05621 as above.
"""
from __future__ import annotations

import datetime as dt

from . import fixtures, identification, model, updates
from .customer_schemas import CREATE_CUSTOMER, NAME_CHARACTERS, STATUS_BASIC_DATA, load

NAME_CODES = (("firstName", "50503"), ("middleName", "50504"), ("lastName", "50505"),
              ("secondLastName", "50506"))
PHONE_FIELDS = ("phoneNum", "additionalPhoneNum", "phoneNumResidence",
                "additionalPhoneNumResidence")
ACCOUNT_START = 600_000_000
REF_START = 203_200_000
CSP_REF_START = 1000


class Customers:
    def __init__(self, catalog):
        self.catalog = catalog
        self.create_settings = fixtures.data()["create"]

    # -- POST customer -----------------------------------------------------------------------
    def create(self, state, operation, body: dict) -> tuple[dict, dict]:
        data = load(CREATE_CUSTOMER, body, self.catalog, operation)
        self.check_identification(operation, data["govIssueIdent"], "govIssueIdent")
        employer = data.get("entpr", {}).get("govIssueIdent") or {}
        if employer.get("govIssueIdentType") and employer.get("identSerialNum"):
            self.check_identification(operation, employer, "entpr.govIssueIdent")
        self.check_names(operation, data["personName"])
        self.check_phones(operation, data)
        parts = customer_parts(data)
        product = product_of(data)
        with state.lock:
            state.prefetch(*model.save_reads(parts))  # on Redis, one round trip for them all
            existing = model.get_customer(state, data["govIssueIdent"]["govIssueIdentType"],
                                          data["govIssueIdent"]["identSerialNum"])
            account = held_account(state, existing, product) if existing else None
            if account is None and existing is not None:
                self.check_bindable(operation, existing)
            customer = self.stored_customer(state, existing, parts)
            if account is None:
                account = self.open_account(state, customer, product, data)
                customer = {**customer, "accounts": customer["accounts"] + [account["acctId"]]}
            model.save_customer(state, customer)
        return customer, account

    def check_identification(self, operation, ident: dict, path: str) -> None:
        """identification.py's rule (schemas.load has already written the body's in the seed's
        words: this passes)."""
        identification.check(self.catalog, operation, ident.get("govIssueIdentType"),
                             ident.get("identSerialNum"),
                             (f"{path}.govIssueIdentType", f"{path}.identSerialNum"))

    def check_bindable(self, operation, customer: dict) -> None:
        """A customer the bank keeps as not bindable (personInfo.flagBindable false on channel
        contact) is linked to no new product: 50002 PERSONA NO VINCULABLE."""
        if customer.get("flagBindable") is False:
            raise self.catalog.fail("50002", operation, f"{model.key_of(customer)}: "
                                    "personInfo.flagBindable is false, no new product")

    def check_names(self, operation, person_name: dict) -> None:
        for field, code in NAME_CODES:
            value = person_name.get(field) or ""
            if not NAME_CHARACTERS.match(value):
                raise self.catalog.fail(code, operation, f"personName.{field}: {value}")

    def check_phones(self, operation, data: dict) -> None:
        for path, item in phones_of(data):
            number = (item.get("phone") or "").strip()
            if not number:
                continue
            if (item.get("phoneType") or "").upper() == "C":
                if not is_cellphone(number):
                    raise self.catalog.fail("50562", operation, f"{path}.phone: {number}")
            elif not is_landline(number):
                raise self.catalog.fail("50518", operation, f"{path}.phone: {number}")

    def stored_customer(self, state, existing: dict | None, parts: dict) -> dict:
        """The customer a write leaves: `parts` (what it sends) laid over the stored customer, or
        over a new one (the fixtures' defaults, today's createDt, a new remittances id)."""
        today = dt.date.today().isoformat()
        if existing is None:
            # No issue date but the one the request sends: the fixtures' default is no one's.
            existing = fixtures.customer_record({
                "govIssueIdent": {"issDt": "", **parts["govIssueIdent"]}, "createDt": today,
                "remittances": {"cspRefId": state.next_number("bcs_csp_ref", CSP_REF_START)}})
        return updates.updated(existing, parts, today)

    def open_account(self, state, customer: dict, product: dict, data: dict) -> dict:
        ledger = product["productId"]["ledgerCode"]
        # A number no account holds yet (a fixture's, or one stored by sync-data, may)
        acct_id = state.next_unused("bcs_account", ACCOUNT_START, model.ACCOUNT,
                                    lambda number: f"{ledger}{number:09d}")
        pocket = (data.get("pocketInfo") or {}).get("pocketType", "")
        account = fixtures.account_record({
            **product, "acctId": acct_id, "holder": model.key_of(customer),
            "refNumber": f"1-{state.next_number('bcs_ref', REF_START)}",
            "openDt": dt.date.today().isoformat(),
            "gmf": self.create_settings["gmf"][(data.get("product") or {}).get("gmf", "N")],
            "pocketType": "SI" if pocket.upper() == "S" else "NO"})
        model.save_account(state, account)
        return account

    # -- basicData ---------------------------------------------------------------------------
    def by_mnemonic(self, state, operation, mnemonic: str | None) -> dict:
        ident = identification.check_mnemonic(self.catalog, operation, mnemonic)
        return self.found(operation, model.get_customer(state, *ident), f"mnemonic {mnemonic}")

    def by_identification_or_cellphone(self, state, operation, args) -> dict:
        cellphone = (args.get("cellphone") or "").strip()
        ident_type = (args.get("govIssueIdentType") or "").strip()
        number = (args.get("identSerialNum") or "").strip()
        if cellphone and not (ident_type and number):
            if not cellphone.isdigit():
                raise self.catalog.fail("50562", operation, f"cellphone: {cellphone}")
            return self.found(operation, model.find_by_cellphone(state, cellphone),
                              f"cellphone {cellphone}")
        missing = [name for name, value in (("govIssueIdentType", ident_type),
                                            ("identSerialNum", number)) if not value]
        if missing:
            raise self.catalog.fail("00001", operation, ", ".join(missing) + " (or cellphone)")
        ident = identification.check(self.catalog, operation, ident_type, number)
        return self.found(operation, model.get_customer(state, *ident), f"{ident_type} {number}")

    def found(self, operation, customer: dict | None, what: str) -> dict:
        if customer is None:
            raise self.catalog.fail("1006", operation, f"no customer with {what}")
        return customer

    # -- accounts ----------------------------------------------------------------------------
    def holder(self, state, operation, acct_id: str) -> tuple[dict, dict]:
        """The account and the customer who holds it."""
        account = model.get_account(state, acct_id)
        if account is None:
            raise self.catalog.fail("05620", operation, f"acctId {acct_id}")
        customer = model.holder_of(state, account)
        if customer is None:
            raise self.catalog.fail("05621", operation, f"acctId {acct_id}")
        return account, customer

    def name_by_account(self, state, operation, ident_serial_num: str, acct_id: str,
                        ident_type: str | None) -> dict:
        ident = identification.check(self.catalog, operation, ident_type, ident_serial_num,
                                     ("govIssueIdentType", "identserialnum"))
        account, holder = self.holder(state, operation, acct_id)
        customer = model.find_by_number(state, ident.number, ident.type)
        if customer is None:
            raise self.catalog.fail("SQLCODE:1", operation, f"identserialnum {ident_serial_num}")
        if model.key_of(customer) != account["holder"]:
            raise self.catalog.fail("05622", operation,
                                    f"identserialnum {ident_serial_num}, acctid {acct_id}")
        return holder

    def status_basic_data(self, state, operation, body: dict) -> tuple[dict, dict]:
        data = load(STATUS_BASIC_DATA, body, self.catalog, operation)
        return self.holder(state, operation, data["trn"]["depAcctIdTo"]["acctId"].strip())


# -- request -> record ----------------------------------------------------------------------------
def is_cellphone(number: str) -> bool:
    return len(number) == 10 and number.isdigit() and number.startswith("3")


def is_landline(number: str) -> bool:
    """7 digits (before 2021), or the 10-digit 60X numbers of today's plan."""
    return number.isdigit() and (len(number) == 7 or (len(number) == 10 and
                                                      number.startswith("60")))


def phones_of(data: dict):
    contact = data.get("contactInfo") or {}
    for name in PHONE_FIELDS:
        if contact.get(name):
            yield f"contactInfo.{name}", contact[name]
    agreement = data.get("entprAgreement") or {}
    for name in ("phoneNum", "additionalPhoneNum"):
        if agreement.get(name):
            yield f"entprAgreement.{name}", agreement[name]


def product_of(data: dict) -> dict:
    product = data.get("product") or {}
    ids = product.get("productId") or {}
    defaults = fixtures.data()["account_defaults"]
    return {"productId": {key: ids.get(key) or defaults["productId"][key]
                          for key in ("ledgerCode", "subLedgerCode", "groupCode")},
            "productType": product.get("productType") or defaults["productType"]}


def held_account(state, customer: dict, product: dict) -> dict | None:
    for account in model.accounts_of(state, customer):
        if (account["productId"], account["productType"]) == (product["productId"],
                                                             product["productType"]):
            return account
    return None


def pruned(value):
    """Drops empty strings, objects and lists, so an update keeps what the request left out."""
    if isinstance(value, dict):
        kept = {k: pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", {}, [], None)}
    return value


def money(value: str | None) -> str:
    return f"{value}.00" if value and "." not in value else (value or "")


def create_reads(args, body: dict) -> list[tuple[str, str]]:
    """What a create reads first, from the body as posted (Parts.reads): the records
    model.save_reads names for its customer_parts, found directly (customer_parts costs ~100
    us; this, a few)."""
    ident = body["govIssueIdent"]
    number = ident["identSerialNum"].strip()
    cellphone = cellphone_of(dict(phones_of(body)))
    return [(model.CUSTOMER, model.customer_key(ident["govIssueIdentType"], number)),
            (model.BY_NUMBER, number), *([(model.BY_CELLPHONE, cellphone)] if cellphone else [])]


def cellphone_of(phones: dict) -> str:
    """The customer's cellphone: the first of the request's phones (phones_of) of type C."""
    return next((p["phone"] for p in phones.values()
                 if (p.get("phoneType") or "").upper() == "C" and p.get("phone")), "")


def customer_parts(data: dict) -> dict:
    """The customer record's fields the create request sends (model.py's layout), and only
    those: updates.updated lays them over a stored customer, keeping what they leave out."""
    ident, name = data["govIssueIdent"], data["personName"]
    info, contact = data["personInfo"], data.get("contactInfo") or {}
    natural, agreement = data.get("naturalPerson") or {}, data.get("entprAgreement") or {}
    employer = (data.get("entpr") or {}).get("govIssueIdent") or {}
    phones = dict(phones_of(data))
    cellphone = cellphone_of(phones)
    landline = (contact.get("phoneNum") or {}).get("phone", "")
    email = (info.get("contactInfo") or {}).get("emailAddr", "")
    today = dt.date.today().isoformat()
    parts = pruned({
        "govIssueIdent": {"govIssueIdentType": ident["govIssueIdentType"].strip().upper(),
                          "identSerialNum": ident["identSerialNum"].strip(),
                          "expCityId": (info.get("govIssueIdent") or {}).get("expCityId"),
                          **issue_date(ident["govIssueIdentType"], info)},
        "personType": (data.get("clientType") or {}).get("value"),
        "personInfo": {"birthDt": info["birthDt"], "gender": info.get("gender"),
                       "maritalStatus": info.get("maritalStatus"),
                       "maritalDesc": info.get("maritalDesc"),
                       "countryInfo": natural.get("countryInfo"), "cityId": natural.get("cityId"),
                       "city": natural.get("city")},
        "cellPhone": cellphone,
        "contactInfo": {"emailAddr": email, "cellPhone": cellphone, "phone": landline},
        "emails": [{"idItem": "", "processId": "", "emailAddr": email, "condition": "V"}]
        if email else [],
        "phones": [{"phoneType": "CEL" if (p.get("phoneType") or "").upper() == "C" else "ADI",
                    "cellPhone": p["phone"], "phoneExt": "", "idItem": "", "processId": "",
                    "condition": "V"} for path, p in phones.items()
                   if p.get("phone") and path.startswith("contactInfo.additional")],
        "postAddr": sent_addresses(contact.get("postAddr") or {}, landline, agreement),
        "entpr": {"govIssueIdentType": employer.get("govIssueIdentType"),
                  "identSerialNum": employer.get("identSerialNum"),
                  "name": agreement.get("entprDesc")},
        "business": {
            "occupationCode": (data.get("businessOcupation") or {}).get("ocupationCode"),
            "occupationDesc": (data.get("businessOcupation") or {}).get("desc"),
            "businessType": (data.get("businessActivity") or {}).get("businessType"),
            "certCode": (data.get("businessActivity") or {}).get("certCode"),
            "activityDesc": (data.get("businessActivity") or {}).get("desc"),
            "professionCode": (data.get("businessProfession") or {}).get("certCode"),
            "professionDesc": (data.get("businessProfession") or {}).get("desc"),
            "professionGeneral": (data.get("businessProfessionGeneral") or {}).get("certCode"),
            "professionSpecific": (data.get("businessProfessionSpecific") or {}).get("certCode")},
        "financial": {
            "incomeAmt": money((info.get("income") or {}).get("incomeAmt")),
            "otherIncomeAmt": money((info.get("otherIncome") or {}).get("amt")),
            "otherIncomeName": (info.get("otherIncome") or {}).get("name"),
            "expenseAmt": money((info.get("expense") or {}).get("amt")),
            "assetsAmt": money((info.get("finalcialAssets") or {}).get("amt")),
            "liabilitiesAmt": money((info.get("financialLiabilities") or {}).get("amt")),
            "originResources": info.get("originResources"),
            "adminResources": info.get("adminResources")},
        "upDt": today, "sarlaftDt": today,
    })
    # A sent name is the whole new name: its empty parts are "" too, not the stored ones.
    parts["personName"] = {key: name.get(key, "") for key in
                           ("firstName", "middleName", "lastName", "secondLastName")}
    return parts


def sent_addresses(residence: dict, landline: str, agreement: dict) -> list[dict]:
    """The residence (contactInfo.postAddr, its landline contactInfo.phoneNum) and the office
    (the payroll agreement's address, city and phone) the request sends, each only with the
    parts it sends."""
    sent = [pruned({"addrType": "03", "addr1": residence.get("addr1"),
                    "cityId": residence.get("cityId"), "city": residence.get("city"),
                    "phone": landline}),
            pruned({"addrType": "04", "addr1": (agreement.get("postAddr") or {}).get("addr1"),
                    "cityId": agreement.get("cityId"),
                    "phone": (agreement.get("phoneNum") or {}).get("phone")})]
    return [address for address in sent if len(address) > 1]


def issue_date(ident_type: str, info: dict) -> dict:
    """personInfo.govIssueIdent.expDt as the record keeps it. The seed's create table calls it
    "Date issuance" ("exp" for expedición), so for a document that does not expire it is the
    issue date (issDt). For one that expires (CE, PA, PE) it is the expiry date (expDt): the
    remittances mapping makes that date mandatory for them, and this is the only date a client
    can send."""
    date = (info.get("govIssueIdent") or {}).get("expDt")
    expiring = ident_type.strip().upper() in model.EXPIRING_TYPES
    return {"expDt" if expiring else "issDt": date}
