"""Seed 000's customer request: the Spanish layout, its main document inside client_info."""
from __future__ import annotations

from .columns import HOUSING_TYPES, Table, boolean, integer, many, nested, number, varchar
from .customer_common import (BankReference, ClientContact, EntityBranch, PersonalReference,
                              PersonNames)


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
