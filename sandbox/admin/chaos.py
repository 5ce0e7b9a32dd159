"""/__sandbox/chaos: the session's chaos settings (scenarios/chaos.py). GET shows them, PUT
sets them (and starts the count of requests over), DELETE ends them; a reset ends them too."""
from __future__ import annotations

from flask import Blueprint, g, request

from ..errors import json_response
from ..http import read_json
from ..names import ADMIN_PREFIX


def blueprint(sandbox) -> Blueprint:
    bp = Blueprint("admin_chaos", __name__, url_prefix=ADMIN_PREFIX)

    @bp.get("/chaos")
    def show():
        return json_response({"session": g.session, "chaos": sandbox.chaos.settings(g.session)})

    @bp.put("/chaos")
    def start():
        settings = sandbox.chaos.start(g.session, read_json(request))
        return json_response({"session": g.session, "chaos": settings})

    @bp.delete("/chaos")
    def stop():
        sandbox.chaos.stop(g.session)
        return json_response({"session": g.session, "chaos": None})

    return bp
