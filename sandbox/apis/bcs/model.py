"""BCS customers and accounts in the shared store, and the lookups every BCS route uses.

Kinds
-----
- `bcs_customer`, key `<govIssueIdentType>:<identSerialNum>` (e.g. `CC:1234567890`).
- `bcs_account`, key `acctId`.
- `_bcs_cellphone` (index), key a cellphone: `{"customer": "<customer key>" | null}`; both the
  customer's own `cellPhone` and `contactInfo.cellPhone` point to it. One holder per number, as
  the upstream keeps: a number finds the customer who holds it now, and only that one. A
  customer who changes its number gives the old one up (null: it finds no one); a customer who
  writes a number another holds takes it over, and the other gives it up: its cellPhone /
  contactInfo.cellPhone emptied, its CEL phone record of that number no vigente (N). The last
  write wins because that is what the client just stored (QA teams reuse their own number for
  every test customer; the seed's examples give 3105556755 to two customers).
- `_bcs_ident` (index), key an identSerialNum: `{"customers": ["<customer key>", ...]}`, for the
  routes that take only the number (`/location/{identserialnum}`, `/channel/contact/...`).

Customer record (keys in the upstream's own words; amounts and codes are strings, as the seed
writes them; dates `YYYY-MM-DD`, "" where there is none):

    govIssueIdent: {govIssueIdentType, identSerialNum, expCityId, issDt, expDt, city, country}
                   (expDt only for EXPIRING_TYPES: see customer_backend.issue_date)
    personType: "N" natural | "J" legal            (create's clientType.value)
    personName: {firstName, middleName, lastName, secondLastName, fullName}
    personInfo: {birthDt, gender, maritalStatus, maritalDesc,
                 countryInfo, cityId, city}         (birth country and city: naturalPerson)
    cellPhone: the number basicData v4 finds the customer by (`?cellphone=`)
    contactInfo: {emailAddr, cellPhone, phone}     (main email, cellphone, landline)
    emails: [{idItem, processId, emailAddr, condition}]                  (locations emailFromInfo)
    phones: [{phoneType: CEL|ADI, cellPhone, phoneExt, idItem, processId, condition}]
                                      (a CEL record is V while its number is held, N after)
    postAddr: [{addrType: "03" residence | "04" office | "01", addr1, neighborhood, cityId, city,
                stateProv, stateProvDesc, country, postalCode, phone, phoneExt,
                phones: [{phoneType, cellPhone, idItem, processId, condition}],
                idItem, processId, condition: V|N, createdDt, upDt, user, modifierUser,
                submitBranchId, adminBranchId}]
    entpr: {govIssueIdentType, identSerialNum, name}    (employer: v1/v2 OrgId)
    business: {occupationCode, occupationDesc, businessType, certCode, activityDesc,
               professionCode, professionDesc, professionGeneral, professionSpecific,
               ciiu, jobTitle, rank, flagPubExpPerson (bool), companyName}
    financial: {incomeAmt, otherIncomeAmt, otherIncomeName, expenseAmt, assetsAmt,
                liabilitiesAmt, familyHeritageAmt, originResources, adminResources}
                (amounts as "4510000.00")
    createDt, upDt, sarlaftDt, deceasedDt, flagAlert: "N", flagExist: "s/", status: "",
    flagBindable: bool
    compliance: {termsConditions: bool, personDataProcessing: bool,
                 questions: {preguntaATDP001: bool, ...}}            (secure-data answers)
    remittances: {cspRefId: int, clientTerminalSeqId: int, status, beneficiaries: [{idItem,
                  cspRefId, identSerialNum, emailAddr, firstName, middleName, lastName,
                  secondLastName}], senderPmtInfo: [{cspRefId, type, rank}],
                  pmtReferences: {updateRefId, branchId}}
    accounts: [acctId, ...]

Account record:

    {acctId, holder: "<customer key>" | null, acctType: "SDA", name, productId: {ledgerCode,
     subLedgerCode, groupCode}, productType, refNumber, openDt, status: "A", curCode: "COP",
     gmf: {gmf, gmfAccountNumber, gmfDesc, bankName}, pocketType: "SI" | "NO"}

Values from the store are never mutated: writers build new dicts (see store.py). POST customer
and sync-data update a stored customer by one rule, updates.py's.
"""
from __future__ import annotations

