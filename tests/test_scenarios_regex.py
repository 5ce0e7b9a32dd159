"""Match regexes run on RE2: a pattern that backtracks catastrophically under Python's `re`
cannot freeze the server, and patterns RE2 cannot run are refused at load."""
import time

import requests

from sandbox import create_app
from sandbox.scenarios.loader import load_folders
from sandbox.scenarios.matching import compile_regex
from tests.conftest import CORE_AUTH, LiveServer, make_config
from tests.scenario_kit import write

EVIL = """
scenarios:
  - name: evil-match
    description: A nested quantifier that Python's re takes exponential time on
    routes: [core_customer]
    match:
      body: {client_info.first_name: {regex: "(a+)+$"}}
      headers: {X-Probe: {regex: "(x+x+)+y"}}
    response: {status: 418, message: "matched"}
"""


def test_a_catastrophic_pattern_does_not_hold_the_server(tmp_path):
    write(tmp_path, "evil.yaml", EVIL)
    app = create_app(make_config(scenarios=(str(tmp_path),)))
    with LiveServer(app) as server:
        session = {"X-Sandbox-Session": "evil"}
        put = requests.put(f"{server.url}/__sandbox/scenarios/active", json={"name": "evil-match"},
                           headers=session, timeout=5)
        assert put.status_code == 200
        body = {"client_info": {"first_name": "a" * 5000 + "b"}}
        started = time.perf_counter()
        for _ in range(5):
            answer = requests.post(f"{server.url}/core_customer", json=body, timeout=5,
                                   headers={**session, **CORE_AUTH, "X-Probe": "x" * 5000})
            assert answer.status_code != 418  # neither pattern matches, and both finish
        assert time.perf_counter() - started < 3  # Python's re: longer than the age of the sun
        assert requests.get(f"{server.url}/__sandbox/health", timeout=5).status_code == 200
        # The same patterns still match what they should.
        hit = requests.post(f"{server.url}/core_customer", timeout=5, json={
            "client_info": {"first_name": "aaaa"}}, headers={**session, **CORE_AUTH,
                                                             "X-Probe": "xxy"})
        assert hit.status_code == 418
        assert hit.headers["X-Sandbox-Answered-By"] == "scenario:evil-match"


def test_lookaround_and_backreferences_are_refused_at_load_naming_re2(tmp_path):
    write(tmp_path, "odd.yaml", """
    scenarios:
      - name: lookahead
        description: lookahead
        routes: [cliente]
        match: {headers: {X-A: {regex: "(?=a)a"}}}
        response: {status: 200}
      - name: backref
        description: backreference
        routes: [cliente]
        match: {query: {q: {regex: "(a)\\\\1"}}}
        response: {status: 200}
    """)
    _, faults = load_folders([tmp_path], {"cliente": None})
    messages = sorted(str(f) for f in faults)
    assert len(messages) == 2, messages
    assert all("RE2" in m and "bad regex for `match." in m for m in messages), messages
    assert any("odd.yaml:6:" in m for m in messages), messages


def test_python_syntax_errors_keep_their_position():
    compiled, problem = compile_regex("(unclosed")
    assert compiled is None and "position" in problem
    compiled, problem = compile_regex("^CC9")
    assert problem is None and compiled.search("CC912") and not compiled.search("XCC9")
