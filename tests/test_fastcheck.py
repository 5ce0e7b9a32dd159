"""The fast yes/no check (sandbox/fastcheck.py) gives marshmallow's verdict: for every
field of the tables, in the seed examples, with values of every JSON type and edge."""
import copy

import pytest
from marshmallow import fields

from sandbox.apis.core import schemas
from sandbox.fastcheck import compile_check
from tests.conftest import seed_example

ABSENT = object()
VALUES = [ABSENT, None, "", " ", "M", "x" * 7, "x" * 300, "1990-10-12", "1990-02-30", 0, 1, 2,
          1.5, True, False, float("nan"), 10 ** 400, [], [{}], {}]


def field_paths(schema, data, prefix=()):
    """Every field path of the schema that the example can hold (its parent object exists)."""
    for name, field in schema.fields.items():
        path = prefix + (name,)
        yield path
        value = data.get(name) if isinstance(data, dict) else None
        if isinstance(field, fields.Nested) and isinstance(value, dict):
            yield from field_paths(field.schema, value, path)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested) \
                and isinstance(value, list) and value and isinstance(value[0], dict):
            yield from field_paths(field.inner.schema, value[0], path + (0,))


def mutated(body, path, value):
    body = copy.deepcopy(body)
    parent = body
    for part in path[:-1]:
        parent = parent[part]
    if value is ABSENT:
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value
    return body


def richest(name):
    """The seed example with the most fields: 000 example 1 lacks a related account (example 3's)."""
    example = seed_example(name)
    if name == "000_request_1":
        example["client_info"]["related_accounts"] = seed_example("000_request_3")[
            "client_info"]["related_accounts"]
    return example


@pytest.mark.parametrize("name,schema", [
    ("000_request_1", schemas.CUSTOMER_000), ("001_request_1", schemas.CUSTOMER_001),
    ("002_request_2", schemas.PRODUCT)])
def test_fast_check_agrees_with_marshmallow_on_every_field(name, schema):
    check = compile_check(schema)
    example = richest(name)
    disagreements = []
    for path in field_paths(schema, example):
        for value in VALUES:
            body = mutated(example, path, value)
            if check(body) != (not schema.validate(body)):
                disagreements.append((".".join(map(str, path)), value))
    assert not disagreements


@pytest.mark.parametrize("body", [None, [], "x", {}, {"client_documents": []},
                                  {"client_documents": [{"main": 1}, {"main": 1}]}])
def test_fast_check_agrees_on_whole_bodies(body):
    for schema in (schemas.CUSTOMER_000, schemas.CUSTOMER_001, schemas.PRODUCT):
        expected = isinstance(body, dict) and not schema.validate(body)
        assert compile_check(schema)(body) == expected
