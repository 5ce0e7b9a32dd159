"""Request schemas of the BCS profile routes (secure-data, sync-data, sync-data-file,
query-pila), built once at import; the GET routes' query strings are checked by profile_backend.

Field names are the upstream's own. Unknown keys are dropped rather than refused: the seed's own
examples spell some keys two ways (`mNemonic` / `mnemonic`, `LOCLimit` / `lOCLimit`,
`invoiceInfo` / `InvoiceInfo`), and a client sending an extra field should not be turned away.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from ...messages import LENGTH, length, one_of
from .identification import parse_mnemonic
from .customer_schemas import AUDIT_NUMBER, HOUR, Base, iso_date

SECURE_DATA_QUESTIONS = ("preguntaATDP001", "preguntaATDP002", "preguntaATDP003")
# custInfo[].listAccounts[].acctType, as the sync-data mapping enumerates them.
ACCOUNT_TYPES = ("CCA", "CDA", "CLA", "DDA", "EQU", "ILA", "LOC", "LOP", "SDA", "SPA", "RLA",
                 "CPA", "DBC", "LIA", "CIA", "OFA")

# Messages that say "length" start with this, so a length fault can answer the secure-data row
# "Error en la longitud de la trama de entrada" and every other fault "datos incorrectos".
LENGTH_PREFIX = LENGTH


def iso_date_or_empty(value: str) -> None:
    """The seeds send dates as YYYY-MM-DD, and "" where the upstream has none."""
    if value != "":
        iso_date(value)


def date_or_empty():
    return fields.String(validate=iso_date_or_empty, metadata={"json_schema": {
        "type": "string", "anyOf": [{"format": "date"}, {"maxLength": 0}]}})


class StrictBoolean(fields.Field):
    """true or false only: "true", 1 or "Sí" are not the JSON booleans the seed documents."""
    default_error_messages = {"invalid": "Not a valid boolean: expected true or false."}
    json_schema = {"type": "boolean"}  # (the OpenAPI document's)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class BooleanOrString(fields.Field):
    """postAddress[].priority: the mapping says String, the examples send true."""
    default_error_messages = {"invalid": "Not a valid value: expected a boolean or a string."}
    json_schema = {"oneOf": [{"type": "boolean"}, {"type": "string"}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (bool, str)):
            raise self.make_error("invalid")
        return value


def text(required: bool = False, maximum: int | None = None, **kwargs):
    validators = [length(1 if required else None, maximum)] if maximum else []
    return fields.String(required=required, validate=validators, **kwargs)


# -- PUT secure-data ---------------------------------------------------------------------------
class SecureIdent(Base):
    # Their values follow identification.py, checked by the backend once the body loads.
    identSerialNum = fields.String(required=True)
    govIssueIdentType = fields.String(required=True)


class Office(Base):
    branchId = fields.String(required=True, validate=length(1, 10))


class ComplianceAnswer(Base):
    question = fields.String(required=True, validate=one_of(SECURE_DATA_QUESTIONS))
    answer = StrictBoolean(required=True)


class SecureData(Base):
    govIssueIdent = fields.Nested(SecureIdent, required=True)
    administrationOffice = fields.Nested(Office)
    submitOffice = fields.Nested(Office)
    compliance = fields.List(fields.Nested(ComplianceAnswer), required=True,
                             validate=length(1, len(SECURE_DATA_QUESTIONS)))

    @validates_schema
    def one_answer_per_question(self, data, **kwargs):
        asked = [item["question"] for item in data.get("compliance", [])]
        repeated = sorted({q for q in asked if asked.count(q) > 1})
        if repeated:
            raise ValidationError(f"Each question may be answered once; repeated: "
                                  f"{', '.join(repeated)}.", "compliance")


# -- POST sync-data (and the decoded sync-data-file) -------------------------------------------
class SyncIdent(Base):
    # The sync-data example spells it mNemonic, the file example mnemonic.
    mNemonic = fields.String()
    mnemonic = fields.String()

    @validates_schema
    def a_mnemonic(self, data, **kwargs):
        value = data.get("mNemonic", data.get("mnemonic"))
        if value is None:
            raise ValidationError("Missing data for required field.", "mNemonic")
        # Only whether it is a mnemonic at all: its type and number follow identification.py,
        # checked by the backend.
        if parse_mnemonic(value) is None:
            raise ValidationError("Not a valid mnemonic: expected the document type followed "
                                  "by its number, e.g. CC123456789.", "mNemonic")


class SyncPersonName(Base):
    fullName = text(required=True, maximum=120)
    titlePrefix = fields.String()
    # The mapping puts these under personInfo; the examples under personName. Both are read.
    gender = fields.String(validate=one_of(("M", "F", "O", "")))
    birthDt = date_or_empty()
    country = fields.String()
    language = fields.String()


class SyncPersonInfo(Base):
    gender = fields.String(validate=one_of(("M", "F", "O", "")))
    birthDt = date_or_empty()
    country = fields.String()
    language = fields.String()


class SyncContact(Base):
    emailAddr = fields.String(validate=validate.Email(error="Not a valid email address."))
    phoneNumber = fields.String()


class SyncPostAddress(Base):
    addr1 = text(maximum=120)
    stateProv = fields.String()
    country = fields.String()
    addrType = fields.String()
    priority = BooleanOrString()


class SyncEmail(Base):
    emailAddr = fields.String(validate=validate.Email(error="Not a valid email address."))


class SyncPhone(Base):
    phoneNumber = fields.String()


class SyncCustInfo(Base):
    personName = fields.Nested(SyncPersonName, required=True)
    personInfo = fields.Nested(SyncPersonInfo)
    contactInfo = fields.Nested(SyncContact)
    postAddress = fields.List(fields.Nested(SyncPostAddress))
    strategies = fields.Nested(Base.from_dict({"strategyType": fields.String()},
                                                    name="SyncStrategies"))
    additionalEmaillAddr = fields.List(fields.Nested(SyncEmail))
    additionalPhoneNum = fields.List(fields.Nested(SyncPhone))
    invoker = fields.Nested(Base.from_dict({"role": fields.String()}, name="SyncCustInvoker"))
    # The mapping table's path (custInfo[].listAccounts[].acctType); the example's is the
    # top-level listAccounts. Both are read.
    listAccounts = fields.List(fields.Nested(lambda: SyncAccount()))


class AcctId(Base):
    acctId = fields.String()


class CardAcctId(Base):
    acctId = fields.String()
    lastDigits = fields.String()


class Amount(Base):
    curCode = fields.String()
    amt = fields.Float(allow_nan=False)


class XferRec(Base):
    externalXferRec = StrictBoolean()
    immediateXfer = StrictBoolean()
    flagDebit = StrictBoolean()
    flagCredit = StrictBoolean()


class MinPayment(Base):
    amt = fields.Float(allow_nan=False)
    dueDt = date_or_empty()


class SyncAccount(Base):
    acctType = fields.String(required=True, validate=one_of(ACCOUNT_TYPES))
    externalId = fields.String()
    depAcctId = fields.Nested(AcctId)
    cardAcctId = fields.Nested(CardAcctId)
    nickname = fields.String()
    name = fields.String()
    product = fields.Nested(Base.from_dict({"productType": fields.String()},
                                             name="SyncProduct"))
    curCode = fields.String()
    bankId = fields.String()
    xferRec = fields.Nested(XferRec)
    acctBal = fields.Nested(Amount)
    LOCLimit = fields.Nested(Amount)
    lOCLimit = fields.Nested(Amount)
    otherIncome = fields.Nested(Amount)
    curRate = fields.String()
    termUnits = fields.String()
    minPmtCurAmt = fields.Nested(MinPayment)

    @validates_schema
    def an_account_number(self, data, **kwargs):
        if not (data.get("depAcctId", {}).get("acctId") or data.get("cardAcctId", {}).get("acctId")):
            raise ValidationError("Missing data for required field: an account needs "
                                  "depAcctId.acctId or cardAcctId.acctId.", "depAcctId.acctId")


class SyncData(Base):
    personName = fields.Nested(Base.from_dict({"firstName": fields.String()},
                                                name="SyncFirstName"))
    invoker = fields.Nested(Base.from_dict({"refType": fields.String(),
                                              "channel": fields.String()}, name="SyncInvoker"))
    govIssueIdent = fields.Nested(SyncIdent, required=True)
    custInfo = fields.List(fields.Nested(SyncCustInfo), required=True,
                           validate=length(1, None))
    listAccounts = fields.List(fields.Nested(SyncAccount), load_default=list)


class SyncFile(Base):
    # Base64 of the sync-data JSON (whitespace inside is ignored, as decode_file reads it).
    binData = fields.String(required=True, validate=length(1, None), metadata={"format": "byte"})


class SyncDataFile(Base):
    file = fields.Nested(SyncFile, required=True)


# -- POST query-pila ---------------------------------------------------------------------------
class InvoiceInfo(Base):
    invoiceNum = fields.String(required=True, validate=length(1, 20))
    # The aportante's NIT: identification.py's rule, checked by the backend.
    identSerialNum = fields.String(required=True)


class PilaTrn(Base):
    transactionHour = fields.String(required=True, validate=HOUR)
    # The same audit number as status-basic-data's, whose table says it is 6 digits.
    trnRqUID = fields.String(required=True, validate=AUDIT_NUMBER)
    code = fields.String(required=True, validate=length(1, 20))
    depAcctIdTo = fields.Nested(Base.from_dict(
        {"acctId": fields.String(required=True, validate=length(1, 20))}, name="PilaAccount"),
        required=True)
    branchName = fields.String()
    cityId = fields.String()
    city = fields.String()
    stateProv = fields.String()
    depAcctIdFrom = fields.Nested(AcctId)
    invoiceInfo = fields.Nested(InvoiceInfo, required=True)

    @pre_load
    def mapping_spelling(self, data, **kwargs):
        """The mapping table writes trn.InvoiceInfo.InvoiceNum; the example invoiceInfo.invoiceNum."""
        if isinstance(data, dict) and "InvoiceInfo" in data and "invoiceInfo" not in data:
            data = {**data, "invoiceInfo": data["InvoiceInfo"]}
            info = data["invoiceInfo"]
            if isinstance(info, dict) and "InvoiceNum" in info and "invoiceNum" not in info:
                data["invoiceInfo"] = {**info, "invoiceNum": info["InvoiceNum"]}
        return data


class QueryPila(Base):
    trn = fields.Nested(PilaTrn, required=True)


# The instances the routes use: built once, here.
SECURE_DATA = SecureData()
SYNC_DATA = SyncData()
SYNC_DATA_FILE = SyncDataFile()
QUERY_PILA = QueryPila()
