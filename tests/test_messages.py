"""Every validation message reads as a sentence a person wrote: no "between 1 and None
characters", no "Must be one of: M, F, O, ." with an empty choice shown as nothing."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from sandbox import create_app
from sandbox.messages import length, one_of
from tests.conftest import make_config

APP = create_app(make_config())
SCHEMAS = {id(s): s for op in APP.extensions["sandbox"].operations.values()
           for s in [op.meta.get("request_schema"), *op.meta.get("request_schemas", ())] if s}


def messages_of(validator, value):
    try:
        validator(value)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize("validator, value, expected", [
    (length(1), "", "Length must be at least 1 character (not empty)."),
    (length(None, 10), "x" * 11, "Length must be at most 10 characters."),
    (length(2, 8), "x", "Length must be 2 to 8 characters."),
    (length(6, 6), "x", "Length must be exactly 6 characters."),
    (one_of(("M", "F", "O", "")), "X", "Must be one of M, F or O (or empty)."),
    (one_of(("S", "N")), "X", "Must be one of S or N."),
])
def test_a_rule_says_what_it_wants_in_a_sentence(validator, value, expected):
    assert messages_of(validator, value) == [expected]


def walk(schema, seen=()):
    for field in schema.fields.values():
        yield field
        inner = getattr(field, "inner", None)
        nested = getattr(field, "schema", None) or getattr(inner, "schema", None)
        if nested is not None and type(nested) not in seen:
            yield from walk(nested, seen + (type(nested),))


def test_no_rule_of_any_request_schema_says_none_or_an_empty_choice():
    bad = []
    for schema in SCHEMAS.values():
        for field in walk(schema):
            for validator in field.validators:
                for probe in ("", "\u0000" * 500, "zz-not-a-choice"):
                    for message in messages_of(validator, probe):
                        if "None" in message or ", ." in message or ": ," in message:
                            bad.append((type(schema).__name__, field.name, message))
    assert not bad, bad
