"""The core's request tables (seeds 000, 001, 002) as marshmallow schemas, built once at import.

Rules every table shares (the seeds' notes under each table):
- a field marked `*` is required: present, and not null unless a seed example sends it null;
  a required text field must not be empty either;
- a field without `*` may be null, empty ("") or absent;
- fields the tables do not list are kept (unknown=INCLUDE at every level), because the seeds'
  own examples send many (`bonding_type`, `industry_code`, `customer_number`...).
Where a seed example contradicts its table, the example wins and a comment says where.
"""
from __future__ import annotations

import re
from datetime import date

from marshmallow import INCLUDE, Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf

from ... import fastcheck
from ...errors import field_errors, field_path

# Seed 001: "M (Male) / F (Female) / NB (No Binary) / NC (No Comments) / O (Other)". Seed 000
# documents only M / F and both say varchar 1, which NB and NC could not fit: the enumeration of
# the newer seed applies to both layouts and stands in for the length.
SEX_CODES = ("M", "F", "NB", "NC", "O")
# Closed lists the tables spell out ("Los valores que toma son: Propia y Alquilada").
HOUSING_TYPES = ("Propia", "Alquilada")
RELATIONSHIPS = ("Familiar", "No Familiar")
FLAGS = (0, 1)
_YMD = re.compile(r"\d{4}-\d{2}-\d{2}")


class Table(Schema):
    """A seed table: keeps the fields it does not list."""

    class Meta:
        unknown = INCLUDE


# -- field types, strict about JSON types (a "1234" string is not an integer) --------------------
class Integer(fields.Integer):
    default_error_messages = {"invalid": "Not a valid integer."}
    fast_load = staticmethod(fastcheck.integer)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class Float(fields.Float):
    default_error_messages = {"invalid": "Not a valid number."}
    fast_load = staticmethod(fastcheck.number)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._validated(value)


