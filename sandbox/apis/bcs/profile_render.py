"""Response bodies of the BCS profile routes, from the stored records (layout: model.py).

Each builder returns exactly the keys, nesting and value types of the seed's response example
for its route: strings stay strings ("incomeAmt": "4510000.00"), the remittances ids are numbers,
flags are booleans. Labels (location and phone type descriptions, country names) come from
scenarios/data/bcs_profile.yaml, read once at start into `Labels`; place names from their codes
(places.py).
"""
from __future__ import annotations

from typing import NamedTuple

from .model import EXPIRING_TYPES
from .places import city_name, located

OK = {"value": "OK"}


class Labels(NamedTuple):
    location_types: dict
    conditions: dict
    phone_types: dict
    remittance_address_types: dict
    country_names: dict


def _code(code: str, descriptions: dict) -> dict:
    code = code or ""
    return {"code": code, "desc": descriptions.get(code, "")}


def _compact_date(value: str) -> str:
    """The locations example writes its record dates as YYYYMMDD ("20170323")."""
    return (value or "").replace("-", "")


# -- GET location/{identserialnum} ------------------------------------------------------------
def _location_phone(phone: dict, labels: Labels) -> dict:
    return {
        "phoneType": _code(phone.get("phoneType", ""), labels.phone_types),
        "cellPhone": phone.get("cellPhone", ""),
        "processId": phone.get("processId", ""),
        "idItem": phone.get("idItem", ""),
        "conditionInfo": _code(phone.get("condition", ""), labels.conditions),
        "phoneExt": phone.get("phoneExt", ""),
        "mobileOperator": phone.get("mobileOperator", ""),
        # The phone records keep no city of their own (the example shows them empty).
        "city": {"code": phone.get("cityId", ""), "desc": phone.get("city", "")},
        "desc": phone.get("desc", ""),
        "role": phone.get("role", ""),
        "roleNew": phone.get("roleNew", ""),
    }


def _location(address: dict, labels: Labels) -> dict:
    address = located(address)
    return {
        "addrType": _code(address.get("addrType", ""), labels.location_types),
        "neighborhood": address.get("neighborhood", ""),
        "addr1": address.get("addr1", ""),
        "city": {"code": address.get("cityId", ""), "desc": address.get("city", "")},
        "stateProv": {"code": address.get("stateProv", ""),
                      "desc": address.get("stateProvDesc", "")},
        "processId": address.get("processId", ""),
        "conditionInfo": _code(address.get("condition", ""), labels.conditions),
        "idItem": address.get("idItem", ""),
        "phoneNum": [_location_phone(phone, labels) for phone in address.get("phones", ())],
        "role": address.get("role", ""),
        "roleNew": address.get("roleNew", ""),
        "cardAcctId": {"addr1": address.get("cardAddrId", "")},
        "createdDt": _compact_date(address.get("createdDt", "")),
        "upDt": _compact_date(address.get("upDt", "")),
        "user": address.get("user", ""),
        "modifierUser": address.get("modifierUser", ""),
        "submitOffice": {"branchId": address.get("submitBranchId", "")},
        "administrationOffice": {"branchId": address.get("adminBranchId", "")},
    }


def locations(customer: dict, addresses: list[dict], labels: Labels) -> dict:
    """addresses: the customer's locations the request's condition selects."""
    return {
        "responseType": OK,
        "govIssueIdent": {
            "fullName": customer["personName"].get("fullName", ""),
            "personType": customer.get("personType", "N"),
            "postAddr": [_location(address, labels) for address in addresses],
            "emailFromInfo": [{"idItem": email.get("idItem", ""),
                               "processId": email.get("processId", ""),
                               "emailAddr": email.get("emailAddr", ""),
                               "condition": email.get("condition", "")}
                              for email in customer.get("emails", ())],
            "phoneNum": [_location_phone(phone, labels) for phone in customer.get("phones", ())],
        },
    }


# -- GET channel/contact/{identserialnum} -----------------------------------------------------
def _contact_address(address: dict | None, with_extension: bool) -> dict:
    address = address or {}
    phone = {"phone": address.get("phone", "")}
    if with_extension:
        phone["phoneExt"] = address.get("phoneExt", "")
    return {"cityId": address.get("cityId", ""), "neighborhood": address.get("neighborhood", ""),
            "addr1": address.get("addr1", ""), "phoneNum": phone}


def channel_contact(customer: dict, residence: dict | None, office: dict | None) -> dict:
    business, financial = customer.get("business", {}), customer.get("financial", {})
    person = customer.get("personInfo", {})
    return {
        "responseType": OK,
        "postAddr": _contact_address(residence, with_extension=False),
        "orgInfo": _contact_address(office, with_extension=True),
        "businessOccupation": {"code": business.get("occupationCode", "")},
        "businessProfessionGeneral": {"code": business.get("professionGeneral", "")},
        "businessProfessionSpecific": {"code": business.get("professionSpecific", "")},
        "incomeInfo": {"incomeAmt": financial.get("incomeAmt", "")},
        "expenses": {"amt": financial.get("expenseAmt", "")},
        "financialAssets": {"amt": financial.get("assetsAmt", "")},
        "financialLiabilities": {"amt": financial.get("liabilitiesAmt", "")},
        "familyHeritage": {"amt": financial.get("familyHeritageAmt", "")},
        "personInfo": {"birthDt": person.get("birthDt", ""), "gender": person.get("gender", ""),
                       "sarlaftDate": customer.get("sarlaftDt", ""),
                       "flagBindable": bool(customer.get("flagBindable", True))},
    }


