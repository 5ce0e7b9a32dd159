"""Records built from a sync-data intake, in the layout of model.py (completed by the fixtures'
defaults, so every BCS route finds the fields it reads), and the sync-data-file's decoding."""
from __future__ import annotations

import base64
import binascii
import functools
import json
from datetime import date

from . import fixtures, model


def decode_file(bin_data: str):
    """The JSON object a base64 file carries, or a string saying what is wrong with it."""
    try:
        raw = base64.b64decode("".join(bin_data.split()), validate=True)
    except (binascii.Error, ValueError):
        return "not valid base64"
    try:
        content = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return "the decoded file is not UTF-8 text"
    except json.JSONDecodeError as exc:
        return f"the decoded file is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    if not isinstance(content, dict):
        return "the decoded file is not a JSON object"
    return content


def split_name(full_name: str, first_name: str | None = None) -> dict:
    """A Colombian full name as first, middle, last and second last names: two given names and
    two surnames when there are four words, one given name and two surnames with three."""
    words = fixtures.upper_ascii(" ".join(full_name.split())).split(" ")
    if len(words) >= 4:
        first, middle, last, second = words[0], " ".join(words[1:-2]), words[-2], words[-1]
    elif len(words) == 3:
        first, middle, last, second = words[0], "", words[1], words[2]
    else:
        first, middle, last, second = words[0], "", " ".join(words[1:]), ""
    if first_name and not middle and len(words) < 3:
        first = fixtures.upper_ascii(first_name.strip()) or first
    return {"firstName": first, "middleName": middle, "lastName": last, "secondLastName": second}


def _intake_address(item: dict, data: dict) -> dict:
    """A postAddress[] entry as the parts of an address it sends (updates.py keeps the rest of
    the stored address of its type): its line, its place (DANE codes where the name is known)
    and its country."""
    code = data["sync_address_types"].get((item.get("addrType") or "home").lower(), "03")
    address = {"addrType": code}
    if item.get("addr1"):
        address["addr1"] = fixtures.upper_ascii(item["addr1"])
    state_prov = fixtures.upper_ascii((item.get("stateProv") or "").strip())
    if state_prov:
        address.update({"stateProvDesc": state_prov, **places().get(state_prov, {})})
    country = (item.get("country") or "").strip()
    if country:
        address["country"] = "CO" if country.lower() in ("colombia", "co") else country
    return address


@functools.lru_cache(maxsize=1)
def places() -> dict[str, dict]:
    """The intake writes a place name where the record keeps DANE codes ("Cundinamarca",
    "BUGA"): the cities and departments the fixtures know, by upper-case name -> codes."""
    found: dict[str, dict] = {}
    for city_id, city, state_id, state in fixtures.data()["generated"]["cities"]:
        found.setdefault(fixtures.upper_ascii(state), {"stateProv": state_id,
                                                       "stateProvDesc": state})
        found[fixtures.upper_ascii(city)] = {"cityId": city_id, "city": city,
                                             "stateProv": state_id, "stateProvDesc": state}
    return found


def _emails(addresses: list[str]) -> list[dict]:
    """The e-mails the intake sends (one the customer already had keeps its record: updates)."""
    return [{"idItem": "", "processId": "", "emailAddr": addr, "condition": "V"}
            for addr in dict.fromkeys(a for a in addresses if a)]


def _phones(cellphone: str, extra: list[str], held: set[str]) -> list[dict]:
    """CEL for the cellphone the intake sends, ADI for each other additional number (not one of
    the cellphones the customer holds once the intake is stored: those are CEL already)."""
    wanted = ([("CEL", cellphone)] if cellphone else []) + [
        ("ADI", number) for number in dict.fromkeys(extra) if number not in held | {cellphone}]
    return [{"phoneType": kind, "cellPhone": number, "phoneExt": "", "idItem": "",
             "processId": "", "condition": "V"} for kind, number in wanted]


def intake_parts(customer: dict | None, info: dict, data: dict, ident_type: str, number: str,
                 profile_data: dict, acct_ids: list[str]) -> dict:
    """The customer record's fields one custInfo[] entry sends (model.py's layout), and only
    those (updates.updated keeps the rest): the whole name, contact, e-mails, phones, the
    addresses it carries, and its accounts added to those held."""
    name = info["personName"]
    person = {**{k: name[k] for k in ("gender", "birthDt") if name.get(k)},
              **{k: v for k, v in info.get("personInfo", {}).items()
                 if k in ("gender", "birthDt") and v}}
    contact = info.get("contactInfo", {})
    cellphone, email = contact.get("phoneNumber", ""), contact.get("emailAddr", "")
    emails = [email] + [e["emailAddr"] for e in info.get("additionalEmaillAddr", ())
                        if e.get("emailAddr")]
    extra_phones = [p["phoneNumber"] for p in info.get("additionalPhoneNum", ())
                    if p.get("phoneNumber")]
    parts = {
        "govIssueIdent": {"govIssueIdentType": ident_type, "identSerialNum": number},
        "personName": split_name(name["fullName"], data.get("personName", {}).get("firstName")),
        "personInfo": person,
        "contactInfo": {k: v for k, v in (("emailAddr", email), ("cellPhone", cellphone)) if v},
        "emails": _emails(emails),
        "phones": _phones(cellphone, extra_phones,
                          {cellphone} if cellphone else model.cellphones(customer or {})),
        "postAddr": [_intake_address(item, profile_data) for item in info.get("postAddress", ())],
        "upDt": date.today().isoformat(),
        "accounts": list(dict.fromkeys([*(customer or {}).get("accounts", ()), *acct_ids])),
    }
    if cellphone:
        parts["cellPhone"] = cellphone
    if customer is None:
        # What an intake does not carry (income, expenses, assets...) stays empty: contact answers
        # 51041 for such a customer until the bank's data is completed.
        parts["financial"] = {key: "" for key in fixtures.data()["defaults"]["financial"]}
    return parts


def intake_account(stored: dict | None, item: dict, acct_id: str, holder: str) -> dict:
    ledger = (item.get("product", {}).get("productType") or "").split("-")
    parts = {"acctId": acct_id, "holder": holder, "acctType": item["acctType"],
             "curCode": item.get("curCode") or "COP"}
    if item.get("name"):
        parts["name"] = item["name"]
    if len(ledger) == 3 and all(ledger):
        parts["productId"] = dict(zip(("ledgerCode", "subLedgerCode", "groupCode"), ledger))
    if stored is not None:
        return fixtures.merged(stored, parts)
    return fixtures.account_record({**parts, "openDt": date.today().isoformat()})
