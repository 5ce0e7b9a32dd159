"""A yes/no check that a body passes a marshmallow schema, several times faster than
`Schema.validate`, for the hot path: most requests are valid, and only an invalid one needs
marshmallow's full error report (which `schemas.problems` then asks for).

It is compiled once from the schema itself, so the two cannot drift apart on what the tables say:
its load fields (required/allow_none flags, load defaults, their own validator objects), its
`unknown` option and every `@validates_schema` method marshmallow's hook registry holds for it.
Only the JSON type tests of a few field classes are restated (a class names its own as
`fast_load`, apis/core/columns.py; marshmallow's String is the one class of its own tested
here), and only to accept: a value such a test does not take is handed to that field's own
`deserialize`, which decides. Whatever else cannot be restated faithfully is left to marshmallow:
- a field of any other class, or one with its own pre_load/post_load functions, is checked by
  its own `deserialize`;
- a schema with `@pre_load`, `@post_load` or `@validates("field")` hooks, `many`, a `partial`,
  dotted attributes, or a class overriding marshmallow's loading methods, is checked by
  marshmallow as a whole: `schema.validate` at the top, the Nested field's `deserialize` below.
tests/test_fastcheck.py holds both to the same verdict on every request schema of every family.

Schema rules get what marshmallow gives them: the loaded data (converted values, load defaults,
unknown keys kept or dropped as the schema says) with partial/many/unknown as keywords, and the
raw data too when declared with pass_original. marshmallow runs them only after the fields pass
when `skip_on_field_errors` (its default) and regardless otherwise; either way a field error has
already decided the verdict, so here they run only on a body whose fields all pass: the
`pass_collection` ones first, as marshmallow does (on a single object both kinds get that object).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Callable

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, fields, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

Check = Callable[[object], bool]
REFUSED = object()
# A compiled piece takes (value, the object holding it) and returns REFUSED, or what marshmallow
# would load (only when `build` was asked for; otherwise anything else means "passes").
_Piece = Callable[[object, object], object]


# JSON type tests: the value a field's validators see, or REFUSED for "let marshmallow decide".
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


# Schema methods whose stock behaviour is restated here: a class overriding one is left to
# marshmallow.
_RESTATED = ("load", "validate", "_do_load", "_deserialize", "_invoke_field_validators",
             "_invoke_schema_validators", "_run_validator", "_call_and_store", "handle_error")
_UNKNOWN = (INCLUDE, EXCLUDE, RAISE)


def compile_check(schema: Schema) -> Check:
    """True when `schema.validate` would find no error in the value, False otherwise."""
    body = _schema(schema, schema.unknown, False, ())
    if body is None:  # nothing here restates this schema faithfully: marshmallow decides
        def by_marshmallow(value) -> bool:
            return not schema.validate(value)
        return by_marshmallow

    def check(value) -> bool:
        if type(value) is not dict:
            return not schema.validate(value)
        return body(value) is not REFUSED
    return check


def _rules(schema: Schema):
    """The schema's own rules as (bound method, pass_original), in marshmallow's order, or None
    when the schema does something the compiled check does not restate."""
    hooks = getattr(type(schema), "_hooks", None)
    if not isinstance(hooks, Mapping) or any(hooks.get(tag) for tag in (PRE_LOAD, POST_LOAD,
                                                                           VALIDATES)):
        return None
    if schema.many or schema.partial is not None or schema.dict_class is not dict or any(
            getattr(type(schema), name) is not getattr(Schema, name) for name in _RESTATED):
        return None
    declared = list(hooks.get(VALIDATES_SCHEMA, ()))
    ordered = [hook for hook in declared if hook[1]] + [hook for hook in declared if not hook[1]]
    return [(getattr(schema, name), bool(options.get("pass_original")))
            for name, _pass_collection, options in ordered]


def _schema(schema: Schema, unknown, build: bool, seen: tuple):
    """The check (with `build`, the loader) of one object, a dict (the caller tests that),
    against the schema, or None when marshmallow must decide."""
    rules = _rules(schema)
    if rules is None or unknown not in _UNKNOWN:
        return None
    build = build or bool(rules)  # a rule sees the loaded data, so it is built
    seen = seen + (type(schema),)
    entries = []
    for attr_name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        target = field.attribute or attr_name
        if "." in target:
            return None
        entries.append((key, target, _field(field, key, build, seen)))
    entries = tuple(entries)
    known = frozenset(key for key, _target, _piece in entries)
    raise_unknown, include_unknown = unknown == RAISE, unknown == INCLUDE

    if not build:
        pieces = tuple((key, piece) for key, _target, piece in entries)

        def check(value):
            get = value.get
            for key, piece in pieces:
                if piece(get(key, missing), value) is REFUSED:
                    return REFUSED
            if raise_unknown and not known.issuperset(value):
                return REFUSED
            return value
        return check

    keywords = {"partial": schema.partial, "many": schema.many, "unknown": unknown}

    def load(value):
        get = value.get
        loaded = {}
        for key, target, piece in entries:
            one = piece(get(key, missing), value)
            if one is REFUSED:
                return REFUSED
            if one is not missing:
                loaded[target] = one
        if raise_unknown:
            if not known.issuperset(value):
                return REFUSED
        elif include_unknown and not known.issuperset(value):
            for key in value.keys() - known:
                loaded[key] = value[key]
        return loaded if not rules or ruled(loaded, value) else REFUSED

    def ruled(loaded, value) -> bool:
        try:
            for rule, pass_original in rules:
                if pass_original:
                    rule(loaded, value, **keywords)
                else:
                    rule(loaded, **keywords)
        except ValidationError:
            return False
        return True

    if any(key != target for key, target, _piece in entries):
        return load
    pieces = tuple((key, piece) for key, _target, piece in entries)

    def load_by_copy(value):
        """The same data as `load` (keys perhaps in another order), from a copy of the body where
        only the values loading changes are replaced: most values come through unchanged."""
        if raise_unknown and not known.issuperset(value):
            return REFUSED
        get = value.get
        loaded = value.copy()
        for key, piece in pieces:
            raw = get(key, missing)
            one = piece(raw, value)
            if one is not raw:
                if one is REFUSED:
                    return REFUSED
                if one is missing:
                    loaded.pop(key, None)
                else:
                    loaded[key] = one
        if unknown == EXCLUDE and not known.issuperset(value):
            for key in value.keys() - known:
                del loaded[key]
        return loaded if not rules or ruled(loaded, value) else REFUSED
    return load_by_copy


def _field(field: fields.Field, key, build: bool, seen: tuple) -> _Piece:
    def slow(value, data):  # marshmallow's own deserialize, as Schema._deserialize calls it
        try:
            return field.deserialize(value, key, data)
        except ValidationError:
            return REFUSED

    if field.pre_load or field.post_load:
        return slow
    kind = type(field)
    required, allow_none = field.required, field.allow_none
    default = field.load_default if build else missing
    call_default = callable(default)
    validators = tuple(field.validators)

    if kind is fields.Nested and not field.many:
        nested = field.schema
        inner = None if nested.many or type(nested) in seen else _schema(
            nested, field.unknown or nested.unknown, build or bool(validators), seen)
        if inner is None:
            return slow

        def nested_check(value, data):
            if value is missing:
                return REFUSED if required else (default() if call_default else default)
            if value is None:
                return None if allow_none else REFUSED
            if type(value) is not dict:
                return slow(value, data)
            loaded = inner(value)
            if loaded is REFUSED or not validators:
                return loaded
            try:
                for validator in validators:
                    validator(loaded)
            except ValidationError:
                return REFUSED
            return loaded
        return nested_check

    if kind is fields.List:
        keep = build or bool(validators)  # the List's validators see the loaded list
        item = _field(field.inner, None, keep, seen)

        def list_check(value, data):
            if value is missing:
                return REFUSED if required else (default() if call_default else default)
            if value is None:
                return None if allow_none else REFUSED
            if type(value) is not list:
                return slow(value, data)
            if keep:
                loaded = []
                for each in value:
                    one = item(each, None)
                    if one is REFUSED:
                        return REFUSED
                    loaded.append(one)
            else:
                for each in value:
                    if item(each, None) is REFUSED:
                        return REFUSED
                return value
            try:
                for validator in validators:
                    validator(loaded)
            except ValidationError:
                return REFUSED
            return loaded
        return list_check

    if kind is fields.String:  # the commonest field, its type test inlined
        def string_check(value, data):
            if type(value) is not str:
                if value is missing:
                    return REFUSED if required else (default() if call_default else default)
                if value is None:
                    return None if allow_none else REFUSED
                return slow(value, data)
            try:
                for validator in validators:
                    validator(value)
            except ValidationError:
                return REFUSED
            return value
        return string_check

    convert = field.fast_load if "fast_load" in kind.__dict__ else None
    if convert is None:  # Date, marshmallow's Float... and any other class
        return slow

    def leaf_check(value, data):
        if value is missing:
            return REFUSED if required else (default() if call_default else default)
        if value is None:
            return None if allow_none else REFUSED
        loaded = convert(value)
        if loaded is REFUSED:  # not a type the fast test takes: marshmallow decides
            return slow(value, data)
        try:
            for validator in validators:
                validator(loaded)
        except ValidationError:
            return REFUSED
        return loaded
    return leaf_check
