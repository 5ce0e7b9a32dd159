"""Request bodies of the BCS customer routes (POST customer, POST status-basic-data), built once.

Types, required fields and formats only; the rules with their own catalog codes (names, phones)
live in customer_backend.py, the identifications' in identification.py. Unknown keys are dropped:
the seed's bodies are IFX messages a client may send more of. `load` turns marshmallow's faults
into catalog errors naming every field: missing required fields -> 00001 (DAT, "User required
fields are missing."), anything else -> 1 (BDA, "BAD REQUEST.").
"""
from __future__ import annotations

import re
from datetime import date

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ...errors import field_errors, field_path
from ...fastcheck import compile_check
from ...messages import one_of
from . import identification

REQUIRED_MESSAGE = "Missing data for required field."
AMOUNT = validate.Regexp(r"^\d{1,15}(\.\d{1,2})?$", error="Not an amount: digits, optional .cents.")
HOUR = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", error="Not a time: expected HH:MM:SS.")
# trn.trnRqUID: "Numero unico de 6 digitos generado por el canal" (status-basic-data's table).
AUDIT_NUMBER = validate.Regexp(r"^\d{6}$", error="Not an audit number: expected 6 digits.")


class Base(Schema):
    class Meta:
        unknown = EXCLUDE


def iso_date(value: str) -> None:
    try:
        if len(value) != 10:
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise ValidationError("Not a valid date: expected YYYY-MM-DD.") from None


def text(required: bool = False, **kwargs):
    return fields.String(required=required, **kwargs)


def date_text(required: bool = False):
    """A YYYY-MM-DD date, as text (the seed's JSON has no date type)."""
    return fields.String(required=required, validate=iso_date, metadata={"format": "date"})


def amount():
    return fields.String(validate=AMOUNT)


def obj(schema_name: str, /, required: bool = False, **members):
    """A nested object of string members (or nested objects)."""
    return fields.Nested(Base.from_dict(members, name=schema_name), required=required)


def phone(name: str):
    return obj(name, phoneType=text(), phone=text())


CREATE_CUSTOMER = Base.from_dict({
    "govIssueIdent": obj("GovIssueIdent", required=True, govIssueIdentType=text(True),
                         identSerialNum=text(True)),
    "clientType": obj("ClientType", value=text()),
    "personName": obj("PersonName", required=True, lastName=text(True), secondLastName=text(),
                      firstName=text(True), middleName=text()),
    "personInfo": obj(
        "PersonInfo", required=True,
        govIssueIdent=obj("IssueData", expCityId=text(), expDt=date_text()),
        birthDt=date_text(True),
        gender=text(validate=one_of(("M", "F", "O"))),
        maritalStatus=text(), maritalDesc=text(),
        contactInfo=obj("PersonContact", emailAddr=text(validate=validate.Email())),
        clientType=obj("PersonClientType", name=text()),
        income=obj("Income", incomeAmt=amount()),
        otherIncome=obj("OtherIncome", amt=amount(), name=text()),
        expense=obj("Expense", amt=amount()),
        finalcialAssets=obj("Assets", amt=amount()),
        financialLiabilities=obj("Liabilities", amt=amount()),
        originResources=text(), adminResources=text()),
    "contactInfo": obj(
        "ContactInfo", phoneNum=phone("PhoneNum"), additionalPhoneNum=phone("AdditionalPhoneNum"),
        postAddr=obj("PostAddr", addr1=text(), city=text(), cityId=text()),
        phoneNumResidence=phone("PhoneNumResidence"),
        additionalPhoneNumResidence=phone("AdditionalPhoneNumResidence")),
    "naturalPerson": obj("NaturalPerson", countryInfo=text(), cityId=text(), city=text()),
    "entpr": obj("Entpr", govIssueIdent=obj("EntprIdent", govIssueIdentType=text(),
                                            identSerialNum=text())),
    "entprAgreement": obj(
        "EntprAgreement", entprDesc=text(), postAddr=obj("AgreementAddr", addr1=text()),
        phoneNum=phone("AgreementPhone"), additionalPhoneNum=phone("AgreementAdditionalPhone"),
        branchId=text(), cityId=text(), entprId=text()),
    "businessActivity": obj("BusinessActivity", businessType=text(), certCode=text(), desc=text()),
    "businessOcupation": obj("BusinessOcupation", ocupationCode=text(), desc=text()),
    "businessProfession": obj("BusinessProfession", certCode=text(), desc=text()),
    "businessProfessionGeneral": obj("BusinessProfessionGeneral", certCode=text()),
    "businessProfessionSpecific": obj("BusinessProfessionSpecific", certCode=text()),
    "pocketInfo": obj("PocketInfo", pocketType=text(), pocketPeriod=obj("PocketPeriod",
                                                                         periodCode=text()),
                      dayofDebitMonthly=text(), dayofDebitWeekly=text(),
                      curAmt=obj("PocketAmount", amt=amount())),
    "product": obj(
        "Product", gmf=text(validate=one_of(("S", "N"))),
        productId=obj("ProductId", ledgerCode=text(validate=validate.Regexp(r"^\d{2}$")),
                      subLedgerCode=text(), groupCode=text()),
        productType=text(), handlingFee=text(), sourceRetention=text(),
        extractPeriodicity=text(), administrationOffice=obj("AdministrationOffice",
                                                            branchId=text()),
        submitOffice=obj("SubmitOffice", branchId=text()), branchAddrType=text(),
        managementCondition=text(), adviserId=text()),
    "adviser": obj("Adviser", adviserId=text()),
}, name="CreateCustomer")()

STATUS_BASIC_DATA = Base.from_dict({
    "trn": obj("Trn", required=True, transactionHour=text(validate=HOUR), code=text(),
               depAcctIdFrom=obj("DepAcctIdFrom", acctId=text()),
               trnRqUID=text(validate=AUDIT_NUMBER),
               branchName=text(), cityId=text(), city=text(), stateProv=text(),
               depAcctIdTo=obj("DepAcctIdTo", required=True, acctId=text(True))),
}, name="StatusBasicData")()


def faults(messages) -> list[tuple[str, str]]:
    """marshmallow's nested messages as (dotted.field.path, message) pairs, one per message."""
    return [(field_path(keys), message)
            for keys, found in field_errors(messages) for message in found]


# Valid bodies (most of them) pass a check compiled from the same schema, ~10x cheaper than
# marshmallow's load; only a refused one is loaded again for marshmallow's report of its faults.
CHECKS = {schema: compile_check(schema) for schema in (CREATE_CUSTOMER, STATUS_BASIC_DATA)}


def load(schema: Schema, body: dict, catalog, operation) -> dict:
    """The body when it passes the schema (unknown keys left in: readers ask by name), its
    identifications checked and written in the seed's words (identification.py: "C.C." is CC),
    else the catalog error naming every faulty field."""
    if CHECKS[schema](body):
        return identification.normalised_body(catalog, operation, body)
    try:
        data = schema.load(body)
    except ValidationError as exc:
        found = faults(exc.messages)
    else:
        return identification.normalised_body(catalog, operation, data)
    missing = [path for path, message in found if message == REQUIRED_MESSAGE]
    if missing:
        raise catalog.fail("00001", operation, ", ".join(missing)) from None
    raise catalog.fail("1", operation, "; ".join(f"{p}: {m}" for p, m in found)) from None


# Letters (Spanish ones too), spaces and the few marks real names carry (DE_FRANCISCO, O'NEILL).
NAME_CHARACTERS = re.compile(r"^[A-Za-zÁÉÍÓÚÜÑáéíóúüñ _'.\-]*$")
