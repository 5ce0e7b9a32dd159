"""`sandbox scenarios` (list them and how to trigger each) and `sandbox check [FOLDER...]`."""
from __future__ import annotations

import sys
from flask import Flask

from ..config import Config
from ..registry import Sandbox
from .describe import describe_scenario
from .engine import known_routes, scenario_folders
from .loader import load_folders


def _registered(config: Config) -> Sandbox:
    """A Sandbox with every API registered (routes, catalog), without loading scenarios: what
    the checker needs to know the valid route names and catalog codes."""
    from ..apis import bcs, cooperative, core
    app = Flask("sandbox-check")
    sandbox = Sandbox(config)
    for api in (core, cooperative, bcs):
        api.register(app, sandbox)
    return sandbox


def _config(folders) -> Config:
    # No folders given: the shipped ones plus SANDBOX_SCENARIOS, like the server.
    return Config.from_env(state="memory", log_requests=False, reload_interval=0,
                           scenarios=tuple(folders) if folders else None)


def check_folders(args) -> int:
    """Check the shipped scenarios and the given folders (or SANDBOX_SCENARIOS). Prints
    `file:line: message` per fault; exit 1 when there is any."""
    config = _config(getattr(args, "folders", None))
    sandbox = _registered(config)
    folders = scenario_folders(config)
    scenario_set, faults = load_folders(folders, known_routes(sandbox), sandbox.catalog)
    for fault in faults:
        print(fault)
    if faults:
        print(f"{len(faults)} fault(s) in {', '.join(map(str, folders))}", file=sys.stderr)
        return 1
    print(f"ok: {len(scenario_set.by_name)} scenarios in {', '.join(map(str, folders))}")
    return 0


def print_scenarios(args) -> int:
    config = _config(getattr(args, "scenarios", None))
    sandbox = _registered(config)
    scenario_set, faults = load_folders(scenario_folders(config), known_routes(sandbox),
                                        sandbox.catalog)
    for fault in faults:
        print(fault, file=sys.stderr)
    if faults:
        return 1
    for scenario in sorted(scenario_set.by_name.values(), key=lambda s: (s.routes[0], s.name)):
        info = describe_scenario(scenario, sandbox.catalog)
        status = info["status"] if info["status"] is not None else "-"
        print(f"{scenario.name}  [{', '.join(scenario.routes)}]  {status}  {info['answers']}")
        print(f"    {scenario.description}")
        print(f"    trigger: {info['trigger']['header']}  or  {info['trigger']['activate']}")
    return 0
