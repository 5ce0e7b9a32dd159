"""The scenario engine: loads the scenario folders, keeps each session's active scenario, and
registers its responders (docs/qa.md, "Choosing a response"). In the pipeline, after
authentication and before the view, the responders of the engine and of the families run in the
order of choice (family.ORDER); the first that answers wins:
  0. X-Sandbox-Delay: waits (never answers by itself)
  1. a family's forced error (e.g. a catalog code in a header)
  2. X-Sandbox-Scenario: <name>: that scenario's response
  3. a family's magic identification number
  3.5 the session's chaos, for the requests it picks (chaos.py)
  4. the session's active scenario, for its routes, when its match holds (its next step, for a
     sequence: sequences.py)
then the route itself. The engine names no family: families register their own responders.
"""
from __future__ import annotations

import threading
from pathlib import Path

from flask import g

from ..errors import SandboxError
from ..family import ORDER, ROUTE, Responder
from ..logs import log_line, timestamp
from ..names import SESSION, SESSION_HEADER, environ_key
from ..resources import shipped_scenarios_dir
from ..store import DEFAULT_SESSION
from ..waits import wait
from .compose import fitting
from .loader import MAX_DELAY_MS, ScenarioSet, load_folders, yaml_files
from . import chaos, sequences
from .model import dig
from .respond import FakesByLocale, answer, request_body

SCENARIO_HEADER = "X-Sandbox-Scenario"
DELAY_HEADER = "X-Sandbox-Delay"
# The same headers as WSGI environ keys, read directly on the hot path.
_SCENARIO = environ_key(SCENARIO_HEADER)
_DELAY = environ_key(DELAY_HEADER)
# Each session's active scenario is a record in its own store layer: a reset drops it with the
# session's other records, and with --state PATH it survives a restart like they do.
ACTIVE_KIND, ACTIVE_KEY = "_active_scenario", "active"
_SWITCHES = "sandbox.switches"  # environ key: the request's session's switches, once read
_NONE: dict = {}  # no switches (never mutated)


class ScenarioFolderError(Exception):
    """The scenario folders do not check: the server refuses to start."""

    def __init__(self, faults):
        self.faults = list(faults)
        super().__init__("broken scenario files:\n" + "\n".join(map(str, self.faults)))


def scenario_folders(config) -> list:
    """The shipped folder first, then the user's, so the user's scenarios win by name."""
    return [shipped_scenarios_dir(), *config.scenarios]


def route_catalogs(sandbox) -> dict:
    """Operation name -> its family's error catalog (None where the family has none), for every
    route the app serves: what a scenario file may name."""
    return {name: sandbox.catalogs.get(op.family) for name, op in sandbox.operations.items()}


