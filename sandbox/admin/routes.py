"""The admin API under /__sandbox: health, fixtures, reset, the request journal."""
from __future__ import annotations

from flask import Blueprint, g

from .. import __version__
from ..errors import json_response
from ..pipeline import ADMIN_PREFIX


def register(app, sandbox):
    bp = Blueprint("admin", __name__, url_prefix=ADMIN_PREFIX)
    sandbox.add_prefix(ADMIN_PREFIX, "admin")

    @bp.get("/health")
    def health():
        return json_response({"status": "ok", "version": __version__})

    @bp.get("/fixtures")
    def fixtures():
        # Kinds starting with "_" are indexes and counters, not things a user looks up.
        return json_response({kind: list(records.values())
                              for kind, records in sandbox.fixtures.items()
                              if not kind.startswith("_")})

    @bp.post("/reset")
    def reset():
        sandbox.store.reset(g.session)
        sandbox.journal.clear(g.session)
        return json_response({"reset": True, "session": g.session})

    @bp.get("/requests")
    def list_requests():
        return json_response({"session": g.session, "requests": sandbox.journal.entries(g.session)})

    @bp.delete("/requests")
    def clear_requests():
        sandbox.journal.clear(g.session)
        return json_response({"cleared": True, "session": g.session})

    app.register_blueprint(bp)
