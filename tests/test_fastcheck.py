"""The fast yes/no check (sandbox/fastcheck.py) gives marshmallow's verdict: for every
field of every request schema of every API family, in the routes' and the seeds' examples, with
values of every JSON type and edge, and an unknown key in every object."""
import copy
import datetime

import pytest
from marshmallow import (EXCLUDE, INCLUDE, Schema, ValidationError, fields, post_load, pre_load,
                         validates_schema)
from marshmallow.validate import Length

from sandbox import create_app
from sandbox.apis.core import schemas
from sandbox.fastcheck import compile_check
from tests.conftest import make_config, seed_example

ABSENT = object()
VALUES = [ABSENT, None, "", " ", "M", "x" * 7, "x" * 300, "1990-10-12", "1990-02-30", 0, 1, 2,
          1.5, True, False, float("nan"), 10 ** 400, [], [{}], {}]
UNKNOWN_KEY = "not_a_field_of_any_table"


def richest(name):
    """The seed example with the most fields: 000 example 1 lacks a related account (example 3's)."""
    example = seed_example(name)
    if name == "000_request_1":
        example["client_info"]["related_accounts"] = seed_example("000_request_3")[
            "client_info"]["related_accounts"]
    return example


# The core's seeds hold richer examples than its routes show (and core_customer shows one for two
# layouts): those are the examples its schemas are tried on.
SEED_EXAMPLES = {id(schemas.CUSTOMER_000): "000_request_1", id(schemas.CUSTOMER_001): "001_request_1",
                 id(schemas.PRODUCT): "002_request_2"}


def request_schemas():
    """(route, schema, example) for every request schema a real app's routes declare."""
    operations = create_app(make_config()).extensions["sandbox"].operations
    found = []
    for name, operation in sorted(operations.items()):
        meta = operation.meta
        declared = list(meta.get("request_schemas") or ())
        if meta.get("request_schema") is not None and meta["request_schema"] not in declared:
            declared.insert(0, meta["request_schema"])
        for schema in declared:
            seed = SEED_EXAMPLES.get(id(schema))
            found.append((name, schema, richest(seed) if seed else meta.get("request_example")))
    return found


ROUTE_SCHEMAS = request_schemas()


def field_paths(schema, data, prefix=()):
    """Every field path of the schema that the example can hold (its parent object exists)."""
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        path = prefix + (key,)
        yield path
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(field, fields.Nested) and isinstance(value, dict):
            yield from field_paths(field.schema, value, path)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested) \
                and isinstance(value, list) and value and isinstance(value[0], dict):
            yield from field_paths(field.inner.schema, value[0], path + (0,))


def object_paths(data, prefix=()):
    """The path of every object in the example, itself included."""
    if isinstance(data, dict):
        yield prefix
        for key, value in data.items():
            yield from object_paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from object_paths(value, prefix + (index,))


def mutated(body, path, value):
    """The body with `value` at `path`: the objects on the way are copied, the rest shared."""
    body = root = copy.copy(body)
    for part in path[:-1]:
        body[part] = copy.copy(body[part])
        body = body[part]
    if value is ABSENT:
        body.pop(path[-1], None)
    else:
        body[path[-1]] = value
    return root


def disagreements(schema, example):
    """Where the compiled check and marshmallow's validate differ on the example's mutations."""
    check = compile_check(schema)
    bodies = [(".".join(map(str, path)), value, mutated(example, path, value))
              for path in field_paths(schema, example) for value in VALUES]
    bodies += [(".".join(map(str, path + (UNKNOWN_KEY,))), "unknown key",
                mutated(example, path + (UNKNOWN_KEY,), "x")) for path in object_paths(example)]
    bodies.append(("", "unchanged", example))
    return [(where, value) for where, value, body in bodies
            if check(body) != (not schema.validate(body))]


def test_every_family_declares_request_schemas_with_examples():
    routes = {route for route, _schema, _example in ROUTE_SCHEMAS}
    assert {"core_customer", "core_product", "cliente", "create_customer", "secure_data",
            "sync_data", "query_pila"} <= routes
    assert {id(schema) for _route, schema, _example in ROUTE_SCHEMAS} >= set(SEED_EXAMPLES)


@pytest.mark.parametrize("route,schema,example", ROUTE_SCHEMAS,
                         ids=[f"{route}-{type(schema).__name__}"
                              for route, schema, _example in ROUTE_SCHEMAS])
