"""Seed 001's customer request: the English layout, its documents in client_documents, exactly
one of them the main one."""
from __future__ import annotations

from marshmallow import ValidationError, validates_schema

from .columns import (FLAGS, HOUSING_TYPES, Table, integer, many, nested, number, text, varchar,
                      ymd)
from .customer_000 import ClientTransactionality000
from .customer_common import (BankReference, ClientContact, EntityBranch, PersonalReference,
                              PersonNames)


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
