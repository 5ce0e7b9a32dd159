"""Registers the scenario responders on the app (see CONTRACT.md, 'Choosing a response')."""


def register(app, sandbox):
    pass