class Scenarios:
    """The loaded scenario set (swapped whole on reload) and each session's active scenario."""

    def __init__(self, folders, routes: dict, store, fakes=None):
        self.folders = list(folders)
        self.routes = routes  # operation name -> its family's catalog, or None
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
        scenario_set, faults = load_folders(self.folders, self.routes)
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
    # One record per session (ACTIVE_KIND) holds its switches: the active scenario's name and
    # whether chaos is on. Each request reads it once in the app (switches_of) and once to
    # choose its thread (active_in), as it read the active scenario alone before; a session
    # that uses neither costs nothing more.
    # Read by every request of a session: a round of the loop reads it with its own (registry).
    session_reads = ((ACTIVE_KIND, ACTIVE_KEY),)

    def switches(self, session: str) -> dict:
        return self.store.get(session, ACTIVE_KIND, ACTIVE_KEY) or _NONE

    def switches_of(self, environ) -> dict:
        """The request's session's switches, read once per request."""
        record = environ.get(_SWITCHES)
        if record is None:
            record = environ[_SWITCHES] = self.switches(environ.get(SESSION) or DEFAULT_SESSION)
        return record

    def switch(self, session: str, **changes) -> None:
        with self.store.lock:
            record = self.switches(session)
            if any(record.get(key) != value for key, value in changes.items()):
                self.store.put(session, ACTIVE_KIND, ACTIVE_KEY, {**record, **changes})

    def active_name(self, session: str) -> str | None:
        return self.switches(session).get("name")

    def activate(self, session: str, name: str) -> None:
        """Makes `name` the session's active scenario; a sequence starts over."""
        with self.store.lock:
            self.switch(session, name=name)
            sequences.restart(self.store, session, self.get(name))

    def deactivate(self, session: str) -> None:
        self.switch(session, name=None)

    def step(self, session: str) -> int | None:
        """The step of the active scenario's sequence the session's next request gets."""
        name = self.active_name(session)
        return sequences.step(self.store, session, self.get(name)) if name else None

    def active_in(self, header) -> bool:
        """Whether the request's session has an active scenario or chaos (either may sleep or
        render at length). `header(name)` looks a request header up."""
        # A hint: a shared store (Redis) answers it from what this process last saw (peek).
        peek = getattr(self.store, "peek", self.store.get)
        record = peek(header(SESSION_HEADER) or DEFAULT_SESSION, ACTIVE_KIND, ACTIVE_KEY)
        return bool(record) and (record.get("name") is not None or bool(record.get("chaos")))

    # -- lookups ------------------------------------------------------------------------------
    def get(self, name: str):
        return self.current.by_name.get(name)

    def all(self) -> list:
        return list(self.current.by_name.values())


def register(app, sandbox):
    scenarios = Scenarios(scenario_folders(sandbox.config), route_catalogs(sandbox), sandbox.store,
                          sandbox.fakes)
    faults = scenarios.load()
    if faults:
        raise ScenarioFolderError(faults)
    sandbox.scenarios = scenarios
    sandbox.chaos = chaos.Chaos(sandbox)
    for responder in [*responders(sandbox), chaos.responder(sandbox)]:
        sandbox.add_responder(responder)
    if sandbox.config.reload_interval and sandbox.config.reload_interval > 0:
        scenarios.watch(sandbox.config.reload_interval)


def responders(sandbox) -> list[Responder]:
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
            # Parked with the server, holding no thread (waits.py); the request is run again,
            # its credentials and this header checked again, when the delay is over.
            wait(request.environ, min(millis, MAX_DELAY_MS))
        return None

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
        return respond(scenario, operation, request)

    def respond(scenario, operation, request):
        if scenario.any_of:  # the first of its scenarios that fits answers, else the route
            scenario = fitting(scenarios, scenario, operation.name, _View(request))
            if scenario is None:
                return None
        if scenario.sequence is None:
            return answer(sandbox, scenario, operation, request)
        step = sequences.take_step(scenarios.store, request.environ.get(SESSION) or g.session,
                                   scenario, request.environ)
        return ROUTE if step is None else answer(sandbox, scenario, operation, request, step)

    def active_scenario(operation, request):
        name = scenarios.switches_of(request.environ).get("name")
        if name is None:
            return None
        scenario = scenarios.get(name)
        if scenario is None or operation.name not in scenario.routes:
            return None
        if scenario.conditions and not scenario.matches(_View(request)):
            return None
        return respond(scenario, operation, request)

    def has(name):
        return lambda header: header(name) is not None

    return [Responder("delay", ORDER["delay"], delay, may_wait=has(DELAY_HEADER),
                      headers=(DELAY_HEADER,)),
            Responder("named_scenario", ORDER["named_scenario"], named_scenario,
                      may_wait=has(SCENARIO_HEADER), headers=(SCENARIO_HEADER,)),
            Responder("active_scenario", ORDER["active_scenario"], active_scenario,
                      may_wait=scenarios.active_in)]


class _View:
    """What match conditions read from a request: headers, query, the JSON body, the path
    parameters."""

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
        if condition.where == "path":
            return (self.request.view_args or {}).get(condition.key)
        return dig(self.body, condition.path)

    @property
    def body(self):
        if self._body is self._UNSET:
            self._body = request_body(self.request)
        return self._body
