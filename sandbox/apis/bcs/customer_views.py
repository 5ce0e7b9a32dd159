"""The customer routes of the BCS API (filled in step by step)."""


def register(app, sandbox, base):
    pass
