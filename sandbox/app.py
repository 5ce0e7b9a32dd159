"""Assembles one app from its parts, in dependency order."""
from __future__ import annotations

from flask import Flask

from . import pipeline
from .admin import console, openapi
from .admin import routes as admin
from .apis import bcs, cooperative, core
from .config import Config
from .registry import Sandbox
from .scenarios import engine as scenarios


def build_app(config: Config) -> Flask:
    app = Flask("sandbox")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    sandbox = Sandbox(config)
    app.extensions["sandbox"] = sandbox
    # The APIs register their routes, envelopes, credentials and fixtures...
    core.register(app, sandbox)
    cooperative.register(app, sandbox)
    bcs.register(app, sandbox)
    # ...then the store opens over those fixtures (and the rows a SQLite file already holds).
    sandbox.open_store()
    scenarios.register(app, sandbox)
    admin.register(app, sandbox)
    openapi.register(app, sandbox)
    console.register(app, sandbox)
    pipeline.install(app, sandbox)
    return app
