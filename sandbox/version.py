"""The sandbox's version: pyproject.toml's, as the installed package's metadata says it."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sandbox")
except PackageNotFoundError:  # a checkout imported without installing
    __version__ = "0+unknown"
