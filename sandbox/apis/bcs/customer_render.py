"""Response bodies of the BCS customer routes, in the shapes of seed 004.

The create, v4, name-by-account and status-basic-data shapes are the seed's examples. BasicData
v1 and v2 have no example, only a list of response fields: v1 nests them in the objects it names
(personName, personInfo, OrgId, postAddr, govIssueIdent, contactInfo); v2 lists its fields flat,
and its second `phone` (the cellphone) is `cellPhone`. Both are written out in docs/bcs.md (basicData v1 and v2).
"""
from __future__ import annotations

from .places import located

OK = {"value": "OK"}


def current(customer: dict) -> list[dict]:
    """The customer's current addresses (condition V), their place names from their codes: an
    expired one (N) is shown by GET location?condition=2 only."""
    return [located(a) for a in customer.get("postAddr") or () if a.get("condition", "V") == "V"]


def residence(customer: dict) -> dict:
    """The current residence address (03), else the first current one, else an empty one."""
    addresses = current(customer)
    return next((a for a in addresses if a.get("addrType") == "03"),
                addresses[0] if addresses else {})


def created(account: dict) -> dict:
    gmf = account["gmf"]
    return {
        "depAcctStmtRec": {
            "depAcctId": {"refNumber": account["refNumber"], "acctId": account["acctId"],
                          "gmf": gmf["gmf"], "gmfAccountNumber": gmf["gmfAccountNumber"],
                          "gmfDesc": gmf["gmfDesc"]},
            "bankInfoGmf": {"bankInfoGmf": {"name": gmf["bankName"]}},
        },
        "pocketInfo": {"pocketType": account["pocketType"]},
    }


def basic_data_v1(customer: dict) -> dict:
    name, ident = customer["personName"], customer["govIssueIdent"]
    entpr, contact, addr = customer["entpr"], customer["contactInfo"], residence(customer)
    return {
        "responseType": OK,
        "personName": {key: name.get(key, "") for key in
                       ("firstName", "middleName", "lastName", "secondLastName", "fullName")},
        "personInfo": {"birthDt": customer["personInfo"].get("birthDt", "")},
        "OrgId": {"orgIdType": entpr.get("govIssueIdentType", ""),
                  "orgIdNum": entpr.get("identSerialNum", "")},
        "postAddr": {"addr1": addr.get("addr1", ""), "city": addr.get("city", ""),
                     "cityId": addr.get("cityId", ""), "stateProv": addr.get("stateProv", ""),
                     "country": addr.get("country", "")},
        "govIssueIdent": {"govIssueIdentType": ident["govIssueIdentType"],
                          "identSerialNum": ident["identSerialNum"]},
        "contactInfo": {"emailAddr": contact.get("emailAddr", ""),
                        "phone": contact.get("phone", ""),
                        "cellPhone": contact.get("cellPhone", "")},
    }


def joined(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def basic_data_v2(customer: dict) -> dict:
    name, ident = customer["personName"], customer["govIssueIdent"]
    entpr, contact, addr = customer["entpr"], customer["contactInfo"], residence(customer)
    return {
        "responseType": OK,
        "fullName": name["fullName"],
        "firstName": joined(name.get("firstName", ""), name.get("middleName", "")),
        "lastName": joined(name.get("lastName", ""), name.get("secondLastName", "")),
        "birthDt": customer["personInfo"].get("birthDt", ""),
        "orgIdType": entpr.get("govIssueIdentType", ""),
        "orgIdNum": entpr.get("identSerialNum", ""),
        "addr1": addr.get("addr1", ""),
        "city": addr.get("city", ""),
        "stateProv": addr.get("stateProvDesc", ""),
        "country": addr.get("country", ""),
        "govIssueIdentType": ident["govIssueIdentType"],
        "identSerialNum": ident["identSerialNum"],
        "emailAddr": contact.get("emailAddr", ""),
        "phone": contact.get("phone", ""),
        "cellPhone": contact.get("cellPhone", ""),
    }


def basic_data_v4(customer: dict) -> dict:
    name, ident, contact = customer["personName"], customer["govIssueIdent"], customer["contactInfo"]
    return {
        "responseType": OK,
        "personInfo": {
            "govIssueIdent": {"govIssueIdentType": ident["govIssueIdentType"],
                              "identSerialNum": ident["identSerialNum"]},
            "fullName": name["fullName"],
            "cellPhone": customer.get("cellPhone", ""),
            "personName": {key: name.get(key, "") for key in
                           ("firstName", "middleName", "lastName", "secondLastName")},
            "createDt": customer["createDt"],
            "upDt": customer["upDt"],
            # The seed's "54" is the create request's businessActivity.certCode.
            "personType": customer["business"].get("certCode", ""),
            "sarlaDt": customer["sarlaftDt"],
            "deceasedDt": customer["deceasedDt"],
            "birthDt": customer["personInfo"].get("birthDt", ""),
            "contactInfo": {"emailAddr": contact.get("emailAddr", ""),
                            "cellPhone": contact.get("cellPhone", "")},
            "flagAlert": customer["flagAlert"],
            "flagExist": customer["flagExist"],
            "status": customer["status"],
            "postAddr": [{"postalCode": a.get("postalCode", ""), "addrType": a["addrType"],
                          "addr1": a["addr1"], "stateProv": a.get("stateProv", ""),
                          "cityId": a.get("cityId", "")}
                         for a in current(customer)],
        },
    }


def name_by_account(customer: dict) -> dict:
    return {"custInfo": {"personName": {"fullName": customer["personName"]["fullName"]}}}


def status_basic_data(account: dict, customer: dict) -> dict:
    return {"responseType": OK,
            "trn": {"personName": {"fullName": customer["personName"]["fullName"]},
                    "depAcctId": {"acctId": account["acctId"]}}}
