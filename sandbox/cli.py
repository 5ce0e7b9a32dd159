"""`sandbox serve|scenarios|check` and each family's own commands (`sandbox errors`), on click.

The families' settings become options and SANDBOX_* variables from their records (config.Setting).
A bad value, a bad setting or a port in use is one line on stderr and exit code 2; stdout carries
only what the command prints (for serve: JSON log lines, the start-up banner among them).
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

import click

from .config import ENV_PREFIX, Config, SettingError
from .version import __version__

# Exit code for a usage fault: a bad flag or value, a setting that cannot run, a port in use.
USAGE = 2
# click 8.2+ raises this for a bare `sandbox`; older ones exit through click.exceptions.Exit.
NO_COMMAND = getattr(click.exceptions, "NoArgsIsHelpError", ())


class Port(click.ParamType):
    """1-65535, or 0: any free port, which the start-up line then names."""
    name = "port"

    def convert(self, value, param, ctx):
        try:
            port = int(value)
        except (TypeError, ValueError):
            port = -1
        if not 0 <= port <= 65535:
            self.fail(f"{value!r} is not a port: 1-65535, or 0 for any free one", param, ctx)
        return port


PORT = Port()

# The sandbox's own settings: (flag, field, type, help). Each is also SANDBOX_<FIELD>.
SERVE_FLAGS = (
    ("--host", "host", str, "address to listen on (SANDBOX_HOST, default 127.0.0.1)"),
    ("--port", "port", PORT, "port, 1-65535, or 0 for any free one (SANDBOX_PORT, default 8080)"),
    ("--state", "state", str, "'memory', a SQLite file path or a redis:// URL (SANDBOX_STATE, default memory)"),
    ("--cache-records", "cache_records", int,
     "records a SQLite state keeps in memory (SANDBOX_CACHE_RECORDS, default 5000)"),
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
    ("--tls-cert", "tls_cert", str,
     "PEM certificate (chain): with --tls-key, serve HTTPS (SANDBOX_TLS_CERT)"),
    ("--tls-key", "tls_key", str, "PEM private key of --tls-cert (SANDBOX_TLS_KEY)"),
    ("--workers", "workers", int,
     "processes serving the port; more than 1 needs --state PATH or redis (SANDBOX_WORKERS, "
     "default 1)"),
    ("--admin-token", "admin_token", str,
     "token every admin route but health and metrics asks for, as Authorization: Bearer or "
     "X-Sandbox-Admin-Token (SANDBOX_ADMIN_TOKEN; default: none, the admin API is open)"),
)
SCENARIOS = click.Option(["--scenarios"], multiple=True, metavar="FOLDER",
                         help="scenario folder laid over the shipped ones; repeatable "
                              "(SANDBOX_SCENARIOS, ':'-separated)")


def _families():
    from .apis import FAMILIES
    return FAMILIES


def fail(message: str) -> int:
    """A fault the user can fix: one line on stderr, exit code 2."""
    click.echo(f"sandbox: {message}", err=True)
    return USAGE


def serve_params(families) -> list:
    """The sandbox's settings, then every family's, as options read from SANDBOX_* as well
    (click checks the variable's value as it checks the flag's)."""
    params = [click.Option([flag, name], type=kind, envvar=ENV_PREFIX + name.upper(), help=text)
              for flag, name, kind, text in SERVE_FLAGS]
    params.append(SCENARIOS)
    for family in families:
        for setting in family.settings:
            params.append(click.Option([setting.flag, setting.name], type=type(setting.default),
                                       envvar=setting.env, help=f"{setting.help} ({setting.env})"))
    params.append(click.Option(["--quiet"], is_flag=True, help="no per-request log lines "
                                                              "(SANDBOX_LOG_REQUESTS=0)"))
    return params


def config_from_args(args, families=()) -> Config:
    names = [name for _, name, _, _ in SERVE_FLAGS]
    names += [setting.name for family in families for setting in family.settings]
    overrides = {name: getattr(args, name, None) for name in names}
    if getattr(args, "scenarios", None):
        overrides["scenarios"] = tuple(args.scenarios)
    if getattr(args, "quiet", False):
        overrides["log_requests"] = False
    return Config.from_env(**overrides)


def banner(sandbox, server) -> dict:
    """The start-up log line: where it listens (the port bound, which --port 0 picks), the
    credentials as the documents show them (a configured secret never), state and seed."""
    from .logs import timestamp
    config = sandbox.config
    scheme = "https" if config.tls_cert else "http"
    url = f"{scheme}://{config.host}:{server.effective_port}"
    families = [{"family": family.title, "where": family.where(config),
                 "credentials": family.security.summary(config)}
                for family in sandbox.families.values()]
    return {"ts": timestamp(), "level": "info", "event": "serving",
            "message": f"sandbox serving on {url}  (console: {url}/__sandbox/)",
            "url": url, "console": f"{url}/__sandbox/", "families": families,
            # A Redis URL without its password (the store's label).
            "state": getattr(sandbox.store, "label", config.state), "seed": config.seed,
            "version": __version__, "workers": config.workers}


def cmd_serve(args, families) -> int:
    from . import create_app
    from .admin.token import warn_if_exposed
    from .logs import log_line
    from .server import check_limits, make_server, serve

    config = config_from_args(args, families)
    if config.workers != 1:
        from .workers import serve_workers
        return serve_workers(config, families,
                             lambda sandbox, server: log_line(banner(sandbox, server)))
    try:
        check_limits(config)
        app = create_app(config, families)
    except Exception as exc:  # a broken scenario folder, an unreadable state file...
        return fail(f"cannot start: {exc}")
    sandbox = app.extensions["sandbox"]
    try:
        server = make_server(app, config.host, config.port, config.threads)
    except OSError as exc:  # the port in use, an address not ours, a certificate unreadable
        sandbox.store.close()
        return fail(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}")
    except ValueError as exc:  # a setting the server cannot run with
        sandbox.store.close()
        return fail(f"cannot start: {exc}")
    warn_if_exposed(config)
    serve(app, server, on_ready=lambda server: log_line(banner(sandbox, server)))
    sandbox.store.close()
    return 0


def cmd_health(args, families) -> int:
    from .health import probe
    config = Config.from_env(host=args.host, port=args.port, tls_cert=args.tls_cert)
    answer = probe(config)
    click.echo(answer, err=answer != "ok")
    return 0 if answer == "ok" else 1


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


def cmd_record(args, families) -> int:
    from .record import serve_recorder
    try:
        return serve_recorder(args.upstream, args.out, args.host, args.port, args.timeout)
    except ValueError as exc:  # an --upstream that is not an http(s) URL
        print(f"sandbox record: {exc}", file=sys.stderr)
        return 2


def command(name: str, text: str, params, run, families) -> click.Command:
    """A click command that calls run(args, families), args holding its parameters by name."""
    return click.Command(name, help=text, short_help=text, params=list(params),
                         callback=lambda **values: run(SimpleNamespace(**values), families))


# One function per subcommand: each builds its click command for the given families.
def serve_command(families):
    return command("serve", "serve the sandbox with waitress", serve_params(families),
                   cmd_serve, families)


def scenarios_command(families):
    return command("scenarios", "list the scenarios and how to trigger them", [SCENARIOS],
                   cmd_scenarios, families)


def check_command(families):
    folders = click.Argument(["folders"], nargs=-1, metavar="[FOLDER]...")
    return command("check", "validate scenario folders; non-zero on a fault", [folders],
                   cmd_check, families)


def health_command(families):
    params = [click.Option([flag, name], type=kind, envvar=ENV_PREFIX + name.upper(), help=text)
              for flag, name, kind, text in SERVE_FLAGS if name in ("host", "port", "tls_cert")]
    return command("health", "ask a running sandbox for its health (SANDBOX_HOST, SANDBOX_PORT, "
                   "SANDBOX_TLS_CERT as serve reads them): exit 0 if it answers ok, else 1; "
                   "the Docker HEALTHCHECK", params, cmd_health, families)


def record_command(families):
    params = [
        click.Option(["--upstream"], required=True,
                     help="the upstream's URL, e.g. https://bank.example"),
        click.Option(["--out"], required=True, metavar="FOLDER",
                     help="where the recordings go (created if missing; a run adds to it)"),
        click.Option(["--host"], help="address to listen on (SANDBOX_HOST, default 127.0.0.1)"),
        click.Option(["--port"], type=PORT, help="port (SANDBOX_PORT, default 8080)"),
        click.Option(["--timeout"], type=float, default=30.0, show_default=True,
                     help="seconds to wait for the upstream before answering 504"),
    ]
    return command("record", "proxy a real upstream and write its answers as scenarios "
                   "(docs/qa.md)", params, cmd_record, families)


COMMANDS = (serve_command, scenarios_command, check_command, health_command, record_command)


def family_commands(families):
    """Each family's own commands (family.Command): its parameters, plus --scenarios."""
    for family in families:
        for own in family.commands:
            def run(args, families, own=own):
                return own.run(args, _checked_sandbox(args, families))
            yield command(own.name, own.help, [*own.arguments, SCENARIOS], run, families)


