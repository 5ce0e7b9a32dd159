"""A scenario made of others (`any_of:`): the first of them whose routes and match fit a request
answers it, and a request none fits gets the route's own answer. `sandbox record` writes its
story `recorded` this way, so one activation replays every recording and leaves the rest alone.
"""
from __future__ import annotations

from .yamlfile import Fault


def any_of_names(entry, check) -> tuple:
    """The names an `any_of` lists, checked for form (that they exist is checked once every
    folder is loaded, by check_references)."""
    names = entry.get("any_of")
    line = entry.line_of("any_of")
    for other in ("response", "sequence"):
        if other in entry:
            check.fail(line, f"a scenario has `{other}` or `any_of`, not both")
    if not isinstance(names, list) or not names:
        check.fail(line, "`any_of` must be a non-empty list of scenario names")
        return ()
    for name in names:
        if not isinstance(name, str):
            check.fail(line, f"`any_of` lists scenario names, got {name!r}")
    return tuple(str(name) for name in names)


def check_references(scenario_set, faults: list) -> None:
    """Each `any_of` names loaded scenarios that answer with a response of their own."""
    for scenario in scenario_set.by_name.values():
        for name in scenario.any_of:
            part = scenario_set.by_name.get(name)
            if part is None:
                faults.append(Fault(scenario.file, scenario.line, f"scenario {scenario.name!r}: "
                                    f"`any_of` names {name!r}, which no scenario file defines"))
            elif part.any_of:
                faults.append(Fault(scenario.file, scenario.line, f"scenario {scenario.name!r}: "
                                    f"`any_of` names {name!r}, itself an `any_of`; list its "
                                    f"scenarios instead"))


def fitting(scenarios, scenario, operation: str, view):
    """The first of the scenario's parts that answers `operation` and whose match holds for the
    request (`view`), or None: the route answers."""
    for name in scenario.any_of:
        part = scenarios.get(name)
        if part is not None and operation in part.routes and part.matches(view):
            return part
    return None
