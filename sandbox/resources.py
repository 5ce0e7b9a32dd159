"""Where the shipped scenario YAML lives, installed or in a checkout."""
from __future__ import annotations

from importlib import util
from pathlib import Path

import yaml


def shipped_scenarios_dir() -> Path:
    """The `scenarios/` folder that ships inside the package as sandbox.shipped_scenarios.

    That folder has no __init__.py (it is data), so importlib sees a namespace package, whose
    `resources.files()` is a MultiplexedPath that str() does not turn into a path: the spec's
    search location is the folder itself."""
    spec = util.find_spec("sandbox.shipped_scenarios")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    # A checkout imported without installing.
    return Path(__file__).resolve().parent.parent / "scenarios"


# libyaml when PyYAML has it (its wheels do): ~15x faster than the pure-Python parser, which
# matters because every data file is read at start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path) -> object:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LOADER)


def shipped_data(relative: str) -> object:
    """A shipped YAML file, parsed: `shipped_data("data/core_products.yaml")`."""
    return load_yaml(shipped_scenarios_dir() / relative)
