"""`sandbox serve|scenarios|check` and each family's own commands (`sandbox errors`).

The families' settings become flags and SANDBOX_* variables from their records (config.Setting).
"""
from __future__ import annotations

import argparse
import sys

from .config import Config

# The sandbox's own settings: (flag, field, type, help).
SERVE_FLAGS = (
    ("--host", "host", str, "address to listen on (SANDBOX_HOST, default 127.0.0.1)"),
    ("--port", "port", int, "port (SANDBOX_PORT, default 8080)"),
    ("--state", "state", str, "'memory' or a SQLite file path (SANDBOX_STATE, default memory)"),
    ("--seed", "seed", int, "seed for generated fixtures (SANDBOX_SEED, default 42)"),
    ("--journal-size", "journal_size", int,
     "requests kept in the journal, per session (SANDBOX_JOURNAL_SIZE, default 1000)"),
    ("--journal-mib", "journal_mib", int,
     "memory the journal may hold in all, MiB (SANDBOX_JOURNAL_MIB, default 64)"),
    ("--cors-origin", "cors_origin", str,
     "Access-Control-Allow-Origin (SANDBOX_CORS_ORIGIN, default *)"),
    ("--admin-origins", "admin_origins", str,
     "origins whose web pages may use the admin API, comma-separated (SANDBOX_ADMIN_ORIGINS; "
     "default: only the console's own)"),
    ("--session-ttl", "session_ttl", float,
     "seconds a named session lives without a request (SANDBOX_SESSION_TTL, default 86400)"),
    ("--max-sessions", "max_sessions", int,
     "named sessions kept at most, the longest idle going first (SANDBOX_MAX_SESSIONS, "
     "default 1000)"),
    ("--threads", "threads", int, "waitress worker threads, for requests that may wait "
                                  "(SANDBOX_THREADS, default 16)"),
    ("--connection-limit", "connection_limit", int,
     "connections open at once (SANDBOX_CONNECTION_LIMIT, default 1000)"),
    ("--idle-timeout", "idle_timeout", int,
     "seconds before an idle connection, or one still sending its request, is closed "
     "(SANDBOX_IDLE_TIMEOUT, default 30)"),
    ("--shutdown-timeout", "shutdown_timeout", float,
     "seconds a stop waits for the answers in progress (SANDBOX_SHUTDOWN_TIMEOUT, default 65)"),
    ("--workers", "workers", int,
     "processes serving the port; more than 1 needs --state PATH or redis (SANDBOX_WORKERS, "
     "default 1)"),
    ("--admin-token", "admin_token", str,
     "token every admin route but health and metrics asks for, as Authorization: Bearer or "
     "X-Sandbox-Admin-Token (SANDBOX_ADMIN_TOKEN; default: none, the admin API is open)"),
)


def _families():
    from .apis import FAMILIES
    return FAMILIES


def _serve_flags(parser: argparse.ArgumentParser, families) -> None:
    for flag, name, kind, text in SERVE_FLAGS:
        parser.add_argument(flag, dest=name, type=kind, help=text)
    parser.add_argument("--scenarios", action="append", metavar="FOLDER",
                        help="scenario folder laid over the shipped ones; repeatable "
                             "(SANDBOX_SCENARIOS)")
    for family in families:
        for setting in family.settings:
            parser.add_argument(setting.flag, dest=setting.name, type=type(setting.default),
                                help=f"{setting.help} ({setting.env})")
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")


def config_from_args(args, families=()) -> Config:
    names = [name for _, name, _, _ in SERVE_FLAGS]
    names += [setting.name for family in families for setting in family.settings]
    overrides = {name: getattr(args, name, None) for name in names}
    if getattr(args, "scenarios", None):
        overrides["scenarios"] = tuple(args.scenarios)
    if getattr(args, "quiet", False):
        overrides["log_requests"] = False
    return Config.from_env(**overrides)


def banner(sandbox) -> None:
    config = sandbox.config
    url = f"http://{config.host}:{config.port}"
    print(f"sandbox serving on {url}  (console: {url}/__sandbox/)", flush=True)
    for family in sandbox.families.values():
        print(f"  {family.title} ({family.where(config)}): "
              f"{family.security.summary(config)}", flush=True)
    workers = f"   workers: {config.workers}" if config.workers > 1 else ""
    print(f"  state: {config.state}   seed: {config.seed}{workers}", flush=True)


def cmd_serve(args, families) -> int:
    from . import create_app
    from .admin.token import warn_if_exposed
    from .server import check_limits, serve

    config = config_from_args(args, families)
    if config.workers != 1:
        from .workers import serve_workers
        return serve_workers(config, families, banner)
    try:
        check_limits(config)
        app = create_app(config, families)
    except Exception as exc:  # a broken scenario folder, an unreadable state file...
        print(f"sandbox: cannot start: {exc}", file=sys.stderr)
        return 2
    sandbox = app.extensions["sandbox"]
    warn_if_exposed(config)
    serve(app, config.host, config.port, config.threads, on_ready=lambda server: banner(sandbox))
    sandbox.store.close()
    return 0


def _checked_sandbox(args, families):
    """The families registered (routes, catalogs) over the shipped scenario folders plus the
    given ones (or SANDBOX_SCENARIOS), without opening the store or loading scenarios."""
    from .app import registered
    folders = getattr(args, "folders", None) or getattr(args, "scenarios", None)
    config = Config.from_env(state="memory", log_requests=False, reload_interval=0,
                             scenarios=tuple(folders) if folders else None)
    return registered(config, families, name="sandbox-check")[1]


def cmd_scenarios(args, families) -> int:
    from .scenarios.cli import print_scenarios
    return print_scenarios(_checked_sandbox(args, families))


def cmd_check(args, families) -> int:
    from .scenarios.cli import check_folders
    return check_folders(_checked_sandbox(args, families))


def family_command(command):
    def run(args, families) -> int:
        return command.run(args, _checked_sandbox(args, families))
    return run


def main(argv=None, families=None) -> int:
    families = _families() if families is None else families
    parser = argparse.ArgumentParser(prog="sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the sandbox with waitress")
    _serve_flags(serve, families)
    serve.set_defaults(func=cmd_serve)
    scenarios = sub.add_parser("scenarios", help="list the scenarios and how to trigger them")
    scenarios.add_argument("--scenarios", action="append", metavar="FOLDER")
    scenarios.set_defaults(func=cmd_scenarios)
    check = sub.add_parser("check", help="validate scenario folders; non-zero on a fault")
    check.add_argument("folders", nargs="*", metavar="FOLDER")
    check.set_defaults(func=cmd_check)
    for family in families:
        for command in family.commands:
            own = sub.add_parser(command.name, help=command.help)
            command.arguments(own)
            own.add_argument("--scenarios", action="append", metavar="FOLDER")
            own.set_defaults(func=family_command(command))
    args = parser.parse_args(argv)
    return args.func(args, families)


if __name__ == "__main__":
    sys.exit(main())
