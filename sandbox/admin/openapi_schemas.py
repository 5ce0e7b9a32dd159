"""The schemas of the OpenAPI documents: marshmallow schemas through apispec's plugin, and the
answers' schemas as their examples show them, each a named component.

Names are what a client generator turns into class names, so each is unique (also ignoring
case) and stable: a marshmallow schema is named after its class, an answer after its operation
(`BasicDataV1Response`), an error envelope after its family (`BcsError`) or, where one family
answers more than one envelope shape, after its operation (`CoreProductError`).
"""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter

OPENAPI_VERSION = "3.0.3"


class Converter(OpenAPIConverter):
    """apispec's converter, honouring a field's own JSON schema: `metadata["json_schema"]`, or a
    field class's `json_schema` attribute (a custom field apispec cannot type, e.g. "a boolean
    or a string"). nullable still follows allow_none."""

    def field2property(self, field) -> dict:
        override = field.metadata.get("json_schema", getattr(field, "json_schema", None))
        if override is None:
            return super().field2property(field)
        result = dict(override)
        for key in ("description", "example", "format"):
            if key in field.metadata:
                result.setdefault(key, field.metadata[key])
        if field.allow_none:
            result["nullable"] = True
        return result


class Plugin(MarshmallowPlugin):
    Converter = Converter


def schema_name(schema) -> str:
    """A marshmallow schema's component name: its class's, without a trailing "Schema"."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-len("Schema")] if name.endswith("Schema") and name != "Schema" else name


def new_spec(title: str, version: str, description: str) -> APISpec:
    return APISpec(title=title, version=version, openapi_version=OPENAPI_VERSION,
                   plugins=[Plugin(schema_name_resolver=schema_name)],
                   info={"description": description})


def camel(name: str) -> str:
    """basic_data_v1 -> BasicDataV1 (a component name from an operation or family name)."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# -- answers: the schema an example shows -------------------------------------------------------
def schema_of_example(value, depth: int = 0) -> dict:
    """The JSON schema a value has: types, keys and nesting, as the example shows them. Open
    objects (an answer may carry more than its example), nothing required; a null is nullable."""
    if depth > 20:
        return {}
    if isinstance(value, dict):
        return {"type": "object", "properties": {key: schema_of_example(item, depth + 1)
                                                 for key, item in value.items()}}
    if isinstance(value, list):
        return {"type": "array", "items": _items(value, depth)}
    if value is None:
        return {"nullable": True}
    for python_type, name in ((bool, "boolean"), (int, "integer"), (float, "number"),
                              (str, "string")):
        if isinstance(value, python_type):
            return {"type": name}
    return {}


def _items(values: list, depth: int) -> dict:
    """One schema every item passes."""
    if not values:
        return {}
    return merged([schema_of_example(value, depth + 1) for value in values])


def schema_of_tree(static: bool, node) -> dict:
    """The shape of a scenario's body (a render tree, sandbox.scenarios.loader): what its static
    parts show; a template's value is known only once rendered, so it is any JSON."""
    if static:
        return schema_of_example(node)
    if isinstance(node, tuple) and len(node) == 2 and node[0] == "dict":
        return {"type": "object", "properties": {key: schema_of_tree(is_static, item)
                                                 for key, is_static, item in node[1]}}
    if isinstance(node, tuple) and len(node) == 2 and node[0] == "list":
        return {"type": "array", "items": merged([schema_of_tree(is_static, item)
                                                  for is_static, item in node[1]])}
    return {}


def merged(schemas: list[dict]) -> dict:
    """One open schema every one of these shapes passes: objects join their properties, a type
    met with another becomes any JSON ({}), a null makes the other nullable."""
    result = None
    for schema in schemas:
        result = schema if result is None else _merge(result, schema)
    return result or {}


def _merge(a: dict, b: dict) -> dict:
    if a == b:
        return a
    if a == {"nullable": True} or b == {"nullable": True}:
        other = b if a == {"nullable": True} else a
        return {**other, "nullable": True} if other else {}
    if a.get("type") != b.get("type") or not a or not b:
        return {}
    result = {**a, **b}
    if a.get("nullable") or b.get("nullable"):
        result["nullable"] = True
    if a["type"] == "object":
        properties = dict(a.get("properties", {}))
        for key, schema in b.get("properties", {}).items():
            properties[key] = _merge(properties[key], schema) if key in properties else schema
        result["properties"] = properties
    elif a["type"] == "array":
        result["items"] = _merge(a.get("items", {}), b.get("items", {}))
    return result


class Components:
    """Named answer schemas, each added once: the same schema under two names is one component,
    and a name is never given to two different schemas."""

    def __init__(self, spec: APISpec):
        self.spec = spec
        self.by_name: dict[str, dict] = {}

    def schema_of(self, reference: dict) -> dict:
        return self.by_name[reference["$ref"].rpartition("/")[2]]

    def add(self, name: str, schema: dict) -> dict:
        """A $ref to `schema` under `name` (or to the component already holding it)."""
        if not schema:
            return {}
        for existing, held in self.by_name.items():
            if held == schema:
                return ref(existing)
        if name.lower() in {existing.lower() for existing in self.spec.components.schemas}:
            raise ValueError(f"OpenAPI component name {name!r} given to two different schemas")
        self.by_name[name] = schema
        self.spec.components.schema(name, schema)
        return ref(name)
