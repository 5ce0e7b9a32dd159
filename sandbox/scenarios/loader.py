"""Scenario files -> compiled Scenario objects, or `file:line: message` faults.

Loading IS checking: the server and `sandbox check` run the same code, so what the checker
accepts the server serves. Everything is parsed and compiled here, once: templates, regexes,
catalog rows; nothing of this runs per request.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

from .limits import (MAX_DELAY_MS, MAX_OUTPUT, MAX_TEMPLATE_TEXT_PER_FILE, MAX_TEMPLATES_PER_FILE,
                     Budget, rendering)
from .compose import any_of_names, check_references
from .matching import MATCH_KEYS, conditions_of  # noqa: F401 (MATCH_KEYS: the schema test)
from .model import Response, Scenario, ScenarioSet
from .templates import Compiled, TemplateFailure, compile_text, count_templates, has_template
from .yamlfile import Fault, LineDict, load, plain

FAULTS = ("empty_body", "malformed_json", "truncated_body")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SCENARIO_KEYS = {"name", "description", "routes", "match", "response", "sequence", "then",
                 "any_of"}
ROUTE_STEP = "route"  # a sequence step: the route's own answer
THEN = ("repeat_last", "cycle", "route")  # what follows a sequence's last step
RESPONSE_KEYS = {"status", "headers", "body", "body_template", "message", "error", "delay_ms", "fault"}


# -- files ------------------------------------------------------------------------------------
def yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_folders(folders, known_routes: dict):
    """(ScenarioSet, faults). Later folders override earlier ones by scenario name.

    known_routes: operation name -> its family's error catalog, or None where it has none.

    The server (start-up, reloads) and `sandbox check` both call this: every YAML file is
    parsed, so what is a scenario file (a top-level `scenarios` key, in block or flow style)
    and what is a fault (a syntax error in any file) is decided once, the same way for both.
    yamlfile.load remembers the files that are not scenario files while they do not change."""
    faults: list[Fault] = []
    scenario_set = ScenarioSet()
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            faults.append(Fault(str(folder), 1, "no such scenario folder"))
            continue
        seen: dict[str, Scenario] = {}
        for path in yaml_files(folder):
            for scenario in load_file(path, str(path), known_routes, faults):
                first = seen.get(scenario.name)
                if first is not None:
                    faults.append(Fault(scenario.file, scenario.line,
                                        f"duplicate scenario name {scenario.name!r} "
                                        f"(first defined at {first.where})"))
                    continue
                seen[scenario.name] = scenario
        scenario_set.by_name.update(seen)
    check_references(scenario_set, faults)
    for scenario in scenario_set.by_name.values():
        for route in scenario.routes:
            scenario_set.by_route.setdefault(route, []).append(scenario)
    return scenario_set, faults


def load_file(path: Path, shown: str, known_routes: dict, faults: list) -> list[Scenario]:
    document, fault = load(path, shown)
    if fault:
        faults.append(fault)
        return []
    # Only files with a top-level `scenarios:` key are scenario files; the catalog and data files
    # under scenarios/ belong to the API modules.
    if not isinstance(document, dict) or "scenarios" not in document:
        return []
    entries = document["scenarios"]
    if not isinstance(entries, list):
        faults.append(Fault(shown, document.line_of("scenarios"), "`scenarios` must be a list"))
        return []
    # Compiling takes about a millisecond a template and 0.3 ms an expression in it: bounded
    # before any compiles, so a file cannot keep `sandbox check` or a reload busy for long.
    templates, text = count_templates(entries)
    if templates > MAX_TEMPLATES_PER_FILE or text > MAX_TEMPLATE_TEXT_PER_FILE:
        faults.append(Fault(shown, document.line_of("scenarios"), f"the file holds {templates} "
                            f"templates of {text} characters; a scenario file may hold at most "
                            f"{MAX_TEMPLATES_PER_FILE}, of {MAX_TEMPLATE_TEXT_PER_FILE} in all"))
        return []
    scenarios = []
    line = document.line_of("scenarios")
    # The file's constant expressions run at load (templates.compile_text), all of them within
    # one render's budget; they build nothing else, so they need no deadline.
    with rendering(Budget(seconds=math.inf)):
        for index, entry in enumerate(entries):
            if not isinstance(entry, LineDict):
                faults.append(Fault(shown, line, f"scenarios[{index}] must be a mapping"))
                continue
            scenario = _scenario(entry, shown, known_routes, faults)
            if scenario is not None:
                scenarios.append(scenario)
    return scenarios


# -- one scenario -----------------------------------------------------------------------------
class _Check:
    """Collects the faults of one scenario, each with its file and line."""

    def __init__(self, shown: str, entry: LineDict, faults: list):
        self.shown = shown
        self.name = entry.get("name") if isinstance(entry.get("name"), str) else None
        self.faults = faults
        self.count = 0
        self.part = ""  # "sequence[1]: " while a sequence step is checked

    def fail(self, line: int, message: str) -> None:
        prefix = (f"scenario {self.name!r}: " if self.name else "") + self.part
        self.faults.append(Fault(self.shown, line, prefix + message))
        self.count += 1


def _scenario(entry: LineDict, shown: str, known_routes: dict, faults) -> Scenario | None:
    check = _Check(shown, entry, faults)
    for key in entry:
        if key not in SCENARIO_KEYS:
            check.fail(entry.line_of(key), f"unknown key {key!r} (a scenario has "
                                           f"{', '.join(sorted(SCENARIO_KEYS))})")
    name = entry.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        check.fail(entry.line_of("name"), "`name` is required: kebab-case letters, digits and "
                                          f"dashes (got {name!r})")
    description = entry.get("description")
    if not isinstance(description, str) or not description.strip():
        check.fail(entry.line_of("description"), "`description` is required (a sentence)")
    routes = _routes(entry, known_routes, check)
    conditions = conditions_of(entry.get("match"), entry.line_of("match"), check)
    names: set = set()
    response, sequence, then, any_of = None, None, _then(entry, check), ()
    if "any_of" in entry:
        any_of = any_of_names(entry, check)
    elif "sequence" in entry:
        if "response" in entry:
            check.fail(entry.line_of("response"), "a scenario has `response` or `sequence`, "
                                                  "not both")
        sequence = _sequence(entry, routes, known_routes, check, names)
    elif not isinstance(entry.get("response"), LineDict):
        check.fail(entry.line_of("response"), "`response` (a mapping), `sequence` (a list of "
                                              "steps) or `any_of` (scenario names) is required")
    else:
        response = _response(entry["response"], routes, known_routes, check, names)
    if check.count:
        return None
    return Scenario(name, description.strip(), tuple(routes), shown, entry.line,
                    tuple(conditions), response, frozenset(names), any_of, sequence,
                    then)


def _sequence(entry: LineDict, routes, known_routes, check: _Check, names: set) -> tuple:
    """The steps: a Response each, None for `route` (the route's own answer)."""
    spec, line = entry["sequence"], entry.line_of("sequence")
    if not isinstance(spec, list) or not spec:
        check.fail(line, "`sequence` must be a non-empty list of steps, each a response mapping "
                         f"or `{ROUTE_STEP}`")
        return ()
    steps = []
    for index, step in enumerate(spec):
        if step == ROUTE_STEP:
            steps.append(None)
        elif isinstance(step, LineDict):
            check.part = f"sequence[{index}]: "
            steps.append(_response(step, routes, known_routes, check, names))
            check.part = ""
        else:
            check.fail(line, f"sequence[{index}] must be a response mapping or `{ROUTE_STEP}` "
                             f"(got {step!r})")
    return tuple(steps)


def _then(entry: LineDict, check: _Check) -> str:
    then = entry.get("then", THEN[0])
    if "then" in entry and "sequence" not in entry:
        check.fail(entry.line_of("then"), "`then` says what follows a `sequence`; this scenario "
                                          "has none")
    elif then not in THEN:
        check.fail(entry.line_of("then"), f"unknown `then` {then!r} (use {', '.join(THEN)})")
    return then


def _routes(entry: LineDict, known_routes: dict, check: _Check) -> list[str]:
    routes = entry.get("routes")
    line = entry.line_of("routes")
    if isinstance(routes, str):
        routes = [routes]
    if not isinstance(routes, list) or not routes:
        check.fail(line, "`routes` is required: a list of operation names")
        return []
    for route in routes:
        if route not in known_routes:
            check.fail(line, f"unknown route {route!r}; routes are operation names: "
                             f"{', '.join(sorted(known_routes))}")
    return [str(r) for r in routes]


def _response(spec: LineDict, routes, known_routes, check: _Check, names: set) -> Response:
    response = Response()
    for key in spec:
        if key not in RESPONSE_KEYS:
            check.fail(spec.line_of(key), f"unknown response key {key!r} (a response has "
                                          f"{', '.join(sorted(RESPONSE_KEYS))})")
    kinds = [k for k in ("body", "body_template", "message", "error") if k in spec]
    if len(kinds) > 1:
        check.fail(spec.line, f"a response has one of body, body_template, message, error "
                              f"(got {', '.join(kinds)})")
    if "status" in spec:
        status = spec["status"]
        response.has_status = True
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            check.fail(spec.line_of("status"), f"`status` must be an HTTP status 100-599 "
                                               f"(got {status!r})")
        else:
            response.status = status
    headers = spec.get("headers") or {}
    if not isinstance(headers, dict):
        check.fail(spec.line_of("headers"), "`headers` must be a mapping of name: value")
        headers = {}
    for name, value in headers.items():
        line = headers.line_of(name) if isinstance(headers, LineDict) else spec.line_of("headers")
        compiled = _leaf(str(value) if value is not None else "", line, f"headers.{name}", check, names)
        response.headers.append((str(name), compiled))
    if "body" in spec:
        response.body_static, response.body = _tree(spec["body"], spec.line_of("body"), "body",
                                                     check, names)
        if response.body_static and spec["body"] is not None:
            sent = len(json.dumps(response.body, ensure_ascii=False, separators=(",", ":"),
                                  default=str))
            if sent > MAX_OUTPUT:
                check.fail(spec.line_of("body"), f"`body` is {sent} characters as JSON; a "
                                                 f"scenario's response has at most {MAX_OUTPUT}")
    if "body_template" in spec:
        source = spec["body_template"]
        line = spec.line_of("body_template")
        if not isinstance(source, str):
            check.fail(line, "`body_template` must be text (a template that renders JSON)")
        else:
            response.body_template = _compile(source, line, "body_template", check, names)
    if "message" in spec:
        message = spec["message"]
        if not isinstance(message, str):
            check.fail(spec.line_of("message"), "`message` must be text")
        else:
            response.message = _leaf(message, spec.line_of("message"), "message", check, names)
            if not response.has_status:
                response.status = 500
    if "error" in spec:
        _error(spec, routes, known_routes, check, response)
    delay = spec.get("delay_ms", 0)
    if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY_MS:
        check.fail(spec.line_of("delay_ms"), f"`delay_ms` must be a whole number of milliseconds "
                                             f"0-{MAX_DELAY_MS} (got {delay!r})")
    else:
        response.delay_ms = delay
    fault = spec.get("fault")
    if fault is not None and fault not in FAULTS:
        check.fail(spec.line_of("fault"), f"unknown fault {fault!r} (use {', '.join(FAULTS)})")
    response.fault = fault
    if fault and (response.error or response.message is not None):
        check.fail(spec.line_of("fault"), "a fault goes with a status and body, not with "
                                          "`error` or `message`")
    return response


def _error(spec, routes, known_routes, check: _Check, response: Response) -> None:
    line = spec.line_of("error")
    code = spec["error"]
    if not isinstance(code, str):
        check.fail(line, f"`error` must be a quoted catalog code like \"50628\" or \"50628:2\" "
                         f"(got {code!r}; YAML reads unquoted 00001 as the number 1)")
        return
    catalogs = {known_routes.get(route) for route in routes if route in known_routes}
    uncatalogued = [route for route in routes if route in known_routes and not known_routes[route]]
    if uncatalogued:
        check.fail(line, f"`error` answers a row of the route's error catalog, but "
                         f"{', '.join(uncatalogued)} {'has' if len(uncatalogued) == 1 else 'have'} "
                         f"none; use `status` with `message` or `body` there")
    if "status" in spec:
        check.fail(spec.line_of("status"), "`error` takes its status from the catalog; "
                                           "drop `status`")
    response.error = code
    for catalog in catalogs - {None}:
        try:
            response.error_row = catalog.find(code)
        except KeyError as exc:
            check.fail(line, str(exc.args[0] if exc.args else exc))


def _compile(source: str, line: int, where: str, check: _Check, names: set) -> Compiled | None:
    try:
        compiled = compile_text(source, f"<scenario {check.name or '?'} {where}>", line)
    except TemplateFailure as exc:
        check.fail(line, f"{where}: template line {exc.template_line}: {exc.message}")
        return None
    names.update(compiled.names)
    return compiled


def _leaf(value: str, line: int, where: str, check: _Check, names: set):
    if has_template(value):
        return _compile(value, line, where, check, names)
    return value


def _tree(value, line: int, where: str, check: _Check, names: set):
    """(static, node): a static subtree is kept as plain data; anything with a template becomes
    ("dict", [(key, static, node)]) / ("list", [(static, node)]) / Compiled."""
    if isinstance(value, str):
        if has_template(value):
            return False, _compile(value, line, where, check, names)
        return True, value
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            item_line = value.line_of(key) if isinstance(value, LineDict) else line
            parts.append((key, *_tree(item, item_line, f"{where}.{key}", check, names)))
        if all(static for _, static, _ in parts):
            return True, plain(value)
        return False, ("dict", parts)
    if isinstance(value, list):
        parts = [_tree(item, line, f"{where}[{i}]", check, names) for i, item in enumerate(value)]
        if all(static for static, _ in parts):
            return True, plain(value)
        return False, ("list", parts)
    return True, value


def render_tree(static: bool, node, context: dict):
    if static:
        return node
    if isinstance(node, Compiled):
        return node.render(context)
    kind, parts = node
    if kind == "dict":
        return {key: render_tree(s, n, context) for key, s, n in parts}
    return [render_tree(s, n, context) for s, n in parts]
