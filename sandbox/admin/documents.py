"""The documents the sandbox describes itself with: /__sandbox/openapi.json (openapi.py),
/__sandbox/admin-openapi.json (openapi_admin.py) and /__sandbox/postman.json (postman.py). Each
is built on its first request (every family has registered by then) and kept while the loaded
scenarios stay the same."""
from __future__ import annotations

from flask import Response

from ..jsonio import dumps
from ..names import ADMIN_PREFIX
from . import openapi, openapi_admin, postman

DOCUMENTS = {"/openapi.json": openapi.build_document,
             "/admin-openapi.json": openapi_admin.build_document,
             "/postman.json": postman.build_collection}


def register(app, sandbox) -> None:
    for path, build in DOCUMENTS.items():
        app.add_url_rule(ADMIN_PREFIX + path, endpoint="admin_" + path.strip("/").replace(
            ".json", "").replace("-", "_"), view_func=_served(sandbox, build), methods=["GET"])


def _served(sandbox, build):
    built: dict = {}

    def view():
        key = id(getattr(sandbox.scenarios, "current", None))
        if built.get("key") != key or "bytes" not in built:
            built.update(key=key, bytes=dumps(build(sandbox)))
        return Response(built["bytes"], mimetype="application/json")

    return view