def build(families) -> click.Group:
    @click.group(help=__doc__.split("\n\n")[0])
    @click.version_option(__version__, "--version", prog_name="sandbox",
                          message="%(prog)s %(version)s")
    def sandbox():
        pass

    for make in COMMANDS:
        sandbox.add_command(make(families))
    for own in family_commands(families):
        sandbox.add_command(own)
    return sandbox


def usage_line(exc: click.ClickException) -> str:
    """click's fault as one line: the flag and its variable, what is wrong, where help is."""
    where = getattr(getattr(exc, "ctx", None), "command_path", "sandbox")
    param = getattr(exc, "param", None)
    if isinstance(exc, click.BadParameter) and getattr(param, "opts", None):
        envvar = f" ({param.envvar})" if getattr(param, "envvar", None) else ""
        message = f"{'/'.join(param.opts)}{envvar}: {exc.message}"
    else:
        message = exc.format_message()
    return f"{' '.join(message.split())} (see '{where} --help')"


def main(argv=None, families=None) -> int:
    families = _families() if families is None else families
    try:
        return build(families).main(args=argv, prog_name="sandbox", standalone_mode=False)
    except NO_COMMAND as exc:  # bare `sandbox`: its help, as a usage fault
        click.echo(exc.ctx.get_help())
        return USAGE
    except click.ClickException as exc:
        return fail(usage_line(exc))
    except click.Abort:
        return 1
    except SettingError as exc:  # a SANDBOX_* variable no option reads
        return fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
