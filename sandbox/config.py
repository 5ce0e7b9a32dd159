"""Settings: defaults, then SANDBOX_* environment variables, then command-line flags (the flag wins)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace

DEFAULT_BCS_BASE_PATH = "/api/customersManagement/v1"


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    # Extra scenario folders laid over the shipped ones (a team keeps its own next to its app).
    scenarios: tuple[str, ...] = ()
    # "memory" or a SQLite file path.
    state: str = "memory"
    seed: int = 42
    core_user: str = "sandbox"
    core_password: str = "sandbox"
    bcs_client_id: str = "sandbox-client"
    bcs_client_secret: str = "sandbox-secret"
    bcs_base_path: str = DEFAULT_BCS_BASE_PATH
    journal_size: int = 1000
    cors_origin: str = "*"
    max_body_bytes: int = 1024 * 1024
    # waitress worker threads. They run only the requests that may wait (delays, scenarios, the
    # admin API: server.LoopDispatcher answers the rest on the event loop), so they are mostly
    # asleep: 16 lets that many slow requests wait at once, for ~20 KB of RSS each.
    threads: int = 16
    log_requests: bool = True
    # Seconds between checks of the scenario folders for changes; 0 turns hot reload off.
    reload_interval: float = 1.0
    extra: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Config":
        """Defaults < SANDBOX_<NAME> variables < keyword overrides (the parsed flags)."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get("SANDBOX_" + f.name.upper())
            if raw is not None and f.name != "extra":
                values[f.name] = _coerce(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "scenarios" in values and isinstance(values["scenarios"], str):
            values["scenarios"] = _coerce("scenarios", values["scenarios"])
        return cls(**values)

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)


def _coerce(name: str, raw: str):
    default = Config.__dataclass_fields__[name].default
    if name == "scenarios":
        return tuple(p for p in raw.split(os.pathsep) if p)
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw
