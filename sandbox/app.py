"""Assembles one app from its parts, in dependency order."""
from __future__ import annotations

from flask import Flask

from . import metrics, pipeline
from .admin import console, documents, token
from .admin import routes as admin
from .apis import FAMILIES
from .config import Config
from .http import SandboxRequest
from .registry import Sandbox
from .scenarios import engine as scenarios


def registered(config: Config, families=FAMILIES, name: str = "sandbox") -> tuple[Flask, Sandbox]:
    """An app with every family registered (routes, envelopes, credentials, fixtures, catalogs,
    responders), before the store opens: what `sandbox check` needs to know routes and codes."""
    app = Flask(name)
    app.request_class = SandboxRequest
    sandbox = Sandbox(config, families)
    app.config["MAX_CONTENT_LENGTH"] = sandbox.config.max_body_bytes
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["sandbox"] = sandbox
    for family in families:
        sandbox.add_family(app, family)
    return app, sandbox


def build_app(config: Config, families=FAMILIES, peers=None) -> Flask:
    """peers: a worker's siblings, with `--workers N` (workers.run_worker)."""
    app, sandbox = registered(config, families)
    # The store opens over the fixtures (and the rows a SQLite file already holds).
    sandbox.open_store(peers)
    token.register(app, sandbox)  # first: a refused admin call goes no further
    scenarios.register(app, sandbox)
    admin.register(app, sandbox)
    documents.register(app, sandbox)
    console.register(app, sandbox)
    metrics.register(app, sandbox)  # before the pipeline: its middleware counts every answer
    pipeline.install(app, sandbox)
    return app
