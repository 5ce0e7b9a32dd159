"""The Sandbox: what one app holds (config, fixtures, store, journal, operations) and the
registration points the API packages, the scenario engine and the admin API plug into."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import Flask, Request, g

from .config import Config
from .fakes import Fakes
from .journal import Journal
from .store import MemoryStore, SessionState, open_store
from .wsgi import ADMIN_PREFIX


@dataclass(frozen=True)
class Operation:
    """One upstream route, named after the upstream operation.

    family: whose envelope and credentials apply ("core", "core_product", "cooperative", "bcs").
    idents: where the request carries identification numbers (path, query, body), for the
    magic numbers (999 + a five-digit catalog code); None where the route takes none.
    """
    name: str
    family: str
    method: str
    rule: str
    summary: str = ""
    idents: Callable[[Request], list[str]] | None = None
    # Free-form facts other modules use (openapi schemas, examples, error response type...).
    meta: dict = field(default_factory=dict, compare=False, hash=False)


# A responder looks at a request before its route runs and may answer instead (forced error,
# named or active scenario, magic number); it returns None to let the next one decide.
Responder = Callable[[Operation, Request], object]
# An authenticator raises SandboxError when the request's credentials are missing or wrong.
Authenticator = Callable[[Request], None]


class Sandbox:
    def __init__(self, config: Config):
        self.config = config
        self.fakes = Fakes(config.seed)
        self.fixtures: dict[str, dict[str, dict]] = {}
        self.store: MemoryStore | None = None
        self.journal = Journal(config.journal_size)
        self.operations: dict[str, Operation] = {}
        self.responders: list[Responder] = []
        self.authenticators: dict[str, Authenticator] = {}
        # (path prefix, family): picks the envelope for requests that matched no route.
        self.prefixes: list[tuple[str, str]] = []
        # Filled by the API packages that have them (BCS catalog) and by the scenario engine.
        self.catalog = None
        self.scenarios = None

    # -- registration -------------------------------------------------------------------------
    def add_fixtures(self, records: dict[str, dict[str, dict]]) -> None:
        for kind, by_key in records.items():
            self.fixtures.setdefault(kind, {}).update({str(k): v for k, v in by_key.items()})

    def add_operation(self, app: Flask, operation: Operation, view) -> None:
        app.add_url_rule(operation.rule, endpoint=operation.name, view_func=view,
                         methods=[operation.method])
        self.operations[operation.name] = operation

    def add_prefix(self, prefix: str, family: str) -> None:
        self.prefixes.append((prefix, family))
        self.prefixes.sort(key=lambda pair: -len(pair[0]))

    def open_store(self) -> None:
        self.store = open_store(self.config.state, self.fixtures)

    # -- per request --------------------------------------------------------------------------
    def state(self) -> SessionState:
        """The store as the current request's session sees it."""
        return SessionState(self.store, g.session)

    def answers_at_once(self, path: str, header: Callable[[str], str | None]) -> bool:
        """Whether a request is known to need no wait: not an admin route, and no delay or
        scenario that may hold it (Scenarios.may_wait: a scenario can sleep, and its template
        can render at length). The server answers such requests on its event loop instead of a
        worker thread (server.LoopDispatcher); `header` looks a request header up by its name."""
        if path.startswith(ADMIN_PREFIX):
            return False
        return self.scenarios is None or not self.scenarios.may_wait(header)

    def family_for(self, path: str) -> str:
        for prefix, family in self.prefixes:
            if path.startswith(prefix):
                return family
        return "default"
