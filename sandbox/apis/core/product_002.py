"""Seed 002's core_product request: a product opened for a customer, and its related clients."""
from __future__ import annotations

from marshmallow.validate import Length

from .columns import FLAGS, Code, Table, integer, many, nested, varchar, ymd


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