from datetime import date

from . import identification

CUSTOMER = "bcs_customer"
ACCOUNT = "bcs_account"
BY_CELLPHONE = "_bcs_cellphone"
BY_NUMBER = "_bcs_ident"

# Types whose document expires (immigration card, passport, special stay permit): the remittances
# mapping sends their expiry date (govIssueIdent.expDt), "mandatory for some types of
# identification such as immigration card, passport"; for the others the field does not appear.
EXPIRING_TYPES = ("CE", "PA", "PE")
# The residence (03), and the 01 location the seed's locations example shows, which the readers
# (channel contact, remittances' RESI) take for a residence: a write updates either as one.
RESIDENCE = ("03", "01")


def address_kind(addr_type: str) -> tuple[str, ...]:
    """The location codes that are one address for the upstream's one-per-customer rows
    (50621 residence, 50624 office), the preferred first."""
    return RESIDENCE if addr_type in RESIDENCE else (addr_type,)


def customer_key(ident_type: str, ident_serial_num: str) -> str:
    """The store key: the type in the seed's words (identification.py), so "C.C." and "cc" find
    the CC customer."""
    return f"{identification.normal_type(ident_type)}:{str(ident_serial_num).strip()}"


def key_of(customer: dict) -> str:
    ident = customer["govIssueIdent"]
    return customer_key(ident["govIssueIdentType"], ident["identSerialNum"])


def full_name(person_name: dict) -> str:
    parts = (person_name.get(k) for k in ("firstName", "middleName", "lastName", "secondLastName"))
    return " ".join(p.strip() for p in parts if p and p.strip())


def parse_mnemonic(mnemonic: str) -> tuple[str, str] | None:
    """`CC1234567890` -> ("CC", "1234567890"); None when it has no type letters or no number
    (identification.parse_mnemonic)."""
    return identification.parse_mnemonic(mnemonic)


def mnemonic_number(mnemonic: str) -> str:
    """The identification number a mnemonic carries (its type letters dropped)."""
    parsed = parse_mnemonic(mnemonic)
    return parsed[1] if parsed else (mnemonic or "").strip()


# -- lookups ------------------------------------------------------------------------------------
def get_customer(state, ident_type: str, ident_serial_num: str) -> dict | None:
    return state.get(CUSTOMER, customer_key(ident_type, ident_serial_num))


def find_by_number(state, ident_serial_num: str, ident_type: str | None = None) -> dict | None:
    """The customer with that number (of that type when given; the first one otherwise)."""
    if ident_type:
        return get_customer(state, ident_type, ident_serial_num)
    entry = state.get(BY_NUMBER, str(ident_serial_num).strip())
    for key in (entry or {}).get("customers", ()):
        customer = state.get(CUSTOMER, key)
        if customer is not None:
            return customer
    return None


def find_by_mnemonic(state, mnemonic: str) -> dict | None:
    parsed = parse_mnemonic(mnemonic)
    return get_customer(state, *parsed) if parsed else None


# -- what a read names before it runs (Parts.reads: a round's reads go together) -------------
def read_by_identification(args, body=None) -> list[tuple[str, str]]:
    """basicData v4's customer, where the query names its identification."""
    ident_type = (args.get("govIssueIdentType") or "").strip()
    number = (args.get("identSerialNum") or "").strip()
    return [(CUSTOMER, customer_key(ident_type, number))] if ident_type and number else []


def read_by_mnemonic(args, body=None) -> list[tuple[str, str]]:
    """basicData v1 and v2's customer, named by its mnemonic."""
    parsed = parse_mnemonic(args.get("mnemonic"))
    return [(CUSTOMER, customer_key(*parsed))] if parsed else []


def cellphones(customer: dict) -> set[str]:
    """The numbers basicData v4 finds the customer by: its cellPhone and contactInfo.cellPhone."""
    numbers = (customer.get("cellPhone"), (customer.get("contactInfo") or {}).get("cellPhone"))
    return {number for number in numbers if number}


