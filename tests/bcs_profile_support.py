"""Helpers the BCS profile route tests share: the base path, shape comparison, request bodies."""
from __future__ import annotations

import base64
import json

from tests.conftest import BCS_HEADERS, seed_example

BASE = "/api/customersManagement/v1"
# The BCS routes' paths the tests send to.
V1 = BASE + "/customerAccountManagement/v1/BasicData"
V2 = BASE + "/customerAccountManagement/v2/basicData"
V4 = BASE + "/customerAccountManagement/v4/basicData"
LOCATION = BASE + "/customer-management/v1/location/"
CONTACT = BASE + "/customer-management/v1/channel/contact/"
REMITTANCES = BASE + "/customers-management/v1/remittances/basic-data/"
SECURE = BASE + "/customer-management/v1/secure-data"
SYNC = BASE + "/v1/sync-data"
SYNC_FILE = BASE + "/v1/sync-data-file"
PILA = BASE + "/customer-management/v1/query-pila"
JSON_HEADERS = {**BCS_HEADERS, "Content-Type": "application/json"}
# The create-customer example's customer: a fixture every session starts with.
FIXTURE_CC = "1234567890"


def shape_differences(actual, expected, path: str = "$") -> list[str]:
    """Where `actual` differs from `expected` in keys, nesting or value types (not values).

    A list in the example is compared element by element against its first element's shape
    (the seed shows one or two entries of an array that may hold any number). Numbers are one
    type (the seed writes 24 and 0.0 alike), booleans are not numbers.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {type(actual).__name__}"]
        problems = []
        missing, extra = expected.keys() - actual.keys(), actual.keys() - expected.keys()
        if missing:
            problems.append(f"{path}: missing keys {sorted(missing)}")
        if extra:
            problems.append(f"{path}: unexpected keys {sorted(extra)}")
        for key in expected.keys() & actual.keys():
            problems += shape_differences(actual[key], expected[key], f"{path}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected an array, got {type(actual).__name__}"]
        if not expected:
            return []
        problems = []
        for index, item in enumerate(actual):
            problems += shape_differences(item, expected[0], f"{path}[{index}]")
        return problems
    return [] if _kind(actual) == _kind(expected) else [
        f"{path}: expected {_kind(expected)}, got {_kind(actual)} ({actual!r})"]


def _kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def assert_shape(actual, example_name: str) -> None:
    problems = shape_differences(actual, seed_example(example_name))
    assert not problems, "\n".join(problems)


def assert_bcs_error(response, status: int, code: str, response_type: str = "ER") -> dict:
    """The BCS error envelope with the catalog's status and code; returns responseDetail."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert body["responseType"] == {"value": response_type}
    assert set(body["responseDetail"]) == {"errorCode", "errorDesc", "errorType"}
    assert body["responseDetail"]["errorCode"] == code, body
    return body["responseDetail"]


def file_body(content) -> dict:
    """A sync-data-file request carrying `content` (a dict, or raw bytes) as base64."""
    raw = content if isinstance(content, bytes) else json.dumps(content).encode()
    return {"file": {"binData": base64.b64encode(raw).decode()}}


def create_customer(client, number: str) -> dict:
    """POST customer (the base's route) with the seed's create example for another number."""
    from tests.test_bcs_create import CREATE, new_customer
    response = client.post(CREATE, json=new_customer(number), headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    return response.json
