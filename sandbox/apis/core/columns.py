"""The core tables' column types as marshmallow fields, and `Table`, every table's schema base.

A constructor per column type of the seeds' tables (varchar, text, integer, number, date,
boolean, and nested objects / lists of them), each applying the presence rules every table shares
(schemas.py); the field classes are strict about JSON types (a "1234" string is not an integer)
and name their JSON type test (`fast_load`) for the compiled check (sandbox/fastcheck.py). Also
the closed lists of values the tables spell out.
"""
from __future__ import annotations

import re
from datetime import date

from marshmallow import INCLUDE, Schema, ValidationError, fields, missing
from marshmallow.validate import Length, OneOf

from ... import fastcheck

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
class EmptyIsAbsent:
    """Seeds 000/001: an optional field "may arrive null or empty": an empty value, of any type,
    is the field left out. (The compiled check's type tests refuse "", so marshmallow decides
    those, through this.)"""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value == "" and not self.required:
            value = missing
        return super().deserialize(value, attr, data, **kwargs)


def _text(value):
    return value if type(value) is str and value else fastcheck.REFUSED


class Varchar(EmptyIsAbsent, fields.String):
    fast_load = staticmethod(_text)


class Integer(EmptyIsAbsent, fields.Integer):
    default_error_messages = {"invalid": "Not a valid integer."}
    fast_load = staticmethod(fastcheck.integer)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class Float(EmptyIsAbsent, fields.Float):
    default_error_messages = {"invalid": "Not a valid number."}
    fast_load = staticmethod(fastcheck.number)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._validated(value)


def _ymd_date(value):
    """The date a `YYYY-MM-DD` text names, or fastcheck.REFUSED (not such a text, or no such day)."""
    if isinstance(value, str) and _YMD.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return fastcheck.REFUSED


class Date(EmptyIsAbsent, fields.Date):
    """`YYYY-MM-DD` exactly, as every date column of the tables says."""
    default_error_messages = {"invalid": "Not a valid date (YYYY-MM-DD)."}
    # One test for both: the compiled check and marshmallow cannot differ on a date.
    fast_load = staticmethod(_ymd_date)

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = _ymd_date(value)
        if loaded is fastcheck.REFUSED:
            raise self.make_error("invalid")
        return loaded


class Boolean(EmptyIsAbsent, fields.Boolean):
    """JSON true/false only: the tables' boolean columns."""
    truthy = {True}
    falsy = {False}
    default_error_messages = {"invalid": "Not a valid boolean (true or false)."}
    fast_load = staticmethod(fastcheck.boolean)

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool:  # (0 and 1 would pass the truthy/falsy sets: 0 == False)
            raise self.make_error("invalid")
        return value


class Code(EmptyIsAbsent, fields.Field):
    """Text or integer: seed 002 types `related_wisenroll_code` integer, its example sends "K9ZW56"."""
    default_error_messages = {"invalid": "Not a valid code (text or integer)."}
    json_schema = {"oneOf": [{"type": "string"}, {"type": "integer"}]}  # (the OpenAPI document's)
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
            choices=None) -> Varchar:
    validators = []
    if size is not None:
        validators.append(Length(max=size))
    if choices is not None:  # (an empty value is not one of them either)
        validators.append(OneOf(choices, error="Must be one of: {choices}."))
    elif required:
        validators.append(_not_empty)
    return Varchar(validate=validators, **_presence(required, null))


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