class Date(fields.Date):
    """`YYYY-MM-DD` exactly, as every date column of the tables says."""
    default_error_messages = {"invalid": "Not a valid date (YYYY-MM-DD)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _YMD.fullmatch(value):
            raise self.make_error("invalid")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None


class Boolean(fields.Boolean):
    """JSON true/false only: the tables' boolean columns."""
    truthy = {True}
    falsy = {False}
    default_error_messages = {"invalid": "Not a valid boolean (true or false)."}
    fast_load = staticmethod(fastcheck.boolean)

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool:  # (0 and 1 would pass the truthy/falsy sets: 0 == False)
            raise self.make_error("invalid")
        return value


class Code(fields.Field):
    """Text or integer: seed 002 types `related_wisenroll_code` integer, its example sends "K9ZW56"."""
    default_error_messages = {"invalid": "Not a valid code (text or integer)."}
    fast_load = staticmethod(fastcheck.text_or_integer)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.make_error("invalid")
        return str(value)


def _not_empty(value):
    if isinstance(value, str) and not value.strip():
        raise ValidationError("Must not be empty.")


def _presence(required: bool, null: bool | None) -> dict:
    # Without `*` a field may be null or absent; with it, null only where an example sends null.
    return {"required": required, "allow_none": (not required) if null is None else null}


def varchar(size: int | None, *, required: bool = False, null: bool | None = None,
            choices=None) -> fields.String:
    validators = []
    if size is not None:
        validators.append(Length(max=size))
    if choices is not None:  # (an empty value is not one of them either)
        validators.append(OneOf(choices, error="Must be one of: {choices}."))
    elif required:
        validators.append(_not_empty)
    return fields.String(validate=validators, **_presence(required, null))


def text(*, required: bool = False) -> fields.String:
    """The tables' `text` type: no length."""
    return varchar(None, required=required)


def integer(*, required: bool = False, choices=None) -> Integer:
    validate = OneOf(choices, error="Must be one of: {choices}.") if choices else None
    return Integer(validate=validate, **_presence(required, None))


def number(*, required: bool = False) -> Float:
    return Float(**_presence(required, None))


def ymd(*, required: bool = False) -> Date:
    return Date(**_presence(required, None))


def boolean() -> Boolean:
    return Boolean(allow_none=True)


def nested(schema: type[Schema], *, required: bool = False) -> fields.Nested:
    return fields.Nested(schema, **_presence(required, None))


def many(schema: type[Schema], *, required: bool = False) -> fields.List:
    return fields.List(fields.Nested(schema), **_presence(required, None))


# -- pieces both layouts share ----------------------------------------------------------------
class SpouseInfo(Table):
    first_name = varchar(30)
    middle_name = varchar(30)
    last_name = varchar(30)
    middle_last_name = varchar(30)
    document_type_code = varchar(4)
    document_number = varchar(15)
    issuing_country_code = varchar(2)


class ImmigrationStatus(Table):
    # "work_permit, holidays, resident. Ver Anexo 1": an open list (the annex is not in the seeds).
    unique_name = varchar(50)
    description = varchar(50)


class PersonNames(Table):
    first_name = varchar(30, required=True)
    middle_name = varchar(30)
    last_name = varchar(30, required=True)
    middle_last_name = varchar(30)
    sex = varchar(None, required=True, choices=SEX_CODES)
    birth_date = ymd(required=True)
    civil_status_id = integer(required=True)
    civil_status_description = varchar(50)
    nationality_code = varchar(2)
    other_nationality_code = varchar(2)
    person_type_code = varchar(10)
    spouse_info = nested(SpouseInfo)
    immigration_status = nested(ImmigrationStatus)
    additional_field1 = varchar(150)
    additional_field2 = varchar(150)
    additional_field3 = varchar(150)


class ClientContact(Table):
    email = varchar(50, required=True)
    cell_phone = varchar(20, required=True)
    home_phone = varchar(20)
    buss_phone = varchar(20)
    # Listed by seed 000 only; seed 001's table drops it (then it is simply kept as unknown).
    fax = varchar(20)
    social_network_name = varchar(45)
    social_network_username = varchar(30)


class BankReference(Table):
    country_code = varchar(2)
    bank_name = varchar(50)
    # The tables spell `acount_type_description`; every example sends `account_type_description`.
    acount_type_description = varchar(50)
    account_type_description = varchar(50)
    account_number = varchar(50)
    officer = varchar(100)


class PersonalReference(Table):
    name = varchar(100)
    relationship = varchar(50, choices=RELATIONSHIPS)
    phone = varchar(20)
    address = varchar(150)
    document_number = varchar(20)
    document_type_code = varchar(4)


class EntityBranch(Table):
    # Required, but seed 000 example 3 sends `"branch_code": null`: null is accepted.
    branch_code = varchar(6, required=True, null=True)
    branch_name = varchar(35, required=True)


# -- seed 000: the Spanish layout, main document inside client_info ------------------------------
class RelatedAccount(Table):
    account_link_type_code = varchar(1)
    authorized_signature = boolean()
    related_account_number = varchar(20)


class ProductRequestType(Table):
    description = varchar(50)
    # Table: varchar 1. Every example sends "product_request" (15): the length is the column's
    # neighbour's, 50.
    code = varchar(50)


class ClientInfo000(PersonNames):
    document_type_code = varchar(4, required=True)
    document_number = varchar(15, required=True)
    issuing_country_code = varchar(2, required=True)
    other_document_type_code = varchar(4)
    other_document_number = varchar(15)
    other_issuing_country_code = varchar(2)
    related_accounts = many(RelatedAccount)
    product_request_type = nested(ProductRequestType)


class ClientLocation000(Table):
    city_description = varchar(30, required=True)
    province_code = varchar(4, required=True)
    province_description = varchar(70, required=True)
    country_description = varchar(20, required=True)
    locality_code = varchar(6, required=True)
    locality_description = varchar(70, required=True)
    country_code = varchar(2, required=True)
    address = varchar(100, required=True)
    neighbourhood_description = varchar(100)
    housing_type = varchar(50, choices=HOUSING_TYPES)
    rent_amount = number()
    owner = varchar(80)
    owner_phone = varchar(30)
    postal_code = varchar(10)


class OtherJobInfo000(Table):
    ciiu = varchar(6)
    country_code = varchar(2)
    quantity_of_employees = integer()
    total_assets = number()
    income_in_another_currency = number()
    origin_income = varchar(100)


class ClientJobInfo000(Table):
    salary = number(required=True)
    net_income = number(required=True)
    currency_code = varchar(4, required=True)
    work_address = varchar(150, required=True)
    ciiu = varchar(6, required=True)
    company_name = varchar(100)
    other_job_info = nested(OtherJobInfo000)


class SecondBankReference000(BankReference):
    # Seed 000 names this one's bank `bank_description`; example 3 sends `bank_name` (kept above).
    bank_description = varchar(50)


class ClientReferences000(Table):
    first_bank_reference = nested(BankReference)
    second_bank_reference = nested(SecondBankReference000)
    first_personal_reference = nested(PersonalReference, required=True)
    second_personal_reference = nested(PersonalReference, required=True)


class ClientTransactionality000(Table):
    inc_transactionality = number(required=True)
    inc_monthly_movements = integer(required=True)
    out_transactionality = number(required=True)
    out_monthly_movements = integer(required=True)


class CoreCustomer000(Table):
    client_info = nested(ClientInfo000, required=True)
    client_location = nested(ClientLocation000, required=True)
    client_contact = nested(ClientContact, required=True)
    client_job_info = nested(ClientJobInfo000, required=True)
    client_references = nested(ClientReferences000, required=True)
    client_transactionality = nested(ClientTransactionality000, required=True)
    client_entity_branch = nested(EntityBranch, required=True)


# -- seed 001: the English layout, documents in client_documents ----------------------------------
class ClientInfo001(PersonNames):
    nickname = varchar(100)
    other_sex_description = varchar(50)
    civil_status_unique_description = varchar(20)
    wisenroll_code = varchar(6, required=True)


class ClientDocument(Table):
    document_number = varchar(20, required=True)
    document_type_code = varchar(20, required=True)
    issuing_country_code = varchar(2, required=True)
    main = integer(required=True, choices=FLAGS)


class ClientLocation001(Table):
    city_description = varchar(30, required=True)
    country_code = varchar(2, required=True)
    country_description = varchar(20, required=True)
    locality_code = varchar(6, required=True)
    locality_description = varchar(70, required=True)
    address = varchar(100, required=True)
    housing_type = varchar(50, choices=HOUSING_TYPES)
    rent_amount = number()
    rent_currency = varchar(3)
    owner = varchar(80)
    owner_phone = varchar(30)
    postal_code = varchar(10)
    neighbourhood_description = varchar(150)
    province_code = varchar(10)
    province_description = varchar(70)


class OtherJobInfo001(Table):
    commercial_activity_code = varchar(6)
    commercial_activity_description = text()
    country_code = varchar(2)
    country_description = varchar(20)
    quantity_of_employees = integer()
    total_assets = number()
    income_in_another_currency = number()
    origin_income = varchar(100)


class PreviousEmployment(Table):
    previous_boss_full_name = varchar(200)
    previous_company_name = varchar(50)
    previous_seniority = integer()


class ClientJobInfo001(Table):
    salary = number(required=True)
    annual_gross_salary = number(required=True)
    net_income = number(required=True)
    currency_code = varchar(4, required=True)
    company_name = varchar(100)
    company_country_code = varchar(2, required=True)
    company_country_description = varchar(20, required=True)
    work_address = varchar(150, required=True)
    work_email = varchar(100)
    entry_date = ymd(required=True)
    professional_position = varchar(100, required=True)
    occupation_code = varchar(50, required=True)
    occupation_description = text(required=True)
    other_job_info = nested(OtherJobInfo001)
    previously_employment_data = nested(PreviousEmployment)


class BankReference001(BankReference):
    canceled = integer(choices=FLAGS)
    canceled_reason = varchar(200)
    aba_code = varchar(50)
    iban_code = varchar(50)
    swift_code = varchar(50)


class PersonalReference001(PersonalReference):
    reference_relationship_unique_description = varchar(50)
    # Table: varchar 2 ("Document issuing country"); the examples send country names
    # ("Republica Dominicana", "Estados Unidos"), so the length is that of a name, 50.
    country = varchar(50)
    email = varchar(150)


class CommercialReference(Table):
    name = varchar(100)
    phone = varchar(20)
    # Table: varchar 2; example 1 sends "Estados Unidos" (see PersonalReference001.country).
    country = varchar(50)


class ClientReferences001(Table):
    first_bank_reference = nested(BankReference001)
    second_bank_reference = nested(BankReference001)
    first_personal_reference = nested(PersonalReference001, required=True)
    second_personal_reference = nested(PersonalReference001, required=True)
    first_supplier_commercial_reference = nested(CommercialReference)
    second_supplier_commercial_reference = nested(CommercialReference)
    first_client_commercial_reference = nested(CommercialReference)
    second_client_commercial_reference = nested(CommercialReference)


class ClientTransactionality001(ClientTransactionality000):
    inc_transactionality_currency = varchar(3, required=True)
    out_transactionality_currency = varchar(3, required=True)
    funds_country_code = varchar(2, required=True)
    funds_country_description = varchar(50, required=True)


class CoreCustomer001(Table):
    client_info = nested(ClientInfo001, required=True)
    client_documents = many(ClientDocument, required=True)
    client_location = nested(ClientLocation001, required=True)
    client_contact = nested(ClientContact, required=True)
    client_job_info = nested(ClientJobInfo001, required=True)
    client_references = nested(ClientReferences001, required=True)
    client_transactionality = nested(ClientTransactionality001, required=True)
    client_entity_branch = nested(EntityBranch, required=True)

    # A rule on the whole body (the fast check, fastcheck.py, finds and runs it too).
    @validates_schema(skip_on_field_errors=False)
    def one_main_document(self, data, **kwargs):
        # The main document is the customer's key in the core: exactly one must be marked.
        documents = data.get("client_documents")
        if not isinstance(documents, list):
            return
        mains = sum(1 for doc in documents if isinstance(doc, dict) and doc.get("main") == 1)
        if mains != 1:
            raise ValidationError(f"Exactly one document must have main 1 (found {mains}).",
                                  "client_documents")


# -- seed 002: core_product ----------------------------------------------------------------------
class MainDocument(Table):
    document_type_code = varchar(20)
    document_number = varchar(20)
    # Table: `issuing_number_code`; example 2 sends `issuing_country_code`. Both are accepted.
    issuing_number_code = varchar(2)
    issuing_country_code = varchar(2)


class RelatedClient(Table):
    customer_number = integer()
    # Table: integer; example 2 sends "K9ZW56" (a wisenroll code is six characters, seed 001).
    related_wisenroll_code = Code(allow_none=True, validate=Length(max=6))
    # Table: `account_link_type`; example 2 sends `account_link_type_code`. Both are accepted.
    account_link_type = varchar(2)
    account_link_type_code = varchar(2)
    authorized_signature = integer(choices=FLAGS)
    main_document = nested(MainDocument)


class CoreProduct(Table):
    product_code = varchar(4, required=True)
    customer_number = integer(required=True)
    open_date = ymd(required=True)
    related_client_info = many(RelatedClient)


# Built once: validation is the only per-request work.
CUSTOMER_000 = CoreCustomer000()
CUSTOMER_001 = CoreCustomer001()
PRODUCT = CoreProduct()
# A valid body (the common case) is recognised by a compiled check; marshmallow's full report is
# asked for only when that check finds a fault.
_PASSES = {id(schema): fastcheck.compile_check(schema)
           for schema in (CUSTOMER_000, CUSTOMER_001, PRODUCT)}


def customer_schema(body: dict) -> Schema:
    """Seed 001's layout carries `client_documents`; seed 000's keeps documents in client_info."""
    return CUSTOMER_001 if "client_documents" in body else CUSTOMER_000


def problems(schema: Schema, body: dict) -> str | None:
    """Every failing field of `body`, each with its path, or None when the body is valid."""
    passes = _PASSES.get(id(schema))
    if passes is not None and passes(body):
        return None
    errors = schema.validate(body)
    if not errors:
        return None
    return "Invalid request: " + "; ".join(
        f"{field_path(keys, brackets=True)}: {', '.join(m.rstrip('.') for m in messages)}"
        for keys, messages in field_errors(errors)) + "."
