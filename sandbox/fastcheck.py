"""A yes/no check that a body passes a marshmallow schema, several times faster than
`Schema.validate`, for the hot path: most requests are valid, and only an invalid one needs
marshmallow's full error report (which `schemas.problems` then asks for).

It is compiled once from the schema itself (its fields, their required/allow_none flags and their
own validator objects), so the two cannot drift apart on what the tables say; only the JSON type
tests of the field classes below are restated, and a field of any other class is handed to
marshmallow's own `deserialize`. tests/test_fastcheck.py holds both to the same verdict.
"""
from __future__ import annotations

import math
from typing import Callable

from marshmallow import Schema, ValidationError, fields, missing

Check = Callable[[object], bool]
REFUSED = object()


# JSON type tests: the value a field's validators see, or REFUSED. A field class names its own
# as `fast_load` (schemas.py); marshmallow's String is the one class of its own used as it is.
def string(value):
    return value if type(value) is str else REFUSED


def integer(value):
    return value if type(value) is int else REFUSED


def number(value):
    if type(value) is not int and type(value) is not float:
        return REFUSED
    try:
        loaded = float(value)
    except OverflowError:
        return REFUSED
    return loaded if math.isfinite(loaded) else REFUSED


def boolean(value):
    return value if type(value) is bool else REFUSED


def text_or_integer(value):
    return str(value) if type(value) is str or type(value) is int else REFUSED


def _leaf(field: fields.Field) -> Check:
    required, allow_none = field.required, field.allow_none
    convert = string if type(field) is fields.String else getattr(field, "fast_load", None)
    validators = tuple(field.validators)
    if convert is None:  # Date and any other class: marshmallow's own deserialize decides
        def slow(value) -> bool:
            try:
                field.deserialize(value)
            except ValidationError:
                return False
            return True
        return slow

    def check(value) -> bool:
        if value is missing:
            return not required
        if value is None:
            return allow_none
        loaded = convert(value)
        if loaded is REFUSED:
            return False
        try:
            for validator in validators:
                validator(loaded)
        except ValidationError:
            return False
        return True
    return check


def _nested(field: fields.Field, inner: Check, many: bool) -> Check:
    required, allow_none = field.required, field.allow_none

    def check(value) -> bool:
        if value is missing:
            return not required
        if value is None:
            return allow_none
        if many:
            return isinstance(value, list) and all(map(inner, value))
        return inner(value)
    return check


def compile_check(schema: Schema) -> Check:
    """True when marshmallow would find no error in the value, False otherwise."""
    checks = []
    for name, field in schema.fields.items():
        key = field.data_key or name
        if isinstance(field, fields.Nested):
            checks.append((key, _nested(field, compile_check(field.schema), many=False)))
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            checks.append((key, _nested(field, compile_check(field.inner.schema), many=True)))
        else:
            checks.append((key, _leaf(field)))
    # Rules on the whole object (validates_schema methods) a schema names in `whole_body_checks`.
    body_rules = [getattr(schema, name) for name in getattr(schema, "whole_body_checks", ())]

    def check(value) -> bool:
        if not isinstance(value, dict):
            return False
        get = value.get
        for key, field_check in checks:
            if not field_check(get(key, missing)):
                return False
        try:
            for rule in body_rules:
                rule(value)
        except ValidationError:
            return False
        return True
    return check
