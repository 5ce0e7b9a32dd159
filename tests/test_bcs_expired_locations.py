"""Expired locations (condition N): fixtures hold some, so GET location?condition=2 can be
exercised, and no other route shows one as a current address."""
from __future__ import annotations

import pytest

from tests.bcs_profile_support import (BASE, CONTACT, JSON_HEADERS, LOCATION, REMITTANCES, V1, V2,
                                       V4)

# Fixture persons with a former address: the name-by-account holder (a former residence) and the
# channel-contact person (a former residence and a former office).
MOVED = {"52345678": ["CL 63 9 45"], "91234567": ["KR 27 36 14", "CL 35 19 41 OF 302"]}


def locations(client, number: str, condition: str) -> list[dict]:
    response = client.get(f"{LOCATION}{number}?condition={condition}", headers=JSON_HEADERS)
    assert response.status_code == 200, response.json
    return response.json["govIssueIdent"]["postAddr"]


@pytest.mark.parametrize("number", sorted(MOVED))
def test_condition_2_answers_the_expired_locations(client, number):
    expired = locations(client, number, "2")
    assert [a["addr1"] for a in expired] == MOVED[number]
    for address in expired:
        assert address["conditionInfo"] == {"code": "N", "desc": "NO VIGENTE"}
        assert address["upDt"] > address["createdDt"]
    current = locations(client, number, "1")
    assert current and all(a["conditionInfo"]["code"] == "V" for a in current)
    every = locations(client, number, "3")
    assert sorted(a["addr1"] for a in every) == sorted(a["addr1"] for a in current + expired)


def test_generated_customers_include_some_who_moved(client, sandbox):
    moved = [c for c in sandbox.fixtures["bcs_customer"].values()
             if c["remittances"]["cspRefId"] >= 100
             and any(a["condition"] == "N" for a in c["postAddr"])]
    assert len(moved) >= 3
    number = moved[0]["govIssueIdent"]["identSerialNum"]
    assert locations(client, number, "2")


@pytest.mark.parametrize("number", sorted(MOVED))
def test_no_other_route_shows_an_expired_address(client, number):
    expired = set(MOVED[number])
    v1 = client.get(f"{V1}?mnemonic=CC{number}", headers=JSON_HEADERS).json
    v2 = client.get(f"{V2}?mnemonic=CC{number}", headers=JSON_HEADERS).json
    v4 = client.get(f"{V4}?govIssueIdentType=CC&identSerialNum={number}",
                    headers=JSON_HEADERS).json
    contact = client.get(CONTACT + number, headers=JSON_HEADERS).json
    remittances = client.get(f"{REMITTANCES}{number}?govIssueIdentType=CC",
                             headers=JSON_HEADERS).json
    shown = {v1["postAddr"]["addr1"], v2["addr1"], contact["postAddr"]["addr1"],
             contact["orgInfo"]["addr1"]}
    shown |= {a["addr1"] for a in v4["personInfo"]["postAddr"]}
    shown |= {a["postAddr"]["addr1"] for a in remittances["listAddress"]}
    assert not shown & expired, shown & expired
    assert v4["personInfo"]["postAddr"] and remittances["listAddress"]