def find_by_cellphone(state, cellphone: str) -> dict | None:
    """The customer who holds the number now (the index checked against the record)."""
    number = str(cellphone).strip()
    key = (state.get(BY_CELLPHONE, number) or {}).get("customer")
    customer = state.get(CUSTOMER, key) if key else None
    return customer if customer is not None and number in cellphones(customer) else None


def get_account(state, acct_id: str) -> dict | None:
    return state.get(ACCOUNT, str(acct_id).strip())


def holder_of(state, account: dict) -> dict | None:
    """The customer who holds the account, or None (no holder, or a holder since removed)."""
    key = account.get("holder")
    return state.get(CUSTOMER, key) if key else None


def accounts_of(state, customer: dict) -> list[dict]:
    found = (get_account(state, acct_id) for acct_id in customer.get("accounts", ()))
    return [account for account in found if account is not None]


# -- writes (callers hold state.lock around read-then-write rules) -------------------------------
def index_entries(customer: dict, known_numbers: dict | None = None) -> dict[str, dict]:
    """The index records pointing at a customer: {kind: {key: value}}. known_numbers: the
    current `_bcs_ident` entries of its number, so other types with that number are kept."""
    key = key_of(customer)
    number = customer["govIssueIdent"]["identSerialNum"]
    keys = list((known_numbers or {}).get("customers", ()))
    return {
        BY_NUMBER: {number: {"customers": keys if key in keys else keys + [key]}},
        BY_CELLPHONE: {phone: {"customer": key} for phone in cellphones(customer)},
    }


def save_reads(customer: dict) -> list[tuple[str, str]]:
    """The records save_customer reads for a customer that looks like this one: what a create
    asks the state for at once (state.prefetch)."""
    return [(CUSTOMER, key_of(customer)),
            (BY_NUMBER, customer["govIssueIdent"]["identSerialNum"]),
            *((BY_CELLPHONE, phone) for phone in sorted(cellphones(customer)))]


def save_customer(state, customer: dict) -> dict:
    """Stores the customer and points the indexes at it: its number, and the cellphones it
    holds now (one holder per number: see `_bcs_cellphone` above). Returns what was stored."""
    key, number = key_of(customer), customer["govIssueIdent"]["identSerialNum"]
    before = state.get(CUSTOMER, key) or {}
    released = cellphones(before) - cellphones(customer)
    customer = with_cel_conditions(customer, cellphones(customer), released)
    for phone in cellphones(customer):
        take_over(state, phone, key)
    state.put(CUSTOMER, key, customer)
    for kind, entries in index_entries(customer, state.get(BY_NUMBER, number)).items():
        for entry_key, value in entries.items():
            state.put(kind, entry_key, value)
    for phone in released:
        if (state.get(BY_CELLPHONE, phone) or {}).get("customer") == key:
            state.put(BY_CELLPHONE, phone, {"customer": None})
    return customer


def take_over(state, phone: str, key: str) -> None:
    """The customer who held `phone` before `key` wrote it gives it up."""
    other_key = (state.get(BY_CELLPHONE, phone) or {}).get("customer")
    other = state.get(CUSTOMER, other_key) if other_key not in (None, key) else None
    if other is None or phone not in cellphones(other):
        return
    contact = other.get("contactInfo") or {}
    state.put(CUSTOMER, other_key, with_cel_conditions({
        **other, "cellPhone": "" if other.get("cellPhone") == phone else other.get("cellPhone"),
        "contactInfo": {**contact, "cellPhone": "" if contact.get("cellPhone") == phone
                        else contact.get("cellPhone", "")},
        "upDt": date.today().isoformat()}, set(), {phone}))


def with_cel_conditions(customer: dict, held: set[str], released: set[str]) -> dict:
    """The customer's CEL phone records: vigente (V) for the numbers it holds, no vigente (N)
    for those it gave up; kept either way, as the upstream keeps its records."""
    def condition(phone: dict) -> str:
        if phone.get("phoneType") == "CEL" and phone.get("cellPhone") in held | released:
            return "V" if phone["cellPhone"] in held else "N"
        return phone.get("condition", "")
    phones = [{**phone, "condition": condition(phone)} for phone in customer.get("phones", ())]
    return {**customer, "phones": phones} if phones != customer.get("phones", []) else customer


def save_account(state, account: dict) -> None:
    state.put(ACCOUNT, account["acctId"], account)
