"""Where the shipped scenario YAML lives, installed or in a checkout."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_scenarios_dir() -> Path:
    """The `scenarios/` folder that ships inside the package as sandbox.shipped_scenarios."""
    try:
        return Path(str(resources.files("sandbox.shipped_scenarios")))
    except ModuleNotFoundError:  # a checkout imported without installing
        return Path(__file__).resolve().parent.parent / "scenarios"
