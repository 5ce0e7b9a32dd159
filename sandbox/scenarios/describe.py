"""One scenario as the admin API, the console and `sandbox scenarios` show it."""
from __future__ import annotations


def describe_scenario(scenario, catalogs=None, active: str | None = None) -> dict:
    """catalogs: operation name -> its family's error catalog (or None)."""
    if scenario.any_of:  # made of others: no response of its own
        return _composed(scenario, active)
    catalog = (catalogs or {}).get(scenario.routes[0])
    if scenario.sequence is None:
        shown = _step(scenario.response, catalog)
    else:
        steps = [_step(spec, catalog) for spec in scenario.sequence]
        shown = {**steps[0], "answers": "in turn: " + "; ".join(s["answers"] for s in steps)
                 + f"; then {scenario.then.replace('_', ' ')}"}
    described = {
        "name": scenario.name,
        "description": scenario.description,
        "routes": list(scenario.routes),
        **shown,
        "match": [_condition(c) for c in scenario.conditions],
        "file": scenario.where,
        "active": scenario.name == active,
        "trigger": _trigger(scenario.name),
    }
    if scenario.sequence is not None:
        described.update(sequence=steps, then=scenario.then)
    return described


def _step(spec, catalog) -> dict:
    """status, answers, error, fault, delay_ms of one response (None: the route's own)."""
    if spec is None:
        return {"status": None, "answers": "the route's own answer", "error": None,
                "fault": None, "delay_ms": 0}
    if spec.error is not None:
        row = spec.error_row
        if row is None and catalog is not None:
            try:
                row = catalog.find(spec.error)
            except KeyError:
                row = None
        status = row["status"] if row else None
        answers = f"{getattr(catalog, 'label', 'catalog')} error {spec.error}"
    elif spec.passthrough:
        status, answers = None, f"the route's own answer after {spec.delay_ms} ms"
    elif spec.message is not None:
        status, answers = spec.status, "an error in the route's envelope"
    else:
        status, answers = spec.status, "its body"
    if spec.fault:
        answers += f", with fault {spec.fault}"
    return {"status": status, "answers": answers, "error": spec.error, "fault": spec.fault,
            "delay_ms": spec.delay_ms}


def _composed(scenario, active) -> dict:
    return {"name": scenario.name, "description": scenario.description,
            "routes": list(scenario.routes), "status": None,
            "answers": f"the first of its {len(scenario.any_of)} scenarios (any_of) that "
                       f"matches, else the route",
            "error": None, "fault": None, "delay_ms": 0,
            "match": [_condition(c) for c in scenario.conditions], "any_of": list(scenario.any_of),
            "file": scenario.where, "active": scenario.name == active,
            "trigger": _trigger(scenario.name)}


def _trigger(name: str) -> dict:
    return {"header": f"X-Sandbox-Scenario: {name}",
            "activate": f'PUT /__sandbox/scenarios/active {{"name": "{name}"}}'}


def _condition(condition) -> dict:
    if condition.regex is not None:
        return {"in": condition.where, "name": condition.key, "regex": condition.regex.pattern}
    expected = condition.expected
    if not isinstance(expected, (str, int, float, bool, type(None))):
        expected = str(expected)  # a YAML date (2021-01-02 unquoted) is compared as its text
    return {"in": condition.where, "name": condition.key, "equals": expected}
