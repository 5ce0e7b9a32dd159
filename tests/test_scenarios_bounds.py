"""No scenario file can stop the sandbox: loading and rendering are bounded in time, memory and
output (sandbox/scenarios/limits.py). A file over a load bound is a `file:line: message` fault in
`sandbox check` and at start-up alike; a template over a render bound answers a 500 in the
route's envelope naming the scenario, and the server goes on answering everyone else."""
from __future__ import annotations

import time

import pytest

from sandbox.cli import main
from sandbox.scenarios import limits
from tests.conftest import BCS_HEADERS, CORE_AUTH
from tests.scenario_kit import write


def check(capsys, folder) -> tuple[int, str]:
    started = time.monotonic()
    code = main(["check", str(folder)])
    assert time.monotonic() - started < 5, "sandbox check must stay quick on a hostile file"
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def one_scenario(body: str, name: str = "hostile", route: str = "core_customer") -> str:
    return f"""\
scenarios:
  - name: {name}
    description: A hostile scenario
    routes: [{route}]
    response:
      body: {body}
"""


# -- YAML -------------------------------------------------------------------------------------
def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    return "\n".join(lines) + "\n" + one_scenario(f"{{laughs: *lol{levels}}}")


def test_a_yaml_alias_bomb_is_a_fault_not_a_hang(capsys, tmp_path):
    path = write(tmp_path, "bomb.yaml", billion_laughs())
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:1: with its aliases spelled out the file is over" in out


def test_a_few_aliases_are_fine(capsys, tmp_path):
    write(tmp_path, "aliases.yaml", billion_laughs(levels=2))
    code, out = check(capsys, tmp_path)
    assert code == 0, out


