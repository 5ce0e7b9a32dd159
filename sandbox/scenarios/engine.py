"""Registers the scenario responders on the app: the order of choice in docs/qa.md.

In the pipeline, after authentication and before the view, these run in order; the first that
answers wins:
  0. X-Sandbox-Delay: waits (never answers by itself)
  1. X-Sandbox-Error: <code>[:n] on a BCS route: that catalog row in the route's envelope
  2. X-Sandbox-Scenario: <name>: that scenario's response
  3. a magic identification number (999 + five-digit catalog code) on a BCS route
  4. the session's active scenario, for its routes, when its match holds
then the route itself.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import g
from werkzeug.exceptions import HTTPException

from ..errors import SandboxError
from ..http import json_or_none
from ..wsgi import SESSION, SESSION_HEADER, timestamp
from ..pipeline import log_line
from ..resources import shipped_scenarios_dir
from ..store import DEFAULT_SESSION
from .loader import MAX_DELAY_MS, ScenarioSet, load_folders, yaml_files
from .respond import FakesByLocale, answer, bcs_error

ERROR_HEADER = "X-Sandbox-Error"
SCENARIO_HEADER = "X-Sandbox-Scenario"
DELAY_HEADER = "X-Sandbox-Delay"
# The same headers as WSGI environ keys: reading the environ directly is several times cheaper
# than werkzeug's Headers on the hot path, and every request passes these checks.
_ERROR = "HTTP_X_SANDBOX_ERROR"
_SCENARIO = "HTTP_X_SANDBOX_SCENARIO"
_DELAY = "HTTP_X_SANDBOX_DELAY"
MAGIC_PREFIX = "999"
# Each session's active scenario is a record in its own store layer: a reset drops it with the
# session's other records, and with --state PATH it survives a restart like they do.
ACTIVE_KIND, ACTIVE_KEY = "_active_scenario", "active"


class ScenarioFolderError(Exception):
    """The scenario folders do not check: the server refuses to start."""

    def __init__(self, faults):
        self.faults = list(faults)
        super().__init__("broken scenario files:\n" + "\n".join(map(str, self.faults)))


def scenario_folders(config) -> list:
    """The shipped folder first, then the user's, so the user's scenarios win by name."""
    return [shipped_scenarios_dir(), *config.scenarios]


def known_routes(sandbox) -> dict:
    """Operation name -> family, for every route the app serves."""
    return {name: op.family for name, op in sandbox.operations.items()}


class Scenarios:
    """The loaded scenario set (swapped whole on reload) and each session's active scenario."""

    def __init__(self, folders, routes: dict, store, catalog=None, fakes=None):
        self.folders = list(folders)
        self.routes = routes
        self.catalog = catalog
        # The seeded Faker per country that templates see as `fake` (built on first use).
        self.fakes = FakesByLocale(fakes) if fakes is not None else None
        self.current = ScenarioSet()
        self.store = store  # where each session's active scenario is kept (ACTIVE_KIND)
        self._signature = None
        self._stop = threading.Event()

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> list:
        """Load every folder; on faults keep the last good set and return the faults."""
        signature = self.signature()
        scenario_set, faults = load_folders(self.folders, self.routes, self.catalog,
                                            every_file=False)
        self._signature = signature
        if not faults:
            self.current = scenario_set
        return faults

    def signature(self):
        files = []
        for folder in self.folders:
            try:
                for path in yaml_files(Path(folder)):
                    stat = path.stat()
                    files.append((str(path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                files.append((str(folder), None, None))
        return tuple(files)

    def reload_if_changed(self) -> bool | None:
        """True: reloaded; False: changed but broken (kept the last good set); None: no change."""
        if self.signature() == self._signature:
            return None
        faults = self.load()
        if faults:
            log_line({"ts": timestamp(), "level": "error", "event": "scenarios_reload_failed",
                      "message": "scenario files are broken; keeping the last good set",
                      "faults": [str(f) for f in faults]})
            return False
        log_line({"ts": timestamp(), "level": "info", "event": "scenarios_reloaded",
                  "scenarios": len(self.current.by_name)})
        return True

    def watch(self, interval: float) -> threading.Thread:
        def loop():
            while not self._stop.wait(interval):
                try:
                    self.reload_if_changed()
                except Exception as exc:  # never let the watcher die on an odd file
                    log_line({"ts": timestamp(), "level": "error", "event": "scenarios_reload_failed",
                              "message": repr(exc)})
        thread = threading.Thread(target=loop, name="scenario-reload", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    # -- per session --------------------------------------------------------------------------
    def active_name(self, session: str) -> str | None:
        record = self.store.get(session, ACTIVE_KIND, ACTIVE_KEY)
        return record["name"] if record else None

    def activate(self, session: str, name: str) -> None:
        self.store.put(session, ACTIVE_KIND, ACTIVE_KEY, {"name": name})

    def deactivate(self, session: str) -> None:
        if self.active_name(session) is not None:
            self.store.put(session, ACTIVE_KIND, ACTIVE_KEY, {"name": None})

    def may_wait(self, header) -> bool:
        """Whether a delay or a scenario may hold this request: X-Sandbox-Delay, a named
        scenario, or an active one in its session. `header(name)` looks a request header up."""
        return header(DELAY_HEADER) is not None or header(SCENARIO_HEADER) is not None \
            or self.active_name(header(SESSION_HEADER) or DEFAULT_SESSION) is not None

    # -- lookups ------------------------------------------------------------------------------
    def get(self, name: str):
        return self.current.by_name.get(name)

    def all(self) -> list:
        return list(self.current.by_name.values())


def register(app, sandbox):
    scenarios = Scenarios(scenario_folders(sandbox.config), known_routes(sandbox), sandbox.store,
                          sandbox.catalog, sandbox.fakes)
    faults = scenarios.load()
    if faults:
        raise ScenarioFolderError(faults)
    sandbox.scenarios = scenarios
    sandbox.responders.extend(responders(sandbox))
    if sandbox.config.reload_interval and sandbox.config.reload_interval > 0:
        scenarios.watch(sandbox.config.reload_interval)


def responders(sandbox) -> list:
    scenarios: Scenarios = sandbox.scenarios

    def delay(operation, request):
        raw = request.environ.get(_DELAY)
        if raw is None:
            return None
        try:
            millis = int(raw.strip())
        except ValueError:
            millis = -1
        if millis < 0:
            raise SandboxError(400, f"{DELAY_HEADER} must be a whole number of milliseconds "
                                    f"(0-{MAX_DELAY_MS}; larger values are capped), got {raw!r}")
        if millis:
            time.sleep(min(millis, MAX_DELAY_MS) / 1000)
        return None

    def forced_error(operation, request):
        spec = request.environ.get(_ERROR)
        if spec is None:
            return None
        if operation.family != "bcs":
            names = scenarios.current.names_for(operation.name)
            raise SandboxError(400, f"{ERROR_HEADER} selects a row of the BCS error catalog and "
                                    f"applies to BCS routes only; {operation.name} is not one. "
                                    f"Use {SCENARIO_HEADER} with one of: "
                                    f"{', '.join(names) or '(no scenario for this route)'}")
        raise bcs_error(sandbox, operation, spec.strip(), f"error:{spec.strip()}")

    def named_scenario(operation, request):
        name = request.environ.get(_SCENARIO)
        if name is None:
            return None
        name = name.strip()
        scenario = scenarios.get(name)
        valid = ", ".join(scenarios.current.names_for(operation.name)) or "(none)"
        if scenario is None:
            raise SandboxError(400, f"Unknown scenario {name!r} ({SCENARIO_HEADER}). Scenarios for "
                                    f"{operation.name}: {valid}. GET /__sandbox/scenarios lists "
                                    f"every scenario")
        if operation.name not in scenario.routes:
            raise SandboxError(400, f"Scenario {name!r} answers {', '.join(scenario.routes)}, not "
                                    f"{operation.name}. Scenarios for {operation.name}: {valid}")
        return answer(sandbox, scenario, operation, request)

    def magic_number(operation, request):
        catalog = sandbox.catalog
        if operation.idents is None or catalog is None or not _may_hold_magic(request):
            return None
        try:
            idents = operation.idents(request)
        except SandboxError:  # a body the route itself will refuse, with its own message
            return None
        for ident in idents or ():
            row = catalog.is_magic(str(ident), operation)
            if row is not None:
                err = catalog.error(row, operation)
                err.answered_by = f"magic:{row['code']}"
                raise err
        return None

    def active_scenario(operation, request):
        name = scenarios.active_name(request.environ.get(SESSION) or g.session)
        if name is None:
            return None
        scenario = scenarios.get(name)
        if scenario is None or operation.name not in scenario.routes:
            return None
        if scenario.conditions and not scenario.matches(_View(request)):
            return None
        return answer(sandbox, scenario, operation, request)

    return [delay, forced_error, named_scenario, magic_number, active_scenario]


def _may_hold_magic(request) -> bool:
    """Whether a magic number could be there: 999 in the path or query, or any body (a body may
    carry it encoded, e.g. sync-data-file's base64 file, which only the operation's idents()
    decodes). GET requests without 999 skip idents(), which parses all of those."""
    environ = request.environ
    if MAGIC_PREFIX in environ.get("PATH_INFO", "") or MAGIC_PREFIX in environ.get("QUERY_STRING", ""):
        return True
    return environ.get("CONTENT_LENGTH") not in (None, "", "0")


class _View:
    """What match conditions read from a request: headers, query, the JSON body."""

    __slots__ = ("request", "_body")
    _UNSET = object()

    def __init__(self, request):
        self.request = request
        self._body = self._UNSET

    def value(self, condition):
        if condition.where == "headers":
            return self.request.headers.get(condition.key)
        if condition.where == "query":
            return self.request.args.get(condition.key)
        value = self.body
        for part in condition.path:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    @property
    def body(self):
        if self._body is self._UNSET:
            self._body = request_body(self.request)
        return self._body


def request_body(request):
    """The JSON body if there is a readable one, else None (the route reports bad bodies)."""
    try:
        return json_or_none(request)
    except HTTPException:  # the body itself was refused (too large): the route says so
        return None
