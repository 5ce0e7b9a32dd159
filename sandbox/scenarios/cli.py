"""`sandbox scenarios` (list them and how to trigger each) and `sandbox check [FOLDER...]`, over
a Sandbox whose families are registered (its routes and catalogs say what a scenario may name)."""
from __future__ import annotations

import sys

from .describe import describe_scenario
from .engine import route_catalogs, scenario_folders
from .loader import load_folders


def check_folders(sandbox) -> int:
    """Check the shipped scenarios and the config's folders. Prints `file:line: message` per
    fault; exit 1 when there is any."""
    folders = scenario_folders(sandbox.config)
    scenario_set, faults = load_folders(folders, route_catalogs(sandbox))
    for fault in faults:
        print(fault)
    if faults:
        print(f"{len(faults)} fault(s) in {', '.join(map(str, folders))}", file=sys.stderr)
        return 1
    print(f"ok: {len(scenario_set.by_name)} scenarios in {', '.join(map(str, folders))}")
    return 0


def print_scenarios(sandbox) -> int:
    catalogs = route_catalogs(sandbox)
    scenario_set, faults = load_folders(scenario_folders(sandbox.config), catalogs)
    for fault in faults:
        print(fault, file=sys.stderr)
    if faults:
        return 1
    for scenario in sorted(scenario_set.by_name.values(), key=lambda s: (s.routes[0], s.name)):
        info = describe_scenario(scenario, catalogs)
        status = info["status"] if info["status"] is not None else "-"
        print(f"{scenario.name}  [{', '.join(scenario.routes)}]  {status}  {info['answers']}")
        print(f"    {scenario.description}")
        print(f"    trigger: {info['trigger']['header']}  or  {info['trigger']['activate']}")
    return 0