def test_a_file_over_the_size_limit_is_a_fault(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("sandbox.scenarios.yamlfile.MAX_FILE_BYTES", 1000)
    path = write(tmp_path, "big.yaml", one_scenario("{text: '" + "x" * 2000 + "'}"))
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:1: the file is {path.stat().st_size} bytes; a file in a scenario folder may " \
           f"have at most 1000" in out


def test_a_file_with_too_many_templates_is_a_fault_before_any_compiles(capsys, tmp_path):
    leaves = ", ".join(f'k{i}: "{{{{ request.path ~ {i} }}}}"'
                       for i in range(limits.MAX_TEMPLATES_PER_FILE + 1))
    path = write(tmp_path, "many.yaml", one_scenario("{" + leaves + "}"))
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:1: the file holds {limits.MAX_TEMPLATES_PER_FILE + 1} templates of " in out
    assert f"a scenario file may hold at most {limits.MAX_TEMPLATES_PER_FILE}, of " \
           f"{limits.MAX_TEMPLATE_TEXT_PER_FILE} in all" in out


def test_a_file_with_too_much_template_text_is_a_fault(capsys, tmp_path):
    """One template of 35000 expressions took 10 s to compile."""
    source = "{{ request.path }}" * (limits.MAX_TEMPLATE_TEXT_PER_FILE // 18 + 1)
    path = write(tmp_path, "big.yaml", one_scenario(f'{{x: "{source}"}}'))
    code, out = check(capsys, tmp_path)
    assert code == 1 and f"{path}:1: the file holds 1 templates of " in out, out


def test_the_shipped_files_are_far_from_the_load_limits():
    from pathlib import Path
    shipped = Path(__file__).resolve().parent.parent / "scenarios"
    assert max(p.stat().st_size for p in shipped.rglob("*.yaml")) * 8 < limits.MAX_FILE_BYTES


# -- templates, at load -------------------------------------------------------------------------
@pytest.mark.parametrize("template, words", [
    ("{{ 'a' * 10**9 }}", "`*` would build about 1000000000 characters"),
    ("{{ 10**(10**8) }}", "`**` would give an integer of"),
    ("{{ 'a' | center(10**9) }}", "the center filter would build about 1000000000"),
    ("x{{ ('a' ~ 'b') * 10**9 }}y", "`*` would build about 2000000000 characters"),
    ("{{ [1] | batch(10**9, 0) | list }}", "the batch filter would build"),
    ("{{ '%1000000000s' % 'a' }}", "`%` would build about"),
])
def test_a_constant_expression_over_a_limit_is_a_fault_at_load(capsys, tmp_path, template, words):
    """Jinja computed these while compiling (constant folding): a MemoryError traceback, or a
    start-up or reload that never ended. Now nothing is folded but within the limits."""
    path = write(tmp_path, "bomb.yaml", one_scenario(f'{{x: "{template}"}}'))
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:6: scenario 'hostile': body.x: template line 1: a constant expression is " \
           f"over a limit: {words}" in out, out
    assert "Traceback" not in out


def test_the_line_of_the_constant_expression_is_named(capsys, tmp_path):
    template = """\
      body_template: |
        {
          "a": 1,
          "b": "{{ 'x' * 10**10 }}"
        }"""
    path = write(tmp_path, "bomb.yaml", one_scenario("{}").replace("      body: {}", template))
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:6: scenario 'hostile': body_template: template line 3: " in out, out


@pytest.mark.parametrize("template", [
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "{{ " + "+".join(["1"] * 20000) + " }}",
    "".join("{% for a" + str(i) + " in range(2) %}" for i in range(30)) + "{% endfor %}" * 30,
])
def test_a_template_too_deep_to_compile_is_a_fault(capsys, tmp_path, template):
    write(tmp_path, "deep.yaml", one_scenario(f'{{x: "{template}"}}'))
    code, out = check(capsys, tmp_path)
    assert code == 1 and "Traceback" not in out
    assert "could not be compiled" in out or "nested too deeply to compile" in out, out


def test_a_static_body_over_the_output_limit_is_a_fault(capsys, tmp_path):
    text = "x" * 1000
    aliases = ", ".join(["*text"] * (limits.MAX_OUTPUT // 1000 + 10))
    path = write(tmp_path, "big.yaml", f"text: &text {text}\n" + one_scenario(f"[{aliases}]"))
    code, out = check(capsys, tmp_path)
    assert code == 1
    assert f"{path}:7: scenario 'hostile': `body` is" in out
    assert f"a scenario's response has at most {limits.MAX_OUTPUT}" in out


def test_ordinary_constant_expressions_still_load(capsys, tmp_path):
    write(tmp_path, "fine.yaml", one_scenario(
        "{a: \"{{ 'ab' * 3 }}\", b: \"{{ 2 ** 100 }}\", c: \"{{ [1, 2] * 2 }}\", "
        "d: \"{{ 'x' | center(9) }}\", e: \"{{ 1 / 0 if false else 1 }}\"}"))
    code, out = check(capsys, tmp_path)
    assert code == 0, out


# -- templates, per answer ----------------------------------------------------------------------
N = "(request.query.n | int)"   # 10**9 in these tests: never known while loading
LAUGHS = "{% set a = [request.path] * 10 %}" + "".join(
    f"{{% set {b} = [{a}, {a}, {a}, {a}, {a}, {a}, {a}, {a}, {a}, {a}] %}}"
    for a, b in zip("abcdefgh", "bcdefghi"))
RUNAWAYS = {
    "multiply": f"{{{{ 'a' * {N} }}}}",
    "power": f"{{{{ 10 ** {N} }}}}",
    "integer-square": "{% set n = 2 ** (request.query.k | int * 9) %}{{ n * n }}",
    "doubling": "{% set s = 'a' * (request.query.k | int) %}" + "{% set s = s ~ s %}" * 30
                + "{{ s | length }}",
    "nested-lists": LAUGHS + "{{ i | tojson }}",
    "nested-tuples-hashed": LAUGHS.replace("[", "(").replace("]", ")").replace(") * 10", ",) * 10")
                            + "{{ {i: 1} }}",
    "list-times": "{{ (range(100000) | list) * 100 }}",
    "slices-kept": "{% set big = range(100000) | list %}" + "".join(
        f"{{% set c{i} = big[:] %}}" for i in range(30)),
    "copies-kept": "{% set big = dict.fromkeys(range(100000)) %}" + "".join(
        f"{{% set c{i} = big.copy() %}}" for i in range(30)),
    "fromkeys": "{{ dict.fromkeys(range(100000), request.path * 100) }}",
    "center": f"{{{{ request.path | center({N}) }}}}",
    "indent": f"{{{{ (request.path ~ '\\n' ~ request.path) | indent({N}) }}}}",
    "zfill": f"{{{{ request.path.zfill({N}) }}}}",
    "expandtabs": f"{{{{ ('\\t' * 1000).expandtabs({N}) }}}}",
    "format-width": "{{ '{:>1000000000}'.format(request.path) }}",
    "format-nested-width": f"{{{{ '{{:>{{}}}}'.format(request.path, {N}) }}}}",
    "format-repeats": "{{ '{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}'.format(request.path * 20000) }}",
    "printf-width": f"{{{{ '%*s' % ({N}, request.path) }}}}",
    "replace": "{{ (request.path * 1000) | replace('/', request.path * 1000) }}",
    "join": "{{ ([request.path] * 100000) | join(request.path * 10000) }}",
    "slice": f"{{{{ [1] | slice({N}) | list }}}}",
    "batch": f"{{{{ [1] | batch({N}, 0) | list }}}}",
    "tojson-indent": f"{{{{ request.query | tojson(indent={N}) }}}}",
    "sum-of-lists": "{{ (range(1000) | map('string') | map('list') | list) | sum(start=[]) }}",
    "wordwrap": "{{ (request.path * 10000) | wordwrap(5) }}",
    "strftime": "{{ now.strftime('%_250Y' * 10000) }}",
    "split": "{{ ('x,' * 1000000).split(',') }}",
    "output": "{% for i in range(100000) %}{{ request.path * 100 }}{% endfor %}",
    "fake-binary": f"{{{{ fake.binary({N}) }}}}",
    "fake-binary-default": "{{ fake.binary() }}",
    "fake-texts": "{{ fake.texts(nb_texts=1000, max_nb_chars=1000) }}",
    "fake-pystruct": "{{ fake.pystruct(count=100000) }}",
    "fake-numerify": "{{ fake.numerify('#' * 100000) }}",
    "fake-named-generators": "{{ fake.pylist(nb_elements=3, value_types=['seed_instance']) }}",
    "fake-format-string": "{{ fake.pystr_format('{{binary}}' * 100) }}",
}


def hostile_app(monkeypatch, tmp_path, templates: dict, route: str = "test_core_show"):
    from tests.scenario_kit import build_app
    lines = ["scenarios:"]
    for name, source in templates.items():
        quoted = source.replace("\\", "\\\\").replace('"', '\\"')
        lines += [f"  - name: {name}", "    description: A template that would run away",
                  f"    routes: [{route}]", "    response:",
                  "      headers: {Content-Type: text/plain}",
                  f"      body_template: \"{quoted}\""]
    write(tmp_path, "hostile.yaml", "\n".join(lines) + "\n")
    return build_app(monkeypatch, tmp_path)


def ask(client, scenario):
    return client.get("/test/core/9046?n=1000000000&k=1000",
                      headers={**CORE_AUTH, "X-Sandbox-Scenario": scenario})


@pytest.fixture(scope="module")
def runaways(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    app = hostile_app(monkeypatch, tmp_path_factory.mktemp("runaways"), RUNAWAYS)
    yield app.test_client()
    monkeypatch.undo()


@pytest.mark.parametrize("name", sorted(RUNAWAYS))
def test_a_runaway_template_answers_a_500_naming_its_scenario(runaways, name):
    started = time.monotonic()
    response = ask(runaways, name)
    assert time.monotonic() - started < 3
    assert response.status_code == 500
    message = response.json["message"]   # the core's envelope
    assert message.startswith(f"Scenario {name!r} could not render its response (")
    assert "hostile.yaml:" in message and "over a limit: " in message, message
    assert len(response.get_data()) < 1000


def test_the_deadline_stops_a_template_that_only_loops(monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.2)
    client = hostile_app(monkeypatch, tmp_path, {"loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")}
    ).test_client()
    started = time.monotonic()
    response = ask(client, "loops")
    assert time.monotonic() - started < 3
    assert response.status_code == 500
    assert "over a limit: rendering took more than 0.2 s of processor time" in \
        response.json["message"]


def test_the_deadline_stops_recursive_macros_and_loops(monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.2)
    client = hostile_app(monkeypatch, tmp_path, {
        "macros": "{% macro m(n) %}{% if n > 0 %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}"
                  "{% endmacro %}{{ m(40) }}",
        "recursive-loop": "{% for x in range(50) recursive %}{{ loop(range(50)) "
                          "if loop.depth < 9 else x }}{% endfor %}",
        "set-block": "{% set x %}{% for i in range(100000) %}{% for j in range(100) %}"
                     + "A" * 1000 + "{% endfor %}{% endfor %}{% endset %}{{ x | length }}",
    }).test_client()
    for name in ("macros", "recursive-loop", "set-block"):
        started = time.monotonic()
        response = ask(client, name)
        assert time.monotonic() - started < 3, name
        assert response.status_code == 500 and "over a limit: " in response.json["message"]


def test_a_runaway_answers_in_the_routes_own_envelope(monkeypatch, tmp_path):
    client = hostile_app(monkeypatch, tmp_path, {"big": RUNAWAYS["multiply"]},
                         route="test_bcs_lookup").test_client()
    response = client.get("/test/bcs/123?n=1000000000",
                          headers={**BCS_HEADERS, "X-Sandbox-Scenario": "big"})
    assert response.status_code == 500
    assert response.json["responseType"] == {"value": "ER"}
    assert "Scenario 'big' could not render its response" in \
        response.json["responseDetail"]["errorDesc"]


def test_templates_within_the_limits_still_answer(monkeypatch, tmp_path):
    client = hostile_app(monkeypatch, tmp_path, {"rows": (
        '[{% for i in range(2000) %}{"id": {{ i }}, "name": {{ fake.name() | tojson }}, '
        '"tags": {{ [i, i * 2] | tojson }}}{% if not loop.last %},{% endif %}{% endfor %}]'),
        "numbers": "{{ range(100000) | list | sum }} {{ 2 ** 1000 }} "
                   "{{ ('ab' * 100000) | length }}",
        "faker": "{{ fake.paragraphs(nb=100) | length }} {{ fake.pylist(100, False) | "
                 "length }} {{ fake.json(num_rows=50) | length > 0 }}",
    }).test_client()
    rows = ask(client, "rows")
    assert rows.status_code == 200 and len(rows.get_data(as_text=True)) > 50_000
    numbers = ask(client, "numbers").get_data(as_text=True).split()
    assert numbers[0] == str(sum(range(100000))) and numbers[2] == "200000"
    assert ask(client, "faker").get_data(as_text=True).split() == ["100", "100", "True"]


# -- a running server ---------------------------------------------------------------------------
GOOD = """\
scenarios:
  - name: good
    description: An ordinary answer
    routes: [test_core_show]
    response: {body: {ok: "{{ request.path_params.number }}"}}
"""


def test_a_hostile_file_dropped_into_a_watched_folder_is_refused_quickly(monkeypatch, tmp_path):
    from tests.scenario_kit import build_app
    write(tmp_path, "good.yaml", GOOD)
    app = build_app(monkeypatch, tmp_path)
    scenarios = app.extensions["sandbox"].scenarios
    write(tmp_path, "bomb.yaml", one_scenario('{x: "{{ 10**(10**8) }}"}', name="bomb"))
    started = time.monotonic()
    assert scenarios.reload_if_changed() is False       # refused: the last good set is kept
    assert time.monotonic() - started < 2
    assert scenarios.get("good") is not None and scenarios.get("bomb") is None


def test_a_live_server_keeps_answering_while_templates_run_away(monkeypatch, tmp_path):
    """Runaway renders on worker threads and a hostile file arriving through hot reload: every
    other request is still answered, and each runaway ends in its 500."""
    import threading

    import requests

    from tests.conftest import LiveServer
    from tests.scenario_kit import build_app
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.5)
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "runaway.yaml", one_scenario("{}", name="runaway", route="test_core_show")
          .replace("body: {}", 'body_template: "{% for i in range(100000) %}'
                                '{% for j in range(100000) %}{% endfor %}{% endfor %}"'))
    app = build_app(monkeypatch, tmp_path, reload_interval=0.05)
    scenarios = app.extensions["sandbox"].scenarios
    try:
        with LiveServer(app) as server:
            def get(scenario, timeout=10):
                return requests.get(f"{server.url}/test/core/9046", timeout=timeout,
                                    headers={**CORE_AUTH, "X-Sandbox-Scenario": scenario})

            runaway_answers = []
            runaways = [threading.Thread(target=lambda: runaway_answers.append(get("runaway")))
                        for _ in range(3)]
            for thread in runaways:
                thread.start()
            write(tmp_path, "bomb.yaml", one_scenario('{x: "{{ 10**(10**8) }}"}', name="bomb"))
            answered, started = 0, time.monotonic()
            while any(t.is_alive() for t in runaways) or scenarios.signature() != \
                    scenarios._signature:
                asked = time.monotonic()
                assert get("good", timeout=3).json() == {"ok": "9046"}
                assert time.monotonic() - asked < 3
                answered += 1
                assert time.monotonic() - started < 20, "the runaways never ended"
            for thread in runaways:
                thread.join()
            assert answered >= 1, answered
            assert [r.status_code for r in runaway_answers] == [500, 500, 500]
            assert all("Scenario 'runaway' could not render" in r.json()["message"]
                       for r in runaway_answers)
            assert get("bomb").status_code == 400         # never loaded: "Unknown scenario"
            assert get("good").json() == {"ok": "9046"}
    finally:
        scenarios.stop()


# -- one loader for `sandbox check` and the server -----------------------------------------------
FLOW = ('{"scenarios": [{"name": "flow-style", "description": "A scenario file in JSON syntax", '
        '"routes": ["test_core_show"], "response": {"status": 203, "body": {"flow": true}}}]}\n')


def test_a_scenario_file_in_flow_style_is_served_as_check_reads_it(monkeypatch, tmp_path,
                                                                    capsys):
    """`sandbox check` accepted it and the server skipped it, silently (its pre-filter looked
    for a line starting `scenarios:`)."""
    from tests.scenario_kit import build_app
    write(tmp_path, "flow.json.yaml", FLOW)
    app = build_app(monkeypatch, tmp_path)
    response = ask(app.test_client(), "flow-style")
    assert response.status_code == 203 and response.json == {"flow": True}
    # check reads it the same way (with the real families, where the route is unknown)
    write(tmp_path, "flow.json.yaml", FLOW.replace("test_core_show", "core_customer"))
    code, out = check(capsys, tmp_path)
    assert code == 0 and "ok: " in out, out


def test_a_flow_style_file_dropped_in_while_serving_is_picked_up(monkeypatch, tmp_path):
    from tests.scenario_kit import build_app
    write(tmp_path, "good.yaml", GOOD)
    app = build_app(monkeypatch, tmp_path)
    write(tmp_path, "more/flow.yml", FLOW)
    assert app.extensions["sandbox"].scenarios.reload_if_changed() is True
    assert ask(app.test_client(), "flow-style").status_code == 203


def test_the_limits_are_documented_as_they_are():
    from pathlib import Path
    page = (Path(__file__).resolve().parent.parent / "docs" / "scenarios.md").read_text()
    table = page[page.index("## Limits"):page.index("## Checking and reloading")]
    for expected in (f"{limits.MAX_FILE_BYTES} bytes", f"{limits.MAX_YAML_EXPANDED} characters",
                     f"| {limits.RENDER_SECONDS:g} s |", f"{limits.RENDER_BUDGET} characters",
                     f"{limits.MAX_OUTPUT} characters", f"{limits.MAX_INT_BITS} bits",
                     f"{limits.MAX_RANGE} numbers", f"| {limits.MAX_FAKE_SIZE} |",
                     f"{limits.MAX_FAKE_TEXT} characters",
                     f"{limits.MAX_SLOW_FILTER_CHARS} characters",
                     f"| {limits.MAX_TEMPLATES_PER_FILE}, of 128 KiB "
                     f"({limits.MAX_TEMPLATE_TEXT_PER_FILE} characters) in all |"):
        assert expected in table, expected