# -- GET remittances/basic-data/{identserialnum} ----------------------------------------------
def _number(value, default: int = 0) -> int:
    """The remittances mapping types its ids as Number; the locations records keep them as text."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else default


def _remittance_address(address: dict, customer: dict, csp_ref_id: int, labels: Labels) -> dict:
    address = located(address)
    return {
        # The mapping: phoneNum.cellPhone is the address's phone (telefono), phoneNum.phone the
        # customer's cellphone (celular).
        "phoneNum": {"phone": customer.get("contactInfo", {}).get("cellPhone", ""),
                     "cellPhone": address.get("phone", "")},
        "postAddr": {
            "idItem": _number(address.get("idItem")),
            "cspRefId": csp_ref_id,
            "addrType": labels.remittance_address_types.get(address.get("addrType", ""), "RESI"),
            "addr1": address.get("addr1", ""),
            "city": address.get("city", ""),
            # The example writes the country out ("Colombia"); the records keep ISO codes.
            "country": labels.country_names.get(address.get("country", ""), ""),
            "postalCode": address.get("postalCode", ""),
            "cityId": address.get("cityId", ""),
            "stateProv": address.get("stateProvDesc", ""),
        },
    }


def remittances(customer: dict, addresses: list[dict], labels: Labels) -> dict:
    remit = customer.get("remittances", {})
    csp_ref_id = _number(remit.get("cspRefId"))
    ident, name = customer["govIssueIdent"], customer["personName"]
    person, business = customer.get("personInfo", {}), customer.get("business", {})
    compliance = customer.get("compliance", {})
    references = remit.get("pmtReferences", {})
    return {
        "responseType": OK,
        "listAddress": [_remittance_address(address, customer, csp_ref_id, labels)
                        for address in addresses],
        "beneficiary": [{"personInfo": {
            "idItem": _number(item.get("idItem")), "cspRefId": _number(item.get("cspRefId")),
            "identSerialNum": item.get("identSerialNum", ""),
            "emailAddr": item.get("emailAddr", ""), "lastName": item.get("lastName", ""),
            "secondLastName": item.get("secondLastName", ""),
            "firstName": item.get("firstName", ""), "middleName": item.get("middleName", "")}}
            for item in remit.get("beneficiaries", ())],
        "senderPmtInfo": [{"cspRefId": _number(item.get("cspRefId")),
                           "type": item.get("type", ""), "rank": item.get("rank", "")}
                          for item in remit.get("senderPmtInfo", ())],
        "personInfo": {
            "personName": {"lastName": name.get("lastName", ""),
                           "secondLastName": name.get("secondLastName", ""),
                           "firstName": name.get("firstName", ""),
                           "middleName": name.get("middleName", "")},
            "upDt": customer.get("upDt", ""),
            "clientTerminalSeqId": _number(remit.get("clientTerminalSeqId")),
            "birthDt": person.get("birthDt", ""),
            "country": person.get("countryInfo", ""),
            "emailAddr": customer.get("contactInfo", {}).get("emailAddr", ""),
            "businessActivity": {"certCode": business.get("ciiu", ""),
                                 "jobTitle": business.get("jobTitle", ""),
                                 "rank": business.get("rank", ""),
                                 "flagPubExpPerson": bool(business.get("flagPubExpPerson")),
                                 "branchName": business.get("companyName", "")},
            "cspRefId": csp_ref_id,
            "gender": person.get("gender", ""),
            "status": remit.get("status", "Activo"),
            "govIssueIdent": _remittance_ident(ident),
        },
        "pmtReferences": {"actualizeStatus": {"updateRefId": references.get("updateRefId", ""),
                                              "branchId": references.get("branchId", "")}},
        "compliance": {"termsConditions": bool(compliance.get("termsConditions", True)),
                       "personDataProcessing": bool(compliance.get("personDataProcessing", True))},
    }


def _remittance_ident(ident: dict) -> dict:
    shown = {"govIssueIdentType": ident.get("govIssueIdentType", ""),
             "identSerialNum": ident.get("identSerialNum", ""),
             "expCityId": ident.get("expCityId", ""), "issDt": ident.get("issDt", ""),
             "city": city_name(ident.get("expCityId"), ident.get("city")),
             "country": ident.get("country", "")}
    if ident.get("govIssueIdentType") in EXPIRING_TYPES and ident.get("expDt"):
        shown["expDt"] = ident["expDt"]
    return shown


# -- POST sync-data / sync-data-file / query-pila / PUT secure-data ---------------------------
SECURE_DATA_OK = {"responseType": OK}
SYNC_DATA_OK = {"transaction": {"message": "added successfully"}, "responseType": OK}
SYNC_DATA_FILE_OK = {"file": {"desc": "added successfully"}, "responseType": OK}


def query_pila(planilla: dict) -> dict:
    return {
        "responseType": OK,
        "trn": {"approvalId": planilla["approvalId"],
                "invoiceInfo": {"identSerialNum": planilla["identSerialNum"]},
                "validityPeriodInfo": {"validityPeriod": planilla["validityPeriod"]},
                "dueDt": planilla["dueDt"],
                "curAmt": {"amt": planilla["amt"]}},
    }
