"""The sandbox: a local stand-in for documented upstream banking APIs (sandbox.apis lists them)."""
from __future__ import annotations

from .version import __version__  # noqa: F401  (sandbox.__version__)


def create_app(config=None, families=None, **overrides):
    """Build the Flask app: store, catalog, scenarios, auth, routes, error handlers.

    config: a Config (defaults and SANDBOX_* variables when None); overrides replace its fields.
    families: the API families to serve (default: sandbox.apis.FAMILIES).
    """
    from .app import build_app
    from .apis import FAMILIES
    from .config import Config

    if config is None:
        config = Config.from_env(**overrides)
    elif overrides:
        config = config.with_(**overrides)
    return build_app(config, FAMILIES if families is None else families)
