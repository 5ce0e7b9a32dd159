"""Settings: defaults, then SANDBOX_* environment variables, then command-line flags (the flag wins).

The fields below are the sandbox's own. Each API family declares its own settings (`Setting`:
credentials, base paths) in its record; they live in `Config.settings` and read as attributes
(`config.core_user`), with the family's default until something sets them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace

ENV_PREFIX = "SANDBOX_"
# What the documents (console, OpenAPI, start banner) show for a secret set to anything but its
# documented default.
HIDDEN = "<configured, not shown>"


class SettingError(ValueError):
    """A setting's value that cannot be read as its type: the message names its variable."""


@dataclass(frozen=True)
class Setting:
    """A family's setting: `name` is also its variable (SANDBOX_NAME) and flag (--na-me)."""
    name: str
    default: object
    help: str = ""
    secret: bool = False  # a credential: shown only while it is the documented default

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    # Extra scenario folders laid over the shipped ones (a team keeps its own next to its app).
    scenarios: tuple[str, ...] = ()
    # "memory" or a SQLite file path.
    state: str = "memory"
    # Records a SQLite state keeps in memory (an LRU cache; the file holds the rest).
    cache_records: int = 5_000
    seed: int = 42
    journal_size: int = 1000
    # What the journal may hold in all, every session's entries together (MiB).
    journal_mib: int = 64
    # A named session (X-Sandbox-Session) expires after this many seconds without a request, and
    # at most max_sessions are kept; the default session never expires (sessions.py).
    session_ttl: float = 24 * 3600.0
    max_sessions: int = 1000
    cors_origin: str = "*"
    # Origins whose pages may use the admin API from a browser, comma-separated ("*": any); the
    # console's own origin always may (origins.py).
    admin_origins: str = ""
    max_body_bytes: int = 1024 * 1024
    # waitress worker threads. They run only the requests that may wait (delays, scenarios, the
    # admin API: server.LoopDispatcher answers the rest on the event loop), and a delay holds
    # none of them while it waits (waits.py): they are mostly asleep, ~20 KB of RSS each.
    threads: int = 16
    # Connections open at once (waitress's `connection_limit`: its own 100 let a hundred idle
    # clients lock every other one out). Lowered at start where the process's file-descriptor
    # limit cannot hold that many (server.connection_budget).
    connection_limit: int = 1000
    # Seconds a connection may sit idle, or take to send one whole request, before it is closed
    # (waitress's `channel_timeout`, which alone never closes a connection that trickles in a
    # byte at a time). A request being answered, or waiting out a delay, is never cut.
    idle_timeout: int = 30
    # Seconds a stop (SIGTERM, Ctrl-C) waits for the answers in progress to be sent: longer
    # than the longest delay a request may ask for (60 s).
    shutdown_timeout: float = 65.0
    # A PEM certificate (chain) and its key: both set, the server speaks HTTPS on its port
    # (phones refuse cleartext HTTP by default); neither, plain HTTP (server.tls_context).
    tls_cert: str = ""
    tls_key: str = ""
    log_requests: bool = True
    # Processes serving the one listening socket (workers.py); more than one needs a state they
    # share (a SQLite file or Redis), never "memory".
    workers: int = 1
    # When set, every admin route but health and metrics asks for it (admin/token.py). A secret:
    # never shown (`shown`, `configured_secrets`).
    admin_token: str = ""
    # Seconds between checks of the scenario folders for changes; 0 turns hot reload off.
    reload_interval: float = 1.0
    # The families' settings by name (see Setting); `completed` fills in their defaults.
    settings: dict = field(default_factory=dict, compare=False)
    # The secret settings set to something else than their documented default.
    configured_secrets: frozenset = field(default_factory=frozenset, compare=False)

    def __getattr__(self, name: str):
        # Only reached when no field has the name: a family's setting.
        settings = self.__dict__.get("settings") or {}
        if name in settings:
            return settings[name]
        raise AttributeError(f"no setting {name!r}")

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Config":
        """Defaults < SANDBOX_<NAME> variables < keyword overrides (the parsed flags). Variables
        that name no field of ours are kept as text for the families' settings (`completed`)."""
        environ = os.environ if environ is None else environ
        own = {f.name for f in fields(cls)} - {"settings"}
        values, settings = {}, {}
        for key, raw in environ.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX):].lower()
            if name in own:
                values[name] = _coerce(name, raw, key)
            elif name != "settings":
                settings[name] = raw
        config = cls(**values, settings=settings)
        return config.with_(**{k: v for k, v in overrides.items() if v is not None})

    def with_(self, **changes) -> "Config":
        own = {f.name for f in fields(self)}
        settings = {**self.settings, **{k: v for k, v in changes.items() if k not in own}}
        mine = {k: v for k, v in changes.items() if k in own}
        if isinstance(mine.get("scenarios"), str):
            mine["scenarios"] = _coerce("scenarios", mine["scenarios"])
        return replace(self, **mine, settings=settings)

    def completed(self, settings) -> "Config":
        """This config with every declared family setting: its value where one was given (text
        from a variable is read as the default's type), else its default."""
        values = dict(self.settings)
        secrets = set()
        for setting in settings:
            given = values.get(setting.name)
            if given is None:
                values[setting.name] = setting.default
            elif isinstance(given, str) and not isinstance(setting.default, str):
                values[setting.name] = _as_type(setting.default, given, setting.env)
            if setting.secret and values[setting.name] != setting.default:
                secrets.add(setting.name)
        if self.admin_token:
            secrets.add("admin_token")
        return replace(self, settings=values, configured_secrets=frozenset(secrets))

    def shown(self, name: str):
        """A setting as the documents show it: a secret only while it is the documented
        default (documentation, then), never a configured one."""
        return HIDDEN if name in self.configured_secrets else getattr(self, name)


def _coerce(name: str, raw: str, source: str = ""):
    if name == "scenarios":
        return tuple(p for p in raw.split(os.pathsep) if p)
    return _as_type(Config.__dataclass_fields__[name].default, raw, source or name)


def _as_type(default, raw: str, source: str = "the setting"):
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    for kind, what in ((int, "an integer"), (float, "a number")):
        if isinstance(default, kind):
            try:
                return kind(raw)
            except ValueError:
                raise SettingError(f"{source}={raw!r} is not {what}") from None
    return raw
