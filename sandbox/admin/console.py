"""GET /__sandbox/: the web console, one self-contained page (no external assets: its style and
script are inlined from sandbox/admin/static, so it works with no network).

What does not change while the server runs (routes, credentials, the error catalog, fixture counts)
is embedded in the page as JSON, built on the first request (every API has registered by then)
and kept. The page also reads the query parameters each route declares from openapi.json where it
carries them, the embedded `query` (the family's query examples) otherwise. Scenarios, the session
(active scenario, sequence step, chaos) and the request journal are live: the page reads them from
the admin API, the journal polled every 2 s for what is new (docs/qa.md, "The console").
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import Response

from ..config import HIDDEN
from ..version import __version__
from ..names import ADMIN_PREFIX
from .openapi import openapi_path, path_examples, security_of

STATIC = Path(__file__).parent / "static"
SCRIPTS = ("console.js", "console-live.js")


def register(app, sandbox) -> None:
    template = _template()
    built: dict = {}

    def console():
        if "page" not in built:
            built["page"] = render(template, console_data(sandbox))
        return Response(built["page"], mimetype="text/html")

    app.add_url_rule(ADMIN_PREFIX + "/", endpoint="admin_console", view_func=console,
                     methods=["GET"])


def _template() -> str:
    def read(name: str) -> str:
        return (STATIC / name).read_text(encoding="utf-8")
    # console.js (plumbing, Try) first: console-live.js (the live tabs, the start) uses it.
    script = "\n".join(read(name) for name in SCRIPTS)
    return (read("console.html").replace("/*__STYLE__*/", read("console.css"))
            .replace("/*__SCRIPT__*/", script))


def render(template: str, data: dict) -> str:
    # "<" escaped so no value can close the <script> element the data sits in.
    embedded = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return template.replace("/*__DATA__*/", embedded)


def console_data(sandbox) -> dict:
    config = sandbox.config
    operations = sorted(sandbox.operations.values(), key=lambda op: (op.family, op.rule, op.method))
    families = list(sandbox.families.values())
    return {
        "version": __version__, "seed": config.seed, "state": getattr(sandbox.store, "label", config.state),
        "admin": ADMIN_PREFIX,
        # What a configured secret reads as in `headers`: the page asks for it instead of sending it.
        "hidden": HIDDEN,
        "families": [{"name": f.name, "title": f.title, "where": f.where(config)} for f in families],
        "path_examples": path_examples(sandbox),
        "credentials": [credentials(family, config) for family in families],
        "routes": [route_entry(op, sandbox) for op in operations],
        "catalog": list(sandbox.catalog.rows) if sandbox.catalog is not None else [],
        "catalog_title": f"{getattr(sandbox.catalog, 'label', '')} error catalog".strip(),
        "fixtures": {kind: len(records) for kind, records in sandbox.fixtures.items()
                     if not kind.startswith("_")},
    }


def route_entry(op, sandbox) -> dict:
    security = security_of(op, sandbox)
    return {"name": op.name, "family": op.family, "method": op.method,
            "path": openapi_path(op.rule), "summary": op.summary,
            "auth_label": security.label if security else "none",
            "headers": security.example_headers(sandbox.config) if security else {},
            "query": [{"name": name, "example": str(value)}
                      for name, value in (op.meta.get("query_example") or {}).items()],
            "success_status": op.meta.get("success_status", 200),
            "request_example": op.meta.get("request_example")}


def credentials(family, config) -> dict:
    return {"title": f"{family.title} ({family.where(config)})", "note": family.security.note,
            "lines": family.security.lines(config)}
