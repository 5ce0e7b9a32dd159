"""How a write updates a stored BCS customer: one rule for POST customer (a re-create) and for
sync-data (an intake), so every route that reads the customer answers what the client stored.

A write's `parts` hold only what its request sends, in model.py's layout:
- plain fields and nested objects are laid over the stored ones; what the request leaves out
  stays;
- a sent `personName` is the whole new name: a part it leaves out is "", never the old one's;
- each sent `postAddr` entry replaces the stored current address of its type only (03 residence,
  with the 01 location the readers take for one; 04 office), its missing parts kept; when it
  moves to another city or department, the parts of the old place (neighbourhood, city,
  department, postal code) are not kept: they would describe a place the customer left. Its ids,
  dates and landline stay. The other addresses stay;
- `emails` and `phones`: a sent record updates the stored record of the same e-mail or the same
  phone type and number (its ids kept), or is added; the others stay. The main e-mail
  (contactInfo.emailAddr) comes first, as the seed's locations example lists it.
"""
from __future__ import annotations

from . import fixtures, model

LISTS = ("personName", "postAddr", "emails", "phones")
NAME_PARTS = ("firstName", "middleName", "lastName", "secondLastName")
PLACE = ("neighborhood", "cityId", "city", "stateProv", "stateProvDesc", "postalCode")


def updated(stored: dict, parts: dict, today: str) -> dict:
    """The stored customer with what a write sends (a new dict; neither argument changes)."""
    record = fixtures.merged(stored, {k: v for k, v in parts.items() if k not in LISTS})
    if "personName" in parts:
        name = {key: parts["personName"].get(key, "") for key in NAME_PARTS}
        record["personName"] = {**name, "fullName": model.full_name(name)}
    record["postAddr"] = addresses(stored.get("postAddr", []), parts.get("postAddr", []), today)
    emails = merged_items(stored.get("emails", []), parts.get("emails", []), email_key)
    main = email_key(record.get("contactInfo", {}))
    record["emails"] = sorted(emails, key=lambda e: email_key(e) != main) if main else emails
    record["phones"] = merged_items(stored.get("phones", []), parts.get("phones", []), phone_key)
    return record


# -- addresses -----------------------------------------------------------------------------------
def addresses(stored: list[dict], sent: list[dict], today: str) -> list[dict]:
    out = list(stored)
    for address in sent:
        index = current_index(out, model.address_kind(address["addrType"]))
        if index is not None:
            out[index] = replaced(out[index], address, today)
        elif address.get("addr1"):  # an address is at least its line: a lone phone adds none
            out.append(fixtures.merged(fixtures.data()["address_defaults"], {
                **address, "condition": "V", "createdDt": today, "upDt": today}))
    return out


def current_index(stored: list[dict], types: tuple[str, ...]) -> int | None:
    """Where the current address of the first of `types` the customer has is."""
    for addr_type in types:
        for index, address in enumerate(stored):
            if address.get("addrType") == addr_type and address.get("condition", "V") == "V":
                return index
    return None


def replaced(stored: dict, sent: dict, today: str) -> dict:
    """The stored address with the sent parts; it keeps its own type code (an 01 stays 01)."""
    left = moved(stored, sent)
    kept = {key: ("" if left and key in PLACE else value) for key, value in stored.items()}
    address = {**kept, **sent, "addrType": stored["addrType"]}
    return {**address, "upDt": today} if address != stored else stored


def moved(stored: dict, sent: dict) -> bool:
    """Whether the sent address is in another place than the stored one: another city (DANE
    code), else another department (its code, or the one a city's DANE code starts with), else,
    when the request names the place without codes, another name."""
    for code in (lambda a: a.get("cityId", ""), department):
        if code(sent) and code(stored):
            return code(sent) != code(stored)
    for key in ("city", "stateProvDesc"):
        if sent.get(key) and stored.get(key):
            return fixtures.upper_ascii(sent[key]) != fixtures.upper_ascii(stored[key])
    return False


def department(address: dict) -> str:
    """The department's DANE code: stateProv, or DD000 for a city DDCCC."""
    city = address.get("cityId", "")
    from_city = f"{city[:2]}000" if len(city) == 5 and city.isdigit() else ""
    return address.get("stateProv") or from_city


# -- e-mails and phones --------------------------------------------------------------------------
def merged_items(stored: list[dict], sent: list[dict], key) -> list[dict]:
    out = list(stored)
    for item in sent:
        index = next((i for i, known in enumerate(out) if key(known) == key(item)), None)
        if index is None:
            out.append(item)
        else:  # the stored record, its ids kept, with what the request says of it
            out[index] = {**out[index], **{k: v for k, v in item.items() if v not in ("", None)}}
    return out


def email_key(email: dict) -> str:
    return (email.get("emailAddr") or "").strip().lower()


def phone_key(phone: dict) -> tuple[str, str]:
    return phone.get("phoneType", ""), phone.get("cellPhone", "")
