"""One scenario as the admin API, the console and `sandbox scenarios` show it."""
from __future__ import annotations


def describe_scenario(scenario, catalogs=None, active: str | None = None) -> dict:
    """catalogs: operation name -> its family's error catalog (or None)."""
    spec = scenario.response
    if spec is None:  # made of others (any_of)
        return _composed(scenario, active)
    if spec.error is not None:
        row = spec.error_row
        catalog = (catalogs or {}).get(scenario.routes[0])
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
    return {
        "name": scenario.name,
        "description": scenario.description,
        "routes": list(scenario.routes),
        "status": status,
        "answers": answers,
        "error": spec.error,
        "fault": spec.fault,
        "delay_ms": spec.delay_ms,
        "match": [_condition(c) for c in scenario.conditions],
        "file": scenario.where,
        "active": scenario.name == active,
        "trigger": _trigger(scenario.name),
    }


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
