"""The query strings of the BCS GET routes (seed 004), as marshmallow schemas: what the OpenAPI
document lists as each route's query parameters (the views read request.args themselves; the
rules live in customer_backend / profile_backend and identification.py, whose values these
name)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from . import identification
from .profile_backend import LOCATION_ACTIONS, LOCATION_CONDITIONS


def ident_type(required: bool = False) -> fields.String:
    codes = list(identification.types())
    return fields.String(required=required, validate=validate.OneOf(codes), metadata={
        "description": f"The document type: {', '.join(codes)} (also written "
                       f"{', '.join(identification.rules()['aliases'])}, any case, with dots)",
        "example": "CC"})


def number(description: str) -> fields.String:
    return fields.String(validate=validate.Length(1, identification.rules()["max_length"]),
                         metadata={"description": description, "example": "1234567890"})


class MnemonicQuery(Schema):
    mnemonic = fields.String(required=True, metadata={
        "description": "The document type's letters followed by its number", "example":
        "CC1234567890"})


class BasicDataV4Query(Schema):
    govIssueIdentType = ident_type()
    identSerialNum = number("With govIssueIdentType: the customer's document number")
    cellphone = fields.String(metadata={
        "description": "Without govIssueIdentType + identSerialNum: the customer's cellphone",
        "example": "1234567890"})


class IdentTypeQuery(Schema):
    govIssueIdentType = ident_type()


class RequiredIdentTypeQuery(Schema):
    govIssueIdentType = ident_type(required=True)


# An empty value is the default (I, 1); the action in any case.
ACTIONS = [*LOCATION_ACTIONS, *(action.lower() for action in LOCATION_ACTIONS), ""]


class LocationsQuery(IdentTypeQuery):
    action = fields.String(validate=validate.OneOf(ACTIONS), metadata={
        "description": "I integrals (default), T transformed", "example": "I"})
    condition = fields.String(validate=validate.OneOf([*LOCATION_CONDITIONS, ""]), metadata={
        "description": "1 current (default), 2 expired, 3 all", "example": "1"})
