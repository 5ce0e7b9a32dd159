"""A request's JSON body is read once, by orjson where it reads what json.loads reads
(http.fast_json), and on the event loop by the round's hook, which hands it to the app."""
from __future__ import annotations

import io
import json
import math

import flask
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder

import sandbox.http as http
import sandbox.registry as registry
from sandbox import create_app
from tests.conftest import LiveServer, make_config
from tests.test_bcs_create import CREATE, new_customer
from tests.bcs_profile_support import JSON_HEADERS

SCALARS = (st.none() | st.booleans() | st.integers(-10 ** 30, 10 ** 30)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=5), max_leaves=40)


def same(a, b) -> bool:
    """Equal and of the same types all the way down (1 and 1.0 differ, -0.0 and 0.0 too)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


@settings(max_examples=400, deadline=None)
@given(VALUES, st.booleans(), st.sampled_from([None, 1, "\t"]))
def test_what_orjson_reads_is_what_json_loads_reads(value, ensure_ascii, indent):
    raw = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent).encode("utf-8",
                                                                           "surrogatepass")
    fast = http.fast_json(raw)
    try:
        slow = json.loads(raw)
    except ValueError:
        assert fast is http.NOT_FAST  # a lone surrogate: json.loads decides (and refuses)
        return
    assert fast is http.NOT_FAST or same(fast, slow)


@pytest.mark.parametrize("raw", [
    b'{"n": 123456789012345678901234567890}',  # orjson: a float
    b'{"n": -9223372036854775809}',
    b'{"n": NaN}', b'{"n": Infinity}', b'{"n": 1e400}',  # orjson refuses what json.loads takes
    b'\xef\xbb\xbf{"n": 1}', '{"n": 1}'.encode("utf-16"),
    b'{"n": "\\ud800"}',
    b'[' * 300 + b']' * 300,  # json.loads's depth limit is the stack's: it decides
])
def test_where_orjson_would_read_otherwise_json_loads_decides(raw):
    assert http.fast_json(raw) is http.NOT_FAST


def test_a_long_integer_reaches_the_app_whole():
    app = create_app(make_config())
    raw = b'{"n": 123456789012345678901234567890, "m": 1.5}'
    with app.test_request_context(data=raw, content_type="application/json"):
        assert same(http.parse_json(flask.request), json.loads(raw))


@pytest.mark.parametrize("state, hook, app_parses", [("memory", 0, 1), ("sqlite", 1, 0)])
def test_a_create_on_the_loop_parses_its_body_once(state, hook, app_parses, tmp_path,
                                                   monkeypatch):
    parses = {"hook": 0, "app": 0}
    fast_json = http.fast_json

    def counted(who):
        def parse(raw):
            parses[who] += 1
            return fast_json(raw)
        return parse
    monkeypatch.setattr(registry, "fast_json", counted("hook"))
    monkeypatch.setattr(http, "fast_json", counted("app"))
    where = str(tmp_path / "state.db") if state == "sqlite" else "memory"
    app = create_app(make_config(state=where))
    with LiveServer(app, threads=2) as server:
        parses.update(hook=0, app=0)
        answer = requests.post(server.url + CREATE, json=new_customer("1099887701"),
                               headers=JSON_HEADERS, timeout=10)
        assert answer.status_code == 200, answer.text
        # On SQLite the round's hook reads the body for what the create will look up, and the
        # app takes its reading; in memory no hook reads it.
        assert parses == {"hook": hook, "app": app_parses}
    app.extensions["sandbox"].store.close()


@pytest.mark.parametrize("length", ["21", None, "9999"])
def test_the_body_read_straight_from_the_buffer_is_werkzeugs(length):
    """SandboxRequest.get_data gives what werkzeug's does, and refuses what it refuses (413)."""
    raw = b'{"identSerialNum": 1}'
    environ = EnvironBuilder(method="POST", data=raw, content_type="application/json"
                             ).get_environ()
    environ.pop("CONTENT_LENGTH")
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    environ["wsgi.input_terminated"] = True  # as waitress says: the body is all there
    answers = []
    for kind in (flask.Request, http.SandboxRequest):
        request = kind({**environ, "wsgi.input": io.BytesIO(raw)})
        request.max_content_length = 100
        try:
            answers.append(request.get_data())
        except RequestEntityTooLarge:
            answers.append(413)
    assert answers[0] == answers[1] == (413 if length == "9999" else raw)
