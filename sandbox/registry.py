"""The Sandbox: what one app holds (config, families, fixtures, store, journal, operations,
envelopes, responders) and the one place a family's record and parts are registered."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qsl

from flask import Flask, Request, g

from .config import Config
from .errors import default_envelope
from .fakes import Fakes
from .http import NOT_FAST, fast_json
from .family import Family, Parts, Responder
from .journal import Journal, RoundEntries
from .names import ADMIN_PREFIX, SESSION_HEADER
from .sessions import Sessions
from .state import open_store
from .store import DEFAULT_SESSION, MemoryStore, SessionState


@dataclass(frozen=True)
class Operation:
    """One upstream route, named after the upstream operation.

    family: whose envelope and credentials apply. idents: where the request carries
    identification numbers (path, query, body), for magic numbers; None where the route takes
    none. may_wait: its answer may wait, so it never runs on the event loop.
    """
    name: str
    family: str
    method: str
    rule: str
    summary: str = ""
    idents: Callable[[Request], list[str]] | None = None
    may_wait: bool = False
    # Free-form facts other modules use (openapi schemas, examples, error response type...).
    meta: dict = field(default_factory=dict, compare=False, hash=False)


# An authenticator raises SandboxError when the request's credentials are missing or wrong.
Authenticator = Callable[[Request], None]
DEFAULT_FAMILY = "default"


class Sandbox:
    # The loop's hooks around a round (server.LoopDispatcher); set by open_store for a shared store.
    begin_round = end_round = round_writes = None
    round_entries = None  # the loop round's journal entries (RoundEntries), with round hooks

    def __init__(self, config: Config, families=()):
        self.config = config.completed(setting for family in families for setting in family.settings)
        self.fakes = Fakes(config.seed)
        self.families: dict[str, Family] = {}
        self.fixtures: dict[str, dict[str, dict]] = {}
        self.store: MemoryStore | None = None
        self.journal = Journal(self.config.journal_size, secret_headers=[
            name for family in families for name in family.secret_headers],
            secret_fields=[name for family in families for name in family.secret_fields],
            max_bytes=self.config.journal_mib * 1024 * 1024)
        self.operations: dict[str, Operation] = {}
        self.responders: list = []  # answer functions, in the order of choice
        self._responders: list[Responder] = []
        self.authenticators: dict[str, Authenticator] = {}
        self.envelopes: dict[str, Callable] = {DEFAULT_FAMILY: default_envelope}
        self.catalogs: dict[str, object] = {}
        # Each family's stored-record lookup for scenario templates (`customer`).
        self.customer_lookups: dict[str, Callable] = {}
        # Each family's default chaos errors for a route (Parts.chaos_errors), where it has them.
        self.chaos_errors: dict[str, Callable] = {}
        # (path prefix, family, operation name or None): the envelope of a request that matched
        # no route (a 404 under a family's base path, a 405 on a route's own path).
        self.prefixes: list[tuple[str, str, str | None]] = []
        # Path prefixes whose answers may wait (the admin API, routes that declare it).
        self._waiting: tuple[str, ...] = ()
        self._wait_checks: tuple = ()  # the responders' may_wait declarations
        # (method, full path) -> the records a request there reads first (Parts.reads).
        self._reads: dict[tuple[str, str], Callable] = {}
        self._writes: set[tuple[str, str]] = set()  # (method, full path) of a Route.writes
        self.scenarios = None  # the scenario engine, once it registers
        self.chaos = None  # the session's chaos settings (scenarios/chaos.py), likewise
        self.sessions: Sessions | None = None  # idle sessions' expiry, once the store opens
        self.metrics = None  # metrics.Metrics, once it registers

    # -- registration -------------------------------------------------------------------------
    def add_family(self, app: Flask, family: Family) -> None:
        """The family's record and what its start() builds: routes, envelope, credentials,
        fixtures, catalog, responders and extra admin routes."""
        self.families[family.name] = family
        parts: Parts = family.start(self)
        missing = {route.name for route in family.routes} ^ set(parts.views)
        if missing:
            raise ValueError(f"family {family.name}: routes and views differ on {sorted(missing)}")
        self.envelopes[family.name] = parts.envelope
        if parts.authenticate is not None:
            self.authenticators[family.name] = parts.authenticate
        if parts.catalog is not None:
            self.catalogs[family.name] = parts.catalog
        if parts.customer is not None:
            self.customer_lookups[family.name] = parts.customer
        if parts.chaos_errors is not None:
            self.chaos_errors[family.name] = parts.chaos_errors
        self.add_fixtures(parts.fixtures)
        base = family.base_path(self.config).rstrip("/")
        for route in family.routes:
            self.add_operation(app, Operation(
                route.name, family.name, route.method, base + route.path, route.summary,
                idents=parts.idents.get(route.name, parts.default_idents), may_wait=route.may_wait,
                meta={**route.meta, "path": route.path, **parts.examples.get(route.name, {})}),
                parts.views[route.name])
            self.add_prefix(base + route.path.split("<")[0], family.name, route.name)
            if route.name in parts.reads and "<" not in route.path:
                self._reads[(route.method, base + route.path)] = parts.reads[route.name]
            if route.writes and "<" not in route.path:
                self._writes.add((route.method, base + route.path))
        if base:
            self.add_prefix(base, family.name)
        for responder in parts.responders:
            self.add_responder(responder)
        for blueprint in parts.blueprints:
            app.register_blueprint(blueprint)

    def add_fixtures(self, records: dict[str, dict[str, dict]]) -> None:
        for kind, by_key in records.items():
            self.fixtures.setdefault(kind, {}).update({str(k): v for k, v in by_key.items()})

    def add_operation(self, app: Flask, operation: Operation, view) -> None:
        app.add_url_rule(operation.rule, endpoint=operation.name, view_func=view,
                         methods=[operation.method])
        self.operations[operation.name] = operation
        if operation.may_wait:
            self._waiting += (operation.rule.split("<")[0],)

    def add_prefix(self, prefix: str, family: str, operation: str | None = None,
                   may_wait: bool = False) -> None:
        if (prefix, family, operation) not in self.prefixes:
            self.prefixes.append((prefix, family, operation))
            self.prefixes.sort(key=lambda entry: -len(entry[0]))
        if may_wait:
            self._waiting += (prefix,)

    def add_responder(self, responder: Responder) -> None:
        self._responders.append(responder)
        self._responders.sort(key=lambda r: r.rank)
        self.responders[:] = [r.answer for r in self._responders]
        self._wait_checks = tuple(r.may_wait for r in self._responders if r.may_wait is not None)

    def open_store(self, peers=None) -> None:
        """peers: where the sibling workers of a `--workers N` run listen (journal_workers.Peers),
        whose journals a read here joins; a Redis journal is one for every process already."""
        self.store = open_store(self.config.state, self.fixtures, self.config.cache_records)
        shared_journal = getattr(self.store, "journal", None)  # Redis: one for every instance
        if shared_journal is not None:
            self.journal = shared_journal(self.journal, self.config.session_ttl)
        elif peers is not None:
            from .journal_workers import WorkersJournal
            self.journal = WorkersJournal(self.journal, peers)
        self.sessions = Sessions(self.config.session_ttl, self.config.max_sessions,
                                 self.forget_session, known=self.store.sessions(),
                                 shared=self.store if self.store.shared else None)
        self._round_hooks()

    def _round_hooks(self) -> None:
        """With a store that commits per round (SQLite, Redis), a round of the loop reads its
        requests' sessions' generations, with the records their routes say they read first
        (Parts.reads), in one round trip (Redis) or statement (SQLite) (with Redis's lock, where a
        request's route writes: Route.writes), commits what its requests wrote at its end, and
        sends its journal entries (Redis) in one write, before its answers. end_round says whether the round's writes were refused; round_writes counts
        write batches, so that the loop knows which requests wrote."""
        begin = getattr(self.store, "begin_round", None)
        if begin is None:
            return
        self.round_writes = lambda: self.store.lock.batches
        entries = self.round_entries = RoundEntries(self.round_writes)

        def begin_round(requests) -> None:
            sessions, reads, writes = [], [], False
            every = getattr(self.scenarios, "session_reads", ())  # each request's switches
            for method, path, query, header, body in requests:
                session = header(SESSION_HEADER) or DEFAULT_SESSION
                sessions.append(session)
                reads += [(session, kind, key) for kind, key in every]
                hint = self._reads.get((method, path))
                if hint is not None:
                    reads += [(session, kind, key) for kind, key in _hinted(hint, query, body)]
                writes = writes or (method, path) in self._writes
            entries.begin()
            begin(sessions, reads, writes)
        self.begin_round = begin_round
        flush = getattr(self.journal, "flush", None)
        take = getattr(self.journal, "take_round", None)  # Redis: sent with the round's commit

        def end_round() -> bool:
            refused = True  # where the commit itself fails, as where it is refused
            try:
                refused = self.store.end_round(take()) if take else self.store.end_round()
                return refused
            finally:
                if not take and flush is not None:
                    flush()
                self.journal.unanswered(entries.end(refused))
        self.end_round = end_round

    def wait_with(self, meanwhile) -> None:
        """The server's work while the state waits on a round's trip (server.LoopDispatcher.
        read_meanwhile), where the state has trips to fill (Redis)."""
        if hasattr(self.store, "meanwhile"):
            self.store.meanwhile = meanwhile

    def forget_session(self, session: str) -> None:
        """What an idle session's expiry does: as a reset, its records (its active scenario too)
        and journal (with workers, the journal this worker holds: each expires its own)."""
        self.store.reset(session)
        self.journal.forget(session)

    # -- what the families declared -------------------------------------------------------------
    @property
    def catalog(self):
        """The error catalog, where one family has one (None otherwise)."""
        return next(iter(self.catalogs.values()), None)

    def envelope_for(self, family: str) -> Callable:
        return self.envelopes.get(family) or self.envelopes[DEFAULT_FAMILY]

    def responder(self, name: str) -> Responder | None:
        """The registered responder of that name (its headers, its rank), or None."""
        return next((r for r in self._responders if r.name == name), None)

    def documented_headers(self) -> list[str]:
        """Every request header a family or a responder documents, once each."""
        names = [name for family in self.families.values() for name in family.headers]
        names += [name for responder in self._responders for name in responder.headers]
        return list(dict.fromkeys(names))

    # -- per request --------------------------------------------------------------------------
    def state(self) -> SessionState:
        """The store as the current request's session sees it."""
        return SessionState(self.store, g.session)

    def answers_at_once(self, path: str, header: Callable[[str], str | None]) -> bool:
        """Whether a request is known to need no wait, by what was declared: no route or mount
        that may wait (the admin API), and no responder that may hold it (a delay, a scenario).
        The server answers such requests on its event loop instead of a worker thread
        (server.LoopDispatcher); `header` looks a request header up by its name."""
        if path.startswith(self._waiting):
            return False
        for may_wait in self._wait_checks:
            if may_wait(header):
                return False
        return True

    def route_for(self, path: str) -> tuple[str, Operation | None]:
        """The family (and the route, where the path is one's own) a request that matched no
        route falls under: its error answers in that envelope."""
        for prefix, family, operation in self.prefixes:
            if path == prefix or path.startswith(prefix) and (
                    prefix.endswith("/") or path[len(prefix)] == "/"):
                return family, self.operations.get(operation) if operation else None
        return DEFAULT_FAMILY, None

    def family_for(self, path: str) -> str:
        return self.route_for(path)[0]


def _hinted(hint: Callable, query: str, body) -> list:
    """What a route's `reads` names for a query string and a body (`body()`: its bytes, and
    `body.keep(value)` hands the app what fast_json read of them); nothing where it cannot say
    (the request itself then answers the fault)."""
    args: dict[str, str] = {}
    try:
        for name, value in parse_qsl(query, keep_blank_values=True):
            args.setdefault(name, value)  # the first value, as request.args.get gives
        raw = body()
        value = fast_json(raw) if raw else NOT_FAST
        if value is not NOT_FAST:
            body.keep(value)
        return list(hint(args, None if value is NOT_FAST else value))
    except Exception:
        return []


__all__ = ["Operation", "Sandbox", "ADMIN_PREFIX"]
