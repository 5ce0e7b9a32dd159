"""BCS fixtures: the seed's persons and accounts (scenarios/data/bcs_fixtures.yaml) plus a seeded
set of generated Colombian customers, each holding a savings account. Built once per seed.

The same `customer_record` / `account_record` turn a partial record into a complete one for the
fixtures and for POST customer, so every route finds the fields of the layout in model.py. Only
the fixtures are also laid over `person_defaults` (`fixture_record`): a record a client writes
holds what it sent, nothing the sandbox made up.
"""
from __future__ import annotations

import functools
import unicodedata


from ...fakes import Fakes
from ...resources import shipped_data
from . import model

LOCALE = "es_CO"  # Colombia: the names, cities and phones of fake customers

DATA_FILE = "data/bcs_fixtures.yaml"


@functools.lru_cache(maxsize=1)
def data() -> dict:
    return shipped_data(DATA_FILE)


def merged(base: dict, over: dict) -> dict:
    """`over` laid on `base`, nested dicts merged (a new dict; neither argument changes)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = merged(base[key], value)
        else:
            out[key] = value
    return out


def customer_record(parts: dict) -> dict:
    """A complete customer record from the parts that differ from the defaults."""
    spec = data()
    record = merged(spec["defaults"], parts)
    record["postAddr"] = [merged(spec["address_defaults"], addr) for addr in record["postAddr"]]
    record["personName"] = {**record["personName"],
                            "fullName": model.full_name(record["personName"])}
    contact = record.setdefault("contactInfo", {})
    record["contactInfo"] = {"emailAddr": "", "cellPhone": "", "phone": "", **contact}
    record.setdefault("cellPhone", record["contactInfo"]["cellPhone"])
    return record


def fixture_record(person: dict) -> dict:
    """A fixture person: what the seed's persons share unless they say otherwise, then theirs."""
    return customer_record(merged(data()["person_defaults"], person))


def account_record(parts: dict) -> dict:
    return merged(data()["account_defaults"], parts)


@functools.lru_cache(maxsize=8)
def build(seed: int) -> dict[str, dict[str, dict]]:
    """{kind: {key: record}} for sandbox.add_fixtures (read-only: shared by every app)."""
    spec = data()
    customers = [fixture_record(person) for person in spec["persons"]]
    accounts = [account_record(account) for account in spec["accounts"]]
    held = set().union(*(model.cellphones(c) for c in customers))
    for customer, account in generate(Fakes(seed), spec["generated"], held):
        customers.append(customer)
        accounts.append(account)
    records: dict[str, dict[str, dict]] = {
        model.CUSTOMER: {model.key_of(c): c for c in customers},
        model.ACCOUNT: {a["acctId"]: a for a in accounts},
        model.BY_NUMBER: {}, model.BY_CELLPHONE: {}}
    for customer in customers:
        number = customer["govIssueIdent"]["identSerialNum"]
        known = records[model.BY_NUMBER].get(number)
        for kind, entries in model.index_entries(customer, known).items():
            records[kind].update(entries)
    return records


# -- generated customers ------------------------------------------------------------------------
def draw_cellphone(rng, spec, held: set[str]) -> str:
    while True:
        number = rng.choice(spec["cellphone_prefixes"]) + f"{rng.randint(0, 9_999_999):07d}"
        if number not in held:
            held.add(number)
            return number


def upper_ascii(text: str) -> str:
    """Upper case without accents, as the core writes names (Ñ kept)."""
    out = []
    for ch in text.upper():
        out.append(ch if ch == "Ñ" else unicodedata.normalize("NFKD", ch)[0])
    return "".join(out)


def street_address(rng, spec) -> str:
    """Colombian nomenclature: `CL 9 A SUR 1 74 ESTE`, `KR 22 06 32`."""
    parts = [rng.choice(spec["street_types"]), str(rng.randint(1, 180))]
    if rng.random() < 0.3:
        parts.append(rng.choice("ABCDEF"))
    if rng.random() < 0.15:
        parts.append("SUR")
    parts += [str(rng.randint(1, 99)), f"{rng.randint(1, 99):02d}"]
    if rng.random() < 0.1:
        parts.append("ESTE")
    return " ".join(parts)


