"""The cooperative family (seed 003): POST /cliente, its envelope and its members.

No credentials: seed 003 documents none, so the sandbox asks for none.
"""
from __future__ import annotations

import functools

from ...fakes import Fakes
from ...family import Family, Parts, no_credentials
from ...resources import shipped_data
from . import backend
from .members import generate_members
from .routes import ROUTES, SUCCESS_MESSAGE, member_for_request, views

LOCALE = "es_MX"
GENERATED_MEMBERS = 25
FIRST_GENERATED_NUMBER = 10000001


def envelope(err, operation) -> dict:
    """Seed 003's answers carry the HTTP status again as `code`."""
    return {"message": err.message, "code": err.status}


def start(sandbox) -> Parts:
    seed_data = _load("cooperative_members.yaml")
    members = _members(sandbox.config.seed)
    member = {"data": seed_data["members"][0]["data"], "message": SUCCESS_MESSAGE, "code": 200}
    return Parts(
        views=views(sandbox), envelope=envelope, fixtures=backend.fixtures(members),
        customer=member_for_request,
        examples={"cliente": {
            "request_example": seed_data["request_example"],
            "response_example": member,
            "response_examples": {
                "member": member,
                "not a member": {"data": backend.NOT_A_MEMBER, "message": SUCCESS_MESSAGE,
                                 "code": 200}}}})


FAMILY = Family(name="cooperative", title="Cooperative", routes=ROUTES, start=start,
                locale=LOCALE, security=no_credentials("Seed 003 documents no credentials"))


@functools.lru_cache(maxsize=4)
def _members(seed: int) -> list[dict]:
    """The seed's members and the generated ones: read-only, so every app of one seed (a test
    suite builds hundreds) shares them; the same seed draws the same people."""
    seed_data = _load("cooperative_members.yaml")
    return seed_data["members"] + generate_members(
        Fakes(seed).faker(LOCALE, "cooperative_members"),
        template=seed_data["members"][0]["data"],
        vocabulary=_load("cooperative_vocabulary.yaml"),
        states=_load("cooperative_geography.yaml")["states"],
        count=GENERATED_MEMBERS, first_number=FIRST_GENERATED_NUMBER)


def _load(name: str) -> dict:
    return shipped_data(f"data/{name}")
