"""Property tests (hypothesis, bounded): no JSON body, however odd, makes a body route answer 5xx,
and every answer is JSON in the route's own envelope."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import create_app
from tests.conftest import BCS_HEADERS, CORE_AUTH, make_config

APP = create_app(make_config(journal_size=50))
SANDBOX = APP.extensions["sandbox"]
BODY_ROUTES = [op for op in SANDBOX.operations.values() if op.method in ("POST", "PUT")]
# JSON values of every kind, the odd ones included: huge and negative numbers, empty and
# unicode texts (lone surrogates aside: they are refused before parsing, see test_pipeline).
SCALARS = (st.none() | st.booleans() | st.integers(-10 ** 30, 10 ** 30)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
# A value of another JSON type than the field's: the mutation that finds the most.
SWAPS = st.sampled_from([0, 123, -1, 1.5, 10 ** 20, True, None, "", " ", "x" * 300, [], {},
                         [1], {"a": 1}])
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=25)


def paths(value, prefix=()):
    """Every place in a JSON value: dict keys and list indexes, at any depth."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        yield prefix + (key,)
        yield from paths(item, prefix + (key,))


def replaced(example, changes):
    body = json.loads(json.dumps(example))
    for path, value in changes:
        holder = body
        try:
            for part in path[:-1]:
                holder = holder[part]
            holder[path[-1]] = json.loads(json.dumps(value))  # never the shared constant
        except (KeyError, IndexError, TypeError):  # an earlier change took the place away
            continue
    return body


def seeded(example: dict):
    """The route's own example with up to three of its fields, at any depth, made odd."""
    places = list(paths(example))
    return st.lists(st.tuples(st.sampled_from(places), SWAPS | VALUES), min_size=1,
                    max_size=3).map(
        lambda changes: replaced(example, changes))


def envelope_ok(operation, response) -> bool:
    body = response.get_json(silent=True)
    if body is None:
        return False
    if operation.family == "bcs" and response.status_code >= 400:
        return "responseDetail" in body
    return isinstance(body, dict)


@pytest.mark.parametrize("operation", BODY_ROUTES, ids=lambda op: op.name)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_no_body_makes_a_route_answer_5xx(operation, data):
    example = operation.meta.get("request_example") or {}
    body = data.draw(seeded(example) if example and data.draw(st.booleans()) else VALUES)
    headers = BCS_HEADERS if operation.family == "bcs" else CORE_AUTH
    path = operation.rule.replace("<", "").replace(">", "")
    response = APP.test_client().open(path, method=operation.method, data=json.dumps(body),
                                      content_type="application/json",
                                      headers={**headers, "X-Sandbox-Session": "properties"})
    assert response.status_code < 500, (operation.name, body, response.get_data(as_text=True))
    assert envelope_ok(operation, response), (operation.name, body, response.data[:300])


# -- every field of every example, given a value of each other JSON type ------------------------
SWAP_VALUES = [123, 1.5, True, None, "", [], {"a": 1}]


def send(operation, body):
    headers = BCS_HEADERS if operation.family == "bcs" else CORE_AUTH
    path = operation.rule.replace("<", "").replace(">", "")
    return APP.test_client().open(path, method=operation.method, data=json.dumps(body),
                                  content_type="application/json",
                                  headers={**headers, "X-Sandbox-Session": "swaps"})


@pytest.mark.parametrize("operation", [op for op in BODY_ROUTES if op.meta.get("request_example")],
                         ids=lambda op: op.name)
def test_every_field_given_another_type_is_answered_without_a_5xx(operation):
    example = operation.meta["request_example"]
    failures = []
    for path in paths(example):
        for value in SWAP_VALUES:
            response = send(operation, replaced(example, [(path, value)]))
            if response.status_code >= 500 or not envelope_ok(operation, response):
                failures.append((path, value, response.status_code))
    assert not failures, failures[:10]
