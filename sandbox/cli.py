"""`sandbox serve|errors|scenarios|check`."""
from __future__ import annotations

import argparse
import sys

from .config import Config


def _serve_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--host", help="address to listen on (SANDBOX_HOST, default 127.0.0.1)")
    add("--port", type=int, help="port (SANDBOX_PORT, default 8080)")
    add("--scenarios", action="append", metavar="FOLDER",
        help="scenario folder laid over the shipped ones; repeatable (SANDBOX_SCENARIOS)")
    add("--state", help="'memory' or a SQLite file path (SANDBOX_STATE, default memory)")
    add("--seed", type=int, help="seed for generated fixtures (SANDBOX_SEED, default 42)")
    add("--core-user", help="HTTP Basic user of the core routes (SANDBOX_CORE_USER)")
    add("--core-password", help="HTTP Basic password of the core routes (SANDBOX_CORE_PASSWORD)")
    add("--bcs-client-id", help="BCS client id (SANDBOX_BCS_CLIENT_ID)")
    add("--bcs-client-secret", help="BCS client secret (SANDBOX_BCS_CLIENT_SECRET)")
    add("--bcs-base-path", help="BCS base path (SANDBOX_BCS_BASE_PATH)")
    add("--journal-size", type=int, help="requests kept in the journal (SANDBOX_JOURNAL_SIZE)")
    add("--cors-origin", help="Access-Control-Allow-Origin (SANDBOX_CORS_ORIGIN, default *)")
    add("--threads", type=int, help="waitress worker threads, for requests that may wait (SANDBOX_THREADS, default 16)")
    add("--quiet", action="store_true", help="no per-request log lines")


def config_from_args(args) -> Config:
    overrides = {name: getattr(args, name, None) for name in (
        "host", "port", "state", "seed", "core_user", "core_password", "bcs_client_id",
        "bcs_client_secret", "bcs_base_path", "journal_size", "cors_origin", "threads")}
    if getattr(args, "scenarios", None):
        overrides["scenarios"] = tuple(args.scenarios)
    if getattr(args, "quiet", False):
        overrides["log_requests"] = False
    return Config.from_env(**overrides)


def cmd_serve(args) -> int:
    from . import create_app
    from .server import serve

    config = config_from_args(args)
    try:
        app = create_app(config)
    except Exception as exc:  # a broken scenario folder, an unreadable state file...
        print(f"sandbox: cannot start: {exc}", file=sys.stderr)
        return 2

    def ready(server):
        url = f"http://{config.host}:{config.port}"
        print(f"sandbox serving on {url}  (console: {url}/__sandbox/)", flush=True)
        print(f"  core (/core_customer, /core_product): HTTP Basic "
              f"{config.core_user} / {config.core_password}", flush=True)
        print("  cooperative (/cliente): no credentials (seed 003 documents none)", flush=True)
        print(f"  BCS ({config.bcs_base_path}): client id {config.bcs_client_id}, "
              f"secret {config.bcs_client_secret}, any non-empty token", flush=True)
        print(f"  state: {config.state}   seed: {config.seed}", flush=True)

    serve(app, config.host, config.port, config.threads, on_ready=ready)
    app.extensions["sandbox"].store.close()
    return 0


def cmd_errors(args) -> int:
    from .apis.bcs.catalog import print_errors
    return print_errors(args)


def cmd_scenarios(args) -> int:
    from .scenarios.cli import print_scenarios
    return print_scenarios(args)


def cmd_check(args) -> int:
    from .scenarios.cli import check_folders
    return check_folders(args)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the sandbox with waitress")
    _serve_flags(serve)
    serve.set_defaults(func=cmd_serve)
    errors = sub.add_parser("errors", help="show the BCS error catalog, or one code")
    errors.add_argument("code", nargs="?")
    errors.add_argument("--scenarios", action="append", metavar="FOLDER")
    errors.set_defaults(func=cmd_errors)
    scenarios = sub.add_parser("scenarios", help="list the scenarios and how to trigger them")
    scenarios.add_argument("--scenarios", action="append", metavar="FOLDER")
    scenarios.set_defaults(func=cmd_scenarios)
    check = sub.add_parser("check", help="validate scenario folders; non-zero on a fault")
    check.add_argument("folders", nargs="*", metavar="FOLDER")
    check.set_defaults(func=cmd_check)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
