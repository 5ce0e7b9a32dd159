"""The admin API under /__sandbox: health, scenarios (list, activate), fixtures, reset, the
request journal. Everything that depends on the session (active scenario, state, journal) reads
X-Sandbox-Session, like the API routes do."""
from __future__ import annotations

import os

from flask import Blueprint, g, request

from ..errors import SandboxError, json_response
from ..http import read_json
from ..journal_query import parse_query
from ..names import ADMIN_PREFIX
from ..origins import AdminOrigins
from ..scenarios.describe import describe_scenario
from ..scenarios.engine import route_catalogs
from ..version import __version__
from . import chaos

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def register(app, sandbox):
    bp = Blueprint("admin", __name__, url_prefix=ADMIN_PREFIX)
    origins = AdminOrigins(sandbox.config.admin_origins)

    @app.before_request
    def refuse_foreign_pages():
        """A web page of another origin may not change anyone's state (CSRF), even with a
        request a browser sends without a preflight."""
        if request.path.startswith(ADMIN_PREFIX) and request.method not in SAFE_METHODS \
                and not origins.allows(request.environ):
            raise SandboxError(403, f"The admin API does not take writes from pages of "
                                    f"{request.headers.get('Origin') or 'another site'}; start "
                                    f"the sandbox with --admin-origins to allow one")
    # The admin API may wait (on the store, on a big journal): never on the event loop.
    sandbox.add_prefix(ADMIN_PREFIX, "admin", may_wait=True)

    @bp.get("/health")
    def health():
        # A shared store (Redis) may be down: then 503, saying what is wrong (operations.md).
        # pid: which process answered, with --workers N (one per connection).
        problem = getattr(sandbox.store, "problem", None)
        trouble = problem() if problem is not None else None
        if trouble:
            return json_response({"status": "unavailable", "version": __version__,
                                  "pid": os.getpid(), "problem": trouble}, 503)
        return json_response({"status": "ok", "version": __version__, "pid": os.getpid()})

    @bp.get("/scenarios")
    def list_scenarios():
        route = request.args.get("route")
        active = sandbox.scenarios.active_name(g.session)
        catalogs = route_catalogs(sandbox)
        listed = [describe_scenario(s, catalogs, active) for s in sandbox.scenarios.all()
                  if route is None or route in s.routes]
        return json_response({"session": g.session, "active": active, "scenarios": listed})

    @bp.get("/scenarios/active")
    def get_active():
        # step: the sequence step the session's next request gets (None: no sequence).
        return json_response({"session": g.session,
                              "active": sandbox.scenarios.active_name(g.session),
                              "step": sandbox.scenarios.step(g.session)})

    @bp.put("/scenarios/active")
    def set_active():
        name = read_json(request).get("name")
        if not isinstance(name, str) or not name:
            raise SandboxError(400, 'name: required, the name of a scenario, e.g. '
                                    '{"name": "core-customer-rejected"}')
        scenario = sandbox.scenarios.get(name)
        if scenario is None:
            valid = ", ".join(sorted(s.name for s in sandbox.scenarios.all()))
            raise SandboxError(400, f"Unknown scenario {name!r}. Valid names: {valid}")
        sandbox.scenarios.activate(g.session, name)
        return json_response({"session": g.session, "active": name,
                              "routes": list(scenario.routes)})

    @bp.delete("/scenarios/active")
    def clear_active():
        sandbox.scenarios.deactivate(g.session)
        return json_response({"session": g.session, "active": None})

    @bp.get("/fixtures")
    def fixtures():
        # Kinds starting with "_" are indexes and counters, not things a user looks up.
        return json_response({kind: list(records.values())
                              for kind, records in sandbox.fixtures.items()
                              if not kind.startswith("_")})

    @bp.post("/reset")
    def reset():
        # The session goes back to the fixtures: its records (its active scenario is one of
        # them, see scenarios.engine.ACTIVE_KIND) and its journal.
        sandbox.store.reset(g.session)
        sandbox.sessions.publish(g.session)  # the reset dropped it: the session is in use
        skipped = []
        sandbox.journal.clear(g.session, skipped)
        return json_response(noted({"reset": True, "session": g.session}, skipped))

    @bp.get("/requests")
    def list_requests():
        query = parse_query(request.args, sandbox.operations)
        skipped = []
        entries = sandbox.journal.entries(g.session, query.match, query.limit, skipped)
        return json_response(noted({"session": g.session, "requests": entries}, skipped))

    @bp.get("/requests/count")
    def count_requests():
        query = parse_query(request.args, sandbox.operations)
        skipped = []
        count = sandbox.journal.count(g.session, query.match, skipped)
        return json_response(noted(
            {"count": count if query.limit is None else min(count, query.limit)}, skipped))

    @bp.delete("/requests")
    def clear_requests():
        skipped = []
        sandbox.journal.clear(g.session, skipped)
        return json_response(noted({"cleared": True, "session": g.session}, skipped))

    app.register_blueprint(bp)
    app.register_blueprint(chaos.blueprint(sandbox))


def noted(answer: dict, skipped: list) -> dict:
    """A journal answer that could not reach every worker says which it missed and why."""
    if skipped:
        answer["skipped_workers"] = skipped
    return answer
