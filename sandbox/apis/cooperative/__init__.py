"""Registers the cooperative API (seed 003): POST /cliente, its envelope and its members.

No credentials: seed 003 documents none, so the sandbox asks for none.
"""
from __future__ import annotations



from ...errors import register_envelope
from ...fakes import COOPERATIVE_LOCALE
from ...resources import shipped_data
from . import backend
from .members import generate_members
from .routes import SUCCESS_MESSAGE, register_routes
from .schemas import CLIENTE_REQUEST

GENERATED_MEMBERS = 25
FIRST_GENERATED_NUMBER = 10000001


def envelope(err, operation) -> dict:
    """Seed 003's answers carry the HTTP status again as `code`."""
    return {"message": err.message, "code": err.status}


def register(app, sandbox) -> None:
    register_envelope("cooperative", envelope)
    # A 404/405/413 on /cliente never reaches the view; the prefix still picks this envelope.
    sandbox.add_prefix("/cliente", "cooperative")
    seed_data = _load("cooperative_members.yaml")
    members = seed_data["members"] + generate_members(
        sandbox.fakes.faker(COOPERATIVE_LOCALE, "cooperative_members"),
        template=seed_data["members"][0]["data"],
        vocabulary=_load("cooperative_vocabulary.yaml"),
        states=_load("cooperative_geography.yaml")["states"],
        count=GENERATED_MEMBERS, first_number=FIRST_GENERATED_NUMBER)
    sandbox.add_fixtures(backend.fixtures(members))
    register_routes(app, sandbox, meta={
        "seed": "003",
        "security": None,
        "request_schema": CLIENTE_REQUEST,
        "request_example": seed_data["request_example"],
        "response_example": {"data": seed_data["members"][0]["data"],
                             "message": SUCCESS_MESSAGE, "code": 200},
        "response_examples": {
            "member": {"data": seed_data["members"][0]["data"], "message": SUCCESS_MESSAGE,
                       "code": 200},
            "not a member": {"data": backend.NOT_A_MEMBER, "message": SUCCESS_MESSAGE,
                             "code": 200},
        },
    })


def _load(name: str) -> dict:
    return shipped_data(f"data/{name}")
