"""The API families the sandbox serves, one folder each; adding one is one line here."""
from __future__ import annotations

from . import bcs, cooperative, core

FAMILIES = (core.FAMILY, cooperative.FAMILY, bcs.FAMILY)