def location(rng, spec, addr_type: str, phone: str, item: int) -> dict:
    """An address by its codes (its names come from the same table, places.py)."""
    city_id, _, state_id, _ = rng.choice(spec["cities"])
    return {"addrType": addr_type, "addr1": street_address(rng, spec),
            "neighborhood": rng.choice(spec["neighborhoods"]), "cityId": city_id,
            "stateProv": state_id, "country": "CO",
            "postalCode": f"{city_id[:2]}{rng.randint(0, 9999):04d}", "phone": phone,
            "idItem": str(item), "createdDt": "2018-04-10"}


def former_residence(rng, spec, index: int, item: int) -> list[dict]:
    """The expired (N) residence of a generated customer who moved, for every `moved_every`-th
    one: so GET location?condition=2 has something to show."""
    if index % spec["moved_every"]:
        return []
    created = f"{rng.randint(2000, 2012)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return [{**location(rng, spec, "03", "", item), "condition": "N", "createdDt": created,
             "upDt": f"{int(created[:4]) + rng.randint(3, 8)}{created[4:]}"}]


def generate(fakes: Fakes, spec: dict, held: set[str]):
    """(customer, account) pairs; the same seed draws the same people. `held`: the cellphones
    already given (a number has one holder), added to as it draws."""
    fake = fakes.faker(LOCALE, "bcs-customers")
    rng = fake.random
    for index in range(spec["count"]):
        female = rng.random() < 0.5
        first = fake.first_name_female if female else fake.first_name_male
        number = str(rng.choice((rng.randint(10_000_000, 99_999_999),
                                 rng.randint(1_000_000_000, 1_099_999_999))))
        cellphone = draw_cellphone(rng, spec, held)
        landline = "60" + str(rng.choice((1, 2, 4, 5, 6, 7, 8))) + f"{rng.randint(2_000_000, 8_999_999)}"
        name = {"firstName": upper_ascii(first()), "middleName": upper_ascii(first()),
                "lastName": upper_ascii(fake.last_name()),
                "secondLastName": upper_ascii(fake.last_name())}
        email = (f"{name['firstName']}.{name['lastName']}{rng.randint(1, 99)}@correo.com.co"
                 .lower().replace(" ", "").replace("ñ", "n"))
        occupation, occupation_desc = rng.choice(spec["occupations"])
        marital, marital_desc = rng.choice(spec["marital"])
        birth = fake.date_of_birth(minimum_age=18, maximum_age=80).isoformat()
        income = rng.randint(13, 200) * 100_000
        acct_id = f"24{rng.randint(100_000_000, 999_999_999)}"
        item = 70_000_000 + index * 10
        customer = fixture_record({
            "govIssueIdent": {"identSerialNum": number},
            "personName": name,
            "personInfo": {"birthDt": birth, "gender": "F" if female else "M",
                           "maritalStatus": marital, "maritalDesc": marital_desc},
            "cellPhone": cellphone,
            "contactInfo": {"emailAddr": email, "cellPhone": cellphone, "phone": landline},
            "emails": [{"idItem": str(item), "processId": "", "emailAddr": email,
                        "condition": "V"}],
            "phones": [{"phoneType": "CEL", "cellPhone": cellphone, "phoneExt": "",
                        "idItem": str(item + 1), "processId": "", "condition": "V"}],
            "postAddr": [location(rng, spec, "03", landline, item + 2),
                         location(rng, spec, "04", landline, item + 3)]
                        + former_residence(rng, spec, index, item + 4),
            "business": {"occupationCode": occupation, "occupationDesc": occupation_desc,
                         "companyName": rng.choice(spec["companies"])},
            "financial": {"incomeAmt": f"{income}.00",
                          "expenseAmt": f"{income * rng.randint(20, 70) // 100}.00",
                          "assetsAmt": f"{income * rng.randint(3, 40)}.00",
                          "liabilitiesAmt": f"{income * rng.randint(0, 10)}.00",
                          "familyHeritageAmt": f"{income * rng.randint(1, 30)}.00"},
            "remittances": {"cspRefId": 100 + index},
            "accounts": [acct_id],
        })
        account = account_record({"acctId": acct_id, "holder": model.key_of(customer),
                                  "refNumber": f"1-2031{index + 100:05d}"})
        yield customer, account