def test_fast_check_agrees_with_marshmallow_on_every_field(route, schema, example):
    assert not schema.validate(example)  # (mutations of a valid body find where verdicts turn)
    assert not disagreements(schema, example)


@pytest.mark.parametrize("body", [None, [], "x", {}, {"client_documents": []},
                                  {"client_documents": [{"main": 1}, {"main": 1}]}])
def test_fast_check_agrees_on_whole_bodies(body):
    for schema in {id(schema): schema for _route, schema, _example in ROUTE_SCHEMAS}.values():
        expected = isinstance(body, dict) and not schema.validate(body)
        assert compile_check(schema)(body) == expected


# -- what marshmallow does that the compiled check must find by itself, on small schemas ---------
class Unlisted(Schema):
    """A rule nobody lists anywhere, seeing the loaded data (a date, a float, a load default)."""
    day = fields.Date(required=True)
    amount = fields.Float()
    tags = fields.List(fields.String(), load_default=list)

    @validates_schema
    def loaded_values(self, data, **kwargs):
        if not isinstance(data["day"], datetime.date) or data["tags"] != [] and "x" in data["tags"]:
            raise ValidationError("day is a date; no tag x")
        if "amount" in data and type(data["amount"]) is not float:
            raise ValidationError("amount is loaded as a float")


class Original(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(data_key="Name", attribute="full_name")

    @validates_schema(pass_original=True)
    def both(self, data, original, **kwargs):
        if "extra" in data or "full_name" not in data or original.get("Name") != data["full_name"]:
            raise ValidationError("loaded keys are attributes; unknown keys excluded")

    @validates_schema(pass_collection=True, skip_on_field_errors=False)
    def collection(self, data, many, partial, unknown, **kwargs):
        if many or unknown != EXCLUDE or data.get("full_name") == "collection":
            raise ValidationError("one object, its schema's unknown")


class Normalised(Schema):
    code = fields.String(validate=lambda value: None if value.isupper() else _fail())

    @pre_load
    def upper(self, data, **kwargs):
        return {**data, "code": data["code"].upper()} if isinstance(data.get("code"), str) else data


class Later(Schema):
    count = fields.Integer()

    @post_load
    def positive(self, data, **kwargs):
        if data.get("count", 1) < 1:
            raise ValidationError("count must be positive")
        return data


class Container(Schema):  # unknown=RAISE, marshmallow's default
    normalised = fields.Nested(Normalised)
    later = fields.Nested(Later)
    lenient = fields.Nested(Later, unknown=INCLUDE)
    items = fields.List(fields.Nested(Later, allow_none=True), validate=Length(min=1))
    several = fields.Nested(Later, many=True)


def _fail():
    raise ValidationError("not upper case")


@pytest.mark.parametrize("schema,valid,invalid", [
    (Unlisted(), [{"day": "2020-01-02"}, {"day": "2020-01-02", "amount": 1, "tags": ["y"]}],
     [{"day": "2020-01-02", "tags": ["x"]}, {"day": "2020-02-30"}, {}, {"day": None}]),
    (Original(), [{"Name": "a"}, {"Name": "a", "extra": 1}],
     [{}, {"full_name": "a"}, {"Name": "collection"}, {"Name": 1}]),
    (Normalised(), [{"code": "ab"}, {"code": "AB"}, {}], [{"code": 1}]),
    (Container(), [{}, {"normalised": {"code": "x"}}, {"later": {"count": 2}}, {"items": [None]},
                   {"lenient": {"count": 1, "other": 1}}],
     [{"later": {"count": 0}}, {"items": []}, {"items": [{"count": 0}]}, {"other": 1},
      {"later": {"count": 1, "other": 1}}, {"normalised": {"code": 1}},
      {"several": {"count": 1}}, {"several": [{"count": 0}]}]),
    (Schema.from_dict({"a": fields.String(required=True)})(partial=True), [{}, {"a": "x"}],
     [{"a": 1}, {"b": 1}]),
])
def test_compiled_check_runs_every_rule_and_hook_as_marshmallow_does(schema, valid, invalid):
    check = compile_check(schema)
    for body in valid + invalid:
        assert check(body) == (not schema.validate(body)) == (body in valid), body
