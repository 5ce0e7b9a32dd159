"""A scenario made of others (`any_of`) and matching on path parameters (`match.path`): what
`sandbox record` writes its story `recorded` with."""
from __future__ import annotations

import pytest

from sandbox import create_app
from sandbox.scenarios.engine import ScenarioFolderError

from .conftest import BCS_HEADERS, make_config

LOCATIONS = "/api/customersManagement/v1/customer-management/v1/location/"
PARTS = """
scenarios:
  - name: place-one
    description: One person's locations
    routes: [customer_locations]
    match: {path: {identserialnum: "111"}}
    response: {status: 200, body: {answered: place-one}}
  - name: member-five
    description: One member
    routes: [cliente]
    match: {body: {numero_documento: 5}}
    response: {status: 200, body: {answered: member-five}}
  - name: both
    description: Either, else the route
    routes: [customer_locations, cliente]
    any_of: [place-one, member-five]
"""
MEMBER = {"tipo_documento_id": 1, "tipo_documento": "curp"}


@pytest.fixture
def client(tmp_path):
    (tmp_path / "parts.yaml").write_text(PARTS, encoding="utf-8")
    return create_app(make_config(scenarios=(str(tmp_path),))).test_client()


def test_the_active_composite_answers_from_the_part_that_fits_else_from_the_route(client):
    client.put("/__sandbox/scenarios/active", json={"name": "both"})
    one = client.get(LOCATIONS + "111", headers=BCS_HEADERS)
    assert (one.json, one.headers["X-Sandbox-Answered-By"]) == ({"answered": "place-one"},
                                                                 "scenario:place-one")
    other = client.get(LOCATIONS + "1234567890", headers=BCS_HEADERS)
    assert other.headers["X-Sandbox-Answered-By"] == "route"
    five = client.post("/cliente", json={**MEMBER, "numero_documento": 5})
    assert five.json == {"answered": "member-five"}
    seed = client.post("/cliente", json={**MEMBER, "numero_documento": 25326461})
    assert seed.headers["X-Sandbox-Answered-By"] == "route"


def test_a_composite_named_by_header_answers_the_same_way(client):
    named = {**BCS_HEADERS, "X-Sandbox-Scenario": "both"}
    assert client.get(LOCATIONS + "111", headers=named).json == {"answered": "place-one"}
    assert client.get(LOCATIONS + "222", headers=named).headers["X-Sandbox-Answered-By"] == "route"


def test_the_admin_api_describes_a_composite(client):
    listed = {s["name"]: s for s in client.get("/__sandbox/scenarios").json["scenarios"]}
    assert listed["both"]["any_of"] == ["place-one", "member-five"]
    assert listed["place-one"]["match"] == [{"in": "path", "name": "identserialnum",
                                              "equals": "111"}]


@pytest.mark.parametrize("parts, fault", [
    ("[place-one, nobody]", "`any_of` names 'nobody', which no scenario file defines"),
    ("[place-one, both]", "`any_of` names 'both', itself an `any_of`"),
])
def test_a_composite_must_name_scenarios_with_their_own_response(tmp_path, parts, fault):
    (tmp_path / "parts.yaml").write_text(PARTS.replace("[place-one, member-five]", parts),
                                         encoding="utf-8")
    with pytest.raises(ScenarioFolderError) as refused:
        create_app(make_config(scenarios=(str(tmp_path),)))
    assert fault in str(refused.value)
