"""Tables both customer layouts share (seeds 000 and 001): names, contact, references, branch."""
from __future__ import annotations

from .columns import RELATIONSHIPS, SEX_CODES, Table, integer, nested, varchar, ymd


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
