"""Registers the cooperative API: routes, envelope, credentials and fixtures."""


def register(app, sandbox):
    pass
